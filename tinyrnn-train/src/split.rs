//! A reproducible stratified train/validation/test split of TSV files.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::data::{self, TextRow};
use crate::rng::Rng;

/// The rows of each part, in input order (file by file, line by line).
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Training rows.
    pub train: Vec<TextRow>,
    /// Validation rows.
    pub val: Vec<TextRow>,
    /// Test rows.
    pub test: Vec<TextRow>,
}

/// Splits rows into train/validation/test with the given fractions (`train + val ≤ 1`, the rest
/// is test), separately for every (source file, label) group, so that each part has the same
/// mix of sources and classes. In each group of `n` rows, `round(n·train)` go to training and
/// `round(n·val)` to validation, chosen by a generator seeded with `seed`.
pub fn split(rows: &[TextRow], train: f64, val: f64, seed: u64) -> anyhow::Result<Split> {
    if !(0.0..=1.0).contains(&train) || !(0.0..=1.0).contains(&val) || train + val > 1.0 + 1e-9 {
        bail!("fractions must be in [0, 1] and add up to at most 1");
    }
    let mut groups: BTreeMap<(&Path, &str), Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        groups
            .entry((r.file.as_path(), r.label.as_str()))
            .or_default()
            .push(i);
    }
    let mut rng = Rng::stream(seed, "split");
    let mut part = vec![2u8; rows.len()]; // 0 train, 1 val, 2 test
    for idx in groups.values_mut() {
        rng.shuffle(idx);
        let n = idx.len() as f64;
        let n_train = (n * train).round() as usize;
        let n_val = ((n * val).round() as usize).min(idx.len() - n_train);
        for (k, &i) in idx.iter().enumerate() {
            part[i] = if k < n_train {
                0
            } else if k < n_train + n_val {
                1
            } else {
                2
            };
        }
    }
    let pick = |p: u8| {
        rows.iter()
            .zip(&part)
            .filter(|(_, &q)| q == p)
            .map(|(r, _)| r.clone())
            .collect()
    };
    Ok(Split {
        train: pick(0),
        val: pick(1),
        test: pick(2),
    })
}

/// The TSV text of rows, with the `label<TAB>text` header.
pub fn to_tsv(rows: &[TextRow]) -> String {
    let mut s = String::from("label\ttext\n");
    for r in rows {
        let _ = writeln!(s, "{}\t{}", r.label, r.text);
    }
    s
}

/// Reads TSV files, splits them, writes `{prefix}_train.tsv`, `{prefix}_val.tsv`,
/// `{prefix}_test.tsv`; returns the paths and the row counts.
pub fn split_files(
    inputs: &[PathBuf],
    prefix: &Path,
    train: f64,
    val: f64,
    seed: u64,
) -> anyhow::Result<Vec<(PathBuf, usize)>> {
    let mut rows = Vec::new();
    for p in inputs {
        match data::load(p)? {
            data::DataFile::Text(r) => rows.extend(r),
            data::DataFile::Series(_) => {
                bail!("{}: split handles label<TAB>text files only", p.display())
            }
        }
    }
    let s = split(&rows, train, val, seed)?;
    let mut out = Vec::new();
    for (part, rows) in [("train", &s.train), ("val", &s.val), ("test", &s.test)] {
        let path = PathBuf::from(format!("{}_{part}.tsv", prefix.display()));
        std::fs::write(&path, to_tsv(rows))
            .with_context(|| format!("writing {}", path.display()))?;
        out.push((path, rows.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_and_reproducible() {
        let mut rows = Vec::new();
        for f in ["a.tsv", "b.tsv"] {
            for i in 0..20 {
                rows.push(TextRow {
                    file: PathBuf::from(f),
                    line: i + 2,
                    label: (i % 2).to_string(),
                    text: format!("{f} {i}"),
                });
            }
        }
        let s = split(&rows, 0.8, 0.1, 5).unwrap();
        assert_eq!((s.train.len(), s.val.len(), s.test.len()), (32, 4, 4));
        for part in [&s.train, &s.val, &s.test] {
            let n = part.len();
            assert_eq!(part.iter().filter(|r| r.label == "0").count(), n / 2);
            assert_eq!(
                part.iter().filter(|r| r.file == Path::new("a.tsv")).count(),
                n / 2
            );
        }
        assert_eq!(split(&rows, 0.8, 0.1, 5).unwrap(), s);
        assert_ne!(split(&rows, 0.8, 0.1, 6).unwrap(), s);
    }
}
