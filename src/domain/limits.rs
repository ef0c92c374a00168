//! How much text a field may hold, and which characters.
//!
//! A registry of names, titles and short notes has no use for a megabyte in
//! one field, and a field that large only ever arrives by mistake or on
//! purpose (a file read into the wrong column, a hostile export). Refusing
//! it where values enter (every field of every record goes through
//! `native::build`, from the command line or from a file) keeps the file
//! small, the output readable, and the name matching fast: suggestions
//! compare the input with every known name.

use super::records::{FieldError, Problems};

/// Names, titles, codes, aliases, identifiers: one line of a list.
pub const MAX_NAME_CHARS: usize = 500;

/// Free text (a lab's description, a PhD topic, a research question) and
/// whole lists and status histories.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Fields that hold free text rather than a name.
const FREE_TEXT: &[&str] = &["description", "topic", "text", "note", "status_history"];

/// Free text that may run over several lines: a lab's or community's
/// description, a PhD topic, a research question, the remarks on an
/// assignment. Every other field is one line (a name, title, code, alias,
/// date, number or status history).
const MULTI_LINE: &[&str] = &["description", "topic", "text", "note"];

/// Fields holding several values joined with `|`: each value is a name.
const LISTS: &[&str] = &["aliases", "regions", "themes", "members", "partners"];

/// The longest value `field` accepts, in characters.
pub fn max_chars(field: &str) -> usize {
    if FREE_TEXT.contains(&field) || LISTS.contains(&field) { MAX_TEXT_CHARS } else { MAX_NAME_CHARS }
}

/// Whether `field` may hold several lines (tabs and line breaks).
pub fn is_multi_line(field: &str) -> bool {
    MULTI_LINE.contains(&field)
}

/// The characters no text field accepts, with their Unicode names: control
/// characters (C0, DEL, C1: a bare CR returns to the start of the line and
/// hides what came before, ESC starts a terminal escape sequence), the
/// bidirectional marks, embeddings, overrides and isolates (U+202E shows
/// the rest of a line reversed, so `abc\u{202E}fdp.exe` reads as
/// `abcexe.pdf`), and the invisible ones: zero-width spaces and joiners, the
/// line and paragraph separators, the byte order mark. A value holding one
/// looks like another value, or hides part of itself. Free text accepts tab
/// and line feed (see [`check_field`]).
pub fn refused_name(c: char) -> Option<&'static str> {
    const C0: [&str; 32] = [
        "NULL",
        "START OF HEADING",
        "START OF TEXT",
        "END OF TEXT",
        "END OF TRANSMISSION",
        "ENQUIRY",
        "ACKNOWLEDGE",
        "BELL",
        "BACKSPACE",
        "CHARACTER TABULATION",
        "LINE FEED",
        "LINE TABULATION",
        "FORM FEED",
        "CARRIAGE RETURN",
        "SHIFT OUT",
        "SHIFT IN",
        "DATA LINK ESCAPE",
        "DEVICE CONTROL ONE",
        "DEVICE CONTROL TWO",
        "DEVICE CONTROL THREE",
        "DEVICE CONTROL FOUR",
        "NEGATIVE ACKNOWLEDGE",
        "SYNCHRONOUS IDLE",
        "END OF TRANSMISSION BLOCK",
        "CANCEL",
        "END OF MEDIUM",
        "SUBSTITUTE",
        "ESCAPE",
        "INFORMATION SEPARATOR FOUR",
        "INFORMATION SEPARATOR THREE",
        "INFORMATION SEPARATOR TWO",
        "INFORMATION SEPARATOR ONE",
    ];
    const C1: [&str; 32] = [
        "PADDING CHARACTER",
        "HIGH OCTET PRESET",
        "BREAK PERMITTED HERE",
        "NO BREAK HERE",
        "INDEX",
        "NEXT LINE",
        "START OF SELECTED AREA",
        "END OF SELECTED AREA",
        "CHARACTER TABULATION SET",
        "CHARACTER TABULATION WITH JUSTIFICATION",
        "LINE TABULATION SET",
        "PARTIAL LINE FORWARD",
        "PARTIAL LINE BACKWARD",
        "REVERSE LINE FEED",
        "SINGLE SHIFT TWO",
        "SINGLE SHIFT THREE",
        "DEVICE CONTROL STRING",
        "PRIVATE USE ONE",
        "PRIVATE USE TWO",
        "SET TRANSMIT STATE",
        "CANCEL CHARACTER",
        "MESSAGE WAITING",
        "START OF GUARDED AREA",
        "END OF GUARDED AREA",
        "START OF STRING",
        "SINGLE GRAPHIC CHARACTER INTRODUCER",
        "SINGLE CHARACTER INTRODUCER",
        "CONTROL SEQUENCE INTRODUCER",
        "STRING TERMINATOR",
        "OPERATING SYSTEM COMMAND",
        "PRIVACY MESSAGE",
        "APPLICATION PROGRAM COMMAND",
    ];
    let code = c as u32;
    Some(match c {
        '\0'..='\u{1F}' => C0[code as usize],
        '\u{7F}' => "DELETE",
        '\u{80}'..='\u{9F}' => C1[(code - 0x80) as usize],
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)",
        _ => return None,
    })
}

