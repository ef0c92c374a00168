//! `ipart partner|assignment|lab|community|phd|activity|curriculum|chair|question|theme`:
//! add, list, show, edit, remove (and `status` for records with a
//! lifecycle).
//!
//! Every kind has the same actions and its flags are its native fields
//! (`short_name` is `--short-name`), so the commands are generated from one
//! table of specs below instead of being written out ten times; the values
//! go through the same builder as an import (`native::build`).

use clap::{Arg, ArgAction, ArgMatches, Command, FromArgMatches, Subcommand};

use super::{Context, as_of_arg, date_arg, finish, new_date_arg, problems_error};
use crate::domain::*;
use crate::error::{Error, Result};
use crate::export::spreadsheet_cell;
use crate::native::build::{build, history_table};
use crate::native::labels::Names;
use crate::native::record::{self, ListFilter};
use crate::native::{Catalog, Fields, Kind};
use crate::output::{Format, Record};
use crate::store::history;
use crate::store::lookup::{self, Written};

/// A field as a command-line flag.
struct Field {
    /// The native field ("short_name"); the flag is `--short-name`.
    name: &'static str,
    /// The flag of a multi-valued field, which repeats ("alias").
    flag: Option<&'static str>,
    value_name: &'static str,
    help: &'static str,
    /// Must be given to `add`.
    required: bool,
}

const fn field(name: &'static str, value_name: &'static str, help: &'static str) -> Field {
    Field { name, flag: None, value_name, help, required: false }
}
const fn required(name: &'static str, value_name: &'static str, help: &'static str) -> Field {
    Field { name, flag: None, value_name, help, required: true }
}
const fn multi(name: &'static str, flag: &'static str, value_name: &'static str, help: &'static str) -> Field {
    Field { name, flag: Some(flag), value_name, help, required: false }
}

/// One kind of record on the command line.
struct Spec {
    kind: Kind,
    about: &'static str,
    /// The field given as the first argument of `add` (the name or title).
    positional: &'static str,
    fields: &'static [Field],
    /// The `list` filters that apply.
    filters: &'static [&'static str],
    /// The columns a table shows (JSON and CSV show all).
    table_columns: &'static [&'static str],
    /// The status a new record gets when `--status` is not given.
    default_status: Option<&'static str>,
    /// `add`, `list`, `show`, `edit`, `remove`, `status` examples.
    examples: [&'static str; 6],
}

const PARTNER: Spec = Spec {
    kind: Kind::Partner,
    about: "Partners: government organisations and education institutions",
    positional: "name",
    fields: &[
        required("name", "NAME", "Full name, as the registry spells it"),
        field("short_name", "SHORT", "The short name people use (HU, DUO)"),
        multi("aliases", "alias", "NAME", "Another spelling seen in source systems (repeatable)"),
        required("sector", "SECTOR", "government (rijksoverheid), education (onderwijs) or other (overig)"),
        field("level", "LEVEL", "Education level of an education partner: MBO, HBO or WO"),
        field("region", "REGION", "noord, oost, midden, west or zuid"),
        field("joined_on", "DATE", "When the partnership began; partners count in reports from this day"),
        field("left_on", "DATE", "When the partnership ended"),
        field("external_code", "CODE", "An outside identifier, such as the BRIN code (kept as text: 00IC)"),
        field("source", "SOURCE", "The system the record comes from"),
        field("external_id", "ID", "The record's id in that system"),
    ],
    filters: &["as-of", "year", "sector", "level", "region"],
    table_columns: &["id", "name", "short_name", "sector", "level", "region", "joined_on", "left_on", "external_code"],
    default_status: None,
    examples: [
        "ipart partner add \"Hogeschool Utrecht\" --short-name HU --sector onderwijs --level HBO --region midden --joined-on 2021-03-01 --external-code 25DW",
        "ipart partner list --sector government --year 2023 --format csv",
        "ipart partner show HU",
        "ipart partner edit HU --add-alias \"Hogeschool Utrecht (HU)\" --region midden",
        "ipart partner remove \"Test partner\"",
        "",
    ],
};

