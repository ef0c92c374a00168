//! `ipart mapping new` and `ipart mapping check`: from an export ipart has
//! not seen to an import, filling in only the value lists.

mod importing;

use std::path::Path;

use importing::{Reg, fixture};

const STAGES: &str = "fixtures/import/student-admin/stages-2024.csv";

/// Fills every `"VALUE" = ""` line of a starter mapping from `answers`.
fn fill(starter: &str, answers: &[(&str, &str)]) -> String {
    starter
        .lines()
        .map(|line| {
            for (value, code) in answers {
                if line.starts_with(&format!("\"{value}\" = \"\"")) {
                    return line.replacen("= \"\"", &format!("= \"{code}\""), 1);
                }
            }
            line.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_starter_mapping_filled_in_imports_the_student_administration_export() {
    let reg = Reg::demo();
    let file = fixture(STAGES);
    let map = reg.path("stages.toml").display().to_string();
    let (code, stdout, stderr) = reg.run(&["mapping", "new", &file, "--kind", "assignments", "-o", &map]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    let starter = std::fs::read_to_string(&map).unwrap();
    for expected in [
        "note = \"Opmerking intern\"",
        "encoding = \"windows-1252\"\ndelimiter = \";\"\nskip_lines = 2",
        "date_format = \"dd-mm-yyyy\"",
        "title = \"Titel opdracht\"",
        "government_partner = \"Opdrachtgever\"",
        "starts_on = \"Startdatum\"",
        "level = \"Niveau\"",
        "\"Meewerkstage\" = \"\"  # one of: internship, graduation, group, hackathon; 2 rows",
        "\"HBO-bachelor\" = \"HBO\"  # understood as it is; 4 rows",
        "\"Data en AI\" = \"\"  # one of: data-ai, cybersecurity,",
    ] {
        assert!(starter.contains(expected), "{expected:?} not in:\n{starter}");
    }

    // Not filled in yet: the check says what is left, and where.
    let (code, stdout, stderr) = reg.run(&["mapping", "check", &map, &file]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stdout.contains(
            "  column \"Soort\": \"Meewerkstage\" is not mapped yet: fill in what it means under [values.kind]"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("; 2 rows (lines 5, 8)\n"), "{stdout}");
    assert!(stdout.contains("  \"Opmerking intern\"     -> note\n"), "{stdout}");
    assert!(stdout.ends_with("8 rows read: 0 column(s) and 4 value(s) left to map\n"), "{stdout}");
    let before = reg.snapshot();
    let (code, _, _) = reg.run(&["import", "assignments", &file, "--map", &map]);
    assert_eq!(code, 3, "a value left blank is refused, not imported empty");
    assert_eq!(reg.snapshot(), before);

    let filled = fill(
        &starter,
        &[
            ("Meewerkstage", "internship"),
            ("Minorproject", "group"),
            ("Data en AI", "data-ai"),
            ("Aangemeld", "preparation"),
        ],
    );
    std::fs::write(&map, filled).unwrap();
    let (code, stdout, stderr) = reg.run(&["mapping", "check", &map, &file]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.ends_with("8 rows read: every column and value maps\n"), "{stdout}");
    let (code, _, stderr) = reg.run(&["import", "assignments", &file, "--map", &map]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("8 rows: 8 added"), "{stderr}");
    let list = reg.ok(&["export", "assignments"]);
    assert!(
        list.contains("stages-2024,SA-2024-002,Archivering van e-mail bij Financiën,internship,HBO,information-management,Ministerie van Financiën,Hanze Hogeschool,,2,2024-02-12,2024-07-05,2024-02-12=in_progress"),
        "{list}"
    );
}

#[test]
fn a_starter_mapping_for_duo_institutions_imports_them_as_education_partners() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata/duo-ho-adressen/01-instellingen-hbo-en-wo.csv");
    if !path.exists() {
        println!("skipped: {} not present", path.display());
        return;
    }
    let reg = Reg::empty();
    let file = path.display().to_string();
    let (code, starter, stderr) = reg.run(&["mapping", "new", &file, "--kind", "partners"]);
    assert_eq!(code, 0, "{stderr}");
    for expected in [
        "name = \"INSTELLINGSNAAM\"",
        "external_code = \"BRIN NUMMER\"",
        "level = \"SOORT HO\"",
        "region = \"PROVINCIE\"",
        "sector = \"education\"",
        "\"hbo\" = \"HBO\"",
        "\"Groningen\" = \"\"  # one of: noord, oost, midden, west, zuid",
    ] {
        assert!(starter.contains(expected), "{expected:?} not in:\n{starter}");
    }
    let provinces = [
        ("Groningen", "noord"),
        ("Friesland", "noord"),
        ("Fryslân", "noord"),
        ("Drenthe", "noord"),
        ("Overijssel", "oost"),
        ("Gelderland", "oost"),
        ("Utrecht", "midden"),
        ("Flevoland", "midden"),
        ("Noord-Holland", "west"),
        ("Zuid-Holland", "west"),
        ("Zeeland", "zuid"),
        ("Noord-Brabant", "zuid"),
        ("Limburg", "zuid"),
    ];
    let map = reg.path("duo.toml");
    std::fs::write(&map, fill(&starter, &provinces)).unwrap();
    let map = map.display().to_string();
    let (code, stdout, stderr) = reg.run(&["mapping", "check", &map, &file]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, _, stderr) = reg.run(&["import", "partners", &file, "--map", &map]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("54 rows: 54 added"), "{stderr}");
    let partners = reg.ok(&["export", "partners"]);
    assert!(partners.contains("NHL Stenden Hogeschool,,,education,HBO,noord,,,31FR,"), "{partners}");
}

#[test]
fn mapping_check_names_columns_the_file_lacks_and_columns_left_out_unawares() {
    let reg = Reg::demo();
    let map = std::fs::read_to_string(fixture("fixtures/import/hanze-osiris/osiris.toml"))
        .unwrap()
        .replace("ignore = [\"Opleiding\"]", "")
        .replace("title = \"Titel opdracht\"", "title = \"Titel\"");
    let path = reg.path("osiris.toml");
    std::fs::write(&path, map).unwrap();
    let file = fixture("fixtures/import/hanze-osiris/osiris-2023.csv");
    let (code, stdout, stderr) = reg.run(&["mapping", "check", &path.display().to_string(), &file]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stdout.contains("  \"Opleiding\"         NOT MAPPED: neither a field nor in ignore = [...]\n"), "{stdout}");
    assert!(stdout.contains("  \"Titel opdracht\"    NOT MAPPED"), "{stdout}");
    assert!(
        stdout.contains("columns the mapping names that the file lacks:\n  title <- column \"Titel\"\n"),
        "{stdout}"
    );
    assert!(stdout.ends_with("8 rows read: 3 column(s) and 0 value(s) left to map\n"), "{stdout}");
}