/// `U+202E RIGHT-TO-LEFT OVERRIDE`: a refused character as a message names it.
pub fn describe(c: char) -> String {
    match refused_name(c) {
        Some(name) => format!("U+{:04X} {name}", c as u32),
        None => format!("U+{:04X}", c as u32),
    }
}

/// The first character `value` may not hold, with its position (counted in
/// characters from 1) and whether it is a carriage return without a line
/// feed after it. One-line text accepts none of [`refused_name`]'s; text of
/// several lines accepts tab, line feed and CR LF.
pub fn first_refused(value: &str, multi_line: bool) -> Option<(usize, char, bool)> {
    let mut chars = value.chars().enumerate().peekable();
    while let Some((at, c)) = chars.next() {
        if refused_name(c).is_none() {
            continue;
        }
        if multi_line {
            match c {
                '\t' | '\n' => continue,
                '\r' if chars.peek().is_some_and(|(_, next)| *next == '\n') => continue,
                '\r' => return Some((at + 1, c, true)),
                _ => {}
            }
        }
        return Some((at + 1, c, false));
    }
    None
}

/// Free text as it is kept: line breaks as LF (CR LF, as Windows writes
/// them, becomes LF).
pub fn normalise_line_breaks(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains('\r') { value.replace("\r\n", "\n").into() } else { value.into() }
}

