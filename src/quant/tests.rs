//! Saturation and hand-checked cases of the integer arithmetic.

use super::*;

#[test]
fn extreme_samples_saturate_at_eight_std() {
    static SHIFT: [i16; 3] = [16, 16, 16];
    static MEAN: [i64; 3] = [0, 0, 0];
    static INV: [i32; 3] = [1 << 28, 1 << 28, 1 << 28];
    let norm = QNormalize {
        shift: &SHIFT,
        mean: &MEAN,
        inv_std: &INV,
    };
    let mut buf = norm.scratch();
    // (x, its Q12 value, the Q12 value of -x): saturated at +32767 and -32768 (±8 std).
    for (x, q, minus_q) in [
        (f32::MAX, 32767, -32768),
        (8.0, 32767, -32768),
        (7.5, 30720, -30720),
        (1e-40, 0, 0), // subnormal
        (0.0, 0, 0),
    ] {
        assert_eq!(
            norm.encode(&[x, 0.0, -x], &mut buf),
            Ok(QInput::Dense(&[q, 0, minus_q])),
            "{x}"
        );
    }
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        assert_eq!(
            norm.encode(&[0.0, 0.0, bad], &mut buf),
            Err(Error::NonFinite { feature: 2 })
        );
    }
}

#[test]
fn f32_to_fixed_rounds_every_binade_exactly() {
    for &x in &[0.1f32, 1.0 / 3.0, 123.456, -9.75e-3, 6.5e4, -2.5, 2.5] {
        for k in [0, 3, 10, 20, 30] {
            let exact = (x as f64) * (2f64).powi(k);
            let expected = exact.signum() * (exact.abs() + 0.5).floor();
            assert_eq!(f32_to_fixed(x, k), Some(expected as i64), "{x} at 2^{k}");
        }
    }
}

/// One LSTM unit whose input, forget and candidate gates are wide open: `c` grows by one per
/// step until it saturates at 128, and `h` stays `o · tanh(c)` within [-1, 1].
#[test]
fn lstm_cell_state_saturates() {
    static W_IH: [[[u8; 1]; 1]; 4] = [[[128]]; 4];
    static W_HH: [[[u8; 1]; 1]; 4] = [[[128]]; 4];
    static M: [[u16; 1]; 4] = [[0]; 4];
    static S: [[u8; 1]; 4] = [[1]; 4];
    // i, f, g, o pre-activations of +100 (Q12): σ = 32767/32768, tanh = 32767/32768.
    static B_X: [[i32; 1]; 4] = [[100 << 12]; 4];
    static B_H: [[i32; 1]; 0] = []; // the LSTM keeps no gate's parts apart
    let layer = QLayer {
        w_ih: &W_IH,
        w_hh: &W_HH,
        m: &M,
        s: &S,
        b_x: &B_X,
        b_h: &B_H,
        x_shift: 0,
    };
    let (mut h, mut c) = ([0i16; 1], [0i32; 1]);
    let mut previous = 0;
    for step in 0..200 {
        layer.step::<Lstm>(QInput::Dense(&[0]), &mut h, Some(&mut c));
        assert!(c[0] >= previous, "step {step}: c shrank");
        assert!(c[0] <= CELL_LIMIT);
        previous = c[0];
    }
    assert_eq!(c[0], CELL_LIMIT);
    assert_eq!(h[0], 32766); // o · tanh(128) = (32767 · 32767 + 2^14) >> 15
                             // Negative candidate: c falls back through zero to the negative limit.
    static B_NEG: [[i32; 1]; 4] = [[100 << 12], [100 << 12], [-100 << 12], [100 << 12]];
    let layer = QLayer {
        b_x: &B_NEG,
        ..layer
    };
    for _ in 0..400 {
        layer.step::<Lstm>(QInput::Dense(&[0]), &mut h, Some(&mut c));
    }
    assert_eq!(c[0], -CELL_LIMIT);
    assert_eq!(h[0], -32766);
}

