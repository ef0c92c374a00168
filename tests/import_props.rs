//! Property tests: arbitrary bytes and arbitrary CSV fed to the importer
//! never make it panic, and a failed import leaves the registry exactly as
//! it was (no partial import).

mod common;

use std::io::Cursor;
use std::sync::{Mutex, OnceLock};

use ipart::domain::Date;
use ipart::import::mapping::Mapping;
use ipart::import::{self, Request, Silent};
use ipart::native::Kind;
use ipart::store::Registry;
use proptest::prelude::*;

/// Every row of every table, in order: what "unchanged" means.
fn fingerprint(registry: &Registry) -> String {
    common::dump_connection(registry.conn())
}

/// One demo registry per test, kept across its cases: a failed case leaves
/// it as it was (that is the property), a successful one may add to it.
fn with_demo(cell: &'static OnceLock<Mutex<Registry>>, f: impl FnOnce(&mut Registry)) {
    let registry = cell.get_or_init(|| {
        let mut registry = Registry::create_in_memory().unwrap();
        ipart::demo::load(&mut registry).unwrap();
        Mutex::new(registry)
    });
    let mut guard = registry.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut guard);
}

static BYTES: OnceLock<Mutex<Registry>> = OnceLock::new();
static CSV: OnceLock<Mutex<Registry>> = OnceLock::new();
static LAYOUT: OnceLock<Mutex<Registry>> = OnceLock::new();

fn osiris_mapping() -> Mapping {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/import/hanze-osiris/osiris.toml");
    Mapping::load(std::path::Path::new(path), Kind::Assignment).unwrap()
}

/// Imports `bytes` and checks the properties.
fn check(registry: &mut Registry, kind: Kind, bytes: Vec<u8>, mapped: bool, skip_invalid: bool, dry_run: bool) {
    let before = fingerprint(registry);
    let mut request = Request::native(kind, "prop.csv", Date::new(2024, 1, 15).unwrap());
    if mapped {
        request.kind = Kind::Assignment;
        request.mapping = Some(osiris_mapping());
    }
    request.options.skip_invalid = skip_invalid;
    request.options.dry_run = dry_run;
    let mut rejects = Vec::new();
    let run = |w: &ipart::store::Writer| {
        let reject: Option<&mut dyn std::io::Write> = if skip_invalid { Some(&mut rejects) } else { None };
        import::run(w, Box::new(Cursor::new(bytes)), &request, reject, &mut Silent)
    };
    let result = if dry_run { registry.rehearse("prop", run) } else { registry.write("prop", run) };
    match result {
        Ok(outcome) => {
            let c = outcome.counts;
            assert_eq!(c.added + c.updated + c.unchanged + c.rejected, c.rows, "{c:?}");
            if dry_run {
                assert_eq!(fingerprint(registry), before, "a dry run wrote something");
            }
        }
        Err(_) => assert_eq!(fingerprint(registry), before, "a failed import left something behind"),
    }
}

fn kinds() -> impl Strategy<Value = Kind> {
    proptest::sample::select(Kind::ALL.to_vec())
}

/// Cells that are sometimes valid, sometimes nearly, sometimes hostile.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        proptest::sample::select(vec![
            "HBO",
            "WO",
            "MBO",
            "HBOO",
            "stage",
            "graduation",
            "in_progress",
            "Afgerond",
            "data-ai",
            "IHH",
            "DUO",
            "RDW",
            "Hogeschool Utrecht",
            "Hanze Hogeschool",
            "government",
            "education",
            "noord",
            "2023-09-01",
            "01-09-2023",
            "31-02-2023",
            "1/9/2023",
            "2023-01-10=preparation|2023-03-01=in_progress",
            "2023-03-01=x",
            "-3",
            "2",
            "coordinator",
            "IP-2020-001",
            "=1+1",
            "'=x",
            "a;b",
            "\"q\"",
            "line\nbreak",
            "ë",
            "\u{feff}",
            "\0",
        ])
        .prop_map(str::to_string),
        proptest::collection::vec(
            proptest::sample::select(" ~az09éü;,\t\"\r\n'=-|".chars().collect::<Vec<_>>()),
            0..12
        )
        .prop_map(|chars| chars.into_iter().collect()),
    ]
}

fn header() -> impl Strategy<Value = Vec<String>> {
    let names: Vec<&'static str> =
        Kind::ALL.iter().flat_map(|k| k.columns().iter().copied()).chain(["status", "junk", ""]).collect();
    proptest::collection::vec(proptest::sample::select(names).prop_map(str::to_string), 1..8)
}

fn csv_text() -> impl Strategy<Value = (Vec<String>, Vec<Vec<String>>, u8, bool)> {
    (
        header(),
        proptest::collection::vec(proptest::collection::vec(cell(), 0..9), 0..12),
        proptest::sample::select(vec![b',', b';', b'\t']),
        any::<bool>(),
    )
}

fn write_csv(header: &[String], rows: &[Vec<String>], delimiter: u8, crlf: bool) -> Vec<u8> {
    let terminator = if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
    let mut w =
        csv::WriterBuilder::new().delimiter(delimiter).terminator(terminator).flexible(true).from_writer(Vec::new());
    w.write_record(header).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.into_inner().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_nor_leave_a_partial_import(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        kind in kinds(),
        mapped: bool,
        skip_invalid: bool,
        dry_run: bool,
    ) {
        with_demo(&BYTES, |registry| check(registry, kind, bytes, mapped, skip_invalid, dry_run));
    }

    #[test]
    fn arbitrary_csv_never_panics_nor_leaves_a_partial_import(
        (header, rows, delimiter, crlf) in csv_text(),
        kind in kinds(),
        skip_invalid: bool,
        dry_run: bool,
    ) {
        let bytes = write_csv(&header, &rows, delimiter, crlf);
        with_demo(&CSV, |registry| check(registry, kind, bytes, false, skip_invalid, dry_run));
    }

    #[test]
    fn arbitrary_rows_of_a_real_layout_never_panic_nor_leave_a_partial_import(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 12..14), 1..10),
        skip_invalid: bool,
    ) {
        let header: Vec<String> = "Stagenummer;Titel opdracht;Soort;Opleiding;Niveau;Thema;Opdrachtgever;Aantal studenten;Startdatum;Einddatum;Status;Statusdatum"
            .split(';').map(str::to_string).collect();
        let bytes = write_csv(&header, &rows, b';', true);
        with_demo(&LAYOUT, |registry| check(registry, Kind::Assignment, bytes, true, skip_invalid, false));
    }
}
