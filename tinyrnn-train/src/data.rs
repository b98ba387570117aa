//! Data loaders: `label<TAB>text` TSV files and UEA/sktime `.ts` multivariate time series.
//!
//! Every problem in a file is reported as `FILE:LINE: what was wrong`; nothing is dropped
//! silently.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in a data file, with the file and 1-based line number.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line number (0 when the problem is the file as a whole).
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        }
    }
}

impl std::error::Error for DataError {}

fn err(file: &Path, line: usize, message: impl Into<String>) -> DataError {
    DataError {
        file: file.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// One labelled sentence of a TSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRow {
    /// Where it came from (file and line), for messages.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// The class label as written.
    pub label: String,
    /// The text, unchanged.
    pub text: String,
}

/// One labelled multivariate series of a `.ts` file.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow {
    /// Where it came from (file and line), for messages.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// The class label as written.
    pub label: String,
    /// `steps[t][f]`: the value of feature (dimension) `f` at time step `t`.
    pub steps: Vec<Vec<f32>>,
}

/// The contents of one `.ts` file.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFile {
    /// The class labels in the order of the `@classLabel` header, if it lists them.
    pub class_labels: Option<Vec<String>>,
    /// Number of dimensions (features per time step).
    pub dims: usize,
    /// The series.
    pub rows: Vec<SeriesRow>,
}

/// A loaded data file of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum DataFile {
    /// `label<TAB>text` rows.
    Text(Vec<TextRow>),
    /// Multivariate series.
    Series(SeriesFile),
}

/// Loads a data file, choosing the format by its extension: `.ts` for time series, anything
/// else (`.tsv`, `.txt`) for `label<TAB>text`.
pub fn load(path: &Path) -> Result<DataFile, DataError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| err(path, 0, format!("cannot read: {e}")))?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ts"))
    {
        parse_ts(path, &text).map(DataFile::Series)
    } else {
        parse_tsv(path, &text).map(DataFile::Text)
    }
}

/// Checks a class label: non-empty and without whitespace.
fn check_label(file: &Path, line: usize, label: &str) -> Result<(), DataError> {
    if label.is_empty() {
        return Err(err(file, line, "bad label: empty"));
    }
    if label.chars().any(char::is_whitespace) {
        return Err(err(
            file,
            line,
            format!("bad label {label:?}: labels may not contain whitespace"),
        ));
    }
    Ok(())
}

/// Parses a `label<TAB>text` file whose first line is the header `label<TAB>text`.
pub fn parse_tsv(file: &Path, contents: &str) -> Result<Vec<TextRow>, DataError> {
    let mut lines = contents
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)));
    match lines.next() {
        Some((_, header)) if header.trim_start_matches('\u{feff}') == "label\ttext" => {}
        Some((_, header)) => {
            return Err(err(
                file,
                1,
                format!("expected the header line \"label<TAB>text\", found {header:?}"),
            ))
        }
        None => {
            return Err(err(
                file,
                0,
                "empty file (expected the header line \"label<TAB>text\")",
            ))
        }
    }
    let mut rows = Vec::new();
    for (line, l) in lines {
        if l.trim().is_empty() {
            return Err(err(file, line, "empty line (expected label<TAB>text)"));
        }
        let Some((label, text)) = l.split_once('\t') else {
            return Err(err(file, line, "no TAB between label and text"));
        };
        check_label(file, line, label)?;
        if text.trim().is_empty() {
            return Err(err(file, line, "empty text"));
        }
        rows.push(TextRow {
            file: file.to_path_buf(),
            line,
            label: label.to_string(),
            text: text.to_string(),
        });
    }
    if rows.is_empty() {
        return Err(err(file, 0, "no data rows after the header"));
    }
    Ok(rows)
}

