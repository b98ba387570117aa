//! What several test files build: a safetensors model file in memory.

use std::collections::HashMap;

use safetensors::tensor::TensorView;
use safetensors::Dtype;

/// A safetensors file of f32 tensors `(name, shape, little-endian bytes)` with `meta` as its
/// `tinyrnn` metadata.
pub fn f32_file(tensors: &[(String, Vec<usize>, Vec<u8>)], meta: &serde_json::Value) -> Vec<u8> {
    let views: Vec<(String, TensorView<'_>)> = tensors
        .iter()
        .map(|(name, shape, bytes)| {
            let view = TensorView::new(Dtype::F32, shape.clone(), bytes).unwrap();
            (name.clone(), view)
        })
        .collect();
    let meta = HashMap::from([("tinyrnn".to_string(), meta.to_string())]);
    safetensors::serialize(views, Some(meta)).unwrap()
}
