//! The `tinyrnn-train` command line: `train`, `eval`, `loso`, `split`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use tinyrnn_train::bow::BowOptions;
use tinyrnn_train::{data, loso, split, Cell, Model, TextInput, TrainOptions};

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
    /// Leave-one-source-out: for each source, train on the others and test on it, with the
    /// given recipe and with a bag-of-words logistic regression; prints the accuracy table.
    Loso(LosoArgs),
    /// Train a class-conditioned generative model (1→N) on label<TAB>tokens files; report its
    /// test perplexity against n-gram baselines and how often a separate classifier recognises
    /// its generations as their condition.
    Generate(GenerateArgs),
    /// Train a sequence-to-sequence model (N→M) on word<TAB>phonemes files (grapheme to
    /// phoneme); report its phoneme and word error rates on the held-out words against a
    /// letter-to-phoneme baseline.
    Seq2seq(Seq2SeqArgs),
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
    /// Hold out this fraction of the training data (stratified) for validation.
    #[arg(long, default_value_t = 0.0, conflicts_with = "val")]
    val_split: f64,
    /// A separate validation file.
    #[arg(long)]
    val: Option<PathBuf>,
    /// Do not write the training-curve PNG.
    #[arg(long)]
    no_plot: bool,
    /// Name the classes in the model file, for data whose labels are the class indices 0, 1, …
    /// (e.g. `--label-names negative,positive`). Data files may then use either form.
    #[arg(long, value_delimiter = ',')]
    label_names: Option<Vec<String>>,
    #[command(flatten)]
    recipe: RecipeArgs,
}

/// The network flags of the `generate` and `seq2seq` subcommands.
#[derive(Args)]
struct NetArgs {
    /// The recurrent cell.
    #[arg(long, value_enum, default_value = "gru")]
    cell: CellArg,
    /// Embedding width.
    #[arg(long, default_value_t = 16)]
    embedding: usize,
    /// Hidden size H.
    #[arg(long, default_value_t = 64)]
    hidden: usize,
    /// Stacked recurrent layers.
    #[arg(long, default_value_t = 1)]
    layers: usize,
}

impl NetArgs {
    /// The cell, embedding width, hidden size and layer count.
    fn sizes(&self) -> (Cell, usize, usize, usize) {
        (cell(self.cell), self.embedding, self.hidden, self.layers)
    }
}

/// The trainer's cell for a `--cell` value.
fn cell(arg: CellArg) -> Cell {
    match arg {
        CellArg::Rnn => Cell::Rnn,
        CellArg::Lstm => Cell::Lstm,
        CellArg::Gru => Cell::Gru,
    }
}

#[derive(Args)]
struct Seq2SeqArgs {
    /// Training pairs: word<TAB>phonemes (header line, phonemes separated by spaces).
    train: PathBuf,
    /// The cell and sizes, of the encoder and the decoder alike (embedding: letters and
    /// phonemes).
    #[command(flatten)]
    net: NetArgs,
    /// Held-out pairs (the reported figures; never used for training or model choice).
    #[arg(long)]
    test: PathBuf,
    /// The model file to write.
    #[arg(long)]
    out: PathBuf,
    /// Epochs.
    #[arg(long, default_value_t = 12)]
    epochs: usize,
    /// AdamW learning rate.
    #[arg(long, default_value_t = 0.01)]
    lr: f64,
    /// Words per mini-batch.
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Seed of the weights and the batch order.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(Args)]
struct GenerateArgs {
    /// Training data: label<TAB>tokens (the label is the condition).
    train: PathBuf,
    /// Validation data (early stopping; the baselines' smoothing).
    #[arg(long)]
    val: PathBuf,
    /// Test data (the reported figures).
    #[arg(long)]
    test: PathBuf,
    /// Where to write the model file.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    net: NetArgs,
    /// Maximum number of epochs.
    #[arg(long, default_value_t = 40)]
    epochs: usize,
    /// Stop after this many epochs without a better validation loss (the best is kept).
    #[arg(long, default_value_t = 5)]
    patience: usize,
    /// AdamW learning rate.
    #[arg(long, default_value_t = 0.005)]
    lr: f64,
    /// Sequences per mini-batch.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Dropout on embeddings, between layers and before the head.
    #[arg(long, default_value_t = 0.1)]
    dropout: f32,
    /// Keep tokens seen at least this often in the training split.
    #[arg(long, default_value_t = 2)]
    min_count: usize,
    /// Seed of the weights, the batch order, dropout and the generations.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Generations per condition for the class-consistency check (0: skip it).
    #[arg(long, default_value_t = 50)]
    samples: usize,
    /// Sampling of those generations: top-k (0 for all tokens).
    #[arg(long, default_value_t = 5)]
    top_k: usize,
    /// Sampling temperature.
    #[arg(long, default_value_t = 1.0)]
    temperature: f32,
    /// Longest generation, in tokens.
    #[arg(long, default_value_t = 96)]
    max_tokens: usize,
    /// Where the consistency check's classifier is written.
    #[arg(long, default_value = "target/generate-classifier.safetensors")]
    classifier_out: PathBuf,
}

