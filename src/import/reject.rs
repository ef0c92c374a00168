//! The reject file of `--skip-invalid`: the refused rows as the source file
//! had them (its title lines, header, delimiter and encoding), each with a
//! `reject_reason` cell at the end. Fixed, it imports again with the same
//! command and mapping; importers ignore the reason column.

use std::io::Write;

use super::fields::REJECT_COLUMN;
use super::input::{Detected, Encoding};
use crate::error::Result;

pub struct RejectWriter<'a> {
    out: &'a mut dyn Write,
    delimiter: u8,
    newline: &'static str,
    preamble: Vec<String>,
    header: Option<Vec<String>>,
    /// The header's width, when there is a header.
    width: Option<usize>,
    started: bool,
    bom: bool,
}

impl<'a> RejectWriter<'a> {
    pub fn new(out: &'a mut dyn Write, detected: &Detected) -> Self {
        RejectWriter {
            out,
            delimiter: detected.delimiter,
            newline: if detected.crlf { "\r\n" } else { "\n" },
            preamble: detected.preamble.clone(),
            header: detected.header_line.map(|_| detected.header.clone()),
            width: detected.header_line.map(|_| detected.header.len()),
            started: false,
            // UTF-16 is written as UTF-8, marked so that it reads back as such.
            bom: matches!(detected.encoding, Some(Encoding::Utf8Bom | Encoding::Utf16Le | Encoding::Utf16Be)),
        }
    }

    /// Writes one refused row; `encoding` is the file's, as decided so far.
    pub fn write(&mut self, cells: &csv::StringRecord, reason: &str, encoding: Option<Encoding>) -> Result<()> {
        if !self.started {
            self.started = true;
            if self.bom {
                self.out.write_all(b"\xEF\xBB\xBF")?;
            }
            for line in std::mem::take(&mut self.preamble) {
                self.line_raw(&line, encoding)?;
            }
            if let Some(header) = self.header.take() {
                let mut cells: Vec<&str> = header.iter().map(String::as_str).collect();
                cells.push(REJECT_COLUMN);
                self.line(&cells, encoding)?;
            }
        }
        let mut row: Vec<&str> = cells.iter().collect();
        if let Some(width) = self.width {
            // Line the reason up under its header: drop the empty cells
            // Excel leaves at the end, pad short rows.
            while row.len() > width && row.last().is_some_and(|c| c.trim().is_empty()) {
                row.pop();
            }
            row.resize(row.len().max(width), "");
        }
        row.push(reason);
        self.line(&row, encoding)
    }

    fn line(&mut self, cells: &[&str], encoding: Option<Encoding>) -> Result<()> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        w.write_record(cells)?;
        let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("cannot write the reject file: {e}"))?;
        let text = String::from_utf8_lossy(&bytes);
        self.line_raw(text.trim_end_matches('\n'), encoding)
    }

    fn line_raw(&mut self, text: &str, encoding: Option<Encoding>) -> Result<()> {
        let line = format!("{text}{}", self.newline);
        match encoding {
            // Written back in the file's own encoding, so it reads as the
            // file did.
            Some(e @ (Encoding::Windows1252 | Encoding::Other(_))) if !self.bom => {
                self.out.write_all(&e.rs().encode(&line).0)?;
            }
            _ => self.out.write_all(line.as_bytes())?,
        }
        Ok(())
    }
}
