//! Reading CSV files as source systems really write them: UTF-8 with or
//! without a BOM, Windows-1252, UTF-16 with a BOM; `,`, `;` or tab; a title
//! or two before the header; CRLF or LF; quoted cells holding delimiters,
//! quotes and newlines; the blank lines and empty trailing columns Excel
//! leaves. The first 64 KB are sniffed (each guess overridable), then the
//! file is streamed: memory stays flat however long it is. Every byte read
//! is counted and hashed on the way, for the progress bar and the batch.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::{Arc, Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use crate::domain::names::fold;
use crate::error::Error;

/// How much of a file is sniffed.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// The most text one row may hold. Every field of a record at its limit
/// (`domain::limits`) fits many times over; a longer row is a file read
/// with the wrong delimiter or quote, or hostile, and reading it whole
/// would take memory in proportion: it is refused as soon as it is seen.
pub const MAX_ROW_BYTES: u64 = 1024 * 1024;

/// The most cells one row may have: the widest sheet a spreadsheet holds.
pub const MAX_CELLS: usize = 16_384;

/// The text encodings a file may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Windows1252,
    Utf16Le,
    Utf16Be,
    /// Any other encoding `encoding_rs` knows (Big5, Shift_JIS,
    /// windows-1250 ...), named by `--encoding` or found by `chardetng`.
    Other(&'static encoding_rs::Encoding),
}

impl Encoding {
    /// Parses an encoding name as a mapping or `--encoding` gives it: the
    /// names ipart has always taken, or any WHATWG label `encoding_rs`
    /// knows (`big5`, `shift_jis`, `windows-1250`, `iso-8859-15` ...).
    pub fn parse(s: &str) -> Result<Encoding, Error> {
        Ok(match fold(s).replace(' ', "").as_str() {
            "utf8" => Encoding::Utf8,
            "utf8bom" | "utf8withbom" | "utf8sig" => Encoding::Utf8Bom,
            "windows1252" | "cp1252" | "latin1" | "iso88591" | "ansi" => Encoding::Windows1252,
            "utf16le" | "utf16" => Encoding::Utf16Le,
            "utf16be" => Encoding::Utf16Be,
            _ => match encoding_rs::Encoding::for_label(s.trim().as_bytes()) {
                Some(e) if e == encoding_rs::REPLACEMENT || e == encoding_rs::X_USER_DEFINED => {
                    return Err(unknown_encoding(s));
                }
                Some(e) => Encoding::from_rs(e),
                None => return Err(unknown_encoding(s)),
            },
        })
    }

    /// The encoding of an `encoding_rs` one.
    pub fn from_rs(e: &'static encoding_rs::Encoding) -> Encoding {
        if e == encoding_rs::UTF_8 {
            Encoding::Utf8
        } else if e == encoding_rs::WINDOWS_1252 {
            Encoding::Windows1252
        } else if e == encoding_rs::UTF_16LE {
            Encoding::Utf16Le
        } else if e == encoding_rs::UTF_16BE {
            Encoding::Utf16Be
        } else {
            Encoding::Other(e)
        }
    }

    /// The `encoding_rs` encoding that decodes it.
    pub fn rs(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => encoding_rs::UTF_8,
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Other(e) => e,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Windows1252 => "Windows-1252",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Other(e) => e.name(),
        }
    }

    /// The name `--encoding` and a mapping's `[file] encoding` take.
    pub fn label(self) -> String {
        match self {
            Encoding::Utf8 => "utf-8".into(),
            Encoding::Utf8Bom => "utf-8-bom".into(),
            Encoding::Windows1252 => "windows-1252".into(),
            Encoding::Utf16Le => "utf-16le".into(),
            Encoding::Utf16Be => "utf-16be".into(),
            Encoding::Other(e) => e.name().to_ascii_lowercase(),
        }
    }
}

fn unknown_encoding(s: &str) -> Error {
    Error::usage(format!(
        "{s:?} is not an encoding ipart reads (expected utf-8, utf-8-bom, windows-1252, utf-16le, utf-16be, or another WHATWG encoding label such as big5, shift_jis, gbk, euc-kr, windows-1250 or iso-8859-15)"
    ))
}

/// What the bytes of a file say about its encoding, once they are neither
/// ASCII nor UTF-8.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Verdict {
    /// Windows-1252, or an encoding that reads these bytes just as it does.
    Windows1252,
    /// A multi-byte encoding (Big5, Shift_JIS ...) the detector prefers and
    /// in which every byte decodes: read in it.
    Found(&'static encoding_rs::Encoding),
    /// Another encoding is likelier than Windows-1252, but nothing proves
    /// it: ipart does not guess.
    Unsure(&'static encoding_rs::Encoding),
}

/// Asks `chardetng` what encoding `bytes` (not UTF-8) are in; `complete`
/// when they are the whole file.
fn judge(bytes: &[u8], complete: bool) -> Verdict {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, complete);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    if guess == encoding_rs::WINDOWS_1252 {
        return Verdict::Windows1252;
    }
    // A character may be cut off at the end of a sample; a line end is never
    // part of one, in any of these encodings.
    let whole = match bytes.iter().rposition(|b| *b == b'\n') {
        Some(end) if !complete => &bytes[..=end],
        _ => bytes,
    };
    let multi_byte = [
        encoding_rs::BIG5,
        encoding_rs::GBK,
        encoding_rs::GB18030,
        encoding_rs::SHIFT_JIS,
        encoding_rs::EUC_JP,
        encoding_rs::EUC_KR,
    ];
    if multi_byte.contains(&guess) {
        return match guess.decode_without_bom_handling_and_without_replacement(whole) {
            Some(_) => Verdict::Found(guess),
            None => Verdict::Unsure(guess),
        };
    }
    if guess.decode_without_bom_handling(whole).0 == encoding_rs::WINDOWS_1252.decode_without_bom_handling(whole).0 {
        return Verdict::Windows1252;
    }
    Verdict::Unsure(guess)
}

/// The refusal of a file whose encoding cannot be told for certain.
fn unsure(name: &str, where_: &str, likely: &'static encoding_rs::Encoding) -> String {
    let label = Encoding::Other(likely).label();
    format!(
        "{name}: {where_}is neither UTF-8 nor Windows-1252: it reads most likely as {} (else perhaps windows-1252); ipart does not guess: give --encoding {label} if that is right (or the file's encoding, in the mapping's [file] encoding), or save it as UTF-8",
        likely.name()
    )
}

