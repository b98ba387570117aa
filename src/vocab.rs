//! The static vocabulary and the tokenizer: words to token ids without allocating.
//!
//! The vocabulary is baked as one string of every word, the offsets where each word ends, and the
//! ids sorted by word. A lookup is a binary search whose comparison lowercases the text on the
//! fly, so a token of any length is looked up without copying it into a buffer.

use core::cmp::Ordering;

/// How text is cut into tokens.
///
/// ```
/// use tinyrnn::Split;
/// let words: Vec<&str> = Split::Words.tokens("Isn't it -- 'great'?").collect();
/// assert_eq!(words, ["Isn't", "it", "great"]);
/// let raw: Vec<&str> = Split::Whitespace.tokens("Isn't it -- 'great'?").collect();
/// assert_eq!(raw, ["Isn't", "it", "--", "'great'?"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Split {
    /// Runs of alphanumeric characters; an apostrophe stays inside a token only between two
    /// alphanumeric characters. Everything else separates tokens and is dropped.
    Words,
    /// Runs of non-whitespace characters.
    Whitespace,
    /// Every character but whitespace on its own: the letters of a word for a
    /// grapheme-to-phoneme model.
    ///
    /// ```
    /// let letters: Vec<&str> = tinyrnn::Split::Chars.tokens("an ox").collect();
    /// assert_eq!(letters, ["a", "n", "o", "x"]);
    /// ```
    Chars,
}

impl Split {
    /// Iterates over the tokens of `text` as slices of it.
    pub fn tokens(self, text: &str) -> Tokens<'_> {
        Tokens {
            rest: text,
            split: self,
        }
    }
}

/// Iterator over the tokens of a text; see [`Split::tokens`].
#[derive(Debug, Clone)]
pub struct Tokens<'t> {
    rest: &'t str,
    split: Split,
}

impl<'t> Iterator for Tokens<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let is_part: fn(char) -> bool = match self.split {
            Split::Words => char::is_alphanumeric,
            Split::Whitespace | Split::Chars => |c: char| !c.is_whitespace(),
        };
        if self.split == Split::Chars {
            let start = self.rest.find(is_part)?;
            let text = self.rest.get(start..)?;
            let end = text.chars().next().map_or(0, char::len_utf8);
            let (token, rest) = text.split_at_checked(end)?;
            self.rest = rest;
            return Some(token);
        }
        let start = self.rest.find(is_part)?;
        let text = self.rest.get(start..)?;
        let mut end = text.len();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if is_part(c) {
                continue;
            }
            // An apostrophe between two alphanumerics belongs to the word ("isn't").
            let inner_apostrophe = self.split == Split::Words
                && c == '\''
                && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
            if !inner_apostrophe {
                end = i;
                break;
            }
        }
        let (token, rest) = text.split_at_checked(end)?;
        self.rest = rest;
        Some(token)
    }
}

/// The tokenizer rules stored in the model file.
///
/// ```
/// use tinyrnn::{Split, Tokenizer};
/// let t = Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0 };
/// assert_eq!(t.split.tokens("Hello, World").count(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Tokenizer {
    /// Compare tokens in Unicode lowercase (the vocabulary is stored lowercase).
    pub lowercase: bool,
    /// How the text is cut into tokens.
    pub split: Split,
    /// Buckets for unknown words: when non-zero, the last `unk_buckets` ids of the vocabulary,
    /// and a token missing from it gets the bucket [`Tokenizer::hash`] `% unk_buckets` instead
    /// of the unknown id, so that unknown words are told apart (a fixed table, no allocation).
    pub unk_buckets: u16,
}

/// FNV-1a's 32-bit offset basis.
const FNV_OFFSET: u32 = 0x811c_9dc5;
/// FNV-1a's 32-bit prime.
const FNV_PRIME: u32 = 0x0100_0193;

impl Tokenizer {
    /// The 32-bit FNV-1a hash of a token's UTF-8 bytes, each character lowercased first when
    /// `lowercase` is set (docs/model-format.md): what picks an unknown word's bucket. Wrapping
    /// multiplication is the hash's definition, not an overflow.
    ///
    /// ```
    /// use tinyrnn::{Split, Tokenizer};
    /// let t = Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 64 };
    /// assert_eq!(t.hash(""), 0x811c_9dc5);
    /// assert_eq!(t.hash("a"), 0xe40c_292c); // FNV-1a's published test vector
    /// assert_eq!(t.hash("Ünicode"), t.hash("ünicode"));
    /// ```
    pub fn hash(&self, token: &str) -> u32 {
        if self.lowercase {
            token
                .chars()
                .flat_map(char::to_lowercase)
                .fold(FNV_OFFSET, fnv1a_char)
        } else {
            token.chars().fold(FNV_OFFSET, fnv1a_char)
        }
    }
}

