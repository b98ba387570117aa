//! Every label and vocabulary entry, whatever its characters, reaches the generated source as a
//! string literal (the vocabulary's entries concatenated into one, cut at `VOCAB_ENDS`) that reads
//! back to the same bytes, and reaches the documentation summary without adding a line.
//!
//! The literals are read back by a decoder of Rust's string-literal syntax written here (not by
//! the `{:?}` the generator uses), which also refuses what rustc refuses in a literal: a bare
//! carriage return and the bidirectional formatting characters.

mod common;

use std::path::Path;

use proptest::prelude::*;
use serde_json::json;

/// A one-hot tanh RNN with one unit: the smallest model with a vocabulary and labels.
fn model(labels: &[String], vocab: &[String]) -> Vec<u8> {
    let meta = json!({
        "format_version": 1, "cell": "rnn", "num_layers": 1, "hidden_size": 1,
        "input": "one_hot", "task": "classify", "output": "softmax", "labels": labels,
        "vocab": vocab, "unk_id": 0, "tokenizer": {"lowercase": false, "split": "words"},
    });
    let (v, c) = (vocab.len(), labels.len());
    let shapes = [
        ("rnn.weight_ih_l0", vec![1, v]),
        ("rnn.weight_hh_l0", vec![1, 1]),
        ("rnn.bias_ih_l0", vec![1]),
        ("rnn.bias_hh_l0", vec![1]),
        ("head.weight", vec![c, 1]),
        ("head.bias", vec![c]),
    ];
    let data: Vec<(String, Vec<usize>, Vec<u8>)> = shapes
        .into_iter()
        .map(|(name, shape)| {
            let bytes = 0.5f32.to_le_bytes().repeat(shape.iter().product());
            (name.to_string(), shape, bytes)
        })
        .collect();
    common::f32_file(&data, &meta)
}

/// The elements of the `static` array declared by the line starting with `decl`, decoded.
fn literals(source: &str, decl: &str) -> Vec<String> {
    let mut lines = source.lines().skip_while(|l| !l.starts_with(decl));
    assert!(
        lines.next().is_some_and(|l| l.ends_with("= [")),
        "no {decl}"
    );
    lines
        .take_while(|l| *l != "];")
        .map(|line| {
            let rest = line
                .strip_prefix("    \"")
                .unwrap_or_else(|| panic!("{line:?}"));
            let (text, after) = decode(rest);
            // After the literal: its comma and its id comment, nothing else.
            assert!(after.starts_with(',') && after.contains("// "), "{line:?}");
            text
        })
        .collect()
}

/// The `v` vocabulary entries: `VOCAB_TEXT`'s one literal, decoded, cut at `VOCAB_ENDS`.
fn words(source: &str, v: usize) -> Vec<String> {
    let decl = "pub static VOCAB_TEXT: &str =";
    let line = source
        .lines()
        .find(|l| l.starts_with(decl))
        .expect("VOCAB_TEXT");
    // rustfmt puts a literal too long for the line on the next one.
    let rest = line[decl.len()..].trim_start();
    let rest = if rest.is_empty() {
        let next = source.lines().skip_while(|l| *l != line).nth(1).unwrap();
        next.trim_start()
    } else {
        rest
    };
    let (text, after) = decode(rest.strip_prefix('"').expect("a literal"));
    assert_eq!(after, ";", "{line:?}");
    let decl = format!("pub static VOCAB_ENDS: [u16; {v}] = [");
    let mut lines = source.lines().skip_while(|l| !l.starts_with(&decl));
    let first = lines.next().expect("VOCAB_ENDS");
    let numbers: String = if first.ends_with("];") {
        first[decl.len()..first.len() - 2].to_string()
    } else {
        lines
            .take_while(|l| *l != "];")
            .collect::<Vec<_>>()
            .join(" ")
    };
    let ends: Vec<usize> = numbers
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(ends.len(), v);
    let mut start = 0;
    ends.iter()
        .map(|&end| {
            let word = text[start..end].to_string();
            start = end;
            word
        })
        .collect()
}

/// Decodes a Rust string literal's contents up to its closing quote; returns the text and what
/// follows the quote. Panics on anything rustc would not read as the same literal.
fn decode(literal: &str) -> (String, &str) {
    let mut out = String::new();
    let mut chars = literal.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return (out, &literal[at + 1..]),
            '\\' => {
                let (_, e) = chars.next().expect("an escape");
                out.push(match e {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    '0' => '\0',
                    '\\' | '"' | '\'' => e,
                    'u' => {
                        let rest = &literal[at + 2..];
                        let close = rest.find('}').expect("a closed \\u{...}");
                        let hex = rest[..close].strip_prefix('{').expect("\\u{");
                        for _ in 0..=close {
                            chars.next();
                        }
                        char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap()
                    }
                    other => panic!("an escape rustc does not know: \\{other}"),
                });
            }
            '\r' => panic!("a bare carriage return, which rustc refuses in a literal"),
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
                panic!("a bidirectional formatting character, which rustc refuses")
            }
            c if c.is_control() => panic!("a raw control character {c:?}"),
            c => out.push(c),
        }
    }
    panic!("an unterminated literal")
}

/// Distinct strings (as the format requires), non-empty when `non_empty`.
fn distinct(non_empty: bool) -> impl Strategy<Value = Vec<String>> {
    let item = if non_empty {
        ".{1,12}".boxed()
    } else {
        ".{0,12}".boxed()
    };
    let special = prop_oneof![
        item,
        Just("a\n\n```\npanic!()\n```".to_string()),
        Just("x\n\n    panic!()".to_string()),
        Just("\"\\'\r\t\0\u{1b}\u{7f}\u{202e}\u{2028}\u{301}".to_string()),
    ];
    proptest::collection::vec(special, 1..8).prop_map(|mut v| {
        let mut seen = std::collections::HashSet::new();
        v.retain(|s| seen.insert(s.clone()));
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn labels_and_vocabulary_round_trip_byte_for_byte(
        labels in distinct(false),
        vocab in distinct(true),
    ) {
        let spec = tinyrnn_build::parse(Path::new("p.safetensors"), &model(&labels, &vocab))
            .unwrap();
        let opts = tinyrnn_build::Options::new("models/p.safetensors");
        let generated = tinyrnn_build::generate(&spec, &opts);
        let c = labels.len();
        let v = vocab.len();
        let decl = format!("pub static LABELS: [&str; {c}]");
        prop_assert_eq!(&literals(&generated.source, &decl), &labels);
        prop_assert_eq!(&words(&generated.source, v), &vocab);
        // Nothing unsafe anywhere else either.
        prop_assert!(!generated.source.chars().any(|c| c != '\n' && c.is_control()));
        // The summary has the lines of any model's: no label adds one.
        let plain: Vec<String> = (0..c).map(|k| format!("l{k}")).collect();
        let words: Vec<String> = (0..v).map(|k| format!("w{k}")).collect();
        let baseline = tinyrnn_build::parse(Path::new("p.safetensors"), &model(&plain, &words))
            .unwrap();
        let baseline = tinyrnn_build::generate(&baseline, &opts).summary;
        prop_assert_eq!(generated.summary.lines().count(), baseline.lines().count());
        prop_assert!(!generated.summary.chars().any(|c| c != '\n' && c.is_control()));
    }
}
