//! `ipart report`: every figure of the yearly infographic, for any period
//! of any registry.
//!
//! [`compute`] asks the registry (the SQL lives in `store::report`) and
//! returns a plain [`Report`]; `render` turns it into a table, JSON, CSV,
//! Markdown or an HTML page. Only the status histories decide a status on
//! a date, so a report for a past period gives the same figures whenever
//! it is run.

pub mod compute;
pub mod model;
pub mod period;
pub mod share;

pub use compute::{Dimension, Options, TrendStep, changes_since, compute};
pub use model::Report;
pub use period::{Basis, Period};
pub mod chart;
pub mod document;
pub mod render;
