//! The manual pages: one per command (`ipart.1`, `ipart-report.1`,
//! `ipart-partner-add.1`, ...), made from the clap definitions.
//!
//! clap_mangen renders the options; the other sections are written here,
//! because clap_mangen puts a command's examples under "EXTRA" as running
//! text, has no EXIT STATUS or SEE ALSO, and refers to pages of nested
//! commands that it does not write.

use clap::{Arg, ArgAction, Command, CommandFactory};
use clap_mangen::roff::{Roff, bold, roman};

use crate::cli::{Cli, EXIT_CODES, exit_code_meaning};

/// One manual page: a command and where it sits.
pub struct Page {
    /// The words after `ipart` (`["partner", "add"]`); none for ipart itself.
    pub words: Vec<String>,
    /// The page's name, `ipart-partner-add`.
    pub name: String,
    pub cmd: Command,
}

/// Every page, ipart's own first, then each command before its commands.
pub fn pages() -> Vec<Page> {
    fn collect(cmd: &Command, words: Vec<String>, out: &mut Vec<Page>) {
        out.push(Page { name: page_name(&words), words: words.clone(), cmd: cmd.clone() });
        for sub in commands_of(cmd) {
            let mut words = words.clone();
            words.push(sub.get_name().to_string());
            collect(sub, words, out);
        }
    }
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut out = Vec::new();
    collect(&root, Vec::new(), &mut out);
    out
}

/// `ipart-partner-add` for `["partner", "add"]`.
pub fn page_name(words: &[String]) -> String {
    std::iter::once("ipart").chain(words.iter().map(String::as_str)).collect::<Vec<_>>().join("-")
}

