//! Native CSV files: one file per kind, the columns of `Kind::columns`,
//! UTF-8, comma-separated, a header row. This is the format of `ipart
//! export` and of the demo data set (`fixtures/demo/`); they load through
//! the importer like any other file.

use super::Kind;
use crate::domain::Date;
use crate::error::Result;
use crate::import::{self, Request, Silent};
use crate::store::Writer;

/// Reads every row of a native CSV file, checks them all, and adds them
/// when none has a problem (as one import batch). `name` is the file name
/// used in messages. Returns the number of records added.
pub fn load(w: &Writer, kind: Kind, name: &str, data: &[u8], today: Date) -> Result<usize> {
    let mut request = Request::native(kind, name, today);
    // A data set this small is audited record by record, as commands do.
    request.options.audit_each = true;
    let input = Box::new(std::io::Cursor::new(data.to_vec()));
    let outcome = import::run(w, input, &request, None, &mut Silent)?;
    Ok(outcome.counts.added as usize)
}
