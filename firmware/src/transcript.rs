//! The printed lines of a program that generates token sequences (`mcu_generate`,
//! `mcu_seq2seq`), checked against the host's recorded lines.

use core::fmt::Write as _;
use core::str::Lines;

use crate::{finish, recording, say};

/// Prints lines of tokens and compares each with the next line the host recorded (or, when
/// [`recording`], only prints them).
///
/// ```
/// use tinyrnn_firmware::transcript::Transcript;
/// let mut t = Transcript::new("g2p\tcat\tK AE1 T\n");
/// t.tokens::<64>("g2p", "cat", &[0, 1, 2], |id| ["K", "AE1", "T"].get(id).copied());
/// assert!(t.matched());
/// ```
pub struct Transcript {
    expected: Lines<'static>,
    record: bool,
    ok: bool,
}

impl Transcript {
    /// A transcript checked against `expected`, one line per sequence.
    pub fn new(expected: &'static str) -> Self {
        Transcript {
            expected: expected.lines(),
            record: recording(),
            ok: true,
        }
    }

    /// Prints `model<TAB>name<TAB>w w …` (the word of each id, `?` for an id without one, cut
    /// at `N` bytes) and checks it against the next expected line.
    pub fn tokens<const N: usize>(
        &mut self,
        model: &str,
        name: &str,
        ids: &[usize],
        word: impl Fn(usize) -> Option<&'static str>,
    ) {
        let mut line: heapless::String<N> = heapless::String::new();
        let _ = write!(line, "{model}\t{name}\t");
        for (i, &id) in ids.iter().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            let _ = write!(line, "{sep}{}", word(id).unwrap_or("?"));
        }
        say!("{}", line.as_str());
        self.ok &= self.record || self.expected.next() == Some(line.as_str());
    }

    /// Whether every line so far was the expected one (always, when recording).
    pub fn matched(&self) -> bool {
        self.ok
    }

    /// Ends the program: success if every line matched and none is missing.
    pub fn finish(mut self) -> ! {
        let complete = self.record || self.expected.next().is_none();
        finish(self.ok && complete)
    }
}
