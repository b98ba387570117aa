//! # tinyrnn-build
//!
//! Reads a tinyrnn model file (one `.safetensors` file with PyTorch `state_dict` tensor names and
//! a JSON description in its metadata, see `docs/model-format.md`), checks every tensor and
//! field, and writes Rust source in which the weights, the vocabulary and the labels are
//! fixed-size `static` arrays — so that they live in flash and the `tinyrnn` runtime needs no
//! parsing, no allocation and no `unsafe`.
//!
//! A firmware crate bakes its own model with one call in `build.rs`:
//!
//! ```no_run
//! // build.rs: fn main() { ... }
//! tinyrnn_build::bake("models/gesture.safetensors");
//! ```
//! and then, in `src/main.rs`, `tinyrnn::include_model!(gesture);` declares the module
//! `gesture` with `gesture::MODEL`, `gesture::State`, `gesture::LABELS` and its sizes.
//!
//! A malformed file stops the build with one line: the file, the tensor or field, what was
//! expected and what was found.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod codegen;
mod error;
mod layout;
mod spec;
mod warnings;

/// The model file's metadata, typed (the `tinyrnn-schema` crate, shared with the trainer).
pub use tinyrnn_schema as meta;

use std::path::{Path, PathBuf};

pub use codegen::{generate, Generated, Options};
pub use error::Error;
pub use spec::{load, parse, ModelSpec, Tensor};
pub use tinyrnn_schema::METADATA_KEY;

/// Bakes one model file for a build script, or stops the build with a one-line error.
///
/// Writes `$OUT_DIR/tinyrnn/<stem>.rs` and `<stem>.md` (include them with
/// `tinyrnn::include_model!(<stem>)`), tells cargo to rebuild when the file changes, and shows
/// cargo a warning for each [`Baked::warnings`]. The file stem must be a Rust identifier
/// (`gesture.safetensors`, not `my-model.safetensors`).
///
/// ```no_run
/// // build.rs of a firmware crate
/// tinyrnn_build::bake("models/gesture.safetensors");
/// ```
pub fn bake(model: impl AsRef<Path>) {
    let model = model.as_ref();
    println!("cargo::rerun-if-changed={}", model.display());
    match bake_into(model, &out_dir(), "::tinyrnn", None) {
        Ok(baked) => {
            for warning in &baked.warnings {
                println!("cargo::warning={warning}");
            }
        }
        Err(e) => fail(&e),
    }
}

/// A baked model: its module name and what was read from the file.
#[derive(Debug, Clone)]
pub struct Baked {
    /// The module name (the file stem).
    pub module: String,
    /// The validated model.
    pub spec: ModelSpec,
    /// One line each (file name first) for what the file allows but is almost certainly a
    /// mistake: a vocabulary entry the tokenizer can never produce. [`bake`] shows them as
    /// cargo warnings; the build goes on.
    pub warnings: Vec<String>,
}

/// Bakes a model file into `out_dir/tinyrnn/<stem>.{rs,md}` with the runtime crate at
/// `crate_path`. Build scripts use [`bake`]; this is the step without cargo's conventions.
///
/// ```
/// let out = std::env::temp_dir().join("tinyrnn-build-doc");
/// let baked = tinyrnn_build::bake_into(
///     "../conformance/fixtures/gru_1l_one_hot.safetensors".as_ref(), &out, "::tinyrnn", None)?;
/// assert_eq!(baked.module, "gru_1l_one_hot");
/// assert!(out.join("tinyrnn/gru_1l_one_hot.rs").exists());
/// assert!(baked.warnings.is_empty());
/// # Ok::<(), tinyrnn_build::Error>(())
/// ```
pub fn bake_into(
    model: &Path,
    out_dir: &Path,
    crate_path: &str,
    doc_module: Option<&str>,
) -> Result<Baked, Error> {
    let module = module_name(model)?;
    let spec = load(model)?;
    let source_name = model.to_string_lossy().replace('\\', "/");
    let opts = Options {
        crate_path: crate_path.to_string(),
        regenerate: format!("`cargo build` re-bakes it whenever `{source_name}` changes"),
        source_name,
        doc_module: doc_module.map(|d| format!("{d}::{module}")),
    };
    let generated = generate(&spec, &opts);
    let dir = out_dir.join("tinyrnn");
    let write = |name: String, text: &str| {
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join(&name), text))
            .map_err(|e| {
                Error::new(
                    model,
                    format!("cannot write {}: {e}", dir.join(&name).display()),
                )
            })
    };
    write(format!("{module}.rs"), &generated.source)?;
    write(format!("{module}.md"), &generated.summary)?;
    let warnings = spec
        .meta
        .input
        .text()
        .map(warnings::unreachable_vocabulary)
        .unwrap_or_default()
        .into_iter()
        .map(|w| format!("{}: {w}", model.display()))
        .collect();
    Ok(Baked {
        module,
        spec,
        warnings,
    })
}

/// The Rust module name of a model file: its stem, which must be an identifier.
///
/// ```
/// assert_eq!(tinyrnn_build::module_name("models/seed.safetensors".as_ref()).unwrap(), "seed");
/// assert!(tinyrnn_build::module_name("models/my-model.safetensors".as_ref()).is_err());
/// ```
pub fn module_name(model: &Path) -> Result<String, Error> {
    let stem = model
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let valid = stem
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && stem
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !is_keyword(stem);
    if valid {
        Ok(stem.to_string())
    } else {
        Err(Error::new(
            model,
            format!(
                "file name: expected a stem that is a lowercase Rust identifier (it names the \
                 module), found {stem:?}; rename the file, e.g. to {:?}",
                format!(
                    "{}.safetensors",
                    stem.to_lowercase()
                        .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                )
            ),
        ))
    }
}

fn is_keyword(s: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
        "enum", "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
        "match", "mod", "move", "mut", "priv", "pub", "ref", "return", "self", "static", "struct",
        "super", "trait", "true", "try", "type", "typeof", "unsafe", "use", "where", "while",
        "yield", "abstract", "become", "final", "override", "unsized", "virtual",
    ];
    KEYWORDS.contains(&s)
}

/// `$OUT_DIR`, as cargo sets it for build scripts.
fn out_dir() -> PathBuf {
    match std::env::var_os("OUT_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            eprintln!("error: tinyrnn_build::bake must run in a build script (OUT_DIR is not set)");
            std::process::exit(1);
        }
    }
}

/// Reports `e` as cargo's one-line build error and ends the build script.
///
/// The script exits normally after `cargo::error`: cargo then fails the build showing just
/// `error: <file>: <what>`, without the script's whole output and a backtrace hint.
pub fn fail(e: &Error) -> ! {
    println!("cargo::error={e}");
    std::process::exit(0);
}