const ASSIGNMENT: Spec = Spec {
    kind: Kind::Assignment,
    about: "Student assignments: internships, graduation and group assignments, hackathons",
    positional: "title",
    fields: &[
        required("title", "TITLE", "What the assignment is about"),
        required(
            "kind",
            "KIND",
            "internship (stage), graduation (afstudeeropdracht), group (groepsopdracht) or hackathon",
        ),
        field("level", "LEVEL", "MBO, HBO or WO; defaults to the education partner's level"),
        required("theme", "THEME", "A theme code, name or alias (see `ipart theme list`)"),
        required("government_partner", "PARTNER", "The government partner (name, short name, alias or id)"),
        field("education_partner", "PARTNER", "The education partner the students come from"),
        field("lab", "LAB", "The field lab it belongs to"),
        field("students", "N", "How many students work on it (default 1)"),
        field("starts_on", "DATE", "Planned start"),
        field("ends_on", "DATE", "Planned end"),
        field("source", "SOURCE", "The system the record comes from"),
        field("external_id", "ID", "The record's id in that system"),
        field(
            "registered_on",
            "DATE",
            "The day it was registered (in the source system); the report counts registrations by it",
        ),
        field("note", "TEXT", "A remark, kept as given (an empty value clears it)"),
    ],
    filters: &["as-of", "year", "status", "level", "kind", "theme", "partner", "lab", "source"],
    table_columns: &[
        "id",
        "title",
        "kind",
        "level",
        "theme",
        "government_partner",
        "education_partner",
        "students",
        "status",
    ],
    default_status: Some("preparation"),
    examples: [
        "ipart assignment add \"Datakwaliteit dashboard\" --kind stage --theme data-ai --government-partner RDW --education-partner HU --students 2 --registered-on 2023-08-28 --status \"in voorbereiding\" --on 2023-09-01",
        "ipart assignment list --year 2023 --status completed --level HBO --format json",
        "ipart assignment show 12 --as-of 2023-12-31",
        "ipart assignment edit 12 --students 3 --ends-on 2024-01-31 --note \"Verlengd na overleg\"",
        "ipart assignment remove 12",
        "ipart assignment status 12 completed --on 2023-06-30",
    ],
};

const LAB: Spec = Spec {
    kind: Kind::Lab,
    about: "Field labs where government, researchers and students work together",
    positional: "name",
    fields: &[
        required("name", "NAME", "The lab's name"),
        multi("regions", "region", "REGION", "A region the lab is in (repeatable): noord, oost, midden, west, zuid"),
        multi("themes", "theme", "THEME", "A focus theme (repeatable)"),
        multi("members", "member", "PARTNER", "A member partner (repeatable)"),
        field("description", "TEXT", "What the lab works on"),
    ],
    filters: &["as-of", "year", "status", "region", "theme", "partner"],
    table_columns: &["id", "name", "regions", "members", "status", "status_since"],
    default_status: Some("active"),
    examples: [
        "ipart lab add \"IHH Lab West\" --region west --theme IHH --member \"mbo Rijnland\" --member \"TU Delft\" --status \"in oprichting\" --on 2023-10-01",
        "ipart lab list --year 2023 --status active",
        "ipart lab show \"IDDI-Lab\"",
        "ipart lab edit \"IDDI-Lab\" --add-member RDW --remove-theme blockchain",
        "ipart lab remove \"Test lab\"",
        "ipart lab status \"IHH Lab West\" active --on 2024-03-01",
    ],
};

const COMMUNITY: Spec = Spec {
    kind: Kind::Community,
    about: "Communities of practice (IT Academies, PhD candidates, ...)",
    positional: "name",
    fields: &[required("name", "NAME", "The community's name"), field("description", "TEXT", "What it is for")],
    filters: &["as-of", "year", "status"],
    table_columns: &["id", "name", "status", "status_since"],
    default_status: Some("active"),
    examples: [
        "ipart community add \"Data/AI community\" --status gepland --on 2023-11-01",
        "ipart community list --year 2023",
        "ipart community show \"IT Academies community\"",
        "ipart community edit 2 --description \"Voor promovendi bij het Rijk\"",
        "ipart community remove 4",
        "ipart community status \"Data/AI community\" active --on 2024-02-01",
    ],
};

const PHD: Spec = Spec {
    kind: Kind::Phd,
    about: "Dual PhD candidates at government (no names: the figures need counts)",
    positional: "started_on",
    fields: &[
        required("started_on", "DATE", "When the PhD started"),
        field("ended_on", "DATE", "When it ended"),
        required("theme", "THEME", "The research theme"),
        required("government_partner", "PARTNER", "The government partner the candidate works at"),
        required("education_partner", "PARTNER", "The university"),
        field("topic", "TEXT", "The research topic"),
        field("source", "SOURCE", "The system the record comes from"),
        field("external_id", "ID", "The record's id in that system"),
    ],
    filters: &["as-of", "started-in", "theme", "partner"],
    table_columns: &["id", "started_on", "ended_on", "theme", "government_partner", "education_partner", "topic"],
    default_status: None,
    examples: [
        "ipart phd add 2023-09-01 --theme it-change --government-partner UWV --education-partner \"Universiteit Twente\" --topic \"Wendbare IT-organisaties\"",
        "ipart phd list --started-in 2023 --format csv",
        "ipart phd show 3",
        "ipart phd edit 3 --ended-on 2027-08-31",
        "ipart phd remove 3",
        "",
    ],
};