/// Parses a UEA/sktime `.ts` file: `#` comments, `@` header lines up to `@data`, then one series
/// per line with dimensions separated by `:`, values by `,`, and the class label last.
pub fn parse_ts(file: &Path, contents: &str) -> Result<SeriesFile, DataError> {
    let mut class_labels: Option<Vec<String>> = None;
    let mut declared_dims: Option<usize> = None;
    let mut in_data = false;
    let mut rows: Vec<SeriesRow> = Vec::new();
    let mut dims: Option<(usize, usize)> = None; // (dims, line that fixed it)

    for (i, raw) in contents.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if !in_data {
            let Some(header) = l.strip_prefix('@') else {
                return Err(err(
                    file,
                    line,
                    "expected a header line starting with '@' before @data",
                ));
            };
            let mut words = header.split_whitespace();
            let key = words.next().unwrap_or("").to_ascii_lowercase();
            let args: Vec<&str> = words.collect();
            match key.as_str() {
                "data" => in_data = true,
                "classlabel" => match args.first().map(|a| a.to_ascii_lowercase()) {
                    Some(ref t) if t == "true" => {
                        if args.len() < 2 {
                            return Err(err(file, line, "@classLabel true lists no labels"));
                        }
                        let labels: Vec<String> = args[1..].iter().map(|s| s.to_string()).collect();
                        for (k, l) in labels.iter().enumerate() {
                            if labels[..k].contains(l) {
                                return Err(err(
                                    file,
                                    line,
                                    format!("@classLabel lists {l:?} twice"),
                                ));
                            }
                        }
                        class_labels = Some(labels);
                    }
                    Some(ref t) if t == "false" => {
                        return Err(err(
                            file,
                            line,
                            "@classLabel false: the file has no class labels to train on",
                        ))
                    }
                    _ => {
                        return Err(err(
                            file,
                            line,
                            "@classLabel must be followed by true or false",
                        ))
                    }
                },
                "dimensions" => {
                    let n = args
                        .first()
                        .and_then(|a| a.parse::<usize>().ok())
                        .filter(|&n| n > 0);
                    let Some(n) = n else {
                        return Err(err(
                            file,
                            line,
                            "@dimensions must be followed by a positive integer",
                        ));
                    };
                    declared_dims = Some(n);
                }
                "timestamps" if args.first().is_some_and(|a| a.eq_ignore_ascii_case("true")) => {
                    return Err(err(file, line, "@timeStamps true is not supported"))
                }
                "targetlabel" if args.first().is_some_and(|a| a.eq_ignore_ascii_case("true")) => {
                    return Err(err(
                        file,
                        line,
                        "@targetLabel true (regression data) is not supported",
                    ))
                }
                // @problemName, @univariate, @equalLength, @seriesLength, @missing, ...: informative.
                _ => {}
            }
            continue;
        }

        let parts: Vec<&str> = l.split(':').collect();
        if parts.len() < 2 {
            return Err(err(
                file,
                line,
                "expected dimensions separated by ':' followed by a class label",
            ));
        }
        let label = parts[parts.len() - 1].trim();
        check_label(file, line, label)?;
        if let Some(labels) = &class_labels {
            if !labels.iter().any(|l| l == label) {
                return Err(err(
                    file,
                    line,
                    format!(
                        "bad label {label:?}: not one of the @classLabel labels {}",
                        labels.join(" ")
                    ),
                ));
            }
        }
        let dim_parts = &parts[..parts.len() - 1];
        let n_dims = dim_parts.len();
        if let Some(d) = declared_dims {
            if n_dims != d {
                return Err(err(
                    file,
                    line,
                    format!(
                        "wrong number of dimensions: expected {d} (@dimensions), found {n_dims}"
                    ),
                ));
            }
        } else if let Some((d, first)) = dims {
            if n_dims != d {
                return Err(err(
                    file,
                    line,
                    format!("wrong number of dimensions: expected {d} (as on line {first}), found {n_dims}"),
                ));
            }
        }
        dims.get_or_insert((n_dims, line));

        let mut columns: Vec<Vec<f32>> = Vec::with_capacity(n_dims);
        for (d, part) in dim_parts.iter().enumerate() {
            let mut values = Vec::new();
            for (k, v) in part.split(',').enumerate() {
                let v = v.trim();
                if v == "?" {
                    return Err(err(
                        file,
                        line,
                        format!(
                            "dimension {}, value {}: missing value '?' is not supported",
                            d + 1,
                            k + 1
                        ),
                    ));
                }
                match v.parse::<f32>() {
                    Ok(x) if x.is_finite() => values.push(x),
                    Ok(_) => {
                        return Err(err(
                            file,
                            line,
                            format!("dimension {}, value {}: {v:?} is not finite", d + 1, k + 1),
                        ))
                    }
                    Err(_) => {
                        return Err(err(
                            file,
                            line,
                            format!(
                                "dimension {}, value {}: {v:?} is not a number",
                                d + 1,
                                k + 1
                            ),
                        ))
                    }
                }
            }
            if let Some(first) = columns.first() {
                if values.len() != first.len() {
                    return Err(err(
                        file,
                        line,
                        format!(
                            "dimension {} has {} values but dimension 1 has {}",
                            d + 1,
                            values.len(),
                            first.len()
                        ),
                    ));
                }
            }
            columns.push(values);
        }
        let len = columns[0].len();
        let steps: Vec<Vec<f32>> = (0..len)
            .map(|t| columns.iter().map(|c| c[t]).collect())
            .collect();
        rows.push(SeriesRow {
            file: file.to_path_buf(),
            line,
            label: label.to_string(),
            steps,
        });
    }
    if !in_data {
        return Err(err(file, 0, "no @data line"));
    }
    if rows.is_empty() {
        return Err(err(file, 0, "no series after @data"));
    }
    let dims = dims.map(|(d, _)| d).unwrap_or(0);
    Ok(SeriesFile {
        class_labels,
        dims,
        rows,
    })
}

