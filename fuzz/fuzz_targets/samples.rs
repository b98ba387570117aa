//! `step_output` of the shipped `motion` model and of its int8 variant on arbitrary f32 samples
//! (any bit pattern: NaN, infinities, subnormals, extremes): probabilities, or an error that
//! leaves the state as it was; the `f32` state never holds a NaN. Both models must agree on
//! which samples are errors (the int8 path behaves like the `f32` one on bad input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyrnn::models::{motion, motion_int8};
use tinyrnn::prelude::*;
use tinyrnn::Error;

fuzz_target!(|bytes: &[u8]| {
    let mut state = motion::State::new();
    let mut qstate = motion_int8::State::new();
    for chunk in bytes.chunks_exact(4 * motion::INPUTS) {
        let mut sample = [0.0f32; motion::INPUTS];
        for (x, b) in sample.iter_mut().zip(chunk.chunks_exact(4)) {
            *x = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        let (before, qbefore) = (state, qstate);
        let f32_result = motion::MODEL.step_output(&sample, &mut state);
        let int8_result = motion_int8::MODEL.step_output(&sample, &mut qstate);
        match &f32_result {
            Ok(out) => {
                assert!(out.values().iter().all(|v| (0.0..=1.0).contains(v)));
                assert!(motion::LABELS.contains(&out.label()));
            }
            Err(Error::NonFinite { .. } | Error::Overflow) => assert_eq!(state, before),
            Err(e) => panic!("{e}"),
        }
        match &int8_result {
            Ok(out) => {
                assert!(out.values().iter().all(|v| (0.0..=1.0).contains(v)));
                assert!(motion_int8::LABELS.contains(&out.label()));
            }
            Err(Error::NonFinite { .. }) => assert_eq!(qstate, qbefore),
            Err(e) => panic!("int8: {e}"),
        }
        // A non-finite sample is refused by both; an f32 overflow has no int8 counterpart
        // (the integer step saturates), so it is the one allowed difference.
        if let Err(Error::NonFinite { .. }) = f32_result {
            assert!(matches!(int8_result, Err(Error::NonFinite { .. })));
        }
        assert!(state.is_finite());
    }
});
