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
    let mut header = TsHeader::default();
    let mut in_data = false;
    let mut rows: Vec<SeriesRow> = Vec::new();
    let mut dims: Option<(usize, usize)> = None; // (dims, line that fixed it)
    for (i, raw) in contents.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if in_data {
            rows.push(parse_series_line(file, line, l, &header, &mut dims)?);
        } else {
            in_data = header.read_line(file, line, l)?;
        }
    }
    if !in_data {
        return Err(err(file, 0, "no @data line"));
    }
    if rows.is_empty() {
        return Err(err(file, 0, "no series after @data"));
    }
    Ok(SeriesFile {
        class_labels: header.class_labels,
        dims: dims.map(|(d, _)| d).unwrap_or(0),
        rows,
    })
}

/// What the `@` header lines of a `.ts` file fix for its series.
#[derive(Debug, Default)]
struct TsHeader {
    /// `@classLabel true a b …`: the only labels allowed, in order.
    class_labels: Option<Vec<String>>,
    /// `@dimensions n`: the number of dimensions of every series.
    dims: Option<usize>,
}

impl TsHeader {
    /// Reads one header line (`l`, trimmed, not a comment); returns whether it is `@data`, the
    /// last one.
    fn read_line(&mut self, file: &Path, line: usize, l: &str) -> Result<bool, DataError> {
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
        let is_true = args.first().is_some_and(|a| a.eq_ignore_ascii_case("true"));
        match key.as_str() {
            "data" => return Ok(true),
            "classlabel" => self.class_labels = Some(class_label_header(file, line, &args)?),
            "dimensions" => self.dims = Some(dimensions_header(file, line, &args)?),
            "timestamps" if is_true => {
                return Err(err(file, line, "@timeStamps true is not supported"))
            }
            "targetlabel" if is_true => {
                return Err(err(
                    file,
                    line,
                    "@targetLabel true (regression data) is not supported",
                ))
            }
            // @problemName, @univariate, @equalLength, @seriesLength, @missing, ...: informative.
            _ => {}
        }
        Ok(false)
    }
}

/// The labels of `@classLabel true a b …` (`args` are the words after `@classLabel`).
fn class_label_header(file: &Path, line: usize, args: &[&str]) -> Result<Vec<String>, DataError> {
    match args.first().map(|a| a.to_ascii_lowercase()) {
        Some(ref t) if t == "true" => {
            if args.len() < 2 {
                return Err(err(file, line, "@classLabel true lists no labels"));
            }
            let labels: Vec<String> = args[1..].iter().map(|s| s.to_string()).collect();
            for (k, l) in labels.iter().enumerate() {
                if labels[..k].contains(l) {
                    return Err(err(file, line, format!("@classLabel lists {l:?} twice")));
                }
            }
            Ok(labels)
        }
        Some(ref t) if t == "false" => Err(err(
            file,
            line,
            "@classLabel false: the file has no class labels to train on",
        )),
        _ => Err(err(
            file,
            line,
            "@classLabel must be followed by true or false",
        )),
    }
}

/// The count of `@dimensions n` (`args` are the words after `@dimensions`).
fn dimensions_header(file: &Path, line: usize, args: &[&str]) -> Result<usize, DataError> {
    args.first()
        .and_then(|a| a.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            err(
                file,
                line,
                "@dimensions must be followed by a positive integer",
            )
        })
}

/// One series line `d1:d2:…:label` (`l`, trimmed). `dims` is the dimension count fixed by the
/// first series and its line, set by this call when it is the first.
fn parse_series_line(
    file: &Path,
    line: usize,
    l: &str,
    header: &TsHeader,
    dims: &mut Option<(usize, usize)>,
) -> Result<SeriesRow, DataError> {
    let parts: Vec<&str> = l.split(':').collect();
    let Some((label, dim_parts)) = parts.split_last().filter(|(_, d)| !d.is_empty()) else {
        return Err(err(
            file,
            line,
            "expected dimensions separated by ':' followed by a class label",
        ));
    };
    let label = label.trim();
    check_label(file, line, label)?;
    check_class_label(file, line, label, header)?;
    check_dimension_count(file, line, dim_parts.len(), header, dims)?;
    Ok(SeriesRow {
        file: file.to_path_buf(),
        line,
        label: label.to_string(),
        steps: parse_steps(file, line, dim_parts)?,
    })
}

