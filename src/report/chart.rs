//! The geometry of the HTML report's charts: where each bar, slice and line
//! point goes, in SVG user units. The template (`templates/report.html`)
//! draws them; this module only computes numbers, so it is tested without a
//! browser.

use std::f64::consts::PI;

/// The colours of the charts (from the Rijksoverheid palette), in order of use.
pub const PALETTE: [&str; 8] = ["#01689b", "#e17000", "#39870c", "#42145f", "#ca005d", "#8fcae7", "#a90061", "#777c00"];

/// Rounds to one decimal for SVG attributes.
fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// One slice of a donut, drawn as a circle's stroke with a dash pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    pub label: String,
    pub count: i64,
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
    pub total: i64,
    pub slices: Vec<Slice>,
}

/// A donut of (label, count, share) parts.
pub fn donut(parts: &[(String, i64, u32)], radius: f64) -> Donut {
    let total: i64 = parts.iter().map(|p| p.1).sum();
    let circumference = 2.0 * PI * radius;
    let mut before = 0.0;
    let slices = parts
        .iter()
        .enumerate()
        .map(|(i, (label, count, share))| {
            let length = if total > 0 { circumference * *count as f64 / total as f64 } else { 0.0 };
            let slice = Slice {
                label: label.clone(),
                count: *count,
                share: *share,
                color: PALETTE[i % PALETTE.len()],
                dash: format!("{} {}", r1(length), r1(circumference - length)),
                offset: r1(-before),
            };
            before += length;
            slice
        })
        .collect();
    Donut { radius, total, slices }
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

/// Horizontal bars of (label, value, value text), scaled to the largest.
pub fn bars(rows: &[(String, i64, String)], width: f64, label_width: f64) -> Bars {
    const ROW: f64 = 30.0;
    const BAR: f64 = 20.0;
    let room = width - label_width - 60.0;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value, text))| {
            let y = 5.0 + i as f64 * ROW;
            let w = r1(room * *value as f64 / max);
            Bar {
                label: label.clone(),
                value: text.clone(),
                color: PALETTE[0],
                y,
                width: w,
                text_y: y + BAR * 0.75,
                value_x: r1(label_width + w + 6.0),
            }
        })
        .collect();
    Bars { width, height: 10.0 + rows.len().max(1) as f64 * ROW, x: label_width, bar_height: BAR, bars }
}

/// A segment of a stacked bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub label: String,
    pub count: i64,
    pub color: &'static str,
    pub x: f64,
    pub width: f64,
}

/// One bar split into its parts (548 = 287 + 58 + ...).
pub fn stack(parts: &[(String, i64, &'static str)], width: f64) -> Vec<Segment> {
    let total: i64 = parts.iter().map(|p| p.1).sum();
    let mut x = 0.0;
    parts
        .iter()
        .map(|(label, count, color)| {
            let w = if total > 0 { width * *count as f64 / total as f64 } else { 0.0 };
            let segment = Segment { label: label.clone(), count: *count, color, x: r1(x), width: r1(w) };
            x += w;
            segment
        })
        .collect()
}

/// A tick on an axis: where, and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub color: &'static str,
    /// The `points` of a polyline.
    pub points: String,
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

/// A line chart of series over labelled points: `labels[i]` names point i;
/// `x_label(i)` says whether point i gets a tick label (and which).
pub fn lines(
    labels: &[String],
    series: &[(String, &'static str, Vec<i64>)],
    x_label: impl Fn(usize, &str) -> Option<String>,
) -> LineChart {
    let (width, height) = (640.0, 300.0);
    let (left, right, top, bottom) = (48.0, 624.0, 16.0, 264.0);
    let max = series.iter().flat_map(|s| s.2.iter().copied()).max().unwrap_or(0).max(1);
    let step = nice_step(max, 5);
    let top_value = ((max + step - 1) / step) * step;
    let y = |v: i64| r1(bottom - (bottom - top) * v as f64 / top_value as f64);
    let n = labels.len();
    let x = |i: usize| {
        if n <= 1 { r1((left + right) / 2.0) } else { r1(left + (right - left) * i as f64 / (n - 1) as f64) }
    };
    let y_ticks = (0..=top_value / step).map(|k| Tick { at: y(k * step), label: (k * step).to_string() }).collect();
    let x_ticks =
        labels.iter().enumerate().filter_map(|(i, l)| x_label(i, l).map(|label| Tick { at: x(i), label })).collect();
    let series = series
        .iter()
        .map(|(label, color, values)| Series {
            label: label.clone(),
            color,
            points: values.iter().enumerate().map(|(i, v)| format!("{},{}", x(i), y(*v))).collect::<Vec<_>>().join(" "),
        })
        .collect();
    LineChart { width, height, left, right, top, bottom, x_ticks, y_ticks, series }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn donut_slices_go_round_once() {
        let d = donut(&[("HBO".into(), 351, 64), ("WO".into(), 181, 33), ("MBO".into(), 16, 3)], 80.0);
        let lengths: Vec<f64> = d.slices.iter().map(|s| s.dash.split(' ').next().unwrap().parse().unwrap()).collect();
        assert!((lengths.iter().sum::<f64>() - 2.0 * PI * 80.0).abs() < 0.5);
        assert_eq!(d.slices[1].offset, r1(-lengths[0]));
        assert_eq!(donut(&[], 80.0).total, 0);
    }

    #[test]
    fn axes_use_round_steps_and_bars_scale_to_the_largest() {
        assert_eq!(nice_step(287, 5), 100);
        assert_eq!(nice_step(4, 5), 1);
        assert_eq!(nice_step(0, 5), 1);
        let b = bars(&[("a".into(), 150, "150".into()), ("b".into(), 75, "75".into())], 600.0, 200.0);
        assert_eq!(b.bars[0].width, 340.0);
        assert_eq!(b.bars[1].width, 170.0);
        let chart =
            lines(&["2023-Q1".into(), "2023-Q2".into()], &[("x".into(), "#000", vec![0, 287])], |_, l| Some(l.into()));
        assert_eq!(chart.y_ticks.last().unwrap().label, "300");
        assert_eq!(chart.series[0].points, "48,264 624,26.7");
    }
}
