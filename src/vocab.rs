//! The static vocabulary and the tokenizer: words to token ids without allocating.
//!
//! The vocabulary is baked as one string of every word, the offsets where each word ends, and the
//! ids sorted by word. A lookup is a binary search whose comparison lowercases the text on the
//! fly, so a token of any length is looked up without copying it into a buffer.

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

/// Whether the tokenizer knows ASCII only (the `ascii-tokenizer` feature): letters, digits,
/// whitespace and lowercase are ASCII's, so Unicode's tables are not linked in.
const ASCII_ONLY: bool = cfg!(feature = "ascii-tokenizer");

impl Split {
    /// Iterates over the tokens of `text` as slices of it.
    pub fn tokens(self, text: &str) -> Tokens<'_> {
        self.tokens_in(text, ASCII_ONLY)
    }

    /// The tokens of `text` with Unicode's character classes, or ASCII's if `ascii`.
    fn tokens_in(self, text: &str, ascii: bool) -> Tokens<'_> {
        Tokens {
            rest: text,
            split: self,
            ascii,
        }
    }
}

/// Iterator over the tokens of a text; see [`Split::tokens`].
#[derive(Debug, Clone)]
pub struct Tokens<'t> {
    rest: &'t str,
    split: Split,
    ascii: bool,
}

/// Whether `c` is a letter or digit (Unicode's, or ASCII's if `ascii`). Each helper also
/// tests `ASCII_ONLY`, so that with the feature the Unicode branch is dead code whatever the
/// caller passes, and the tables are not linked.
fn alphanumeric(c: char, ascii: bool) -> bool {
    if ascii || ASCII_ONLY {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric()
    }
}

/// Whether `c` is whitespace (Unicode's, or its ASCII part if `ascii`: unlike
/// `char::is_ascii_whitespace`, that includes the vertical tab).
fn whitespace(c: char, ascii: bool) -> bool {
    if ascii || ASCII_ONLY {
        c.is_ascii_whitespace() || c == '\x0b'
    } else {
        c.is_whitespace()
    }
}

impl<'t> Iterator for Tokens<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let ascii = self.ascii;
        let words = self.split == Split::Words;
        let is_part = |c: char| {
            if words {
                alphanumeric(c, ascii)
            } else {
                !whitespace(c, ascii)
            }
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
            let inner_apostrophe =
                words && c == '\'' && chars.peek().is_some_and(|&(_, n)| alphanumeric(n, ascii));
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
/// let t = Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false };
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
    /// Negation scope: when non-zero, each of the (at most) `negation` tokens after a negator
    /// ([`Tokenizer::is_negator`]: "not", "never", "isn't", …), up to the next `.,;:!?`
    /// between tokens, is looked up as `not_` + the token, falling back to the token itself if
    /// the vocabulary lacks that entry, so that "not good" and "good" can differ.
    ///
    /// ```
    /// use tinyrnn::{Split, Tokenizer, Vocabulary};
    /// // "<unk>", "good", "not", "not_good"
    /// let v = Vocabulary { text: "<unk>goodnotnot_good", ends: &[5, 9, 12, 20],
    ///     sorted: &[0, 1, 2, 3], unk: 0, pad: None,
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0,
    ///         negation: 3, stem: false } };
    /// assert!(v.encode("Good. Not good, good").eq([1, 2, 3, 1]));
    /// ```
    pub negation: u16,
    /// Light suffix stripping: when set, every token is looked up (and hashed into its bucket)
    /// as its [`stem`], so that "loved", "loving" and "love" share an entry. A token still
    /// starts a negation scope by its whole text.
    ///
    /// ```
    /// use tinyrnn::{Split, Tokenizer, Vocabulary};
    /// // "<unk>", "lov", "terribl"
    /// let v = Vocabulary { text: "<unk>lovterribl", ends: &[5, 8, 15], sorted: &[0, 1, 2],
    ///     unk: 0, pad: None, tokenizer: Tokenizer { lowercase: true, split: Split::Words,
    ///         unk_buckets: 0, negation: 0, stem: true } };
    /// assert!(v.encode("LOVED it, loving, terribly terrible lovers").eq([1, 0, 1, 2, 2, 0]));
    /// ```
    pub stem: bool,
}