/// The samples of a series, `steps[t][f]`, from its dimensions (`dim_parts[f]`: the values of
/// feature `f`, comma-separated), which must all have the same length.
fn parse_steps(file: &Path, line: usize, dim_parts: &[&str]) -> Result<Vec<Vec<f32>>, DataError> {
    let mut columns: Vec<Vec<f32>> = Vec::with_capacity(dim_parts.len());
    for (d, part) in dim_parts.iter().enumerate() {
        let values = parse_dimension(file, line, d, part)?;
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
    Ok((0..columns[0].len())
        .map(|t| columns.iter().map(|c| c[t]).collect())
        .collect())
}

/// Checks a series' label against the `@classLabel` list, if the header gave one.
fn check_class_label(
    file: &Path,
    line: usize,
    label: &str,
    header: &TsHeader,
) -> Result<(), DataError> {
    match &header.class_labels {
        Some(labels) if !labels.iter().any(|l| l == label) => Err(err(
            file,
            line,
            format!(
                "bad label {label:?}: not one of the @classLabel labels {}",
                labels.join(" ")
            ),
        )),
        _ => Ok(()),
    }
}

/// Checks a series' dimension count against `@dimensions`, or else against the first series
/// (`dims`: its count and line, recorded here by the first series).
fn check_dimension_count(
    file: &Path,
    line: usize,
    found: usize,
    header: &TsHeader,
    dims: &mut Option<(usize, usize)>,
) -> Result<(), DataError> {
    let expected = match (header.dims, *dims) {
        (Some(d), _) => Some((d, "@dimensions".to_string())),
        (None, Some((d, first))) => Some((d, format!("as on line {first}"))),
        (None, None) => None,
    };
    if let Some((d, why)) = expected.filter(|&(d, _)| d != found) {
        return Err(err(
            file,
            line,
            format!("wrong number of dimensions: expected {d} ({why}), found {found}"),
        ));
    }
    dims.get_or_insert((found, line));
    Ok(())
}

/// The comma-separated values of dimension `d` (0-based) of a series.
fn parse_dimension(file: &Path, line: usize, d: usize, part: &str) -> Result<Vec<f32>, DataError> {
    part.split(',')
        .enumerate()
        .map(|(k, v)| {
            parse_value(v.trim()).map_err(|problem| {
                err(
                    file,
                    line,
                    format!("dimension {}, value {}: {problem}", d + 1, k + 1),
                )
            })
        })
        .collect()
}

/// One value of a series: a finite number (a missing value `?` is not supported).
fn parse_value(v: &str) -> Result<f32, String> {
    if v == "?" {
        return Err("missing value '?' is not supported".to_string());
    }
    match v.parse::<f32>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(format!("{v:?} is not finite")),
        Err(_) => Err(format!("{v:?} is not a number")),
    }
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
        let cases = [
            (
                format!("{HEAD}1,2:3,4:a\n1,2:3,4:c\n"),
                "x.ts:8: bad label \"c\": not one of the @classLabel labels a b",
            ),
            (
                format!("{HEAD}1,2:3,4:5,6:a\n"),
                "x.ts:7: wrong number of dimensions: expected 2 (@dimensions), found 3",
            ),
            (
                format!("{HEAD}1,2:3,x4:a\n"),
                "x.ts:7: dimension 2, value 2: \"x4\" is not a number",
            ),
            (
                format!("{HEAD}1,2:3,inf:a\n"),
                "x.ts:7: dimension 2, value 2: \"inf\" is not finite",
            ),
            (
                format!("{HEAD}1,2:3:a\n"),
                "x.ts:7: dimension 2 has 1 values but dimension 1 has 2",
            ),
            (
                format!("{HEAD}1,?:3,4:a\n"),
                "x.ts:7: dimension 1, value 2: missing value '?' is not supported",
            ),
            (
                format!("{HEAD}1,2 3,4 a\n"),
                "x.ts:7: expected dimensions separated by ':' followed by a class label",
            ),
            (
                format!("{HEAD}1,2:3,4:a b\n"),
                "x.ts:7: bad label \"a b\": labels may not contain whitespace",
            ),
            // Without @dimensions the first series fixes the count.
            (
                "@data\n1:2:a\n1:b\n".to_string(),
                "x.ts:3: wrong number of dimensions: expected 2 (as on line 2), found 1",
            ),
            ("@problemName x\n".to_string(), "x.ts: no @data line"),
            ("@data\n# none\n".to_string(), "x.ts: no series after @data"),
            (
                "problemName x\n".to_string(),
                "x.ts:1: expected a header line starting with '@' before @data",
            ),
            (
                "@classLabel true\n".to_string(),
                "x.ts:1: @classLabel true lists no labels",
            ),
            (
                "@classLabel true a b a\n".to_string(),
                "x.ts:1: @classLabel lists \"a\" twice",
            ),
            (
                "@classLabel false\n".to_string(),
                "x.ts:1: @classLabel false: the file has no class labels to train on",
            ),
            (
                "@classLabel maybe\n".to_string(),
                "x.ts:1: @classLabel must be followed by true or false",
            ),
            (
                "@dimensions 0\n".to_string(),
                "x.ts:1: @dimensions must be followed by a positive integer",
            ),
            (
                "@timeStamps TRUE\n".to_string(),
                "x.ts:1: @timeStamps true is not supported",
            ),
            (
                "@targetLabel true\n".to_string(),
                "x.ts:1: @targetLabel true (regression data) is not supported",
            ),
        ];
        for (text, expected) in cases {
            let e = parse_ts(&p(), &text).unwrap_err();
            assert_eq!(e.to_string(), expected, "{text:?}");
        }
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