/// Bytes read so far and their SHA-256, shared with the importer while the
/// rows stream.
#[derive(Default)]
pub struct Tally {
    pub bytes: u64,
    sha: Sha256,
}

impl Tally {
    /// The SHA-256 of everything read, as lower-case hex.
    pub fn sha256(&self) -> String {
        self.sha.clone().finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// State the reading side and the importing side both see: the rows are
/// read on a thread of their own (see `import::read_ahead`).
pub struct Shared<T>(Arc<Mutex<T>>);

impl<T> Shared<T> {
    fn new(value: T) -> Self {
        Shared(Arc::new(Mutex::new(value)))
    }

    pub fn lock(&self) -> MutexGuard<'_, T> {
        // A panic while it was held ends the import anyway; the data is
        // plain counters.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

struct Hashing<R> {
    inner: R,
    tally: Shared<Tally>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut tally = self.tally.lock();
        tally.bytes += n as u64;
        tally.sha.update(&buf[..n]);
        Ok(n)
    }
}

/// Turns the input into UTF-8 as it streams. A file without a BOM whose
/// first 64 KB are plain ASCII may still be either UTF-8 or Windows-1252:
/// that is decided at its first non-ASCII byte (both read ASCII alike).
struct Decode<R> {
    inner: R,
    mode: Mode,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    output: Vec<u8>,
    out_start: usize,
    /// A UTF-8 byte-order mark may still have to be skipped.
    bom_pending: bool,
    decided: Shared<Option<Encoding>>,
}

enum Mode {
    /// UTF-8: passed through (checked cell by cell by the CSV reader).
    Pass,
    /// ASCII so far.
    Undecided,
    Decode(Box<encoding_rs::Decoder>),
    Finished,
}

const BUFFER: usize = 64 * 1024;

impl<R: Read> Decode<R> {
    fn new(inner: R, encoding: Option<Encoding>, decided: Shared<Option<Encoding>>) -> Self {
        let mode = match encoding {
            None => Mode::Undecided,
            Some(Encoding::Utf8 | Encoding::Utf8Bom) => Mode::Pass,
            Some(Encoding::Windows1252) => {
                Mode::Decode(Box::new(encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling()))
            }
            Some(Encoding::Utf16Le) => Mode::Decode(Box::new(encoding_rs::UTF_16LE.new_decoder_with_bom_removal())),
            Some(Encoding::Utf16Be) => Mode::Decode(Box::new(encoding_rs::UTF_16BE.new_decoder_with_bom_removal())),
            Some(Encoding::Other(e)) => Mode::Decode(Box::new(e.new_decoder_without_bom_handling())),
        };
        *decided.lock() = encoding;
        Decode {
            inner,
            mode,
            input: vec![0; BUFFER],
            start: 0,
            end: 0,
            eof: false,
            output: Vec::with_capacity(BUFFER * 3),
            out_start: 0,
            bom_pending: matches!(encoding, Some(Encoding::Utf8Bom)),
            decided,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.input.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.input.len() {
            return Ok(());
        }
        let n = self.inner.read(&mut self.input[self.end..])?;
        if n == 0 {
            self.eof = true;
        }
        self.end += n;
        Ok(())
    }

    /// Refills `output`; leaves it empty at the end of the input.
    fn refill(&mut self) -> io::Result<()> {
        self.output.clear();
        self.out_start = 0;
        loop {
            if self.start == self.end && !self.eof {
                self.fill()?;
                continue;
            }
            match &mut self.mode {
                Mode::Finished => return Ok(()),
                Mode::Pass => {
                    if self.bom_pending {
                        if self.end - self.start < 3 && !self.eof {
                            self.fill()?;
                            continue;
                        }
                        if self.input[self.start..self.end].starts_with(&[0xEF, 0xBB, 0xBF]) {
                            self.start += 3;
                        }
                        self.bom_pending = false;
                    }
                    if self.start == self.end {
                        return Ok(());
                    }
                    self.output.extend_from_slice(&self.input[self.start..self.end]);
                    self.start = self.end;
                    return Ok(());
                }
                Mode::Undecided => {
                    let pending = &self.input[self.start..self.end];
                    if pending.is_empty() {
                        return Ok(());
                    }
                    let ascii = pending.iter().position(|b| !b.is_ascii()).unwrap_or(pending.len());
                    if ascii > 0 {
                        self.output.extend_from_slice(&pending[..ascii]);
                        self.start += ascii;
                        return Ok(());
                    }
                    let width = match pending[0] {
                        0xC2..=0xDF => 2,
                        0xE0..=0xEF => 3,
                        0xF0..=0xF4 => 4,
                        _ => 0,
                    };
                    if width > pending.len() && !self.eof {
                        self.fill()?;
                        continue;
                    }
                    let utf8 = width > 0 && width <= pending.len() && std::str::from_utf8(&pending[..width]).is_ok();
                    if !utf8 {
                        // Everything before was ASCII, which these encodings
                        // read alike; what follows may still be another one.
                        match judge(pending, self.eof) {
                            Verdict::Windows1252 => {}
                            Verdict::Found(likely) | Verdict::Unsure(likely) => {
                                self.mode = Mode::Finished;
                                return Err(io::Error::new(io::ErrorKind::InvalidData, WrongEncoding(likely)));
                            }
                        }
                    }
                    let encoding = if utf8 { Encoding::Utf8 } else { Encoding::Windows1252 };
                    *self.decided.lock() = Some(encoding);
                    self.mode = if utf8 {
                        Mode::Pass
                    } else {
                        Mode::Decode(Box::new(encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling()))
                    };
                }
                Mode::Decode(decoder) => {
                    let last = self.eof;
                    self.output.resize(BUFFER * 3, 0);
                    let (_, read, written, _) =
                        decoder.decode_to_utf8(&self.input[self.start..self.end], &mut self.output, last);
                    self.start += read;
                    self.output.truncate(written);
                    if last && self.start == self.end {
                        self.mode = Mode::Finished;
                    }
                    if written > 0 || matches!(self.mode, Mode::Finished) {
                        return Ok(());
                    }
                }
            }
        }
    }
}

impl<R: Read> Read for Decode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_start == self.output.len() {
            self.refill()?;
        }
        let n = buf.len().min(self.output.len() - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

/// The error reading ends with when the text, ASCII at first, turns out to
/// be in an encoding other than UTF-8 or Windows-1252.
#[derive(Debug)]
struct WrongEncoding(&'static encoding_rs::Encoding);

impl std::fmt::Display for WrongEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = Encoding::Other(self.0).label();
        write!(
            f,
            "from this line on the file is neither UTF-8 nor Windows-1252: it reads most likely as {} (the first 64 KB were plain ASCII); give --encoding {label} if that is right, or save the file as UTF-8",
            self.0.name()
        )
    }
}

impl std::error::Error for WrongEncoding {}

/// Where the newlines are in the text the CSV reader reads, so that a
/// record's first line can be told: the reader's own positions count lines
/// late (it skips blank lines, and the LF of a CRLF, at the next record).
#[derive(Default)]
struct LineTracker {
    /// Byte offsets of newlines not yet passed.
    newlines: std::collections::VecDeque<u64>,
    /// Newlines already passed.
    passed: u64,
    offset: u64,
    /// Where the record being read began (the end of the one before).
    record_start: u64,
    /// The last byte seen was a CR: a line end unless an LF follows.
    cr_pending: bool,
}

impl LineTracker {
    /// Notes the line ends in `bytes`: LF, CRLF (counted at its LF) and a
    /// CR on its own, as old Mac files and some exports end lines.
    fn saw(&mut self, bytes: &[u8]) {
        if self.cr_pending && bytes.first() != Some(&b'\n') && !bytes.is_empty() {
            self.newlines.push_back(self.offset - 1);
        }
        for (i, b) in bytes.iter().enumerate() {
            match *b {
                b'\n' => self.newlines.push_back(self.offset + i as u64),
                b'\r' => match bytes.get(i + 1) {
                    Some(b'\n') | None => {}
                    Some(_) => self.newlines.push_back(self.offset + i as u64),
                },
                _ => {}
            }
        }
        if !bytes.is_empty() {
            self.cr_pending = bytes.last() == Some(&b'\r');
        }
        self.offset += bytes.len() as u64;
    }

    /// The line a record starts on, given the reader's byte position after
    /// it and the newlines inside its cells. Positions only grow.
    fn first_line(&mut self, end: u64, inside: u64) -> u64 {
        while self.newlines.front().is_some_and(|n| *n + 1 < end) {
            self.newlines.pop_front();
            self.passed += 1;
        }
        // The record's last line: one more than the newlines before its
        // last byte (its own terminating LF, if read, is that byte).
        let last = self.passed + 1;
        last - inside.min(last - 1)
    }
}

struct Tracking<R> {
    inner: R,
    lines: Shared<LineTracker>,
}

/// The error a row beyond `MAX_ROW_BYTES` ends reading with.
#[derive(Debug)]
struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a row longer than {} MB, the most a row may hold (is the delimiter or a quote wrong?)",
            MAX_ROW_BYTES >> 20
        )
    }
}

