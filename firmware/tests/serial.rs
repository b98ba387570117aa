//! The line classifier of `mcu_serial` (`src/lines.rs`) against a mock byte stream.

use embedded_io::{ErrorKind, Read, Write};
use tinyrnn::{Prediction, TextModel};
use tinyrnn_firmware::lines;

tinyrnn::include_model!(seed);
tinyrnn::include_model!(sentiment);

/// A byte stream that hands its input over in the given chunks (as a UART delivers what has
/// arrived) and records what is written.
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

/// The text models `mcu_serial` answers with.
const MODELS: usize = 2;

/// Runs the line classifier as `mcu_serial` does, with the stream as both ends.
fn serve(chunks: &[&[u8]]) -> (usize, MockSerial) {
    let mut input = MockSerial::new(chunks);
    let mut out = MockSerial::new(&[]);
    let n = lines::serve(&mut input, &mut out, |text, out| {
        lines::answer("seed", &seed::MODEL, text, out)?;
        lines::answer("sentiment", &sentiment::MODEL, text, out)
    })
    .unwrap();
    (n, out)
}

/// The line `lines::answer` writes for `text`.
fn expected<M: TextModel>(name: &str, model: &M, text: &str) -> String {
    let o = model.classify_text(text, &mut M::State::default()).unwrap();
    format!("{name}\t{}\t{}", o.label(), o.score())
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
    assert_eq!(out.output().len(), 3 * MODELS);
    assert!(out.flushes >= n, "every answer is flushed at once");
}

#[test]
fn the_answers_are_the_models_labels() {
    let text = "i am very happy";
    let (_, out) = serve(&[text.as_bytes(), b"\n"]);
    let want = [
        expected("seed", &seed::MODEL, text),
        expected("sentiment", &sentiment::MODEL, text),
    ];
    assert_eq!(out.output(), want);
}

#[test]
fn eot_ends_the_session() {
    let (n, out) = serve(&[b"one line\n\x04", b"never read\n"]);
    assert_eq!(n, 1);
    assert_eq!(out.output().len(), MODELS);
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
