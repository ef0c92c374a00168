//! What the fuzz targets run on each input, and what they check. Shared
//! word for word by the AFL targets (`fuzz/src/bin/`) and by the replay test
//! `tests/fuzz_corpus.rs`, which `#[path]`-includes this file: a crash the
//! fuzzer found fails `cargo test` until it is fixed.
//!
//! Both checks panic on a broken invariant; AFL counts a panic as a crash.

use std::path::{Path, PathBuf};

use ipart::domain::Date;
use ipart::import::input::Encoding;
use ipart::import::mapping::{Mapping, native_fields};
use ipart::import::{self, Request, Silent};
use ipart::native::Kind;
use ipart::store::Registry;

/// The name mapping files and CSV files go by in messages.
pub const MAPPING_NAME: &str = "fuzz.toml";
pub const CSV_NAME: &str = "fuzz.csv";

/// Between the mapping text and the CSV bytes when an input brings its own
/// mapping.
pub const MAPPING_END: &[u8] = b"\n%%\n";

/// The mapping fixtures, with the kind of record each maps.
pub const FIXTURE_MAPPINGS: [(&str, Kind, &str); 4] = [
    ("osiris.toml", Kind::Assignment, include_str!("../../fixtures/import/hanze-osiris/osiris.toml")),
    ("duo-instellingen.toml", Kind::Partner, include_str!("../../fixtures/import/duo/duo-instellingen.toml")),
    ("agentschappen.toml", Kind::Partner, include_str!("../../fixtures/import/rijksoverheid/agentschappen.toml")),
    (
        "rijksstageportaal.toml",
        Kind::Assignment,
        include_str!("../../fixtures/import/rijksstageportaal/rijksstageportaal.toml"),
    ),
];

const ENCODINGS: [Encoding; 5] =
    [Encoding::Utf8, Encoding::Utf8Bom, Encoding::Windows1252, Encoding::Utf16Le, Encoding::Utf16Be];
const DELIMITERS: [u8; 4] = [b',', b';', b'|', b'\t'];

/// What the first three bytes of an import input ask for; the rest is the
/// file (preceded, for an inline mapping, by its text and [`MAPPING_END`]).
///
/// - byte 0: the kind of record, modulo 11 (a fixture mapping sets its own);
/// - byte 1: bit 0 `--skip-invalid`, bit 1 `--dry-run`, bit 2
///   `--create-missing-partners`, bit 3 an empty registry instead of the
///   demo one, bits 4-6 the mapping: 0 none (a native file), 1-4 a fixture
///   mapping, 5-7 the input's own;
/// - byte 2: bits 0-2 `--encoding` (1-5, else sniffed), bits 3-5
///   `--delimiter` (1-4, else sniffed), bit 6 `--no-header`.
#[derive(Debug)]
pub struct ImportCase<'a> {
    pub kind: Kind,
    pub skip_invalid: bool,
    pub dry_run: bool,
    pub create_missing_partners: bool,
    pub empty_registry: bool,
    pub mapping: MappingChoice<'a>,
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    pub no_header: bool,
    pub csv: &'a [u8],
}

#[derive(Debug)]
pub enum MappingChoice<'a> {
    Native,
    Fixture(usize),
    Inline(&'a [u8]),
}

