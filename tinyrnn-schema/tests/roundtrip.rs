//! Writing and reading the metadata round-trip, and the JSON written is the format-1 document
//! the trainer has always written.

use tinyrnn_schema::{
    CellKind, Dense, Generation, Input, Meta, OutputKind, SplitKind, TaskKind, Text, TokenizerRules,
};

fn text_meta(input: fn(Text) -> Input) -> Meta {
    Meta {
        cell: CellKind::Rnn,
        num_layers: 2,
        hidden_size: 3,
        input: input(Text {
            vocab: ["<pad>", "<unk>", "isn't", "10", "\"q\"", "é"]
                .map(String::from)
                .to_vec(),
            unk_id: 1,
            pad_id: Some(0),
            tokenizer: TokenizerRules {
                lowercase: true,
                split: SplitKind::Words,
                unk_buckets: 0,
                negation: 0,
                stem: false,
            },
        }),
        task: TaskKind::Tag,
        output: OutputKind::Sigmoid,
        labels: vec!["a".into(), "b\\c".into()],
        generation: None,
        decoding: None,
        conv: vec![],
        bidirectional: None,
    }
}

fn dense_meta(mean: Vec<f32>, std: Vec<f32>) -> Meta {
    Meta {
        cell: CellKind::Gru,
        num_layers: 1,
        hidden_size: 32,
        input: Input::Dense(Dense { mean, std }),
        task: TaskKind::Classify,
        output: OutputKind::Softmax,
        labels: vec!["x".into()],
        generation: None,
        decoding: None,
        conv: vec![],
        bidirectional: None,
    }
}

#[test]
fn every_kind_of_document_round_trips() {
    let mut metas = vec![
        text_meta(Input::Embedding),
        text_meta(Input::OneHot),
        dense_meta(
            vec![0.1, -1.5e-7, 3.0e12],
            vec![1.0, 0.3, tinyrnn_schema::MIN_STD],
        ),
    ];
    let mut no_pad = text_meta(Input::OneHot);
    if let Input::OneHot(t) = &mut no_pad.input {
        t.pad_id = None;
        t.tokenizer.split = SplitKind::Whitespace;
        t.tokenizer.lowercase = false;
    }
    metas.push(no_pad);
    for cell in [CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
        for output in [
            OutputKind::Softmax,
            OutputKind::Sigmoid,
            OutputKind::Identity,
        ] {
            for task in [TaskKind::Classify, TaskKind::Tag, TaskKind::Regress] {
                let mut m = dense_meta(vec![0.0], vec![1.0]);
                (m.cell, m.output, m.task) = (cell, output, task);
                metas.push(m);
            }
        }
    }
    // A generative model: the labels are its vocabulary.
    let mut generate = text_meta(Input::Embedding);
    generate.task = TaskKind::Generate;
    generate.output = OutputKind::Softmax;
    generate.labels = generate.input.text().unwrap().vocab.clone();
    generate.generation = Some(Generation {
        conditions: vec!["reel".into(), "jig".into()],
        start_id: 2,
        end_id: 3,
    });
    metas.push(generate);
    for meta in metas {
        meta.validate().unwrap();
        let json = meta.to_json();
        assert_eq!(Meta::from_json(&json).unwrap(), meta, "{json}");
        assert_eq!(serde_json::to_string(&meta).unwrap(), json);
    }
}

#[test]
fn f32_statistics_round_trip_exactly() {
    // Pseudo-random bit patterns over the whole range the format accepts: a mean of magnitude
    // up to MAX_ABS_MEAN (of either sign, down to subnormals), a std from MIN_STD up.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut mean = Vec::new();
    let mut std = Vec::new();
    while mean.len() < 100_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let m = f32::from_bits((x >> 32) as u32);
        let s = f32::from_bits(x as u32 & 0x7fff_ffff);
        if m.abs() <= tinyrnn_schema::MAX_ABS_MEAN && s.is_finite() && s >= tinyrnn_schema::MIN_STD
        {
            mean.push(m);
            std.push(s);
        }
    }
    let meta = dense_meta(mean, std);
    let back = Meta::from_json(&meta.to_json()).unwrap();
    let (Input::Dense(a), Input::Dense(b)) = (&meta.input, &back.input) else {
        panic!("dense")
    };
    for (x, y) in a.mean.iter().zip(&b.mean).chain(a.std.iter().zip(&b.std)) {
        assert_eq!(x.to_bits(), y.to_bits());
    }
}

