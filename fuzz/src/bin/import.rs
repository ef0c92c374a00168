//! AFL target: arbitrary bytes (and options, and a mapping) imported as
//! `ipart import` would; see `harness::ImportCase` for the input layout.

fn main() {
    let harness = ipart_fuzz::harness::ImportHarness::new();
    afl::fuzz!(|data: &[u8]| harness.check(data));
}
