//! Host-side glue shared by the `classify` and `evaluate` examples: the shipped models behind
//! one object-safe interface, picked by name, and the data-file readers.
#![allow(dead_code)] // each example uses part of it

use std::fmt;

use tinyrnn::{Error, Model, Prediction, TextModel};

/// A shipped text model behind a trait object, so that one can be picked by name at run time.
pub trait AnyTextModel {
    /// The labels, in output order.
    fn labels(&self) -> &'static [&'static str];
    /// Output values (probabilities for softmax models) for one text.
    fn classify(&self, text: &str) -> Result<Vec<f32>, Error>;
}

impl<M: TextModel> AnyTextModel for M {
    fn labels(&self) -> &'static [&'static str] {
        Model::labels(self)
    }

    fn classify(&self, text: &str) -> Result<Vec<f32>, Error> {
        let mut state = M::State::default();
        Ok(self.classify_text(text, &mut state)?.values().to_vec())
    }
}

/// A shipped sensor model behind a trait object.
pub trait AnySensorModel {
    /// The labels, in output order.
    fn labels(&self) -> &'static [&'static str];
    /// Features per sample.
    fn features(&self) -> usize;
    /// Output values for one series of samples (each `features()` long).
    fn classify(&self, series: &[Vec<f32>]) -> Result<Vec<f32>, Error>;
}

/// A model reading samples of `F` features.
struct Sensor<M: 'static, const F: usize>(&'static M);

impl<M, const F: usize> AnySensorModel for Sensor<M, F>
where
    M: for<'a> Model<Input<'a> = &'a [f32; F]>,
{
    fn labels(&self) -> &'static [&'static str] {
        self.0.labels()
    }

    fn features(&self) -> usize {
        F
    }

    fn classify(&self, series: &[Vec<f32>]) -> Result<Vec<f32>, Error> {
        let samples: Vec<[f32; F]> = series
            .iter()
            .map(|s| s.as_slice().try_into().map_err(|_| Error::EmptyInput))
            .collect::<Result<_, _>>()?;
        let mut state = M::State::default();
        Ok(self.0.classify(&samples, &mut state)?.values().to_vec())
    }
}

/// The shipped text model called `name`.
pub fn text_model(name: &str) -> Option<&'static dyn AnyTextModel> {
    macro_rules! entry {
        ($m:ident) => {
            if name == stringify!($m) {
                return Some(&tinyrnn::models::$m::MODEL);
            }
        };
    }
    tinyrnn::for_each_text_model!(entry);
    tinyrnn::for_each_int8_text_model!(entry);
    None
}

/// The shipped sensor model called `name`.
pub fn sensor_model(name: &str) -> Option<Box<dyn AnySensorModel>> {
    macro_rules! entry {
        ($m:ident) => {
            if name == stringify!($m) {
                use tinyrnn::models::$m as m;
                return Some(Box::new(Sensor::<_, { m::INPUTS }>(&m::MODEL)));
            }
        };
    }
    tinyrnn::for_each_sensor_model!(entry);
    tinyrnn::for_each_int8_sensor_model!(entry);
    None
}

/// Bytes of the shipped model `name`'s data as baked: its weights, its vocabulary and its labels
/// (`WEIGHT_BYTES + VOCAB_BYTES + LABEL_BYTES` of its module).
pub fn model_data_bytes(name: &str) -> Option<usize> {
    macro_rules! entry {
        ($m:ident) => {
            if name == stringify!($m) {
                use tinyrnn::models::$m as m;
                return Some(m::WEIGHT_BYTES + m::VOCAB_BYTES + m::LABEL_BYTES);
            }
        };
    }
    tinyrnn::for_each_text_model!(entry);
    tinyrnn::for_each_int8_text_model!(entry);
    tinyrnn::for_each_sensor_model!(entry);
    tinyrnn::for_each_int8_sensor_model!(entry);
    None
}

/// Names of the shipped models: the text models, then the sensor models.
pub fn model_names() -> (Vec<&'static str>, Vec<&'static str>) {
    let (mut text, mut sensor) = (Vec::new(), Vec::new());
    macro_rules! text {
        ($m:ident) => {
            text.push(stringify!($m));
        };
    }
    macro_rules! sensor {
        ($m:ident) => {
            sensor.push(stringify!($m));
        };
    }
    tinyrnn::for_each_text_model!(text);
    tinyrnn::for_each_int8_text_model!(text);
    tinyrnn::for_each_sensor_model!(sensor);
    tinyrnn::for_each_int8_sensor_model!(sensor);
    (text, sensor)
}

