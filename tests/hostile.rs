//! Hostile input on the command line: SQL in names, quotes, emoji, control
//! characters, values far too long, registries that cannot be written, a
//! `--db` that is a directory. Each is stored literally or refused with
//! the exact message and the registry left as it was; nothing panics.
//!
//! Hostile files (CSV and mapping files) and output paths: tests/hostile_import.rs.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

const NAMES: &[&str] = &[
    "'; DROP TABLE partner; --",
    "Robert'); DROP TABLE assignment;--",
    "O'Brien & \"Zonen\"; Holding",
    "Hogeschool 🎓 Utrecht 🇳🇱",
    r"back\slash %s {} $HOME <b>bold</b> | pipe-free",
    "Ëlïte – Zeeuwse Universiteit (ZU)",
    "עברית and العربية: right-to-left letters, no override",
];

#[test]
fn names_holding_sql_quotes_and_emoji_are_stored_and_shown_literally() {
    let registry = Reg::demo_in_use();
    let before = registry.count("SELECT count(*) FROM partner");
    for name in NAMES {
        let output = registry.ipart(&["partner", "add", name, "--sector", "other"]).output().unwrap();
        assert!(output.status.success(), "{name}: {}", stderr_of(&output));
        let id = stdout_of(&output).trim().to_string();

        let shown = json(registry.ipart(&["partner", "show", &id, "--format", "json"]));
        assert_eq!(shown["name"], *name);
        let csv = registry.ipart(&["partner", "show", name, "--format", "csv"]).output().unwrap();
        assert!(csv.status.success(), "{name}: {}", stderr_of(&csv));
        let mut reader = csv::Reader::from_reader(&csv.stdout[..]);
        let headers = reader.headers().unwrap().clone();
        let row = reader.records().next().unwrap().unwrap();
        let column = headers.iter().position(|h| h == "name").unwrap();
        assert_eq!(&row[column], *name);
        let table = registry.ipart(&["partner", "show", &id]).output().unwrap();
        assert!(stdout_of(&table).contains(name), "{name}");
    }
    let listed = json(registry.ipart(&["partner", "list", "--format", "json"]));
    for name in NAMES {
        assert!(listed.as_array().unwrap().iter().any(|p| p["name"] == *name), "{name} not listed");
    }
    assert_eq!(registry.count("SELECT count(*) FROM partner"), before + NAMES.len() as i64);
    for table in ["partner", "assignment"] {
        assert_eq!(registry.count(&format!("SELECT count(*) FROM sqlite_schema WHERE name = '{table}'")), 1);
    }
    registry.ipart(&["db", "check"]).assert().success();
}

