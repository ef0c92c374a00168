//! Text as a terminal shows it: characters that would move the cursor, hide
//! text or reverse it are written as escapes, and widths are counted in
//! terminal cells, so that a table lines up and hides nothing.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Whether a character acts on the terminal or is invisible there: control
/// characters (a bare CR returns to the start of the line, ESC starts an
/// escape sequence), bidirectional marks, embeddings, overrides and
/// isolates (U+202E shows the rest of a line reversed), and zero-width
/// characters (U+200B, U+FEFF, the joiners).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `s` with every [hidden](is_hidden) character escaped: `\n`, `\r`, `\t`,
/// and `\u{202E}` for the others, so a value shows what it holds.
pub fn shown(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hidden(c) => out.push_str(&format!("\\u{{{:X}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// How many terminal cells `s` takes (a CJK character or an emoji two).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` cells, ending in `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    // "werken…", not "werken …"; "Kamer…", not "Kamer,…"
    out.truncate(out.trim_end_matches([' ', ',', ';']).len());
    out.push('…');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_escaped() {
        assert_eq!(shown("visible\rHIDDEN"), "visible\\rHIDDEN");
        assert_eq!(shown("a\u{202E}cba"), "a\\u{202E}cba");
        assert_eq!(shown("zero\u{200B}width\u{FEFF}"), "zero\\u{200B}width\\u{FEFF}");
        assert_eq!(shown("two\nlines\tand tab"), "two\\nlines\\tand tab");
        assert_eq!(shown("\u{1b}[31mred"), "\\u{1B}[31mred");
        assert_eq!(shown("\u{2067}isolate\u{2069}"), "\\u{2067}isolate\\u{2069}");
        assert!(matches!(shown("Hogeschool 🎓 Utrecht – Ëlïte"), Cow::Borrowed(_)));
    }

    #[test]
    fn truncation_counts_terminal_cells() {
        assert_eq!(truncate("completed", 9), "completed");
        assert_eq!(truncate("completed", 6), "compl…");
        assert_eq!(truncate("🎓🎓🎓", 4), "🎓…");
        assert_eq!(width("🎓a"), 3);
        assert_eq!(truncate("abc", 1), "…");
        assert_eq!(truncate("in preparation", 4), "in…");
    }
}