/// The problems of one raw field value: too long, or holding a character
/// that text does not accept (see [`refused_name`]; only free text of
/// several lines accepts tab and line breaks).
pub fn check_field(field: &'static str, value: &str) -> Problems {
    // The common case, checked on bytes: short printable ASCII text (an
    // import checks every field of every row).
    let short = value.len() <= max_chars(field) && (value.len() <= MAX_NAME_CHARS || !LISTS.contains(&field));
    if short && value.bytes().all(|b| (b' '..0x7f).contains(&b)) {
        return Problems::new();
    }
    let mut problems = Problems::new();
    let length = value.chars().count();
    let max = max_chars(field);
    if length > max {
        problems.push(FieldError::new(field, format!("is {length} characters long; at most {max} are accepted")));
    } else if LISTS.contains(&field)
        && let Some(item) = value.split('|').find(|v| v.trim().chars().count() > MAX_NAME_CHARS)
    {
        problems.push(FieldError::new(
            field,
            format!(
                "holds a value of {} characters; at most {MAX_NAME_CHARS} are accepted",
                item.trim().chars().count()
            ),
        ));
    }
    let multi_line = is_multi_line(field);
    if let Some((at, c, bare_cr)) = first_refused(value, multi_line) {
        let what = describe(c);
        let message = if multi_line {
            let without = if bare_cr { " without a line feed after it" } else { "" };
            format!(
                "contains {what} at character {at}{without}; free text may hold tabs and line breaks, but no other \
                 control or invisible formatting characters"
            )
        } else {
            format!(
                "contains {what} at character {at}; a name, title or code is one line of visible text, without \
                 control or invisible formatting characters"
            )
        };
        problems.push(FieldError::new(field, message));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_long_values_and_control_characters() {
        assert!(check_field("name", &"a".repeat(MAX_NAME_CHARS)).is_empty());
        assert_eq!(
            check_field("name", &"é".repeat(MAX_NAME_CHARS + 1))[0].message,
            "is 501 characters long; at most 500 are accepted"
        );
        assert!(check_field("description", &"a".repeat(MAX_NAME_CHARS + 1)).is_empty());
        assert_eq!(
            check_field("name", "DUO\0")[0].message,
            "contains U+0000 NULL at character 4; a name, title or code is one line of visible text, without control \
             or invisible formatting characters"
        );
        assert!(check_field("text", "line one\nline two\ttab\r\n").is_empty());
        // Past the ASCII fast path: DEL, a C1 control, a name of 501 ASCII characters.
        assert!(check_field("name", "DUO\u{7f}")[0].message.contains("U+007F DELETE at character 4"));
        assert!(check_field("name", "é\u{85}")[0].message.contains("U+0085 NEXT LINE at character 2"));
        assert!(check_field("name", &"a".repeat(MAX_NAME_CHARS + 1))[0].message.starts_with("is 501 characters"));
        let long_alias = format!("HU|{}", "x".repeat(MAX_NAME_CHARS + 1));
        assert_eq!(
            check_field("aliases", &long_alias)[0].message,
            "holds a value of 501 characters; at most 500 are accepted"
        );
    }

    #[test]
    fn one_line_fields_refuse_line_breaks_tabs_and_invisible_formatting() {
        let first = |field: &'static str, value: &str| {
            check_field(field, value).first().map(|p| p.message.split(';').next().unwrap().to_string())
        };
        assert_eq!(first("title", "visible\rHIDDEN").unwrap(), "contains U+000D CARRIAGE RETURN at character 8");
        assert_eq!(first("name", "two\nlines").unwrap(), "contains U+000A LINE FEED at character 4");
        assert_eq!(first("name", "Tab\tseparated").unwrap(), "contains U+0009 CHARACTER TABULATION at character 4");
        assert_eq!(
            first("title", "abc\u{202E}fdp.exe").unwrap(),
            "contains U+202E RIGHT-TO-LEFT OVERRIDE at character 4"
        );
        assert_eq!(
            first("aliases", "HU|Hoge\u{200B}school").unwrap(),
            "contains U+200B ZERO WIDTH SPACE at character 8"
        );
        assert_eq!(
            first("name", "\u{FEFF}DUO").unwrap(),
            "contains U+FEFF ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK) at character 1"
        );
        assert_eq!(first("name", "a\u{2029}b").unwrap(), "contains U+2029 PARAGRAPH SEPARATOR at character 2");
        assert_eq!(
            first("name", "bidi\u{2067}isolate").unwrap(),
            "contains U+2067 RIGHT-TO-LEFT ISOLATE at character 5"
        );
        assert_eq!(first("name", "\u{200F}x").unwrap(), "contains U+200F RIGHT-TO-LEFT MARK at character 1");
        // What is refused is exactly this set: every other character is text.
        for c in ['é', 'ß', '€', '🎓', '中', 'א', '\u{301}', '\u{A0}', '\u{2011}'] {
            assert!(check_field("name", &format!("a{c}b")).is_empty(), "{c:?}");
        }
        for range in [
            '\0'..='\u{1F}',
            '\u{7F}'..='\u{9F}',
            '\u{200B}'..='\u{200F}',
            '\u{2028}'..='\u{202E}',
            '\u{2066}'..='\u{2069}',
        ] {
            for c in range {
                assert!(refused_name(c).is_some(), "{c:?}");
                assert!(!check_field("name", &format!("a{c}")).is_empty(), "{c:?}");
            }
        }
    }

    #[test]
    fn free_text_keeps_tabs_and_line_breaks_but_no_bare_carriage_return() {
        assert!(check_field("description", "regel 1\r\nregel 2\n\tingesprongen").is_empty());
        let message = &check_field("description", "zichtbaar\rverborgen")[0].message;
        assert_eq!(
            message,
            "contains U+000D CARRIAGE RETURN at character 10 without a line feed after it; free text may hold tabs and \
             line breaks, but no other control or invisible formatting characters"
        );
        assert!(check_field("text", "vraag\u{202E}")[0].message.starts_with("contains U+202E RIGHT-TO-LEFT OVERRIDE"));
        assert!(check_field("topic", "x\u{1B}[31m")[0].message.starts_with("contains U+001B ESCAPE at character 2"));
        assert_eq!(normalise_line_breaks("a\r\nb\nc"), "a\nb\nc");
    }

    #[test]
    fn a_ten_megabyte_field_is_refused_quickly_and_briefly() {
        let huge = "x".repeat(10 * 1024 * 1024);
        let problems = check_field("title", &huge);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.len() < 100, "{}", problems[0].message);
    }
}