/// The shortest stem [`stem`] leaves when it strips a suffix.
const MIN_STEM: usize = 3;

/// The suffixes [`stem`] tries, in this order; the first that may go is stripped.
const SUFFIXES: [&str; 9] = [
    "ingly", "edly", "ness", "ings", "ing", "ed", "ly", "es", "s",
];

/// The stem of a token: a prefix of it, with at most one inflectional suffix stripped, for a
/// tokenizer with [`Tokenizer::stem`] (docs/model-format.md, "Stemming"). Letters are compared
/// in ASCII lowercase; a token with a character outside ASCII is its own stem.
///
/// 1. A final `'s` goes.
/// 2. The first of `-ingly -edly -ness -ings -ing -ed -ly -es -s` that ends the token goes,
///    provided at least 3 characters remain and the last of them is a letter or digit, and:
///    `-ed` not after an `e` ("need"); `-es` only after `s`, `x`, `z`, `ch` or `sh` ("boxes");
///    `-s` not after `s`, `u` or `i` ("class", "bus", "this"); after a `b`, `-ly` leaves its
///    `l` ("terribly" → "terribl").
/// 3. A final `e` goes if at least 3 characters remain ("love" → "lov", like "loved").
///
/// ```
/// use tinyrnn::stem;
/// assert_eq!(stem("Amazingly"), "Amaz");
/// assert_eq!(stem("amazed"), "amaz");
/// assert_eq!(stem("amaze"), "amaz");
/// assert_eq!(stem("Boxes"), "Box");
/// assert_eq!(stem("movie's"), "movi");
/// assert_eq!(stem("terribly"), stem("terrible"));
/// assert_eq!((stem("needed"), stem("need"), stem("this"), stem("the")), ("need", "need", "this", "the"));
/// assert_eq!((stem("thing"), stem("clichés")), ("thing", "clichés"));
/// ```
pub fn stem(token: &str) -> &str {
    if !token.is_ascii() {
        return token;
    }
    let word = token.as_bytes();
    let word = strip_ci(word, "'s").unwrap_or(word);
    let word = SUFFIXES
        .iter()
        .find_map(|&suffix| strip_suffix(word, suffix))
        .unwrap_or(word);
    let word = strip_ci(word, "e")
        .filter(|w| w.len() >= MIN_STEM)
        .unwrap_or(word);
    // An ASCII token cuts anywhere on a character boundary.
    token.get(..word.len()).unwrap_or(token)
}

/// `word` without `suffix` if it ends with it (ASCII case-insensitively).
fn strip_ci<'w>(word: &'w [u8], suffix: &str) -> Option<&'w [u8]> {
    let cut = word.len().checked_sub(suffix.len())?;
    let (stem, end) = word.split_at_checked(cut)?;
    end.eq_ignore_ascii_case(suffix.as_bytes()).then_some(stem)
}

/// `word` with `suffix` stripped, if it ends with it and step 2 of [`stem`] lets it go.
fn strip_suffix<'w>(word: &'w [u8], suffix: &str) -> Option<&'w [u8]> {
    let stem = strip_ci(word, suffix)?;
    let last = stem.last()?.to_ascii_lowercase();
    let sibilant = matches!(last, b's' | b'x' | b'z')
        || strip_ci(stem, "ch").is_some()
        || strip_ci(stem, "sh").is_some();
    let may_go = match suffix {
        "ed" => last != b'e',
        "es" => sibilant,
        "s" => !matches!(last, b's' | b'u' | b'i'),
        _ => true,
    };
    if stem.len() < MIN_STEM || !last.is_ascii_alphanumeric() || !may_go {
        return None;
    }
    if suffix == "ly" && last == b'b' {
        // "-bly" keeps its l, to meet "-ble" once that loses its e.
        return word.get(..stem.len().checked_add(1)?);
    }
    Some(stem)
}

