//! Native CSV files: one file per kind, the columns of `Kind::columns`,
//! UTF-8, comma-separated, a header row. This is the format of the demo data
//! set (`fixtures/demo/`).

use super::build::build;
use super::{Catalog, Fields, Kind};
use crate::error::{Error, Result};
use crate::store::Writer;

/// How many row errors a message lists before it only counts the rest.
const MAX_REPORTED: usize = 20;

/// Reads every row of a native CSV file, checks them all, and adds them when
/// none has a problem. `name` is the file name used in messages. Returns the
/// number of records added.
pub fn load(w: &Writer, kind: Kind, name: &str, data: &[u8], cat: &mut Catalog) -> Result<usize> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(data);
    let headers = reader.headers().map_err(|e| Error::invalid(format!("{name}: {e}")))?.clone();
    for header in headers.iter() {
        if !kind.columns().contains(&header) {
            return Err(Error::invalid(format!(
                "{name}:1: unknown column {header:?} for {} records (expected {})",
                kind.name(),
                kind.columns().join(", ")
            ))
            .into());
        }
    }
    let mut errors = Vec::new();
    let mut built = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let line = row.as_ref().ok().and_then(|r| r.position()).map_or(index as u64 + 2, |p| p.line());
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                errors.push(format!("{name}:{line}: {e}"));
                continue;
            }
        };
        let mut fields = Fields::new();
        for (header, value) in headers.iter().zip(row.iter()) {
            fields.set(header, value);
        }
        match build(kind, &fields, cat) {
            Ok(record) => built.push(record),
            Err(problems) => {
                for p in problems {
                    errors.push(format!("{name}:{line}: column {:?}: {}", p.field, p.message));
                }
            }
        }
    }
    if !errors.is_empty() {
        let total = errors.len();
        let mut message = errors.into_iter().take(MAX_REPORTED).collect::<Vec<_>>().join("\n");
        if total > MAX_REPORTED {
            message.push_str(&format!("\n... and {} more problems", total - MAX_REPORTED));
        }
        return Err(Error::invalid(format!("{message}\nnothing was written")).into());
    }
    let count = built.len();
    for record in built {
        record.insert(w, cat)?;
    }
    Ok(count)
}
