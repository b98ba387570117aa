//! The 28 reference models of `fixtures/` (made by `scripts/make_fixtures.py`, 4 of them with a
//! convolution front-end, 6 with bidirectional layers), two generative ones
//! (`scripts/make_generate_fixtures.py`) and two sequence-to-sequence ones
//! (`scripts/make_seq2seq_fixtures.py`), baked by this crate's build script the way a firmware
//! crate bakes its own model. The tests in `tests/` compare them with ONNX Runtime's (or
//! PyTorch's) outputs stored next to each model.
#![no_std]
#![forbid(unsafe_code)]

tinyrnn::include_model!(rnn_1l_embedding);
tinyrnn::include_model!(rnn_1l_one_hot);
tinyrnn::include_model!(rnn_1l_dense);
tinyrnn::include_model!(rnn_2l_embedding);
tinyrnn::include_model!(rnn_2l_one_hot);
tinyrnn::include_model!(rnn_2l_dense);
tinyrnn::include_model!(lstm_1l_embedding);
tinyrnn::include_model!(lstm_1l_one_hot);
tinyrnn::include_model!(lstm_1l_dense);
tinyrnn::include_model!(lstm_2l_embedding);
tinyrnn::include_model!(lstm_2l_one_hot);
tinyrnn::include_model!(lstm_2l_dense);
tinyrnn::include_model!(gru_1l_embedding);
tinyrnn::include_model!(gru_1l_one_hot);
tinyrnn::include_model!(gru_1l_dense);
tinyrnn::include_model!(gru_2l_embedding);
tinyrnn::include_model!(gru_2l_one_hot);
tinyrnn::include_model!(gru_2l_dense);
tinyrnn::include_model!(generate_gru_2l);
tinyrnn::include_model!(generate_lstm_1l);
tinyrnn::include_model!(seq2seq_gru_2l);
tinyrnn::include_model!(seq2seq_lstm_1l);
tinyrnn::include_model!(conv_gru_1c);
tinyrnn::include_model!(conv_gru_2c);
tinyrnn::include_model!(conv_lstm_2c);
tinyrnn::include_model!(conv_rnn_1c);
tinyrnn::include_model!(bidi_rnn_1l_dense);
tinyrnn::include_model!(bidi_rnn_2l_embedding);
tinyrnn::include_model!(bidi_lstm_1l_one_hot);
tinyrnn::include_model!(bidi_lstm_2l_dense);
tinyrnn::include_model!(bidi_gru_1l_embedding);
tinyrnn::include_model!(bidi_gru_2l_dense);
