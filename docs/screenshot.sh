#!/usr/bin/env bash
# Renders the demo's 2023 HTML report and takes the screenshot in the README
# (docs/report-2023.png) with headless Chromium: the top of the page, from the
# key figures to the knowledge portfolios and PhD candidates. With --pdf it
# also prints the whole page on A4, as a browser's "Print" does, to
# report-2023.pdf in the current directory.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
IPART_TODAY=2025-03-01 target/release/ipart --demo report --year 2023 --format html --output "$work/report.html"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1100,1840 --screenshot=docs/report-2023.png "file://$work/report.html" 2>/dev/null
echo "wrote docs/report-2023.png"
if [ "${1:-}" = --pdf ]; then
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$work/profile" --no-pdf-header-footer \
        --print-to-pdf="$OLDPWD/report-2023.pdf" "file://$work/report.html" 2>/dev/null
    echo "wrote report-2023.pdf"
fi
