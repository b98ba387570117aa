//! The shipped models and their int8 variants, as the programs that measure or check all of
//! them bake them (`mcu_cost`, `mcu_no_panic`; included with `#[path]`: they bring their own
//! panic handler, so they do not link the library). A program keeps only what it calls: the
//! models it does not select are not linked.

// Baked by build.rs: `tinyrnn_build::bake("../models/<name>.safetensors")`.
tinyrnn::include_model!(seed);
tinyrnn::include_model!(sentiment);
tinyrnn::include_model!(motion);
tinyrnn::include_model!(vowels);
tinyrnn::include_model!(exercise);
// Their int8 variants: `tinyrnn_build::bake_with(.., Quantize::Int8)`.
tinyrnn::include_model!(seed_int8);
tinyrnn::include_model!(sentiment_int8);
tinyrnn::include_model!(motion_int8);
tinyrnn::include_model!(vowels_int8);
tinyrnn::include_model!(exercise_int8);
