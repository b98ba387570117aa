//! The examples' TSV reader (`examples/host/mod.rs`, used by `evaluate`) takes the files users
//! bring: with or without the `label<TAB>text` header, CRLF line ends, and bytes that are not
//! UTF-8 (read as U+FFFD rather than refusing the whole file); and a text the tokenizer finds
//! nothing in is `Error::EmptyInput`, which `evaluate` counts as wrong instead of stopping.

#[path = "../examples/host/mod.rs"]
mod host;

use tinyrnn::TextModel;

/// Writes `bytes` to a scratch file and reads it back with the examples' reader.
fn read(name: &str, bytes: &[u8]) -> Vec<host::Example<String>> {
    let path = std::env::temp_dir().join(format!("tinyrnn-{}-{name}.tsv", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let rows = host::read_tsv(path.to_str().unwrap()).unwrap();
    std::fs::remove_file(&path).unwrap();
    rows
}

fn labels_and_texts(rows: &[host::Example<String>]) -> Vec<(&str, &str)> {
    rows.iter()
        .map(|r| (r.label.as_str(), r.input.as_str()))
        .collect()
}

#[test]
fn the_header_is_optional() {
    let with = read("header", b"label\ttext\n1\tgood\n0\tbad\n");
    let without = read("no-header", b"1\tgood\n0\tbad\n");
    assert_eq!(labels_and_texts(&with), [("1", "good"), ("0", "bad")]);
    assert_eq!(labels_and_texts(&without), labels_and_texts(&with));
    assert_eq!(with[0].line, 2);
    assert_eq!(without[0].line, 1);
}

#[test]
fn bytes_that_are_not_utf8_do_not_refuse_the_file() {
    // "café" in Latin-1, then a CRLF line.
    let rows = read(
        "latin1",
        b"label\ttext\n1\tgreat caf\xe9, loved it\n0\tawful\r\n",
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].input, "great caf\u{fffd}, loved it");
    let model = &tinyrnn::models::sentiment::MODEL;
    let mut state = Default::default();
    for row in &rows {
        assert!(
            model.classify_text(&row.input, &mut state).is_ok(),
            "{}",
            row.input
        );
    }
}

#[test]
fn a_text_with_nothing_to_read_is_empty_input() {
    let model = &tinyrnn::models::sentiment::MODEL;
    let mut state = Default::default();
    for text in ["", "!!!", "... ?", "\u{1f600} \u{1f389}"] {
        assert_eq!(
            model.classify_text(text, &mut state).map(|_| ()),
            Err(tinyrnn::Error::EmptyInput),
            "{text:?}"
        );
    }
}