/// Feeds one character's UTF-8 bytes to FNV-1a.
fn fnv1a_char(hash: u32, c: char) -> u32 {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf)
        .bytes()
        .fold(hash, |h, b| (h ^ u32::from(b)).wrapping_mul(FNV_PRIME))
}

/// A static vocabulary: token id → word, and word → token id by binary search.
///
/// The words are stored once, concatenated in id order in `text`, with `ends[id]` the offset
/// where word `id` ends (it starts where word `id - 1` ends, the first at 0). `sorted` lists the
/// ids of the words text can produce in the order of their bytes. That is 4 bytes a word on top
/// of its text, against 8 for a `&str` reference plus 4 for a `u32` index.
///
/// ```
/// use tinyrnn::{Split, Tokenizer, Vocabulary};
/// // "<pad>", "<unk>", "good", "bad"
/// static TEXT: &str = "<pad><unk>goodbad";
/// static ENDS: [u16; 4] = [5, 10, 14, 17];
/// static SORTED: [u16; 3] = [1, 3, 2]; // ids of "<unk>", "bad", "good" in byte order
/// let vocab = Vocabulary {
///     text: TEXT,
///     ends: &ENDS,
///     sorted: &SORTED,
///     unk: 1,
///     pad: Some(0),
///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0 },
/// };
/// assert_eq!(vocab.id("GOOD"), 2);
/// assert_eq!(vocab.id("great"), 1);
/// assert_eq!(vocab.word(3), Some("bad"));
/// let ids: Vec<usize> = vocab.encode("Good, not bad!").collect();
/// assert_eq!(ids, [2, 1, 3]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary {
    /// Every word's bytes, concatenated in id order.
    pub text: &'static str,
    /// `ends[id]`: the offset in `text` where word `id` ends; one entry per token id.
    pub ends: &'static [u16],
    /// The ids of every word that text can produce (all but padding), sorted by the word's
    /// bytes.
    pub sorted: &'static [u16],
    /// The id that words missing from the vocabulary map to.
    pub unk: u32,
    /// The padding id used in training, if any; the tokenizer never produces it.
    pub pad: Option<u32>,
    /// How text is tokenized before lookup.
    pub tokenizer: Tokenizer,
}

impl Vocabulary {
    /// Number of entries (token ids run from 0 to `len() - 1`).
    ///
    /// ```
    /// # use tinyrnn::{Split, Tokenizer, Vocabulary};
    /// let v = Vocabulary { text: "<unk>hi", ends: &[5, 7], sorted: &[0, 1], unk: 0, pad: None,
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0 } };
    /// assert_eq!(v.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the vocabulary has no entry.
    ///
    /// ```
    /// # use tinyrnn::{Split, Tokenizer, Vocabulary};
    /// let v = Vocabulary { text: "", ends: &[], sorted: &[], unk: 0, pad: None,
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0 } };
    /// assert!(v.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of the tables in flash: the text and both `u16` tables.
    ///
    /// ```
    /// # use tinyrnn::{Split, Tokenizer, Vocabulary};
    /// let v = Vocabulary { text: "<unk>hi", ends: &[5, 7], sorted: &[0, 1], unk: 0, pad: None,
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0 } };
    /// assert_eq!(v.bytes(), 7 + 4 + 4);
    /// ```
    pub fn bytes(&self) -> usize {
        self.text.len() + 2 * (self.ends.len() + self.sorted.len())
    }

    /// The id of one token; for a token missing from the vocabulary, its bucket when the
    /// tokenizer has buckets, else the unknown id.
    ///
    /// ```
    /// # use tinyrnn::{Split, Tokenizer, Vocabulary};
    /// let v = Vocabulary { text: "<unk>hi", ends: &[5, 7], sorted: &[0, 1], unk: 0, pad: None,
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0 } };
    /// assert_eq!((v.id("Hi"), v.id("ho")), (1, 0));
    /// ```
    pub fn id(&self, token: &str) -> usize {
        let lowercase = self.tokenizer.lowercase;
        let found = self.sorted.binary_search_by(|&id| {
            let word = self.word(usize::from(id)).unwrap_or("");
            compare(word, token, lowercase)
        });
        match found {
            Ok(i) => self
                .sorted
                .get(i)
                .map_or(self.unk as usize, |&id| usize::from(id)),
            Err(_) => self.bucket(token).unwrap_or(self.unk as usize),
        }
    }

    /// The id of the bucket an unknown token hashes to, if the tokenizer has buckets (the last
    /// `unk_buckets` ids).
    fn bucket(&self, token: &str) -> Option<usize> {
        let buckets = self.tokenizer.unk_buckets;
        let k = self.tokenizer.hash(token).checked_rem(u32::from(buckets))?;
        let first = self.len().checked_sub(usize::from(buckets))?;
        first.checked_add(usize::try_from(k).ok()?)
    }

    /// The token ids of `text`, streamed without allocating.
    ///
    /// ```
    /// # use tinyrnn::{Split, Tokenizer, Vocabulary};
    /// let v = Vocabulary { text: "<unk>hi", ends: &[5, 7], sorted: &[0, 1], unk: 0, pad: None,
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0 } };
    /// assert!(v.encode("Hi, you!").eq([1, 0]));
    /// ```
    pub fn encode<'t>(&'t self, text: &'t str) -> impl Iterator<Item = usize> + 't {
        self.tokenizer.split.tokens(text).map(|t| self.id(t))
    }

    /// The word of a token id, if it is in range (and the tables are consistent).
    ///
    /// ```
    /// # use tinyrnn::{Split, Tokenizer, Vocabulary};
    /// let v = Vocabulary { text: "<unk>hi", ends: &[5, 7], sorted: &[0, 1], unk: 0, pad: None,
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0 } };
    /// assert_eq!((v.word(1), v.word(2)), (Some("hi"), None));
    /// ```
    pub fn word(&self, id: usize) -> Option<&'static str> {
        let start = match id.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)?,
            None => 0,
        };
        let end = *self.ends.get(id)?;
        self.text.get(usize::from(start)..usize::from(end))
    }
}

