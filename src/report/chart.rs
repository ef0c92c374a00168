//! The geometry of the HTML report's charts: where each bar, slice, tile and
//! line point goes, in SVG user units. The template (`templates/report.html`)
//! draws them; this module only computes numbers (labels arrive already
//! written for people), so it is tested without a browser.
//!
//! Each chart is laid out for the width it is shown at (a half or a whole
//! column of an A4 page), so its text prints at about the size of the page's
//! own small print instead of being scaled down.

use std::f64::consts::PI;

/// The colours of the charts (from the Rijksoverheid palette), in order of use.
pub const PALETTE: [&str; 8] = ["#01689b", "#e17000", "#39870c", "#42145f", "#ca005d", "#8fcae7", "#a90061", "#777c00"];

/// The grey of what is not counted (unknown, closed, the empty part).
pub const GREY: &str = "#9b9b9b";

/// Rounds to one decimal for SVG attributes.
fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// One slice of a donut, drawn as a circle's stroke with a dash pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    pub label: String,
    /// The count as people write it (`1.235`).
    pub count: String,
    pub share: u32,
    pub color: &'static str,
    /// `stroke-dasharray`: the slice's length, then the rest of the circle.
    pub dash: String,
    /// `stroke-dashoffset`: minus the length of the slices before it.
    pub offset: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Donut {
    pub radius: f64,
    /// Whether any slice has a count (else only the grey ring is drawn).
    pub any: bool,
    pub slices: Vec<Slice>,
}

/// A donut of (label, count, count as text, share) parts.
pub fn donut(parts: &[(String, i64, String, u32)], radius: f64) -> Donut {
    let total: i64 = parts.iter().map(|p| p.1).sum();
    let circumference = 2.0 * PI * radius;
    let mut before = 0.0;
    let slices = parts
        .iter()
        .enumerate()
        .map(|(i, (label, count, text, share))| {
            let length = if total > 0 { circumference * *count as f64 / total as f64 } else { 0.0 };
            let slice = Slice {
                label: label.clone(),
                count: text.clone(),
                share: *share,
                color: PALETTE[i % PALETTE.len()],
                dash: format!("{} {}", r1(length), r1(circumference - length)),
                offset: r1(-before),
            };
            before += length;
            slice
        })
        .collect();
    Donut { radius, any: total > 0, slices }
}

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: String,
    pub color: &'static str,
    pub y: f64,
    pub width: f64,
    /// Where the label and the value are written (baseline).
    pub text_y: f64,
    pub value_x: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub width: f64,
    pub height: f64,
    /// Where the bars start (the labels are to the left of it).
    pub x: f64,
    pub bar_height: f64,
    pub bars: Vec<Bar>,
}

const ROW: f64 = 24.0;
const BAR: f64 = 17.0;

/// Horizontal bars of (label, value, value text), scaled to the largest.
pub fn bars(rows: &[(String, i64, String)], width: f64, label_width: f64) -> Bars {
    let room = width - label_width - 50.0;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value, text))| {
            let y = 4.0 + i as f64 * ROW;
            let w = r1(room * (*value).max(0) as f64 / max);
            Bar {
                label: label.clone(),
                value: text.clone(),
                color: PALETTE[0],
                y,
                width: w,
                text_y: r1(y + BAR * 0.72),
                value_x: r1(label_width + w + 6.0),
            }
        })
        .collect();
    Bars { width, height: 8.0 + rows.len().max(1) as f64 * ROW, x: label_width, bar_height: BAR, bars }
}

/// A segment of a stacked bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub label: String,
    /// The count as people write it.
    pub count: String,
    pub color: &'static str,
    pub x: f64,
    pub width: f64,
}

