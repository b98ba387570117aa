//! What the Cortex-M programs (`src/bin/mcu_*.rs`) share: printing a line, ending the program,
//! the panic handler, an MPU-6050 driver ([`imu`]), a line classifier over a byte stream
//! ([`lines`]), a melody player for a PWM buzzer ([`buzzer`]), the UART of QEMU's lm3s6965evb
//! (`uart`, on the target only) and the recorded inputs the demos classify ([`cases`]). The same
//! source builds for the host and the target:
//!
//! | build | [`say!`] prints through | [`finish`] ends with |
//! |---|---|---|
//! | host | `println!` | the process exit code |
//! | `--target thumb…` | semihosting (`hprintln!`) | a semihosting exit: QEMU's status |
//! | `--target thumb… --features defmt` | defmt over semihosting (decoded by `defmt-print`) | the same |
//!
//! Format strings use plain `{}` only, which all three understand, so that the lines printed
//! on the host and under QEMU can be compared as text.
//!
//! On the target this library brings the panic handler: `mcu_cost` and `mcu_no_panic`, which
//! bring their own, do not link it.
#![cfg_attr(target_os = "none", no_std)]
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod buzzer;
pub mod cases;
mod exit;
pub mod imu;
pub mod lines;
pub mod transcript;
#[cfg(target_os = "none")]
pub mod uart;

#[cfg(target_os = "none")]
use cortex_m as _; // links cortex-m's critical-section implementation
#[cfg(all(target_os = "none", feature = "defmt"))]
use defmt_semihosting as _; // the defmt global logger

pub use exit::finish;

/// Prints one line: `println!` on the host, semihosting on the target, defmt with the `defmt`
/// feature (see the crate documentation).
#[cfg(not(target_os = "none"))]
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => { ::std::println!($($arg)*) };
}

/// Prints one line: `println!` on the host, semihosting on the target, defmt with the `defmt`
/// feature (see the crate documentation).
#[cfg(all(target_os = "none", not(feature = "defmt")))]
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => { ::cortex_m_semihosting::hprintln!($($arg)*) };
}

/// Prints one line: `println!` on the host, semihosting on the target, defmt with the `defmt`
/// feature (see the crate documentation).
#[cfg(all(target_os = "none", feature = "defmt"))]
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => { ::defmt::println!($($arg)*) };
}

/// A panic cannot happen on the inference path (see `mcu_no_panic`); should one happen
/// elsewhere, say so and fail.
#[cfg(target_os = "none")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    #[cfg(not(feature = "defmt"))]
    say!("panic: {}", info);
    #[cfg(feature = "defmt")]
    say!("panic: {}", defmt::Display2Format(info));
    finish(false)
}

/// Whether a program that checks its lines against the host's recorded ones should record them
/// instead: on the host with `TINYRNN_RECORD` set (`mcu_generate`, `mcu_seq2seq`), never on a
/// device.
pub fn recording() -> bool {
    #[cfg(not(target_os = "none"))]
    return std::env::var_os("TINYRNN_RECORD").is_some();
    #[cfg(target_os = "none")]
    return false;
}
