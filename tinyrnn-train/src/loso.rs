//! Leave-one-source-out evaluation: for each source file, train on the others and test on it,
//! with a recurrent recipe and with the bag-of-words baseline ([`crate::bow`]) in the same run.
//! A proxy for how a text model does on sentences from a domain it never saw.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};

use crate::bow::{BagOfWords, BowOptions};
use crate::data::{self, DataFile};
use crate::examples::class_index;
use crate::{Model, TrainOptions};

/// One fold: the source held out for testing and the sources trained on.
#[derive(Debug, Clone, PartialEq)]
pub struct Fold {
    /// The test source.
    pub held_out: PathBuf,
    /// The training sources, in the given order.
    pub train: Vec<PathBuf>,
}

/// The folds of a leave-one-source-out evaluation, one per source, in the given order; the
/// training-only sources `also` are appended to every fold's training sources.
pub fn folds(sources: &[PathBuf], also: &[PathBuf]) -> anyhow::Result<Vec<Fold>> {
    if sources.len() < 2 {
        bail!("leave-one-source-out needs at least two sources");
    }
    Ok(sources
        .iter()
        .enumerate()
        .map(|(k, held_out)| Fold {
            held_out: held_out.clone(),
            train: sources
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != k)
                .map(|(_, p)| p.clone())
                .chain(also.iter().cloned())
                .collect(),
        })
        .collect())
}

/// The accuracies of one fold.
#[derive(Debug, Clone)]
pub struct FoldResult {
    /// The held-out source's name (its file stem).
    pub name: String,
    /// Number of test examples.
    pub examples: usize,
    /// The recurrent model's test accuracy, one per seed.
    pub rnn: Vec<f64>,
    /// The recurrent model's validation accuracy (in-domain hold-out), one per seed.
    pub rnn_val: Vec<f64>,
    /// The bag-of-words baseline's test accuracy.
    pub bow: f64,
}

