//! Matching names as people and source systems spell them: case, accents,
//! punctuation and spacing do not matter ("Universiteit  Twente",
//! "universiteit-twente"), and a name that matches nothing gets the closest
//! known names as suggestions.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The key two spellings share when they name the same thing: lower case,
/// accents removed, `-`, `_`, `/` and `.` read as spaces, runs of white
/// space collapsed.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return fold_chars(s.chars(), s.len());
    }
    fold_chars(s.nfd().filter(|c| !is_combining_mark(*c)), s.len())
}

fn fold_chars(chars: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    let mut pending_space = false;
    for c in chars {
        if c.is_whitespace() || matches!(c, '-' | '_' | '/' | '.') {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The known names closest to `input`, best first, at most `limit`.
///
/// A name counts as close when it contains the input (or the other way
/// round) or when their similarity is high; this catches both "Utrect" for
/// "Utrecht" and "Twente" for "Universiteit Twente".
pub fn suggest<'a>(input: &str, known: impl IntoIterator<Item = &'a str>, limit: usize) -> Vec<&'a str> {
    // Nothing that long is a misspelt name, and comparing it with every
    // known name would take long.
    if input.len() > SHOWN_CHARS * 4 {
        return Vec::new();
    }
    let wanted = fold(input);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(f64, &str)> = known
        .into_iter()
        .filter_map(|name| {
            let key = fold(name);
            let mut score = strsim::jaro_winkler(&wanted, &key);
            // Containment counts only for real words, not "ut" inside "utrecht".
            let (short, long) = if key.len() < wanted.len() { (&key, &wanted) } else { (&wanted, &key) };
            if short.chars().count() >= 4 && long.contains(short.as_str()) {
                score = score.max(0.9);
            }
            (score >= 0.85).then_some((score, name))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    // Only those nearly as close as the best: one clear match stays alone.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored.retain(|s| s.0 >= best - 0.05);
    let mut out: Vec<&str> = Vec::new();
    for (_, name) in scored {
        if !out.contains(&name) {
            out.push(name);
        }
        if out.len() == limit {
            break;
        }
    }
    out
}

/// How much of a value a message quotes.
const SHOWN_CHARS: usize = 60;

/// A value quoted for a message: `"Hogeschool Utrect"`, or its start and its
/// length when it is long (`"xxxx…" (104857 characters)`), so a hostile
/// value cannot flood the terminal.
pub fn shown(value: &str) -> String {
    let length = value.chars().count();
    if length <= SHOWN_CHARS {
        return format!("{value:?}");
    }
    let start: String = value.chars().take(SHOWN_CHARS).collect();
    format!("{:?} ({length} characters)", format!("{start}…"))
}

/// `; did you mean "A" or "B"?` or nothing.
pub fn did_you_mean(suggestions: &[&str]) -> String {
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("{s:?}")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => format!("; did you mean {last}?"),
        Some((last, rest)) => format!("; did you mean {} or {last}?", rest.join(", ")),
    }
}

/// 1234567 -> "1,234,567": a count in a message (English; reports for
/// people format numbers in their language).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_ignores_case_accents_and_punctuation() {
        assert_eq!(fold("  Universiteit   Twente "), "universiteit twente");
        assert_eq!(fold("Beëindigd"), "beeindigd");
        assert_eq!(fold("in_progress"), fold("In-Progress"));
        assert_eq!(fold("P-Direkt"), "p direkt");
        assert_eq!(fold("i.o."), "i o");
    }

    #[test]
    fn suggests_close_names() {
        let known = ["Hogeschool Utrecht", "Universiteit Utrecht", "Hanze Hogeschool", "DUO"];
        assert_eq!(suggest("Hogeschool Utrect", known, 3)[0], "Hogeschool Utrecht");
        assert!(suggest("Twente", known, 3).is_empty());
        assert_eq!(did_you_mean(&["A", "B"]), r#"; did you mean "A" or "B"?"#);
    }

    #[test]
    fn long_values_are_shown_shortened() {
        assert_eq!(shown("DUO"), r#""DUO""#);
        let long = "x".repeat(100_000);
        assert_eq!(shown(&long), format!("\"{}…\" (100000 characters)", "x".repeat(60)));
        assert!(suggest(&long, ["x"], 3).is_empty());
    }
}