#[derive(Args)]
struct LosoArgs {
    /// The sources (label<TAB>text files): each is held out once while the others train.
    #[arg(required = true, num_args = 2..)]
    sources: Vec<PathBuf>,
    /// Training-only sources: added to every fold's training data (recurrent model and
    /// baseline alike), never held out.
    #[arg(long)]
    also: Vec<PathBuf>,
    /// Directory for the fold models.
    #[arg(long, default_value = "target/loso")]
    out_dir: PathBuf,
    /// Seeds of the recurrent runs (one run per seed and fold; the table gives the mean).
    #[arg(long, value_delimiter = ',', default_value = "0")]
    seeds: Vec<u64>,
    /// Stratified fraction of the training sources held out for validation (early stopping).
    #[arg(long, default_value_t = 0.1)]
    val_split: f64,
    /// Inverse regularisation strength C of the bag-of-words logistic regression.
    #[arg(long, default_value_t = 1.0)]
    bow_c: f64,
    #[command(flatten)]
    recipe: RecipeArgs,
}

/// The model and training flags shared by `train` and `loso`.
#[derive(Args)]
struct RecipeArgs {
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
    /// Extra labelled text added to the training split after the validation hold-out (e.g. a
    /// sentiment lexicon, data/sentiment/lexicon.tsv).
    #[arg(long)]
    extra: Vec<PathBuf>,
    /// Text: add up to this many tokens of the --extra files, in file order, to the vocabulary.
    #[arg(long, default_value_t = 0)]
    extra_vocab: usize,
    /// Text: hash words missing from the vocabulary into this many buckets (FNV-1a, appended as
    /// the last ids, `tokenizer.unk_buckets`) instead of mapping them all to <unk>.
    #[arg(long, default_value_t = 0)]
    unk_buckets: u16,
    /// Text: mark up to this many tokens after a negator word ("not", "never", "isn't", …), up
    /// to the next .,;:!?, as `not_` vocabulary entries (`tokenizer.negation`; 0: off).
    #[arg(long, default_value_t = 0)]
    negation: u16,
    /// Text: look every token up as its stem, with at most one suffix (-ing, -ed, -ly, -s, …)
    /// stripped (`tokenizer.stem`), so that the vocabulary holds stems.
    #[arg(long)]
    stem: bool,
    /// Truncate training sequences to this many steps (validation and test are never truncated).
    #[arg(long)]
    max_len: Option<usize>,
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
    /// Augmentation (text): replace each training token by <unk> (by its bucket with
    /// --unk-buckets) with this probability, drawn anew every epoch.
    #[arg(long, default_value_t = 0.0)]
    unk_drop: f32,
    /// Bidirectional recurrent layers (PyTorch `bidirectional=True`): the baked model reads a
    /// whole sequence and cannot stream.
    #[arg(long)]
    bidirectional: bool,
    /// With --bidirectional: the longest sequence the baked model holds (default: the longest
    /// training or validation sequence).
    #[arg(long, requires = "bidirectional")]
    max_steps: Option<usize>,
    /// A 1D convolution front-end (time series only): comma-separated layers, each
    /// OUT:KERNEL[:STRIDE][:stride=S][:dilation=D][:pool=P][:causal], e.g. "16:5,16:3:causal:pool=2"
    /// (nn.Conv1d, ReLU, nn.MaxPool1d; valid padding unless causal).
    #[arg(long, value_parser = conv_layers)]
    conv: Option<ConvLayers>,
}