/// Extreme pre-activations (the largest weights, inputs and biases) saturate the gates, never
/// wrap.
#[test]
fn extreme_pre_activations_saturate() {
    static W: [[[u8; 4]; 1]; 3] = [[[255; 4]], [[1; 4]], [[255; 4]]]; // 127, -127, 127
    static W_HH: [[[u8; 1]; 1]; 3] = [[[255]]; 3];
    static M: [[u16; 1]; 3] = [[65535]; 3];
    static S: [[u8; 1]; 3] = [[1]; 3];
    static B: [[i32; 1]; 3] = [[PRE_LIMIT]; 3];
    static B_N: [[i32; 1]; 1] = [[PRE_LIMIT]]; // the GRU's n gate, kept apart
    let layer = QLayer {
        w_ih: &W,
        w_hh: &W_HH,
        m: &M,
        s: &S,
        b_x: &B,
        b_h: &B_N,
        x_shift: 3,
    };
    let mut h = [0i16; 1];
    for x in [i16::MAX, i16::MIN] {
        for _ in 0..3 {
            layer.step::<Gru>(QInput::Dense(&[x; 4]), &mut h, None);
            assert!(h[0] > i16::MIN, "h stays within tanh's range");
        }
    }
    assert_eq!(requantize(i32::MIN, 65535, 1), -PRE_LIMIT);
    assert_eq!(tanh_q12(3 * PRE_LIMIT), 32767);
}

#[test]
fn gru_unit_matches_its_equation() {
    // r = z = σ(0) = 1/2, n = tanh(1 + 0.5 · 2) = tanh(2), h' = (n + h) / 2.
    let (h, _) = <Gru as QCell<3>>::unit([0, 0, 4096], [0, 0, 8192], 16384, 0);
    let n = 2f64.tanh();
    assert!((h as f64 / 32768.0 - (n + 0.5) / 2.0).abs() < 1e-4, "{h}");
}

/// The requantisation (either kernel) and Q15 products equal their 64-bit definitions.
#[test]
fn thirty_two_bit_arithmetic_equals_the_definition() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let edges = [
        i32::MIN,
        i32::MIN + 1,
        -65536,
        -32769,
        -1,
        0,
        1,
        32767,
        65535,
        i32::MAX,
    ];
    for k in 0..400_000u32 {
        let r = next();
        let acc = if k % 10 == 0 {
            edges[(r % 10) as usize]
        } else {
            (r >> 16) as i32 >> (r % 24 + if k % 3 == 0 { 8 } else { 0 })
        };
        let m = if k % 7 == 0 {
            [0u16, 1, 32768, 65535][(r % 4) as usize]
        } else {
            (r >> 48) as u16
        };
        let s = if k % 13 == 0 {
            // The edges of requantize's paths among them.
            [0u8, 15, 16, 17, 32, 33, 48, 49, 62, 63, 255][(r % 11) as usize]
        } else {
            (1 + (r >> 8) % 62) as u8
        };
        let want = shift_round(acc as i64 * m as i64, s as u32)
            .clamp(-(PRE_LIMIT as i64), PRE_LIMIT as i64);
        assert_eq!(requantize(acc, m, s) as i64, want, "{acc} {m} {s}");
        // Both kernels, whichever the target uses.
        assert_eq!(
            requantize_by::<true>(acc, m, s) as i64,
            want,
            "{acc} {m} {s}"
        );
        assert_eq!(
            requantize_by::<false>(acc, m, s) as i64,
            want,
            "{acc} {m} {s}"
        );
        let a = ((r >> 40) % 32769) as i32;
        assert_eq!(
            mul_q15(a, acc) as i64,
            shift_round(a as i64 * acc as i64, 15),
            "{a} {acc}"
        );
    }
}