const ACTIVITY: Spec = Spec {
    kind: Kind::Activity,
    about: "Courses, summer courses, events and conferences",
    positional: "name",
    fields: &[
        required(
            "kind",
            "KIND",
            "course (cursus), summer_course (summercourse), event (evenement) or conference (conferentie)",
        ),
        required("name", "NAME", "The activity's name"),
        required("starts_on", "DATE", "First day"),
        field("ends_on", "DATE", "Last day"),
        field("theme", "THEME", "Its theme"),
        field("participants", "N", "Participants in all"),
        field("government_participants", "N", "Participants from government"),
        multi("partners", "partner", "PARTNER", "A co-organising partner (repeatable)"),
    ],
    filters: &["started-in", "kind", "theme", "partner"],
    table_columns: &["id", "kind", "name", "starts_on", "ends_on", "participants", "government_participants"],
    default_status: None,
    examples: [
        "ipart activity add \"Werkconferentie Informatiehuishouding\" --kind werkconferentie --starts-on 2023-06-15 --theme IHH --participants 220",
        "ipart activity list --started-in 2023 --kind conference",
        "ipart activity show \"Werkconferentie Informatiehuishouding\"",
        "ipart activity edit 2 --government-participants 140",
        "ipart activity remove 2",
        "",
    ],
};

const INITIATIVE_FIELDS: &[Field] = &[
    required("kind", "KIND", ""),
    required("name", "NAME", "Its name"),
    field("theme", "THEME", "Its theme"),
    multi("partners", "partner", "PARTNER", "A partner institution (repeatable)"),
];

const CURRICULUM: Spec = Spec {
    kind: Kind::Curriculum,
    about: "Curricula developed with education partners: minors, masters, post-masters",
    positional: "name",
    fields: INITIATIVE_FIELDS,
    filters: &["as-of", "year", "status", "kind", "theme", "partner"],
    table_columns: &["id", "kind", "name", "theme", "partners", "status", "status_since"],
    default_status: Some("in_development"),
    examples: [
        "ipart curriculum add \"Post-master Architectuur\" --kind post-master --theme IHH --partner \"Universiteit Twente\" --status \"in ontwikkeling\" --on 2023-05-01",
        "ipart curriculum list --year 2023",
        "ipart curriculum show \"Post-master Architectuur\"",
        "ipart curriculum edit 4 --add-partner UvA",
        "ipart curriculum remove 4",
        "ipart curriculum status \"Post-master Architectuur\" running --on 2024-04-01",
    ],
};

const CHAIR: Spec = Spec {
    kind: Kind::Chair,
    about: "Lectorates (lectoraten) and chairs (leerstoelen)",
    positional: "name",
    fields: INITIATIVE_FIELDS,
    filters: &["as-of", "year", "status", "kind", "theme", "partner"],
    table_columns: &["id", "kind", "name", "theme", "partners", "status", "status_since"],
    default_status: Some("active"),
    examples: [
        "ipart chair add \"Human Centered AI in the public sector\" --kind lectoraat --theme data-ai --partner HU --on 2023-02-01",
        "ipart chair list --year 2023",
        "ipart chair show 1",
        "ipart chair edit 1 --theme data-ai",
        "ipart chair remove 1",
        "ipart chair status 1 ended --on 2027-01-31",
    ],
};

const QUESTION: Spec = Spec {
    kind: Kind::Question,
    about: "Research questions from government (the knowledge portfolios) and what took them up",
    positional: "text",
    fields: &[
        required("text", "TEXT", "The question"),
        required("theme", "THEME", "Its theme"),
        required("asked_on", "DATE", "When it was asked"),
        field("source_activity", "ACTIVITY", "The event it was collected at"),
        field("source_partner", "PARTNER", "The partner that asked it"),
        field("assignment", "ASSIGNMENT", "The assignment that took it up (id or SOURCE:ID)"),
        field("lab", "LAB", "The lab that took it up"),
        field("phd", "PHD", "The PhD candidate that took it up (id or SOURCE:ID)"),
    ],
    filters: &["started-in", "theme", "taken-up", "open"],
    table_columns: &["id", "text", "theme", "asked_on", "taken_up"],
    default_status: None,
    examples: [
        "ipart question add \"Hoe archiveren we chatberichten?\" --theme IHH --asked-on 2023-09-13 --source-activity \"iBestuur event\"",
        "ipart question list --open --theme data-ai",
        "ipart question show 5",
        "ipart question edit 5 --assignment 12",
        "ipart question remove 5",
        "",
    ],
};

const THEME: Spec = Spec {
    kind: Kind::Theme,
    about: "Themes (the six of the programme, and any added later)",
    positional: "code",
    fields: &[
        required("code", "CODE", "Stable code: lower-case letters, digits and '-' (it-change)"),
        required("name_en", "NAME", "English name"),
        required("name_nl", "NAME", "Dutch name"),
        multi("aliases", "alias", "NAME", "Another spelling seen in source systems (repeatable)"),
    ],
    filters: &[],
    table_columns: &["id", "code", "name_en", "name_nl", "aliases"],
    default_status: None,
    examples: [
        "ipart theme add it-change --name-en \"IT change\" --name-nl IT-Change --alias \"IT change management\"",
        "ipart theme list",
        "ipart theme show IHH",
        "ipart theme edit it-change --add-alias ITC",
        "ipart theme remove it-change",
        "",
    ],
};

const SPECS: &[&Spec] =
    &[&PARTNER, &ASSIGNMENT, &LAB, &COMMUNITY, &PHD, &ACTIVITY, &CURRICULUM, &CHAIR, &QUESTION, &THEME];