/// The class of a data label: the model label it names, or the class index it spells (`0`, `1`,
/// … as in the seed and UCI files, whose models name the classes `negative` and `positive`).
pub fn label_index(labels: &[&str], label: &str) -> Option<usize> {
    labels
        .iter()
        .position(|l| *l == label)
        .or_else(|| label.parse::<usize>().ok().filter(|&i| i < labels.len()))
}

/// Index and value of the largest output.
pub fn best(values: &[f32]) -> (usize, f32) {
    let i = tinyrnn::head::argmax(values).unwrap_or(0);
    (i, values.get(i).copied().unwrap_or(f32::NAN))
}

/// A problem in a data file, with its place.
#[derive(Debug)]
pub struct DataError {
    pub file: String,
    pub line: usize,
    pub what: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.what)
    }
}

/// One labelled example with the line it came from.
pub struct Example<T> {
    pub line: usize,
    pub label: String,
    pub input: T,
}

/// Reads `label<TAB>text` lines after an optional `label<TAB>text` header. Bytes that are not
/// UTF-8 (a file in Latin-1, say) are read as U+FFFD, with a note on stderr, rather than
/// refusing the whole file.
pub fn read_tsv(file: &str) -> Result<Vec<Example<String>>, DataError> {
    let err = |line, what: String| DataError {
        file: file.to_string(),
        line,
        what,
    };
    let bytes = std::fs::read(file).map_err(|e| err(0, e.to_string()))?;
    let content = String::from_utf8_lossy(&bytes);
    if let std::borrow::Cow::Owned(_) = content {
        eprintln!("note: {file} is not valid UTF-8; its invalid bytes are read as U+FFFD");
    }
    let mut examples = Vec::new();
    for (n, line) in content.lines().enumerate() {
        let line_no = n + 1;
        if n == 0 && line.starts_with("label\t") {
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let Some((label, text)) = line.split_once('\t') else {
            return Err(err(
                line_no,
                "expected `label<TAB>text`, found no tab".into(),
            ));
        };
        examples.push(Example {
            line: line_no,
            label: label.trim().to_string(),
            input: text.to_string(),
        });
    }
    Ok(examples)
}

/// Reads a UEA `.ts` file: `@` header lines, then one series a line, dimensions separated by
/// `:`, values by `,`, the class label last. Returns each series as samples (time-major).
pub fn read_ts(file: &str) -> Result<Vec<Example<Vec<Vec<f32>>>>, DataError> {
    let err = |line, what: String| DataError {
        file: file.to_string(),
        line,
        what,
    };
    let content = std::fs::read_to_string(file).map_err(|e| err(0, e.to_string()))?;
    let mut in_data = false;
    let mut examples = Vec::new();
    for (n, line) in content.lines().enumerate() {
        let line_no = n + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !in_data {
            in_data = line.eq_ignore_ascii_case("@data");
            continue;
        }
        let mut parts: Vec<&str> = line.split(':').collect();
        let Some(label) = parts.pop() else { continue };
        if parts.is_empty() {
            return Err(err(
                line_no,
                "expected dimensions separated by `:` and a label".into(),
            ));
        }
        let mut dims = Vec::new();
        for (d, part) in parts.iter().enumerate() {
            let values = part
                .split(',')
                .map(|v| match v.trim() {
                    "?" | "NaN" => Ok(f32::NAN),
                    v => v
                        .parse::<f32>()
                        .map_err(|_| err(line_no, format!("dimension {d}: {v:?} is not a number"))),
                })
                .collect::<Result<Vec<f32>, _>>()?;
            dims.push(values);
        }
        let len = dims[0].len();
        if let Some(d) = dims.iter().position(|v| v.len() != len) {
            return Err(err(
                line_no,
                format!(
                    "dimension {d} has {} values, dimension 0 has {len}",
                    dims[d].len()
                ),
            ));
        }
        let series = (0..len)
            .map(|t| dims.iter().map(|dim| dim[t]).collect())
            .collect();
        examples.push(Example {
            line: line_no,
            label: label.trim().to_string(),
            input: series,
        });
    }
    Ok(examples)
}