/// One bar of `width` split into its parts (548 = 287 + 58 + ...), from x = `x`.
pub fn stack(parts: &[(String, i64, String, &'static str)], x: f64, width: f64) -> Vec<Segment> {
    let total: i64 = parts.iter().map(|p| p.1.max(0)).sum();
    let mut at = x;
    parts
        .iter()
        .map(|(label, count, text, color)| {
            let w = if total > 0 { width * (*count).max(0) as f64 / total as f64 } else { 0.0 };
            let segment = Segment { label: label.clone(), count: text.clone(), color, x: r1(at), width: r1(w) };
            at += w;
            segment
        })
        .collect()
}

/// One row of a chart of stacked bars.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedRow {
    pub label: String,
    /// The row's total as people write it, after the bar.
    pub total: String,
    pub y: f64,
    pub text_y: f64,
    pub total_x: f64,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StackedBars {
    pub width: f64,
    pub height: f64,
    pub x: f64,
    pub bar_height: f64,
    pub rows: Vec<StackedRow>,
}

/// A part of a stacked bar: its name, count and count as people write it.
pub type Part = (String, i64, String);

/// A row of stacked bars: its label, its total as people write it, its parts.
pub type PartsRow = (String, String, Vec<Part>);

/// Horizontal bars split into parts, all on one scale (the largest row
/// total fills the room); `colors` colour the parts in order.
pub fn stacked_bars(rows: &[PartsRow], colors: &[&'static str], width: f64, label_width: f64) -> StackedBars {
    let room = width - label_width - 50.0;
    let max = rows.iter().map(|r| r.2.iter().map(|p| p.1.max(0)).sum::<i64>()).max().unwrap_or(0).max(1) as f64;
    let rows: Vec<StackedRow> = rows
        .iter()
        .enumerate()
        .map(|(i, (label, total, parts))| {
            let y = 4.0 + i as f64 * ROW;
            let sum: i64 = parts.iter().map(|p| p.1.max(0)).sum();
            let w = room * sum as f64 / max;
            let coloured: Vec<_> = parts
                .iter()
                .zip(colors.iter().cycle())
                .map(|((name, count, text), color)| (name.clone(), *count, text.clone(), *color))
                .collect();
            StackedRow {
                label: label.clone(),
                total: total.clone(),
                y,
                text_y: r1(y + BAR * 0.72),
                total_x: r1(label_width + w + 6.0),
                segments: stack(&coloured, label_width, w),
            }
        })
        .collect();
    StackedBars { width, height: 8.0 + rows.len().max(1) as f64 * ROW, x: label_width, bar_height: BAR, rows }
}

/// A tile of the region map: a region where it lies in the Netherlands.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionTile {
    pub label: String,
    /// What the tile says under the name ("3 actief"), with the baseline of each line.
    pub lines: Vec<(f64, String)>,
    /// The baseline of the name, and the middle of the tile.
    pub label_y: f64,
    pub middle: f64,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub fill: &'static str,
    /// Whether the text on it is white (on a dark fill).
    pub dark: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegionMap {
    pub width: f64,
    pub height: f64,
    pub tiles: Vec<RegionTile>,
}

/// A schematic map of the five regions (noord at the top, west, midden and
/// oost across the middle, zuid at the bottom): `regions` are (region code,
/// name, lines of text, weight); the weight (say, active labs) darkens the tile.
pub fn region_map(regions: &[(&str, String, Vec<String>, i64)]) -> RegionMap {
    // Where each region lies, as (column, row, columns wide) on a 3 x 3 grid.
    let place = |code: &str| match code {
        "noord" => Some((0.5, 0.0, 2.0)),
        "west" => Some((0.0, 1.0, 1.0)),
        "midden" => Some((1.0, 1.0, 1.0)),
        "oost" => Some((2.0, 1.0, 1.0)),
        "zuid" => Some((0.5, 2.0, 2.0)),
        _ => None,
    };
    let (cell_w, cell_h, gap) = (100.0, 54.0, 5.0);
    let placed: Vec<_> = regions.iter().filter_map(|r| place(r.0).map(|p| (p, r))).collect();
    let max = placed.iter().map(|(_, r)| r.3).max().unwrap_or(0).max(1);
    let tiles = placed
        .into_iter()
        .map(|((column, row, span), (_, label, lines, weight))| {
            let step = (*weight).clamp(0, max) * 3 / max;
            let fill = ["#e8f1f6", "#8fcae7", "#3c8fbf", "#01689b"][step as usize];
            let (x, y, width) =
                (r1(column * (cell_w + gap)), r1(row * (cell_h + gap)), r1(span * cell_w + (span - 1.0) * gap));
            RegionTile {
                label: label.clone(),
                lines: lines.iter().enumerate().map(|(i, text)| (y + 35.0 + 14.0 * i as f64, text.clone())).collect(),
                label_y: y + 19.0,
                middle: r1(x + width / 2.0),
                x,
                y,
                width,
                height: cell_h,
                fill,
                dark: step >= 2,
            }
        })
        .collect();
    RegionMap { width: 3.0 * cell_w + 2.0 * gap, height: 3.0 * cell_h + 2.0 * gap, tiles }
}

/// A tick on an axis: where, and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
    /// `text-anchor`: x labels begin at their point, or end at it where they would run off the chart.
    pub anchor: &'static str,
}

/// A point of a line, with what it says when pointed at.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub color: &'static str,
    /// The `points` of a polyline.
    pub points: String,
    /// The same points, each with its period and value, for markers.
    pub markers: Vec<Point>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub width: f64,
    pub height: f64,
    /// The plot area.
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub series: Vec<Series>,
}

/// A step between axis ticks that is 1, 2 or 5 times a power of ten and
/// gives at most `ticks` steps up to `max`.
pub fn nice_step(max: i64, ticks: i64) -> i64 {
    let mut power = 1;
    loop {
        for m in [1, 2, 5] {
            let step = m * power;
            if max <= step * ticks {
                return step;
            }
        }
        power *= 10;
    }
}

/// The series of a line chart: (label, colour, one value per point).
pub type LineSeries = (String, &'static str, Vec<i64>);

/// A line chart of `width` x `height` of series over labelled points:
/// `labels[i]` names point i (in the markers' titles); `x_label(i)` says
/// whether point i gets a tick label (and which); `number` writes the
/// values.
pub fn lines(
    (width, height): (f64, f64),
    labels: &[String],
    series: &[LineSeries],
    x_label: impl Fn(usize) -> Option<String>,
    number: impl Fn(i64) -> String,
) -> LineChart {
    let (left, right, top, bottom) = (44.0, width - 12.0, 10.0, height - 26.0);
    let max = series.iter().flat_map(|s| s.2.iter().copied()).max().unwrap_or(0).max(1);
    let step = nice_step(max, 5);
    let top_value = ((max + step - 1) / step) * step;
    let y = |v: i64| r1(bottom - (bottom - top) * v as f64 / top_value as f64);
    let n = labels.len();
    let x = |i: usize| {
        if n <= 1 { r1((left + right) / 2.0) } else { r1(left + (right - left) * i as f64 / (n - 1) as f64) }
    };
    let y_ticks =
        (0..=top_value / step).map(|k| Tick { at: y(k * step), label: number(k * step), anchor: "end" }).collect();
    // About 8 units a character at the axes' font size.
    let fits = |at: f64, label: &str| at + 8.0 * label.chars().count() as f64 <= width;
    let x_ticks = (0..n)
        .filter_map(|i| {
            x_label(i).map(|label| Tick { at: x(i), anchor: if fits(x(i), &label) { "start" } else { "end" }, label })
        })
        .collect();
    let series = series
        .iter()
        .map(|(label, color, values)| Series {
            label: label.clone(),
            color,
            points: values.iter().enumerate().map(|(i, v)| format!("{},{}", x(i), y(*v))).collect::<Vec<_>>().join(" "),
            markers: values
                .iter()
                .enumerate()
                .map(|(i, v)| Point {
                    x: x(i),
                    y: y(*v),
                    title: format!("{}: {} {label}", labels.get(i).map_or("", String::as_str), number(*v)),
                })
                .collect(),
        })
        .collect();
    LineChart { width, height, left, right, top, bottom, x_ticks, y_ticks, series }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn donut_slices_go_round_once() {
        let d = donut(
            &[
                ("HBO".into(), 351, "351".into(), 64),
                ("WO".into(), 181, "181".into(), 33),
                ("MBO".into(), 16, "16".into(), 3),
            ],
            80.0,
        );
        let lengths: Vec<f64> = d.slices.iter().map(|s| s.dash.split(' ').next().unwrap().parse().unwrap()).collect();
        assert!((lengths.iter().sum::<f64>() - 2.0 * PI * 80.0).abs() < 0.5);
        assert_eq!(d.slices[1].offset, r1(-lengths[0]));
        assert!(d.any);
        assert!(!donut(&[], 80.0).any);
    }

    #[test]
    fn axes_use_round_steps_and_bars_scale_to_the_largest() {
        assert_eq!(nice_step(287, 5), 100);
        assert_eq!(nice_step(4, 5), 1);
        assert_eq!(nice_step(0, 5), 1);
        let b = bars(&[("a".into(), 150, "150".into()), ("b".into(), 75, "75".into())], 600.0, 200.0);
        assert_eq!(b.bars[0].width, 350.0);
        assert_eq!(b.bars[1].width, 175.0);
        let labels = ["2023-Q1".to_string(), "2023-Q2".to_string()];
        let chart = lines(
            (440.0, 240.0),
            &labels,
            &[("afgerond".into(), "#000", vec![0, 1287])],
            |i| Some(labels[i].clone()),
            |v| format!("<{v}>"),
        );
        assert_eq!(chart.y_ticks.last().unwrap().label, "<1500>");
        assert_eq!(chart.series[0].points, "44,214 428,39");
        let anchors: Vec<_> = chart.x_ticks.iter().map(|t| t.anchor).collect();
        assert_eq!(anchors, ["start", "end"], "the last label would run off the chart");
        assert_eq!(chart.series[0].markers[1].title, "2023-Q2: <1287> afgerond");
    }

    #[test]
    fn stacked_bars_share_one_scale() {
        let rows = vec![
            (
                "a".to_string(),
                "6".to_string(),
                vec![("x".to_string(), 4, "4".to_string()), ("y".into(), 2, "2".into())],
            ),
            (
                "b".to_string(),
                "3".to_string(),
                vec![("x".to_string(), 3, "3".to_string()), ("y".into(), 0, "0".into())],
            ),
        ];
        let chart = stacked_bars(&rows, &["#111", "#222"], 350.0, 100.0);
        let widths = |r: &StackedRow| r.segments.iter().map(|s| s.width).collect::<Vec<_>>();
        assert_eq!(widths(&chart.rows[0]), [133.3, 66.7]);
        assert_eq!(widths(&chart.rows[1]), [100.0, 0.0]);
        assert_eq!(chart.rows[0].segments[1].x, 233.3);
        assert_eq!(chart.rows[1].segments[0].color, "#111");
    }

    #[test]
    fn the_region_map_places_each_region_and_darkens_by_weight() {
        let map = region_map(&[
            ("noord", "Noord".into(), vec![], 3),
            ("west", "West".into(), vec![], 0),
            ("zuid", "Zuid".into(), vec![], 1),
            ("unknown", "onbekend".into(), vec![], 5),
        ]);
        assert_eq!(map.tiles.len(), 3, "a region without a place is left off the map");
        assert_eq!((map.tiles[0].x, map.tiles[0].y, map.tiles[0].width), (52.5, 0.0, 205.0));
        assert_eq!((map.tiles[1].fill, map.tiles[1].dark), ("#e8f1f6", false));
        assert_eq!((map.tiles[0].fill, map.tiles[0].dark), ("#01689b", true));
        assert_eq!(map.tiles[2].y, 118.0);
    }
}
