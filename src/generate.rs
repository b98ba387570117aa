//! One-to-many generation: a language model over its vocabulary, started from the initial state
//! of a condition (a class), emits tokens one at a time, each drawn from the head's distribution
//! and fed back as the next input, until the end token or a length limit.
//!
//! | item | what |
//! |---|---|
//! | [`GenerativeModel`] | the trait: conditions, start and end tokens, [`generator`](GenerativeModel::generator) and [`generate`](GenerativeModel::generate) |
//! | [`Generative`] | the struct behind a baked generative `MODEL`: a [`Network`](crate::Network) plus one initial state per condition |
//! | [`Sampling`] | greedy, temperature, or top-k with a temperature |
//! | [`Rng`] | the seeded pseudo-random generator the sampling draws from |
//! | [`Generator`] | the iterator of generated tokens |
//!
//! **The condition** enters as PyTorch users commonly build it: an `nn.Embedding` of the classes
//! whose row is the recurrent network's initial hidden state `h0` (`condition.weight`, shape
//! `[K, L·H]`: row `k` holds `h0` of layers `0..L` one after the other; an LSTM's `c0` is zero).
//! It costs nothing per step: choosing a condition is copying one row into the state.
//!
//! **Reproducible bit for bit.** A seed gives the same tokens on the host and on every Cortex-M
//! core: the network's arithmetic is IEEE `f32` in a fixed order (no fused multiply-add), the
//! generator is an integer one ([`Rng`], SplitMix64), and the draw itself is integer: each kept
//! token's weight `exp((z_i − z_max) / T)` (in `[0, 1]`, computed in `f32` with the crate's
//! `exp`) is turned into an integer number of units of `2⁻²⁴`, and one 64-bit draw modulo their
//! sum picks the token whose running sum passes it. Nothing on the way depends on a platform's
//! float formatting, library or rounding mode.
//!
//! ```
//! use tinyrnn::models::melody;
//! use tinyrnn::{GenerativeModel, Rng, Sampling, TextModel};
//!
//! let jig = melody::CONDITIONS.iter().position(|&c| c == "jig").unwrap();
//! let mut state = melody::State::new();
//! let mut tokens = [0usize; 64];
//! let sampling = Sampling::TopK { k: 5, temperature: 1.0 };
//! let n = melody::MODEL.generate(jig, sampling, &mut Rng::new(2026), &mut state, &mut tokens)?;
//! for &id in &tokens[..n] {
//!     print!("{} ", melody::MODEL.vocabulary().word(id).unwrap_or("?")); // p7_d2: fifth, eighth
//! }
//! assert!(n > 0);
//! # Ok::<(), tinyrnn::Error>(())
//! ```

use crate::driver::Recurrent;
use crate::error::Error;
use crate::frontend::TextFrontend;
use crate::head::argmax;
use crate::math::exp;
use crate::model::{Prediction, StreamingModel, Task, TextModel};
use crate::network::State;

/// A small seeded pseudo-random generator, SplitMix64 (Steele, Lea and Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014): a 64-bit counter advanced by a fixed odd
/// constant and mixed by two multiply–xorshift rounds. Integer arithmetic only, so the same seed
/// gives the same numbers on every core; every seed (0 included) is a good one.
///
/// ```
/// use tinyrnn::Rng;
/// let mut a = Rng::new(42);
/// let mut b = Rng::new(42);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
/// // The first output for seed 0, as published with the algorithm.
/// assert_eq!(Rng::new(0).next_u64(), 0xe220_a839_7b1d_cdaf);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// The generator for `seed`; a `const fn`, so it can sit in a `static`.
    pub const fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        // The golden-ratio increment, then the mixing function (the "Mix13" variant).
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0), by one [`next_u64`](Self::next_u64) modulo `n`:
    /// biased by at most `n / 2⁶⁴`, far below anything a sampled sequence can show.
    ///
    /// ```
    /// let mut rng = tinyrnn::Rng::new(3);
    /// assert!((0..1000).all(|_| rng.below(10) < 10));
    /// assert_eq!(rng.below(0), 0);
    /// ```
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64().checked_rem(n).unwrap_or(0)
    }
}