impl std::error::Error for RowTooLong {}

impl<R: Read> Read for Tracking<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut lines = self.lines.lock();
        // The reader reads ahead by a buffer at most, so what was read past
        // the start of the current record bounds the record's length.
        if lines.offset - lines.record_start > MAX_ROW_BYTES + BUFFER as u64 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RowTooLong));
        }
        let n = self.inner.read(buf)?;
        lines.saw(&buf[..n]);
        Ok(n)
    }
}

fn too_long(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<RowTooLong>()))
}

fn wrong_encoding(e: &csv::Error) -> Option<String> {
    match e.kind() {
        csv::ErrorKind::Io(io) => {
            io.get_ref().and_then(|inner| inner.downcast_ref::<WrongEncoding>()).map(|w| w.to_string())
        }
        _ => None,
    }
}

/// The line ends inside a record's cells: LF, CRLF, or a CR on its own.
fn newlines_inside(record: &csv::StringRecord) -> u64 {
    let bytes = record.as_slice().as_bytes();
    let mut n = 0;
    for (i, b) in bytes.iter().enumerate() {
        n += match b {
            b'\n' => 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => 1,
            _ => 0,
        };
    }
    n
}

/// What to expect of the header line, to find it among title lines.
#[derive(Debug, Clone)]
pub enum HeaderHint {
    /// The first line that is not blank.
    First,
    /// The first line holding all of these column names (a mapping's).
    Names(Vec<String>),
    /// The first line whose cells are all among these (native columns);
    /// else the likeliest header line.
    Columns(Vec<&'static str>),
    /// The likeliest header line: the first to fill at least half as many
    /// cells as the fullest line (title lines above a table fill one).
    Likeliest,
}

/// What the caller knows about the file; `None` means: sniff it.
#[derive(Debug, Clone)]
pub struct Settings {
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    /// Lines before the header (or before the first row without a header).
    pub skip_lines: Option<usize>,
    pub header: bool,
    pub hint: HeaderHint,
    /// The sheet of a spreadsheet: its name, or its number from 1.
    pub sheet: Option<String>,
}

impl Settings {
    /// Nothing known: everything sniffed, the header found by `hint`.
    pub fn sniff(hint: HeaderHint) -> Settings {
        Settings { encoding: None, delimiter: None, skip_lines: None, header: true, hint, sheet: None }
    }
}

/// The sheet of a spreadsheet that is read.
#[derive(Debug, Clone)]
pub struct SheetRead {
    /// `xlsx`, `xls`, `ods`.
    pub format: &'static str,
    pub name: String,
    /// Every sheet of the workbook, in order.
    pub sheets: Vec<String>,
    /// Chosen by `--sheet` or the mapping, not taken as the first.
    pub chosen: bool,
}

/// What was found out about a file before its rows are read.
#[derive(Debug, Clone)]
pub struct Detected {
    /// `None`: ASCII in the sniffed part, so UTF-8 and Windows-1252 agree.
    pub encoding: Option<Encoding>,
    /// The encoding was told by the text alone (no BOM, flag or mapping)
    /// and is neither UTF-8 nor Windows-1252.
    pub guessed: bool,
    pub delimiter: u8,
    /// The line the header is on (1-based), when there is one.
    pub header_line: Option<u64>,
    pub header: Vec<String>,
    /// The lines before the header (or data), as read.
    pub preamble: Vec<String>,
    /// The first rows, for sniffing dates.
    pub sample: Vec<Vec<String>>,
    pub crlf: bool,
    /// `CRLF`, `LF`, `CR` or `mixed`.
    pub line_ends: &'static str,
    /// For a spreadsheet: the sheet read (rows are then its rows).
    pub sheet: Option<SheetRead>,
}

impl Detected {
    /// `Windows-1252, ';', header on line 3` (line ends: see `crlf`).
    pub fn describe(&self) -> String {
        if let Some(sheet) = &self.sheet {
            let which = if sheet.chosen {
                String::new()
            } else if sheet.sheets.len() == 1 {
                " (the only one)".to_string()
            } else {
                format!(
                    " (the first of {}: {}; --sheet chooses another)",
                    sheet.sheets.len(),
                    sheet.sheets.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
                )
            };
            let header = match self.header_line {
                Some(row) => format!("header on row {row}"),
                None => "no header".to_string(),
            };
            return format!("{}, sheet {:?}{which}, {header}", sheet.format, sheet.name);
        }
        let encoding = match self.encoding {
            Some(e) if self.guessed => format!("{} (told by the text; --encoding overrides)", e.name()),
            Some(e) => e.name().to_string(),
            None => "ASCII so far (UTF-8 or Windows-1252 is decided at the first other byte)".to_string(),
        };
        let delimiter = match self.delimiter {
            b'\t' => "tab".to_string(),
            d => format!("'{}'", d as char),
        };
        let header = match self.header_line {
            Some(line) => format!("header on line {line}"),
            None => "no header".to_string(),
        };
        format!("{encoding}, {delimiter}, {header}")
    }

