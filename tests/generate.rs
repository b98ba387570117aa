//! The shipped generative model: the host generates what the firmware checks on every core
//! (`firmware/cases/melody-generated.tsv`, `mcu_generate`), a seed fixes the tokens, and the
//! iterator, the buffer and a prompt agree.

use tinyrnn::models::melody;
use tinyrnn::{GenerativeModel, Rng, Sampling, TextModel};

/// `mcu_generate`'s settings.
const SEED: u64 = 2026;
const LIMIT: usize = 64;
const SAMPLING: Sampling = Sampling::TopK {
    k: 5,
    temperature: 1.0,
};

fn words(ids: &[usize]) -> String {
    let vocab = melody::MODEL.vocabulary();
    ids.iter()
        .map(|&id| vocab.word(id).unwrap_or("?"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_host_generates_the_lines_the_firmware_checks() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/firmware/cases/melody-generated.tsv"
    );
    let expected = std::fs::read_to_string(path).unwrap();
    let mut lines = expected.lines();
    let mut state = melody::State::new();
    for (class, name) in melody::CONDITIONS.iter().enumerate() {
        let mut tokens = [0usize; LIMIT];
        let mut rng = Rng::new(SEED + class as u64);
        let n = melody::MODEL
            .generate(class, SAMPLING, &mut rng, &mut state, &mut tokens)
            .unwrap();
        let line = format!("melody\t{name}\t{}", words(&tokens[..n]));
        assert_eq!(lines.next(), Some(line.as_str()), "{name}");
    }
    assert_eq!(lines.next(), None);
}

#[test]
fn a_seed_fixes_the_tokens_and_the_iterator_agrees_with_the_buffer() {
    let mut state = melody::State::new();
    let run = |seed: u64, state: &mut melody::State| {
        let mut out = [0usize; 40];
        let n = melody::MODEL
            .generate(2, SAMPLING, &mut Rng::new(seed), state, &mut out)
            .unwrap();
        out[..n].to_vec()
    };
    let a = run(5, &mut state);
    assert_eq!(a, run(5, &mut state));
    assert_ne!(a, run(6, &mut state));
    let mut rng = Rng::new(5);
    let iterated: Vec<usize> = melody::MODEL
        .generator(2, SAMPLING, &mut rng, &mut state)
        .unwrap()
        .take(40)
        .map(Result::unwrap)
        .collect();
    assert_eq!(iterated, a);
}

#[test]
fn a_prompt_continues_as_if_generated() {
    // Greedy from the start, then the same greedy run given its own first three tokens as a
    // prompt: the continuation is the rest of the first run.
    let mut state = melody::State::new();
    let mut rng = Rng::new(0);
    let whole: Vec<usize> = melody::MODEL
        .generator(1, Sampling::Greedy, &mut rng, &mut state)
        .unwrap()
        .take(12)
        .map(Result::unwrap)
        .collect();
    let mut tokens = melody::MODEL
        .generator(1, Sampling::Greedy, &mut rng, &mut state)
        .unwrap();
    tokens.prompt(&whole[..3]).unwrap();
    let rest: Vec<usize> = tokens.take(9).map(Result::unwrap).collect();
    assert_eq!(rest, whole[3..]);
    // A condition the model does not have is an error.
    assert!(melody::MODEL
        .condition(melody::CONDITIONS.len(), &mut state)
        .is_err());
    assert_eq!(melody::CONDITIONS, ["hornpipe", "jig", "reel", "slipjig"]);
}