#[test]
fn titles_and_free_text_keep_quotes_semicolons_and_line_breaks() {
    let registry = Reg::demo_in_use();
    let title = "Data\"kwaliteit\"; '; DELETE FROM assignment; -- 📊";
    let args = add_assignment(title);
    let output = registry.ipart(&args.iter().map(String::as_str).collect::<Vec<_>>()).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let id = stdout_of(&output).trim().to_string();
    assert_eq!(json(registry.ipart(&["assignment", "show", &id, "--format", "json"]))["title"], title);
    let text = "Hoe archiveren we chats?\nEn wat doen we met \"bijlagen\"; of met emoji 🙂?";
    let output =
        registry.ipart(&["question", "add", text, "--theme", "IHH", "--asked-on", "2023-09-13"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let id = stdout_of(&output).trim().to_string();
    assert_eq!(json(registry.ipart(&["question", "show", &id, "--format", "json"]))["text"], text);
    registry.ipart(&["db", "check"]).assert().success();
}

/// Runs a command that must be refused, and checks the registry file did
/// not change.
fn refused(registry: &Reg, args: &[&str]) -> Output {
    let before = snapshot(&registry.path);
    let changes = registry.count("SELECT count(*) FROM change");
    let output = registry.ipart(args).output().unwrap();
    assert_eq!(registry.count("SELECT count(*) FROM change"), changes, "{}", stderr_of(&output));
    assert_eq!(snapshot(&registry.path), before, "the registry file changed");
    assert!(!stderr_of(&output).contains("panicked"));
    output
}

#[test]
fn a_nul_byte_cannot_be_passed_and_other_control_characters_are_refused() {
    let registry = Reg::demo_in_use();
    // The operating system passes arguments as C strings: a NUL byte cannot
    // reach ipart this way at all (files are checked the same way as below).
    let spawn = std::process::Command::new(assert_cmd::cargo::cargo_bin("ipart")).arg("DUO\0evil").output();
    assert_eq!(spawn.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);

    let output = refused(&registry, &["partner", "add", "DUO\u{1}X", "--sector", "other"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        stderr_of(&output),
        format!("ipart: --name: contains U+0001 START OF HEADING at character 4; {ONE_LINE}\nnothing was changed\n")
    );
    let output = refused(&registry, &["partner", "edit", "DUO", "--short-name", "D\u{1b}[31mUO"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr_of(&output).starts_with("ipart: --short-name: contains U+001B ESCAPE at character 2;"));
}

/// Why a name, title or code refuses a character.
const ONE_LINE: &str =
    "a name, title or code is one line of visible text, without control or invisible formatting characters";

/// Why free text refuses a character.
const FREE_TEXT: &str =
    "free text may hold tabs and line breaks, but no other control or invisible formatting characters";

#[test]
fn bidirectional_overrides_invisible_characters_and_bare_returns_are_refused_by_name() {
    let registry = Reg::demo_in_use();
    // (argument, flag, what the message names)
    let cases: &[(&[&str], &str)] = &[
        (
            &["partner", "add", "abc\u{202E}fdp.exe", "--sector", "other"],
            "--name: contains U+202E RIGHT-TO-LEFT OVERRIDE at character 4",
        ),
        (
            &["partner", "add", "visible\rHIDDEN", "--sector", "other"],
            "--name: contains U+000D CARRIAGE RETURN at character 8",
        ),
        (
            &["partner", "add", "Tab\tseparated", "--sector", "other"],
            "--name: contains U+0009 CHARACTER TABULATION at character 4",
        ),
        (&["partner", "add", "two\nlines", "--sector", "other"], "--name: contains U+000A LINE FEED at character 4"),
        (
            &["partner", "add", "zero\u{200B}width", "--sector", "other"],
            "--name: contains U+200B ZERO WIDTH SPACE at character 5",
        ),
        (
            &["partner", "add", "bidi\u{2067}isolate", "--sector", "other"],
            "--name: contains U+2067 RIGHT-TO-LEFT ISOLATE at character 5",
        ),
        (
            &["partner", "add", "\u{FEFF}DUO2", "--sector", "other"],
            "--name: contains U+FEFF ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK) at character 1",
        ),
        (
            &["partner", "add", "Para\u{2029}graph", "--sector", "other"],
            "--name: contains U+2029 PARAGRAPH SEPARATOR at character 5",
        ),
        (
            &["partner", "add", "Nieuw", "--sector", "other", "--alias", "N\u{200F}W"],
            "--alias: contains U+200F RIGHT-TO-LEFT MARK at character 2",
        ),
        (
            &["partner", "edit", "DUO", "--short-name", "D\u{85}UO"],
            "--short-name: contains U+0085 NEXT LINE at character 2",
        ),
    ];
    for (args, expected) in cases {
        let output = refused(&registry, args);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {}", stderr_of(&output));
        assert_eq!(stderr_of(&output), format!("ipart: {expected}; {ONE_LINE}\nnothing was changed\n"), "{args:?}");
    }
    // A title of an assignment, typed.
    let args = add_assignment("Rapport\u{202E}fdp.exe");
    let output = refused(&registry, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr_of(&output).starts_with("ipart: --title: contains U+202E RIGHT-TO-LEFT OVERRIDE at character 8;"),
        "{}",
        stderr_of(&output)
    );
    // Free text keeps its lines, but not a bare return or an override.
    let output = refused(&registry, &["lab", "add", "Lab X", "--description", "zichtbaar\rverborgen"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: --description: contains U+000D CARRIAGE RETURN at character 10 without a line feed after it; \
             {FREE_TEXT}\nnothing was changed\n"
        )
    );
    let output = refused(&registry, &["lab", "add", "Lab X", "--description", "regel\u{202E}"]);
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: --description: contains U+202E RIGHT-TO-LEFT OVERRIDE at character 6; {FREE_TEXT}\nnothing was changed\n"
        )
    );
    // Tabs and line breaks in free text are kept; CR LF is kept as LF.
    let id = registry.ok(&["lab", "add", "Lab X", "--description", "regel 1\r\nregel 2\n\tingesprongen"]);
    let shown = registry.json(&["lab", "show", id.trim()]);
    assert_eq!(shown["description"], "regel 1\nregel 2\n\tingesprongen");
}

#[test]
fn a_field_beyond_its_limit_is_refused_quickly_with_the_limit() {
    let registry = Reg::demo_in_use();
    let name = "x".repeat(ipart::domain::limits::MAX_NAME_CHARS + 1);
    let output = refused(&registry, &["partner", "add", &name, "--sector", "other"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        stderr_of(&output),
        "ipart: --name: is 501 characters long; at most 500 are accepted\nnothing was changed\n"
    );
    // As long as the operating system lets one argument be (128 KiB on
    // Linux), answered at once and without echoing it back.
    let huge = "é".repeat(60_000);
    let started = std::time::Instant::now();
    let output = refused(&registry, &["lab", "add", "Lab", "--description", &huge]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        stderr_of(&output),
        "ipart: --description: is 60000 characters long; at most 10000 are accepted\nnothing was changed\n"
    );
    // A 10 MB field cannot be an argument at all (the import path refuses it
    // in native::build, tested there).
    let ten_mb = "x".repeat(10 * 1024 * 1024);
    let spawn = std::process::Command::new(assert_cmd::cargo::cargo_bin("ipart")).arg(&ten_mb).output();
    assert!(spawn.is_err(), "the system passed a 10 MB argument");
}

#[test]
fn long_references_are_answered_briefly() {
    let registry = Reg::demo_in_use();
    let long = "Hogeschool ".repeat(10_000);
    let output = refused(&registry, &["partner", "show", &long]);
    assert_eq!(output.status.code(), Some(6));
    let stderr = stderr_of(&output);
    assert!(stderr.len() < 300, "{stderr}");
    assert!(stderr.contains("(110000 characters)"), "{stderr}");
    let id = registry.count("SELECT min(id) FROM assignment").to_string();
    let output = refused(&registry, &["assignment", "status", &id, &long]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr_of(&output).len() < 400, "{}", stderr_of(&output));
}

#[test]
fn a_db_path_that_is_a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    for args in [&["partner", "list"][..], &["partner", "add", "X", "--sector", "other"], &["db", "check"]] {
        let output = ipart_on(path, args).output().unwrap();
        assert_eq!(output.status.code(), Some(4));
        assert_eq!(stderr_of(&output), format!("ipart: {} is a directory, not a registry file\n", path.display()));
    }
    let output = ipart_on(path, &["init"]).output().unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: {} is a directory; give the path of the registry file to create (such as {})\n",
            path.display(),
            path.join("registry.sqlite").display()
        )
    );
    assert!(files_in(path).is_empty());
}