/// Orders a vocabulary word against a token, lowercasing the token's characters on the fly.
/// Comparing by `char` gives the same order as comparing UTF-8 bytes, which is how the table
/// is sorted at build time.
fn compare(word: &str, token: &str, lowercase: bool) -> Ordering {
    if lowercase {
        word.chars().cmp(token.chars().flat_map(char::to_lowercase))
    } else {
        word.cmp(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        Split::Words.tokens(text).collect()
    }

    #[test]
    fn words_split_keeps_inner_apostrophes_only() {
        assert_eq!(words("isn't"), ["isn't"]);
        assert_eq!(words("'quoted'"), ["quoted"]);
        assert_eq!(words("rock'n'roll"), ["rock'n'roll"]);
        assert_eq!(words("dogs' toys"), ["dogs", "toys"]);
        assert_eq!(words("a''b"), ["a", "b"]);
        assert_eq!(words("l'été 42km/h"), ["l'été", "42km", "h"]);
    }

    #[test]
    fn odd_text_gives_no_or_few_tokens_and_never_panics() {
        assert!(words("").is_empty());
        assert!(words("   \t\n").is_empty());
        assert!(words("!!! ... ''' ---").is_empty());
        assert_eq!(words("\u{0}x\u{ffff}y"), ["x", "y"]);
        assert_eq!(words("ÉCOLE 😀 née"), ["ÉCOLE", "née"]);
        let long = "word ".repeat(10_000);
        assert_eq!(words(&long).len(), 10_000);
    }

    #[test]
    fn unknown_words_go_to_their_fnv1a_bucket() {
        // "<unk>", "good", then buckets "#0" … "#6".
        let v = Vocabulary {
            text: "<unk>good#0#1#2#3#4#5#6",
            ends: &[5, 9, 11, 13, 15, 17, 19, 21, 23],
            sorted: &[0, 1],
            unk: 0,
            pad: None,
            tokenizer: Tokenizer {
                lowercase: true,
                split: Split::Words,
                unk_buckets: 7,
            },
        };
        assert_eq!(v.id("Good"), 1);
        // FNV-1a test vectors: "a" 0xe40c292c, "foobar" 0xbf9cf968, "" 0x811c9dc5; mod 7 they
        // are 5, 0 and 2.
        assert_eq!(v.id("A"), 2 + 5);
        assert_eq!(v.id("foobar"), 2);
        assert_eq!(v.id(""), 2 + 2);
        assert_eq!(v.word(v.id("FooBar")), Some("#0"));
        // A vocabulary shorter than its bucket count falls back to the unknown id.
        let short = Vocabulary { ends: &[5], ..v };
        assert_eq!(short.id("zzz"), 0);
    }

    #[test]
    fn lookup_lowercases_multibyte_characters() {
        // "<unk>", "école", "zebra", "straße"
        let v = Vocabulary {
            text: "<unk>écolezebrastraße",
            ends: &[5, 11, 16, 23],
            sorted: &[0, 3, 2, 1],
            unk: 0,
            pad: None,
            tokenizer: Tokenizer {
                lowercase: true,
                split: Split::Words,
                unk_buckets: 0,
            },
        };
        assert_eq!(v.id("ÉCOLE"), 1);
        assert_eq!(v.id("Zebra"), 2);
        assert_eq!(v.id("STRAßE"), 3);
        assert_eq!(v.id("zebras"), 0);
        assert_eq!(v.id(""), 0);
    }
}
