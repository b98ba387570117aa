//! The `tinyrnn-train` command line: `train`, `eval`, `split`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use tinyrnn_train::{data, split, Cell, Model, TextInput, TrainOptions};

/// Train, evaluate and export tinyrnn sequence classifiers (tanh RNN, LSTM, GRU).
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Threads for candle's matrix multiplications (default 1, or RAYON_NUM_THREADS if set).
    /// The results do not depend on it; for these small matrices one thread is the fastest.
    #[arg(long, global = true)]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a classifier on TSV text or UEA .ts time series and write the model file (+ PNG).
    Train(TrainArgs),
    /// Evaluate a model file on a data file: per-class precision/recall, confusion matrix, accuracy.
    Eval {
        /// The model file (.safetensors).
        model: PathBuf,
        /// The data file (.tsv or .ts).
        data: PathBuf,
    },
    /// Split label<TAB>text files into stratified train/val/test files, reproducibly.
    Split {
        /// The input TSV files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output prefix: writes PREFIX_train.tsv, PREFIX_val.tsv, PREFIX_test.tsv.
        #[arg(long)]
        out: PathBuf,
        /// Fraction for training.
        #[arg(long, default_value_t = 0.8)]
        train: f64,
        /// Fraction for validation (the rest is test).
        #[arg(long, default_value_t = 0.1)]
        val: f64,
        /// Seed of the shuffle.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum CellArg {
    Rnn,
    Lstm,
    Gru,
}

#[derive(Args)]
struct TrainArgs {
    /// Training data: .tsv (label<TAB>text) or .ts (UEA) files, all of one kind.
    #[arg(required = true)]
    data: Vec<PathBuf>,
    /// Where to write the model; the training curve goes next to it as .png.
    #[arg(long)]
    out: PathBuf,
    /// The recurrent cell.
    #[arg(long, value_enum, default_value = "gru")]
    cell: CellArg,
    /// Hidden size H.
    #[arg(long, default_value_t = 32)]
    hidden: usize,
    /// Stacked recurrent layers.
    #[arg(long, default_value_t = 1)]
    layers: usize,
    /// Text: learn an embedding of this size (default 16).
    #[arg(long, conflicts_with = "one_hot")]
    embedding: Option<usize>,
    /// Text: feed one-hot vectors of the vocabulary size instead of an embedding.
    #[arg(long)]
    one_hot: bool,
    /// Maximum number of epochs.
    #[arg(long, default_value_t = 20)]
    epochs: usize,
    /// AdamW learning rate.
    #[arg(long, default_value_t = 0.01)]
    lr: f64,
    /// AdamW decoupled weight decay.
    #[arg(long, default_value_t = 0.0)]
    weight_decay: f64,
    /// Examples per mini-batch.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Seed of the initial weights, the validation split, the batch order and dropout.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Text: largest vocabulary, counting <pad> and <unk>.
    #[arg(long)]
    vocab_size: Option<usize>,
    /// Text: keep words seen at least this often in the training split.
    #[arg(long, default_value_t = 1)]
    min_count: usize,
    /// Truncate training sequences to this many steps (validation and test are never truncated).
    #[arg(long)]
    max_len: Option<usize>,
    /// Hold out this fraction of the training data (stratified) for validation.
    #[arg(long, default_value_t = 0.0, conflicts_with = "val")]
    val_split: f64,
    /// A separate validation file.
    #[arg(long)]
    val: Option<PathBuf>,
    /// Stop after this many epochs without a better validation accuracy (the best epoch is kept).
    #[arg(long)]
    patience: Option<usize>,
    /// Dropout on embeddings, between layers and before the head.
    #[arg(long, default_value_t = 0.0)]
    dropout: f32,
    /// Clip the global gradient norm (0: off).
    #[arg(long, default_value_t = 5.0)]
    clip: f64,
    /// Augmentation: each epoch, train on a random window of at least this many steps of each
    /// training sequence.
    #[arg(long)]
    crop: Option<usize>,
    /// Augmentation (sensor data): add Gaussian noise of this standard deviation to the
    /// normalised training samples, drawn anew every epoch.
    #[arg(long, default_value_t = 0.0)]
    noise: f32,
    /// Do not write the training-curve PNG.
    #[arg(long)]
    no_plot: bool,
    /// Name the classes in the model file, for data whose labels are the class indices 0, 1, …
    /// (e.g. `--label-names negative,positive`). Data files may then use either form.
    #[arg(long, value_delimiter = ',')]
    label_names: Option<Vec<String>>,
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Train(a) => {
            let mut o = TrainOptions::new(a.data, a.out);
            o.cell = match a.cell {
                CellArg::Rnn => Cell::Rnn,
                CellArg::Lstm => Cell::Lstm,
                CellArg::Gru => Cell::Gru,
            };
            o.hidden = a.hidden;
            o.layers = a.layers;
            o.text_input = if a.one_hot {
                TextInput::OneHot
            } else {
                TextInput::Embedding(a.embedding.unwrap_or(16))
            };
            o.epochs = a.epochs;
            o.lr = a.lr;
            o.weight_decay = a.weight_decay;
            o.batch_size = a.batch_size;
            o.seed = a.seed;
            o.vocab_size = a.vocab_size;
            o.min_count = a.min_count;
            o.max_len = a.max_len;
            o.val_split = a.val_split;
            o.val = a.val;
            o.patience = a.patience;
            o.dropout = a.dropout;
            o.clip = a.clip;
            o.crop = a.crop;
            o.noise = a.noise;
            o.plot = !a.no_plot;
            o.label_names = a.label_names;
            tinyrnn_train::train(&o)?;
        }
        Command::Eval { model, data } => {
            let m = Model::load(&model)?;
            let d = data::load(&data)?;
            let (confusion, empty) = m.evaluate(&d)?;
            println!(
                "model: {} ({} {} x{}, hidden {})",
                model.display(),
                m.meta.cell.name(),
                m.meta.input,
                m.meta.num_layers,
                m.meta.hidden_size
            );
            println!("data: {} ({} examples)", data.display(), d.len());
            if empty > 0 {
                println!("note: left out {empty} example(s) whose text has no token");
            }
            print!("{}", confusion.report());
        }
        Command::Split {
            inputs,
            out,
            train,
            val,
            seed,
        } => {
            for (path, n) in split::split_files(&inputs, &out, train, val, seed)? {
                println!("wrote {} ({n} rows)", path.display());
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // candle reads RAYON_NUM_THREADS at every matrix multiplication. Set it before any other
    // thread exists. One thread: several times faster on these small matrices, and much faster
    // on a loaded machine, where a spinning second worker waits for a busy core.
    match cli.threads {
        Some(n) => std::env::set_var("RAYON_NUM_THREADS", n.max(1).to_string()),
        None if std::env::var_os("RAYON_NUM_THREADS").is_none() => {
            std::env::set_var("RAYON_NUM_THREADS", "1")
        }
        None => {}
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
