//! Bakes the reference fixtures exactly as a firmware crate bakes its model: one
//! `tinyrnn_build::bake` call per file.

fn main() {
    for cell in ["rnn", "lstm", "gru"] {
        for layers in [1, 2] {
            for input in ["embedding", "one_hot", "dense"] {
                tinyrnn_build::bake(format!("fixtures/{cell}_{layers}l_{input}.safetensors"));
            }
        }
    }
}