#[test]
fn the_json_is_the_format_1_document() {
    let meta = text_meta(Input::OneHot);
    assert_eq!(
        meta.to_json(),
        r#"{"format_version":1,"cell":"rnn","num_layers":2,"hidden_size":3,"input":"one_hot","task":"tag","output":"sigmoid","labels":["a","b\\c"],"vocab":["<pad>","<unk>","isn't","10","\"q\"","é"],"unk_id":1,"pad_id":0,"tokenizer":{"lowercase":true,"split":"words"}}"#
    );
    let meta = dense_meta(vec![2.5112817, -0.07792647], vec![7.1876655, 1.0]);
    assert_eq!(
        meta.to_json(),
        r#"{"format_version":1,"cell":"gru","num_layers":1,"hidden_size":32,"input":"dense","task":"classify","output":"softmax","labels":["x"],"mean":[2.5112817,-0.07792647],"std":[7.1876655,1.0]}"#
    );
}

#[test]
fn the_metadata_of_every_shipped_model_and_fixture_is_written_back_byte_for_byte() {
    // Shipped models are written by tinyrnn-train: re-serialising gives the same string. The
    // conformance fixtures are written by Python's json.dumps: they must at least parse and
    // round-trip through the typed form.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut checked = 0;
    for (dir, exact) in [("models", true), ("conformance/fixtures", false)] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "safetensors") {
                continue;
            }
            let json = metadata_of(&std::fs::read(&path).unwrap());
            let meta = Meta::from_json(&json).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            if exact {
                assert_eq!(meta.to_json(), json, "{path:?}");
            }
            assert_eq!(Meta::from_json(&meta.to_json()).unwrap(), meta, "{path:?}");
            checked += 1;
        }
    }
    assert!(checked >= 4 + 18, "found only {checked} model files");
}

