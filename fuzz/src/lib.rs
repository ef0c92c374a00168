//! The fuzz targets' harness; see `harness.rs` and `README.md`.

pub mod harness;
