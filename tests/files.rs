//! The files ipart writes besides the registry: exports, reports, reject
//! files, backups, the copy a restore keeps and the copy before an upgrade.
//! Each appears whole under its name or not at all (also when the command
//! is killed or refused), is readable by its owner only, never replaces a
//! name that appears while it is written (without --force), and never
//! writes through a symbolic link.

mod common;
mod held;

use std::path::{Path, PathBuf};

use common::*;
use held::*;

/// A file that must never be written.
fn plant_victim(dir: &Path) -> (PathBuf, Snapshot) {
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "the user's own file").unwrap();
    (victim.clone(), snapshot(&victim))
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// The commands that write a file named by the user, with the file's name.
fn writers(registry: &Reg) -> Vec<(Vec<String>, &'static str)> {
    std::fs::write(registry.dir.path().join("rows.csv"), "name,sector\nGood BV,other\nBad BV,galaxy\n").unwrap();
    let args = |list: &[&str]| list.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    vec![
        (args(&["export", "partners", "--output", "out.csv"]), "out.csv"),
        (args(&["report", "--year", "2023", "--format", "json", "--output", "out.json"]), "out.json"),
        (args(&["import", "partners", "rows.csv", "--skip-invalid", "--reject", "rejected.csv"]), "rejected.csv"),
        (args(&["db", "backup", "copy.sqlite"]), "copy.sqlite"),
    ]
}

fn run_in(registry: &Reg, args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ipart_on(&registry.path, &args).current_dir(registry.dir.path()).output().unwrap()
}

#[test]
fn every_output_file_is_readable_by_its_owner_only_whatever_the_umask() {
    let registry = Reg::demo_in_use();
    for (args, name) in writers(&registry) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = with_umask("022", &registry.path, registry.dir.path(), &args);
        assert!(output.status.success(), "{args:?}: {}", stderr_of(&output));
        assert_eq!(mode(&registry.dir.path().join(name)), 0o600, "{name}");
        std::fs::remove_file(registry.dir.path().join(name)).unwrap();
        // A stricter umask is kept.
        let output = with_umask("0277", &registry.path, registry.dir.path(), &args);
        assert!(output.status.success(), "{args:?}: {}", stderr_of(&output));
        assert_eq!(mode(&registry.dir.path().join(name)), 0o400, "{name}");
        std::fs::remove_file(registry.dir.path().join(name)).unwrap();
    }
    // The copy a restore keeps of the registry it replaces.
    registry.ok(&["--quiet", "db", "backup", registry.dir.path().join("backup.sqlite").to_str().unwrap()]);
    let output = with_umask("022", &registry.path, registry.dir.path(), &["db", "restore", "backup.sqlite"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let kept: Vec<String> = registry.files().into_iter().filter(|f| f.contains(".before-restore-")).collect();
    assert_eq!(kept.len(), 1, "{:?}", registry.files());
    assert_eq!(mode(&registry.dir.path().join(&kept[0])), 0o600);
    assert_eq!(mode(&registry.path), 0o600);
}

#[test]
fn a_symbolic_link_at_the_output_name_is_never_written_through() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    let (victim, untouched) = plant_victim(dir);
    for (args, name) in writers(&registry) {
        let link = dir.join(name);
        symlink(&victim, &link);
        let output = run_in(&registry, &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr_of(&output));
        let refusal = if name == "rejected.csv" {
            "ipart: the reject file rejected.csv exists; remove it, give another with --reject FILE, or --force to replace it\n".to_string()
        } else {
            format!(
                "ipart: {name} already exists; it was left untouched (give --force to replace it, or choose another name)\n"
            )
        };
        assert_eq!(stderr_of(&output), refusal, "{args:?}");
        assert_eq!(snapshot(&victim), untouched, "{args:?} wrote through the link");
        // With --force the name gets the new file; the link's target stays as it was.
        let mut forced = args.clone();
        forced.push("--force".to_string());
        let output = run_in(&registry, &forced);
        assert!(output.status.success(), "{forced:?}: {}", stderr_of(&output));
        assert_eq!(snapshot(&victim), untouched, "{forced:?} wrote through the link");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_file(), "{name} is still a link");
        assert_ne!(std::fs::read(&link).unwrap(), b"the user's own file");
        std::fs::remove_file(&link).unwrap();
    }
    assert!(partial_files(dir).is_empty(), "{:?}", registry.files());
}

#[test]
fn a_link_planted_among_the_temporary_files_is_neither_followed_nor_removed() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    let (victim, untouched) = plant_victim(dir);
    let planted = dir.join(".out.csv.ipart-partial.AAAAAAAAAA");
    symlink(&victim, &planted);
    registry.ok(&["--quiet", "export", "partners", "--output", dir.join("out.csv").to_str().unwrap()]);
    assert_eq!(snapshot(&victim), untouched);
    assert!(std::fs::symlink_metadata(&planted).unwrap().file_type().is_symlink());
}