    /// The whole `detected:` line: what `describe` says, the dates when
    /// known, and the line ends of a text file.
    pub fn line(&self, dates: Option<&str>) -> String {
        let mut line = self.describe();
        if let Some(dates) = dates {
            line.push_str(", ");
            line.push_str(dates);
        }
        if self.sheet.is_none() {
            line.push_str(&format!(", {} line ends", self.line_ends));
        }
        line
    }

    /// Where a row is, before a message about it: `f.csv:7: ` or
    /// `f.xlsx: sheet "Stages", row 7, `.
    pub fn at(&self, name: &str, line: u64) -> String {
        match &self.sheet {
            Some(sheet) => format!("{name}: sheet {:?}, row {line}, ", sheet.name),
            None => format!("{name}:{line}: "),
        }
    }
}

/// The rows of a file, streamed (a spreadsheet's are read whole first).
pub struct Rows {
    source: Source,
    record: csv::StringRecord,
    decided: Shared<Option<Encoding>>,
    pub tally: Shared<Tally>,
}

enum Source {
    Text(TextRows),
    Sheet(super::sheet::SheetRows),
}

/// The rows of a text file.
struct TextRows {
    reader: csv::Reader<Box<dyn Read + Send>>,
    lines: Shared<LineTracker>,
    /// Physical lines skipped before the CSV reader started.
    offset: u64,
    name: String,
    /// The header's cells, to name a column in a message.
    header: Vec<String>,
    decided: Shared<Option<Encoding>>,
}

/// A row that cannot be read at all.
#[derive(Debug)]
pub struct RowError {
    pub line: u64,
    pub message: String,
    /// Reading cannot go on (an I/O error, or a row too long to read).
    pub fatal: bool,
    /// The file is at fault, not the system reading it.
    pub invalid_data: bool,
}

impl Rows {
    /// The rows of a spreadsheet's sheet.
    pub(super) fn sheet(rows: super::sheet::SheetRows, tally: Shared<Tally>) -> Rows {
        Rows { source: Source::Sheet(rows), record: csv::StringRecord::new(), decided: Shared::new(None), tally }
    }

    /// The next data row that is not blank (every cell empty), with the line
    /// it starts on; `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<(u64, &csv::StringRecord)>, RowError> {
        let mut record = std::mem::take(&mut self.record);
        let read = self.read_into(&mut record);
        self.record = record;
        Ok(read?.map(|line| (line, &self.record)))
    }

    /// As `next_row`, reading the row into `record`.
    pub fn read_into(&mut self, record: &mut csv::StringRecord) -> Result<Option<u64>, RowError> {
        match &mut self.source {
            Source::Text(rows) => rows.read_into(record),
            Source::Sheet(rows) => rows.read_into(record),
        }
    }

    /// The encoding as decided so far (it may be decided while rows are
    /// read), to ask while a row is borrowed.
    pub fn encoding_handle(&self) -> Shared<Option<Encoding>> {
        self.decided.clone()
    }
}

/// `column "name"` by the header, else `column 3`.
pub(super) fn column_name(header: &[String], cell: usize) -> String {
    match header.get(cell).filter(|h| !h.is_empty()) {
        Some(name) => format!("column {name:?}"),
        None => format!("column {}", cell + 1),
    }
}

/// The problem of a row with too many cells, if it has.
pub(super) fn too_many_cells(record: &csv::StringRecord, header: &[String], line: u64) -> Option<RowError> {
    (record.len() > MAX_CELLS).then(|| RowError {
        line,
        message: format!(
            "the row has {} cells; a row has at most {} (the header has {})",
            super::thousands(record.len() as u64),
            super::thousands(MAX_CELLS as u64),
            header.len()
        ),
        fatal: false,
        invalid_data: true,
    })
}

impl TextRows {
    fn read_into(&mut self, record: &mut csv::StringRecord) -> Result<Option<u64>, RowError> {
        loop {
            match self.reader.read_record(record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => return Err(self.error(e)),
            }
            let end = self.reader.position().byte();
            let line = self.offset + self.lines.lock().first_line(end, newlines_inside(record));
            self.lines.lock().record_start = end;
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            if let Some(e) = too_many_cells(record, &self.header, line) {
                return Err(e);
            }
            if let Some(cell) = record.iter().position(|cell| cell.contains('\0')) {
                return Err(RowError {
                    line,
                    message: format!(
                        "{} holds a NUL byte: this is binary data, not CSV text",
                        column_name(&self.header, cell)
                    ),
                    fatal: false,
                    invalid_data: true,
                });
            }
            return Ok(Some(line));
        }
    }
    fn error(&self, e: csv::Error) -> RowError {
        if too_long(&e) {
            // Named by the line the row begins on: its end is not in sight.
            let start = self.lines.lock().record_start;
            let line = self.offset + self.lines.lock().first_line(start + 1, 0);
            return RowError { line, message: RowTooLong.to_string(), fatal: true, invalid_data: true };
        }
        if let Some(message) = wrong_encoding(&e) {
            // The row after the last one read: where the text turned.
            let start = self.lines.lock().record_start;
            let line = self.offset + self.lines.lock().first_line(start + 1, 0);
            return RowError { line, message, fatal: true, invalid_data: true };
        }
        let line = self.offset + self.lines.lock().first_line(self.reader.position().byte(), 0);
        let message = match e.kind() {
            csv::ErrorKind::Utf8 { err, .. } => {
                let hint = match *self.decided.lock() {
                    Some(Encoding::Utf8Bom) | Some(Encoding::Utf8) => {
                        " (the file was read as UTF-8; if it is Windows-1252, say so with --encoding windows-1252)"
                    }
                    _ => "",
                };
                format!("{} is not valid UTF-8{hint}", column_name(&self.header, err.field()))
            }
            csv::ErrorKind::Io(io) => {
                return RowError {
                    line,
                    message: format!("cannot read {}: {io}", self.name),
                    fatal: true,
                    invalid_data: false,
                };
            }
            _ => e.to_string(),
        };
        RowError { line, message, fatal: false, invalid_data: true }
    }
}

