//! The one-line error of a model file that cannot be baked.

use std::fmt;
use std::path::{Path, PathBuf};

use tinyrnn_schema::show;

/// The most characters of the file name shown in an error.
const MAX_PATH: usize = 160;
/// The most characters of the message shown after it.
const MAX_MESSAGE: usize = 480;

/// Why a model file was rejected: the file, then what was wrong in one line, naming the tensor
/// or metadata field, what was expected and what was found.
///
/// ```
/// let e = tinyrnn_build::Error::new("models/x.safetensors", "tensor `head.bias`: missing");
/// assert_eq!(e.to_string(), "models/x.safetensors: tensor `head.bias`: missing");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    file: PathBuf,
    message: String,
}

impl Error {
    /// An error about `file`.
    pub fn new(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Error {
            file: file.as_ref().to_path_buf(),
            message: message.into(),
        }
    }

    /// The model file the error is about.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// What was wrong, without the file name.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line of bounded length, always: cargo shows build-script errors line by line,
        // and a path or a message quoting the file must not add a line, a terminal escape or
        // megabytes of text.
        let file = show::line(&self.file.to_string_lossy(), MAX_PATH);
        let message = show::line(&self.message, MAX_MESSAGE);
        write!(f, "{file}: {message}")
    }
}

impl std::error::Error for Error {}
