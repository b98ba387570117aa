//! Tokenization (exactly the `tinyrnn` crate's) and the vocabulary built from training text.

use std::collections::{BTreeMap, HashMap};

/// Id of the padding token `<pad>` (never produced by the tokenizer).
pub const PAD_ID: u32 = 0;
/// Id of the unknown-word token `<unk>`.
pub const UNK_ID: u32 = 1;

/// The tokens of `text` as the runtime sees them with the tokenizer the trainer writes
/// (`{"lowercase": true, "split": "words"}`): see [`tokenize_with`].
pub fn tokenize(text: &str) -> Vec<String> {
    tokenize_with(text, tinyrnn::Split::Words, true)
}

/// The tokens of `text` exactly as the `tinyrnn` crate cuts them (`tinyrnn::Split::tokens`),
/// then, if `lowercase`, each character replaced by its Unicode lowercase (`char::to_lowercase`,
/// flat-mapped — not `str::to_lowercase`, which treats a final sigma differently).
pub fn tokenize_with(text: &str, split: tinyrnn::Split, lowercase: bool) -> Vec<String> {
    split
        .tokens(text)
        .map(|t| {
            if lowercase {
                t.chars().flat_map(char::to_lowercase).collect::<String>()
            } else {
                t.to_string()
            }
        })
        .collect()
}

/// A vocabulary and its tokenizer. Built by the trainer: `<pad>` = 0, `<unk>` = 1, then the
/// kept words, tokenizer `{"lowercase": true, "split": "words"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocab {
    /// Words by id.
    pub words: Vec<String>,
    /// The id of words missing from the vocabulary.
    pub unk: u32,
    /// How text is cut into tokens.
    pub split: tinyrnn::Split,
    /// Whether tokens are lowercased before lookup.
    pub lowercase: bool,
    /// Buckets for unknown words: the last `buckets` entries (`tokenizer.unk_buckets`).
    pub buckets: u16,
    index: HashMap<String, u32>,
}

/// The id of each word: its position in `words`.
pub(crate) fn ids_by_word(words: &[String]) -> HashMap<String, u32> {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.clone(), i as u32))
        .collect()
}

/// The 32-bit FNV-1a hash of `bytes` (offset basis 2166136261, prime 16777619), as
/// docs/model-format.md specifies it for `unk_buckets`; written here from the specification,
/// not shared with the runtime, so that the agreement test compares two implementations.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(16_777_619);
    }
    h
}

impl Vocab {
    /// The trainer's vocabulary over the given words (index = id): `<unk>` = 1, words split,
    /// lowercase.
    pub fn from_words(words: Vec<String>) -> Self {
        Vocab::with_tokenizer(words, UNK_ID, tinyrnn::Split::Words, true)
    }

    /// A vocabulary with any tokenizer rules and unknown id (as read from a model file).
    pub fn with_tokenizer(
        words: Vec<String>,
        unk: u32,
        split: tinyrnn::Split,
        lowercase: bool,
    ) -> Self {
        let index = ids_by_word(&words);
        Vocab {
            words,
            unk,
            split,
            lowercase,
            buckets: 0,
            index,
        }
    }

    /// Appends `n` bucket entries (`#0`, `#1`, …, which no text produces) for unknown words;
    /// done last, once every word is in (the buckets are the last ids).
    pub fn add_buckets(&mut self, n: u16) {
        self.buckets = n;
        self.words.extend((0..n).map(|k| format!("#{k}")));
    }

    /// Marks the last `n` entries (already in `words`) as buckets, as read from a model file.
    pub fn with_buckets(mut self, n: u16) -> Self {
        let first = self.words.len().saturating_sub(usize::from(n));
        self.index.retain(|_, &mut id| (id as usize) < first);
        self.buckets = n;
        self
    }

    /// Whether the token is a word of the vocabulary (not a bucket).
    pub fn knows(&self, token: &str) -> bool {
        self.index.contains_key(token)
    }

    /// The id to train with when `--unk-drop` hides token `id`: its bucket when there are
    /// buckets (as if the word were unknown), else `<unk>`.
    pub fn dropped(&self, id: u32) -> u32 {
        let word = self.words.get(id as usize);
        match word {
            Some(w) if self.buckets > 0 && self.knows(w) && id != self.unk => self.bucket(w),
            _ => self.unk,
        }
    }