/// The two mat-vec kernels (row by row on ARMv6-M, column by column elsewhere) give the same
/// sums, which are the signed weights' sums plus 128 · Σ x; extreme values included.
#[test]
fn kernels_agree() {
    let mut seed = 1u32;
    let mut next = || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        seed >> 8
    };
    for round in 0..50 {
        let mut w = [[0u8; 37]; 4];
        let mut x = [0i16; 37];
        for row in w.iter_mut() {
            for v in row.iter_mut() {
                *v = match round {
                    0 => 255,
                    1 => 1,
                    _ => next() as u8,
                };
            }
        }
        for v in x.iter_mut() {
            *v = match round {
                0 => i16::MIN,
                1 => i16::MAX,
                _ => next() as u16 as i16,
            };
        }
        let mut wide = [0; 37];
        assert_eq!(widen(&x, &mut wide), offset_of(&x), "round {round}");
        let mut grouped = [0; 37];
        assert_eq!(
            widen_by::<true, 37>(&x, &mut grouped),
            offset_of(&x),
            "round {round}"
        );
        let mut single = [0; 37];
        assert_eq!(
            widen_by::<false, 37>(&x, &mut single),
            offset_of(&x),
            "round {round}"
        );
        assert!(wide == grouped && wide == single, "round {round}");
        let rows = sums_by::<true, 4, 37, _>(&w, &wide);
        assert_eq!(sums_by::<false, 4, 37, _>(&w, &wide), rows, "round {round}");
        assert_eq!(sums_by::<true, 4, 37, _>(&w, &x), rows, "round {round}");
        assert_eq!(sums_by::<false, 4, 37, _>(&w, &x), rows, "round {round}");
        for (sum, row) in rows.iter().zip(&w) {
            let signed: i64 = row
                .iter()
                .zip(&x)
                .map(|(&u, &v)| (u as i64 - 128) * v as i64)
                .sum();
            assert_eq!(
                sum.wrapping_sub(offset_of(&x)) as i64,
                signed,
                "round {round}"
            );
        }
    }
}

/// A convolution output saturates at 8.0 (32767 in Q12) above and is 0 below (the ReLU),
/// whatever the size of the sum; in between it is the requantised sum plus the bias.
#[test]
fn conv_outputs_saturate_at_eight() {
    use crate::conv::{ConvStage, Window};
    use crate::Padding;
    // Two channels over three inputs, one tap: y0 = x0 + x1 + x2 + 1, y1 = -(x0 + x1 + x2).
    // Weights 127 with a scale of 1/127 (multiplier 33026 / 2^22); bias 1.0 for channel 0.
    static W: [[[i8; 3]; 1]; 2] = [[[127; 3]], [[-127; 3]]];
    static M: [u16; 2] = [33026; 2];
    static S: [u8; 2] = [22; 2];
    static B: [i32; 2] = [4096, 0];
    let conv: QConv1d<3, 2, 1, 1, 1> = QConv1d {
        weight: &W,
        m: &M,
        s: &S,
        bias: &B,
        stride: 1,
        padding: Padding::Valid,
        pool: 1,
    };
    let mut window = Window::new();
    let mut push = |x: [i16; 3]| conv.push(&x, &mut window).unwrap().unwrap();
    // 1.0 + 1.0 + 1.5 + 1.0 = 4.5; the other channel −3.5 → 0.
    assert_eq!(push([4096, 4096, 6144]), [18432, 0]);
    // 7.0 + 1.0 = 8.0: the first value not representable, saturated.
    assert_eq!(push([4096 * 3, 4096 * 3, 4096]), [32767, 0]);
    // The largest sum, 3 · 8.0 (+ 1.0): still 32767; the smallest: 0 and 24.0 → 32767.
    assert_eq!(push([32767; 3]), [32767, 0]);
    assert_eq!(push([-32768; 3]), [0, 32767]);
    // Just below 8.0 passes through: 32767 is 8 − 2^-12, the largest value.
    assert_eq!(push([4096 * 3, 4096 * 3, 4095]), [32767, 0]);
    assert_eq!(push([4096 * 3, 4096 * 3, 4094]), [32766, 0]);
}
