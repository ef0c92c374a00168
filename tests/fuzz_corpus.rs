//! Replays the fuzzing corpus and every crash the fuzzer found
//! (`fuzz/corpus/TARGET/`, `fuzz/crashes/TARGET/`) through the very checks
//! the AFL targets run (`fuzz/src/harness.rs`): no panic, a failed import
//! leaves the registry as it was, a mapping error names its line and column.

#[path = "../fuzz/src/harness.rs"]
mod harness;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// The files of `fuzz/corpus/TARGET` and `fuzz/crashes/TARGET`, sorted.
fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files: Vec<PathBuf> = ["corpus", "crashes"]
        .iter()
        .filter_map(|dir| std::fs::read_dir(root.join(dir).join(target)).ok())
        .flatten()
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file() && path.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

/// Runs `check` on every input of `target`; fails naming each input that
/// broke an invariant.
fn replay(target: &str, check: impl Fn(&[u8])) {
    let files = inputs(target);
    assert!(files.len() >= 10, "fuzz/corpus/{target} holds only {} files", files.len());
    let failed: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).expect("a corpus file");
            catch_unwind(AssertUnwindSafe(|| check(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(failed.is_empty(), "{} of {} inputs broke an invariant:\n{}", failed.len(), files.len(), failed.join("\n"));
}

#[test]
fn the_import_corpus_and_crashes_replay_cleanly() {
    let harness = harness::ImportHarness::new();
    replay("import", |data| harness.check(data));
}

#[test]
fn the_mapping_corpus_and_crashes_replay_cleanly() {
    replay("mapping", harness::check_mapping);
}

#[test]
fn the_harness_catches_a_partial_import() {
    // The oracle itself: a registry changed behind a failed import's back
    // is noticed (were it not, the replays above could not fail), and one
    // whose bytes changed but not its records is not.
    let harness = harness::ImportHarness::new();
    let file = harness.dir().join("oracle.sqlite");
    harness.copy_demo(&file);
    assert!(harness.same_as_demo(&file));
    let conn = rusqlite::Connection::open(&file).unwrap();
    let first_theme = "WHERE rowid = (SELECT min(rowid) FROM theme)";
    // Writing the same value rewrites the page but changes no record.
    conn.execute(&format!("UPDATE theme SET name_en = name_en {first_theme}"), []).unwrap();
    assert!(harness.same_as_demo(&file), "a name written again unchanged counts as a change");
    conn.execute(&format!("UPDATE theme SET name_en = name_en || '!' {first_theme}"), []).unwrap();
    assert!(!harness.same_as_demo(&file), "a changed name went unnoticed");
    // Changed back, the name is as it was, but the registry remembers the
    // version in between (theme_retired): that is a change too.
    conn.execute(&format!("UPDATE theme SET name_en = substr(name_en, 1, length(name_en) - 1) {first_theme}"), [])
        .unwrap();
    drop(conn);
    assert!(!harness.same_as_demo(&file), "a name changed and changed back left no trace");
}

#[test]
fn the_harness_catches_a_mapping_error_without_its_place() {
    let located = |message: &str| catch_unwind(|| harness::assert_located(b"a = 1\nb = \n", message)).is_ok();
    assert!(located("fuzz.toml:2:5: expected a value"));
    assert!(located("fuzz.toml:1:1: unknown field `a`"));
    assert!(!located("fuzz.toml: expected a value"), "no place");
    assert!(!located("fuzz.toml:4:1: expected a value"), "past the last line");
    assert!(!located("fuzz.toml:1:7: expected a value"), "past the end of the line");
    assert!(!located("other.toml:1:1: unknown field `a`"), "another file");
}