/// Which action a record command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Add,
    List,
    Show,
    Edit,
    Remove,
    Status,
}

const ACTIONS: [(Action, &str); 6] = [
    (Action::Add, "add"),
    (Action::List, "list"),
    (Action::Show, "show"),
    (Action::Edit, "edit"),
    (Action::Remove, "remove"),
    (Action::Status, "status"),
];

/// A parsed record command: the kind, the action and its arguments.
#[derive(Debug, Clone)]
pub struct RecordCommand {
    kind: Kind,
    action: Action,
    matches: ArgMatches,
}

fn spec_of(kind: Kind) -> &'static Spec {
    SPECS.iter().find(|s| s.kind == kind).copied().unwrap_or(&PARTNER)
}

/// The `list` filters that apply to `kind` (`export` takes the same).
pub fn list_filters(kind: Kind) -> &'static [&'static str] {
    SPECS.iter().find(|s| s.kind == kind).map_or(&[], |s| s.filters)
}

fn examples(lines: &[&str]) -> String {
    let lines: Vec<String> = lines.iter().filter(|l| !l.is_empty()).map(|l| format!("  {l}")).collect();
    format!("Examples:\n{}", lines.join("\n"))
}

/// The list examples of a kind: its own, and the formats for people and
/// for files.
fn list_examples(spec: &Spec) -> String {
    let plural = crate::native::labels::kind_plural(spec.kind, Lang::En).replace(' ', "-");
    let name = spec.kind.name();
    let second = spec.table_columns.get(1).copied().unwrap_or("id");
    let lines = [
        spec.examples[1].to_string(),
        format!("ipart {name} list --lang nl"),
        format!("ipart {name} list -o {plural}.xlsx"),
        format!("ipart {name} list --excel -o {plural}.csv"),
        format!("ipart {name} list --columns id,{second} --format jsonl"),
        format!("ipart {name} list --wide | less -S"),
    ];
    examples(&lines.iter().map(String::as_str).collect::<Vec<_>>())
}

fn format_arg() -> Arg {
    Arg::new("format")
        .long("format")
        .short('f')
        .value_parser(clap::builder::EnumValueParser::<Format>::new())
        .default_value("table")
        .help("Output format")
}

fn field_help(spec: &Spec, f: &Field) -> String {
    if f.name == "kind" && f.help.is_empty() {
        return match spec.kind {
            Kind::Curriculum => "minor, master or post_master (post-master)".to_string(),
            _ => "lectorate (lectoraat) or chair (leerstoel)".to_string(),
        };
    }
    f.help.to_string()
}

/// The statuses a kind's lifecycle accepts, for help texts.
/// The code of the first stage of a kind's lifecycle.
fn first_status(kind: Kind) -> &'static str {
    match kind {
        Kind::Assignment => AssignmentStatus::Preparation.code(),
        Kind::Lab => LabStatus::InFormation.code(),
        Kind::Community => CommunityStatus::Planned.code(),
        Kind::Curriculum => CurriculumStatus::InDevelopment.code(),
        _ => ChairStatus::Planned.code(),
    }
}

/// "in preparation, then in progress, ...": the lifecycle of a kind.
fn lifecycle_order(kind: Kind) -> String {
    match kind {
        Kind::Assignment => AssignmentStatus::order(),
        Kind::Lab => LabStatus::order(),
        Kind::Community => CommunityStatus::order(),
        Kind::Curriculum => CurriculumStatus::order(),
        _ => ChairStatus::order(),
    }
}

fn statuses(kind: Kind) -> String {
    match kind {
        Kind::Assignment => AssignmentStatus::expected(),
        Kind::Lab => LabStatus::expected(),
        Kind::Community => CommunityStatus::expected(),
        Kind::Curriculum => CurriculumStatus::expected(),
        Kind::Chair => ChairStatus::expected(),
        _ => String::new(),
    }
}

fn add_command(spec: &Spec) -> Command {
    let mut cmd =
        Command::new("add").about(format!("Add a {}", spec.kind.name())).after_help(examples(&[spec.examples[0]]));
    for f in spec.fields {
        let arg = if f.name == spec.positional {
            Arg::new(f.name).value_name(f.value_name).required(true).help(field_help(spec, f))
        } else if let Some(flag) = f.flag {
            Arg::new(f.name).long(flag).value_name(f.value_name).action(ArgAction::Append).help(field_help(spec, f))
        } else {
            let help = if f.required { format!("{} [required]", field_help(spec, f)) } else { field_help(spec, f) };
            Arg::new(f.name)
                .long(f.name.replace('_', "-"))
                .value_name(f.value_name)
                .allow_negative_numbers(true)
                .help(help)
        };
        cmd = cmd.arg(arg);
    }
    if let Some(default) = spec.default_status {
        cmd = cmd
            .arg(
                Arg::new("status")
                    .long("status")
                    .value_name("STATUS")
                    .help(format!("Its status: {} [default: {default}]", statuses(spec.kind))),
            )
            .arg(
                Arg::new("on")
                    .long("on")
                    .visible_alias("since")
                    .value_name("DATE")
                    .help("The day that status began [default: today]"),
            );
    }
    cmd
}

