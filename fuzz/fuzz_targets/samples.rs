//! `step_output` of the shipped `motion` model on arbitrary f32 samples (any bit pattern: NaN,
//! infinities, subnormals, extremes): probabilities, or an error that leaves the state as it
//! was; the state never holds a NaN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyrnn::models::motion;
use tinyrnn::Error;

fuzz_target!(|bytes: &[u8]| {
    let mut state = motion::State::new();
    for chunk in bytes.chunks_exact(4 * motion::INPUTS) {
        let mut sample = [0.0f32; motion::INPUTS];
        for (x, b) in sample.iter_mut().zip(chunk.chunks_exact(4)) {
            *x = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        let before = state;
        match motion::MODEL.step_output(&sample, &mut state) {
            Ok(out) => {
                assert!(out.values().iter().all(|v| (0.0..=1.0).contains(v)));
                assert!(motion::LABELS.contains(&out.label()));
            }
            Err(Error::NonFinite { .. } | Error::Overflow) => assert_eq!(state, before),
            Err(e) => panic!("{e}"),
        }
        assert!(state.is_finite());
    }
});
