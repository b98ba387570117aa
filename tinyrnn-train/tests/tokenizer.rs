//! The trainer's tokenizer and the no_std runtime's agree on every token id: the trainer's
//! vocabulary (words, `<unk>`, hashed buckets for unknown words) is turned into the runtime's
//! compact tables as tinyrnn-build bakes them, and both encode thousands of texts — every UCI
//! sentence and lexicon line, each also upper-cased and accented, and hand-picked odd text —
//! with and without negation marking and stemming.

use std::path::Path;

use tinyrnn::{Split, Tokenizer, Vocabulary};
use tinyrnn_train::text::{stem_len, tokenize, Vocab, PAD_ID};

/// Every text line (the part after the tab) of the sentiment data files.
fn texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sentiment");
    let mut out = Vec::new();
    for name in [
        "uci_sentences_amazon.tsv",
        "uci_sentences_imdb.tsv",
        "uci_sentences_yelp.tsv",
        "lexicon.tsv",
    ] {
        let file = std::fs::read_to_string(dir.join(name)).unwrap();
        out.extend(
            file.lines()
                .filter_map(|l| l.split_once('\t'))
                .map(|(_, t)| t.to_string()),
        );
    }
    assert!(out.len() > 5_000, "{} texts", out.len());
    out
}

/// The runtime's tables for a trainer vocabulary, leaked to `'static` as the baked ones are.
fn runtime(v: &Vocab) -> Vocabulary {
    let first_bucket = v.len() - usize::from(v.buckets);
    let mut ends = Vec::new();
    let mut end = 0u16;
    for w in &v.words {
        end += u16::try_from(w.len()).unwrap();
        ends.push(end);
    }
    let mut sorted: Vec<u16> = (0..first_bucket as u16)
        .filter(|&id| u32::from(id) != PAD_ID)
        .collect();
    sorted.sort_by(|&a, &b| v.words[a as usize].cmp(&v.words[b as usize]));
    Vocabulary {
        text: Box::leak(v.words.concat().into_boxed_str()),
        ends: Box::leak(ends.into_boxed_slice()),
        sorted: Box::leak(sorted.into_boxed_slice()),
        unk: v.unk,
        pad: Some(PAD_ID),
        tokenizer: Tokenizer {
            lowercase: v.lowercase,
            split: Split::Words,
            unk_buckets: v.buckets,
            negation: v.negation,
            stem: v.stem,
        },
    }
}

/// Each text, and variants whose words the vocabulary mostly lacks.
fn variants(texts: &[String]) -> Vec<String> {
    let mut all = Vec::new();
    for t in texts {
        all.push(t.clone());
        all.push(t.to_uppercase());
        all.push(t.replace('e', "é").replace('a', "Å").replace('s', "ß"));
    }
    all.extend(
        [
            "",
            "   ",
            "!!! ???",
            "Isn't it GREAT?! l'été, STRAßE, ΣΊΣΥΦΟΣ, 東京 😀 rock'n'roll",
            "unknownword anotherone zzzzqx 42km/h",
            "İstanbul ǅemal ﬁne",
            "not good. Not good, good; NEVER bad: isn't it bad? DONT like it! n't bad",
            "I didn't... like it -- not at all; no no good',not really",
        ]
        .map(String::from),
    );
    all
}

/// A vocabulary of the texts' words seen twice, at most `size` entries, and `buckets` buckets.
fn vocab(texts: &[String], size: usize, negation: u16, stem: bool, buckets: u16) -> Vocab {
    let texts = texts.iter().map(String::as_str);
    let mut v = Vocab::build_marked(texts, 2, Some(size), negation, stem);
    v.add_buckets(buckets);
    v
}

/// Asserts that the trainer and the runtime encode every text alike; the ids of each text.
fn same_ids(v: &Vocab, rt: &Vocabulary, all: &[String], what: &str) -> Vec<Vec<usize>> {
    let mut out = Vec::with_capacity(all.len());
    for text in all {
        let ours: Vec<usize> = rt.encode(text).collect();
        let theirs: Vec<usize> = v.encode(text).iter().map(|&id| id as usize).collect();
        assert_eq!(ours, theirs, "{what}: {text:?}");
        out.push(ours);
    }
    out
}

#[test]
fn trainer_and_runtime_give_the_same_ids_with_and_without_buckets() {
    let texts = texts();
    let all = variants(&texts);
    for buckets in [0u16, 1, 7, 64] {
        let v = vocab(&texts, 400, 0, false, buckets);
        let rt = runtime(&v);
        let ids = same_ids(&v, &rt, &all, &format!("{buckets} buckets"));
        let hashed = ids
            .iter()
            .flatten()
            .filter(|&&id| id >= v.len() - usize::from(buckets))
            .count();
        if buckets > 0 {
            // The unknown words really went through the hash, spread over every bucket.
            assert!(hashed > 10_000, "{hashed}");
            for b in 0..usize::from(buckets) {
                let id = v.len() - usize::from(buckets) + b;
                assert!(
                    all.iter().any(|t| rt.encode(t).any(|i| i == id)),
                    "bucket {b} of {buckets} never used"
                );
            }
        } else {
            assert_eq!(hashed, 0);
        }
    }
    // The trainer's tokens are the runtime's, lowercased.
    assert_eq!(tokenize("Isn't IT"), ["isn't", "it"]);
}

