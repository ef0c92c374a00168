//! The HTML report in a real browser.
//!
//! On screen: headless Chromium loads the demo report from a file, and a
//! probe script (added to a copy of the page, the report itself has none)
//! records load errors, network requests, the size of every chart and
//! anything wider than the page into the DOM, which `--dump-dom` prints.
//!
//! On paper: Chromium prints the page to PDF (A4, as the page's `@page`
//! asks) and `pdftotext -bbox` (poppler-utils) gives every word with its page
//! and position, so the tests check the page count, the margins, that a
//! heading never ends a page, that each chart is on the page of its heading
//! and that no table cell is broken inside a word or a date.
//!
//! Needs Debian's `chromium` and `poppler-utils` (`.ci/run` installs both);
//! `IPART_CHROMIUM` names another browser binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use regex_lite::Regex;

const PROBE: &str = r#"<script>
  window.__errors = [];
  window.addEventListener('error', e => window.__errors.push(String(e.message || (e.target && e.target.outerHTML) || e)), true);
  window.addEventListener('load', () => {
    const charts = [...document.querySelectorAll('svg.chart')].map(s => {
      const r = s.getBoundingClientRect();
      return { id: s.id, width: r.width, height: r.height, shapes: s.querySelectorAll('rect, circle, polyline').length };
    });
    // What reaches past the right edge of the page's column (a scrolling box may hold wider tables).
    const main = document.querySelector('main').getBoundingClientRect();
    const padding = parseFloat(getComputedStyle(document.querySelector('main')).paddingRight);
    const edge = main.right - padding + 1;
    const wide = [...document.querySelectorAll('main *')]
      .filter(e => !e.closest('.scroll') || e.classList.contains('scroll'))
      .filter(e => e.getBoundingClientRect().right > edge)
      .map(e => e.tagName + '#' + e.id + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 60));
    const out = document.createElement('pre');
    out.id = 'probe';
    out.textContent = JSON.stringify({ charts, errors: window.__errors, wide,
      scroll: document.documentElement.scrollWidth, viewport: window.innerWidth,
      requests: performance.getEntriesByType('resource').length });
    document.body.appendChild(out);
  });
</script>"#;

fn chromium() -> String {
    std::env::var("IPART_CHROMIUM").unwrap_or_else(|_| "chromium".to_string())
}

/// The report `ipart --demo report ARGS --format html` writes.
fn report(args: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("ipart")
        .unwrap()
        .env("IPART_TODAY", "2025-03-01")
        .env_remove("IPART_LANG")
        .args(["--demo", "report", "--format", "html"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs headless Chromium on `page` with `args`, its profile in `dir`.
fn run_chromium(dir: &Path, page: &Path, args: &[String]) -> std::process::Output {
    Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}); install it: apt-get install -y chromium", chromium()))
}

/// The probe's findings on the page laid out `width` pixels wide.
fn probe(html: &str, width: u32) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, html.replacen("<head>", &format!("<head>{PROBE}"), 1)).unwrap();
    let args = [format!("--window-size={width},2000"), "--virtual-time-budget=5000".into(), "--dump-dom".into()];
    let output = run_chromium(dir.path(), &page, &args);
    let dom = String::from_utf8_lossy(&output.stdout);
    let start = dom.find("<pre id=\"probe\">").unwrap_or_else(|| {
        panic!("no probe in the page: {}\n{}", String::from_utf8_lossy(&output.stderr), &dom[..dom.len().min(500)])
    });
    let text = &dom[start + "<pre id=\"probe\">".len()..];
    serde_json::from_str(&unescape(&text[..text.find("</pre>").unwrap()])).unwrap()
}

#[test]
fn the_html_report_loads_in_chromium_with_charts_of_real_size() {
    let probe = probe(&report(&["--year", "2023", "--notes"]), 1200);
    assert_eq!(probe["errors"], serde_json::json!([]), "errors while loading");
    assert_eq!(probe["requests"], 0, "the page must not load anything");
    let charts = probe["charts"].as_array().unwrap();
    let ids: Vec<&str> = charts.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "chart-partners",
            "chart-levels",
            "chart-trend",
            "chart-themes",
            "chart-questions",
            "chart-phds",
            "chart-labs",
            "chart-website",
            "chart-status"
        ]
    );
    for chart in charts {
        assert!(chart["width"].as_f64().unwrap() > 100.0, "{chart}");
        assert!(chart["height"].as_f64().unwrap() > 20.0, "{chart}");
        assert!(chart["shapes"].as_u64().unwrap() >= 2, "{chart}");
    }
}

