//! Hostile files given to `ipart import` (and hostile `--output` paths):
//! binary junk, NUL bytes, bad UTF-8, a 10 MB field, a million columns,
//! header-only and empty files, duplicate headers, broken mapping files.
//! Each is refused with the exact message, naming the file and the line
//! (and column) where they apply and what would be accepted, and leaves the
//! registry file byte for byte as it was. Names holding SQL, quotes and
//! emoji come in through a CSV file and are shown literally.

mod common;

use std::process::Output;

use common::*;

/// `ipart --db REGISTRY ARGS` run in the registry's directory, so that
/// messages name files as given.
fn run_in(registry: &Reg, args: &[&str]) -> Output {
    ipart_on(&registry.path, args).current_dir(registry.dir.path()).output().unwrap()
}

/// Writes `bytes` to `file` beside the registry, runs `ipart --quiet ARGS`
/// and checks that it fails with `code`, prints no data, and leaves the
/// registry file (bytes and modification time) and the directory as they
/// were; returns stderr.
fn refused_with(registry: &Reg, file: &str, bytes: &[u8], args: &[&str], code: i32) -> String {
    std::fs::write(registry.dir.path().join(file), bytes).unwrap();
    let before = snapshot(&registry.path);
    let files = registry.files();
    let mut all = vec!["--quiet"];
    all.extend_from_slice(args);
    let output = run_in(registry, &all);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(code), "ipart {args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "ipart {args:?} printed {}", stdout_of(&output));
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(snapshot(&registry.path), before, "ipart {args:?} changed the registry");
    assert_eq!(registry.files(), files, "ipart {args:?} left files behind");
    stderr
}

/// `ipart import partners FILE` with `bytes` as FILE: refused as invalid
/// data (exit 3); returns stderr.
fn import_refused(registry: &Reg, file: &str, bytes: &[u8]) -> String {
    refused_with(registry, file, bytes, &["import", "partners", file], 3)
}

/// The data (heap) limit a hostile file is imported under: a few times what
/// ipart needs for a small file, less than reading a 10 MB field whole takes.
const DATA_LIMIT_KB: u32 = 32 * 1024;

/// `ipart --quiet import partners FILE` with its data segment limited to
/// `DATA_LIMIT_KB` (an allocation beyond it aborts the process): refused
/// with exactly `expected`, so memory stays bounded for such a file.
fn refused_in_bounded_memory(registry: &Reg, file: &str, expected: &str) {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -d {DATA_LIMIT_KB} && exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("ipart"))
        .args(["--quiet", "--db"])
        .arg(&registry.path)
        .args(["import", "partners", file])
        .current_dir(registry.dir.path())
        .env("IPART_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{file} in {DATA_LIMIT_KB} KB: {}", stderr_of(&output));
    assert_eq!(stderr_of(&output), expected, "{file} in {DATA_LIMIT_KB} KB");
}

const NOTHING_WRITTEN: &str = "nothing was written: 1 of 1 rows have problems (fix them, or give --skip-invalid to import the others and write the refused rows to a reject file)";

#[test]
fn binary_junk_is_refused_as_not_text() {
    let registry = Reg::demo_in_use();
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00";
    assert_eq!(
        import_refused(&registry, "picture.csv", png),
        "ipart: picture.csv is not a CSV text file: it holds binary data (a NUL byte on line 3, at byte offset 8)\n"
    );
    // Junk without a NUL byte: every other byte value, over and over.
    let junk: Vec<u8> = (1..=255u8).cycle().take(4096).collect();
    let controls = junk.iter().filter(|b| b.is_ascii_control() && !b"\t\n\r\x0c\x1a".contains(b)).count();
    assert_eq!(
        import_refused(&registry, "junk.csv", &junk),
        format!(
            "ipart: junk.csv is not a CSV text file: it holds binary data ({controls} control bytes in its first 4096 bytes, the first, 0x01, on line 1 at byte offset 0)\n"
        )
    );
    // One stray control character is a cell's problem, named by line and column.
    assert_eq!(
        import_refused(&registry, "stray.csv", b"name,sector\nBell\x07 BV,other\n"),
        format!(
            "ipart: stray.csv:2: column \"name\": contains U+0007 BELL at character 5; {ONE_LINE}\n{NOTHING_WRITTEN}\n"
        )
    );
}

