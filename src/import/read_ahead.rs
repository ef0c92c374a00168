//! Rows read ahead on a thread of their own. Reading, decoding and parsing
//! the file, and for assignments checking each row and resolving its names,
//! is a third of a bulk import's work; done beside the thread that writes,
//! it costs no time there (a million assignments: 14.6 s -> 12.2 s on two
//! cores). The rows come back in chunks, in file order, so everything the
//! import reports stays as it was.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

use super::apply::Prebuilt;
use super::fields::{CellProblem, Layout};
use super::input::{RowError, Rows};
use crate::error::Result;
use crate::native::build::build;
use crate::native::{Catalog, Fields};

/// Rows handed over at a time, and chunks read ahead: enough to keep both
/// threads busy, little memory (a few MB at most).
const CHUNK_ROWS: usize = 256;
const CHUNKS_AHEAD: usize = 8;
/// A chunk also ends once its rows hold this many bytes, so that long rows
/// (up to the 1 MB a row may have) do not pile up: 200 rows of 900 KB,
/// all refused, took 385 MB before; now about one such row a chunk.
const CHUNK_BYTES: usize = 256 << 10;
/// A row's buffers that grew past this are let go once the row is done,
/// not kept for the rows of later chunks.
const KEEP_ROW_BYTES: usize = 64 << 10;

/// One row as the reading thread hands it over.
#[derive(Default)]
pub struct ReadRow {
    /// The line the row starts on.
    pub line: u64,
    /// Why the row could not be read; the other fields are then stale.
    pub error: Option<RowError>,
    pub record: csv::StringRecord,
    pub fields: Fields,
    pub cell_problems: Vec<CellProblem>,
    /// The row built, when the reading thread builds them.
    pub prebuilt: Option<Prebuilt>,
}

struct Chunk {
    rows: Vec<ReadRow>,
    /// The file ends after these rows (or cannot be read further).
    last: bool,
}

pub struct ReadAhead {
    chunks: Receiver<Chunk>,
    recycle: Sender<Vec<ReadRow>>,
    /// Taken once the last chunk has come.
    thread: Option<JoinHandle<()>>,
    name: String,
}

impl ReadAhead {
    /// Starts reading `rows` into fields by `layout`; with a catalog, each
    /// row is built too (the catalog must be one the import does not
    /// change). An import that fails leaves the thread behind: it stops at
    /// its next chunk, as nobody takes it.
    pub fn start(mut rows: Rows, layout: Arc<Layout>, prebuild: Option<Catalog>, name: &str) -> ReadAhead {
        let (full, chunks) = mpsc::sync_channel(CHUNKS_AHEAD);
        let (recycle, recycled) = mpsc::channel();
        let thread = std::thread::spawn(move || read(&mut rows, &layout, prebuild.as_ref(), &full, &recycled));
        ReadAhead { chunks, recycle, thread: Some(thread), name: name.to_string() }
    }

    /// The next rows; `None` once the file has ended.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<ReadRow>>> {
        let Some(thread) = self.thread.take() else { return Ok(None) };
        match self.chunks.recv() {
            Ok(Chunk { rows, last: false }) => {
                self.thread = Some(thread);
                Ok(Some(rows))
            }
            Ok(Chunk { rows, last: true }) => {
                thread.join().map_err(|panic| self.failed(panic))?;
                Ok(Some(rows))
            }
            // The thread ended without saying the file had: it panicked.
            Err(_) => Err(thread.join().err().map_or_else(|| self.failed(Box::new("")), |panic| self.failed(panic))),
        }
    }

    /// Hands back a chunk whose rows are done, to be filled again.
    pub fn give_back(&self, chunk: Vec<ReadRow>) {
        // The reading thread may have finished already.
        let _ = self.recycle.send(chunk);
    }

    fn failed(&self, panic: Box<dyn std::any::Any + Send>) -> anyhow::Error {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        anyhow::anyhow!("reading {} stopped unexpectedly: {what}; nothing was written", self.name)
    }
}

fn read(
    rows: &mut Rows,
    layout: &Layout,
    prebuild: Option<&Catalog>,
    full: &SyncSender<Chunk>,
    recycled: &Receiver<Vec<ReadRow>>,
) {
    loop {
        let mut chunk = recycled.try_recv().unwrap_or_default();
        let last = !fill(rows, layout, prebuild, &mut chunk);
        // Refused once the import has stopped taking rows.
        if full.send(Chunk { rows: chunk, last }).is_err() || last {
            return;
        }
    }
}

