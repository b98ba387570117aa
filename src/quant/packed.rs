//! Embedding rows in 4 bits: half the flash of [`QEmbedding`](super::QEmbedding)'s `i8` rows,
//! and 2 bits of scale a row instead of 16 (docs/quantization.md, "4-bit embedding rows").

use crate::error::Error;
use crate::frontend::{Frontend, TextFrontend};
use crate::vocab::Vocabulary;

use super::QInput;

/// Largest shift of a 4-bit weight: `7 << 15` and its negative stay far inside `i32`, and the
/// result is saturated to `i16` (the bake never goes beyond 12, where `|x| < 2^15`).
const MAX_SHIFT: u32 = 15;

/// Token ids through an embedding table of 4-bit weights with a power-of-two scale per row: the
/// input vector of token `t` is `x[j] = q[t][j] << (base + code[t])` in the model's embedding
/// input format, `q` in `-7..=7`, `code` in `0..=3`. No multiply: one shift per weight.
///
/// * `table[t]`: row `t`, two weights a byte, the even feature in the low nibble, each a 4-bit
///   two's complement (`0xF` is −1); `B = ⌈E / 2⌉`.
/// * `codes`: the 2-bit scale codes, four rows a byte, row `t`'s in bits `2·(t % 4)` and up of
///   byte `t / 4` (`⌈V / 4⌉` bytes).
/// * `base`: the shift of code 0.
///
/// A token past the tables is [`Error::TokenOutOfRange`], like [`QEmbedding`](super::QEmbedding).
///
/// ```
/// use tinyrnn::quant::{QEmbedding4, QInput};
/// use tinyrnn::{Frontend, Split, Tokenizer, Vocabulary};
/// // Row 0: 1, -1, 7; row 1: -7, 0, 3. Row 0 has code 0, row 1 code 2 (bits 2..4 of byte 0).
/// static TABLE: [[u8; 2]; 2] = [[0xF1, 0x07], [0x09, 0x03]];
/// static CODES: [u8; 1] = [0b10_00];
/// let vocab = Vocabulary { text: "<unk>hi", ends: &[5, 7], sorted: &[0, 1], unk: 0, pad: None,
///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false } };
/// let emb = QEmbedding4 { table: &TABLE, codes: &CODES, base: 4, vocab };
/// let mut buf = emb.scratch();
/// assert_eq!(emb.encode(0, &mut buf), Ok(QInput::Dense(&[16, -16, 112])));
/// assert_eq!(emb.encode(1, &mut buf), Ok(QInput::Dense(&[-448, 0, 192])));
/// assert!(emb.encode(2, &mut buf).is_err());
/// assert_eq!(emb.weight_bytes(), 4 + 1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct QEmbedding4<const V: usize, const E: usize, const B: usize> {
    /// `embedding.weight` in 4 bits, two weights a byte, a row of `B = ⌈E / 2⌉` bytes per token.
    pub table: &'static [[u8; B]; V],
    /// Per token, 2 bits: its row's shift above `base`, four tokens a byte.
    pub codes: &'static [u8],
    /// The shift of code 0: the smallest row scale is `2^base` units of the input format.
    pub base: u8,
    /// The vocabulary whose ids index `table`.
    pub vocab: Vocabulary,
}

/// The weights of one byte: the low nibble, then the high one, each sign-extended.
fn nibbles(byte: u8) -> [i32; 2] {
    // `as i8` reinterprets the bits; the arithmetic shift right sign-extends the nibble.
    [((byte << 4) as i8 >> 4).into(), (byte as i8 >> 4).into()]
}

impl<const V: usize, const E: usize, const B: usize> Frontend<E, i16> for QEmbedding4<V, E, B> {
    type Item<'a> = usize;

    fn encode<'a>(&'a self, id: usize, buf: &'a mut [i16; E]) -> Result<QInput<'a, E>, Error> {
        let (Some(row), Some(&codes)) = (self.table.get(id), self.codes.get(id / 4)) else {
            return Err(Error::TokenOutOfRange { id, vocab_size: V });
        };
        let code = (codes >> (2 * (id % 4))) & 3;
        let shift = (u32::from(self.base) + u32::from(code)).min(MAX_SHIFT);
        let weights = row.iter().flat_map(|&byte| nibbles(byte));
        for (x, q) in buf.iter_mut().zip(weights) {
            *x = (q << shift).clamp(-32768, 32767) as i16;
        }
        Ok(QInput::Dense(buf))
    }

    /// The rows and the codes.
    fn weight_bytes(&self) -> usize {
        V * B + self.codes.len()
    }

    type Scratch = [i16; E];

    fn scratch(&self) -> [i16; E] {
        [0; E]
    }
}

impl<const V: usize, const E: usize, const B: usize> TextFrontend for QEmbedding4<V, E, B> {
    fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }
}