/// How the next token is chosen from the head's scores (logits) `z`.
///
/// ```
/// use tinyrnn::{Rng, Sampling};
/// let logits = [1.0f32, 3.0, 2.0, -1.0];
/// let mut rng = Rng::new(1);
/// assert_eq!(Sampling::Greedy.pick(&logits, &mut rng), 1);
/// // Top-2: only tokens 1 and 2 can come out.
/// let top2 = Sampling::TopK { k: 2, temperature: 1.0 };
/// assert!((0..100).all(|_| matches!(top2.pick(&logits, &mut rng), 1 | 2)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Sampling {
    /// The most likely token (the first one on ties). Draws nothing from the [`Rng`].
    Greedy,
    /// A token drawn with probability `softmax(z / temperature)`: below 1 sharper than the
    /// model's distribution, above 1 flatter. A temperature that is not positive (0, negative,
    /// NaN) is [`Greedy`](Sampling::Greedy), the limit as it goes to 0.
    Temperature(f32),
    /// Like [`Temperature`](Sampling::Temperature), among the `k` most likely tokens only (ties
    /// broken towards the lower id; `k` is taken as at least 1 and at most the vocabulary).
    TopK {
        /// How many of the most likely tokens can be drawn.
        k: usize,
        /// The temperature, as in [`Sampling::Temperature`].
        temperature: f32,
    },
}

/// One unit of a token's integer weight is `2⁻²⁴` of the most likely token's: a weight is an
/// exact `f32` product and fits a `u32`, and a vocabulary of up to 2⁴⁰ tokens sums in a `u64`.
const WEIGHT_ONE: f32 = 16_777_216.0;

impl Sampling {
    /// Picks a token id (an index of `logits`) and advances `rng` by one draw, or none for
    /// [`Greedy`](Sampling::Greedy). An empty slice gives 0. Only finite logits are meaningful;
    /// a NaN one is never drawn.
    ///
    /// The draw is integer arithmetic (see the [module](crate::generate) documentation), so the
    /// same logits and the same generator state give the same token on every core.
    pub fn pick(&self, logits: &[f32], rng: &mut Rng) -> usize {
        let (k, temperature) = match *self {
            Sampling::Greedy => return argmax(logits).unwrap_or(0),
            Sampling::Temperature(t) => (logits.len(), t),
            Sampling::TopK { k, temperature } => (k, temperature),
        };
        if temperature.is_nan() || temperature <= 0.0 {
            return argmax(logits).unwrap_or(0);
        }
        let Some(top) = argmax(logits) else {
            return 0;
        };
        let max = logits.get(top).copied().unwrap_or(0.0);
        // Keeping every token needs no cut (and no pass per token).
        let cut = if k >= logits.len() {
            None
        } else {
            kth_largest(logits, k.max(1))
        };
        let weight = |i: usize, z: f32| -> u64 {
            if !kept(z, i, cut) {
                return 0;
            }
            // In [0, 1] for finite logits: 1 for the most likely token, so the sum is positive.
            let w = exp((z - max) / temperature) * WEIGHT_ONE;
            // `as` saturates (NaN becomes 0): no overflow, no panic.
            u64::from(w as u32)
        };
        let total = logits
            .iter()
            .enumerate()
            .fold(0u64, |sum, (i, &z)| sum.saturating_add(weight(i, z)));
        let mut r = rng.below(total);
        for (i, &z) in logits.iter().enumerate() {
            let w = weight(i, z);
            if r < w {
                return i;
            }
            r -= w;
        }
        top // not reached: r < total
    }
}

/// Whether `(z, i)` is at or before `cut` in the order "larger value first, then lower index".
fn kept(z: f32, i: usize, cut: Option<(f32, usize)>) -> bool {
    match cut {
        None => true,
        Some((v, j)) => z > v || (z == v && i <= j),
    }
}

/// The `k`-th entry of `values` in the order "larger value first, then lower index" (NaNs
/// never counted), as `(value, index)`; `None` when `k` reaches past the last one (keep all).
/// `k` passes over the values, without a buffer.
fn kth_largest(values: &[f32], k: usize) -> Option<(f32, usize)> {
    let mut cut: Option<(f32, usize)> = None;
    for _ in 0..k {
        // The first entry after `cut` in the order.
        let mut next: Option<(f32, usize)> = None;
        for (i, &z) in values.iter().enumerate() {
            if z.is_nan() || kept(z, i, cut) && cut.is_some() {
                continue;
            }
            if next.is_none_or(|(v, j)| z > v || (z == v && i < j)) {
                next = Some((z, i));
            }
        }
        cut = Some(next?);
    }
    cut
}