/// Reads up to `CHUNK_ROWS` rows into `chunk`, reusing what it holds; false
/// once the file has ended or cannot be read further.
fn fill(rows: &mut Rows, layout: &Layout, prebuild: Option<&Catalog>, chunk: &mut Vec<ReadRow>) -> bool {
    let mut n = 0;
    let mut bytes = 0;
    while n < CHUNK_ROWS {
        if bytes >= CHUNK_BYTES {
            chunk.truncate(n);
            return true;
        }
        if n == chunk.len() {
            chunk.push(ReadRow::default());
        }
        let row = &mut chunk[n];
        if row.record.as_slice().len() > KEEP_ROW_BYTES {
            *row = ReadRow::default();
        }
        row.error = None;
        row.prebuilt = None;
        row.cell_problems.clear();
        n += 1;
        match rows.read_into(&mut row.record) {
            Ok(None) => {
                chunk.truncate(n - 1);
                return false;
            }
            Ok(Some(line)) => {
                row.line = line;
                bytes += row.record.as_slice().len();
                layout.fields_into(&row.record, &mut row.cell_problems, &mut row.fields);
                if let Some(catalog) = prebuild
                    && row.cell_problems.is_empty()
                {
                    row.prebuilt = Some(build(layout.kind(), &row.fields, catalog));
                }
            }
            Err(e) => {
                let fatal = e.fatal;
                row.line = e.line;
                row.error = Some(e);
                if fatal {
                    chunk.truncate(n);
                    return false;
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::input::{HeaderHint, MAX_CELLS, Settings, open};
    use crate::native::Kind;

    fn start(text: String) -> ReadAhead {
        let settings = Settings::sniff(HeaderHint::First);
        let (detected, rows) = open(Box::new(std::io::Cursor::new(text.into_bytes())), "t.csv", &settings).unwrap();
        let layout = Layout::native(Kind::Assignment, &detected.header, "t.csv").unwrap();
        ReadAhead::start(rows, Arc::new(layout), None, "t.csv")
    }

    /// (line, title or the row's error) of every row, as the import sees them.
    fn drain(ahead: &mut ReadAhead) -> Vec<(u64, String)> {
        let mut seen = Vec::new();
        while let Some(chunk) = ahead.next_chunk().unwrap() {
            for row in &chunk {
                let what = match &row.error {
                    Some(e) => format!("error: {}", e.message),
                    None => row.fields.get("title").unwrap_or_default().to_string(),
                };
                seen.push((row.line, what));
            }
            ahead.give_back(chunk);
        }
        seen
    }

    #[test]
    fn rows_come_in_file_order_across_chunks_with_their_lines() {
        // More rows than three chunks; a blank line, a quoted newline and
        // unreadable rows (too many cells) on both sides of chunk boundaries.
        let mut text = String::from("title,kind\n");
        let mut expected = Vec::new();
        let mut line = 2;
        for n in 1..=(3 * CHUNK_ROWS + 10) {
            match n {
                100 => {
                    text.push('\n');
                    line += 1;
                }
                300 => {
                    text.push_str("\"two\nlines\",group\n");
                    expected.push((line, "two\nlines".to_string()));
                    line += 2;
                    continue;
                }
                _ => {}
            }
            if [CHUNK_ROWS, CHUNK_ROWS + 1, 2 * CHUNK_ROWS + 5].contains(&n) {
                text.push_str(&format!("bad{}\n", ",".repeat(MAX_CELLS)));
                let message = "the row has 16,385 cells; a row has at most 16,384 (the header has 2)";
                expected.push((line, format!("error: {message}")));
            } else {
                text.push_str(&format!("row {n},group\n"));
                expected.push((line, format!("row {n}")));
            }
            line += 1;
        }
        let mut ahead = start(text);
        assert_eq!(drain(&mut ahead), expected);
        // And nothing after the end.
        assert!(ahead.next_chunk().unwrap().is_none());
    }

    /// Serves `data`, then panics: a reader failing in a way it should not.
    struct PanicsAfter(std::io::Cursor<Vec<u8>>);

    impl std::io::Read for PanicsAfter {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.read(buf)? {
                0 => panic!("the disk caught fire"),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn a_reading_thread_that_panics_fails_the_import_and_says_so() {
        let mut text = String::from("title,kind\n");
        // More than the sample read before the thread starts.
        while text.len() < 200_000 {
            text.push_str("row,group\n");
        }
        let settings = Settings::sniff(HeaderHint::First);
        let input = Box::new(PanicsAfter(std::io::Cursor::new(text.into_bytes())));
        let (detected, rows) = open(input, "t.csv", &settings).unwrap();
        let layout = Layout::native(Kind::Assignment, &detected.header, "t.csv").unwrap();
        let mut ahead = ReadAhead::start(rows, Arc::new(layout), None, "t.csv");
        let failure = loop {
            match ahead.next_chunk() {
                Ok(Some(chunk)) => ahead.give_back(chunk),
                Ok(None) => panic!("the file seemed to end"),
                Err(e) => break e.to_string(),
            }
        };
        assert_eq!(failure, "reading t.csv stopped unexpectedly: the disk caught fire; nothing was written");
    }

    #[test]
    fn long_rows_come_a_few_to_a_chunk() {
        let mut text = String::from("title,kind\n");
        for n in 1..=10 {
            text.push_str(&format!("{}{n},group\n", "x".repeat(200_000)));
        }
        for n in 11..=20 {
            text.push_str(&format!("short {n},group\n"));
        }
        let mut ahead = start(text);
        let mut sizes = Vec::new();
        while let Some(chunk) = ahead.next_chunk().unwrap() {
            sizes.push(chunk.len());
            ahead.give_back(chunk);
        }
        // 200 KB a row: a chunk ends with the row that passes 256 KB.
        assert_eq!(sizes, [2, 2, 2, 2, 2, 10]);
    }

    #[test]
    fn a_row_that_ends_reading_comes_last() {
        let mut text = String::from("title,kind\n");
        for n in 1..=(CHUNK_ROWS + 3) {
            text.push_str(&format!("row {n},group\n"));
        }
        // An unclosed quote runs on past the longest row accepted.
        text.push('"');
        text.push_str(&"x".repeat(crate::import::input::MAX_ROW_BYTES as usize + 200_000));
        text.push_str("\nrow after,group\n");
        let mut ahead = start(text);
        let seen = drain(&mut ahead);
        assert_eq!(seen.len(), CHUNK_ROWS + 4);
        let (line, last) = seen.last().unwrap();
        assert_eq!(*line, CHUNK_ROWS as u64 + 5);
        assert!(last.starts_with("error: a row longer than"), "{last}");
    }
}
