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
mod quantize;
mod seq2seq;
mod spec;
mod warnings;

/// The model file's metadata, typed (the `tinyrnn-schema` crate, shared with the trainer).
pub use tinyrnn_schema as meta;

use std::path::{Path, PathBuf};

pub use codegen::{generate, generate_int8, Generated, Options};
pub use error::Error;
pub use quantize::{Quantize, MAX_COLUMNS};
pub use spec::{
    load, parse, ModelSpec, Tensor, MAX_FILE_BYTES, MAX_PARAMETERS, MAX_TEXT_BYTES,
    MAX_VOCAB_TEXT_BYTES, MAX_VOCAB_WORDS,
};
pub use tinyrnn_schema::METADATA_KEY;

use tinyrnn_schema::show;

/// The most warnings reported for one file; the rest are counted in one more line.
const MAX_WARNINGS: usize = 20;

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
    bake_with(model, Quantize::None);
}

/// [`bake`], quantised as `quantize` says: `Quantize::Int8` writes the module `<stem>_int8`
/// (`tinyrnn::include_model!(<stem>_int8)`) with int8 weights and an integer-only step, from
/// the same `f32` model file (docs/quantization.md). A model the int8 scheme cannot represent
/// (a layer wider than [`MAX_COLUMNS`], absurdly large weights) stops the build with one line.
///
/// ```no_run
/// // build.rs of a firmware crate: the f32 model and its int8 variant
/// use tinyrnn_build::Quantize;
/// tinyrnn_build::bake("models/gesture.safetensors");
/// tinyrnn_build::bake_with("models/gesture.safetensors", Quantize::Int8);
/// ```
pub fn bake_with(model: impl AsRef<Path>, quantize: Quantize) {
    let lines = directives(model.as_ref(), &out_dir(), quantize);
    for line in &lines {
        println!("{line}");
    }
    // As in `fail`: cargo then shows the error line alone.
    if lines.iter().any(|l| l.starts_with("cargo::error=")) {
        std::process::exit(0);
    }
}

/// What [`bake`] tells cargo, one directive a line: rebuild when the file changes, then a
/// warning each, or the error.
fn directives(model: &Path, out_dir: &Path, quantize: Quantize) -> Vec<String> {
    let mut lines = Vec::new();
    // The path goes into a directive only once it is known to hold no line break.
    let baked = source_name(model).and_then(|name| {
        lines.push(format!("cargo::rerun-if-changed={name}"));
        bake_into_with(model, out_dir, "::tinyrnn", None, quantize)
    });
    match baked {
        Ok(baked) => lines.extend(baked.warnings.iter().map(|w| format!("cargo::warning={w}"))),
        Err(e) => lines.push(format!("cargo::error={e}")),
    }
    lines
}

/// The model's path as text for cargo directives and the generated source, which have no
/// escapes: UTF-8, without control characters (a line break would start a new directive or end
/// a comment) or bidirectional formatting characters (which rustc refuses in comments).
///
/// ```
/// use std::path::Path;
/// assert_eq!(tinyrnn_build::source_name(Path::new("models/seed.safetensors")).unwrap(),
///            "models/seed.safetensors");
/// let e = tinyrnn_build::source_name(Path::new("m\ncargo::rustc-cfg=x/a.safetensors"));
/// assert!(e.unwrap_err().to_string().contains("expected a path without control characters"));
/// ```
pub fn source_name(model: &Path) -> Result<&str, Error> {
    let text = model.to_str().ok_or_else(|| {
        Error::new(
            model,
            format!(
                "file path: expected UTF-8 (it is written into cargo directives and the \
                 generated source), found {}",
                show::quote(&model.to_string_lossy())
            ),
        )
    })?;
    if text.chars().any(show::is_unsafe) {
        return Err(Error::new(
            model,
            format!(
                "file path: expected a path without control characters (it is written into \
                 cargo directives and the generated source), found {}",
                show::quote(text)
            ),
        ));
    }
    Ok(text)
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
    bake_into_with(model, out_dir, crate_path, doc_module, Quantize::None)
}

