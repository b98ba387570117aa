//! The README's usage examples stay true: the code block of each section below is, line for
//! line, part of a doc example of the crate, which `cargo test` compiles and runs (the README's
//! blocks use `?` without the hidden lines a doctest needs, so they are not doctests themselves).

/// `(README heading, source file whose module documentation holds the block)`.
const EXAMPLES: [(&str, &str); 2] = [
    ("### Generating a sequence (1→N)", "src/generate.rs"),
    ("### Sequence to sequence (N→M)", "src/seq2seq.rs"),
];

fn read(path: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines of the first ```rust block after `heading`.
fn block_after<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    let mut lines = text
        .lines()
        .skip_while(|l| *l != heading)
        .skip_while(|l| *l != "```rust")
        .skip(1);
    let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
    assert!(
        !block.is_empty(),
        "README: no ```rust block after {heading:?}"
    );
    block
}

/// The module documentation's lines, without `//! ` (or `//!` alone).
fn module_doc(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect()
}

#[test]
fn the_readme_examples_are_doc_examples() {
    let readme = read("README.md");
    for (heading, file) in EXAMPLES {
        let source = read(file);
        let block = block_after(&readme, heading);
        let doc = module_doc(&source);
        assert!(
            doc.windows(block.len()).any(|w| w == block.as_slice()),
            "the README's example under {heading:?} is not part of {file}'s module doc example:\n{}",
            block.join("\n")
        );
    }
}
