//! How a file is read: encodings told by the text (a Big5 file read as
//! Big5, an uncertain one refused naming the likely encoding), CR-only and
//! mixed line ends, quoted multi-line cells, the refusal of a header with
//! unknown columns, and the warning for a column neither mapped nor ignored.

mod importing;

use importing::{OSIRIS_MAP, Reg, fixture};

fn write(reg: &Reg, name: &str, bytes: &[u8]) -> String {
    let path = reg.path(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[test]
fn a_big5_file_is_read_as_big5_and_said_so() {
    let reg = Reg::empty();
    let mut text = String::from("name,sector,level\n");
    let names = ["國立臺灣大學", "國立清華大學", "國立成功大學", "國立交通大學", "國立政治大學", "臺北醫學大學"];
    for name in names {
        text.push_str(&format!("{name},education,WO\n"));
    }
    let file = write(&reg, "big5.csv", &encoding_rs::BIG5.encode(&text).0);
    let (code, _, stderr) = reg.run(&["import", "partners", &file]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with("detected: Big5 (told by the text; --encoding overrides), ',', header on line 1"),
        "{stderr}"
    );
    let partners = reg.ok(&["export", "partners"]);
    for name in names {
        assert!(partners.contains(&format!("\n{name},,,education,WO,")), "{name} garbled: {partners}");
    }
}

#[test]
fn an_encoding_that_cannot_be_told_is_refused_naming_the_likely_one() {
    let reg = Reg::empty();
    let mut text = String::from("name,sector,level\n");
    for name in ["Московский университет", "Санкт-Петербургский университет", "Новосибирский университет"]
    {
        text.push_str(&format!("{name},education,WO\n"));
    }
    let file = write(&reg, "cyrillic.csv", &encoding_rs::WINDOWS_1251.encode(&text).0);
    let before = reg.snapshot();
    let (code, _, stderr) = reg.run(&["import", "partners", &file]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("is neither UTF-8 nor Windows-1252: it reads most likely as windows-1251"), "{stderr}");
    assert!(stderr.contains("give --encoding windows-1251"), "{stderr}");
    assert_eq!(reg.snapshot(), before);
    // Named, it imports.
    let (code, _, stderr) = reg.run(&["import", "partners", &file, "--encoding", "windows-1251"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(reg.ok(&["export", "partners"]).contains("Московский университет"));
}

#[test]
fn cr_only_line_ends_are_line_ends() {
    let reg = Reg::demo();
    let bytes = std::fs::read(fixture("fixtures/import/hanze-osiris/osiris-2023.csv")).unwrap();
    let cr_only: Vec<u8> =
        bytes.windows(2).filter(|w| w != b"\r\n").map(|w| w[0]).chain(bytes.last().copied()).collect();
    let cr_only: Vec<u8> = cr_only.into_iter().map(|b| if b == b'\n' { b'\r' } else { b }).collect();
    assert!(!cr_only.contains(&b'\n'));
    let file = write(&reg, "osiris-cr.csv", &cr_only);
    let (code, _, stderr) = reg.run(&["import", "assignments", &file, "--map", OSIRIS_MAP]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with(
            "detected: Windows-1252, ';', header on line 3, dates d-m-yyyy, CR line ends\n8 rows: 8 added"
        ),
        "{stderr}"
    );
}

#[test]
fn a_comma_file_with_multi_line_cells_and_mixed_line_ends_is_read_right() {
    let reg = Reg::demo();
    let mut text = String::from(
        "source,external_id,title,kind,level,theme,government_partner,education_partner,lab,students,starts_on,ends_on,status_history,note\r\n",
    );
    // Records end in CR LF, LF and CR in turn; the note's own line breaks
    // (free text keeps them; a bare CR inside text is refused) in LF or CR LF.
    for (i, end) in ["\r\n", "\n", "\r"].iter().cycle().take(6).enumerate() {
        let level = if i == 4 { "HBOO" } else { "HBO" };
        let inner = if i % 2 == 0 { "\n" } else { "\r\n" };
        text.push_str(&format!(
            "mixed,M{i},Titel {i},internship,{level},data-ai,DUO,HU,,1,2023-09-01,2024-01-31,2023-09-01=in_progress,\"Notitie {i}{inner}tweede regel; met ; puntkomma's{inner}derde; regel\"{end}"
        ));
    }
    let file = write(&reg, "mixed.csv", text.as_bytes());
    let (code, _, stderr) = reg.run(&["import", "assignments", &file]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.starts_with("detected: ASCII so far (UTF-8 or Windows-1252 is decided at the first other byte), ',', header on line 1, dates yyyy-mm-dd, mixed line ends\n"), "{stderr}");
    // Each record spans three lines: the fifth starts on line 2 + 4 * 3.
    assert!(stderr.contains(&format!("{file}:14: column \"level\": \"HBOO\" is not an education level")), "{stderr}");
}

#[test]
fn a_foreign_header_is_refused_with_every_unknown_column_and_the_way_on() {
    let reg = Reg::demo();
    let file = fixture("fixtures/import/hanze-osiris/osiris-2023.csv");
    let before = reg.snapshot();
    let (code, _, stderr) = reg.run(&["import", "assignments", &file]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.starts_with("detected: Windows-1252, ';', header on line 3, CRLF line ends\n"), "{stderr}");
    assert!(
        stderr.contains(": 12 columns are not fields of assignment records:\n  \"Stagenummer\"\n  \"Titel opdracht\""),
        "{stderr}"
    );
    assert!(stderr.contains("\n  \"Statusdatum\""), "every unknown column is listed: {stderr}");
    assert!(
        stderr.contains("has the columns: source, external_id, title, kind, level, theme, government_partner"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("  ipart mapping new {file} --kind assignments -o assignments.toml\n")),
        "{stderr}"
    );
    assert_eq!(reg.snapshot(), before);
}

#[test]
fn a_column_neither_mapped_nor_ignored_is_warned_about_once() {
    let reg = Reg::demo();
    let map = std::fs::read_to_string(fixture(OSIRIS_MAP)).unwrap().replace("ignore = [\"Opleiding\"]", "");
    let map_path = reg.path("osiris.toml");
    std::fs::write(&map_path, map).unwrap();
    let map_path = map_path.display().to_string();
    let file = fixture("fixtures/import/hanze-osiris/osiris-2023.csv");
    let (code, _, stderr) = reg.run(&["import", "assignments", &file, "--map", &map_path, "--quiet"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "ipart: warning: {file}: 1 column is neither mapped nor ignored by {map_path}, so not imported: \"Opleiding\" (map it under [fields], or list it in ignore = [...] if it is left out on purpose)\n"
        )
    );
    // With the column ignored, nothing is said.
    let (code, _, stderr) = reg.run(&["import", "assignments", &file, "--map", OSIRIS_MAP, "--quiet"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
}
