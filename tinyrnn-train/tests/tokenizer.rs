//! The trainer's tokenizer and the no_std runtime's agree on every token id: the trainer's
//! vocabulary (words, `<unk>`, hashed buckets for unknown words) is turned into the runtime's
//! compact tables as tinyrnn-build bakes them, and both encode thousands of texts — every UCI
//! sentence and lexicon line, each also upper-cased and accented, and hand-picked odd text —
//! with and without negation marking.

use std::path::Path;

use tinyrnn::{Split, Tokenizer, Vocabulary};
use tinyrnn_train::text::{tokenize, Vocab, PAD_ID};

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

#[test]
fn trainer_and_runtime_give_the_same_ids_with_and_without_buckets() {
    let texts = texts();
    let all = variants(&texts);
    for buckets in [0u16, 1, 7, 64] {
        let mut v = Vocab::build(texts.iter().map(String::as_str), 2, Some(400));
        v.add_buckets(buckets);
        let rt = runtime(&v);
        let mut hashed = 0;
        for text in &all {
            let ours: Vec<usize> = rt.encode(text).collect();
            let theirs: Vec<usize> = v.encode(text).iter().map(|&id| id as usize).collect();
            assert_eq!(ours, theirs, "{buckets} buckets: {text:?}");
            hashed += ours
                .iter()
                .filter(|&&id| id >= v.len() - usize::from(buckets))
                .count();
        }
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
        let mut v = Vocab::build_marked(texts.iter().map(String::as_str), 2, Some(1000), negation);
        v.add_buckets(buckets);
        let marked: Vec<bool> = v
            .words
            .iter()
            .map(|w| w.starts_with(tinyrnn::NEGATED_PREFIX))
            .collect();
        let entries = marked.iter().filter(|&&m| m).count();
        assert!(entries > 20, "{negation}: {entries} not_ entries");
        let rt = runtime(&v);
        let mut hits = 0;
        for text in &all {
            let ours: Vec<usize> = rt.encode(text).collect();
            let theirs: Vec<usize> = v.encode(text).iter().map(|&id| id as usize).collect();
            assert_eq!(
                ours, theirs,
                "negation {negation}, {buckets} buckets: {text:?}"
            );
            hits += ours.iter().filter(|&&id| marked[id]).count();
        }
        // Scopes really were marked, and reached the not_ entries.
        assert!(hits > 500, "negation {negation}: {hits} marked tokens");
    }
    let mut v = Vocab::build_marked(["it is not good, good"; 2], 1, None, 3);
    v.add_buckets(0);
    let ids: Vec<&str> = v
        .encode("Not good, good")
        .iter()
        .map(|&id| v.words[id as usize].as_str())
        .collect();
    assert_eq!(ids, ["not", "not_good", "good"]);
}
