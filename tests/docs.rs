//! The examples of the documentation run: every `ipart` command in the
//! shell blocks of README.md and of the guides in docs/*.md is run, and
//! every command appears in them.
//!
//! How an example is found and run (the convention for writing the docs):
//! - Only fenced blocks marked ```` ```sh ```` (or `bash`, `shell`) are read;
//!   `console`, `text`, `toml`, `csv` and unmarked blocks never run (so an
//!   example that cannot run as written, on files of the reader's own,
//!   goes in a `console` or `text` block).
//! - In them, a command (its `\` continuation lines joined) runs when it
//!   starts with `ipart ` (after `NAME=value` assignments, if any). Every
//!   other line — `cargo`, `export`, `cd`, `python3`, comments — is shown to
//!   the reader and not run: setting up is the reader's part.
//! - A command must succeed, unless its comment (after ` # `) says
//!   `refused`: then it must exit 3 (data refused), or the status its
//!   comment names as `exit N` (`# refused (exit 6): no such partner`), and
//!   leave the registry as it was.
//! - Each file starts on a fresh copy of the demo registry, which
//!   `IPART_DB` names; a command with ` init` in it runs without `IPART_DB`,
//!   so that it makes a file of its own. The commands of a file run in order,
//!   in one temporary directory holding a copy of `fixtures/` (so examples
//!   name `fixtures/import/...`), with `../shared/realdata` beside it when
//!   the repository has it. A command naming `../shared/realdata/...` is
//!   skipped, saying so, when that file is not there (as the real-data
//!   tests are; IPART_REQUIRE_REALDATA=1 makes it a failure).
//! - `IPART_TODAY` is 2026-11-28, the actor `tester`, colour off, and HOME,
//!   XDG_DATA_HOME and XDG_CONFIG_HOME (where keys go) are in the temporary
//!   directory.

mod common;

use std::path::{Path, PathBuf};

use common::{Needed, Reg};

/// One command of the docs, where it is written and what it should do.
#[derive(Debug, PartialEq)]
struct Example {
    /// `README.md:112`.
    place: String,
    command: String,
    /// The exit status expected.
    status: i32,
}

/// README.md, then the guides in docs/, by name.
fn doc_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut guides: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .map(|entries| {
            entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "md")).collect()
        })
        .unwrap_or_default();
    guides.sort();
    std::iter::once(root.join("README.md")).chain(guides).collect()
}

/// The `ipart` commands of a Markdown file's shell blocks.
fn examples(name: &str, markdown: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut in_shell = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            in_shell = !in_shell && matches!(info.trim(), "sh" | "bash" | "shell");
            pending = None;
            continue;
        }
        if !in_shell {
            continue;
        }
        let (start, mut command) = pending.take().unwrap_or((i + 1, String::new()));
        if let Some(first_part) = line.trim_end().strip_suffix('\\') {
            command.push_str(first_part.trim());
            command.push(' ');
            pending = Some((start, command));
            continue;
        }
        command.push_str(trimmed);
        if let Some(example) = example(&format!("{name}:{start}"), &command) {
            out.push(example);
        }
    }
    out
}

/// A command line, if it is an `ipart` command, with what it should do.
fn example(place: &str, line: &str) -> Option<Example> {
    let (command, comment) = match line.find(" # ") {
        Some(i) => (line[..i].trim(), &line[i + 3..]),
        None => (line.trim(), ""),
    };
    let after_assignments =
        command.split(' ').find(|word| !word.split_once('=').is_some_and(|(name, _)| is_variable(name)))?;
    if after_assignments != "ipart" {
        return None;
    }
    let status = if comment.contains("refused") {
        comment
            .split("exit ")
            .nth(1)
            .and_then(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok())
            .unwrap_or(3)
    } else {
        0
    };
    Some(Example { place: place.to_string(), command: command.to_string(), status })
}