/// A model whose head can be read before its activation: the scores (logits) that
/// [`Sampling::pick`] draws from.
pub trait Logits: StreamingModel {
    /// The head's output for the current state without the activation;
    /// [`Error::Overflow`] if a value is not finite.
    fn logits(&self, state: &Self::State) -> Result<Self::Output, Error>;
}

/// A 1→N model: from a condition's initial state, it emits tokens one at a time, each fed back
/// as the next input (a language model over its vocabulary; [`Model::labels`](crate::Model::labels) is the
/// vocabulary).
///
/// Every baked model whose file says `"task": "generate"` implements it. Generic code needs no
/// size parameter:
///
/// ```
/// use tinyrnn::{GenerativeModel, Rng, Sampling};
///
/// /// Generates one sequence per condition and counts its tokens.
/// fn lengths<M: GenerativeModel>(model: &M, seed: u64) -> Result<Vec<usize>, tinyrnn::Error> {
///     let mut state = M::State::default();
///     let mut rng = Rng::new(seed);
///     let mut lengths = Vec::new();
///     for class in 0..model.conditions().len() {
///         let sampling = Sampling::Temperature(1.0);
///         lengths.push(model.generator(class, sampling, &mut rng, &mut state)?.take(50).count());
///     }
///     Ok(lengths)
/// }
///
/// let lengths = lengths(&tinyrnn::models::melody::MODEL, 1)?;
/// assert_eq!(lengths.len(), 4); // hornpipe, jig, reel, slip jig
/// # Ok::<(), tinyrnn::Error>(())
/// ```
pub trait GenerativeModel: Logits + TextModel {
    /// The condition (class) names: a generation starts from condition `0..conditions().len()`.
    fn conditions(&self) -> &'static [&'static str];

    /// The token fed at the first step.
    fn start_id(&self) -> usize;

    /// The token that ends a sequence: drawing it stops a generation, and it is not emitted.
    fn end_id(&self) -> usize;

    /// Sets `state` to the initial state of condition `class`, or
    /// [`Error::ClassOutOfRange`] (and `state` unchanged).
    fn condition(&self, class: usize, state: &mut Self::State) -> Result<(), Error>;

    /// An iterator of generated token ids for condition `class`, drawn with `sampling` from
    /// `rng` and run on `state` (set to the condition's initial state first). It yields
    /// `Ok(id)` per token and ends after the end token (not yielded) or after an error; bound
    /// its length with [`Iterator::take`]. [`Generator::prompt`] feeds tokens of your own first.
    fn generator<'a>(
        &'a self,
        class: usize,
        sampling: Sampling,
        rng: &'a mut Rng,
        state: &'a mut Self::State,
    ) -> Result<Generator<'a, Self>, Error>
    where
        Self: Sized,
    {
        self.condition(class, state)?;
        Ok(Generator {
            model: self,
            state,
            rng,
            sampling,
            next: Some(self.start_id()),
        })
    }

    /// Generates into `out` until the end token or until `out` is full, and returns how many
    /// tokens were written (the end token is not). Allocation-free: the caller owns `out`,
    /// `state` and `rng` (which has advanced by one draw per sampled token afterwards).
    fn generate(
        &self,
        class: usize,
        sampling: Sampling,
        rng: &mut Rng,
        state: &mut Self::State,
        out: &mut [usize],
    ) -> Result<usize, Error>
    where
        Self: Sized,
    {
        let limit = out.len();
        let mut n = 0;
        for (slot, token) in out
            .iter_mut()
            .zip(self.generator(class, sampling, rng, state)?.take(limit))
        {
            *slot = token?;
            n += 1;
        }
        Ok(n)
    }
}

/// The tokens of one generation, one step of the model each: see
/// [`GenerativeModel::generator`].
#[derive(Debug)]
pub struct Generator<'a, M: GenerativeModel> {
    model: &'a M,
    state: &'a mut M::State,
    rng: &'a mut Rng,
    sampling: Sampling,
    /// The token to feed at the next step; `None` once the sequence has ended.
    next: Option<usize>,
}

impl<M: GenerativeModel> Generator<'_, M> {
    /// Continues from `tokens` (a prompt: the start of a melody, say) as if they had been
    /// generated: feeds the pending token and every token of `tokens` but the last, which the
    /// next step will feed. Returns the first error (a token id out of range), after which the
    /// generation is over.
    pub fn prompt(&mut self, tokens: &[usize]) -> Result<(), Error> {
        for &token in tokens {
            let Some(pending) = self.next.take() else {
                return Ok(());
            };
            self.model.step(pending, self.state)?;
            self.next = Some(token);
        }
        Ok(())
    }

    /// The state after the last step.
    pub fn state(&self) -> &M::State {
        self.state
    }
}