/// [`bake_into`], quantised as `quantize` says (the module is `<stem>_int8` for
/// [`Quantize::Int8`]).
///
/// ```
/// use tinyrnn_build::Quantize;
/// let out = std::env::temp_dir().join("tinyrnn-build-doc-int8");
/// let baked = tinyrnn_build::bake_into_with(
///     "../conformance/fixtures/gru_1l_dense.safetensors".as_ref(), &out, "::tinyrnn", None,
///     Quantize::Int8)?;
/// assert_eq!(baked.module, "gru_1l_dense_int8");
/// assert!(out.join("tinyrnn/gru_1l_dense_int8.rs").exists());
/// # Ok::<(), tinyrnn_build::Error>(())
/// ```
pub fn bake_into_with(
    model: &Path,
    out_dir: &Path,
    crate_path: &str,
    doc_module: Option<&str>,
    quantize: Quantize,
) -> Result<Baked, Error> {
    let path_text = source_name(model)?;
    let source_name = path_text.replace('\\', "/");
    let module = format!("{}{}", module_name(model)?, quantize.suffix());
    let spec = load(model)?;
    let opts = Options {
        crate_path: crate_path.to_string(),
        regenerate: format!("`cargo build` re-bakes it whenever `{source_name}` changes"),
        source_name: source_name.clone(),
        doc_module: doc_module.map(|d| format!("{d}::{module}")),
    };
    let generated = match quantize {
        Quantize::None => generate(&spec, &opts),
        Quantize::Int8 | Quantize::Int8Embedding4 => {
            codegen::generate_quantized(&spec, &opts, quantize).map_err(|e| Error::new(model, e))?
        }
    };
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
    for (name, source) in &generated.parts {
        write(name.clone(), source)?;
    }
    let warnings = bounded_warnings(
        spec.meta
            .input
            .text()
            .map(warnings::unreachable_vocabulary)
            .unwrap_or_default(),
    )
    .into_iter()
    .map(|w| format!("{path_text}: {w}"))
    .collect();
    Ok(Baked {
        module,
        spec,
        warnings,
    })
}

/// At most [`MAX_WARNINGS`] warnings, and one line counting the others.
fn bounded_warnings(mut warnings: Vec<String>) -> Vec<String> {
    let more = warnings.len().saturating_sub(MAX_WARNINGS);
    if more > 0 {
        warnings.truncate(MAX_WARNINGS);
        warnings.push(format!(
            "metadata field `vocab`: {more} more entries can never be looked up (not listed)"
        ));
    }
    warnings
}

/// The Rust module name of a model file: its stem, which must be a lowercase ASCII identifier
/// that `include_model!` can declare: `[a-z_][a-z0-9_]*`, but not `_` alone and not a Rust
/// keyword, reserved ones included.
///
/// ```
/// assert_eq!(tinyrnn_build::module_name("models/seed.safetensors".as_ref()).unwrap(), "seed");
/// assert!(tinyrnn_build::module_name("models/my-model.safetensors".as_ref()).is_err());
/// assert!(tinyrnn_build::module_name("models/_.safetensors".as_ref()).is_err());
/// assert!(tinyrnn_build::module_name("models/gen.safetensors".as_ref()).is_err());
/// ```
pub fn module_name(model: &Path) -> Result<String, Error> {
    // Lossy: a stem that is not UTF-8 is shown with U+FFFD for what cannot be read, and
    // fails the check below.
    let stem = model
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    if is_module_name(&stem) {
        return Ok(stem.into_owned());
    }
    Err(Error::new(
        model,
        format!(
            "file name: expected a stem that is a lowercase Rust identifier (it names the \
             module), found {}; rename the file, e.g. to {}",
            show::quote(&stem),
            show::quote(&suggested_name(&stem))
        ),
    ))
}

fn is_module_name(stem: &str) -> bool {
    let mut chars = stem.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && stem != "_"
        && !is_keyword(stem)
}

/// A file name whose stem is a module name, close to `stem`.
fn suggested_name(stem: &str) -> String {
    let lower: String = stem
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let base = lower.trim_matches('_');
    let name = if base.is_empty() {
        "model".to_string()
    } else if base.starts_with(|c: char| c.is_ascii_digit()) {
        format!("model_{base}")
    } else if is_keyword(base) {
        format!("{base}_model")
    } else {
        base.to_string()
    };
    format!("{name}.safetensors")
}

/// Rust's strict and reserved keywords (2021 and 2024 editions) that are lowercase: none can
/// name a module.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_for(model: &str) -> Vec<String> {
        let out = std::env::temp_dir().join("tinyrnn-build-directives");
        directives(Path::new(model), &out, Quantize::None)
    }

    #[test]
    fn a_path_with_a_line_break_becomes_one_error_directive() {
        let lines = lines_for("m\ncargo::rustc-cfg=evil/gesture.safetensors");
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("cargo::error=m\\ncargo::rustc-cfg=evil/gesture"));
        assert!(lines[0].contains("file path: expected a path without control characters"));
        assert!(!lines[0].contains('\n'));
    }

    #[test]
    fn a_plain_path_is_watched_even_when_the_model_is_broken() {
        assert_eq!(
            lines_for("../conformance/fixtures/gru_1l_dense.safetensors"),
            ["cargo::rerun-if-changed=../conformance/fixtures/gru_1l_dense.safetensors"]
        );
        let lines = lines_for("missing/gesture.safetensors");
        assert_eq!(
            lines[0],
            "cargo::rerun-if-changed=missing/gesture.safetensors"
        );
        assert!(lines[1].starts_with("cargo::error=missing/gesture.safetensors: cannot read"));
        assert_eq!(lines.len(), 2);
    }
}
