//! What the Cortex-M examples (`mcu_*.rs`) share: printing a line and ending the program, the
//! same source on the host and on the target.
//!
//! | build | `say!` prints through | `finish` ends with |
//! |---|---|---|
//! | host | `println!` | the process exit code |
//! | `--target thumb…` | semihosting (`hprintln!`) | a semihosting exit: QEMU's status |
//! | `--target thumb… --features defmt` | defmt over semihosting (decoded by `defmt-print`) | the same |
//!
//! Format strings use plain `{}` only, which all three understand, so that the lines printed
//! on the host and under QEMU can be compared as text.
#![allow(dead_code)] // each example uses part of it

#[cfg(target_os = "none")]
use cortex_m as _; // links cortex-m's critical-section implementation
#[cfg(all(target_os = "none", feature = "defmt"))]
use defmt_semihosting as _; // the defmt global logger

/// Prints one line (see the module documentation for where it goes).
#[cfg(not(target_os = "none"))]
macro_rules! say {
    ($($arg:tt)*) => { println!($($arg)*) };
}

/// Prints one line (see the module documentation for where it goes).
#[cfg(all(target_os = "none", not(feature = "defmt")))]
macro_rules! say {
    ($($arg:tt)*) => { cortex_m_semihosting::hprintln!($($arg)*) };
}

/// Prints one line (see the module documentation for where it goes).
#[cfg(all(target_os = "none", feature = "defmt"))]
macro_rules! say {
    ($($arg:tt)*) => { defmt::println!($($arg)*) };
}

/// Counts the results that matched their expectation.
#[derive(Default)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
}

impl Tally {
    pub fn check(&mut self, ok: bool) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
    }

    /// Prints the summary line; true if something ran and everything matched.
    pub fn report(&self) -> bool {
        let total = self.passed + self.failed;
        say!("{} of {} labels as expected", self.passed, total);
        total > 0 && self.failed == 0
    }
}

/// Ends the program: success only if `ok`.
#[cfg(target_os = "none")]
pub fn finish(ok: bool) -> ! {
    use cortex_m_semihosting::debug;
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Only reached without a debugger/QEMU to honour the exit request.
    loop {
        cortex_m::asm::wfi();
    }
}

/// Ends the program: success only if `ok`.
#[cfg(not(target_os = "none"))]
pub fn finish(ok: bool) -> ! {
    std::process::exit(if ok { 0 } else { 1 })
}

/// A panic cannot happen on the inference path (see `mcu_no_panic.rs`); should one happen
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
