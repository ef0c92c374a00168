//! AFL target: arbitrary bytes parsed as a mapping file for every kind.

fn main() {
    afl::fuzz!(|data: &[u8]| ipart_fuzz::harness::check_mapping(data));
}
