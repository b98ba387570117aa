//! A line classifier over embedded-io: reads text from any `Read` (a UART, a USB CDC port, a
//! socket), collects each line in a fixed-size `heapless` buffer, classifies it with a text
//! model and writes the answer to any `Write`. `no_std`, no heap.

use embedded_io::{Error as _, ErrorKind, Read, Write};
use tinyrnn::{Prediction, TextModel};

/// Longest line kept, in bytes; a longer one is answered with an error and skipped.
pub const LINE: usize = 256;

/// Ends the session when it arrives alone on a line (Ctrl-D, ASCII EOT): a UART has no end of file.
pub const EOT: u8 = 0x04;

/// Classifies `text` with `model` and writes `name<TAB>label<TAB>probability`, or
/// `name<TAB>-<TAB>no word` for a line without a word, and a newline.
pub fn answer<M: TextModel, W: Write>(
    name: &str,
    model: &M,
    text: &str,
    out: &mut W,
) -> Result<(), ErrorKind> {
    let mut state = M::State::default();
    let written = match model.classify_text(text, &mut state) {
        Ok(o) => writeln!(out, "{name}\t{}\t{}", o.label(), o.score()),
        Err(tinyrnn::Error::EmptyInput) => writeln!(out, "{name}\t-\tno word"),
        Err(_) => writeln!(out, "{name}\t-\terror"),
    };
    written.map_err(|_| ErrorKind::Other)
}

/// Reads lines from `input` until the end of input (a read of 0 bytes) or an [`EOT`] byte, and
/// calls `each` with every non-empty line and `out` (a line that is too long or not UTF-8 is
/// answered here). `\n`, `\r\n` and `\r` all end a line. Returns the number of lines answered.
pub fn serve<R: Read, W: Write>(
    input: &mut R,
    out: &mut W,
    mut each: impl FnMut(&str, &mut W) -> Result<(), ErrorKind>,
) -> Result<usize, ErrorKind> {
    let mut line: heapless::Vec<u8, LINE> = heapless::Vec::new();
    let mut too_long = false;
    let mut answered = 0;
    let mut chunk = [0u8; 32];
    loop {
        let n = input.read(&mut chunk).map_err(|e| e.kind())?;
        let bytes = chunk.get(..n).unwrap_or_default();
        // The end of the input ends the last line too.
        let mut ended = n == 0;
        for &b in bytes.iter().chain(ended.then_some(&b'\n')) {
            ended |= b == EOT;
            if b != b'\n' && b != b'\r' && b != EOT {
                too_long |= line.push(b).is_err();
                continue;
            }
            if too_long {
                writeln!(out, "-\t-\tline longer than {LINE} bytes")
                    .map_err(|_| ErrorKind::Other)?;
                answered += 1;
            } else if !line.is_empty() {
                match core::str::from_utf8(&line) {
                    Ok(text) => each(text, out)?,
                    Err(_) => out.write_all(b"-\t-\tnot UTF-8\n").map_err(|e| e.kind())?,
                }
                answered += 1;
            }
            out.flush().map_err(|e| e.kind())?;
            line.clear();
            too_long = false;
            if ended {
                return Ok(answered);
            }
        }
        if ended {
            return Ok(answered);
        }
    }
}