/// The commands a page lists (not clap's `help`).
fn commands_of(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

impl Page {
    pub fn file_name(&self) -> String {
        format!("{}.1", self.name)
    }

    /// `ipart partner add`.
    pub fn command_line(&self) -> String {
        std::iter::once("ipart").chain(self.words.iter().map(String::as_str)).collect::<Vec<_>>().join(" ")
    }

    fn is_root(&self) -> bool {
        self.words.is_empty()
    }

    /// The page as roff, for `man`.
    pub fn render(&self, pages: &[Page]) -> Vec<u8> {
        let mut head = Roff::new();
        self.title(&mut head);
        self.name_section(&mut head);
        let mut body = Roff::new();
        self.description(&mut body);
        self.commands(&mut body);
        let mut tail = Roff::new();
        exit_status(&mut tail);
        if self.is_root() {
            environment(&mut tail);
        }
        self.examples(&mut tail);
        self.see_also(&mut tail, pages);

        let mut out = head.render();
        out.push_str(&self.synopsis());
        out.push_str(without_preamble(&body.render()));
        let mut options = without_preamble(&self.options()).to_string();
        if !self.is_root() {
            // At the end of OPTIONS, before the sections of options under a heading of their own.
            let end = options[1..].find("\n.SH ").map_or(options.len(), |i| i + 2);
            options.insert_str(end, &global_options_note(&pages[0].cmd));
        }
        out.push_str(&options);
        out.push_str(without_preamble(&tail.render()));
        out.into_bytes()
    }

    fn title(&self, roff: &mut Roff) {
        let source = format!("ipart {}", env!("CARGO_PKG_VERSION"));
        // An empty date is written as "", so that the source stays in its place.
        roff.control("TH", [self.name.to_uppercase().as_str(), "1", "\"\"", &source, "User Commands"]);
        // No hyphenation, left-aligned: names and flags stay whole.
        roff.control("nh", []);
        roff.control("ad", ["l"]);
    }

    fn name_section(&self, roff: &mut Roff) {
        roff.control("SH", ["NAME"]);
        let about = self.cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
        roff.text([roman(format!("{} - {about}", self.name))]);
    }

    /// How the command is called, as roff. Global options are written out
    /// on the page of ipart only; the other pages say where they are.
    fn synopsis(&self) -> String {
        let mut start = vec![raw_bold("ipart")];
        if !self.is_root() {
            start.extend([format!("[{}]", raw_italic("global options")), raw_bold(&self.words.join(" "))]);
        }
        let own: Vec<&Arg> = self
            .cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set() && (self.is_root() || !a.is_global_set()))
            .filter(|a| !matches!(a.get_action(), ArgAction::Help | ArgAction::HelpLong | ArgAction::Version))
            .collect();
        let mut line = start.clone();
        let (options, positionals): (Vec<&Arg>, Vec<&Arg>) = own.into_iter().partition(|a| !a.is_positional());
        line.extend(options.into_iter().chain(positionals).map(arg_synopsis));
        let command = raw_italic("COMMAND");
        let mut forms = Vec::new();
        if !self.cmd.has_subcommands() {
            forms.push(line);
        } else if self.cmd.is_args_conflicts_with_subcommands_set() {
            // `ipart import KIND FILE` or `ipart import COMMAND`: two forms.
            forms.push(line);
            forms.push(start.into_iter().chain([command]).collect());
        } else if self.cmd.is_subcommand_required_set() {
            forms.push(line.into_iter().chain([command]).collect());
        } else {
            forms.push(line.into_iter().chain([format!("[{command}]")]).collect());
        }
        let forms: Vec<String> = forms.into_iter().map(|form| form.join(" ")).collect();
        format!(".SH SYNOPSIS\n{}\n", forms.join("\n.br\n"))
    }

    /// What the command is for: its long help, and the prose that follows
    /// its examples in `--help`.
    fn description(&self, roff: &mut Roff) {
        roff.control("SH", ["DESCRIPTION"]);
        let about = self.cmd.get_long_about().or(self.cmd.get_about()).map(|a| a.to_string()).unwrap_or_default();
        let mut paragraphs: Vec<String> = about.split("\n\n").map(str::to_string).collect();
        if self.is_root() {
            paragraphs.extend(ROOT_DESCRIPTION.iter().map(|p| p.to_string()));
        }
        paragraphs.extend(AfterHelp::of(&self.cmd).prose);
        for (i, paragraph) in paragraphs.iter().filter(|p| !p.trim().is_empty()).enumerate() {
            if i > 0 {
                roff.control("PP", []);
            }
            let mut text = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
            // clap's one-line summaries end without a full stop; a page's sentences with one.
            if text.ends_with(|c: char| c.is_alphanumeric() || c == ')') {
                text.push('.');
            }
            roff.text([roman(text)]);
        }
    }

    /// The commands of a command, each with its page.
    fn commands(&self, roff: &mut Roff) {
        if !self.cmd.has_subcommands() {
            return;
        }
        roff.control("SH", ["COMMANDS"]);
        for sub in commands_of(&self.cmd) {
            let mut words = self.words.clone();
            words.push(sub.get_name().to_string());
            roff.control("TP", []);
            roff.text([bold(sub.get_name())]);
            let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            roff.text([roman(format!("{about}; see ")), bold(page_name(&words)), roman("(1).")]);
        }
    }

    /// OPTIONS (and a section per help heading) by clap_mangen, without the
    /// global options on the pages of commands.
    fn options(&self) -> String {
        let mut cmd = self.cmd.clone();
        let global: Vec<String> =
            cmd.get_arguments().filter(|a| a.is_global_set()).map(|a| a.get_id().to_string()).collect();
        for id in global {
            cmd = if self.is_root() {
                // On ipart's own page they are the options.
                cmd.mut_arg(id, |a| a.help_heading(None))
            } else {
                cmd.mut_arg(id, |a| a.hide(true))
            };
        }
        let mut out = Vec::new();
        let rendered = clap_mangen::Man::new(cmd).render_options_section(&mut out);
        rendered.expect("writing to memory does not fail");
        String::from_utf8(out).expect("roff of UTF-8 text is UTF-8")
    }

    /// The examples of `--help`, as they are written there: one a line.
    fn examples(&self, roff: &mut Roff) {
        let examples = AfterHelp::of(&self.cmd).examples;
        if examples.is_empty() {
            return;
        }
        roff.control("SH", ["EXAMPLES"]);
        roff.control("nf", []);
        for example in examples {
            roff.text([roman(example)]);
        }
        roff.control("fi", []);
    }

    /// The pages next to this one: ipart's, the parent's and the commands'.
    fn see_also(&self, roff: &mut Roff, pages: &[Page]) {
        let mut names: Vec<String> = Vec::new();
        if !self.is_root() {
            for depth in 0..self.words.len() {
                names.push(page_name(&self.words[..depth]));
            }
        }
        for sub in commands_of(&self.cmd) {
            let mut words = self.words.clone();
            words.push(sub.get_name().to_string());
            names.push(page_name(&words));
        }
        // Only pages that `ipart man --dir` writes.
        names.retain(|name| pages.iter().any(|p| &p.name == name));
        if names.is_empty() {
            return;
        }
        roff.control("SH", ["SEE ALSO"]);
        let mut line = Vec::new();
        for (i, name) in names.into_iter().enumerate() {
            if i > 0 {
                line.push(roman(", "));
            }
            line.extend([bold(name), roman("(1)")]);
        }
        roff.text(line);
    }
}