impl FoldResult {
    /// Mean test accuracy of the recurrent model over the seeds.
    pub fn rnn_mean(&self) -> f64 {
        mean(&self.rnn)
    }
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

/// What to run: the recurrent recipe (its data and output fields are replaced per fold), the
/// seeds, where the fold models go, and the baseline's options.
#[derive(Debug, Clone)]
pub struct LosoOptions {
    /// The recipe; `train`, `val` and `out` are set per fold, `seed` per run.
    pub recipe: TrainOptions,
    /// One recurrent run per seed and fold.
    pub seeds: Vec<u64>,
    /// Training-only sources, appended to every fold's training sources (never held out).
    pub also: Vec<PathBuf>,
    /// Directory of the fold models (`loso-SOURCE-sSEED.safetensors`).
    pub out_dir: PathBuf,
    /// The baseline's options.
    pub bow: BowOptions,
}

/// The texts of a TSV file with binary labels (`true` for class 1 of `classes`).
fn binary_texts(path: &[PathBuf], classes: &[String]) -> anyhow::Result<(Vec<String>, Vec<bool>)> {
    let DataFile::Text(rows) = data::load_many(path)? else {
        bail!("leave-one-source-out takes label<TAB>text files");
    };
    let mut labels = Vec::with_capacity(rows.len());
    for r in &rows {
        match class_index(classes, &r.label) {
            Some(k) => labels.push(k == 1),
            None => bail!(
                "{}:{}: label {:?} is not a class of the training data",
                r.file.display(),
                r.line,
                r.label
            ),
        }
    }
    Ok((rows.into_iter().map(|r| r.text).collect(), labels))
}

/// The two class labels of the training sources (the baseline is binary).
fn binary_classes(train: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let classes = data::class_labels(&data::load_many(train)?);
    if classes.len() != 2 {
        bail!(
            "the baseline needs two classes, the training sources have {}",
            classes.len()
        );
    }
    Ok(classes)
}

/// Fits the baseline on the fold's training sources and returns its test accuracy.
pub fn bow_accuracy(fold: &Fold, opts: BowOptions) -> anyhow::Result<f64> {
    let classes = binary_classes(&fold.train)?;
    let (texts, labels) = binary_texts(&fold.train, &classes)?;
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let model = BagOfWords::fit(&texts, &labels, opts);
    let (test, test_labels) = binary_texts(std::slice::from_ref(&fold.held_out), &classes)?;
    let test: Vec<&str> = test.iter().map(String::as_str).collect();
    Ok(model.accuracy(&test, &test_labels))
}

/// Trains the recipe on the fold with one seed; returns (test accuracy, validation accuracy).
fn rnn_accuracy(fold: &Fold, opts: &LosoOptions, seed: u64) -> anyhow::Result<(f64, f64)> {
    let mut o = opts.recipe.clone();
    o.train = fold.train.clone();
    o.val = None;
    o.seed = seed;
    o.out = opts
        .out_dir
        .join(format!("loso-{}-s{seed}.safetensors", stem(&fold.held_out)));
    o.plot = false;
    o.verbose = false;
    let report = crate::train(&o)?;
    let val = report.val_confusion.map_or(f64::NAN, |c| c.accuracy());
    let model = Model::load(&o.out)?;
    let (confusion, _) = model.evaluate(&data::load(&fold.held_out)?)?;
    Ok((confusion.accuracy(), val))
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Runs every fold: the baseline once, the recipe once per seed. `progress` gets a line per run.
pub fn run(
    sources: &[PathBuf],
    opts: &LosoOptions,
    mut progress: impl FnMut(&str),
) -> anyhow::Result<Vec<FoldResult>> {
    std::fs::create_dir_all(&opts.out_dir)
        .with_context(|| format!("creating {}", opts.out_dir.display()))?;
    let mut results = Vec::new();
    for fold in folds(sources, &opts.also)? {
        let name = stem(&fold.held_out);
        let examples = data::load(&fold.held_out)?.len();
        let bow = bow_accuracy(&fold, opts.bow)?;
        progress(&format!("{name}: bag of words {bow:.4}"));
        let (mut rnn, mut rnn_val) = (Vec::new(), Vec::new());
        for &seed in &opts.seeds {
            let t0 = Instant::now();
            let (test, val) = rnn_accuracy(&fold, opts, seed)?;
            progress(&format!(
                "{name}: seed {seed}: test {test:.4}, validation {val:.4} ({:.1} s)",
                t0.elapsed().as_secs_f64()
            ));
            rnn.push(test);
            rnn_val.push(val);
        }
        results.push(FoldResult {
            name,
            examples,
            rnn,
            rnn_val,
            bow,
        });
    }
    Ok(results)
}

/// The results as a Markdown table: held-out source × (recurrent mean, per seed; baseline;
/// difference), and the mean over the folds.
pub fn table(results: &[FoldResult], cell: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| held-out source | n | {cell} (mean) | {cell} per seed | in-domain val | BoW | {cell} − BoW |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    for r in results {
        let seeds: Vec<String> = r.rnn.iter().map(|a| format!("{a:.3}")).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {:.4} | {} | {:.3} | {:.4} | {:+.4} |",
            r.name,
            r.examples,
            r.rnn_mean(),
            seeds.join(" "),
            mean(&r.rnn_val),
            r.bow,
            r.rnn_mean() - r.bow
        );
    }
    let rnn = mean(&results.iter().map(FoldResult::rnn_mean).collect::<Vec<_>>());
    let bow = mean(&results.iter().map(|r| r.bow).collect::<Vec<_>>());
    let _ = writeln!(
        s,
        "| **mean** | | **{rnn:.4}** | | | **{bow:.4}** | **{:+.4}** |",
        rnn - bow
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_is_held_out_once_and_never_trained_on() {
        let s: Vec<PathBuf> = ["a.tsv", "b.tsv", "c.tsv"].map(PathBuf::from).to_vec();
        let f = folds(&s, &[]).unwrap();
        assert_eq!(f.len(), 3);
        for (k, fold) in f.iter().enumerate() {
            assert_eq!(fold.held_out, s[k]);
            assert_eq!(fold.train.len(), 2);
            assert!(!fold.train.contains(&fold.held_out));
        }
        assert_eq!(f[1].train, [PathBuf::from("a.tsv"), PathBuf::from("c.tsv")]);
        assert!(folds(&s[..1], &[]).is_err());
        // Training-only sources train every fold and are never held out.
        let extra = [PathBuf::from("x.tsv")];
        let f = folds(&s, &extra).unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(
            f[0].train,
            ["b.tsv", "c.tsv", "x.tsv"].map(PathBuf::from).to_vec()
        );
    }

    #[test]
    fn table_has_a_row_per_fold_and_the_means() {
        let r = |name: &str, rnn: Vec<f64>, bow| FoldResult {
            name: name.into(),
            examples: 10,
            rnn_val: vec![0.9; rnn.len()],
            rnn,
            bow,
        };
        let t = table(
            &[r("a", vec![0.8, 0.6], 0.5), r("b", vec![0.9], 0.7)],
            "GRU",
        );
        assert!(
            t.contains("| a | 10 | 0.7000 | 0.800 0.600 | 0.900 | 0.5000 | +0.2000 |"),
            "{t}"
        );
        assert!(
            t.contains("| **mean** | | **0.8000** | | | **0.6000** | **+0.2000** |"),
            "{t}"
        );
    }

    #[test]
    fn the_baseline_transfers_shared_words_across_sources() {
        let dir = std::env::temp_dir().join(format!("tinyrnn-loso-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, rows: &[(u8, &str)]| {
            let mut s = String::from("label\ttext\n");
            for (l, t) in rows {
                s.push_str(&format!("{l}\t{t}\n"));
            }
            let p = dir.join(name);
            std::fs::write(&p, s).unwrap();
            p
        };
        let a = write(
            "a.tsv",
            &[(1, "good phone"), (0, "bad phone"), (1, "great case")],
        );
        let b = write(
            "b.tsv",
            &[(1, "good film"), (0, "bad film"), (0, "awful plot")],
        );
        let c = write("c.tsv", &[(1, "good soup"), (0, "bad soup")]);
        let fold = &folds(&[a, b, c], &[]).unwrap()[2];
        assert_eq!(bow_accuracy(fold, BowOptions::default()).unwrap(), 1.0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