/// Reads several files of the same kind into one data set (in order).
pub fn load_many(paths: &[PathBuf]) -> anyhow::Result<DataFile> {
    let mut out: Option<DataFile> = None;
    for p in paths {
        let next = load(p)?;
        out = Some(match (out, next) {
            (None, n) => n,
            (Some(DataFile::Text(mut a)), DataFile::Text(b)) => {
                a.extend(b);
                DataFile::Text(a)
            }
            (Some(DataFile::Series(mut a)), DataFile::Series(b)) => {
                if a.dims != b.dims {
                    anyhow::bail!(
                        "{}: {} dimensions, but the files before have {}",
                        p.display(),
                        b.dims,
                        a.dims
                    );
                }
                if a.class_labels.is_some()
                    && b.class_labels.is_some()
                    && a.class_labels != b.class_labels
                {
                    anyhow::bail!(
                        "{}: its @classLabel list differs from the files before",
                        p.display()
                    );
                }
                a.class_labels = a.class_labels.or(b.class_labels);
                a.rows.extend(b.rows);
                DataFile::Series(a)
            }
            _ => anyhow::bail!("{}: mixes text and time-series files", p.display()),
        });
    }
    out.ok_or_else(|| anyhow::anyhow!("no data file given"))
}

impl DataFile {
    /// Number of examples.
    pub fn len(&self) -> usize {
        match self {
            DataFile::Text(r) => r.len(),
            DataFile::Series(s) => s.rows.len(),
        }
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The label of every example, in order.
    pub fn labels(&self) -> Vec<&str> {
        match self {
            DataFile::Text(r) => r.iter().map(|r| r.label.as_str()).collect(),
            DataFile::Series(s) => s.rows.iter().map(|r| r.label.as_str()).collect(),
        }
    }

    /// `file:line` of example `i`, for messages.
    pub fn location(&self, i: usize) -> String {
        let (f, l) = match self {
            DataFile::Text(r) => (&r[i].file, r[i].line),
            DataFile::Series(s) => (&s.rows[i].file, s.rows[i].line),
        };
        format!("{}:{}", f.display(), l)
    }

    /// The examples with the given indices, in that order.
    pub fn subset(&self, idx: &[usize]) -> DataFile {
        match self {
            DataFile::Text(r) => DataFile::Text(idx.iter().map(|&i| r[i].clone()).collect()),
            DataFile::Series(s) => DataFile::Series(SeriesFile {
                class_labels: s.class_labels.clone(),
                dims: s.dims,
                rows: idx.iter().map(|&i| s.rows[i].clone()).collect(),
            }),
        }
    }
}

/// The class labels of a data set in a stable order: the `@classLabel` order of a `.ts` file,
/// otherwise the distinct labels sorted (numerically when they are all integers).
pub fn class_labels(data: &DataFile) -> Vec<String> {
    if let DataFile::Series(SeriesFile {
        class_labels: Some(l),
        ..
    }) = data
    {
        return l.clone();
    }
    let mut labels: Vec<String> = data.labels().into_iter().map(str::to_string).collect();
    labels.sort();
    labels.dedup();
    if labels.iter().all(|l| l.parse::<i64>().is_ok()) {
        labels.sort_by_key(|l| l.parse::<i64>().unwrap_or(0));
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> PathBuf {
        PathBuf::from("x.ts")
    }

    const HEAD: &str = "# comment\n@problemName T\n@dimensions 2\n@equalLength false\n@classLabel true a b\n@data\n";

    #[test]
    fn ts_variable_length_series() {
        let text = format!("{HEAD}1,2,3:4,5,6:a\n\n0.5,-1e-3:2,3:b\n");
        let f = parse_ts(&p(), &text).unwrap();
        assert_eq!(f.dims, 2);
        assert_eq!(f.class_labels, Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(f.rows.len(), 2);
        assert_eq!(
            f.rows[0].steps,
            vec![vec![1.0, 4.0], vec![2.0, 5.0], vec![3.0, 6.0]]
        );
        assert_eq!(f.rows[0].line, 7);
        assert_eq!(f.rows[1].steps, vec![vec![0.5, 2.0], vec![-1e-3, 3.0]]);
        assert_eq!(f.rows[1].line, 9);
        assert_eq!(f.rows[1].label, "b");
    }

    #[test]
    fn ts_errors_name_the_line() {
        let e = parse_ts(&p(), &format!("{HEAD}1,2:3,4:a\n1,2:3,4:c\n")).unwrap_err();
        assert_eq!(e.line, 8);
        assert!(e.to_string().starts_with("x.ts:8: bad label \"c\""), "{e}");

        let e = parse_ts(&p(), &format!("{HEAD}1,2:3,4:5,6:a\n")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.ts:7: wrong number of dimensions: expected 2 (@dimensions), found 3"
        );

        let e = parse_ts(&p(), &format!("{HEAD}1,2:3,x4:a\n")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.ts:7: dimension 2, value 2: \"x4\" is not a number"
        );

        let e = parse_ts(&p(), &format!("{HEAD}1,2:3:a\n")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.ts:7: dimension 2 has 1 values but dimension 1 has 2"
        );

        let e = parse_ts(&p(), &format!("{HEAD}1,?:3,4:a\n")).unwrap_err();
        assert!(
            e.to_string()
                .contains("x.ts:7: dimension 1, value 2: missing value"),
            "{e}"
        );

        // Without @dimensions the first series fixes the count.
        let e = parse_ts(&p(), "@data\n1:2:a\n1:b\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.ts:3: wrong number of dimensions: expected 2 (as on line 2), found 1"
        );

        let e = parse_ts(&p(), "@problemName x\n").unwrap_err();
        assert_eq!(e.to_string(), "x.ts: no @data line");
    }

    #[test]
    fn tsv_rows_and_errors() {
        let f = PathBuf::from("s.tsv");
        let rows = parse_tsv(&f, "label\ttext\n1\tgood stuff\n0\tnot\tgood\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].text, "not\tgood");
        assert_eq!(rows[1].line, 3);

        let e = parse_tsv(&f, "label\ttext\n1\tgood\n1 x\tbad\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.tsv:3: bad label \"1 x\": labels may not contain whitespace"
        );
        let e = parse_tsv(&f, "label\ttext\n1\tgood\n\tbad\n").unwrap_err();
        assert_eq!(e.to_string(), "s.tsv:3: bad label: empty");
        let e = parse_tsv(&f, "label\ttext\n1\tgood\nno tab here\n").unwrap_err();
        assert_eq!(e.to_string(), "s.tsv:3: no TAB between label and text");
        let e = parse_tsv(&f, "text\tlabel\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("s.tsv:1: expected the header line"),
            "{e}"
        );
    }

    #[test]
    fn labels_sort_numerically() {
        let f = PathBuf::from("s.tsv");
        let rows = parse_tsv(&f, "label\ttext\n10\ta\n9\tb\n10\tc\n").unwrap();
        assert_eq!(class_labels(&DataFile::Text(rows)), vec!["9", "10"]);
    }
}