/// Sniffs `input` and opens it for streaming. `name` is the file name used
/// in messages.
pub fn open(input: Box<dyn Read + Send>, name: &str, settings: &Settings) -> Result<(Detected, Rows), Error> {
    open_announcing(input, name, settings, &mut |_| {})
}

/// As `open`; when the file is refused once sniffed (no header found), what
/// sniffing found is told to `announce` first, so the person reading the
/// refusal sees how the file was read.
pub fn open_announcing(
    input: Box<dyn Read + Send>,
    name: &str,
    settings: &Settings,
    announce: &mut dyn FnMut(&str),
) -> Result<(Detected, Rows), Error> {
    let tally = Shared::new(Tally::default());
    let mut hashing = Hashing { inner: input, tally: tally.clone() };
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    (&mut hashing)
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|e| Error::usage(format!("cannot read {name}: {e}")))?;
    if super::sheet::is_spreadsheet(&sample) {
        let mut bytes = sample;
        hashing.read_to_end(&mut bytes).map_err(|e| Error::usage(format!("cannot read {name}: {e}")))?;
        return super::sheet::open(bytes, name, settings, tally, announce);
    }
    if sample.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::invalid(format!("{name} is empty: there is nothing to import")));
    }
    let complete = sample.len() < SAMPLE_BYTES;
    let bom = match sample.as_slice() {
        [0xEF, 0xBB, 0xBF, ..] => Some(Encoding::Utf8Bom),
        [0xFF, 0xFE, ..] => Some(Encoding::Utf16Le),
        [0xFE, 0xFF, ..] => Some(Encoding::Utf16Be),
        _ => None,
    };
    // A byte-order mark says what the file is, whatever else was said.
    let (encoding, guessed) = match bom.or(settings.encoding) {
        Some(e) => (Some(e), false),
        None => sniff_encoding(name, &sample, complete)?,
    };
    if !matches!(encoding, Some(Encoding::Utf16Le | Encoding::Utf16Be)) {
        refuse_binary(name, &sample)?;
    }
    let text = decode_sample(&sample, encoding, complete);
    let line_ends = line_ends(&text);
    let delimiter = settings.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    let records = parse_sample(&text, delimiter);
    let mut detected = Detected {
        encoding,
        guessed,
        delimiter,
        header_line: None,
        header: Vec::new(),
        preamble: Vec::new(),
        sample: Vec::new(),
        crlf: line_ends != "LF",
        line_ends,
        sheet: None,
    };
    let (header_line, skip) = header_and_skip(name, &records, settings, || announce(&detected.line(None)))?;

    let decided = Shared::new(None);
    let chained = io::Cursor::new(sample).chain(hashing);
    let mut decoded = BufReader::new(Decode::new(chained, encoding, decided.clone()));
    let mut preamble = Vec::new();
    for _ in 0..skip {
        let line = read_line(&mut decoded).map_err(|e| Error::usage(format!("cannot read {name}: {e}")))?;
        let Some(line) = line else { break };
        let line = String::from_utf8_lossy(&line);
        preamble.push(line.trim_end_matches(['\r', '\n']).trim_start_matches('\u{feff}').to_string());
    }
    let lines = Shared::new(LineTracker::default());
    let boxed: Box<dyn Read + Send> = Box::new(Tracking { inner: decoded, lines: lines.clone() });
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(boxed);
    let mut header = Vec::new();
    let mut record = csv::StringRecord::new();
    if header_line.is_some() {
        loop {
            match reader.read_record(&mut record) {
                Ok(true) if record.iter().all(|c| c.trim().is_empty()) => continue,
                Ok(true) => {
                    header = header_cells(record.iter());
                    break;
                }
                Ok(false) => return Err(Error::invalid(format!("{name} has no header line"))),
                Err(e) => return Err(Error::invalid(format!("{name}: cannot read the header: {e}"))),
            }
        }
    }
    lines.lock().record_start = reader.position().byte();
    detected.sample = records
        .iter()
        .filter(|(line, _)| header_line.is_none_or(|h| *line > h) && *line > skip)
        .take(50)
        .map(|(_, cells)| cells.clone())
        .collect();
    detected.encoding = encoding.or(*decided.lock());
    detected.header_line = header_line;
    detected.header = header.clone();
    detected.preamble = preamble;
    let text_rows = TextRows { reader, lines, offset: skip, name: name.to_string(), header, decided: decided.clone() };
    let rows = Rows { source: Source::Text(text_rows), record, decided, tally };
    Ok((detected, rows))
}

/// The cells of a header line, trimmed, without the empty columns Excel
/// leaves at the end of a line.
pub(super) fn header_cells<'a>(cells: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut header: Vec<String> = cells.map(|c| c.trim().trim_start_matches('\u{feff}').to_string()).collect();
    while header.last().is_some_and(|h| h.is_empty()) {
        header.pop();
    }
    header
}

/// One line, ended by LF, CRLF or a CR on its own; `None` at the end.
fn read_line(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok((!line.is_empty()).then_some(line));
        }
        match buffer.iter().position(|b| *b == b'\n' || *b == b'\r') {
            Some(at) => {
                let cr = buffer[at] == b'\r';
                line.extend_from_slice(&buffer[..=at]);
                input.consume(at + 1);
                if cr && input.fill_buf()?.first() == Some(&b'\n') {
                    line.push(b'\n');
                    input.consume(1);
                }
                return Ok(Some(line));
            }
            None => {
                let n = buffer.len();
                line.extend_from_slice(buffer);
                input.consume(n);
            }
        }
    }
}

