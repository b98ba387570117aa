//! The smallest tinyrnn firmware, the one to copy: build.rs bakes the motion model, the program
//! includes it and streams IMU samples into it, printing the label as it goes. From firmware/:
//! `cargo run --release --target thumbv7em-none-eabihf --bin mcu_minimal`.
#![cfg_attr(target_os = "none", no_std, no_main)]

use tinyrnn::prelude::*;
use tinyrnn_firmware::imu::{Mpu6050, NoWait, Replay, ADDRESS};
use tinyrnn_firmware::{cases, finish, say};

// build.rs: `tinyrnn_build::bake("../models/motion.safetensors");`
tinyrnn::include_model!(motion);

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    // On a board: your HAL's I²C bus and delay. Under QEMU: a recorded walk, played back.
    let walk = cases::series("motion").find(|(label, _)| *label == "Walking");
    let walk = walk.map_or(&[][..], |(_, samples)| samples);
    let bus = Replay::new(walk, motion::INPUTS, 1); // 1 sample at rest, then the walk
    let Ok(mut imu) = Mpu6050::new(bus, ADDRESS, &mut NoWait) else {
        finish(false)
    };
    if imu.calibrate(1, &mut NoWait).is_err() {
        finish(false)
    }
    let mut state = motion::State::new(); // the recurrent state: on the stack, or a `static`
    for t in 1..=walk.len() / motion::INPUTS {
        let Ok(sample) = imu.read() else {
            finish(false)
        };
        if motion::MODEL.step(&sample, &mut state).is_err() {
            finish(false)
        }
        if t % 25 == 0 {
            let Ok(out) = motion::MODEL.output(&state) else {
                finish(false)
            };
            say!("after {} samples: {} ({})", t, out.label(), out.score());
        }
    }
    finish(true)
}
