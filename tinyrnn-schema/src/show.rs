//! Showing text taken from a model file in a one-line message: bounded, with every character
//! that could end the line, move a terminal's cursor or reorder what is displayed escaped.
//!
//! Messages end up in cargo's build output, where a file's label, tensor name or path could
//! otherwise inject a second line (a cargo directive), colour escapes or megabytes of text.
//!
//! ```
//! use tinyrnn_schema::show;
//!
//! assert_eq!(show::quote("a\nb"), r#""a\nb""#);
//! assert_eq!(show::name("evil\u{1b}[2J"), r"evil\u{1b}[2J");
//! let long = "x".repeat(1000);
//! assert_eq!(show::name(&long).chars().count(), show::MAX_SHOWN + 1); // and a `…`
//! assert!(show::line(&long, 100).chars().count() <= 100);
//! ```

/// The most characters of one piece of a file's text (a name, a label) shown in a message.
pub const MAX_SHOWN: usize = 80;

/// True for a character that must not reach a message, a cargo directive or a Rust comment as
/// it is: control characters (line breaks, terminal escapes), the Unicode line and paragraph
/// separators, and the bidirectional formatting characters that rustc refuses in comments.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `text` as a Rust string literal (`{:?}`: quotes and every unsafe character escaped), cut
/// after [`MAX_SHOWN`] characters with a `…` after the closing quote.
pub fn quote(text: &str) -> String {
    match cut(text, MAX_SHOWN) {
        Some(head) => format!("{head:?}…"),
        None => format!("{text:?}"),
    }
}

/// `text` for a message that shows it between backticks: unsafe characters escaped as in a
/// Rust literal, cut after [`MAX_SHOWN`] characters with a `…`.
pub fn name(text: &str) -> String {
    let (head, more) = match cut(text, MAX_SHOWN) {
        Some(head) => (head, "…"),
        None => (text, ""),
    };
    escape(head) + more
}

/// `text` on one line of at most `max` characters (at least 16): unsafe characters escaped,
/// and, when it is still too long, its middle replaced by ` … ` so that both the start (what
/// is wrong) and the end (what was found) stay visible.
pub fn line(text: &str, max: usize) -> String {
    let max = max.max(16);
    let escaped = escape(text);
    let count = escaped.chars().count();
    if count <= max {
        return escaped;
    }
    let keep = max - 3;
    let head: String = escaped.chars().take(keep * 2 / 3).collect();
    let tail: String = escaped
        .chars()
        .skip(count - (keep - keep * 2 / 3))
        .collect();
    format!("{head} … {tail}")
}

/// Every unsafe character of `text` written as its Rust escape (`\n`, `\u{1b}`).
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if is_unsafe(c) {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The first `max` characters of `text`, when it has more.
fn cut(text: &str, max: usize) -> Option<&str> {
    text.char_indices().nth(max).map(|(at, _)| &text[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_safe_text_is_unchanged() {
        assert_eq!(name("rnn.weight_ih_l0"), "rnn.weight_ih_l0");
        assert_eq!(line("a: b", 100), "a: b");
        assert_eq!(quote("neg"), "\"neg\"");
    }

    #[test]
    fn long_text_is_cut_and_unsafe_characters_escaped() {
        let long = "é".repeat(200);
        assert_eq!(name(&long), "é".repeat(80) + "…");
        assert_eq!(quote(&long), format!("\"{}\"…", "é".repeat(80)));
        assert_eq!(name("a\u{202e}b\r"), r"a\u{202e}b\r");
        let cut = line(&format!("start {} end", "y".repeat(500)), 60);
        assert_eq!(cut.chars().count(), 60);
        assert!(cut.starts_with("start ") && cut.ends_with(" end") && cut.contains(" … "));
    }
}