fn edit_command(spec: &Spec) -> Command {
    let mut cmd = Command::new("edit")
        .about(format!("Change fields of a {} (an empty value clears an optional field)", spec.kind.name()))
        .after_help(examples(&[spec.examples[3]]))
        .arg(Arg::new("ref").value_name("ID|NAME").required(true).help(format!("The {} to change", spec.kind.name())));
    for f in spec.fields {
        if let Some(flag) = f.flag {
            cmd = cmd
                .arg(
                    Arg::new(format!("add-{flag}"))
                        .long(format!("add-{flag}"))
                        .value_name(f.value_name)
                        .action(ArgAction::Append)
                        .help(format!("Add: {}", f.help.trim_end_matches(" (repeatable)"))),
                )
                .arg(
                    Arg::new(format!("remove-{flag}"))
                        .long(format!("remove-{flag}"))
                        .value_name(f.value_name)
                        .action(ArgAction::Append)
                        .help("Remove one (repeatable)"),
                );
        } else {
            cmd = cmd.arg(
                Arg::new(f.name)
                    .long(f.name.replace('_', "-"))
                    .value_name(f.value_name)
                    .allow_negative_numbers(true)
                    .help(field_help(spec, f)),
            );
        }
    }
    cmd
}

fn list_command(spec: &Spec) -> Command {
    let mut cmd = Command::new("list")
        .about(format!("List {} records, filtered, in a stable order", spec.kind.name()))
        .after_help(format!("{}\n\n{}", list_examples(spec), super::list::FORMATS_HELP));
    cmd = super::list::output_args(cmd);
    for filter in spec.filters {
        let arg = Arg::new(*filter).long(*filter);
        cmd = cmd.arg(match *filter {
            "as-of" => arg.value_name("DATE").help("Statuses on this date; leave out what did not exist yet"),
            "year" => arg
                .value_name("YEAR")
                .value_parser(clap::value_parser!(i16))
                .help("As of 31 December of YEAR (as the yearly report counts)"),
            "started-in" => {
                arg.value_name("YEAR").value_parser(clap::value_parser!(i16)).help("Only those that started in YEAR")
            }
            "taken-up" => {
                arg.action(ArgAction::SetTrue).conflicts_with("open").help("Only questions something took up")
            }
            "open" => arg.action(ArgAction::SetTrue).help("Only questions nothing took up yet"),
            "status" => arg.value_name("STATUS").help(format!("Only this status: {}", statuses(spec.kind))),
            "partner" => arg.value_name("PARTNER").help("Only those of this partner"),
            other => arg.value_name(other.to_uppercase()).help(format!("Only this {other}")),
        });
    }
    cmd
}

/// How a record is named on the command line, for help texts.
const REFERENCES: &str = "References: a record is named by its id or by any name it answers to. A bare number is \
an id (`12`); `name:TEXT` is TEXT as a name only, so `name:1` is the partner called \"1\", not the one with id 1.";

fn build_command(spec: &Spec) -> Command {
    let name = spec.kind.name();
    let mut cmd = Command::new(name)
        .about(spec.about)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(format!("{}\n\n{REFERENCES}", examples(&spec.examples)))
        .subcommand(add_command(spec))
        .subcommand(list_command(spec))
        .subcommand(
            Command::new("show")
                .about(format!("Show one {name} in full"))
                .after_help(examples(&[spec.examples[2]]))
                .arg(Arg::new("ref").value_name("ID|NAME").required(true).help(format!(
                    "The {name}: its id, or a name it answers to (name:TEXT for a name that is a number)"
                )))
                .arg(
                    Arg::new("as-of")
                        .long("as-of")
                        .value_name("DATE")
                        .help("Show the status on this date [default: today]"),
                )
                .arg(format_arg()),
        )
        .subcommand(edit_command(spec))
        .subcommand(
            Command::new("remove")
                .about(format!("Remove a {name} (refused while other records refer to it)"))
                .after_help(examples(&[spec.examples[4]]))
                .arg(Arg::new("ref").value_name("ID|NAME").required(true).help(format!("The {name} to remove"))),
        );
    if spec.default_status.is_some() {
        cmd = cmd.subcommand(
            Command::new("status")
                .about(format!(
                    "Record a status change of a {name}; the history is kept, so past figures stay as they were"
                ))
                .after_help(format!(
                    "A change is refused where it breaks the lifecycle order ({order}), naming both changes; \
                     --any-order records it where that order is meant. --on takes a day in 2000 to ten years \
                     after today.\n\n{}\n  ipart {kind} status 1 {first} --on 2021-01-01 --any-order",
                    examples(&[spec.examples[5]]),
                    order = lifecycle_order(spec.kind),
                    kind = spec.kind.name(),
                    first = first_status(spec.kind),
                ))
                .arg(Arg::new("ref").value_name("ID|NAME").required(true).help(format!("The {name}")))
                .arg(
                    Arg::new("status")
                        .value_name("STATUS")
                        .required_unless_present("remove")
                        .help(format!("The new status: {}", statuses(spec.kind))),
                )
                .arg(Arg::new("on").long("on").value_name("DATE").help("The day it began [default: today]"))
                .arg(
                    Arg::new("replace")
                        .long("replace")
                        .action(ArgAction::SetTrue)
                        .conflicts_with("remove")
                        .help("Replace a change already recorded on that day (refused without it)"),
                )
                .arg(Arg::new("any-order").long("any-order").action(ArgAction::SetTrue).conflicts_with("remove").help(
                    format!(
                        "Record the change even where it breaks the lifecycle order ({}); refused without it",
                        lifecycle_order(spec.kind)
                    ),
                ))
                .arg(
                    Arg::new("remove")
                        .long("remove")
                        .action(ArgAction::SetTrue)
                        .requires("on")
                        .conflicts_with("status")
                        .help("Remove the change on --on DATE instead (a mistake)"),
                ),
        );
    }
    cmd
}