fn is_variable(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A fresh demo registry and the directory the commands run in.
fn workspace() -> (Reg, PathBuf) {
    let reg = Reg::demo();
    // The demo registry as if it was made on 10 January 2024, so that the
    // examples of `--known-on` and `--changes-since` (days in 2024) find it.
    reg.conn().execute("UPDATE revision SET at = '2024-01-10T09:00:00Z'", []).unwrap();
    let work = reg.dir.path().join("work");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"), &work.join("fixtures"));
    let realdata = common::realdata_root();
    if realdata.exists() {
        std::fs::create_dir(reg.dir.path().join("shared")).unwrap();
        std::os::unix::fs::symlink(realdata, reg.dir.path().join("shared/realdata")).unwrap();
    }
    for dir in ["home", "data"] {
        std::fs::create_dir(reg.dir.path().join(dir)).unwrap();
    }
    (reg, work)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Runs one example in bash; a failure described, or `None`.
fn run(example: &Example, reg: &Reg, work: &Path) -> Option<String> {
    if let Some(i) = example.command.find("../shared/realdata/") {
        let path = example.command[i + "../shared/realdata/".len()..].split_whitespace().next().unwrap();
        let require = std::env::var("IPART_REQUIRE_REALDATA").ok();
        match common::locate(&common::realdata_root(), path, require.as_deref()) {
            Needed::Present(_) => {}
            Needed::Skip(message) => {
                eprintln!("{message}");
                return None;
            }
            Needed::Fail(message) => return Some(format!("{}: {message}", example.place)),
        }
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_ipart")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let mut shell = std::process::Command::new("bash");
    shell
        .args(["-o", "pipefail", "-c", &example.command])
        .current_dir(work)
        .env("PATH", path)
        .env("IPART_TODAY", common::TODAY)
        .env("IPART_ACTOR", "tester")
        .env("NO_COLOR", "1")
        .env("HOME", reg.dir.path().join("home"))
        .env("XDG_DATA_HOME", reg.dir.path().join("data"))
        .env("XDG_CONFIG_HOME", reg.dir.path().join("config"))
        .env_remove("IPART_KEY_FILE")
        .env_remove("IPART_LANG")
        .env_remove("IPART_BUSY_TIMEOUT_MS")
        .env_remove("CLICOLOR_FORCE");
    if example.command.contains(" init") {
        shell.env_remove("IPART_DB");
    } else {
        shell.env("IPART_DB", &reg.path);
    }
    let before = (example.status != 0).then(|| reg.dump());
    let out = shell.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(example.status) {
        return Some(format!(
            "{}: `{}` exited {:?}, expected {}:\n{stderr}",
            example.place,
            example.command,
            out.status.code(),
            example.status
        ));
    }
    if before.is_some_and(|before| before != reg.dump()) {
        return Some(format!("{}: `{}` was refused but changed the registry", example.place, example.command));
    }
    None
}

#[test]
fn doc_examples_run_on_the_demo_registry() {
    let files: Vec<(String, Vec<Example>)> = doc_files()
        .iter()
        .map(|path| {
            let name = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display().to_string();
            let name = name.trim_start_matches('/').to_string();
            let examples = examples(&name, &std::fs::read_to_string(path).unwrap());
            (name, examples)
        })
        .collect();
    // The README's tour and the guides' examples are found (a broken reader would find none).
    let readme = &files[0].1;
    assert!(readme.len() >= 10, "found only {} examples in README.md", readme.len());
    let all: usize = files.iter().map(|(_, examples)| examples.len()).sum();
    assert!(all > 150, "found only {all} examples in README.md and docs/*.md");
    // The files side by side, each on its own registry; in a file, in order.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = files
            .iter()
            .map(|(name, examples)| {
                // Named, so that a skipped example says which file it is in.
                let thread =
                    std::thread::Builder::new().name(format!("doc_examples_run_on_the_demo_registry ({name})"));
                let run = move || {
                    let (reg, work) = workspace();
                    examples.iter().filter_map(|example| run(example, &reg, &work)).collect::<Vec<_>>()
                };
                thread.spawn_scoped(scope, run).unwrap()
            })
            .collect();
        runs.into_iter().flat_map(|run| run.join().unwrap()).collect()
    });
    assert!(failures.is_empty(), "{} examples of the docs failed:\n\n{}", failures.len(), failures.join("\n"));
}

/// Every command is shown in the README or a guide.
#[test]
fn docs_show_every_command() {
    let docs: String = doc_files().iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let mut missing = Vec::new();
    let mut stack = vec![(String::from("ipart"), <ipart::cli::Cli as clap::CommandFactory>::command())];
    while let Some((words, cmd)) = stack.pop() {
        let subcommands: Vec<_> = cmd.get_subcommands().filter(|s| s.get_name() != "help").cloned().collect();
        if subcommands.is_empty() && !docs.contains(&format!("{words} ")) && !docs.contains(&format!("{words}\n")) {
            missing.push(words.clone());
        }
        stack.extend(subcommands.into_iter().map(|s| (format!("{words} {}", s.get_name()), s)));
    }
    assert!(missing.is_empty(), "README.md and docs/*.md show no example of {missing:?}");
}

#[test]
fn the_convention_picks_ipart_commands_and_what_they_should_do() {
    let markdown = "Text `ipart x`.\n\n\
        ```sh\n\
        cargo build --release\n\
        export IPART_DB=$PWD/demo.sqlite\n\
        ipart partner add \"A B\" --sector overig \\\n      --region west   # a comment\n\
        # a comment line\n\
        \n\
        ipart theme remove blockchain   # refused: records use it\n\
        IPART_LANG=nl ipart partner show 99   # refused (exit 6): there is none\n\
        ipartx --help\n\
        ```\n\
        ```console\n$ ipart partner list\n```\n\
        ```\nipart partner list\n```\n\
        ```bash\nipart db check   # exit 0: whole; exit 4: not\n```\n";
    let found = examples("doc.md", markdown);
    let expected = [
        ("doc.md:6", "ipart partner add \"A B\" --sector overig --region west", 0),
        ("doc.md:10", "ipart theme remove blockchain", 3),
        ("doc.md:11", "IPART_LANG=nl ipart partner show 99", 6),
        ("doc.md:21", "ipart db check", 0),
    ];
    let found: Vec<(&str, &str, i32)> =
        found.iter().map(|e| (e.place.as_str(), e.command.as_str(), e.status)).collect();
    assert_eq!(found, expected);
}

#[test]
fn a_failing_example_is_reported_with_its_place() {
    let (reg, work) = workspace();
    let failing = Example { place: "doc.md:3".into(), command: "ipart partner show Nobody".into(), status: 0 };
    let message = run(&failing, &reg, &work).expect("a failure");
    assert!(
        message.starts_with("doc.md:3: `ipart partner show Nobody` exited Some(6), expected 0:\nipart: "),
        "{message}"
    );
    let refused = Example { place: "doc.md:4".into(), command: "ipart partner show Nobody".into(), status: 6 };
    assert_eq!(run(&refused, &reg, &work), None);
    let wrongly = Example { place: "doc.md:5".into(), command: "ipart partner list".into(), status: 3 };
    assert!(run(&wrongly, &reg, &work).unwrap().contains("exited Some(0), expected 3"));
    // The fixtures are there, and a copy: the examples cannot change the repository's.
    assert!(work.join("fixtures/import/hanze-osiris/osiris.toml").is_file());
}
