//! The HTML report in a real browser: headless Chromium loads the demo
//! report from a file, and a probe script (added to a copy of the page, the
//! report itself has none) records load errors, network requests and the
//! size of every chart into the DOM, which `--dump-dom` prints.
//! Needs Debian's `chromium` (`.ci/run` installs it); `IPART_CHROMIUM`
//! names another binary.

use std::process::Command;

const PROBE: &str = r#"<script>
  window.__errors = [];
  window.addEventListener('error', e => window.__errors.push(String(e.message || (e.target && e.target.outerHTML) || e)), true);
  window.addEventListener('load', () => {
    const charts = [...document.querySelectorAll('svg.chart')].map(s => {
      const r = s.getBoundingClientRect();
      return { id: s.id, width: r.width, height: r.height, shapes: s.querySelectorAll('rect, circle, polyline').length };
    });
    const out = document.createElement('pre');
    out.id = 'probe';
    out.textContent = JSON.stringify({ charts, errors: window.__errors,
      requests: performance.getEntriesByType('resource').length });
    document.body.appendChild(out);
  });
</script>"#;

fn chromium() -> String {
    std::env::var("IPART_CHROMIUM").unwrap_or_else(|_| "chromium".to_string())
}

#[test]
fn the_html_report_loads_in_chromium_with_charts_of_real_size() {
    let dir = tempfile::tempdir().unwrap();
    let report = assert_cmd::Command::cargo_bin("ipart")
        .unwrap()
        .env("IPART_TODAY", "2025-03-01")
        .args(["--demo", "report", "--year", "2023", "--format", "html"])
        .output()
        .unwrap();
    assert!(report.status.success());
    let html = String::from_utf8(report.stdout).unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, html.replacen("<head>", &format!("<head>{PROBE}"), 1)).unwrap();
    let profile = dir.path().join("profile");
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1200,2000",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}); install it: apt-get install -y chromium", chromium()));
    let dom = String::from_utf8_lossy(&output.stdout);
    let start = dom.find("<pre id=\"probe\">").unwrap_or_else(|| {
        panic!("no probe in the page: {}\n{}", String::from_utf8_lossy(&output.stderr), &dom[..dom.len().min(500)])
    });
    let text = &dom[start + "<pre id=\"probe\">".len()..];
    let text = text[..text.find("</pre>").unwrap()].replace("&quot;", "\"").replace("&amp;", "&");
    let probe: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(probe["errors"], serde_json::json!([]), "errors while loading");
    assert_eq!(probe["requests"], 0, "the page must not load anything");
    let charts = probe["charts"].as_array().unwrap();
    let ids: Vec<&str> = charts.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["chart-levels", "chart-status", "chart-themes", "chart-trend"]);
    for chart in charts {
        assert!(chart["width"].as_f64().unwrap() > 100.0, "{chart}");
        assert!(chart["height"].as_f64().unwrap() > 40.0, "{chart}");
        assert!(chart["shapes"].as_u64().unwrap() >= 3, "{chart}");
    }
}
