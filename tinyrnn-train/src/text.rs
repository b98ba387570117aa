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
    split.tokens(text).map(|t| lowered(t, lowercase)).collect()
}

/// A token with each character replaced by its Unicode lowercase if `lowercase`.
fn lowered(token: &str, lowercase: bool) -> String {
    if lowercase {
        token.chars().flat_map(char::to_lowercase).collect()
    } else {
        token.to_string()
    }
}

/// One token of a text as the vocabulary looks it up: its (lowercased) text, and whether it
/// stands in a negation scope (then looked up as `not_` + the text when the vocabulary has that
/// entry, else as the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token, lowercased if the tokenizer lowercases.
    pub text: String,
    /// In a negation scope.
    pub negated: bool,
}

impl Token {
    /// The vocabulary entry the token is counted as when building a vocabulary.
    pub fn entry(&self) -> String {
        if self.negated {
            format!("{}{}", tinyrnn::NEGATED_PREFIX, self.text)
        } else {
            self.text.clone()
        }
    }
}

/// Whether a (lowercased) token starts a negation scope: four characters or more ending in
/// "n't", or one of `tinyrnn::NEGATORS` (docs/model-format.md).
pub fn is_negator(token: &str) -> bool {
    (token.chars().count() >= 4 && token.ends_with("n't")) || tinyrnn::NEGATORS.contains(&token)
}

/// The length of the stem of a token (`tokenizer.stem`, docs/model-format.md, "Stemming"):
/// the token's first `stem_len` bytes. Written here from the specification, not shared with
/// the runtime's `tinyrnn::stem`, so that the agreement test compares two implementations.
pub fn stem_len(token: &str) -> usize {
    if !token.is_ascii() {
        return token.len();
    }
    let lower = token.to_ascii_lowercase();
    let mut word = lower.strip_suffix("'s").unwrap_or(&lower);
    for suffix in [
        "ingly", "edly", "ness", "ings", "ing", "ed", "ly", "es", "s",
    ] {
        let Some(rest) = word.strip_suffix(suffix) else {
            continue;
        };
        let allowed = match suffix {
            "ed" => !rest.ends_with('e'),
            "es" => ["s", "x", "z", "ch", "sh"]
                .iter()
                .any(|&e| rest.ends_with(e)),
            "s" => !rest.ends_with(['s', 'u', 'i']),
            _ => true,
        };
        if allowed && rest.len() >= 3 && rest.ends_with(|c: char| c.is_ascii_alphanumeric()) {
            // "terribly" keeps its l, like "terrible" minus its e.
            let keep_l = suffix == "ly" && rest.ends_with('b');
            word = &word[..rest.len() + usize::from(keep_l)];
            break;
        }
    }
    match word.strip_suffix('e') {
        Some(rest) if rest.len() >= 3 => rest.len(),
        _ => word.len(),
    }
}

/// The tokens of `text` ([`tokenize_with`]), each cut to its stem ([`stem_len`]) if `stem`,
/// those in a negation scope marked: with `negation` = N > 0, each of the N tokens after a
/// negator ([`is_negator`], judged on the whole token) that no `.,;:!?` separates from it, a
/// negator itself excepted (it starts a new scope). The gaps between tokens are found here
/// from each token's position in `text`, independently of the runtime's iterator.
pub fn tokenize_marked(
    text: &str,
    split: tinyrnn::Split,
    lowercase: bool,
    negation: u16,
    stem: bool,
) -> Vec<Token> {
    let mut out = Vec::new();
    let mut scope = 0u16;
    let mut gap_start = 0;
    for t in split.tokens(text) {
        let start = t.as_ptr() as usize - text.as_ptr() as usize;
        if text[gap_start..start].contains(['.', ',', ';', ':', '!', '?']) {
            scope = 0;
        }
        gap_start = start + t.len();
        let negator = negation > 0 && is_negator(&lowered(t, lowercase));
        let form = if stem { &t[..stem_len(t)] } else { t };
        out.push(Token {
            negated: scope > 0 && !negator,
            text: lowered(form, lowercase),
        });
        scope = if negator {
            negation
        } else {
            scope.saturating_sub(1)
        };
    }
    out
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
    /// Negation scope (`tokenizer.negation`; 0: no marking).
    pub negation: u16,
    /// Tokens looked up as their stems (`tokenizer.stem`).
    pub stem: bool,
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
            negation: 0,
            stem: false,
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

    /// Marks negation scopes of `negation` tokens (`tokenizer.negation`), as read from a model
    /// file or before building.
    pub fn with_negation(mut self, negation: u16) -> Self {
        self.negation = negation;
        self
    }

    /// Looks tokens up as their stems (`tokenizer.stem`), as read from a model file or
    /// before building.
    pub fn with_stem(mut self, stem: bool) -> Self {
        self.stem = stem;
        self
    }

    /// The tokens of a text under this vocabulary's tokenizer rules, negation scopes marked.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        tokenize_marked(text, self.split, self.lowercase, self.negation, self.stem)
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
            Some(w) if self.buckets > 0 && self.knows(w) && id != self.unk => {
                // A marked entry missing at run time falls back to the plain token.
                let plain = match self.negation {
                    0 => w.as_str(),
                    _ => w.strip_prefix(tinyrnn::NEGATED_PREFIX).unwrap_or(w),
                };
                self.bucket(plain)
            }
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
        Vocab::build_marked(texts, min_count, max_size, 0, false)
    }

    /// [`Vocab::build`] with negation scopes of `negation` tokens marked (a token in a scope
    /// counts as its `not_` entry) and, if `stem`, tokens counted as their stems.
    pub fn build_marked<'a>(
        texts: impl IntoIterator<Item = &'a str>,
        min_count: usize,
        max_size: Option<usize>,
        negation: u16,
        stem: bool,
    ) -> Self {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for text in texts {
            for token in tokenize_marked(text, tinyrnn::Split::Words, true, negation, stem) {
                *counts.entry(token.entry()).or_insert(0) += 1;
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
            .with_negation(negation)
            .with_stem(stem)
    }

    /// Appends up to `n` tokens of `texts` that the vocabulary lacks, in order of first
    /// appearance.
    pub fn extend<'a>(&mut self, texts: impl IntoIterator<Item = &'a str>, n: usize) {
        let mut added = 0;
        assert_eq!(self.buckets, 0, "buckets are added last");
        let tokens = texts.into_iter().flat_map(|t| self.tokens(t));
        let entries: Vec<String> = tokens.map(|t| t.entry()).collect();
        for token in entries {
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
        self.tokens(text)
            .iter()
            .any(|t| self.knows(&t.text) && self.id(&t.text) != self.unk)
    }

    /// The id of a token, marked or not: a marked token's `not_` entry if the vocabulary has
    /// it, else [`Vocab::id`] of the token.
    pub fn token_id(&self, token: &Token) -> u32 {
        let marked = token
            .negated
            .then(|| self.index.get(&token.entry()))
            .flatten();
        marked.copied().unwrap_or_else(|| self.id(&token.text))
    }

    /// Token ids of a text.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.tokens(text).iter().map(|t| self.token_id(t)).collect()
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
