//! Tiny end-to-end training runs: determinism, learning, evaluation, loader errors.

mod common;

use tinyrnn_train::{data, train, Cell, Model, Sequence, TextInput, TrainOptions};

fn tiny_text_run(
    dir: &std::path::Path,
    name: &str,
    seed: u64,
) -> (Vec<u8>, tinyrnn_train::TrainReport) {
    let data = dir.join("tiny.tsv");
    std::fs::write(&data, common::tiny_tsv()).unwrap();
    let out = dir.join(format!("{name}.safetensors"));
    let mut o = TrainOptions::new(vec![data], out.clone());
    o.cell = Cell::Gru;
    o.hidden = 8;
    o.text_input = TextInput::Embedding(4);
    o.epochs = 4;
    o.batch_size = 8;
    o.lr = 0.02;
    o.seed = seed;
    o.val_split = 0.25;
    o.patience = Some(10);
    o.dropout = 0.2;
    o.plot = false;
    o.verbose = false;
    let report = train(&o).unwrap();
    (std::fs::read(out).unwrap(), report)
}

#[test]
fn same_seed_gives_the_same_file_byte_for_byte() {
    let dir = common::scratch("determinism");
    let (a, ra) = tiny_text_run(&dir, "a", 7);
    let (b, rb) = tiny_text_run(&dir, "b", 7);
    assert_eq!(ra.history, rb.history);
    assert!(a == b, "two runs with the same seed wrote different files");
    let (c, _) = tiny_text_run(&dir, "c", 8);
    assert!(a != c, "a different seed should give a different model");
}

#[test]
fn learns_a_small_sensor_task_and_evaluates_it() {
    let dir = common::scratch("sensor");
    let data = dir.join("tiny.ts");
    std::fs::write(&data, common::tiny_ts()).unwrap();
    let out = dir.join("s.safetensors");
    let mut o = TrainOptions::new(vec![data.clone()], out.clone());
    o.cell = Cell::Lstm;
    o.hidden = 6;
    o.epochs = 25;
    o.batch_size = 6;
    o.lr = 0.03;
    o.plot = true;
    o.verbose = false;
    let report = train(&o).unwrap();
    assert!(
        report.train_confusion.accuracy() >= 0.95,
        "{}",
        report.train_confusion.report()
    );
    assert!(report
        .png
        .as_ref()
        .is_some_and(|p| std::fs::metadata(p).unwrap().len() > 1000));

    let model = Model::load(&out).unwrap();
    assert_eq!(model.meta.labels, ["up", "down"]);
    let dense = model.meta.input.dense().unwrap();
    let (mean, std) = (dense.mean.clone(), dense.std.clone());
    assert_eq!((mean.len(), std.len()), (2, 2));
    assert!(std.iter().all(|&s| s > 0.0));
    // Evaluating the file one sequence at a time agrees with the exported model's training score.
    let (confusion, empty) = model.evaluate(&data::load(&data).unwrap()).unwrap();
    assert_eq!(empty, 0);
    assert_eq!(confusion, report.train_confusion);
    let p = model
        .predict(Sequence::Samples(&[
            vec![1.0, 0.0],
            vec![1.2, 0.5],
            vec![1.4, 0.9],
        ]))
        .unwrap();
    assert!(p[0] > p[1], "{p:?}");
}

/// The error of loading `contents` written to `path`.
fn load_error(path: &std::path::Path, contents: &str) -> String {
    std::fs::write(path, contents).unwrap();
    data::load(path).unwrap_err().to_string()
}

#[test]
fn errors_name_file_and_line() {
    let dir = common::scratch("errors");
    let tsv = dir.join("bad.tsv");
    let e = load_error(&tsv, "label\ttext\n1\tfine\n0\talso fine\nbad label\tx\n");
    let expected = "bad label \"bad label\": labels may not contain whitespace";
    assert_eq!(e, format!("{}:4: {expected}", tsv.display()));

    let ts = dir.join("bad.ts");
    let e = load_error(
        &ts,
        "@dimensions 2\n@classLabel true a b\n@data\n1,2:3,4:a\n1,2:3,oops:b\n",
    );
    let expected = "dimension 2, value 2: \"oops\" is not a number";
    assert_eq!(e, format!("{}:5: {expected}", ts.display()));

    // A validation file whose label the training data never had.
    let good = dir.join("good.tsv");
    std::fs::write(&good, common::tiny_tsv()).unwrap();
    let val = dir.join("val.tsv");
    std::fs::write(&val, "label\ttext\n1\tgood\n2\twhat\n").unwrap();
    let mut o = TrainOptions::new(vec![good], dir.join("m.safetensors"));
    o.val = Some(val.clone());
    o.epochs = 1;
    o.verbose = false;
    o.plot = false;
    let e = format!("{:#}", train(&o).unwrap_err());
    assert!(
        e.contains(&format!("{}:3: bad label \"2\"", val.display())),
        "{e}"
    );
}