#[test]
fn a_temporary_file_swapped_for_a_link_while_ipart_waits_gets_nothing_written() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    let (victim, untouched) = plant_victim(dir);
    // Someone who can write to the directory sees the temporary file appear
    // and puts a link to the victim in its place.
    let holder = Holder::exclusive(&registry.path);
    let mut running = start(&registry.path, dir, &["export", "partners", "--output", "out.csv"]);
    let temporary = until_partial_file(dir);
    running.until_it_says(&waiting_line(&registry.path));
    std::fs::remove_file(&temporary).unwrap();
    symlink(&victim, &temporary);
    holder.release();
    let (code, stderr) = running.finish();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.ends_with(&format!(
            "ipart: cannot write out.csv: its temporary file {} was replaced by another; nothing was written\n",
            temporary.file_name().unwrap().to_string_lossy()
        )),
        "{stderr}"
    );
    assert_eq!(snapshot(&victim), untouched);
    assert!(!dir.join("out.csv").exists());
}

#[test]
fn the_copies_a_restore_and_an_upgrade_keep_never_write_through_a_link() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    let (victim, untouched) = plant_victim(dir);
    let backup = dir.join("backup.sqlite");
    registry.ok(&["--quiet", "db", "backup", backup.to_str().unwrap()]);
    // The restore's copy is named after the second it starts: links wait at
    // the names of the coming seconds.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    for second in now..now + 20 {
        let stamp = jiff::Timestamp::from_second(second).unwrap().to_string();
        let stamp: String = stamp.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        symlink(&victim, &dir.join(format!("registry.sqlite.before-restore-{stamp}.backup")));
    }
    let output = registry.ipart(&["db", "restore", backup.to_str().unwrap()]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let kept = PathBuf::from(stderr_of(&output).trim_end().rsplit("kept at ").next().unwrap());
    assert!(kept.to_string_lossy().ends_with(".backup.2"), "{}", kept.display());
    assert!(std::fs::symlink_metadata(&kept).unwrap().is_file());
    assert_eq!(snapshot(&victim), untouched);
    ipart_on(&kept, &["db", "check"]).assert().success();

    // The copy taken before an upgrade.
    let old = Reg::absent();
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/registries/v1-demo.sqlite"), &old.path).unwrap();
    let (victim, untouched) = plant_victim(old.dir.path());
    symlink(&victim, &old.dir.path().join("registry.sqlite.v1.backup"));
    old.ok(&["--quiet", "partner", "list"]);
    assert_eq!(snapshot(&victim), untouched);
    let copy = old.dir.path().join("registry.sqlite.v1.backup.2");
    assert!(std::fs::symlink_metadata(&copy).unwrap().is_file());
    assert_eq!(mode(&copy), 0o600);
}

#[test]
fn without_force_a_file_that_appears_while_writing_is_left_as_it_is() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    for (args, name) in [
        (vec!["export", "partners", "--output", "out.csv"], "out.csv"),
        (vec!["report", "--year", "2023", "--output", "report.txt"], "report.txt"),
        (vec!["db", "backup", "copy.sqlite"], "copy.sqlite"),
    ] {
        let before = registry.dump();
        // The command waits for the registry with its temporary file made;
        // meanwhile another program writes the name.
        let holder = Holder::exclusive(&registry.path);
        let mut running = start(&registry.path, dir, &args);
        until_partial_file(dir);
        running.until_it_says(&waiting_line(&registry.path));
        std::fs::write(dir.join(name), "written meanwhile").unwrap();
        holder.release();
        let (code, stderr) = running.finish();
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.ends_with(&format!(
                "ipart: {name} already exists; it was left untouched (give --force to replace it, or choose another name)\n"
            )),
            "{args:?}: {stderr}"
        );
        assert_eq!(std::fs::read_to_string(dir.join(name)).unwrap(), "written meanwhile");
        assert!(partial_files(dir).is_empty(), "{:?}", registry.files());
        assert_eq!(registry.dump(), before);
        std::fs::remove_file(dir.join(name)).unwrap();
    }
}

