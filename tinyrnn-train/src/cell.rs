//! One time step of each cell, written with candle tensor ops so that candle differentiates it.
//!
//! The equations and gate orders are PyTorch's (docs/model-format.md). Every function takes the
//! input projection `xp = W_ih x + b_ih` and the recurrent projection `hp = W_hh h + b_hh` of a
//! whole batch, shaped `[B, G*H]`, and returns the new state.

use candle_core::{Result, Tensor};
use candle_nn::ops::sigmoid;

/// The recurrent cell kind: the model file's `cell` field (rows of the gates in the order of
/// [`Cell::gates`]' documentation).
pub use tinyrnn_schema::CellKind as Cell;

/// tanh RNN: `h' = tanh(xp + hp)`.
pub fn rnn_step(xp: &Tensor, hp: &Tensor) -> Result<Tensor> {
    (xp + hp)?.tanh()
}

/// LSTM: `i, f, g, o` = row blocks of `xp + hp`;
/// `c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)`, `h' = σ(o) ⊙ tanh(c')`. Returns `(h', c')`.
pub fn lstm_step(xp: &Tensor, hp: &Tensor, c: &Tensor) -> Result<(Tensor, Tensor)> {
    let h = c.dim(1)?;
    let gates = (xp + hp)?; // [B, 4H]
    let sig = sigmoid(&gates)?; // the g block of this is unused
    let i = sig.narrow(1, 0, h)?;
    let f = sig.narrow(1, h, h)?;
    let g = gates.narrow(1, 2 * h, h)?.tanh()?;
    let o = sig.narrow(1, 3 * h, h)?;
    let c_next = ((f * c)? + (i * g)?)?;
    let h_next = (o * c_next.tanh()?)?;
    Ok((h_next, c_next))
}

/// GRU: `r = σ(xp_r + hp_r)`, `z = σ(xp_z + hp_z)`, `n = tanh(xp_n + r ⊙ hp_n)`,
/// `h' = (1 − z) ⊙ n + z ⊙ h`.
pub fn gru_step(xp: &Tensor, hp: &Tensor, h: &Tensor) -> Result<Tensor> {
    let hs = h.dim(1)?;
    let rz = sigmoid(&(xp.narrow(1, 0, 2 * hs)? + hp.narrow(1, 0, 2 * hs)?)?)?;
    let r = rz.narrow(1, 0, hs)?;
    let z = rz.narrow(1, hs, hs)?;
    let n = (xp.narrow(1, 2 * hs, hs)? + (r * hp.narrow(1, 2 * hs, hs)?)?)?.tanh()?;
    let one_minus_z = z.affine(-1.0, 1.0)?;
    (one_minus_z * n)? + (z * h)?
}

/// Runs one layer of `cell` over the input projections `xp` (`[T, B, G*H]`) from the state
/// `(h, c)` (`c` only for the LSTM, zero when `None`): returns the hidden state after each step
/// and the final `(h, c)`.
pub fn unroll(
    cell: Cell,
    xp: &Tensor,
    w_hh_t: &Tensor,
    b_hh: &Tensor,
    mut h: Tensor,
    c: Option<Tensor>,
) -> Result<(Vec<Tensor>, Tensor, Option<Tensor>)> {
    let mut c = match (cell, c) {
        (Cell::Lstm, None) => Some(h.zeros_like()?),
        (_, c) => c,
    };
    let steps = xp.dim(0)?;
    let mut outputs = Vec::with_capacity(steps);
    for t in 0..steps {
        let xp_t = xp.get(t)?;
        let hp = h.matmul(w_hh_t)?.broadcast_add(b_hh)?;
        h = match (cell, c.take()) {
            (Cell::Lstm, Some(cs)) => {
                let (hn, cn) = lstm_step(&xp_t, &hp, &cs)?;
                c = Some(cn);
                hn
            }
            (Cell::Gru, _) => gru_step(&xp_t, &hp, &h)?,
            _ => rnn_step(&xp_t, &hp)?,
        };
        outputs.push(h.clone());
    }
    Ok((outputs, h, c))
}