impl FromArgMatches for RecordCommand {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let missing = || clap::Error::new(clap::error::ErrorKind::MissingSubcommand);
        let (name, sub) = matches.subcommand().ok_or_else(missing)?;
        let spec = SPECS.iter().find(|s| s.kind.name() == name).ok_or_else(missing)?;
        let (action_name, action_matches) = sub.subcommand().ok_or_else(missing)?;
        let action = ACTIONS.iter().find(|(_, n)| *n == action_name).map(|(a, _)| *a).ok_or_else(missing)?;
        Ok(RecordCommand { kind: spec.kind, action, matches: action_matches.clone() })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Subcommand for RecordCommand {
    fn augment_subcommands(mut cmd: Command) -> Command {
        for spec in SPECS {
            cmd = cmd.subcommand(build_command(spec));
        }
        cmd
    }

    fn augment_subcommands_for_update(cmd: Command) -> Command {
        Self::augment_subcommands(cmd)
    }

    fn has_subcommand(name: &str) -> bool {
        SPECS.iter().any(|s| s.kind.name() == name)
    }
}

fn string(m: &ArgMatches, id: &str) -> Option<String> {
    m.try_get_one::<String>(id).ok().flatten().cloned()
}

fn strings(m: &ArgMatches, id: &str) -> Vec<String> {
    m.try_get_many::<String>(id).ok().flatten().map(|v| v.cloned().collect()).unwrap_or_default()
}

fn format_of(m: &ArgMatches) -> Format {
    m.try_get_one::<Format>("format").ok().flatten().copied().unwrap_or_default()
}

/// Joins repeated flag values into one native field; `|` joins, so it
/// cannot be part of a value.
fn join_multi(flag: &str, values: &[String]) -> Result<String> {
    if let Some(v) = values.iter().find(|v| v.contains('|')) {
        return Err(Error::invalid(format!("--{flag}: {v:?} contains '|', which separates values in files")).into());
    }
    Ok(values.join("|"))
}

impl RecordCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let spec = spec_of(self.kind);
        let m = &self.matches;
        match self.action {
            Action::Add => add(ctx, spec, m),
            Action::List => list(ctx, spec, m),
            Action::Show => show(ctx, spec, m),
            Action::Edit => edit(ctx, spec, m),
            Action::Remove => remove(ctx, spec, m),
            Action::Status => status(ctx, spec, m),
        }
    }
}

fn add(ctx: &Context, spec: &Spec, m: &ArgMatches) -> Result<()> {
    let mut fields = Fields::new();
    for f in spec.fields {
        if let Some(flag) = f.flag {
            fields.set(f.name, join_multi(flag, &strings(m, f.name))?);
        } else if let Some(v) = string(m, f.name) {
            fields.set(f.name, v);
        }
    }
    if let Some(default) = spec.default_status {
        fields.set("status", string(m, "status").unwrap_or_else(|| default.to_string()));
        if let Some(on) = string(m, "on") {
            fields.set("status_since", on);
        }
    }
    let today = ctx.today()?;
    let mut registry = ctx.open()?;
    let command = format!("{} add", spec.kind.name());
    let id = registry.write(&command, |w| {
        let mut cat = Catalog::load(w, spec.kind, today)?.typed();
        let built = build(spec.kind, &fields, &cat).map_err(problems_error)?;
        built.insert(w, &mut cat)
    })?;
    ctx.info(format!("added {} {id}", spec.kind.name()));
    ctx.note_demo_write();
    let mut out = ctx.stdout();
    std::io::Write::write_fmt(&mut out, format_args!("{id}\n"))?;
    finish(out)
}