/// The layers of `--conv`.
#[derive(Debug, Clone)]
struct ConvLayers(Vec<tinyrnn_schema::ConvLayer>);

/// Parses `--conv` (`tinyrnn_train::train::parse_conv`).
fn conv_layers(spec: &str) -> Result<ConvLayers, String> {
    tinyrnn_train::train::parse_conv(spec)
        .map(ConvLayers)
        .map_err(|e| format!("{e:#}"))
}

impl RecipeArgs {
    /// Training options with these flags and the given data and output.
    fn options(&self, data: Vec<PathBuf>, out: PathBuf) -> TrainOptions {
        let mut o = TrainOptions::new(data, out);
        o.cell = cell(self.cell);
        o.hidden = self.hidden;
        o.layers = self.layers;
        o.text_input = if self.one_hot {
            TextInput::OneHot
        } else {
            TextInput::Embedding(self.embedding.unwrap_or(16))
        };
        o.epochs = self.epochs;
        o.lr = self.lr;
        o.weight_decay = self.weight_decay;
        o.batch_size = self.batch_size;
        o.seed = self.seed;
        o.vocab_size = self.vocab_size;
        o.min_count = self.min_count;
        o.extra = self.extra.clone();
        o.extra_vocab = self.extra_vocab;
        o.unk_buckets = self.unk_buckets;
        o.negation = self.negation;
        o.stem = self.stem;
        o.max_len = self.max_len;
        o.patience = self.patience;
        o.dropout = self.dropout;
        o.clip = self.clip;
        o.crop = self.crop;
        o.noise = self.noise;
        o.unk_drop = self.unk_drop;
        o.bidirectional = self.bidirectional;
        o.max_steps = self.max_steps;
        o.conv = self.conv.clone().map(|c| c.0).unwrap_or_default();
        o
    }
}

