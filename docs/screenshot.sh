#!/usr/bin/env bash
# Renders the demo's 2023 HTML report and takes the screenshot in the README
# (docs/report-2023.png) with headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
IPART_TODAY=2025-03-01 target/release/ipart --demo report --year 2023 --format html --output "$work/report.html"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1100,2420 --screenshot=docs/report-2023.png "file://$work/report.html" 2>/dev/null
echo "wrote docs/report-2023.png"