impl<M: GenerativeModel> Iterator for Generator<'_, M> {
    type Item = Result<usize, Error>;

    fn next(&mut self) -> Option<Result<usize, Error>> {
        let (model, state, rng, sampling) =
            (self.model, &mut *self.state, &mut *self.rng, self.sampling);
        feed_back(
            &mut self.next,
            model.end_id(),
            |input| model.step(input, state).and_then(|()| model.logits(state)),
            |scores| sampling.pick(scores, rng),
        )
    }
}

/// One step of a loop that feeds its own output back (a [`Generator`], a sequence-to-sequence
/// [`Decoder`](crate::Decoder)): takes the pending token from `next`, runs `step` on it, and
/// picks the next token from the scores with `pick`. `None` once the sequence has ended — at
/// the end token `end` (not yielded), or when `next` is already empty after an error.
pub(crate) fn feed_back<O: Prediction>(
    next: &mut Option<usize>,
    end: usize,
    step: impl FnOnce(usize) -> Result<O, Error>,
    pick: impl FnOnce(&[f32]) -> usize,
) -> Option<Result<usize, Error>> {
    let input = next.take()?;
    let scores = match step(input) {
        Ok(scores) => scores,
        Err(e) => return Some(Err(e)),
    };
    let token = pick(scores.values());
    if token == end {
        return None;
    }
    *next = Some(token);
    Some(Ok(token))
}

/// A baked generative model: a [`Network`](crate::Network) `M` whose head scores its own vocabulary, and the
/// initial hidden state of each of its `N` conditions (`condition.weight`, split per layer).
///
/// Type parameters: the network `M`, its `H` hidden units, `S` state vectors and `1 + U`
/// layers, and `N` conditions. Application code never spells them (`model::Model` is the
/// alias) and calls [`GenerativeModel`]; the network itself is `MODEL.network`.
#[derive(Debug, Clone, Copy)]
pub struct Generative<M, const H: usize, const S: usize, const U: usize, const N: usize> {
    /// The network: embedding or one-hot input, layers, head over the vocabulary.
    pub network: M,
    /// The condition names, in the order of `condition.weight`'s rows.
    pub conditions: &'static [&'static str; N],
    /// Layer 0's initial `h` per condition: `condition.weight[k, 0..H]`.
    pub initial_first: &'static [[f32; H]; N],
    /// Layers 1 to `U`'s initial `h` per condition: `condition.weight[k, H..]`.
    pub initial_upper: &'static [[[f32; H]; U]; N],
    /// The token fed at the first step.
    pub start_id: usize,
    /// The token that ends a sequence.
    pub end_id: usize,
}

impl<M, const H: usize, const S: usize, const U: usize, const N: usize> Recurrent
    for Generative<M, H, S, U, N>
where
    M: Recurrent<State = State<H, S, U>>,
{
    type State = State<H, S, U>;
    type Input<'a> = M::Input<'a>;
    type Output = M::Output;
    type Front = M::Front;

    fn frontend(&self) -> &M::Front {
        self.network.frontend()
    }

    fn labels(&self) -> &'static [&'static str] {
        self.network.labels()
    }

    fn task(&self) -> Task {
        self.network.task()
    }

    fn weight_bytes(&self) -> usize {
        // The initial states are weights too (`condition.weight`).
        self.network.weight_bytes() + core::mem::size_of::<f32>() * N * H * (1 + U)
    }

    fn advance(&self, item: Self::Input<'_>, state: &mut Self::State) -> Result<(), Error> {
        self.network.advance(item, state)
    }

    fn read(&self, state: &Self::State, activate: bool) -> Result<Self::Output, Error> {
        self.network.read(state, activate)
    }
}

impl<M, const H: usize, const S: usize, const U: usize, const N: usize> GenerativeModel
    for Generative<M, H, S, U, N>
