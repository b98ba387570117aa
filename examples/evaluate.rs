//! Runs a shipped model's no_std forward pass over a labelled file and reports per-class
//! precision and recall and the accuracy.
//!
//! ```text
//! cargo run --release --example evaluate -- --model NAME FILE
//! ```
//! FILE is `label<TAB>text` TSV (header line optional; bytes that are not UTF-8 are read as
//! U+FFFD, with a note) for text models and UEA `.ts` for sensor models; a label is a
//! class name of the model or its index (`0`, `1`, …). The last two lines are
//! `model data: N bytes` (the model's weights, vocabulary and labels as baked) and
//! `accuracy: 0.xxxx (k/n)`. An example with nothing the model reads (a text of only
//! punctuation, an empty series) gets no prediction: it counts as wrong, and a line before the
//! table says how many there were.

#[path = "host/mod.rs"]
mod host;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut name = None;
    let mut file = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--model" => name = args.next(),
            _ if file.is_none() => file = Some(arg),
            _ => return usage(),
        }
    }
    let (Some(name), Some(file)) = (name, file) else {
        return usage();
    };
    match run(&name, &file) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    let (mut all, sensor) = host::model_names();
    all.extend(sensor);
    eprintln!(
        "usage: evaluate --model NAME FILE   (models: {})",
        all.join(", ")
    );
    ExitCode::FAILURE
}

/// (true label, predicted label) per example; `None` when the input was empty.
type Pairs = Vec<(usize, Option<usize>)>;

/// The model's outputs, or `None` for an empty input (kept in the count, scored as wrong).
fn outputs(result: Result<Vec<f32>, tinyrnn::Error>) -> Result<Option<Vec<f32>>, String> {
    match result {
        Ok(values) => Ok(Some(values)),
        Err(tinyrnn::Error::EmptyInput) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

fn run(name: &str, file: &str) -> Result<(), String> {
    let (labels, pairs) = if let Some(model) = host::text_model(name) {
        let examples = host::read_tsv(file).map_err(|e| e.to_string())?;
        let labels = model.labels();
        let pairs = score(file, labels, &examples, |text: &String| {
            outputs(model.classify(text))
        })?;
        (labels, pairs)
    } else if let Some(model) = host::sensor_model(name) {
        let examples = host::read_ts(file).map_err(|e| e.to_string())?;
        let labels = model.labels();
        let pairs = score(file, labels, &examples, |series: &Vec<Vec<f32>>| {
            let dims = series.first().map_or(0, Vec::len);
            if dims != model.features() {
                return Err(format!(
                    "{dims} dimensions, the model reads {}",
                    model.features()
                ));
            }
            outputs(model.classify(series))
        })?;
        (labels, pairs)
    } else {
        let (mut all, sensor) = host::model_names();
        all.extend(sensor);
        return Err(format!(
            "no model named {name:?}; the shipped models are: {}",
            all.join(", ")
        ));
    };
    report(labels, &pairs);
    if let Some(bytes) = host::model_data_bytes(name) {
        println!("model data: {bytes} bytes");
    }
    print_accuracy(&pairs);
    Ok(())
}

/// (true label, predicted label) of each example, with `classify` giving the model's outputs
/// for an input; an error names the file and line of the first example that failed.
fn score<T>(
    file: &str,
    labels: &[&str],
    examples: &[host::Example<T>],
    classify: impl Fn(&T) -> Result<Option<Vec<f32>>, String>,
) -> Result<Pairs, String> {
    examples
        .iter()
        .map(|ex| {
            let at = |e: String| format!("{file}:{}: {e}", ex.line);
            let truth = label_index(labels, &ex.label).map_err(at)?;
            let values = classify(&ex.input).map_err(at)?;
            Ok((truth, values.map(|v| host::best(&v).0)))
        })
        .collect()
}

fn label_index(labels: &[&str], label: &str) -> Result<usize, String> {
    host::label_index(labels, label).ok_or_else(|| {
        format!("label {label:?} is neither one of the model's labels {labels:?} nor a class index")
    })
}

fn report(labels: &[&str], pairs: &Pairs) {
    let empty = pairs.iter().filter(|(_, p)| p.is_none()).count();
    if empty > 0 {
        println!(
            "{empty} example(s) with nothing the model reads: no prediction, counted as wrong"
        );
    }
    let width = labels.iter().map(|l| l.len()).max().unwrap_or(5).max(5);
    println!("{:width$}  precision  recall  support", "class");
    for (c, label) in labels.iter().enumerate() {
        let tp = pairs
            .iter()
            .filter(|&&(t, p)| t == c && p == Some(c))
            .count();
        let predicted = pairs.iter().filter(|&&(_, p)| p == Some(c)).count();
        let support = pairs.iter().filter(|&&(t, _)| t == c).count();
        let ratio = |a: usize, b: usize| {
            if b == 0 {
                "-".to_string()
            } else {
                format!("{:.4}", a as f64 / b as f64)
            }
        };
        println!(
            "{label:width$}  {:>9}  {:>6}  {support:>7}",
            ratio(tp, predicted),
            ratio(tp, support)
        );
    }
}

fn print_accuracy(pairs: &Pairs) {
    let correct = pairs.iter().filter(|&&(t, p)| p == Some(t)).count();
    let n = pairs.len();
    let accuracy = if n == 0 {
        0.0
    } else {
        correct as f64 / n as f64
    };
    println!("accuracy: {accuracy:.4} ({correct}/{n})");
}