#[test]
fn trainer_and_runtime_mark_the_same_negation_scopes() {
    let texts = texts();
    let all = variants(&texts);
    for (negation, buckets) in [(1u16, 0u16), (3, 7), (1000, 0)] {
        let v = vocab(&texts, 1000, negation, false, buckets);
        let marked: Vec<bool> = v
            .words
            .iter()
            .map(|w| w.starts_with(tinyrnn::NEGATED_PREFIX))
            .collect();
        let entries = marked.iter().filter(|&&m| m).count();
        assert!(entries > 20, "{negation}: {entries} not_ entries");
        let rt = runtime(&v);
        let ids = same_ids(
            &v,
            &rt,
            &all,
            &format!("negation {negation}, {buckets} buckets"),
        );
        let hits = ids.iter().flatten().filter(|&&id| marked[id]).count();
        // Scopes really were marked, and reached the not_ entries.
        assert!(hits > 500, "negation {negation}: {hits} marked tokens");
    }
    let mut v = Vocab::build_marked(["it is not good, good"; 2], 1, None, 3, false);
    v.add_buckets(0);
    let ids: Vec<&str> = v
        .encode("Not good, good")
        .iter()
        .map(|&id| v.words[id as usize].as_str())
        .collect();
    assert_eq!(ids, ["not", "not_good", "good"]);
}

/// Odd text for the stemmer: suffixes in every case, too-short stems, possessives, characters
/// outside ASCII (the Kelvin sign lowercases to an ASCII `k`, `İ` to `i` + a combining dot),
/// digits and apostrophes next to suffixes.
const STEM_ODD: [&str; 8] = [
    "LOVED loving Lovely loves lovers love's LOVE'S's loveliness lovingly",
    "Terribly TERRIBLE horribly ably ly s es ed ing ings bed beds need needed NEEDS",
    "boxes BUSES classes Watches wishes goes does this his bus us was as is thing things",
    "1990s 80's x's a's's it's IT'S he'd we're i've can't isn't doesn't nothing Nothing's",
    "\u{212A}ings \u{212A}ING bo\u{212A}es İngs smİled café's naïvely clichés ÉTÉS",
    "ness ingly edly supposedly reportedly amazingly goodness ENDINGS singing sings kings",
    "e ee eee eees ees tree trees free freed agreed agreeing seeing fleeing see sees",
    "x's's's b'ly bly ably'ly q1ing 9ed 99ed 999ed z9s zzs abc'ed abc'es ab'cing",
];

#[test]
fn trainer_and_runtime_stem_alike() {
    let texts = texts();
    let mut all = variants(&texts);
    all.extend(STEM_ODD.map(String::from));
    // Every token of every text: the two stemmers cut the same prefix.
    let mut cut = 0;
    for text in &all {
        for token in Split::Words.tokens(text) {
            let ours = tinyrnn::stem(token);
            assert_eq!(ours.len(), stem_len(token), "{token:?}");
            assert!(token.starts_with(ours), "{token:?}");
            cut += usize::from(ours.len() < token.len());
        }
    }
    assert!(cut > 20_000, "{cut} tokens stemmed");
    for (negation, buckets) in [(0u16, 0u16), (0, 7), (3, 0), (3, 7)] {
        let v = vocab(&texts, 1000, negation, true, buckets);
        // The vocabulary holds stems: "lov" for "love", "loved", "loving" ….
        assert!(v.knows("lov") && !v.knows("love") && !v.knows("loved"));
        let rt = runtime(&v);
        let what = format!("stems, negation {negation}, {buckets} buckets");
        same_ids(&v, &rt, &all, &what);
        let words = |text: &str| -> Vec<String> {
            let ids = rt.encode(text);
            ids.map(|id| rt.word(id).unwrap().to_string()).collect()
        };
        assert_eq!(words("LOVED it, Loving"), ["lov", "it", "lov"]);
        if negation > 0 {
            // A negator is judged whole ("nothing" would stem to "noth").
            assert_eq!(words("Nothing worked")[1], "not_work");
        }
    }
}

#[test]
fn the_stemmer_follows_its_rules() {
    let cases = [
        ("loved", "lov"),
        ("Loving", "Lov"),
        ("love", "lov"),
        ("lovely", "lov"),
        ("terribly", "terribl"),
        ("terrible", "terribl"),
        ("needed", "need"),
        ("need", "need"),
        ("agreed", "agreed"),
        ("boxes", "box"),
        ("classes", "class"),
        ("loves", "lov"),
        ("class", "class"),
        ("bus", "bus"),
        ("this", "this"),
        ("goodness", "good"),
        ("amazingly", "amaz"),
        ("supposedly", "suppos"),
        ("feelings", "feel"),
        ("things", "thing"),
        ("thing", "thing"),
        ("the", "the"),
        ("tree", "tre"),
        ("it's", "it"),
        ("movie's", "movi"),
        ("x's's", "x's"),
        ("1990s", "1990"),
        ("abc'ed", "abc'ed"),
        ("clichés", "clichés"),
        ("\u{212A}ings", "\u{212A}ings"),
    ];
    for (token, stem) in cases {
        assert_eq!(tinyrnn::stem(token), stem, "{token:?}");
        assert_eq!(&token[..stem_len(token)], stem, "{token:?}");
    }
}