/// The words that start a negation scope, besides every word ending in "n't" (lowercase; see
/// [`Tokenizer::negation`]). Reviews often drop the apostrophe, hence "dont" and the like.
pub const NEGATORS: [&str; 28] = [
    "aint", "arent", "cannot", "cant", "couldnt", "didnt", "doesnt", "dont", "hadnt", "hasnt",
    "havent", "isnt", "neither", "never", "no", "nobody", "none", "noone", "nor", "not", "nothing",
    "nowhere", "shouldnt", "wasnt", "werent", "without", "wont", "wouldnt",
];

/// The prefix a token in a negation scope is looked up with.
pub const NEGATED_PREFIX: &str = "not_";

/// The characters that end a negation scope when they stand between two tokens. All ASCII, so
/// the gap is searched byte by byte (no byte of a multi-byte character is ASCII).
const SCOPE_ENDS: [u8; 6] = *b".,;:!?";

/// The longest lookup key (prefix and token) built on the stack; a longer token takes the
/// character path, which finds the same entry. Longer than any word of the shipped
/// vocabularies (checked by a test).
const KEY_BYTES: usize = 32;

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
    /// let t = Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 64, negation: 0, stem: false };
    /// assert_eq!(t.hash(""), 0x811c_9dc5);
    /// assert_eq!(t.hash("a"), 0xe40c_292c); // FNV-1a's published test vector
    /// assert_eq!(t.hash("Ünicode"), t.hash("ünicode"));
    /// ```
    pub fn hash(&self, token: &str) -> u32 {
        if let Some(lower) = self.bytewise(token) {
            return token.bytes().map(lower).fold(FNV_OFFSET, fnv1a_byte);
        }
        lowered(token, self.lowercase, ASCII_ONLY).fold(FNV_OFFSET, fnv1a_char)
    }

    /// How to lower `token` byte by byte, when that is the same as lowering its characters:
    /// when lowercasing is off, ASCII's, or `token` is ASCII (an ASCII character lowercases the
    /// same in ASCII and Unicode, and ASCII lowering leaves every byte of a multi-byte
    /// character alone). Then no character needs decoding. `None`: a non-ASCII token that
    /// Unicode lowercasing may change, which takes the character path.
    ///
    /// A function pointer rather than a closure: the lookup, the hash and the negator test
    /// share one copy of each lowering, which keeps the code small (measured: the closure,
    /// inlined everywhere, made `seed`'s engine code 600 B larger for 0.3 % fewer instructions).
    fn bytewise(&self, token: &str) -> Option<fn(u8) -> u8> {
        if !self.lowercase {
            Some(core::convert::identity)
        } else if ASCII_ONLY || token.is_ascii() {
            Some(|b: u8| b.to_ascii_lowercase())
        } else {
            None
        }
    }

    /// Whether `token` (lowercased first when `lowercase` is set) starts a negation scope: it
    /// ends in "n't" or is one of [`NEGATORS`].
    ///
    /// ```
    /// use tinyrnn::{Split, Tokenizer};
    /// let t = Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 3, stem: false };
    /// assert!(t.is_negator("NEVER") && t.is_negator("Isn't") && t.is_negator("dont"));
    /// assert!(!t.is_negator("note") && !t.is_negator("n't") && !t.is_negator("want"));
    /// ```
    pub fn is_negator(&self, token: &str) -> bool {
        if let Some(lower) = self.bytewise(token) {
            let bytes = token.as_bytes();
            // At least one byte, so at least one character, before "n't".
            let contraction = bytes
                .split_last_chunk::<3>()
                .is_some_and(|(before, end)| !before.is_empty() && end.map(lower) == *b"n't");
            // Every negator is ASCII: a token of another length or a multi-byte character
            // cannot be one.
            return contraction
                || NEGATORS.iter().any(|w| {
                    w.len() == bytes.len() && w.bytes().zip(bytes).all(|(n, &b)| n == lower(b))
                });
        }
        let mut last = [None; 4];
        for c in lowered(token, self.lowercase, ASCII_ONLY) {
            last = [last[1], last[2], last[3], Some(c)];
        }
        // At least one character before "n't".
        let contraction = last[0].is_some() && last[1..] == [Some('n'), Some('\''), Some('t')];
        contraction
            || NEGATORS
                .iter()
                .any(|w| lowered(token, self.lowercase, ASCII_ONLY).eq(w.chars()))
    }
}

