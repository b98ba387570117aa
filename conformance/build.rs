//! Bakes the reference fixtures exactly as a firmware crate bakes its model: one
//! `tinyrnn_build::bake` call per file.

/// The bidirectional fixtures (`scripts/make_fixtures.py`).
const BIDIRECTIONAL: [&str; 6] = [
    "bidi_rnn_1l_dense",
    "bidi_rnn_2l_embedding",
    "bidi_lstm_1l_one_hot",
    "bidi_lstm_2l_dense",
    "bidi_gru_1l_embedding",
    "bidi_gru_2l_dense",
];

fn main() {
    for cell in ["rnn", "lstm", "gru"] {
        for layers in [1, 2] {
            for input in ["embedding", "one_hot", "dense"] {
                tinyrnn_build::bake(format!("fixtures/{cell}_{layers}l_{input}.safetensors"));
            }
        }
    }
    // Generative (1→N) models: scripts/make_generate_fixtures.py.
    for name in ["generate_gru_2l", "generate_lstm_1l"] {
        tinyrnn_build::bake(format!("fixtures/{name}.safetensors"));
    }
    // Sequence-to-sequence (N→M) models: scripts/make_seq2seq_fixtures.py.
    for name in ["seq2seq_gru_2l", "seq2seq_lstm_1l"] {
        tinyrnn_build::bake(format!("fixtures/{name}.safetensors"));
    }
    // Convolution front-ends (format version 2) before GRU, LSTM and RNN layers.
    for name in ["conv_gru_1c", "conv_gru_2c", "conv_lstm_2c", "conv_rnn_1c"] {
        tinyrnn_build::bake(format!("fixtures/{name}.safetensors"));
    }
    // Bidirectional layers (format version 2): one and two layers of each cell.
    for name in BIDIRECTIONAL {
        tinyrnn_build::bake(format!("fixtures/{name}.safetensors"));
    }
}