/// Why a name, title or code refuses a character.
const ONE_LINE: &str =
    "a name, title or code is one line of visible text, without control or invisible formatting characters";

#[test]
fn bidirectional_overrides_invisible_characters_and_bare_returns_are_refused_with_line_and_column() {
    let registry = Reg::demo_in_use();
    let cases: [(&str, &str, &str); 5] = [
        (
            "bidi.csv",
            "name,sector\nabc\u{202E}fdp.exe,other\n",
            "2: column \"name\": contains U+202E RIGHT-TO-LEFT OVERRIDE at character 4",
        ),
        (
            "cr.csv",
            "name,sector\n\"visible\rHIDDEN\",other\n",
            "2: column \"name\": contains U+000D CARRIAGE RETURN at character 8",
        ),
        (
            "lf.csv",
            "name,sector\nDUO 2,other\n\"two\nlines\",other\n",
            "3: column \"name\": contains U+000A LINE FEED at character 4",
        ),
        (
            "zwsp.csv",
            "sector,name\nother,Zero\u{200B}Width\n",
            "2: column \"name\": contains U+200B ZERO WIDTH SPACE at character 5",
        ),
        (
            "bom.csv",
            "name,sector,aliases\nBOM BV,other,X|\u{FEFF}Y\n",
            "2: column \"aliases\": contains U+FEFF ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK) at character 3",
        ),
    ];
    for (file, text, expected) in cases {
        let rows = text.lines().count() - 1 - usize::from(file == "lf.csv");
        let nothing = NOTHING_WRITTEN.replace("1 of 1 rows", &format!("1 of {rows} rows"));
        assert_eq!(
            import_refused(&registry, file, text.as_bytes()),
            format!("ipart: {file}:{expected}; {ONE_LINE}\n{nothing}\n"),
            "{file}"
        );
    }
    // The title of an assignment, in a foreign file read through a mapping: the file's own column is named.
    let dir = registry.dir.path();
    std::fs::write(
        dir.join("map.toml"),
        "kind = \"assignment\"\nsource = \"sis\"\n[fields]\nexternal_id = \"Nr\"\ntitle = \"Titel\"\n\
         government_partner = \"Opdrachtgever\"\neducation_partner = \"School\"\n\
         [constants]\nkind = \"internship\"\ntheme = \"data-ai\"\nstatus = \"preparation\"\n",
    )
    .unwrap();
    let bytes = "Nr;Titel;Opdrachtgever;School\nA1;Verslag\u{2066}geheim\u{2069};DUO;HU\n".as_bytes();
    let stderr =
        refused_with(&registry, "stages.csv", bytes, &["import", "assignments", "stages.csv", "--map", "map.toml"], 3);
    assert!(
        stderr.starts_with(&format!(
            "ipart: stages.csv:2: column \"Titel\": contains U+2066 LEFT-TO-RIGHT ISOLATE at character 8; {ONE_LINE}\n"
        )),
        "{stderr}"
    );
}

