//! The domain: vocabularies, dates, name matching and the records the
//! registry keeps, with the rules a record must satisfy. No SQL and no clap
//! here, so the rules can be tested on their own.

pub mod date;
pub mod history;
pub mod limits;
pub mod names;
pub mod records;
pub mod vocab;

pub use date::{Date, parse_date, today};
pub use records::*;
pub use vocab::*;