/// The `tinyrnn` metadata string of a safetensors file, read by hand (8-byte little-endian
/// header length, then a JSON header).
fn metadata_of(bytes: &[u8]) -> String {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    header["__metadata__"]["tinyrnn"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn statistics_that_overflow_an_ordinary_sample_are_rejected() {
    let json = |mean: &str, std: &str| {
        format!(
            r#"{{"format_version":1,"cell":"gru","num_layers":1,"hidden_size":2,"input":"dense","task":"classify","output":"softmax","labels":["x"],"mean":[{mean}],"std":[{std}]}}"#
        )
    };
    let error = |mean, std| Meta::from_json(&json(mean, std)).unwrap_err().to_string();
    assert_eq!(
        error("0.0", "1e-40"),
        "metadata field `std`: expected values of at least 1e-6 (a smaller one makes \
         normalising an ordinary sample overflow), found 1e-40 at index 0"
    );
    assert!(error("0.0", "9.9e-7").contains("found 9.9e-7 at index 0"));
    let tiny = error("0.0", "1e-50");
    // serde_json reads 1e-50 as 9.999999999999999e-51: shown as read, in exponent form.
    assert!(
        tiny.contains("positive finite values, found 9.99") && tiny.ends_with("e-51 at index 0"),
        "{tiny}"
    );
    assert_eq!(
        error("-1e31", "1.0"),
        "metadata field `mean`: expected values of magnitude at most 1e30 (beyond, normalising \
         an ordinary sample overflows), found -1e31 at index 0"
    );
    assert!(error("1e39", "1.0").contains("`mean`: expected finite values, found 1e39"));
    // The limits themselves are accepted, and with them an ordinary sample stays finite.
    Meta::from_json(&json("1e30", "1e-6")).unwrap();
    let (mean, std) = (tinyrnn_schema::MAX_ABS_MEAN, tinyrnn_schema::MIN_STD);
    assert!(((-1e32f32 - mean) / std).is_finite());
}

#[test]
fn a_field_given_twice_is_rejected_naming_it() {
    let base = r#"{"format_version":1,"cell":"gru","num_layers":1,"hidden_size":2,"input":"one_hot","task":"classify","output":"softmax","labels":["x"],"vocab":["<unk>","a"],"unk_id":0,"tokenizer":{"lowercase":true,"split":"words"}}"#;
    for (twice, field) in [
        (r#""hidden_size":9,"#, "hidden_size"),
        (r#""labels":["y"],"#, "labels"),
        (
            r#""tokenizer":{"lowercase":false,"split":"words"},"#,
            "tokenizer",
        ),
        (r#""format_version":1,"#, "format_version"),
    ] {
        let json = base.replacen('{', &format!("{{{twice}"), 1);
        assert_eq!(
            Meta::from_json(&json).unwrap_err().to_string(),
            format!("metadata field `{field}`: expected once, found it at least twice")
        );
    }
    let nested = base.replace(
        r#""split":"words""#,
        r#""split":"words","split":"whitespace""#,
    );
    assert_eq!(
        Meta::from_json(&nested).unwrap_err().to_string(),
        "metadata field `tokenizer.split`: expected once, found it at least twice"
    );
    Meta::from_json(base).unwrap();
}

#[test]
fn generation_fields_are_checked() {
    let json = r#"{"format_version":1,"cell":"gru","num_layers":1,"hidden_size":4,
        "input":"one_hot","task":"generate","output":"softmax","labels":["<s>","a","b"],
        "vocab":["<s>","a","b"],"unk_id":0,"tokenizer":{"lowercase":false,"split":"whitespace"},
        "conditions":["x","y"],"start_id":0,"end_id":0}"#;
    let meta = Meta::from_json(json).unwrap();
    let g = meta.generation.as_ref().unwrap();
    assert_eq!((g.conditions.len(), g.start_id, g.end_id), (2, 0, 0));
    assert_eq!(Meta::from_json(&meta.to_json()).unwrap(), meta);
    let cases = [
        (
            r#""end_id":0"#,
            r#""end_id":3"#,
            "field `end_id`: expected an id below the vocabulary size 3, found 3",
        ),
        (
            r#""conditions":["x","y"]"#,
            r#""conditions":[]"#,
            "field `conditions`: expected at least one condition",
        ),
        (
            r#""conditions":["x","y"]"#,
            r#""conditions":["x","x"]"#,
            "field `conditions`: expected distinct names",
        ),
        (
            r#","start_id":0"#,
            "",
            "field `start_id`: expected a value for task `generate`, found no such field",
        ),
        (
            r#""labels":["<s>","a","b"]"#,
            r#""labels":["a","b","c"]"#,
            "field `labels`: expected the vocabulary",
        ),
        (
            r#""output":"softmax""#,
            r#""output":"sigmoid""#,
            "field `output`: expected `softmax` for task `generate`",
        ),
        (
            r#""task":"generate""#,
            r#""task":"tag""#,
            "field `conditions`: expected no such field for task `tag`",
        ),
    ];
    assert_rejected(json, &cases);
}

/// A convolution front-end is written as format version 2 with a `conv` list, read back
/// equal, and refused in a version 1 document, for text input and with a size of 0.
#[test]
fn a_conv_front_end_round_trips_as_version_2() {
    use tinyrnn_schema::{ConvLayer, Padding};
    let mut meta = dense_meta(vec![0.5, 1.0], vec![2.0, 1.0]);
    meta.conv = vec![
        ConvLayer {
            out_channels: 4,
            kernel_size: 3,
            stride: 1,
            dilation: 2,
            padding: Padding::Causal,
            pool: 1,
        },
        ConvLayer {
            out_channels: 6,
            kernel_size: 2,
            stride: 2,
            dilation: 1,
            padding: Padding::Valid,
            pool: 3,
        },
    ];
    let json = meta.to_json();
    assert!(json.starts_with(r#"{"format_version":2,"#), "{json}");
    assert!(json.ends_with(
        r#""conv":[{"out_channels":4,"kernel_size":3,"stride":1,"dilation":2,"padding":"causal","pool":1},{"out_channels":6,"kernel_size":2,"stride":2,"dilation":1,"padding":"valid","pool":3}]}"#
    ), "{json}");
    assert_eq!(Meta::from_json(&json).unwrap(), meta);

    let v1 = json.replace(r#""format_version":2"#, r#""format_version":1"#);
    assert_eq!(
        Meta::from_json(&v1).unwrap_err().to_string(),
        "metadata field `conv`: expected `format_version` 2 (version 1 has no convolution \
         front-end), found format_version 1"
    );
    let zero = json.replace(r#""stride":2"#, r#""stride":0"#);
    assert_eq!(
        Meta::from_json(&zero).unwrap_err().to_string(),
        "metadata field `conv[1].stride`: expected 1 to 4096, found 0"
    );
    let wide = json.replace(r#""dilation":2"#, r#""dilation":4000"#);
    assert_eq!(
        Meta::from_json(&wide).unwrap_err().to_string(),
        "metadata field `conv[0].(kernel_size - 1) * dilation + 1`: expected 1 to 4096, \
         found 8001"
    );
    let empty = json.replace(
        &json[json.find(r#""conv":"#).unwrap()..json.len() - 1],
        r#""conv":[]"#,
    );
    assert!(Meta::from_json(&empty)
        .unwrap_err()
        .to_string()
        .contains("expected at least one layer"));

    let mut text = text_meta(Input::Embedding);
    text.conv = meta.conv.clone();
    assert!(text
        .validate()
        .unwrap_err()
        .to_string()
        .contains("no such field for `embedding` input"));
}

/// Bidirectional layers are written as format version 2 with `"bidirectional":true` and
/// `max_steps`, read back equal, and a version 1 document without them is unchanged.
#[test]
fn bidirectional_layers_round_trip_as_version_2() {
    use tinyrnn_schema::Bidirectional;
    let one_way = dense_meta(vec![0.5, 1.0], vec![2.0, 1.0]);
    let mut meta = one_way.clone();
    meta.bidirectional = Some(Bidirectional { max_steps: 29 });
    let json = meta.to_json();
    assert!(json.starts_with(r#"{"format_version":2,"#), "{json}");
    assert!(
        json.ends_with(r#""bidirectional":true,"max_steps":29}"#),
        "{json}"
    );
    assert_eq!(Meta::from_json(&json).unwrap(), meta);
    assert!(one_way.to_json().starts_with(r#"{"format_version":1,"#));
    assert!(!one_way.to_json().contains("bidirectional"));
    // `false` is the same as no field.
    let no = json.replace(
        r#""bidirectional":true,"max_steps":29"#,
        r#""bidirectional":false"#,
    );
    assert_eq!(Meta::from_json(&no).unwrap(), one_way);

    let cases = [
        (
            r#""format_version":2"#,
            r#""format_version":1"#,
            "field `bidirectional`: expected `format_version` 2",
        ),
        (
            r#""max_steps":29"#,
            r#""max_steps":0"#,
            "field `max_steps`: expected 1 to 65536, found 0",
        ),
        (
            r#""bidirectional":true"#,
            r#""bidirectional":false"#,
            "field `max_steps`: expected no such field unless `bidirectional` is true",
        ),
        (
            r#""task":"classify""#,
            r#""task":"tag""#,
            "field `bidirectional`: expected `task` classify or regress",
        ),
    ];
    assert_rejected(&json, &cases);
}

/// Each `(from, to, says)`: `json` with `from` replaced by `to` is refused with an error that
/// says `says`.
fn assert_rejected(json: &str, cases: &[(&str, &str, &str)]) {
    for (from, to, says) in cases {
        let bad = json.replace(from, to);
        assert_ne!(bad, json);
        let e = Meta::from_json(&bad).unwrap_err().to_string();
        assert!(e.contains(says), "{e}\n does not say: {says}");
    }
}
