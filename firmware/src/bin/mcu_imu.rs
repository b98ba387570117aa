//! Classifies motion as it streams from an MPU-6050 accelerometer + gyroscope: the driver and
//! the streaming loop (`src/imu.rs`) are generic over embedded-hal 1.0's `I2c` and `DelayNs`,
//! so on a board they take the HAL's I²C peripheral and timer.
//!
//! ```text
//! cargo run --release --target thumbv7em-none-eabihf --bin mcu_imu   # under QEMU
//! cargo run --release --bin mcu_imu                                  # on the host
//! cargo test --test imu                                              # embedded-hal-mock tests
//! ```
//! QEMU has no MPU-6050, so here the bus is `Replay`, an `I2c` device that answers like one,
//! playing back the recorded `motion` series of `cases/series.rs` (as 16-bit counts, with
//! gravity on z). For each series it calibrates at rest, streams the series sample by sample
//! through `step` and prints `model<TAB>label<TAB>probability<TAB>series`; it fails only if a
//! series cannot be read or streamed (the labels are checked by `tests/imu.rs` on the host and
//! by `tools/compare-host-qemu.sh` under QEMU).
#![cfg_attr(target_os = "none", no_std, no_main)]

use tinyrnn_firmware::{cases, finish, imu, say};

// Baked by build.rs: `tinyrnn_build::bake("../models/motion.safetensors")`.
tinyrnn::include_model!(motion);

/// Samples read at rest before streaming, to measure gravity.
const REST: u16 = 8;

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    let mut ok = true;
    for (index, (_, samples)) in cases::series("motion").enumerate() {
        match imu::classify_replay(&motion::MODEL, samples, REST) {
            Ok(out) => say!(
                "motion\t{}\t{}\tseries {} via MPU-6050",
                out.label(),
                out.score(),
                index
            ),
            Err(_) => {
                say!("motion\t(error)\t-\tseries {} via MPU-6050", index);
                ok = false;
            }
        }
    }
    finish(ok)
}