impl<'a> ImportCase<'a> {
    /// `None` for an input too short to say what it asks for.
    pub fn decode(data: &'a [u8]) -> Option<ImportCase<'a>> {
        let [kind, flags, reading, rest @ ..] = data else { return None };
        let (mapping, csv) = match (flags >> 4) & 7 {
            0 => (MappingChoice::Native, rest),
            n @ 1..=4 => (MappingChoice::Fixture(usize::from(n - 1)), rest),
            _ => match rest.windows(MAPPING_END.len()).position(|w| w == MAPPING_END) {
                Some(at) => (MappingChoice::Inline(&rest[..at]), &rest[at + MAPPING_END.len()..]),
                None => (MappingChoice::Inline(rest), &[][..]),
            },
        };
        let kind = match mapping {
            MappingChoice::Fixture(i) => FIXTURE_MAPPINGS[i].1,
            _ => Kind::ALL[usize::from(*kind) % Kind::ALL.len()],
        };
        let pick = |index: u8, len: usize| (1..=len).contains(&usize::from(index)).then(|| usize::from(index) - 1);
        Some(ImportCase {
            kind,
            skip_invalid: flags & 1 != 0,
            dry_run: flags & 2 != 0,
            create_missing_partners: flags & 4 != 0,
            empty_registry: flags & 8 != 0,
            mapping,
            encoding: pick(reading & 7, ENCODINGS.len()).map(|i| ENCODINGS[i]),
            delimiter: pick((reading >> 3) & 7, DELIMITERS.len()).map(|i| DELIMITERS[i]),
            no_header: reading & 0x40 != 0,
            csv,
        })
    }
}

/// A registry file to import into, restored from a template before each
/// input, and what the template holds.
struct Template {
    file: PathBuf,
    /// The file's bytes: a registry closed with the very same bytes is
    /// unchanged, which is quicker to see than a dump.
    bytes: Vec<u8>,
    dump: String,
}

/// Imports fuzz inputs into copies of a demo and of an empty registry, in a
/// temporary directory of its own.
pub struct ImportHarness {
    dir: tempfile::TempDir,
    demo: Template,
    empty: Template,
}

impl ImportHarness {
    pub fn new() -> ImportHarness {
        let dir = tempfile::Builder::new().prefix("ipart-fuzz").tempdir().expect("a temporary directory");
        let make = |name: &str, demo: bool| {
            let file = dir.path().join(name);
            let mut registry = Registry::create(&file).expect("a new registry");
            if demo {
                ipart::demo::load(&mut registry).expect("the demo data loads");
            }
            let dump = dump(registry.conn());
            // Closing folds the WAL into the file (and removes it): the file
            // alone is then the whole registry, in WAL mode as `ipart`
            // leaves it, so opening a copy changes none of its bytes.
            drop(registry);
            assert!(!wal_holds_frames(&file), "the template's WAL was not folded into it");
            let bytes = std::fs::read(&file).expect("the template's bytes");
            Template { file, bytes, dump }
        };
        let demo = make("demo.sqlite", true);
        let empty = make("empty.sqlite", false);
        ImportHarness { dir, demo, empty }
    }

    /// Runs one input through `ipart import`'s library path and checks that
    /// nothing panics, that a failed import or a dry run leaves the registry
    /// exactly as it was, and that a successful one that changed records
    /// leaves a registry `ipart db check` passes, with counts that add up.
    pub fn check(&self, data: &[u8]) {
        let Some(case) = ImportCase::decode(data) else { return };
        let mapping = match case.mapping {
            MappingChoice::Native => None,
            MappingChoice::Fixture(i) => {
                let (name, kind, text) = FIXTURE_MAPPINGS[i];
                Some(Mapping::parse(text, name, kind).expect("the fixture mappings parse"))
            }
            // A mapping `ipart import` would refuse before reading the file.
            MappingChoice::Inline(text) => match Mapping::parse_bytes(text, MAPPING_NAME, case.kind) {
                Ok(m) => Some(m),
                Err(_) => return,
            },
        };
        let template = if case.empty_registry { &self.empty } else { &self.demo };
        let file = self.dir.path().join("work.sqlite");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        std::fs::copy(&template.file, &file).expect("a copy of the template");

        // As `ipart import` does it (src/cmd/import.rs), with the reject
        // file in memory.
        let (mut registry, _) = Registry::open(&file).expect("the copy opens");
        ipart::store::batch::tune_for_bulk(registry.conn()).expect("bulk settings");
        let mut request = Request::native(case.kind, CSV_NAME, Date::new(2024, 1, 15).expect("a date"));
        request.mapping = mapping;
        request.encoding = case.encoding;
        request.delimiter = case.delimiter;
        request.no_header = case.no_header;
        request.options.skip_invalid = case.skip_invalid;
        request.options.dry_run = case.dry_run;
        request.options.create_missing_partners = case.create_missing_partners;
        let mut rejects = Vec::new();
        let input = Box::new(std::io::Cursor::new(case.csv.to_vec()));
        let run = |w: &ipart::store::Writer| {
            let reject: Option<&mut dyn std::io::Write> = if case.skip_invalid { Some(&mut rejects) } else { None };
            import::run(w, input, &request, reject, &mut Silent)
        };
        let result = if case.dry_run { registry.rehearse("fuzz", run) } else { registry.write("fuzz", run) };
        match result {
            Ok(outcome) => {
                let c = outcome.counts;
                assert_eq!(c.added + c.updated + c.unchanged + c.rejected, c.rows, "the counts do not add up: {c:?}");
                if case.dry_run {
                    self.assert_unchanged(registry, &file, template, "a dry run wrote to the registry");
                } else if c.added + c.updated > 0 || !outcome.created_partners.is_empty() {
                    // Only when records changed: the check takes longer than
                    // most imports, and a batch row alone breaks no rule.
                    let report = ipart::store::check::run(registry.conn()).expect("db check runs");
                    let problems: Vec<_> = report.checks.iter().flat_map(|c| &c.problems).take(3).collect();
                    let count = report.problem_count();
                    assert!(count == 0, "a successful import left a registry db check refuses ({count}): {problems:?}");
                }
            }
            Err(_) => self.assert_unchanged(registry, &file, template, "a failed import left something behind"),
        }
    }

