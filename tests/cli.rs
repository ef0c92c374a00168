//! The command line as a contract: every vocabulary spelling is accepted,
//! every command documents itself with examples that it accepts, output
//! goes where scripts expect it, colour only where asked for. (The examples
//! of the README and of the guides in docs/ are run by tests/docs.rs.)

mod common;

use clap::CommandFactory;
use common::{Reg, ipart, rows};
use ipart::domain::vocab::*;

/// Every spelling of a vocabulary: code, English and Dutch names, aliases,
/// and a shouted variant.
fn spellings<V: Vocabulary>() -> Vec<(V, String)> {
    let mut out = Vec::new();
    for v in V::ALL {
        for s in [v.code(), v.name_en(), v.name_nl()].iter().chain(v.aliases()) {
            out.push((*v, s.to_string()));
        }
        out.push((*v, v.name_nl().to_uppercase()));
    }
    out
}

#[test]
fn every_vocabulary_spelling_is_accepted_on_the_command_line() {
    let reg = Reg::demo();
    let code = |args: &[&str], field: &str| reg.json(args)[field].as_str().unwrap_or_default().to_string();

    for (v, s) in spellings::<Level>() {
        let id = reg.ok(&[
            "assignment",
            "add",
            "T",
            "--kind",
            "group",
            "--theme",
            "IHH",
            "--government-partner",
            "DUO",
            "--level",
            &s,
        ]);
        assert_eq!(code(&["assignment", "show", id.trim()], "level"), v.code(), "level {s:?}");
    }
    for (v, s) in spellings::<AssignmentKind>() {
        reg.ok(&["assignment", "edit", "1", "--kind", &s]);
        assert_eq!(code(&["assignment", "show", "1"], "kind"), v.code(), "kind {s:?}");
    }
    for (day, (v, s)) in spellings::<AssignmentStatus>().into_iter().enumerate() {
        let on = format!("2030-01-{:02}", day % 28 + 1);
        let on = if day >= 28 { on.replace("-01-", "-02-") } else { on };
        // Every spelling in turn, whatever the lifecycle order.
        reg.ok(&["assignment", "status", "1", &s, "--on", &on, "--any-order"]);
        assert_eq!(code(&["assignment", "show", "1", "--as-of", &on], "status"), v.code(), "status {s:?}");
    }
    for (v, s) in spellings::<Region>() {
        reg.ok(&["partner", "edit", "DUO", "--region", &s]);
        assert_eq!(code(&["partner", "show", "DUO"], "region"), v.code(), "region {s:?}");
    }
    for (n, (v, s)) in spellings::<Sector>().into_iter().enumerate() {
        let name = format!("Partner {n}");
        let mut args = vec!["partner", "add", &name, "--sector", &s];
        if v == Sector::Education {
            args.extend(["--level", "WO"]);
        }
        reg.ok(&args);
        assert_eq!(code(&["partner", "show", &name], "sector"), v.code(), "sector {s:?}");
    }
    for (v, s) in spellings::<ActivityKind>() {
        reg.ok(&["activity", "edit", "1", "--kind", &s]);
        assert_eq!(code(&["activity", "show", "1"], "kind"), v.code(), "activity kind {s:?}");
    }
    for (v, s) in spellings::<CurriculumKind>() {
        reg.ok(&["curriculum", "edit", "1", "--kind", &s]);
        assert_eq!(code(&["curriculum", "show", "1"], "kind"), v.code(), "curriculum kind {s:?}");
    }
    for (v, s) in spellings::<ChairKind>() {
        reg.ok(&["chair", "edit", "1", "--kind", &s]);
        assert_eq!(code(&["chair", "show", "1"], "kind"), v.code(), "chair kind {s:?}");
    }
    fn lifecycle<V: Vocabulary>(reg: &Reg, kind: &str) {
        for (day, (v, s)) in spellings::<V>().into_iter().enumerate() {
            let on = format!("2031-03-{:02}", day + 1);
            reg.ok(&[kind, "status", "1", &s, "--on", &on, "--any-order"]);
            let shown = reg.json(&[kind, "show", "1", "--as-of", &on]);
            assert_eq!(shown["status"], v.code(), "{kind} status {s:?}");
        }
    }
    lifecycle::<LabStatus>(&reg, "lab");
    lifecycle::<CommunityStatus>(&reg, "community");
    lifecycle::<CurriculumStatus>(&reg, "curriculum");
    lifecycle::<ChairStatus>(&reg, "chair");
}

#[test]
fn clap_definitions_are_consistent() {
    ipart::cli::Cli::command().debug_assert();
}

/// Every command, as its words ("partner", "partner add"); with `leaves_only`
/// those that do something (not "partner").
fn commands(leaves_only: bool) -> Vec<(String, clap::Command)> {
    fn walk(prefix: &str, cmd: &clap::Command, leaves_only: bool, out: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = format!("{prefix}{}", sub.get_name()).trim().to_string();
            if !sub.has_subcommands() || !leaves_only {
                out.push((name.clone(), sub.clone()));
            }
            walk(&format!("{name} "), sub, leaves_only, out);
        }
    }
    let mut out = Vec::new();
    walk("", &ipart::cli::Cli::command(), leaves_only, &mut out);
    out
}

