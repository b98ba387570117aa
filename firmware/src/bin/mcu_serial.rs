//! A serial line classifier: reads text lines over a byte stream (embedded-io `Read`), keeps
//! each in a fixed `heapless` buffer, classifies it with the `seed` and `sentiment` models and
//! writes `model<TAB>label<TAB>probability` lines back (embedded-io `Write`); the logic is in
//! `src/lines.rs`.
//!
//! ```text
//! printf 'i am very happy\nthis is not good\n\x04' |
//!     STDIN=1 cargo run --release --target thumbv7m-none-eabi --bin mcu_serial
//! printf 'i am very happy\nthis is not good\n' | cargo run --release --bin mcu_serial
//! cargo test --test serial                       # against a mock stream
//! ```
//! On the Cortex-M3 of QEMU's `lm3s6965evb` the stream is UART0, which QEMU connects to its
//! standard input and output (`STDIN=1` tells `qemu-run.sh` to pass stdin on). A UART has
//! no end of file: the session ends at a Ctrl-D byte (EOT, 0x04; `printf '...\x04'` when piping),
//! and the firmware exits through semihosting. On the host the stream is stdin/stdout, and the
//! end of input also ends the session.
#![cfg_attr(target_os = "none", no_std, no_main)]

use embedded_io::{ErrorKind, Read, Write};
use tinyrnn_firmware::{finish, lines};
#[cfg(target_os = "none")]
use tinyrnn_firmware::{say, uart::Uart0};

// Baked by build.rs: `tinyrnn_build::bake("../models/<name>.safetensors")`.
tinyrnn::include_model!(seed);
tinyrnn::include_model!(sentiment);

/// Answers every line of `input` with both text models; the number of lines answered.
fn run<R: Read, W: Write>(input: &mut R, out: &mut W) -> Result<usize, ErrorKind> {
    lines::serve(input, out, |text, out| {
        lines::answer("seed", &seed::MODEL, text, out)?;
        lines::answer("sentiment", &sentiment::MODEL, text, out)
    })
}

#[cfg(target_os = "none")]
#[cortex_m_rt::entry]
fn main() -> ! {
    let Some(peripherals) = cortex_m::Peripherals::take() else {
        finish(false)
    };
    let Some(mut serial) = Uart0::take(&peripherals.CPUID) else {
        say!("mcu_serial runs on QEMU's lm3s6965evb: --target thumbv7m-none-eabi");
        finish(false)
    };
    // Both directions are the same UART.
    let mut input = Uart0::take(&peripherals.CPUID);
    let ok = match input.as_mut() {
        Some(input) => run(input, &mut serial).is_ok(),
        None => false,
    };
    finish(ok)
}

/// stdin and stdout as embedded-io streams.
#[cfg(not(target_os = "none"))]
struct Std<T>(T);

#[cfg(not(target_os = "none"))]
impl<T> embedded_io::ErrorType for Std<T> {
    type Error = ErrorKind;
}

#[cfg(not(target_os = "none"))]
impl<T: std::io::Read> Read for Std<T> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        self.0.read(buf).map_err(|_| ErrorKind::Other)
    }
}

#[cfg(not(target_os = "none"))]
impl<T: std::io::Write> Write for Std<T> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        self.0.write(buf).map_err(|_| ErrorKind::Other)
    }

    fn flush(&mut self) -> Result<(), ErrorKind> {
        self.0.flush().map_err(|_| ErrorKind::Other)
    }
}

#[cfg(not(target_os = "none"))]
fn main() {
    let ok = run(
        &mut Std(std::io::stdin().lock()),
        &mut Std(std::io::stdout().lock()),
    )
    .is_ok();
    finish(ok)
}