    /// Where the harness keeps its registries.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A copy of the demo registry's file at `target`.
    pub fn copy_demo(&self, target: &Path) {
        std::fs::copy(&self.demo.file, target).expect("a copy of the demo registry");
    }

    /// Whether the registry file at `file` (closed) holds exactly what the
    /// demo registry does.
    pub fn same_as_demo(&self, file: &Path) -> bool {
        same(file, &self.demo)
    }

    fn assert_unchanged(&self, registry: Registry, file: &Path, template: &Template, what: &str) {
        drop(registry);
        if !same(file, template) {
            let conn = rusqlite::Connection::open(file).expect("the registry opens");
            let now = dump(&conn);
            let first = now.lines().zip(template.dump.lines()).position(|(a, b)| a != b);
            panic!("{what} (first difference at dump line {first:?})");
        }
    }
}

/// Whether the closed registry at `file` holds what `template` does: the
/// same bytes and no WAL frames beside them, or else the same dump.
fn same(file: &Path, template: &Template) -> bool {
    if !wal_holds_frames(file) && std::fs::read(file).is_ok_and(|bytes| bytes == template.bytes) {
        return true;
    }
    let conn = rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("the registry opens");
    dump(&conn) == template.dump
}

/// Whether a WAL file beside `file` holds anything (SQLite removes it when
/// the last connection closes, after folding it into the file).
fn wal_holds_frames(file: &Path) -> bool {
    std::fs::metadata(format!("{}-wal", file.display())).is_ok_and(|m| m.len() > 0)
}

impl Default for ImportHarness {
    fn default() -> Self {
        ImportHarness::new()
    }
}

/// Every row of every table, in a stable order: what "unchanged" means.
pub fn dump(conn: &rusqlite::Connection) -> String {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("the table names");
    let mut out = String::new();
    for table in tables {
        out.push_str(&format!("# {table}\n"));
        // Ordered by every column, so that tables WITHOUT ROWID (status
        // histories, student pseudonyms) are dumped in a stable order too.
        let n = conn.prepare(&format!("SELECT * FROM \"{table}\"")).expect("a table query").column_count();
        let order = (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY {order}")).expect("a table query");
        let mut rows = stmt.query([]).expect("the rows");
        while let Some(row) = rows.next().expect("a row") {
            for i in 0..n {
                let value: rusqlite::types::Value = row.get(i).expect("a value");
                out.push_str(&format!("{value:?}|"));
            }
            out.push('\n');
        }
    }
    out
}

/// Parses arbitrary bytes as a mapping file for every kind of record and
/// checks that nothing panics and that every refusal names the line and
/// column it is about (`fuzz.toml:LINE:COLUMN: ...`), both inside the file.
pub fn check_mapping(data: &[u8]) {
    for kind in Kind::ALL {
        match Mapping::parse_bytes(data, MAPPING_NAME, kind) {
            Ok(mapping) => {
                let known = native_fields(kind);
                for field in mapping.fields.iter().map(|f| f.field).chain(mapping.constants.iter().map(|c| c.0)) {
                    assert!(known.contains(&field), "{field} is not a field of {} records", kind.name());
                }
                // The date formats read dates without panicking, whatever
                // their separators.
                for format in &mapping.date_formats {
                    for value in [format.text.as_str(), "01-09-2023", "2023-09-01 00:00", "1/9/23", "é"] {
                        let _ = format.read(value);
                    }
                }
            }
            Err(e) => assert_located(data, &e.message),
        }
    }
}

/// Asserts `message` starts with `fuzz.toml:LINE:COLUMN: ` and that the
/// place is inside `data` (a column one past a line's end is where a missing
/// token was expected).
pub fn assert_located(data: &[u8], message: &str) {
    let place = message
        .strip_prefix(MAPPING_NAME)
        .and_then(|m| m.strip_prefix(':'))
        .and_then(|m| m.split_once(": "))
        .map(|(place, _)| place);
    let parsed = place.and_then(|p| p.split_once(':')).and_then(|(l, c)| Some((l.parse().ok()?, c.parse().ok()?)));
    let Some((line, column)): Option<(usize, usize)> = parsed else {
        panic!("a mapping error without its line and column: {message:?}");
    };
    let text = String::from_utf8_lossy(data);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines: Vec<&str> = text.split('\n').collect();
    assert!((1..=lines.len()).contains(&line), "line {line} of a {}-line file: {message:?}", lines.len());
    let width = lines[line - 1].chars().count();
    assert!((1..=width + 1).contains(&column), "column {column} of a {width}-character line: {message:?}");
}