/// Trains the recipe and the baseline leaving out each source in turn; prints the table.
fn loso(a: LosoArgs) -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    let mut recipe = a.recipe.options(Vec::new(), PathBuf::new());
    recipe.val_split = a.val_split;
    let cell = recipe.cell.name().to_uppercase();
    let opts = loso::LosoOptions {
        recipe,
        seeds: a.seeds,
        also: a.also,
        out_dir: a.out_dir,
        bow: BowOptions {
            c: a.bow_c,
            ..BowOptions::default()
        },
    };
    let results = loso::run(&a.sources, &opts, |line| println!("{line}"))?;
    println!("\nleave-one-source-out accuracy:\n");
    print!("{}", loso::table(&results, &cell));
    println!("\ntotal time: {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}

/// Trains a generative model and prints its figures.
fn generate(a: GenerateArgs) -> anyhow::Result<()> {
    use tinyrnn_train::generative::{class_consistency, train_generative, GenOptions};
    let mut o = GenOptions::new(a.train, a.val, a.test, a.out.clone());
    (o.cell, o.embedding, o.hidden, o.layers) = a.net.sizes();
    (o.epochs, o.patience, o.lr) = (a.epochs, a.patience, a.lr);
    (o.batch_size, o.dropout, o.min_count, o.seed) = (a.batch_size, a.dropout, a.min_count, a.seed);
    let r = train_generative(&o)?;
    let (train, val, test) = r.sizes;
    println!(
        "wrote {} ({} parameters, vocabulary {}, conditions {}); best epoch {} of {}, {:.0} s",
        a.out.display(),
        r.params,
        r.vocab,
        r.conditions.join(" "),
        r.best_epoch,
        r.epochs_run,
        r.seconds
    );
    let p = &r.perplexity;
    println!("\nper-token perplexity on the {test} test sequences ({train} train, {val} val):");
    println!("  network                         {:8.3}", p.network);
    println!(
        "  unigram (add-{})              {:8.3}",
        p.unigram.1, p.unigram.0
    );
    println!(
        "  bigram (λ = {}, add-{})        {:8.3}",
        p.bigram.2, p.bigram.1, p.bigram.0
    );
    println!(
        "  bigram per condition (λ = {})  {:8.3}",
        p.class_bigram.2, p.class_bigram.0
    );
    if a.samples > 0 {
        let sampling = match a.top_k {
            0 => tinyrnn::Sampling::Temperature(a.temperature),
            k => tinyrnn::Sampling::TopK {
                k,
                temperature: a.temperature,
            },
        };
        let c = class_consistency(
            &o,
            &a.out,
            &a.classifier_out,
            a.samples,
            sampling,
            a.max_tokens,
        )?;
        println!(
            "\nclass consistency ({} generations per condition, top-{} at T = {}): a separate GRU \
             classifier, {:.1} % accurate on the real test sequences, assigns",
            a.samples,
            a.top_k,
            a.temperature,
            100.0 * c.classifier_test_accuracy
        );
        for (name, n, ok, empty) in &c.per_condition {
            println!("  {name:<10} {ok:>4}/{n} to their condition ({empty} empty)");
        }
        println!("  all        {:.1} %", 100.0 * c.rate());
        for (name, text) in r.conditions.iter().zip(&c.examples) {
            println!("  e.g. {name}: {text}");
        }
    }
    Ok(())
}

/// Trains a sequence-to-sequence model and prints its figures.
fn seq2seq(a: Seq2SeqArgs) -> anyhow::Result<()> {
    use tinyrnn_train::seq2seq::{train_seq2seq, Seq2SeqOptions};
    let mut o = Seq2SeqOptions::new(a.train, a.test, a.out.clone());
    (o.cell, o.embedding, o.hidden, o.layers) = a.net.sizes();
    (o.epochs, o.lr, o.batch_size, o.seed) = (a.epochs, a.lr, a.batch_size, a.seed);
    let r = train_seq2seq(&o)?;
    println!(
        "wrote {} ({} parameters, {} letters, {} phonemes with <s> and </s>); train loss {:.4} \
         nats/phoneme; {:.0} s",
        a.out.display(),
        r.params,
        r.vocab.0,
        r.vocab.1,
        r.train_loss,
        r.seconds
    );
    println!(
        "\nheld-out words: {} ({} training); greedy decoding:",
        r.sizes.1, r.sizes.0
    );
    println!("                             PER       WER");
    for (name, e) in [
        ("network", r.network),
        ("letter-to-phoneme baseline", r.baseline),
    ] {
        println!(
            "  {name:<26} {:5.2} %  {:6.2} %",
            100.0 * e.phoneme,
            100.0 * e.word
        );
    }
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Train(a) => {
            let mut o = a.recipe.options(a.data, a.out);
            o.val_split = a.val_split;
            o.val = a.val;
            o.plot = !a.no_plot;
            o.label_names = a.label_names;
            tinyrnn_train::train(&o)?;
        }
        Command::Loso(a) => loso(a)?,
        Command::Generate(a) => generate(a)?,
        Command::Seq2seq(a) => seq2seq(a)?,
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