where
    M: for<'a> Recurrent<State = State<H, S, U>, Input<'a> = usize>,
    M::Front: TextFrontend,
{
    fn conditions(&self) -> &'static [&'static str] {
        self.conditions
    }

    fn start_id(&self) -> usize {
        self.start_id
    }

    fn end_id(&self) -> usize {
        self.end_id
    }

    fn condition(&self, class: usize, state: &mut Self::State) -> Result<(), Error> {
        let (Some(first), Some(upper)) =
            (self.initial_first.get(class), self.initial_upper.get(class))
        else {
            return Err(Error::ClassOutOfRange { class, classes: N });
        };
        *state = State::with_hidden(first, upper);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_keeps_the_k_largest_and_breaks_ties_towards_the_lower_id() {
        let z = [1.0f32, 5.0, 3.0, 5.0, f32::NAN, 3.0, -2.0];
        let kept_set = |k| {
            let cut = kth_largest(&z, k);
            (0..z.len())
                .filter(|&i| !z[i].is_nan() && kept(z[i], i, cut))
                .collect::<Vec<_>>()
        };
        assert_eq!(kept_set(1), [1]);
        assert_eq!(kept_set(2), [1, 3]);
        assert_eq!(kept_set(3), [1, 2, 3]);
        assert_eq!(kept_set(4), [1, 2, 3, 5]);
        assert_eq!(kept_set(6), [0, 1, 2, 3, 5, 6]);
        assert_eq!(kept_set(100), [0, 1, 2, 3, 5, 6]);
    }

    /// The drawn frequencies follow `softmax(z / T)` over the kept tokens: 200 000 draws, each
    /// frequency within 0.005 of its probability (about 4.5 standard deviations at p = 0.5).
    #[test]
    fn draws_follow_the_tempered_distribution() {
        let z = [0.3f32, 2.0, -1.0, 1.2, 0.0, 2.0];
        for (sampling, temperature, k) in [
            (Sampling::Temperature(1.0), 1.0f64, 6),
            (Sampling::Temperature(0.5), 0.5, 6),
            (Sampling::Temperature(2.5), 2.5, 6),
            (
                Sampling::TopK {
                    k: 3,
                    temperature: 0.8,
                },
                0.8,
                3,
            ),
        ] {
            let cut = kth_largest(&z, k);
            let w: Vec<f64> = z
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    if kept(v, i, cut) {
                        ((v as f64 - 2.0) / temperature).exp()
                    } else {
                        0.0
                    }
                })
                .collect();
            let total: f64 = w.iter().sum();
            let mut counts = [0usize; 6];
            let mut rng = Rng::new(99);
            let draws = 200_000;
            for _ in 0..draws {
                counts[sampling.pick(&z, &mut rng)] += 1;
            }
            for i in 0..6 {
                let freq = counts[i] as f64 / draws as f64;
                let p = w[i] / total;
                assert!(
                    (freq - p).abs() < 0.005,
                    "{sampling:?} token {i}: {freq} vs {p}"
                );
                if p == 0.0 {
                    assert_eq!(counts[i], 0);
                }
            }
        }
    }

    #[test]
    fn degenerate_settings_do_not_panic() {
        let mut rng = Rng::new(5);
        let z = [0.5f32, 1.5, 1.5];
        for t in [0.0, -1.0, f32::NAN] {
            assert_eq!(Sampling::Temperature(t).pick(&z, &mut rng), 1, "{t}");
        }
        let before = rng;
        assert_eq!(Sampling::Greedy.pick(&z, &mut rng), 1);
        assert_eq!(rng, before, "greedy draws nothing");
        // k = 0 is taken as 1: greedy, but it draws.
        assert_eq!(
            Sampling::TopK {
                k: 0,
                temperature: 1.0
            }
            .pick(&z, &mut rng),
            1
        );
        // An infinite temperature is uniform over the kept tokens; a tiny one is greedy.
        assert!(Sampling::Temperature(f32::INFINITY).pick(&z, &mut rng) < 3);
        assert_eq!(Sampling::Temperature(1e-30).pick(&z, &mut rng), 1);
        assert_eq!(Sampling::Temperature(1.0).pick(&[], &mut rng), 0);
        assert_ne!(
            Sampling::Temperature(1.0).pick(&[f32::NAN, 0.0, f32::NAN], &mut rng),
            0
        );
        let extreme = [f32::MAX, -f32::MAX, 0.0];
        assert_eq!(Sampling::Temperature(1.0).pick(&extreme, &mut rng), 0);
    }

    #[test]
    fn splitmix64_matches_its_published_sequence() {
        // The first three outputs for seed 1234567 of the reference implementation.
        let mut rng = Rng::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(rng.next_u64(), 9_817_491_932_198_370_423);
    }
}