/// `[--db PATH]`, `[-q|--quiet]`, `--sector SECTOR`, `[--alias NAME]...`,
/// `NAME`, as roff that is never broken across lines.
fn arg_synopsis(arg: &Arg) -> String {
    // Record fields that `add` checks itself say so in their help.
    let required =
        arg.is_required_set() || arg.get_help().is_some_and(|h| h.to_string().trim_end().ends_with("[required]"));
    let mut out = match (arg.get_short(), arg.get_long()) {
        (Some(short), Some(long)) => format!("{}|{}", raw_bold(&format!("-{short}")), raw_bold(&format!("--{long}"))),
        (Some(short), None) => raw_bold(&format!("-{short}")),
        (None, Some(long)) => raw_bold(&format!("--{long}")),
        (None, None) => String::new(),
    };
    if arg.get_num_args().is_some_and(|n| n.takes_values()) {
        if !out.is_empty() {
            out.push_str("\\ ");
        }
        out.push_str(&raw_italic(&value_name(arg)));
    }
    if !required {
        out = format!("[{out}]");
    }
    let repeats = matches!(arg.get_action(), ArgAction::Append | ArgAction::Count)
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1);
    if repeats {
        out.push_str("...");
    }
    out
}

fn value_name(arg: &Arg) -> String {
    match arg.get_value_names() {
        Some(names) => names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(" "),
        None => arg.get_id().as_str().to_uppercase(),
    }
}

/// Text in roff with its hyphens and backslashes escaped, for the lines
/// written here rather than by the roff crate. Spaces become unbreakable.
fn raw(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-").replace(' ', "\\ ")
}

fn raw_bold(text: &str) -> String {
    format!("\\fB{}\\fR", raw(text))
}

fn raw_italic(text: &str) -> String {
    format!("\\fI{}\\fR", raw(text))
}

/// On the page of a command: where the global options are described, as roff.
fn global_options_note(root: &Command) -> String {
    let global: Vec<&Arg> = root.get_arguments().filter(|a| a.is_global_set() && !a.is_hide_set()).collect();
    let mut line = String::from("The global options ");
    for (i, arg) in global.iter().enumerate() {
        if i > 0 {
            line.push_str(if i + 1 == global.len() { " and " } else { ", " });
        }
        // Without the brackets of the synopsis.
        line.push_str(arg_synopsis(arg).trim_start_matches('[').trim_end_matches(']'));
    }
    format!(".PP\n{line} work with every command, before or after its name; see \\fBipart\\fR(1).\n")
}

fn exit_status(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    for code in EXIT_CODES {
        roff.control("TP", []);
        roff.text([bold((code as u8).to_string())]);
        roff.text([roman(exit_code_meaning(code))]);
    }
}

/// The environment variables ipart reads.
const ENVIRONMENT: [(&str, &str); 11] = [
    ("IPART_DB", "The registry file, when --db is not given."),
    (
        "XDG_DATA_HOME",
        "Where the default registry is kept when neither --db nor IPART_DB is given: \
         ipart/registry.sqlite in it (without it, in ~/.local/share).",
    ),
    (
        "IPART_LANG",
        "The language people read, nl or en, when --lang is not given; \
         without it, the locale (LC_ALL, LC_MESSAGES, LANG) decides, else English.",
    ),
    ("NO_COLOR", "When set and not empty, no colour (unless --color always)."),
    ("IPART_ACTOR", "Who the audit trail says made a change, for a script acting for someone (default: the user)."),
    (
        "IPART_BUSY_TIMEOUT_MS",
        "How long a change waits while another process writes, in milliseconds, \
         before giving up with exit status 5 (default: 10000).",
    ),
    (
        "IPART_TODAY",
        "The date to take as today (YYYY-MM-DD): the day of a status change given without --on, \
         for reproducible scripts and tests.",
    ),
    (
        "IPART_NOW",
        "The moment to take as now (RFC 3339, such as 2024-02-15T10:00:00Z): when the registry learns what \
         a command writes, as report --known-on reads it; for scripts that rebuild a registry, and tests.",
    ),
    (
        "IPART_KEY_FILE",
        "The file holding the key of the student pseudonyms, when --key-file is not given. The key is kept \
         outside the registry and its backups; see ipart-key(1).",
    ),
    (
        "XDG_CONFIG_HOME",
        "Where the keys of the student pseudonyms are kept when neither --key-file nor IPART_KEY_FILE is \
         given: ipart/keys/KEYID.key in it, one file per registry's key (without it, in ~/.config).",
    ),
    ("LC_ALL, LC_MESSAGES, LANG", "The locale, for the language when neither --lang nor IPART_LANG is given."),
];

fn environment(roff: &mut Roff) {
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in ENVIRONMENT {
        roff.control("TP", []);
        roff.text([bold(name)]);
        roff.text([roman(meaning)]);
    }
}

