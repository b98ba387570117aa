//! A serial line classifier: reads text lines over a byte stream (embedded-io `Read`), keeps
//! each in a fixed `heapless` buffer, classifies it with every shipped text model and writes
//! `model<TAB>label<TAB>probability` lines back (embedded-io `Write`); the logic is in
//! `examples/mcu/lines.rs`.
//!
//! ```text
//! printf 'i am very happy\nthis is not good\n\x04' |
//!     STDIN=1 cargo run --release --target thumbv7m-none-eabi --example mcu_serial
//! printf 'i am very happy\nthis is not good\n' | cargo run --release --example mcu_serial
//! cargo test --example mcu_serial
//! ```
//! On the Cortex-M3 of QEMU's `lm3s6965evb` the stream is UART0, which QEMU connects to its
//! standard input and output (`STDIN=1` tells `tools/qemu-run.sh` to pass stdin on). A UART has
//! no end of file: the session ends at a Ctrl-D byte (EOT, 0x04; `printf '...\x04'` when piping),
//! and the firmware exits through semihosting. On the host the stream is stdin/stdout, and the
//! end of input also ends the session.
#![cfg_attr(target_os = "none", no_std, no_main)]

#[macro_use]
#[path = "mcu/mod.rs"]
mod mcu;
#[path = "mcu/lines.rs"]
mod lines;
#[cfg(target_os = "none")]
#[path = "mcu/uart.rs"]
mod uart;

use embedded_io::{ErrorKind, Read, Write};

/// Answers every line of `input` with every shipped text model; the number of lines answered.
fn run<R: Read, W: Write>(input: &mut R, out: &mut W) -> Result<usize, ErrorKind> {
    lines::serve(input, out, |text, out| {
        macro_rules! answer {
            ($m:ident) => {
                lines::answer(stringify!($m), &tinyrnn::models::$m::MODEL, text, out)?;
            };
        }
        tinyrnn::for_each_text_model!(answer);
        Ok(())
    })
}

#[cfg(target_os = "none")]
#[cortex_m_rt::entry]
fn main() -> ! {
    let Some(peripherals) = cortex_m::Peripherals::take() else {
        mcu::finish(false)
    };
    let Some(mut serial) = uart::Uart0::take(&peripherals.CPUID) else {
        say!("mcu_serial runs on QEMU's lm3s6965evb: --target thumbv7m-none-eabi");
        mcu::finish(false)
    };
    // Both directions are the same UART.
    let mut input = uart::Uart0::take(&peripherals.CPUID);
    let ok = match input.as_mut() {
        Some(input) => run(input, &mut serial).is_ok(),
        None => false,
    };
    mcu::finish(ok)
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
    mcu::finish(ok)
}

#[cfg(all(test, not(target_os = "none")))]
mod tests {
    use super::*;

    /// A byte stream that hands its input over in the given chunks (as a UART delivers what
    /// has arrived) and records what is written.
    struct MockSerial {
        chunks: Vec<Vec<u8>>,
        written: Vec<u8>,
        flushes: usize,
    }

    impl MockSerial {
        fn new(chunks: &[&[u8]]) -> Self {
            let mut chunks: Vec<Vec<u8>> = chunks.iter().map(|c| c.to_vec()).collect();
            chunks.reverse();
            MockSerial {
                chunks,
                written: Vec::new(),
                flushes: 0,
            }
        }

        fn output(&self) -> Vec<&str> {
            std::str::from_utf8(&self.written)
                .unwrap()
                .lines()
                .collect()
        }
    }

    impl embedded_io::ErrorType for MockSerial {
        type Error = ErrorKind;
    }

    impl Read for MockSerial {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
            let Some(mut chunk) = self.chunks.pop() else {
                return Ok(0);
            };
            let n = chunk.len().min(buf.len());
            buf[..n].copy_from_slice(&chunk[..n]);
            if n < chunk.len() {
                self.chunks.push(chunk.split_off(n));
            }
            Ok(n)
        }
    }

    impl Write for MockSerial {
        fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> Result<(), ErrorKind> {
            self.flushes += 1;
            Ok(())
        }
    }

    /// Runs the line classifier with the stream as both ends.
    fn serve(chunks: &[&[u8]]) -> (usize, MockSerial) {
        let mut input = MockSerial::new(chunks);
        let mut out = MockSerial::new(&[]);
        let n = run(&mut input, &mut out).unwrap();
        (n, out)
    }

    fn models() -> usize {
        let mut n = 0;
        macro_rules! count {
            ($m:ident) => {
                n += 1;
            };
        }
        tinyrnn::for_each_text_model!(count);
        n
    }

    #[test]
    fn lines_split_across_reads_get_one_answer_per_model_each() {
        let (n, out) = serve(&[
            b"i am ve",
            b"ry happy\r\nthis is not",
            b" good\n\n",
            b"last line",
        ]);
        assert_eq!(n, 3);
        assert_eq!(out.output().len(), 3 * models());
        assert!(out.flushes >= n, "every answer is flushed at once");
    }

    #[test]
    fn the_answers_are_the_models_labels() {
        let text = "i am very happy";
        let (_, out) = serve(&[text.as_bytes(), b"\n"]);
        let mut expected = Vec::new();
        macro_rules! label {
            ($m:ident) => {
                let mut state = tinyrnn::models::$m::State::new();
                let o = tinyrnn::models::$m::MODEL
                    .classify_text(text, &mut state)
                    .unwrap();
                expected.push(format!("{}\t{}\t{}", stringify!($m), o.label(), o.score()));
            };
        }
        tinyrnn::for_each_text_model!(label);
        assert_eq!(out.output(), expected);
    }

    #[test]
    fn eot_ends_the_session() {
        let (n, out) = serve(&[b"one line\n\x04", b"never read\n"]);
        assert_eq!(n, 1);
        assert_eq!(out.output().len(), models());
    }

    #[test]
    fn bad_lines_are_answered_not_fatal() {
        let long = vec![b'a'; lines::LINE + 1];
        let (n, out) = serve(&[&long, b"\n", b"\xff\xfe\n", b"!!!\n"]);
        assert_eq!(n, 3);
        let lines = out.output();
        assert_eq!(
            lines[0],
            format!("-\t-\tline longer than {} bytes", lines::LINE)
        );
        assert_eq!(lines[1], "-\t-\tnot UTF-8");
        assert!(
            lines[2..].iter().all(|l| l.ends_with("\t-\tno word")),
            "{lines:?}"
        );
    }
}