/// The characters of `token`, each replaced by its lowercase if `lowercase` (Unicode's,
/// character by character, or ASCII's if `ascii`).
fn lowered(token: &str, lowercase: bool, ascii: bool) -> impl Iterator<Item = char> + '_ {
    token.chars().flat_map(move |c| {
        let (one, many) = match (lowercase, ascii || ASCII_ONLY) {
            (false, _) => (Some(c), None),
            (true, true) => (Some(c.to_ascii_lowercase()), None),
            (true, false) => (None, Some(c.to_lowercase())),
        };
        one.into_iter().chain(many.into_iter().flatten())
    })
}

/// Feeds one character's UTF-8 bytes to FNV-1a.
fn fnv1a_char(hash: u32, c: char) -> u32 {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf).bytes().fold(hash, fnv1a_byte)
}

/// Feeds one byte to FNV-1a.
fn fnv1a_byte(hash: u32, b: u8) -> u32 {
    (hash ^ u32::from(b)).wrapping_mul(FNV_PRIME)
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
///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false },
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
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false } };
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
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false } };
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
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false } };
    /// assert_eq!(v.bytes(), 7 + 4 + 4);
    /// ```
    pub fn bytes(&self) -> usize {
        self.text.len() + 2 * (self.ends.len() + self.sorted.len())
    }

    /// The id of one token (of its [`stem`] when the tokenizer stems); for a token missing from
    /// the vocabulary, its bucket when the tokenizer has buckets, else the unknown id.
    ///
    /// ```
    /// # use tinyrnn::{Split, Tokenizer, Vocabulary};
    /// let v = Vocabulary { text: "<unk>hi", ends: &[5, 7], sorted: &[0, 1], unk: 0, pad: None,
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false } };
    /// assert_eq!((v.id("Hi"), v.id("ho")), (1, 0));
    /// ```
    pub fn id(&self, token: &str) -> usize {
        self.form_id(self.form(token))
    }

    /// What a token is looked up as: its stem if the tokenizer stems, else itself.
    fn form<'t>(&self, token: &'t str) -> &'t str {
        if self.tokenizer.stem {
            stem(token)
        } else {
            token
        }
    }

    /// The id of a token's lookup form ([`Vocabulary::form`]), its bucket or the unknown id.
    fn form_id(&self, form: &str) -> usize {
        self.find(form, "")
            .unwrap_or_else(|| self.bucket(form).unwrap_or(self.unk as usize))
    }

    /// The id of a token in a negation scope: that of `not_` + its lookup form if the
    /// vocabulary has it, else [`Vocabulary::id`].
    fn negated_id(&self, token: &str) -> usize {
        let form = self.form(token);
        self.find(form, NEGATED_PREFIX)
            .unwrap_or_else(|| self.form_id(form))
    }

    /// The id of the entry `prefix` + `token` (lowercased as the tokenizer says), if any.
    fn find(&self, token: &str, prefix: &str) -> Option<usize> {
        let i = match self.tokenizer.bytewise(token) {
            // Most tokens: lowered byte by byte into a key on the stack once, then each step
            // of the binary search is one slice comparison. UTF-8 bytes order like their
            // characters, so the search finds the same entry as comparing characters.
            Some(lower) if prefix.len().saturating_add(token.len()) <= KEY_BYTES => {
                let mut key = [0u8; KEY_BYTES];
                let bytes = prefix.bytes().chain(token.bytes().map(lower));
                for (k, b) in key.iter_mut().zip(bytes) {
                    *k = b;
                }
                // One byte of key per byte of prefix and token, which the guard lets fit.
                let key = key.get(..prefix.len().saturating_add(token.len()))?;
                self.sorted
                    .binary_search_by(|&id| self.entry_bytes(id).cmp(key))
            }
            // A token too long for the key, or one that Unicode lowercasing may change.
            _ => self.sorted.binary_search_by(|&id| {
                let lowered = lowered(token, self.tokenizer.lowercase, ASCII_ONLY);
                self.entry(id).chars().cmp(prefix.chars().chain(lowered))
            }),
        }
        .ok()?;
        self.sorted.get(i).map(|&id| usize::from(id))
    }

    /// The word of an id from `sorted` ("" if the tables disagree: that entry matches nothing).
    fn entry(&self, id: u16) -> &'static str {
        self.word(usize::from(id)).unwrap_or("")
    }

    /// [`entry`](Self::entry)'s bytes, without the two character-boundary tests of slicing a
    /// `str` (which the lookup would make at every step of its search); the same bytes for
    /// consistent tables, which the bake guarantees.
    fn entry_bytes(&self, id: u16) -> &'static [u8] {
        let span = self.span(usize::from(id));
        span.and_then(|span| self.text.as_bytes().get(span))
            .unwrap_or(&[])
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
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false } };
    /// assert!(v.encode("Hi, you!").eq([1, 0]));
    /// ```
    pub fn encode<'t>(&'t self, text: &'t str) -> impl Iterator<Item = usize> + 't {
        Encode {
            vocab: self,
            tokens: self.tokenizer.split.tokens(text),
            scope: 0,
        }
    }

    /// The word of a token id, if it is in range (and the tables are consistent).
    ///
    /// ```
    /// # use tinyrnn::{Split, Tokenizer, Vocabulary};
    /// let v = Vocabulary { text: "<unk>hi", ends: &[5, 7], sorted: &[0, 1], unk: 0, pad: None,
    ///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false } };
    /// assert_eq!((v.word(1), v.word(2)), (Some("hi"), None));
    /// ```
    pub fn word(&self, id: usize) -> Option<&'static str> {
        self.text.get(self.span(id)?)
    }

    /// Where word `id` lies in `text`, if `id` is in range.
    fn span(&self, id: usize) -> Option<core::ops::Range<usize>> {
        let start = match id.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)?,
            None => 0,
        };
        let end = *self.ends.get(id)?;
        Some(usize::from(start)..usize::from(end))
    }
}