/// How the lines of the sample end: `CRLF`, `LF`, `CR` or `mixed`.
fn line_ends(text: &str) -> &'static str {
    let bytes = text.as_bytes();
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    let lf = bytes.iter().filter(|b| **b == b'\n').count() - crlf;
    let cr = bytes.iter().filter(|b| **b == b'\r').count() - crlf;
    match (crlf > 0, lf > 0, cr > 0) {
        (true, false, false) => "CRLF",
        (false, false, true) => "CR",
        (false, _, false) => "LF",
        _ => "mixed",
    }
}

/// Refuses a sample that is not text: one holding a NUL byte, or control
/// bytes (other than tab, line breaks, form feed and the DOS end-of-file
/// mark): at least 8, and more than one byte in a hundred. Fewer are a stray character
/// in a cell, refused with its row and column when the fields are checked.
fn refuse_binary(name: &str, sample: &[u8]) -> Result<(), Error> {
    let line_of = |at: usize| sample[..at].iter().filter(|b| **b == b'\n').count() + 1;
    if let Some(at) = sample.iter().position(|b| *b == 0) {
        if sample.len() > 1 && (sample[0] == 0 || sample[1] == 0) {
            return Err(Error::invalid(format!(
                "{name} looks like UTF-16 without a byte-order mark; save it as UTF-8, or give --encoding utf-16le (or utf-16be)"
            )));
        }
        return Err(Error::invalid(format!(
            "{name} is not a CSV text file: it holds binary data (a NUL byte on line {}, at byte offset {at})",
            line_of(at)
        )));
    }
    let control = |b: &u8| b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A);
    let controls = sample.iter().filter(|b| control(b)).count();
    if controls >= 8
        && controls * 100 > sample.len()
        && let Some(at) = sample.iter().position(control)
    {
        return Err(Error::invalid(format!(
            "{name} is not a CSV text file: it holds binary data ({controls} control bytes in its first {} bytes, the first, 0x{:02X}, on line {} at byte offset {at})",
            sample.len(),
            sample[at],
            line_of(at)
        )));
    }
    Ok(())
}

/// The encoding of a sample without a BOM, and whether it was told by the
/// text alone: undecided when it is ASCII, UTF-8 when it is valid UTF-8,
/// else what `chardetng` finds: Windows-1252 (or one that reads these bytes
/// alike), a multi-byte encoding in which every byte decodes, or a refusal
/// naming the likely encoding.
fn sniff_encoding(name: &str, sample: &[u8], complete: bool) -> Result<(Option<Encoding>, bool), Error> {
    if sample.is_ascii() {
        return Ok((None, false));
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return Ok((Some(Encoding::Utf8), false)),
        // A character cut off at the end of the sample is no evidence.
        Err(e) if e.error_len().is_none() && e.valid_up_to() + 4 > sample.len() => {
            return Ok((Some(Encoding::Utf8), false));
        }
        Err(_) => {}
    }
    match judge(sample, complete) {
        Verdict::Windows1252 => Ok((Some(Encoding::Windows1252), false)),
        Verdict::Found(e) => Ok((Some(Encoding::Other(e)), true)),
        Verdict::Unsure(likely) => Err(Error::invalid(unsure(name, "the text ", likely))),
    }
}

fn decode_sample(sample: &[u8], encoding: Option<Encoding>, complete: bool) -> String {
    let text = match encoding {
        None | Some(Encoding::Utf8 | Encoding::Utf8Bom) => String::from_utf8_lossy(sample).into_owned(),
        Some(Encoding::Utf16Le) => encoding_rs::UTF_16LE.decode_with_bom_removal(sample).0.into_owned(),
        Some(Encoding::Utf16Be) => encoding_rs::UTF_16BE.decode_with_bom_removal(sample).0.into_owned(),
        Some(e) => e.rs().decode_without_bom_handling(sample).0.into_owned(),
    };
    let text = text.trim_start_matches('\u{feff}');
    // The last line of a sample may be cut off.
    match text.rfind(['\n', '\r']) {
        Some(end) if !complete => text[..=end].to_string(),
        _ => text.to_string(),
    }
}

/// Parses sample text into (line, cells) records; stops at the first
/// record the CSV reader refuses.
fn parse_sample(text: &str, delimiter: u8) -> Vec<(u64, Vec<String>)> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut lines = LineTracker::default();
    lines.saw(text.as_bytes());
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    while let Ok(true) = reader.read_record(&mut record) {
        let line = lines.first_line(reader.position().byte(), newlines_inside(&record));
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.push((line, record.iter().map(str::to_string).collect()));
        if out.len() >= 200 {
            break;
        }
    }
    out
}

/// The delimiter that splits the sample most consistently: the largest
/// share of its records with one width (more than one cell), then the most
/// such records, then the widest; `,` when none splits any line. Records,
/// not lines, are compared: a quoted cell spanning lines is one record for
/// the right delimiter and several ragged ones for a wrong one.
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut best: Option<((u64, usize, usize), u8)> = None;
    for delimiter in [b',', b';', b'\t', b'|'] {
        let records = parse_sample(text, delimiter);
        let mut counts: Vec<(usize, usize)> = Vec::new();
        for (_, cells) in &records {
            let width = cells.len();
            match counts.iter_mut().find(|(w, _)| *w == width) {
                Some((_, n)) => *n += 1,
                None => counts.push((width, 1)),
            }
        }
        let Some(&(width, same)) = counts.iter().filter(|(w, _)| *w > 1).max_by_key(|(w, n)| (*n, *w)) else {
            continue;
        };
        // The share in thousandths, so ties compare exactly.
        let share = (same as u64 * 1000) / records.len().max(1) as u64;
        let score = (share, same, width);
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, delimiter));
        }
    }
    best.map_or(b',', |(_, d)| d)
}

/// The line the header is on.
/// The header's line (when the file has one: given, or found by its
/// columns) and how many lines come before the rows. `announce` says what
/// was detected before a refusal at the header.
pub(super) fn header_and_skip(
    name: &str,
    records: &[(u64, Vec<String>)],
    settings: &Settings,
    announce: impl FnOnce(),
) -> Result<(Option<u64>, u64), Error> {
    let header_line = if settings.header {
        match settings.skip_lines {
            Some(skip) => Some(skip as u64 + 1),
            None => Some(find_header(name, records, &settings.hint).inspect_err(|_| announce())?),
        }
    } else {
        None
    };
    let skip = match (header_line, settings.skip_lines) {
        (Some(line), _) => line - 1,
        (None, skip) => skip.unwrap_or(0) as u64,
    };
    Ok((header_line, skip))
}

