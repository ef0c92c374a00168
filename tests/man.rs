//! The manual pages: one per command, each rendered by `man` without a
//! warning, with the sections a reader looks for, examples one a line, and
//! SEE ALSO naming only pages that `ipart man --dir` writes.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;

use common::ipart;
use ipart::cmd::meta::AfterHelp;

const SECTIONS: [&str; 7] = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "EXAMPLES", "SEE ALSO"];

/// Every page `ipart man --dir` writes, by file name.
fn written_pages(dir: &Path) -> BTreeMap<String, String> {
    let out = ipart().args(["man", "--dir"]).arg(dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "--dir prints no page");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let pages: BTreeMap<String, String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    assert!(stderr.starts_with(&format!("wrote {} manual pages to ", pages.len())), "{stderr}");
    pages
}

/// The roff of one section (up to the next `.SH`).
fn section<'a>(page: &'a str, name: &str) -> Option<&'a str> {
    let heading = if name.contains(' ') { format!(".SH \"{name}\"\n") } else { format!(".SH {name}\n") };
    let start = page.find(&heading)? + heading.len();
    let end = page[start..].find("\n.SH ").map_or(page.len(), |i| start + i + 1);
    Some(&page[start..end])
}

/// Runs `man` on a page, as a reader sees it: (text, warnings).
fn man(page: &[u8]) -> (String, String) {
    let mut child = std::process::Command::new("man")
        .args(["--warnings=w", "-l", "-"])
        .env("MANWIDTH", "80")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), page).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "man failed: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn every_command_has_a_page_with_the_sections_a_reader_expects() {
    let dir = tempfile::tempdir().unwrap();
    let pages = written_pages(dir.path());
    for name in ["ipart.1", "ipart-report.1", "ipart-partner.1", "ipart-partner-add.1", "ipart-import-undo.1"] {
        assert!(pages.contains_key(name), "no {name} among {:?}", pages.keys());
    }
    assert!(pages.len() > 80, "{} pages", pages.len());
    for (name, page) in &pages {
        for heading in SECTIONS {
            assert!(section(page, heading).is_some(), "{name} has no {heading} section");
        }
        assert!(!page.contains(".SH EXTRA"), "{name}: examples belong under EXAMPLES");
        let title = name.trim_end_matches(".1").to_uppercase();
        assert!(page.contains(&format!(".TH {title} 1 \"\" \"ipart ")), "{name}: title");
    }
    let root = &pages["ipart.1"];
    assert!(section(root, "ENVIRONMENT").unwrap().contains("IPART_DB"));
    assert!(section(root, "EXIT STATUS").unwrap().contains("\\fB5\\fR\nregistry busy"), "{root}");
}

#[test]
fn see_also_and_commands_name_only_pages_that_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let pages = written_pages(dir.path());
    for (name, page) in &pages {
        let mut named = Vec::new();
        for part in [section(page, "SEE ALSO").unwrap(), section(page, "COMMANDS").unwrap_or_default()] {
            // \fBipart\-partner\-add\fR(1)
            for piece in part.split("\\fB").skip(1) {
                if let Some((page_name, _)) = piece.split_once("\\fR(1)") {
                    named.push(format!("{}.1", page_name.replace("\\-", "-")));
                }
            }
        }
        assert!(!named.is_empty(), "{name} names no other page");
        for other in named {
            assert!(pages.contains_key(&other), "{name} refers to {other}, which `ipart man --dir` does not write");
            assert_ne!(&other, name, "{name} refers to itself");
        }
    }
    let see_also = section(&pages["ipart-partner-add.1"], "SEE ALSO").unwrap();
    assert_eq!(see_also, "\\fBipart\\fR(1), \\fBipart\\-partner\\fR(1)\n");
}

#[test]
fn pages_render_without_warnings_and_examples_stay_one_a_line() {
    // man-db, and groff to format for it.
    let (Some(_), Some(_)) = (common::program("man"), common::program("groff")) else { return };
    let dir = tempfile::tempdir().unwrap();
    let pages = written_pages(dir.path());
    // All pages in one run of man (one run per page takes a quarter of a second).
    let all: Vec<u8> = pages.values().flat_map(|p| p.bytes()).collect();
    let (text, warnings) = man(&all);
    if !warnings.is_empty() {
        let culprits: Vec<&String> =
            pages.iter().filter(|(_, p)| !man(p.as_bytes()).1.is_empty()).map(|(n, _)| n).collect();
        panic!("man warns about {culprits:?}:\n{warnings}");
    }
    for name in pages.keys() {
        let header = format!("{}(1)", name.trim_end_matches(".1").to_uppercase());
        assert!(text.lines().any(|l| l.starts_with(&header)), "man shows no page {header}");
    }
    for heading in SECTIONS {
        let shown = text.lines().filter(|l| *l == heading).count();
        assert_eq!(shown, pages.len(), "{heading} is shown {shown} times for {} pages", pages.len());
    }
    // As `ipart man report | man -l -` shows it: each example on a line of
    // its own, however long, exactly as `--help` gives it.
    let out = ipart().args(["man", "report"]).output().unwrap();
    assert!(out.status.success());
    let (text, warnings) = man(&out.stdout);
    assert_eq!(warnings, "");
    let shown: Vec<&str> = text.lines().map(str::trim).collect();
    let cli = <ipart::cli::Cli as clap::CommandFactory>::command();
    let examples = AfterHelp::of(cli.find_subcommand("report").unwrap()).examples;
    assert!(examples.len() >= 5, "{examples:?}");
    assert!(examples.iter().any(|e| e.len() > 80), "a long example shows that nothing is re-flowed");
    for example in &examples {
        assert!(shown.contains(&example.as_str()), "`ipart man report` does not show {example:?} on a line:\n{text}");
    }
    let add = ipart().args(["man", "partner", "add"]).output().unwrap();
    let (text, _) = man(&add.stdout);
    assert!(text.lines().any(|l| l.trim().starts_with("ipart partner add \"Hogeschool Utrecht\"")
        && l.trim().ends_with("--external-code 25DW")));
}