#[test]
fn every_command_has_help_with_an_example() {
    let all = commands(false);
    assert!(commands(true).len() > 50, "expected every record command, found {}", commands(true).len());
    for name in std::iter::once(String::new()).chain(all.into_iter().map(|(name, _)| name)) {
        let mut args: Vec<&str> = name.split_whitespace().collect();
        args.push("--help");
        let out = ipart().args(&args).output().unwrap();
        assert!(out.status.success(), "ipart {name} --help failed");
        let help = String::from_utf8(out.stdout).unwrap();
        assert!(help.contains("Examples:\n  ipart "), "`ipart {name} --help` has no example:\n{help}");
    }
}

/// The words of a shell command line, quotes taken off (enough for the
/// examples: no escapes, no variables).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Every example of every `--help` is a command line ipart accepts: its
/// flags exist and its values parse.
#[test]
fn every_example_in_help_is_a_valid_command_line() {
    let root = ipart::cli::Cli::command();
    let mut checked = 0;
    for cmd in std::iter::once(root.clone()).chain(commands(false).into_iter().map(|(_, c)| c)) {
        for example in ipart::cmd::meta::AfterHelp::of(&cmd).examples {
            // `IPART_DB=x ipart ...`, `cat f | ipart ...`: from `ipart` on; up to
            // the explanation (two spaces), a pipe, a redirection or `&&`.
            let start = example.find("ipart ").unwrap_or_else(|| panic!("not an ipart example: {example}"));
            let line = &example[start..];
            let end = ["  ", " | ", " > ", " && "].iter().filter_map(|s| line.find(s)).min().unwrap_or(line.len());
            let words = shell_words(&line[..end]);
            if let Err(e) = root.clone().try_get_matches_from(&words) {
                panic!("the example `{example}` is refused:\n{e}");
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} examples");
}

#[test]
fn top_level_help_documents_exit_codes() {
    let help = String::from_utf8(ipart().arg("--help").output().unwrap().stdout).unwrap();
    for line in ["0  success", "2  usage error", "3  data refused", "4  registry problem", "5  registry busy"] {
        assert!(help.contains(line), "--help lacks {line:?}");
    }
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = ipart().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "completions {shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("partner") && text.contains("assignment"), "completions {shell} lack commands");
    }
    // The pages themselves: tests/man.rs.
    let man = ipart().arg("man").output().unwrap();
    assert!(man.status.success());
    let text = String::from_utf8_lossy(&man.stdout);
    assert!(text.contains("\n.TH IPART 1 "), "not a man page: {}", &text[..200.min(text.len())]);
}

#[test]
fn data_goes_to_stdout_and_messages_to_stderr() {
    let reg = Reg::demo();
    let out = reg.run(&["partner", "add", "Logius test", "--sector", "government"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "102\n", "add prints only the new id on stdout");
    assert!(String::from_utf8(out.stderr).unwrap().contains("added partner 102"));
    let quiet = reg.run(&["--quiet", "partner", "edit", "Logius test", "--region", "west"]);
    assert!(quiet.status.success() && quiet.stderr.is_empty() && quiet.stdout.is_empty());
}

#[test]
fn colour_only_when_asked_for() {
    let reg = Reg::demo();
    let always = reg.ok(&["--color", "always", "theme", "list"]);
    assert!(always.contains("\x1b["), "--color always gives colour");
    let never = reg.ok(&["--color", "never", "theme", "list"]);
    assert!(!never.contains('\x1b'));
    // Not a terminal (and NO_COLOR set by the helper): no colour.
    assert!(!reg.ok(&["theme", "list"]).contains('\x1b'));
    let out = reg.cmd().env_remove("NO_COLOR").args(["theme", "list"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'), "a pipe is not a terminal");
}

#[test]
fn demo_flag_works_without_a_file_and_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = ipart()
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .args(["--demo", "assignment", "list", "--year", "2023", "--status", "completed", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows(&list).len(), 287);
    let added = ipart().args(["--demo", "partner", "add", "X", "--sector", "other"]).output().unwrap();
    assert!(String::from_utf8_lossy(&added.stderr).contains("not kept"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "--demo wrote a file");
}

#[test]
fn default_registry_lives_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = ipart().env("XDG_DATA_HOME", dir.path()).arg("init").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("ipart/registry.sqlite").exists());
    let env = dir.path().join("env.sqlite");
    let out = ipart().env("IPART_DB", &env).arg("init").output().unwrap();
    assert!(out.status.success());
    assert!(env.exists(), "IPART_DB chooses the registry");
}

#[test]
fn a_reader_that_stops_early_is_no_failure() {
    // `ipart ... | head`: the output (over 100 kB) is larger than a pipe holds, so ipart meets the
    // closed pipe while writing, and must end quietly with success.
    for args in [["export", "assignments"], ["assignment", "list"]] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ipart"))
            .arg("--demo")
            .args(args)
            .args(["--format", "csv"])
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
    }
}