#[test]
fn a_killed_report_leaves_no_report_and_the_next_run_writes_it() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    let holder = Holder::exclusive(&registry.path);
    let mut running =
        start(&registry.path, dir, &["report", "--year", "2023", "--format", "html", "-o", "report.html"]);
    running.until_it_says(&waiting_line(&registry.path));
    running.kill();
    holder.release();
    assert!(!dir.join("report.html").exists(), "a killed report left {:?}", registry.files());
    // What it left is named for what it is...
    let left = partial_files(dir);
    assert_eq!(left.len(), 1, "{:?}", registry.files());
    assert!(left[0].file_name().unwrap().to_string_lossy().starts_with(".report.html.ipart-partial."));
    // ... and the next run neither refuses nor keeps it.
    let output = ipart_on(&registry.path, &["report", "--year", "2023", "--format", "html", "-o", "report.html"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(std::fs::read_to_string(dir.join("report.html")).unwrap().trim_end().ends_with("</html>"));
    assert!(partial_files(dir).is_empty(), "{:?}", registry.files());
}

#[test]
fn a_killed_backup_or_restore_leaves_no_copy_behind_once_ipart_runs_again() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    // A backup killed while it waits to read the registry.
    let holder = Holder::exclusive(&registry.path);
    let mut running = start(&registry.path, dir, &["db", "backup", "copy.sqlite"]);
    running.until_it_says(&waiting_line(&registry.path));
    running.kill();
    holder.release();
    assert!(!dir.join("copy.sqlite").exists());
    assert_eq!(partial_files(dir).len(), 1, "{:?}", registry.files());
    registry.ok(&["--quiet", "db", "backup", dir.join("copy.sqlite").to_str().unwrap()]);
    assert!(partial_files(dir).is_empty(), "{:?}", registry.files());
    ipart_on(&dir.join("copy.sqlite"), &["db", "check"]).assert().success();

    // A restore killed while it waits to swap the files: its checked copy,
    // as large as the registry, is left, and goes at the next command.
    let before = registry.dump();
    let holder = Holder::exclusive(&registry.path);
    let mut running = start(&registry.path, dir, &["db", "restore", "copy.sqlite"]);
    running.until_it_says(&waiting_line(&registry.path));
    running.kill();
    holder.release();
    let left = partial_files(dir);
    assert_eq!(left.len(), 1, "{:?}", registry.files());
    assert!(std::fs::metadata(&left[0]).unwrap().len() > 100_000);
    assert!(!registry.files().iter().any(|f| f.contains("before-restore")), "{:?}", registry.files());
    assert_eq!(registry.dump(), before);
    registry.ok(&["--quiet", "partner", "add", "After the kill", "--sector", "other"]);
    assert!(partial_files(dir).is_empty(), "{:?}", registry.files());
    assert!(registry.files().iter().all(|f| !f.starts_with("registry.sqlite.")), "{:?}", registry.files());
}

#[test]
fn a_reject_file_appears_only_with_the_import_that_refused_its_rows() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    // Killed while it waits for the registry: no reject file.
    std::fs::write(dir.join("rows.csv"), "name,sector\nGood BV,other\nBad BV,galaxy\n").unwrap();
    let holder = Holder::exclusive(&registry.path);
    let mut running = start(&registry.path, dir, &["import", "partners", "rows.csv", "--skip-invalid"]);
    running.until_it_says(&waiting_line(&registry.path));
    running.kill();
    holder.release();
    assert!(!dir.join("rows.rejected.csv").exists());
    // An import that fails after refusing rows: none either (the registry
    // back in WAL mode first, as ipart keeps it, so that nothing is to change).
    registry.ok(&["partner", "list"]);
    let before = snapshot(&registry.path);
    let mut fails = b"name,sector\nBad BV,galaxy\nGood BV,other\n".to_vec();
    fails.extend(std::iter::repeat_n(b'x', 2_500_000));
    fails.extend(b",other\n");
    std::fs::write(dir.join("fails.csv"), fails).unwrap();
    let output = ipart_on(&registry.path, &["--quiet", "import", "partners", "fails.csv", "--skip-invalid"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        "ipart: fails.csv:4: a row longer than 1 MB, the most a row may hold (is the delimiter or a quote wrong?)\n"
    );
    assert!(!dir.join("fails.rejected.csv").exists());
    assert_eq!(snapshot(&registry.path), before);
    // The import that is kept has its reject file, and the leftover of the killed one is gone.
    let output = ipart_on(&registry.path, &["--quiet", "import", "partners", "rows.csv", "--skip-invalid"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(
        std::fs::read_to_string(dir.join("rows.rejected.csv")).unwrap(),
        "name,sector,reject_reason\nBad BV,galaxy,\"column \"\"sector\"\": \"\"galaxy\"\" is not a sector (expected government (rijksoverheid), education (onderwijs) or other (overig))\"\n"
    );
    assert!(partial_files(dir).is_empty(), "{:?}", registry.files());
}

/// The data (heap) limit of the import below: far less than the refused
/// rows take together (30 MB, twice over as cells and as fields).
const DATA_LIMIT_KB: u32 = 32 * 1024;

#[test]
fn refused_long_rows_are_written_out_and_let_go() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    let mut file = String::from("name,sector\n");
    for n in 0..100 {
        file.push_str(&format!("{}{n},other\n", "x".repeat(300_000)));
    }
    file.push_str("Good BV,other\n");
    std::fs::write(dir.join("long.csv"), &file).unwrap();
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -d {DATA_LIMIT_KB} && exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("ipart"))
        .args(["--quiet", "--db"])
        .arg(&registry.path)
        .args(["import", "partners", "long.csv", "--skip-invalid", "--max-errors", "1"])
        .current_dir(dir)
        .env("IPART_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "in {DATA_LIMIT_KB} KB: {}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        "ipart: warning: 100 rows refused:\nlong.csv:2: column \"name\": is 300001 characters long; at most 500 are accepted\n... and 99 more problems\nipart: warning: the refused rows, each with its reason, are in long.rejected.csv; fix them and import that file\n"
    );
    let rejected = std::fs::read_to_string(dir.join("long.rejected.csv")).unwrap();
    assert_eq!(rejected.lines().count(), 101);
    assert_eq!(registry.count("SELECT count(*) FROM partner WHERE name = 'Good BV'"), 1);
}