#[test]
fn free_text_in_a_file_keeps_its_lines_but_not_a_bare_return() {
    let registry = Reg::demo_in_use();
    let bytes = b"name,status,description\nLab Z,active,\"zichtbaar\rverborgen\"\n";
    let stderr = refused_with(&registry, "labs.csv", bytes, &["import", "labs", "labs.csv"], 3);
    assert!(
        stderr.starts_with(
            "ipart: labs.csv:2: column \"description\": contains U+000D CARRIAGE RETURN at character 10 without a line feed after it;"
        ),
        "{stderr}"
    );
    std::fs::write(
        registry.dir.path().join("labs.csv"),
        "name,status,description\r\nLab Z,active,\"regel 1\r\nregel 2\tmet tab\"\r\n",
    )
    .unwrap();
    let output = run_in(&registry, &["--quiet", "import", "labs", "labs.csv"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let lab = registry.json(&["lab", "show", "Lab Z"]);
    assert_eq!(lab["description"], "regel 1\nregel 2\tmet tab");
    // The same file again changes nothing: CR LF and LF are one text.
    let output = run_in(&registry, &["import", "labs", "labs.csv"]);
    assert!(stderr_of(&output).contains("1 unchanged"), "{}", stderr_of(&output));
}

#[test]
fn a_nul_byte_is_refused_with_its_line() {
    let registry = Reg::demo_in_use();
    assert_eq!(
        import_refused(&registry, "nul.csv", b"name,sector\nDU\x00O,government\n"),
        "ipart: nul.csv is not a CSV text file: it holds binary data (a NUL byte on line 2, at byte offset 14)\n"
    );
    // Beyond the part that is sniffed, the row with the NUL byte is refused.
    let mut text = String::from("name,sector\n");
    let rows = 5_000;
    for i in 1..rows {
        text.push_str(&format!("Partner {i:05},other\n"));
    }
    assert!(text.len() > 64 * 1024);
    text.push_str("Nul\0 BV,other\n");
    assert_eq!(
        import_refused(&registry, "late-nul.csv", text.as_bytes()),
        format!(
            "ipart: late-nul.csv:{}: column \"name\" holds a NUL byte: this is binary data, not CSV text\nnothing was written: 1 of {rows} rows have problems (fix them, or give --skip-invalid to import the others and write the refused rows to a reject file)\n",
            rows + 1
        )
    );
}

#[test]
fn invalid_utf8_in_a_file_declared_utf8_is_refused_with_line_and_column() {
    let registry = Reg::demo_in_use();
    let latin1 = b"name,sector\nCaf\xe9 Centraal,other\n";
    let expected = format!(
        "ipart: cafe.csv:2: column \"name\" is not valid UTF-8 (the file was read as UTF-8; if it is Windows-1252, say so with --encoding windows-1252)\n{NOTHING_WRITTEN}\n"
    );
    // Declared by a flag...
    std::fs::write(registry.dir.path().join("cafe.csv"), latin1).unwrap();
    assert_eq!(
        refused_with(&registry, "cafe.csv", latin1, &["import", "partners", "cafe.csv", "--encoding", "utf-8"], 3),
        expected
    );
    // ... and by the mapping.
    std::fs::write(
        registry.dir.path().join("utf8.toml"),
        "kind = \"partner\"\n[file]\nencoding = \"utf-8\"\n[fields]\nname = \"name\"\nsector = \"sector\"\n",
    )
    .unwrap();
    assert_eq!(
        refused_with(&registry, "cafe.csv", latin1, &["import", "partners", "cafe.csv", "--map", "utf8.toml"], 3),
        expected
    );
    // Undeclared, the same file is read as Windows-1252.
    let output = run_in(&registry, &["--quiet", "import", "partners", "cafe.csv"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(registry.count("SELECT count(*) FROM partner WHERE name = 'Café Centraal'"), 1);
}

#[test]
fn a_10_mb_field_is_refused_without_reading_it_whole() {
    let registry = Reg::demo_in_use();
    let row_too_long = "a row longer than 1 MB, the most a row may hold (is the delimiter or a quote wrong?)";
    let mut big = b"name,sector\nSmall BV,other\n".to_vec();
    big.extend(std::iter::repeat_n(b'A', 10 << 20));
    big.extend(b",other\n");
    let expected = format!("ipart: big.csv:3: {row_too_long}\n");
    assert_eq!(import_refused(&registry, "big.csv", &big), expected);
    refused_in_bounded_memory(&registry, "big.csv", &expected);
    // Quoted, with line breaks inside: named by the line the row begins on.
    let mut quoted = b"name,sector\n\"".to_vec();
    for _ in 0..100_000 {
        quoted.extend(std::iter::repeat_n(b'B', 99));
        quoted.push(b'\n');
    }
    quoted.extend(b"\",other\n");
    assert_eq!(import_refused(&registry, "quoted.csv", &quoted), format!("ipart: quoted.csv:2: {row_too_long}\n"));
    // A field under the row limit but over the field's is refused by the field's limit.
    let mut long = b"name,sector\n".to_vec();
    long.extend(std::iter::repeat_n(b'C', 600_000));
    long.extend(b",other\n");
    assert_eq!(
        import_refused(&registry, "long.csv", &long),
        format!(
            "ipart: long.csv:2: column \"name\": is 600000 characters long; at most 500 are accepted\n{NOTHING_WRITTEN}\n"
        )
    );
}

#[test]
fn a_row_with_a_million_columns_is_refused() {
    let registry = Reg::demo_in_use();
    let mut wide = b"name,sector\nWide BV,other".to_vec();
    wide.extend(std::iter::repeat_n(b',', 1_000_000));
    wide.push(b'\n');
    let expected = format!(
        "ipart: wide.csv:2: the row has 1,000,002 cells; a row has at most 16,384 (the header has 2)\n{NOTHING_WRITTEN}\n"
    );
    assert_eq!(import_refused(&registry, "wide.csv", &wide), expected);
    refused_in_bounded_memory(&registry, "wide.csv", &expected);
    // A header of a million columns is longer than any row may be.
    let mut header = b"name,sector".to_vec();
    for _ in 0..1_000_000 {
        header.extend(b",x");
    }
    header.extend(b"\nWide BV,other\n");
    let expected = "ipart: wide-header.csv: cannot read the header: a row longer than 1 MB, the most a row may hold (is the delimiter or a quote wrong?)\n";
    assert_eq!(import_refused(&registry, "wide-header.csv", &header), expected);
    refused_in_bounded_memory(&registry, "wide-header.csv", expected);
}

#[test]
fn a_header_only_file_is_refused_unless_allowed_and_an_empty_file_is_refused() {
    let registry = Reg::demo_in_use();
    let header_only = "ipart: header.csv: the file has a header (line 1) and no rows: nothing to import (a failed export?); give --allow-empty to record an import of nothing\n";
    assert_eq!(import_refused(&registry, "header.csv", b"name,sector\n"), header_only);
    assert_eq!(import_refused(&registry, "header.csv", b"name,sector\r\n\r\n,\r\n\r\n"), header_only);
    assert_eq!(import_refused(&registry, "empty.csv", b""), "ipart: empty.csv is empty: there is nothing to import\n");
    assert_eq!(
        import_refused(&registry, "blank.csv", b" \r\n\n\t\n"),
        "ipart: blank.csv is empty: there is nothing to import\n"
    );

    let batches = registry.count("SELECT count(*) FROM import_batch");
    let output = run_in(&registry, &["import", "partners", "header.csv", "--allow-empty"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("0 rows: nothing to do"), "{}", stderr_of(&output));
    assert_eq!(registry.count("SELECT count(*) FROM import_batch"), batches + 1);
}

#[test]
fn two_columns_with_the_same_header_are_refused() {
    let registry = Reg::demo_in_use();
    assert_eq!(
        import_refused(&registry, "twice.csv", b"name,sector,name\nTwice BV,other,Twice NV\n"),
        "ipart: twice.csv: column \"name\" appears twice in the header (columns 1 and 3); a native file has each field once\n"
    );
    // Through a mapping, only a column the mapping reads must be unique.
    std::fs::write(
        registry.dir.path().join("twice.toml"),
        "kind = \"partner\"\n[fields]\nname = \"Naam\"\n[constants]\nsector = \"other\"\n",
    )
    .unwrap();
    let file = b"Naam,Opmerking,Naam\nTwice BV,,Twice NV\n";
    assert_eq!(
        refused_with(&registry, "twice.csv", file, &["import", "partners", "twice.csv", "--map", "twice.toml"], 3),
        "ipart: twice.csv: the mapping twice.toml takes name from column \"Naam\", which appears 2 times in the header (columns 1 and 3); name it by position instead\n"
    );
    let file = b"Naam,Opmerking,Opmerking\nTwice BV,,\n";
    std::fs::write(registry.dir.path().join("ok.csv"), file).unwrap();
    let output = run_in(&registry, &["--quiet", "import", "partners", "ok.csv", "--map", "twice.toml"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
}

#[test]
fn a_mapping_with_an_unknown_key_or_a_syntax_error_is_refused_with_line_and_column() {
    let registry = Reg::demo_in_use();
    std::fs::write(registry.dir.path().join("partners.csv"), "Naam\nMapped BV\n").unwrap();
    let refused = |mapping: &str| {
        let bytes = std::fs::read(registry.dir.path().join("partners.csv")).unwrap();
        std::fs::write(registry.dir.path().join("map.toml"), mapping).unwrap();
        refused_with(&registry, "partners.csv", &bytes, &["import", "partners", "partners.csv", "--map", "map.toml"], 2)
    };
    assert_eq!(
        refused(
            "kind = \"partner\"\n[fields]\nname = \"Naam\"\n[constants]\nsector = \"other\"\n[file]\nheaders = false\n"
        ),
        "ipart: map.toml:7:1: unknown field `headers`, expected one of `encoding`, `delimiter`, `skip_lines`, `header`, `date_format`, `sheet`\n"
    );
    assert_eq!(
        refused("kind = \"partner\"\n[fields]\nname = \"Naam\n[constants]\nsector = \"other\"\n"),
        "ipart: map.toml:3:13: invalid basic string, expected `\"`\n"
    );
    assert_eq!(
        refused("kind = \"partner\"\n[fields\nname = \"Naam\"\n"),
        "ipart: map.toml:2:8: unclosed table, expected `]`\n"
    );
}

/// A directory and a path under a regular file: places no file can be written.
fn unwritable(registry: &Reg) -> Vec<(String, String)> {
    let dir = registry.dir.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    let plain = registry.dir.path().join("plain.txt");
    std::fs::write(&plain, "a file, not a directory").unwrap();
    vec![
        ("out".to_string(), "out is a directory; give a file name".to_string()),
        (
            "plain.txt/report.csv".to_string(),
            "cannot write plain.txt/report.csv: Not a directory (os error 20)".to_string(),
        ),
    ]
}

#[test]
fn an_output_path_that_is_a_directory_or_cannot_be_written_is_refused() {
    let registry = Reg::demo_in_use();
    for (path, message) in unwritable(&registry) {
        let files = registry.files();
        for args in [vec!["export", "partners", "--output", &path], vec!["report", "--year", "2023", "--output", &path]]
        {
            let output = run_in(&registry, &args);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr_of(&output));
            assert_eq!(stderr_of(&output), format!("ipart: {message}\n"), "{args:?}");
            assert!(output.stdout.is_empty());
        }
        assert_eq!(registry.files(), files, "{path}: files left behind");
    }
    // The reject file of an import.
    let file = b"name,sector\nGood BV,other\nBad BV,galaxy\n";
    assert_eq!(
        refused_with(
            &registry,
            "rows.csv",
            file,
            &["import", "partners", "rows.csv", "--skip-invalid", "--reject", "out"],
            2
        ),
        "ipart: the reject file out is a directory; give a file name with --reject FILE\n"
    );
    assert_eq!(
        refused_with(
            &registry,
            "rows.csv",
            file,
            &["import", "partners", "rows.csv", "--skip-invalid", "--reject", "plain.txt/rejected.csv"],
            2
        ),
        "ipart: cannot write plain.txt/rejected.csv: Not a directory (os error 20)\n"
    );
}

/// Runs ipart as the user `nobody` when the tests run as root (permission
/// bits do not stop root), through setpriv; `None` when that cannot be done.
fn unprivileged(args: &[&str], registry: &Reg) -> Option<Output> {
    let ipart = assert_cmd::cargo::cargo_bin("ipart");
    let root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0;
    let mut cmd = if root {
        if std::process::Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("skipped: running as root without setpriv, so permission bits cannot be tested");
            return None;
        }
        for entry in std::fs::read_dir(registry.dir.path()).unwrap() {
            std::os::unix::fs::chown(entry.unwrap().path(), Some(65534), Some(65534)).unwrap();
        }
        std::os::unix::fs::chown(registry.dir.path(), Some(65534), Some(65534)).unwrap();
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(ipart);
        cmd
    } else {
        std::process::Command::new(ipart)
    };
    cmd.env("IPART_TODAY", TODAY).env("NO_COLOR", "1").current_dir(registry.dir.path());
    Some(cmd.arg("--db").arg(&registry.path).args(args).output().unwrap())
}

#[test]
fn an_output_path_in_a_read_only_directory_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let registry = Reg::demo_in_use();
    std::fs::write(registry.dir.path().join("rows.csv"), "name,sector\nGood BV,other\nBad BV,galaxy\n").unwrap();
    let read_only = registry.dir.path().join("read-only");
    std::fs::create_dir(&read_only).unwrap();
    let before = snapshot(&registry.path);
    let checks = [
        (vec!["export", "partners", "--output", "read-only/partners.csv"], "read-only/partners.csv"),
        (vec!["report", "--year", "2023", "--output", "read-only/report.txt"], "read-only/report.txt"),
        (
            vec!["import", "partners", "rows.csv", "--skip-invalid", "--reject", "read-only/rejected.csv"],
            "read-only/rejected.csv",
        ),
    ];
    // Owned by the user running ipart (see `unprivileged`), then made read-only.
    let Some(_) = unprivileged(&["--quiet", "partner", "list"], &registry) else { return };
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o555)).unwrap();
    for (args, path) in checks {
        let output = unprivileged(&args, &registry).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr_of(&output));
        assert_eq!(stderr_of(&output), format!("ipart: cannot write {path}: Permission denied (os error 13)\n"));
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(snapshot(&registry.path), before, "the registry changed");
    assert!(std::fs::read_dir(&read_only).unwrap().next().is_none(), "a file was left in the read-only directory");
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn hostile_names_imported_from_csv_are_stored_and_shown_literally() {
    let registry = Reg::demo_in_use();
    let names = [
        "'; DROP TABLE partner; --",
        "Robert'); DROP TABLE assignment;--",
        "O'Brien & \"Zonen\"; Holding",
        "Hogeschool 🎓 Utrecht 🇳🇱",
        "semi;colon;separated;name",
        "=HYPERLINK(\"http://x\")",
    ];
    let path = registry.dir.path().join("hostile.csv");
    let mut out = csv::Writer::from_path(&path).unwrap();
    out.write_record(["name", "sector"]).unwrap();
    for name in names {
        out.write_record([name, "other"]).unwrap();
    }
    out.flush().unwrap();
    drop(out);
    let output = run_in(&registry, &["--quiet", "import", "partners", "hostile.csv"]);
    assert!(output.status.success(), "{}", stderr_of(&output));

    let listed = json(registry.ipart(&["partner", "list", "--format", "json"]));
    let table = stdout_of(&registry.ipart(&["partner", "list"]).output().unwrap());
    let exported = registry.ipart(&["export", "partners"]).output().unwrap();
    let mut reader = csv::Reader::from_reader(&exported.stdout[..]);
    let column = reader.headers().unwrap().iter().position(|h| h == "name").unwrap();
    let exported: Vec<String> = reader.records().map(|r| r.unwrap()[column].to_string()).collect();
    for name in names {
        assert_eq!(
            registry.count(&format!("SELECT count(*) FROM partner WHERE name = '{}'", name.replace('\'', "''"))),
            1
        );
        assert!(rows(&listed).iter().any(|p| p["name"] == name), "{name} not listed in JSON");
        assert!(table.contains(name), "{name} not in the table");
        assert!(exported.iter().any(|e| e == name), "{name} not exported");
    }
    for table in ["partner", "assignment"] {
        assert_eq!(registry.count(&format!("SELECT count(*) FROM sqlite_schema WHERE name = '{table}'")), 1);
    }
    registry.ipart(&["db", "check"]).assert().success();

    // What was exported imports again as the very same records.
    let again = registry.dir.path().join("again.csv");
    std::fs::write(&again, registry.ipart(&["export", "partners"]).output().unwrap().stdout).unwrap();
    let output = run_in(&registry, &["import", "partners", "again.csv"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("unchanged"), "{}", stderr_of(&output));
    assert!(!stderr_of(&output).contains("added") && !stderr_of(&output).contains("updated"), "{}", stderr_of(&output));
}