fn list(ctx: &Context, spec: &Spec, m: &ArgMatches) -> Result<()> {
    let year = m.try_get_one::<i16>("year").ok().flatten().copied();
    let flag = |id: &str| m.try_get_one::<bool>(id).ok().flatten().copied().unwrap_or(false);
    let filter = ListFilter {
        as_of: as_of_arg(string(m, "as-of").as_deref(), year)?,
        status: string(m, "status"),
        level: string(m, "level"),
        kind: string(m, "kind"),
        theme: string(m, "theme"),
        partner: string(m, "partner"),
        lab: string(m, "lab"),
        region: string(m, "region"),
        sector: string(m, "sector"),
        source: string(m, "source"),
        started_in: m.try_get_one::<i16>("started-in").ok().flatten().copied(),
        taken_up: if flag("taken-up") {
            Some(true)
        } else if flag("open") {
            Some(false)
        } else {
            None
        },
    };
    super::list::run(ctx, spec.kind, spec.table_columns, &filter, m)
}

fn show(ctx: &Context, spec: &Spec, m: &ArgMatches) -> Result<()> {
    let registry = ctx.open()?;
    let reference = string(m, "ref").unwrap_or_default();
    let id = record::resolve(registry.conn(), spec.kind, &reference)?;
    let on = match string(m, "as-of") {
        Some(d) => date_arg("--as-of", &d)?,
        None => ctx.today()?,
    };
    let fields = record::show(registry.conn(), spec.kind, id, on)?;
    let names = Names::load(registry.conn(), spec.kind, ctx.lang())?;
    let mut out = ctx.stdout();
    Record::new(fields).render(format_of(m), ctx.style, &names, spreadsheet_cell, &mut out)?;
    finish(out)
}

fn edit(ctx: &Context, spec: &Spec, m: &ArgMatches) -> Result<()> {
    let today = ctx.today()?;
    let mut registry = ctx.open()?;
    let reference = string(m, "ref").unwrap_or_default();
    let id = record::resolve(registry.conn(), spec.kind, &reference)?;
    let command = format!("{} edit", spec.kind.name());
    let changed = registry.write(&command, |w| {
        let old = record::stored(w, spec.kind, id)?;
        let cat = Catalog::load(w, spec.kind, today)?.typed();
        let mut fields = record::fields(w, spec.kind, id)?;
        // The stored references go through the command line's rule with the
        // values typed: a stored name that looks like an id stays a name.
        for column in spec.kind.columns().iter().filter(|c| Kind::is_name_reference(c)) {
            if let Some(value) = fields.get(column) {
                let names: Vec<String> = value.split('|').map(|n| lookup::typed_name(n.trim()).into_owned()).collect();
                fields.set(column, names.join("|"));
            }
        }
        for f in spec.fields {
            if let Some(flag) = f.flag {
                let values = edit_list(&cat, f.name, flag, &fields, m)?;
                fields.set(f.name, join_multi(flag, &values)?);
            } else if let Some(v) = string(m, f.name) {
                fields.set(f.name, v);
            }
        }
        let new = build(spec.kind, &fields, &cat).map_err(problems_error)?.with_id(id);
        if new.same_record(&old) {
            return Ok(false);
        }
        new.update(w, &cat, &old)?;
        Ok(true)
    })?;
    if changed {
        ctx.info(format!("changed {} {id}", spec.kind.name()));
        ctx.note_demo_write();
    } else {
        ctx.info(format!("{} {id} already had those values; nothing changed", spec.kind.name()));
    }
    Ok(())
}

/// A list field after `--add-FLAG` and `--remove-FLAG`. Values are the
/// same when they name the same record (a reference: `--remove-member 7`
/// takes out partner 7 by whatever name it is listed), else when they are
/// spelled alike.
fn edit_list(cat: &Catalog, field: &str, flag: &str, fields: &Fields, m: &ArgMatches) -> Result<Vec<String>> {
    let index = cat.index_for(field);
    let same = |a: &str, b: &str| match index.map(|i| (i.find(a, Written::Typed), i.find(b, Written::Typed))) {
        Some((Ok(Some(x)), Ok(Some(y)))) => x == y,
        _ => names::fold(a) == names::fold(b),
    };
    let mut values: Vec<String> = fields.list(field).into_iter().map(str::to_string).collect();
    for added in strings(m, &format!("add-{flag}")) {
        if !values.iter().any(|v| same(v, &added)) {
            values.push(added);
        }
    }
    for removed in strings(m, &format!("remove-{flag}")) {
        let before = values.len();
        values.retain(|v| !same(v, &removed));
        if values.len() == before {
            return Err(Error::invalid(format!(
                "--remove-{flag}: {removed:?} is not among {field} (has: {})",
                if values.is_empty() { "none".to_string() } else { values.join(", ") }
            ))
            .into());
        }
    }
    Ok(values)
}

fn remove(ctx: &Context, spec: &Spec, m: &ArgMatches) -> Result<()> {
    let mut registry = ctx.open()?;
    let reference = string(m, "ref").unwrap_or_default();
    let id = record::resolve(registry.conn(), spec.kind, &reference)?;
    let command = format!("{} remove", spec.kind.name());
    registry.write(&command, |w| record::stored(w, spec.kind, id)?.delete(w))?;
    ctx.info(format!("removed {} {id}", spec.kind.name()));
    ctx.note_demo_write();
    Ok(())
}