pub(super) fn find_header(name: &str, records: &[(u64, Vec<String>)], hint: &HeaderHint) -> Result<u64, Error> {
    let first = records.first().map(|(line, _)| *line);
    let cells =
        |c: &[String]| c.iter().map(|s| s.trim().trim_start_matches('\u{feff}').to_string()).collect::<Vec<_>>();
    match hint {
        HeaderHint::First => first.ok_or_else(|| Error::invalid(format!("{name} has no header line"))),
        HeaderHint::Names(names) => {
            let found = records.iter().find(|(_, c)| {
                let c = cells(c);
                names.iter().all(|n| c.iter().any(|h| h == n || fold(h) == fold(n)))
            });
            match found {
                Some((line, _)) => Ok(*line),
                None => {
                    // Say which names are missing from the likeliest line.
                    let best = records
                        .iter()
                        .max_by_key(|(_, c)| {
                            let c = cells(c);
                            names.iter().filter(|n| c.iter().any(|h| fold(h) == fold(n))).count()
                        })
                        .map(|(_, c)| cells(c))
                        .unwrap_or_default();
                    let missing: Vec<String> = names
                        .iter()
                        .filter(|n| !best.iter().any(|h| fold(h) == fold(n)))
                        .map(|n| format!("{n:?}"))
                        .collect();
                    Err(Error::invalid(format!(
                        "{name}: no line in the first 64 KB holds the columns the mapping names; missing: {} (the closest line has: {}). Is this the file the mapping is for? (`ipart mapping check MAP {name}` shows how each column maps; the mapping's [file] skip_lines puts the header on a given line)",
                        missing.join(", "),
                        best.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ")
                    )))
                }
            }
        }
        HeaderHint::Columns(columns) => {
            let found = records.iter().find(|(_, c)| {
                let c = cells(c);
                let named: Vec<&String> = c.iter().filter(|h| !h.is_empty()).collect();
                !named.is_empty() && named.iter().all(|h| columns.contains(&h.as_str()))
            });
            match found {
                Some((line, _)) => Ok(*line),
                // Not a native file: the columns of its likeliest header
                // are reported.
                None => likeliest_header(records).ok_or_else(|| Error::invalid(format!("{name} has no header line"))),
            }
        }
        HeaderHint::Likeliest => {
            likeliest_header(records).ok_or_else(|| Error::invalid(format!("{name} has no header line")))
        }
    }
}