// Permissions. Root may write whatever the permission bits say, so these
// tests run ipart as the unprivileged user `nobody` (setpriv) when the
// tests run as root, as they do in CI, and as the user running them
// otherwise. Without setpriv, as root, they are skipped with a message.

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0
}

/// A demo registry in a directory the unprivileged user owns.
fn unprivileged_registry() -> Option<Reg> {
    let registry = Reg::demo_in_use();
    if is_root() {
        if std::process::Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("skipped: running as root without setpriv, so permission bits cannot be tested");
            return None;
        }
        for path in [registry.dir.path(), registry.path.as_path()] {
            std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
        }
    }
    Some(registry)
}

/// Runs ipart as the unprivileged user on `registry`.
fn as_user(registry: &Reg, args: &[&str]) -> Output {
    as_user_on(&registry.path, args)
}

fn as_user_on(db: &Path, args: &[&str]) -> Output {
    let ipart = assert_cmd::cargo::cargo_bin("ipart");
    let mut cmd = if is_root() {
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(ipart);
        cmd
    } else {
        std::process::Command::new(ipart)
    };
    cmd.env("IPART_TODAY", TODAY).env("NO_COLOR", "1").arg("--db").arg(db).args(args);
    cmd.output().unwrap()
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn read_only_message(registry: &Reg) -> String {
    format!(
        "ipart: registry {} is read-only (check the permissions of the file and its directory); nothing was changed\n",
        registry.path.display()
    )
}

#[test]
fn a_read_only_registry_file_is_read_but_not_written() {
    let Some(registry) = unprivileged_registry() else { return };
    chmod(&registry.path, 0o400);
    let before = snapshot(&registry.path);
    let output = as_user(&registry, &["partner", "show", "DUO", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let output = as_user(&registry, &["partner", "add", "X", "--sector", "other"]);
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(stderr_of(&output), read_only_message(&registry));
    let output = as_user(&registry, &["db", "vacuum"]);
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(stderr_of(&output), read_only_message(&registry));
    assert_eq!(snapshot(&registry.path), before);
    chmod(&registry.path, 0o600);
}

#[test]
fn a_registry_in_a_read_only_directory_is_read_but_not_written() {
    let Some(registry) = unprivileged_registry() else { return };
    chmod(registry.dir.path(), 0o500);
    let before = snapshot(&registry.path);
    let output = as_user(&registry, &["partner", "show", "DUO", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let output = as_user(&registry, &["db", "check"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let output = as_user(&registry, &["partner", "add", "X", "--sector", "other"]);
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(stderr_of(&output), read_only_message(&registry));
    let target = registry.dir.path().join("backup.sqlite");
    let output = as_user(&registry, &["db", "backup", target.to_str().unwrap()]);
    // As for every output file: a place that cannot be written is the caller's to change.
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        format!("ipart: cannot write {}: Permission denied (os error 13)\n", target.display())
    );
    let fresh = registry.dir.path().join("new.sqlite");
    let output = as_user_on(&fresh, &["init"]);
    assert_eq!(output.status.code(), Some(4));
    assert!(stderr_of(&output).contains("Permission denied"), "{}", stderr_of(&output));
    assert_eq!(snapshot(&registry.path), before);
    assert_eq!(registry.files(), ["registry.sqlite"]);
    chmod(registry.dir.path(), 0o700);
}