fn status(ctx: &Context, spec: &Spec, m: &ArgMatches) -> Result<()> {
    let Some(table) = history_table(spec.kind) else {
        return Err(Error::usage(format!("{} records have no status", spec.kind.name())).into());
    };
    let mut registry = ctx.open()?;
    let reference = string(m, "ref").unwrap_or_default();
    let id = record::resolve(registry.conn(), spec.kind, &reference)?;
    // A change removed may lie outside the accepted years (it is how such a
    // mistake is undone); a change recorded may not.
    let on = match string(m, "on") {
        Some(d) if m.get_flag("remove") => date_arg("--on", &d)?,
        Some(d) => new_date_arg("--on", &d, ctx.today()?)?,
        None => ctx.today()?,
    };
    let command = format!("{} status", spec.kind.name());
    let lang = ctx.lang();
    let record = format!("{} {id}", spec.kind.name_in(lang));
    if m.get_flag("remove") {
        let now = registry.write(&command, |w| {
            history::remove(w, table, id, on)?;
            status_now(w, spec.kind, table, id, lang)
        })?;
        ctx.say(
            format!("{record}: the status change on {on} is removed; now {now}"),
            format!("{record}: de statuswijziging op {on} is verwijderd; nu {now}"),
        );
        ctx.note_demo_write();
        return Ok(());
    }
    let given = string(m, "status").unwrap_or_default();
    let replace = m.get_flag("replace");
    let any_order = m.get_flag("any-order");
    let said = registry.write(&command, |w| {
        let invalid = |e: Error| Error::invalid(format!("STATUS: {}", e.message));
        match spec.kind {
            Kind::Assignment => {
                set_status::<AssignmentStatus>(w, table, id, &given, on, (replace, any_order), lang, invalid)
            }
            Kind::Lab => set_status::<LabStatus>(w, table, id, &given, on, (replace, any_order), lang, invalid),
            Kind::Community => {
                set_status::<CommunityStatus>(w, table, id, &given, on, (replace, any_order), lang, invalid)
            }
            Kind::Curriculum => {
                set_status::<CurriculumStatus>(w, table, id, &given, on, (replace, any_order), lang, invalid)
            }
            _ => set_status::<ChairStatus>(w, table, id, &given, on, (replace, any_order), lang, invalid),
        }
    })?;
    let (status, outcome) = said;
    match outcome {
        Said::Added => ctx.say(format!("{record}: {status} since {on}"), format!("{record}: {status} sinds {on}")),
        Said::Replaced(was) => ctx.say(
            format!("{record}: {status} since {on} (replacing {was} on that day)"),
            format!("{record}: {status} sinds {on} (in plaats van {was} op die dag)"),
        ),
        Said::AlreadySo(since) => ctx.say(
            format!("{record} is already {status} (since {since}); nothing changed"),
            format!("{record} is al {status} (sinds {since}); er is niets gewijzigd"),
        ),
    }
    if !matches!(outcome, Said::AlreadySo(_)) {
        ctx.note_demo_write();
    }
    Ok(())
}

/// What a status command did, with status names in the reader's language.
enum Said {
    Added,
    Replaced(&'static str),
    AlreadySo(Date),
}

#[allow(clippy::too_many_arguments)]
fn set_status<S: Lifecycle + serde::Serialize>(
    w: &crate::store::Writer,
    table: history::HistoryTable,
    id: i64,
    given: &str,
    on: Date,
    (replace, any_order): (bool, bool),
    lang: Lang,
    invalid: impl Fn(Error) -> Error,
) -> Result<(&'static str, Said)> {
    let status = S::parse(given).map_err(invalid)?;
    let said = match history::change(w, table, id, StatusChange { since: on, status }, replace, any_order)? {
        history::Outcome::Added => Said::Added,
        history::Outcome::Replaced { was } => Said::Replaced(was.name(lang)),
        history::Outcome::AlreadySo { since } => Said::AlreadySo(since),
    };
    Ok((status.name(lang), said))
}

/// "in progress since 2023-09-01": the status a record has now, after its
/// last change, in the reader's language.
fn status_now(
    w: &crate::store::Writer,
    kind: Kind,
    table: history::HistoryTable,
    id: i64,
    lang: Lang,
) -> Result<String> {
    fn last<S: Vocabulary>(w: &crate::store::Writer, t: history::HistoryTable, id: i64, lang: Lang) -> Result<String> {
        let history = history::load::<S>(w, t, id)?;
        Ok(history
            .last()
            .map(|c| match lang {
                Lang::En => format!("{} since {}", c.status.name(lang), c.since),
                Lang::Nl => format!("{} sinds {}", c.status.name(lang), c.since),
            })
            .unwrap_or_default())
    }
    match kind {
        Kind::Assignment => last::<AssignmentStatus>(w, table, id, lang),
        Kind::Lab => last::<LabStatus>(w, table, id, lang),
        Kind::Community => last::<CommunityStatus>(w, table, id, lang),
        Kind::Curriculum => last::<CurriculumStatus>(w, table, id, lang),
        _ => last::<ChairStatus>(w, table, id, lang),
    }
}