/// The first line filling at least half as many cells as the fullest line
/// of the sample: the title lines above a table fill one or two.
pub(super) fn likeliest_header(records: &[(u64, Vec<String>)]) -> Option<u64> {
    let filled = |cells: &[String]| cells.iter().filter(|c| !c.trim().is_empty()).count();
    let most = records.iter().map(|(_, c)| filled(c)).max()?;
    records.iter().find(|(_, c)| filled(c) * 2 >= most).map(|(line, _)| *line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_bytes(bytes: &[u8], hint: HeaderHint) -> (Detected, Vec<(u64, Vec<String>)>) {
        let settings = Settings::sniff(hint);
        let (detected, mut rows) = open(Box::new(io::Cursor::new(bytes.to_vec())), "t.csv", &settings).unwrap();
        let mut out = Vec::new();
        while let Some((line, record)) = rows.next_row().unwrap() {
            out.push((line, record.iter().map(str::to_string).collect()));
        }
        (detected, out)
    }

    #[test]
    fn sniffs_windows_1252_semicolons_and_title_lines() {
        let bytes = b"Export stages;;;\r\n\r\nNr;Naam;Plaats;\r\n1;Caf\xe9;Zwolle;\r\n2;\"a;b\";Ede;\r\n";
        let (d, rows) = open_bytes(bytes, HeaderHint::Names(vec!["Nr".into(), "Naam".into()]));
        assert_eq!(d.encoding, Some(Encoding::Windows1252));
        assert_eq!(d.delimiter, b';');
        assert_eq!(d.header_line, Some(3));
        assert_eq!(d.header, ["Nr", "Naam", "Plaats"]);
        assert_eq!(d.preamble, ["Export stages;;;", ""]);
        assert_eq!(
            rows,
            [
                (4, vec!["1".into(), "Café".into(), "Zwolle".into(), "".into()]),
                (5, vec!["2".into(), "a;b".into(), "Ede".into(), "".into()])
            ]
        );
        assert_eq!(d.describe(), "Windows-1252, ';', header on line 3");
        assert!(d.crlf);
    }

    #[test]
    fn decides_late_between_utf8_and_windows_1252() {
        let mut late = b"a,b\n".to_vec();
        for i in 0..20_000 {
            late.extend_from_slice(format!("{i},x\n").as_bytes());
        }
        let mut cp = late.clone();
        cp.extend_from_slice(b"9,Financi\xebn\n");
        let (d, rows) = open_bytes(&cp, HeaderHint::First);
        assert_eq!(d.encoding, None);
        assert_eq!(rows.last().unwrap().1[1], "Financiën");
        late.extend_from_slice("9,Financiën\n".as_bytes());
        let (_, rows) = open_bytes(&late, HeaderHint::First);
        assert_eq!(rows.last().unwrap().1[1], "Financiën");
    }

    #[test]
    fn decodes_utf16_and_strips_boms() {
        let text = "naam\tniveau\r\nHanze\tHBO\r\n";
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let (d, rows) = open_bytes(&utf16, HeaderHint::First);
        assert_eq!((d.encoding, d.delimiter), (Some(Encoding::Utf16Le), b'\t'));
        assert_eq!(d.header, ["naam", "niveau"]);
        assert_eq!(rows[0].1, ["Hanze", "HBO"]);
        let (d, _) = open_bytes(b"\xEF\xBB\xBFa,b\n1,2\n", HeaderHint::First);
        assert_eq!((d.encoding, d.header.clone()), (Some(Encoding::Utf8Bom), vec!["a".into(), "b".into()]));
    }

    #[test]
    fn refuses_binary_and_empty_input() {
        let settings = Settings::sniff(HeaderHint::First);
        let err = |b: &[u8]| open(Box::new(io::Cursor::new(b.to_vec())), "x.csv", &settings).err().unwrap().message;
        assert!(err(b"a,b\n\x00\x01\x02").contains("binary data"), "{}", err(b"a,b\n\x00"));
        assert!(err(b"").contains("is empty"));
        assert!(err(b"a\x00b\x00").contains("UTF-16 without a byte-order mark"));
    }

    #[test]
    fn refuses_control_bytes_in_bulk_but_not_one_stray() {
        let settings = Settings::sniff(HeaderHint::First);
        let open_bytes = |b: &[u8]| open(Box::new(io::Cursor::new(b.to_vec())), "x.csv", &settings).map(|_| ());
        let junk: Vec<u8> = b"a,b\n".iter().copied().chain((1..=255u8).cycle().take(1000)).collect();
        let message = open_bytes(&junk).unwrap_err().message;
        assert!(message.contains("control bytes in its first 1004 bytes, the first, 0x01, on line 2"), "{message}");
        assert!(open_bytes(b"a,b\nbell\x07,x\n").is_ok(), "one stray control byte is a cell's problem");
    }

    #[test]
    fn a_row_beyond_the_limit_ends_reading_at_its_first_line() {
        let mut bytes = b"a,b\n1,2\n\"".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', MAX_ROW_BYTES as usize + 2 * BUFFER));
        bytes.extend(b"\",3\n");
        let settings = Settings::sniff(HeaderHint::First);
        let (_, mut rows) = open(Box::new(io::Cursor::new(bytes)), "x.csv", &settings).unwrap();
        assert_eq!(rows.next_row().unwrap().map(|(line, _)| line), Some(2));
        let err = rows.next_row().unwrap_err();
        assert_eq!((err.line, err.fatal, err.invalid_data), (3, true, true));
        assert!(err.message.starts_with("a row longer than 1 MB"), "{}", err.message);
    }

    #[test]
    fn cr_only_line_ends_are_line_ends() {
        let bytes = b"Export stages\r\rnaam,niveau\rHanze,HBO\r\"Hogeschool\rUtrecht\",HBO\rUT,WO\r";
        let (d, rows) = open_bytes(bytes, HeaderHint::Names(vec!["naam".into()]));
        assert_eq!((d.header_line, d.line_ends, d.delimiter), (Some(3), "CR", b','));
        assert_eq!(d.preamble, ["Export stages", ""]);
        assert_eq!(d.header, ["naam", "niveau"]);
        let got: Vec<(u64, String)> = rows.iter().map(|(l, c)| (*l, c[0].clone())).collect();
        assert_eq!(got, [(4, "Hanze".into()), (5, "Hogeschool\rUtrecht".into()), (7, "UT".into())]);
    }

    #[test]
    fn the_delimiter_holds_on_multi_line_cells_and_mixed_line_ends() {
        // Under ';' the quoted cells fall apart into many lines of three
        // cells; under ',' every record has two.
        let mut text = String::from("naam,omschrijving\r\n");
        for (i, end) in ["\r\n", "\n", "\r"].iter().cycle().take(9).enumerate() {
            text.push_str(&format!("P{i},\"een; twee; drie{end}vier; vijf; zes{end}zeven; acht; negen\"{end}"));
        }
        assert_eq!(sniff_delimiter(&text), b',');
        let (d, rows) = open_bytes(text.as_bytes(), HeaderHint::First);
        assert_eq!((d.delimiter, d.line_ends), (b',', "mixed"));
        assert_eq!(rows.len(), 9);
        assert_eq!(rows.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 5, 8, 11, 14, 17, 20, 23, 26]);
    }

    fn big5_names() -> String {
        let mut text = String::from("名稱,城市,類型\n");
        let names = ["國立臺灣大學", "國立清華大學", "國立成功大學", "國立交通大學", "國立政治大學", "臺北醫學大學"];
        let cities = ["臺北市", "新竹市", "臺南市", "高雄市", "臺中市"];
        for i in 0..60 {
            text.push_str(&format!("{},{},大學\n", names[i % names.len()], cities[i % cities.len()]));
        }
        text
    }

    #[test]
    fn big5_is_read_as_big5_and_said_so() {
        let text = big5_names();
        let bytes = encoding_rs::BIG5.encode(&text).0.into_owned();
        let (d, rows) = open_bytes(&bytes, HeaderHint::First);
        assert_eq!((d.encoding, d.guessed), (Some(Encoding::Other(encoding_rs::BIG5)), true));
        assert!(d.describe().starts_with("Big5 (told by the text; --encoding overrides)"), "{}", d.describe());
        assert_eq!(d.header, ["名稱", "城市", "類型"]);
        assert_eq!(rows[0].1, ["國立臺灣大學", "臺北市", "大學"]);
        assert_eq!(Encoding::parse("big5").unwrap(), Encoding::Other(encoding_rs::BIG5));
        assert_eq!(Encoding::parse("latin1").unwrap(), Encoding::Windows1252);
        assert!(Encoding::parse("klingon").unwrap_err().message.contains("WHATWG encoding label"));
    }

    #[test]
    fn big5_after_64_kb_of_ascii_is_refused_naming_it() {
        let mut bytes = b"name,city\n".to_vec();
        while bytes.len() < SAMPLE_BYTES + 100 {
            bytes.extend_from_slice(b"Plain name,Plain city\n");
        }
        let ascii_lines = bytes.iter().filter(|b| **b == b'\n').count() as u64;
        bytes.extend_from_slice(&encoding_rs::BIG5.encode(&big5_names()).0);
        let (_, mut rows) =
            open(Box::new(io::Cursor::new(bytes)), "t.csv", &Settings::sniff(HeaderHint::First)).unwrap();
        let err = loop {
            match rows.next_row() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("read to the end"),
                Err(e) => break e,
            }
        };
        assert!(err.fatal && err.invalid_data);
        assert_eq!(err.line, ascii_lines + 1);
        assert!(
            err.message.contains("most likely as Big5") && err.message.contains("--encoding big5"),
            "{}",
            err.message
        );
    }

    #[test]
    fn keeps_codes_and_quoted_newlines() {
        let (_, rows) = open_bytes(b"code,text\n00123,\"two\nlines\"\n", HeaderHint::First);
        assert_eq!(rows, [(2, vec!["00123".into(), "two\nlines".into()])]);
    }
}