/// The ids of a text's tokens, negation scopes marked; see [`Vocabulary::encode`].
struct Encode<'t> {
    vocab: &'t Vocabulary,
    tokens: Tokens<'t>,
    /// How many more tokens the current negation scope covers.
    scope: u16,
}

impl Iterator for Encode<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let before = self.tokens.rest;
        let token = self.tokens.next()?;
        let tokenizer = self.vocab.tokenizer;
        if tokenizer.negation == 0 {
            return Some(self.vocab.id(token));
        }
        // `before` is the gap since the previous token, the token, then what follows it.
        let gap_len = before
            .len()
            .saturating_sub(token.len().saturating_add(self.tokens.rest.len()));
        if before
            .get(..gap_len)
            .is_some_and(|gap| gap.bytes().any(|b| SCOPE_ENDS.contains(&b)))
        {
            self.scope = 0;
        }
        let negator = tokenizer.is_negator(token);
        let id = if self.scope > 0 && !negator {
            self.vocab.negated_id(token)
        } else {
            self.vocab.id(token)
        };
        self.scope = if negator {
            tokenizer.negation
        } else {
            self.scope.saturating_sub(1)
        };
        Some(id)
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
        // With the `ascii-tokenizer` feature a non-ASCII letter separates words.
        let unicode = if ASCII_ONLY {
            vec!["l", "t", "42km", "h"]
        } else {
            vec!["l'été", "42km", "h"]
        };
        assert_eq!(words("l'été 42km/h"), unicode);
    }

    #[test]
    fn odd_text_gives_no_or_few_tokens_and_never_panics() {
        assert!(words("").is_empty());
        assert!(words("   \t\n").is_empty());
        assert!(words("!!! ... ''' ---").is_empty());
        assert_eq!(words("\u{0}x\u{ffff}y"), ["x", "y"]);
        let unicode = if ASCII_ONLY {
            vec!["COLE", "n", "e"]
        } else {
            vec!["ÉCOLE", "née"]
        };
        assert_eq!(words("ÉCOLE 😀 née"), unicode);
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
                negation: 0,
                stem: false,
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

    /// Every ASCII line of the UCI sentences, the lexicon and the seed data, and odd ASCII text.
    fn ascii_texts() -> Vec<String> {
        let files = [
            include_str!("../data/sentiment/uci_sentences_amazon.tsv"),
            include_str!("../data/sentiment/uci_sentences_imdb.tsv"),
            include_str!("../data/sentiment/uci_sentences_yelp.tsv"),
            include_str!("../data/sentiment/lexicon.tsv"),
        ];
        let mut texts: Vec<String> = files
            .iter()
            .flat_map(|f| f.lines())
            .filter(|l| l.is_ascii())
            .flat_map(|l| [l.to_string(), l.to_uppercase()])
            .collect();
        texts.push("Isn't IT -- 'GREAT'?! rock'n'roll a''b \t\x0b\x0c\r\n\x00 \x7f~".into());
        texts.extend((0u8..128).map(|b| format!("a{}B{}", char::from(b), char::from(b))));
        assert!(texts.len() > 6_000, "{}", texts.len());
        texts
    }

    #[test]
    fn ascii_tokenizer_cuts_and_lowercases_ascii_text_like_the_full_one() {
        for text in ascii_texts() {
            for split in [Split::Words, Split::Whitespace, Split::Chars] {
                let full: Vec<&str> = split.tokens_in(&text, false).collect();
                let ascii: Vec<&str> = split.tokens_in(&text, true).collect();
                assert_eq!(full, ascii, "{split:?}: {text:?}");
            }
            for lowercase in [false, true] {
                assert!(
                    lowered(&text, lowercase, false).eq(lowered(&text, lowercase, true)),
                    "{text:?}"
                );
            }
        }
        // Outside ASCII they differ: the ASCII tokenizer cuts at and keeps the case of
        // non-ASCII characters (and the full one is the ASCII one with the feature).
        let full: Vec<&str> = Split::Words.tokens_in("ÉCOLE née", false).collect();
        let ascii: Vec<&str> = Split::Words.tokens_in("ÉCOLE née", true).collect();
        let unicode = if ASCII_ONLY {
            vec!["COLE", "n", "e"]
        } else {
            vec!["ÉCOLE", "née"]
        };
        assert_eq!((full, ascii), (unicode, vec!["COLE", "n", "e"]));
        assert!(lowered("É", true, true).eq(['É']));
    }

    #[test]
    fn negation_scopes_end_at_punctuation_or_after_n_tokens() {
        // "<unk>", "good", "bad", "not_good", "not_bad"
        let v = lowercase_words(
            "<unk>goodbadnot_goodnot_bad",
            &[5, 9, 12, 20, 27],
            &[0, 2, 1, 4, 3],
            2,
        );
        let ids = |t: &str| v.encode(t).collect::<Vec<_>>();
        // "never" and "didn't" are negators (unknown themselves), "x" is a word without a
        // not_ entry: it falls back to its plain id and still uses up the scope.
        assert_eq!(ids("never good bad good"), [0, 3, 4, 1]);
        assert_eq!(ids("never x bad good"), [0, 0, 4, 1]);
        assert_eq!(ids("never good. bad"), [0, 3, 2]);
        assert_eq!(ids("never good -- bad"), [0, 3, 4]);
        assert_eq!(ids("Didn't; good, didn't GOOD NOT bad"), [0, 1, 0, 3, 0, 4]);
        assert_eq!(ids("good bad"), [1, 2]);
        let off = Vocabulary {
            tokenizer: Tokenizer {
                negation: 0,
                ..v.tokenizer
            },
            ..v
        };
        assert!(off.encode("never good bad").eq([0, 1, 2]));
    }

    /// A vocabulary with `<unk>` at 0, lowercase words, no buckets.
    fn lowercase_words(
        text: &'static str,
        ends: &'static [u16],
        sorted: &'static [u16],
        negation: u16,
    ) -> Vocabulary {
        Vocabulary {
            text,
            ends,
            sorted,
            unk: 0,
            pad: None,
            tokenizer: Tokenizer {
                lowercase: true,
                split: Split::Words,
                unk_buckets: 0,
                negation,
                stem: false,
            },
        }
    }

    #[test]
    fn lookup_lowercases_multibyte_characters() {
        // "<unk>", "école", "zebra", "straße"
        let v = lowercase_words("<unk>écolezebrastraße", &[5, 11, 16, 23], &[0, 3, 2, 1], 0);
        // The `ascii-tokenizer` feature lowercases ASCII letters only.
        assert_eq!(v.id("ÉCOLE"), if ASCII_ONLY { 0 } else { 1 });
        assert_eq!(v.id("éCOLE"), 1);
        assert_eq!(v.id("Zebra"), 2);
        assert_eq!(v.id("STRAßE"), 3);
        assert_eq!(v.id("zebras"), 0);
        assert_eq!(v.id(""), 0);
    }

    /// `is_negator` as defined: on the lowered characters.
    fn is_negator_by_chars(t: &Tokenizer, token: &str) -> bool {
        let lower: Vec<char> = lowered(token, t.lowercase, ASCII_ONLY).collect();
        (lower.len() > 3 && lower.ends_with(&['n', '\'', 't']))
            || NEGATORS.iter().any(|w| lower.iter().copied().eq(w.chars()))
    }

    /// The byte paths of the lookup, the hash and the negator test (most tokens) give what the
    /// character definitions give, for every word of the shipped vocabularies in several
    /// cases, every token of the UCI and lexicon texts, tokens longer than `KEY_BYTES`, and
    /// non-ASCII tokens.
    #[cfg(feature = "models")]
    #[test]
    fn byte_paths_agree_with_the_character_definitions() {
        use crate::model::TextModel;
        use crate::models::{seed, sentiment};
        let mut tokens: Vec<String> = ascii_texts()
            .iter()
            .flat_map(|t| {
                Split::Whitespace
                    .tokens(t)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        for vocab in [sentiment::MODEL.vocabulary(), seed::MODEL.vocabulary()] {
            for id in 0..vocab.len() {
                let w = vocab.word(id).unwrap_or("");
                let mut title = w.to_string();
                if let Some(c) = title.get_mut(..1) {
                    c.make_ascii_uppercase();
                }
                tokens.extend([w.to_string(), w.to_uppercase(), title, format!("{w}s")]);
                tokens.push(w.strip_prefix(NEGATED_PREFIX).unwrap_or(w).to_string());
            }
        }
        tokens.extend(
            [
                "NOT_GOOD", "Don'T", "n't", "xn't", "ÉCOLE", "Ünicode", "naïve", "\u{212a}",
            ]
            .map(String::from),
        );
        tokens.extend((30..40).map(|n| "b".repeat(n)));
        tokens.push(format!("{}É", "a".repeat(40)));
        tokens.sort();
        tokens.dedup();
        assert!(tokens.len() > 10_000, "{}", tokens.len());
        for vocab in [sentiment::MODEL.vocabulary(), seed::MODEL.vocabulary()] {
            let max = (0..vocab.len())
                .filter_map(|id| vocab.word(id))
                .map(str::len)
                .max();
            assert!(
                max < Some(KEY_BYTES),
                "the key buffer is shorter than a word: {max:?}"
            );
            for lowercase in [true, false] {
                let t = Tokenizer {
                    lowercase,
                    unk_buckets: 7,
                    ..vocab.tokenizer
                };
                let v = Vocabulary {
                    tokenizer: t,
                    ..*vocab
                };
                for token in &tokens {
                    for prefix in ["", NEGATED_PREFIX] {
                        let key: String = prefix
                            .chars()
                            .chain(lowered(token, lowercase, ASCII_ONLY))
                            .collect();
                        let expected = v
                            .sorted
                            .iter()
                            .map(|&id| usize::from(id))
                            .find(|&id| v.word(id) == Some(&key));
                        assert_eq!(
                            v.find(token, prefix),
                            expected,
                            "{token:?} {prefix:?} lowercase={lowercase}"
                        );
                    }
                    let hash = lowered(token, lowercase, ASCII_ONLY).fold(FNV_OFFSET, fnv1a_char);
                    assert_eq!(t.hash(token), hash, "{token:?}");
                    assert_eq!(
                        t.is_negator(token),
                        is_negator_by_chars(&t, token),
                        "{token:?}"
                    );
                }
            }
        }
    }
}