#[test]
fn a_page_is_asked_for_by_its_words_or_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let pages = written_pages(dir.path());
    let page = |args: &[&str]| {
        let out = ipart().arg("man").args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(page(&[]), pages["ipart.1"]);
    assert_eq!(page(&["report"]), pages["ipart-report.1"]);
    assert_eq!(page(&["partner", "add"]), pages["ipart-partner-add.1"]);
    assert_eq!(page(&["ipart-partner-add"]), pages["ipart-partner-add.1"]);
    assert_eq!(page(&["ipart-import-undo.1"]), pages["ipart-import-undo.1"]);

    let out = ipart().args(["man", "partner", "frob"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "ipart: no manual page for `ipart partner frob`: the commands of `ipart partner` are add, list, show, \
         edit, remove (`ipart man --dir DIR` writes every page)\n"
    );
    let out = ipart().args(["man", "ipart-partner-frob"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "ipart: no manual page named ipart-partner-frob (`ipart man --dir DIR` writes every page)\n"
    );
    let out = ipart().args(["man", "report", "extra"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`ipart report` has no commands"));
    let out = ipart().args(["man", "report", "--dir", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a page or all of them, not both");
}

#[test]
fn global_options_are_optional_in_every_synopsis_and_usage() {
    let dir = tempfile::tempdir().unwrap();
    let pages = written_pages(dir.path());
    let root = section(&pages["ipart.1"], "SYNOPSIS").unwrap();
    assert!(root.starts_with("\\fBipart\\fR [\\fB\\-\\-db\\fR\\ \\fIPATH\\fR] [\\fB\\-\\-demo\\fR]"), "{root}");
    for (name, page) in pages.iter().filter(|(n, _)| *n != "ipart.1") {
        let synopsis = section(page, "SYNOPSIS").unwrap();
        assert!(synopsis.starts_with("\\fBipart\\fR [\\fIglobal\\ options\\fR] \\fB"), "{name}: {synopsis}");
        assert!(!synopsis.contains("\\-\\-db"), "{name}: global options are described in ipart(1)");
        let options = section(page, "OPTIONS").unwrap();
        assert!(options.contains("The global options \\fB\\-\\-db\\fR\\ \\fIPATH\\fR, \\fB\\-\\-demo\\fR"), "{name}");
        assert!(!options.contains(".TP\n\\fB\\-\\-db\\fR"), "{name}: --db is listed on ipart(1) only");
    }
    // --help: the usage line never names --db, which sits under "Global options".
    for args in [&["--help"][..], &["report", "--help"], &["partner", "add", "--help"], &["import", "--help"]] {
        let help = String::from_utf8(ipart().args(args).output().unwrap().stdout).unwrap();
        let usage = help.lines().find(|l| l.starts_with("Usage: ")).unwrap();
        assert!(!usage.contains("--db"), "{args:?}: {usage}");
        let global = help.find("\nGlobal options:\n").unwrap_or_else(|| panic!("{args:?}:\n{help}"));
        assert!(help.find("      --db <PATH>").unwrap() > global, "{args:?}: --db under Global options");
    }
}

/// Every environment variable ipart reads is on its page.
#[test]
fn the_page_of_ipart_names_every_environment_variable() {
    let out = ipart().arg("man").output().unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    let environment = section(&page, "ENVIRONMENT").unwrap().replace("\\-", "-");
    let mut names = std::collections::BTreeSet::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            for piece in source.split("\"IPART_").skip(1) {
                let name: String = piece.chars().take_while(|c| c.is_ascii_uppercase() || *c == '_').collect();
                if piece[name.len()..].starts_with('"') {
                    names.insert(format!("IPART_{name}"));
                }
            }
        }
    }
    assert!(names.len() >= 4, "{names:?}");
    for name in names.iter().chain(&["NO_COLOR".to_string(), "XDG_DATA_HOME".to_string()]) {
        assert!(environment.contains(&format!("\\fB{name}\\fR")), "ipart(1) does not describe {name}");
    }
}

#[test]
fn a_directory_that_cannot_be_made_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = ipart().args(["man", "--dir"]).arg(file.join("man1")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("ipart: cannot create the directory {}", file.join("man1").display())),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}