    /// The bucket id of a token missing from the vocabulary (buckets must be non-zero).
    fn bucket(&self, token: &str) -> u32 {
        let first = (self.words.len() - usize::from(self.buckets)) as u32;
        first + fnv1a(token.as_bytes()) % u32::from(self.buckets)
    }

    /// Builds the vocabulary of a training corpus: words occurring at least `min_count` times,
    /// most frequent first (ties in byte order), at most `max_size` entries including `<pad>` and
    /// `<unk>` (`None`: no limit).
    pub fn build<'a>(
        texts: impl IntoIterator<Item = &'a str>,
        min_count: usize,
        max_size: Option<usize>,
    ) -> Self {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for text in texts {
            for token in tokenize(text) {
                *counts.entry(token).or_insert(0) += 1;
            }
        }
        let mut kept: Vec<(String, usize)> = counts
            .into_iter()
            .filter(|&(_, c)| c >= min_count.max(1))
            .collect();
        // Stable sort: equal counts stay in byte order from the BTreeMap.
        kept.sort_by_key(|&(_, count)| std::cmp::Reverse(count));
        let mut words = vec!["<pad>".to_string(), "<unk>".to_string()];
        words.extend(kept.into_iter().map(|(w, _)| w));
        if let Some(max) = max_size {
            words.truncate(max.max(2));
        }
        Vocab::from_words(words)
    }

    /// Appends up to `n` tokens of `texts` that the vocabulary lacks, in order of first
    /// appearance.
    pub fn extend<'a>(&mut self, texts: impl IntoIterator<Item = &'a str>, n: usize) {
        let mut added = 0;
        assert_eq!(self.buckets, 0, "buckets are added last");
        for token in texts.into_iter().flat_map(tokenize) {
            if added == n {
                break;
            }
            if !self.index.contains_key(&token) {
                self.index.insert(token.clone(), self.words.len() as u32);
                self.words.push(token);
                added += 1;
            }
        }
    }

    /// Number of entries, `V`.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary is empty (never, once built).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The id of a token (already lowercased if the tokenizer lowercases); when it is not in
    /// the vocabulary, its bucket if there are buckets, else the unknown id.
    pub fn id(&self, token: &str) -> u32 {
        match self.index.get(token) {
            Some(&id) => id,
            None if self.buckets > 0 => self.bucket(token),
            None => self.unk,
        }
    }

    /// Whether a text has a token of the vocabulary (a word, not a bucket or `<unk>`).
    pub fn encode_known(&self, text: &str) -> bool {
        tokenize_with(text, self.split, self.lowercase)
            .iter()
            .any(|t| self.knows(t) && self.id(t) != self.unk)
    }

    /// Token ids of a text.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        tokenize_with(text, self.split, self.lowercase)
            .iter()
            .map(|t| self.id(t))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_like_the_runtime() {
        assert_eq!(tokenize("Isn't it -- 'GREAT'?"), ["isn't", "it", "great"]);
        // char-wise lowercase keeps a final capital sigma as σ (str::to_lowercase gives ς).
        assert_eq!(tokenize("ΟΔΟΣ"), ["οδοσ"]);
    }

    #[test]
    fn vocab_orders_by_count_then_bytes() {
        let v = Vocab::build(["b a c", "a b", "a", "d"], 1, None);
        assert_eq!(v.words, ["<pad>", "<unk>", "a", "b", "c", "d"]);
        let v = Vocab::build(["b a c", "a b", "a", "d"], 2, None);
        assert_eq!(v.words, ["<pad>", "<unk>", "a", "b"]);
        let v = Vocab::build(["b a c", "a b", "a", "d"], 1, Some(3));
        assert_eq!(v.words, ["<pad>", "<unk>", "a"]);
        assert_eq!(v.encode("A zebra"), [2, UNK_ID]);
    }

    #[test]
    fn extend_appends_new_tokens_in_order() {
        let mut v = Vocab::build(["a b"], 1, None);
        v.extend(["b c", "d c", "e"], 2);
        assert_eq!(v.words, ["<pad>", "<unk>", "a", "b", "c", "d"]);
        assert_eq!(v.encode("d e"), [5, UNK_ID]);
    }
}
