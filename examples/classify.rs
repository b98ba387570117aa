//! Classifies texts with a shipped model, running the same no_std forward pass as the firmware.
//!
//! ```text
//! cargo run --release --example classify -- [--model NAME] [TEXT ...]
//! ```
//! Prints `label<TAB>probability<TAB>text` for each TEXT; with no TEXT, reads one text per line
//! from standard input and prints one line per input line.

#[path = "host/mod.rs"]
mod host;

use std::io::{BufRead, Write};
use std::process::ExitCode;

/// The model used when `--model` is not given.
const DEFAULT_MODEL: &str = "sentiment";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let mut name = None;
    let mut texts = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--model" => name = args.next(),
            "-h" | "--help" => {
                println!(
                    "usage: classify [--model NAME] [TEXT ...]   (models: {})",
                    host::model_names().0.join(", ")
                );
                return ExitCode::SUCCESS;
            }
            _ => texts.push(arg),
        }
    }
    let names = host::model_names().0;
    let name = name.unwrap_or_else(|| {
        if names.contains(&DEFAULT_MODEL) {
            DEFAULT_MODEL
        } else {
            names.first().copied().unwrap_or(DEFAULT_MODEL)
        }
        .to_string()
    });
    let Some(model) = host::text_model(&name) else {
        eprintln!(
            "error: no text model named {name:?}; the shipped text models are: {}",
            names.join(", ")
        );
        return ExitCode::FAILURE;
    };

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut answer = |text: &str| {
        let line = match model.classify(text) {
            Ok(values) => {
                let (i, p) = host::best(&values);
                format!("{}\t{p:.4}\t{text}", model.labels()[i])
            }
            Err(e) => format!("-\t-\t{text}\t({e})"),
        };
        // A closed pipe (e.g. `| head`) just ends the output.
        writeln!(out, "{line}").and_then(|()| out.flush()).is_ok()
    };
    if texts.is_empty() {
        for line in std::io::stdin().lock().lines() {
            match line {
                Ok(line) if answer(&line) => {}
                Ok(_) => break,
                Err(e) => {
                    eprintln!("error: reading standard input: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    } else {
        for text in &texts {
            if !answer(text) {
                break;
            }
        }
    }
    ExitCode::SUCCESS
}
