//! What is legal in a model file but almost certainly a mistake: reported as build warnings.

use tinyrnn_schema::{show, SplitKind, Text};

/// One line per vocabulary entry that no text can produce: the runtime's tokenizer never cuts a
/// token equal to it (the `<unk>`, padding and bucket entries are meant to be unreachable and
/// are left out).
///
/// The tokenizer rules are those of `tinyrnn::Split::tokens` (`src/vocab.rs`, documented in
/// `docs/model-format.md`): an entry can be produced exactly when tokenizing the entry itself
/// gives back the whole entry as one token.
pub(crate) fn unreachable_vocabulary(text: &Text) -> Vec<String> {
    let split = text.tokenizer.split;
    let buckets = text.vocab.len() - usize::from(text.tokenizer.unk_buckets);
    text.vocab
        .iter()
        .enumerate()
        .filter(|&(id, _)| id != text.unk_id && Some(id) != text.pad_id && id < buckets)
        .filter(|(_, word)| !producible(word, split, text.tokenizer.negation))
        .map(|(id, word)| {
            let rule = match split {
                SplitKind::Words => {
                    "tokens are runs of letters and digits, with an apostrophe only between two \
                     of them"
                }
                SplitKind::Whitespace => "tokens are runs of characters other than whitespace",
                SplitKind::Chars => "tokens are single characters other than whitespace",
            };
            format!(
                "metadata field `vocab`: entry {} at id {id} can never be looked up: the \
                 tokenizer (split {:?}) never produces it ({rule})",
                show::quote(word),
                split.name()
            )
        })
        .collect()
}

/// Whether the tokenizer can cut `word` out of a text: tokenizing it gives it back whole, or,
/// with negation marking, it is `not_` + such a word.
fn producible(word: &str, split: SplitKind, negation: u16) -> bool {
    let whole = |w: &str| first_token(w, split) == Some(w);
    whole(word)
        || (negation > 0
            && word
                .strip_prefix(tinyrnn_schema::NEGATED_PREFIX)
                .is_some_and(whole))
}

/// The first token of `text`, cut as `tinyrnn::Split::tokens` cuts it.
fn first_token(text: &str, split: SplitKind) -> Option<&str> {
    let is_part = |c: char| match split {
        SplitKind::Words => c.is_alphanumeric(),
        SplitKind::Whitespace | SplitKind::Chars => !c.is_whitespace(),
    };
    let start = text.find(is_part)?;
    let rest = &text[start..];
    if split == SplitKind::Chars {
        return rest.chars().next().map(|c| &rest[..c.len_utf8()]);
    }
    let mut end = rest.len();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_part(c) {
            continue;
        }
        // An apostrophe between two alphanumerics belongs to the word ("isn't").
        let inner_apostrophe = split == SplitKind::Words
            && c == '\''
            && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
        if !inner_apostrophe {
            end = i;
            break;
        }
    }
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinyrnn_schema::TokenizerRules;

    fn unreachable(words: &[&str], split: SplitKind) -> Vec<usize> {
        let text = Text {
            vocab: words.iter().map(|w| w.to_string()).collect(),
            unk_id: 1,
            pad_id: Some(0),
            tokenizer: TokenizerRules {
                lowercase: true,
                split,
                unk_buckets: 0,
                negation: 0,
                stem: false,
            },
        };
        let lines = unreachable_vocabulary(&text);
        (0..words.len())
            .filter(|id| {
                lines
                    .iter()
                    .any(|l| l.contains(&format!("{:?} at id {id} ", words[*id])))
            })
            .collect()
    }

    #[test]
    fn words_split_entries_that_no_text_produces() {
        let words = [
            "<pad>", "<unk>", "isn't", "good", "über", "42", "a b", "end.", "'quoted'", "isn''t",
            "don’t", "x-ray", "t'", "日本",
        ];
        assert_eq!(
            unreachable(&words, SplitKind::Words),
            [6, 7, 8, 9, 10, 11, 12]
        );
    }

    #[test]
    fn whitespace_split_entries_that_no_text_produces() {
        let words = [
            "<pad>",
            "<unk>",
            "end.",
            "x-ray",
            "a b",
            "tab\there",
            " lead",
            "'q'",
        ];
        assert_eq!(unreachable(&words, SplitKind::Whitespace), [4, 5, 6]);
    }

    #[test]
    fn the_tokenizer_matches_the_runtime_rules() {
        let cut = |t| first_token(t, SplitKind::Words);
        assert_eq!(cut("  isn't it"), Some("isn't"));
        assert_eq!(cut("'quoted'"), Some("quoted"));
        assert_eq!(cut("isn''t"), Some("isn"));
        assert_eq!(cut("..."), None);
        assert_eq!(
            first_token("\u{3000}a.b c", SplitKind::Whitespace),
            Some("a.b")
        );
    }
}
