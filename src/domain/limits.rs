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

/// Fields holding several values joined with `|`: each value is a name.
const LISTS: &[&str] = &["aliases", "regions", "themes", "members", "partners"];

/// The longest value `field` accepts, in characters.
pub fn max_chars(field: &str) -> usize {
    if FREE_TEXT.contains(&field) || LISTS.contains(&field) { MAX_TEXT_CHARS } else { MAX_NAME_CHARS }
}

/// The problems of one raw field value: too long, or holding a control
/// character (only tab and line breaks are text).
pub fn check_field(field: &'static str, value: &str) -> Problems {
    // The common case, checked on bytes: short ASCII text without control
    // characters (an import checks every field of every row).
    let short = value.len() <= max_chars(field) && (value.len() <= MAX_NAME_CHARS || !LISTS.contains(&field));
    if short && value.bytes().all(|b| (b' '..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r')) {
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
    if let Some((at, c)) = value.chars().enumerate().find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        problems.push(FieldError::new(
            field,
            format!(
                "contains the control character U+{:04X} at character {}; only tab and line breaks are accepted in text",
                c as u32,
                at + 1
            ),
        ));
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
            "contains the control character U+0000 at character 4; only tab and line breaks are accepted in text"
        );
        assert!(check_field("text", "line one\nline two\ttab\r\n").is_empty());
        // Past the ASCII fast path: DEL, a C1 control, a name of 501 ASCII characters.
        assert!(check_field("name", "DUO\u{7f}")[0].message.contains("U+007F at character 4"));
        assert!(check_field("name", "é\u{85}")[0].message.contains("U+0085 at character 2"));
        assert!(check_field("name", &"a".repeat(MAX_NAME_CHARS + 1))[0].message.starts_with("is 501 characters"));
        let long_alias = format!("HU|{}", "x".repeat(MAX_NAME_CHARS + 1));
        assert_eq!(
            check_field("aliases", &long_alias)[0].message,
            "holds a value of 501 characters; at most 500 are accepted"
        );
    }

    #[test]
    fn a_ten_megabyte_field_is_refused_quickly_and_briefly() {
        let huge = "x".repeat(10 * 1024 * 1024);
        let problems = check_field("title", &huge);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.len() < 100, "{}", problems[0].message);
    }
}