#[test]
fn on_screen_nothing_runs_past_the_right_margin() {
    // The widest cross table there is (labs by region) and a comparison, at a desktop and a phone width.
    let html = report(&["--year", "2023", "--notes", "--compare", "2022", "--by", "region,lab", "--trend", "month"]);
    for width in [1200, 390] {
        let probe = probe(&html, width);
        assert_eq!(probe["wide"], serde_json::json!([]), "wider than the page at {width} px");
        assert!(
            probe["scroll"].as_u64() <= probe["viewport"].as_u64(),
            "the page scrolls sideways at {width} px: {probe}"
        );
    }
}

// ---- on paper

/// A word of the printed page and where it is (points from the top left).
#[derive(Debug, Clone)]
struct Word {
    text: String,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

#[derive(Debug)]
struct Page {
    width: f64,
    height: f64,
    words: Vec<Word>,
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// A mark at the top right of the first page (A4 less 12 mm margins), out of
/// the flow: Chromium shrinks a page wider than the paper to fit, and then
/// the mark is no longer at the right margin.
const MARK: &str = r#"<div style="position: absolute; top: 0; left: 0; width: 186mm; text-align: right; font: 8pt sans-serif">MARK</div>"#;

/// Prints `html` to PDF in Chromium and reads its words back, page by page.
fn print(html: &str) -> Vec<Page> {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, html.replacen("<body>", &format!("<body>{MARK}"), 1)).unwrap();
    let pdf: PathBuf = dir.path().join("report.pdf");
    let args = ["--no-pdf-header-footer".to_string(), format!("--print-to-pdf={}", pdf.display())];
    let output = run_chromium(dir.path(), &page, &args);
    assert!(pdf.exists(), "no PDF: {}", String::from_utf8_lossy(&output.stderr));
    let text = Command::new("pdftotext")
        .args(["-bbox", "-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("cannot run pdftotext ({e}); install it: apt-get install -y poppler-utils"));
    assert!(text.status.success(), "{}", String::from_utf8_lossy(&text.stderr));
    pages(&String::from_utf8(text.stdout).unwrap())
}

fn pages(bbox: &str) -> Vec<Page> {
    let page = Regex::new(r#"<page width="([\d.]+)" height="([\d.]+)">"#).unwrap();
    let word =
        Regex::new(r#"<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>"#).unwrap();
    let starts: Vec<_> = page.captures_iter(bbox).map(|c| (c.get(0).unwrap().start(), c)).collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, (start, c))| {
            let end = starts.get(i + 1).map_or(bbox.len(), |next| next.0);
            let number = |j: usize, c: &regex_lite::Captures| c[j].parse::<f64>().unwrap();
            Page {
                width: number(1, c),
                height: number(2, c),
                words: word
                    .captures_iter(&bbox[*start..end])
                    .map(|w| Word {
                        text: unescape(&w[5]),
                        x0: number(1, &w),
                        y0: number(2, &w),
                        x1: number(3, &w),
                        y1: number(4, &w),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Every place the words of `text` stand one after the other: (page, index of the first word).
fn find(pages: &[Page], text: &str) -> Vec<(usize, usize)> {
    let wanted: Vec<&str> = text.split_whitespace().collect();
    let mut found = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        for i in 0..page.words.len() {
            if page.words.len() - i >= wanted.len()
                && wanted.iter().enumerate().all(|(k, w)| page.words[i + k].text == *w)
            {
                found.push((p, i));
            }
        }
    }
    found
}

/// The texts of the elements `pattern` matches (one group: the inner text), unescaped.
fn texts(html: &str, pattern: &str) -> Vec<String> {
    let tags = Regex::new("<[^>]+>").unwrap();
    Regex::new(pattern)
        .unwrap()
        .captures_iter(html)
        .map(|c| unescape(&tags.replace_all(&c[1], " ")).split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The checks of the printed report: A4, margins, headings, charts, cells.
fn check_print(html: &str, pages: &[Page]) -> Vec<String> {
    let mut problems = Vec::new();
    // 12 mm, less a little for the rounding of glyph boxes.
    let margin = 12.0 / 25.4 * 72.0 - 1.0;
    match find(pages, "MARK").first() {
        Some(&(0, i)) if pages[0].words[i].x1 > pages[0].width - margin - 2.0 => {}
        other => problems.push(format!("the page was shrunk to fit the paper (something is wider): {other:?}")),
    }
    for (p, page) in pages.iter().enumerate() {
        if (page.width - 595.3).abs() > 1.0 || (page.height - 841.9).abs() > 1.0 {
            problems.push(format!("page {} is {} x {} pt, not A4", p + 1, page.width, page.height));
        }
        for w in &page.words {
            if w.x0 < margin || w.x1 > page.width - margin || w.y0 < margin || w.y1 > page.height - margin {
                problems.push(format!("page {}: {:?} runs into the margin ({:.0}..{:.0})", p + 1, w.text, w.x0, w.x1));
            }
        }
    }
    // A heading is never the last thing on its page: something follows it below.
    for heading in texts(html, r"<h[23][^>]*>(.*?)</h[23]>") {
        let places = find(pages, &heading);
        if places.is_empty() {
            problems.push(format!("heading {heading:?} is not in the PDF"));
        }
        for (p, i) in places {
            let bottom =
                pages[p].words[i..i + heading.split_whitespace().count()].iter().map(|w| w.y1).fold(0.0, f64::max);
            if !pages[p].words.iter().any(|w| w.y0 > bottom + 1.0) {
                problems.push(format!("heading {heading:?} ends page {}", p + 1));
            }
        }
    }
    // Each chart is on the page of its heading: the heading before it, its
    // caption after it and its own labels (or legend) in between are on one page.
    let label = Regex::new(r"<(?:text|li)[^>]*>(.*?)</(?:text|li)>").unwrap();
    let tags = Regex::new("<[^>]+>").unwrap();
    let svg = "<svg class=\"chart\" id=\"";
    for (at, _) in html.match_indices(svg) {
        let rest = &html[at + svg.len()..];
        let id = &rest[..rest.find('"').unwrap()];
        let before = &html[..at];
        let heading =
            before.rfind("<h3").and_then(|h| texts(&before[h..], r"(?s)<h3[^>]*>(.*?)</h3>").into_iter().next());
        let figure = &html[at..];
        let Some(end) = figure.find("<figcaption>") else {
            problems.push(format!("{id} has no caption"));
            continue;
        };
        let caption = texts(&figure[end..], r"(?s)<figcaption>(.*?)</figcaption>").remove(0);
        let caption: String = caption.split_whitespace().take(5).collect::<Vec<_>>().join(" ");
        let labels: Vec<String> = label
            .captures_iter(&figure[..end])
            .map(|l| unescape(&tags.replace_all(&l[1], " ")).split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect();
        let heading = heading.unwrap_or_default();
        let on = |text: &str| find(pages, text).into_iter().map(|(p, i)| (p, pages[p].words[i].y0)).collect::<Vec<_>>();
        let (headings, captions) = (on(&heading), on(&caption));
        let together = captions.iter().any(|&(p, y_caption)| {
            headings.iter().any(|&(q, y_heading)| {
                q == p
                    && y_heading < y_caption
                    && labels.iter().any(|l| on(l).iter().any(|&(r, y)| r == p && y > y_heading && y < y_caption))
            })
        });
        if !together {
            problems.push(format!("{id}: its heading {heading:?} at {headings:?}, its caption at {captions:?}"));
        }
    }
    // No table cell breaks inside a word; numbers, dates and names of one
    // word stay on one line.
    let all_words: std::collections::HashSet<&str> =
        pages.iter().flat_map(|p| p.words.iter().map(|w| w.text.as_str())).collect();
    for cell in texts(html, r"<t[dh][^>]*>(.*?)</t[dh]>")
        .into_iter()
        .chain(texts(html, r#"<span class="nowrap[^"]*">(.*?)</span>"#))
        .chain(texts(html, r"<strong>(.*?)</strong>"))
    {
        for word in cell.split_whitespace() {
            if !all_words.contains(word) {
                problems.push(format!("{word:?} (in {cell:?}) is broken in the PDF"));
            }
        }
    }
    for cell in texts(html, r#"<td class="(?:num|nowrap)">(.*?)</td>"#)
        .into_iter()
        .chain(texts(html, r#"<span class="nowrap[^"]*">(.*?)</span>"#))
    {
        let on_one_line = find(pages, &cell).iter().any(|&(p, i)| {
            let words = &pages[p].words[i..i + cell.split_whitespace().count()];
            words.iter().all(|w| (w.y0 - words[0].y0).abs() < 1.0)
        });
        if !on_one_line {
            problems.push(format!("{cell:?} is not on one line"));
        }
    }
    problems
}

#[test]
fn the_2023_report_prints_on_at_most_four_a4_pages_with_each_chart_beside_its_heading() {
    let html = report(&["--year", "2023"]);
    let pages = print(&html);
    assert!(pages.len() <= 4, "{} pages", pages.len());
    assert_eq!(check_print(&html, &pages), Vec::<String>::new());
    // The sections of the seed, in its order, each on a page.
    let order: Vec<usize> = [
        "Kerncijfers",
        "Partners per regio",
        "Studentenopdrachten per onderwijssoort",
        "Verloop aantal studentenopdrachten",
        "Studentenopdrachten per thema",
        "Kennisportfolio's",
        "Fieldlabs",
        "Duaal promovendi",
        "Lectoraten en leerstoelen",
        "Minoren en masters",
        "Cursussen en summercourses",
        "Communities",
        "Conferenties en evenementen",
        "Communicatie 2023",
    ]
    .iter()
    .map(|heading| {
        let places = find(&pages, heading);
        assert!(!places.is_empty(), "no {heading:?}");
        places[places.len() - 1].0
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "pages of the sections: {order:?}");
}

#[test]
fn the_notes_print_as_an_appendix_and_english_prints_too() {
    for args in [["--year", "2023", "--notes"], ["--year", "2023", "--lang=en"]] {
        let html = report(&args);
        let pages = print(&html);
        assert!(pages.len() <= 4, "{args:?}: {} pages", pages.len());
        assert_eq!(check_print(&html, &pages), Vec::<String>::new(), "{args:?}");
    }
    // A cross table of many columns and the comparison print within the margins too.
    let html = report(&["--year", "2023", "--by", "region,lab", "--compare", "2022"]);
    assert_eq!(check_print(&html, &print(&html)), Vec::<String>::new(), "--by region,lab");
    let html = report(&["--year", "2023", "--notes"]);
    let pages = print(&html);
    let notes = find(&pages, "Toelichting");
    assert_eq!(notes.len(), 1);
    let (page, first) = notes[0];
    assert_eq!(first, 0, "the notes begin a page of their own");
    assert!(find(&pages, "Wat niet optelt, verklaard").iter().all(|&(p, _)| p == page));
}

#[test]
fn the_print_checks_find_what_went_wrong_before() {
    // A page laid out as the report once was: a heading alone at the foot of
    // a page with its chart on the next, a date broken in a narrow column,
    // a table past the margin.
    let page = |body: &str| {
        format!(
            r#"<!DOCTYPE html><html><head><style>@page {{ size: A4; margin: 12mm; }} body {{ margin: 0; font: 10pt Arial; }}
            td {{ width: 30px; }}</style></head><body>{body}</body></html>"#
        )
    };
    let html = page(
        r#"<div style="height: 262mm"></div>
        <h3>Studentenopdrachten per thema</h3>
        <figure><svg class="chart" id="chart-themes" viewBox="0 0 400 400" width="400" height="400"><text x="10" y="20">Blockchain</text></svg><figcaption>Op welk thema</figcaption></figure>
        <table><tr><td class="nowrap">2021-01-11</td><td>Informatiehuishouding</td></tr></table>"#,
    );
    let problems = check_print(&html, &print(&html)).join("\n");
    for expected in [
        "heading \"Studentenopdrachten per thema\" ends page 1",
        "chart-themes: its heading",
        "\"2021-01-11\" (in \"2021-01-11\") is broken in the PDF",
        "\"2021-01-11\" is not on one line",
    ] {
        assert!(problems.contains(expected), "{expected}:\n{problems}");
    }
    assert!(!problems.contains("shrunk"), "{problems}");
    let wide =
        page(r#"<table style="width: 260mm"><tr><td>links</td><td style="text-align: right">rechts</td></tr></table>"#);
    let problems = check_print(&wide, &print(&wide)).join("\n");
    assert!(problems.contains("the page was shrunk to fit the paper"), "{problems}");
}