/// What the page of ipart says beyond its one line.
const ROOT_DESCRIPTION: [&str; 4] = [
    "ipart is one program over one SQLite file, the registry. It keeps what the \
     I-Partnerschap programme counts: government and education partners, student assignments \
     with their status history, field labs, communities, dual PhD candidates, courses and events, \
     curricula and chairs, research questions and the yearly communication figures; and it prints \
     the yearly figures of the infographic from them.",
    "The registry is the file given with --db, else the one in the environment variable IPART_DB, \
     else ipart/registry.sqlite in the user's data directory. Only ipart init creates a registry; \
     every other command refuses a missing file. With --demo, a command works on an in-memory copy \
     of the demo registry and keeps nothing.",
    "Records are referred to by id or by any name they answer to (HU, \"Hogeschool Utrecht\"), \
     assignments and PhD candidates also as SOURCE:EXTERNAL_ID. Statuses are never overwritten: \
     each change is kept with its date, so --year and --as-of show any day as it was.",
    "Data goes to standard output, messages to standard error. No command ever asks a question.",
];

/// What follows the options in a command's `--help`, in parts: the
/// examples, and paragraphs of explanation. The exit codes are left out:
/// every page has its EXIT STATUS.
#[derive(Debug, Default, PartialEq)]
pub struct AfterHelp {
    pub examples: Vec<String>,
    pub prose: Vec<String>,
}

impl AfterHelp {
    pub fn of(cmd: &Command) -> AfterHelp {
        let text = cmd.get_after_long_help().or(cmd.get_after_help()).map(|t| t.to_string()).unwrap_or_default();
        AfterHelp::parse(&text)
    }

    /// Blocks are separated by an empty line; one headed `Examples:` holds
    /// an example a line, indented by two spaces.
    pub fn parse(text: &str) -> AfterHelp {
        let mut parts = AfterHelp::default();
        for block in text.split("\n\n").filter(|b| !b.trim().is_empty()) {
            let (first, rest) = block.split_once('\n').unwrap_or((block, ""));
            match first.trim() {
                "Examples:" => parts.examples.extend(
                    rest.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(|l| l.strip_prefix("  ").unwrap_or(l).trim_end().to_string()),
                ),
                "Exit codes:" => {}
                _ => parts.prose.push(block.to_string()),
            }
        }
        parts
    }
}

/// roff text as the roff crate renders it, without the lines every
/// rendering starts with (they need to be in a page once).
fn without_preamble(roff: &str) -> &str {
    let preamble = Roff::new().render();
    roff.strip_prefix(preamble.as_str()).unwrap_or(roff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_and_prose_are_told_apart() {
        let parts = AfterHelp::parse(
            "Examples:\n  ipart report --year 2023      the figures\n  ipart x \\\n      --y z\n\n\
             Definitions: the state\non a date.\n\nExit codes:\n  0  success",
        );
        assert_eq!(parts.examples, ["ipart report --year 2023      the figures", "ipart x \\", "    --y z"]);
        assert_eq!(parts.prose, ["Definitions: the state\non a date."]);
        assert_eq!(AfterHelp::parse(""), AfterHelp::default());
    }

    #[test]
    fn every_command_has_a_page_named_after_it() {
        let pages = pages();
        assert_eq!(pages[0].name, "ipart");
        assert!(pages.iter().any(|p| p.name == "ipart-partner-add" && p.command_line() == "ipart partner add"));
        assert!(pages.iter().all(|p| !p.name.ends_with("-help")), "clap's help command has no page");
        let mut names: Vec<&str> = pages.iter().map(|p| p.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), pages.len(), "two pages with one name");
    }

    #[test]
    fn synopsis_shows_optional_options_in_brackets() {
        let pages = pages();
        let root = String::from_utf8(pages[0].render(&pages)).unwrap();
        assert!(root.contains(r"[\fB\-\-db\fR\ \fIPATH\fR]"), "{root}");
        assert!(root.contains(r"[\fB\-q\fR|\fB\-\-quiet\fR]"), "{root}");
        let add = pages.iter().find(|p| p.name == "ipart-partner-add").unwrap();
        let add = String::from_utf8(add.render(&pages)).unwrap();
        let synopsis = &add[add.find(".SH SYNOPSIS").unwrap()..add.find(".SH DESCRIPTION").unwrap()];
        assert!(synopsis.contains(r"[\fIglobal\ options\fR] \fBpartner\ add\fR"), "{synopsis}");
        assert!(synopsis.contains(r"[\fB\-\-alias\fR\ \fINAME\fR]..."), "{synopsis}");
        assert!(synopsis.contains(r" \fB\-\-sector\fR\ \fISECTOR\fR "), "a required field: {synopsis}");
        assert!(synopsis.ends_with(" \\fINAME\\fR\n"), "the name is required: {synopsis}");
        assert!(!synopsis.contains("db"), "global options are on ipart(1): {synopsis}");
    }
}
