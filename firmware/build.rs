//! Bakes the models the programs use, exactly as a user's firmware does (one
//! `tinyrnn_build::bake` call per model; the programs declare them with
//! `tinyrnn::include_model!`), and, for a Cortex-M target, links the programs with the memory
//! map of the board.
//!
//! The board is the first row of `boards.txt` for the target triple (a QEMU machine), or the one
//! named by `TINYRNN_BOARD` (e.g. `TINYRNN_BOARD=nrf52840` for a real nRF52840); its memory map
//! `boards/<board>/memory.x` is copied to `$OUT_DIR/memory.x`, where cortex-m-rt's `link.x`
//! finds it. Host builds (the same programs printing with `println!`) link nothing special.

use std::path::PathBuf;

use tinyrnn_build::Quantize;

fn main() {
    // The shipped models the programs use; each becomes `include_model!(<file stem>)`.
    tinyrnn_build::bake("../models/seed.safetensors");
    tinyrnn_build::bake("../models/sentiment.safetensors");
    tinyrnn_build::bake("../models/motion.safetensors");
    tinyrnn_build::bake("../models/vowels.safetensors");
    tinyrnn_build::bake("../models/exercise.safetensors");
    // The generative (1→N) model of `mcu_generate`.
    tinyrnn_build::bake("../models/melody.safetensors");
    // The sequence-to-sequence (N→M) model of `mcu_seq2seq`.
    tinyrnn_build::bake("../models/g2p.safetensors");
    // Their int8 variants (docs/quantization.md): `include_model!(<file stem>_int8)`;
    // `sentiment`'s with 4-bit embedding rows, as the library's root build.rs bakes it.
    for model in ["seed", "motion", "vowels", "exercise"] {
        tinyrnn_build::bake_with(format!("../models/{model}.safetensors"), Quantize::Int8);
    }
    tinyrnn_build::bake_with("../models/sentiment.safetensors", Quantize::Int8Embedding4);
    // A convolution front-end (format version 2): a conformance model, as no shipped model has
    // one yet; `mcu_no_panic` proves its inference path panic-free.
    tinyrnn_build::bake("../conformance/fixtures/conv_gru_2c.safetensors");
    // Bidirectional layers (format version 2), a conformance model as well: `mcu_bidi`.
    tinyrnn_build::bake("../conformance/fixtures/bidi_gru_2l_dense.safetensors");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target.starts_with("thumb") && os == "none" {
        link_board(&target);
    }
}

/// Writes the board's `memory.x` into `$OUT_DIR` and links the programs (the bins only) with
/// `link.x`, plus `defmt.x` with the `defmt` feature.
fn link_board(target: &str) {
    println!("cargo::rerun-if-changed=boards.txt");
    println!("cargo::rerun-if-env-changed=TINYRNN_BOARD");
    let table = read("boards.txt");
    let chosen = std::env::var("TINYRNN_BOARD")
        .ok()
        .filter(|b| !b.is_empty());
    let rows = table
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|row| row.len() >= 2 && !row[0].starts_with('#'));
    let board = rows
        .filter(|row| chosen.as_deref().is_none_or(|b| row[1] == b))
        .find(|row| row[0] == target);
    let Some(board) = board.map(|row| row[1].to_string()) else {
        let what = match &chosen {
            Some(board) => format!("TINYRNN_BOARD={board}: no row of board {board:?} for target"),
            None => "no board for target".to_string(),
        };
        fail(&format!(
            "boards.txt: {what} {target:?}; add a row `{target} <board> <core> <qemu-cpu or ->` \
             and the board's boards/<board>/memory.x"
        ));
    };
    let memory_x = format!("boards/{board}/memory.x");
    println!("cargo::rerun-if-changed={memory_x}");
    let memory = read(&memory_x);
    let Some(out) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        fail("OUT_DIR is not set: build.rs runs under cargo");
    };
    if let Err(e) = std::fs::write(out.join("memory.x"), memory) {
        fail(&format!(
            "cannot write {}: {e}",
            out.join("memory.x").display()
        ));
    }
    println!("cargo::rustc-link-search={}", out.display());
    println!("cargo::rustc-link-arg-bins=-Tlink.x");
    if std::env::var_os("CARGO_FEATURE_DEFMT").is_some() {
        println!("cargo::rustc-link-arg-bins=-Tdefmt.x");
    }
}

/// The contents of a file of this crate, or the build stops naming it.
fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")))
}

/// Stops the build with one line.
fn fail(message: &str) -> ! {
    println!("cargo::error={message}");
    std::process::exit(0);
}
