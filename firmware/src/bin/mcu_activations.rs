//! The firmware that `tools/activation-cost.sh` measures: instructions per call of tinyrnn's
//! activations and of libm's, in a loop over 64 inputs spread over [-12, 12] (so constants are
//! loaded once, as in a layer's loop over its units), each loop between the markers
//! `insn_region_start` and `insn_region_end`:
//!
//! ```text
//! region 0: copy loop (the loop's own cost)   region 1: tinyrnn::math::tanh
//! region 2: tinyrnn::math::sigmoid            region 3: libm::tanhf
//! region 4: 1 / (1 + libm::expf(-x))
//! ```
//! Per call: (region k − region 0) / 64. Nothing is printed: the counts come from
//! `COUNT=1 ./qemu-run.sh`.
#![cfg_attr(target_os = "none", no_std, no_main)]

use core::hint::black_box;

#[path = "../exit.rs"]
mod exit;
#[path = "../regions.rs"]
mod regions;
use exit::finish;
use regions::{insn_region_end, insn_region_start};

/// Inputs per measured loop.
const CALLS: usize = 64;

/// Applies `f` to every input between the markers.
#[inline(always)]
fn measure(inputs: &[f32; CALLS], f: impl Fn(f32) -> f32) -> f32 {
    let inputs = black_box(inputs);
    let mut out = [0.0f32; CALLS];
    insn_region_start();
    for (o, &x) in out.iter_mut().zip(inputs) {
        *o = f(x);
    }
    insn_region_end();
    black_box(&out).iter().sum()
}

fn run() -> bool {
    let mut inputs = [0.0f32; CALLS];
    for (i, x) in inputs.iter_mut().enumerate() {
        *x = (i as f32 - 31.5) * (12.0 / 31.5);
    }
    let copy = measure(&inputs, |x| x);
    let t = measure(&inputs, tinyrnn::math::tanh);
    let s = measure(&inputs, tinyrnn::math::sigmoid);
    let lt = measure(&inputs, libm::tanhf);
    let ls = measure(&inputs, |x| 1.0 / (1.0 + libm::expf(-x)));
    // tanh is odd over symmetric inputs; sigmoid sums to CALLS / 2.
    let close = |a: f32, b: f32| (a - b).abs() < 1e-3;
    close(copy, 0.0) && close(t, 0.0) && close(lt, 0.0) && close(s, 32.0) && close(ls, 32.0)
}

#[cfg(target_os = "none")]
use cortex_m as _; // critical-section implementation

/// Fails the run without `core::fmt`.
#[cfg(target_os = "none")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    finish(false)
}

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    finish(run())
}
