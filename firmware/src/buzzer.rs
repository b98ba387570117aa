//! Plays a generated melody (the tokens of the shipped `melody` model) on a piezo buzzer driven
//! by a PWM output, through embedded-hal 1.0 (`no_std`, no heap), and [`Recorder`], a buzzer
//! and a clock that only write down what they are asked to do (for QEMU, where nothing sounds).
//!
//! **Tokens.** A token is `p<semitones from the tonic>_d<duration in sixteenths>` (`p7_d2`: the
//! fifth above the tonic for an eighth note; the duration may have decimals, `d1.333` is a
//! triplet eighth) or `r_d<sixteenths>` for a rest (scripts/make_melody_data.py). The tokens do
//! not carry the key, so the player is given the tonic's MIDI note ([`Player::tonic`]) and the
//! tempo ([`Player::sixteenth_us`]). Anything else (`<unk>`, a word that is not a token, a
//! pitch outside MIDI's 0–127, a zero duration) is skipped and counted, never a panic.
//!
//! **Frequency.** embedded-hal 1.0's `SetDutyCycle` sets the duty cycle only; the frequency is
//! the PWM timer's period, which every HAL sets its own way. So the buzzer is a [`Tone`]: a
//! `SetDutyCycle` plus [`Tone::set_frequency`], a one-method adapter a board writes over its
//! timer (one type for both, because on many HALs the period and the channel's duty are set on
//! the same timer object). A note sets the frequency, then a 50 % duty cycle (a square wave, the
//! loudest a piezo gets) read against the new `max_duty_cycle` (a timer's top value changes with
//! its period), waits, and turns the output off for a short gap so that two equal notes in a row
//! are heard as two.
//!
//! ```
//! use core::convert::Infallible;
//! use embedded_hal::pwm::{ErrorType, SetDutyCycle};
//! use tinyrnn_firmware::buzzer::{Player, Tone};
//!
//! /// A 16-bit timer counting at 1 MHz: its top value sets the period (what `Tone` adapts).
//! struct Timer { top: u16, compare: u16 }
//! impl ErrorType for Timer { type Error = Infallible; }
//! impl SetDutyCycle for Timer {
//!     fn max_duty_cycle(&self) -> u16 { self.top }
//!     fn set_duty_cycle(&mut self, duty: u16) -> Result<(), Infallible> {
//!         self.compare = duty;
//!         Ok(())
//!     }
//! }
//! impl Tone for Timer {
//!     fn set_frequency(&mut self, millihertz: u32) -> Result<(), Infallible> {
//!         let ticks = 1_000_000_000 / millihertz.max(1); // 1 MHz ticks per period
//!         self.top = (ticks.clamp(2, 65_536) - 1) as u16;
//!         Ok(())
//!     }
//! }
//! # struct Wait;
//! # impl embedded_hal::delay::DelayNs for Wait { fn delay_ns(&mut self, _: u32) {} }
//! # let delay = Wait;
//!
//! let mut player = Player::new(Timer { top: 0, compare: 0 }, delay);
//! let played = player.play(["p0_d2", "p7_d2", "r_d4", "<unk>"])?; // D4, A4, a rest
//! assert_eq!((played.notes, played.rests, played.skipped), (2, 1, 1));
//! assert_eq!(played.micros, 1_000_000); // 2 + 2 + 4 sixteenths at 125 ms
//! # Ok::<(), Infallible>(())
//! ```

use core::cell::{Cell, RefCell};
use core::convert::Infallible;
use core::fmt::Write as _;

use embedded_hal::delay::DelayNs;
use embedded_hal::pwm::{ErrorType, SetDutyCycle};

/// A PWM output whose frequency can be set: what drives the buzzer. Implement it on the type
/// that implements `SetDutyCycle` for the buzzer's pin, setting the timer's period (see the
/// [module](self) documentation for an example).
pub trait Tone: SetDutyCycle {
    /// Sets the output's period to one cycle of `millihertz / 1000` Hz; the duty cycle set next
    /// is relative to the `max_duty_cycle` that period gives.
    fn set_frequency(&mut self, millihertz: u32) -> Result<(), Self::Error>;
}

/// One thing a token asks the buzzer to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Sound MIDI note `midi` for `micros` microseconds.
    Note {
        /// The MIDI note number (60 is middle C, 69 is A4 = 440 Hz).
        midi: u8,
        /// How long, gap included.
        micros: u32,
    },
    /// Stay silent for `micros` microseconds.
    Rest {
        /// How long.
        micros: u32,
    },
}

/// The event of one melody token, with `tonic` the MIDI note of `p0` and a sixteenth lasting
/// `sixteenth_us` microseconds; `None` for anything that is not a playable token (see the
/// [module](self) documentation). Durations are cut to whole microseconds.
///
/// ```
/// use tinyrnn_firmware::buzzer::{event, Event};
/// assert_eq!(event("p-5_d2", 62, 125_000), Some(Event::Note { midi: 57, micros: 250_000 }));
/// assert_eq!(event("p7_d1.333", 62, 125_000), Some(Event::Note { midi: 69, micros: 166_625 }));
/// assert_eq!(event("r_d4", 62, 125_000), Some(Event::Rest { micros: 500_000 }));
/// assert_eq!(event("</s>", 62, 125_000), None);
/// assert_eq!(event("p70_d2", 62, 125_000), None); // MIDI 132
/// ```
pub fn event(token: &str, tonic: u8, sixteenth_us: u32) -> Option<Event> {
    let (pitch, duration) = token.split_once("_d")?;
    let micros = sixteenths(duration, sixteenth_us)?;
    if pitch == "r" {
        return Some(Event::Rest { micros });
    }
    let semitones: i32 = pitch.strip_prefix('p')?.parse().ok()?;
    let midi = u8::try_from(i32::from(tonic) + semitones)
        .ok()
        .filter(|&m| m <= 127)?;
    Some(Event::Note { midi, micros })
}

/// Microseconds of `text` sixteenths (digits, optionally a point and up to 6 more digits), in
/// integer arithmetic so that every core gets the same; `None` if malformed or zero.
fn sixteenths(text: &str, sixteenth_us: u32) -> Option<u32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || (digits(fraction) && fraction.len() <= 6)) {
        return None;
    }
    let scale = 10u64.pow(fraction.len() as u32);
    let value = whole
        .parse::<u64>()
        .ok()?
        .checked_mul(scale)?
        .checked_add(fraction.parse::<u64>().unwrap_or(0))?;
    let micros = value.checked_mul(u64::from(sixteenth_us))? / scale;
    u32::try_from(micros).ok().filter(|&m| m > 0)
}

/// Equal-temperament frequencies of MIDI notes 120 to 131 (C9 to B9) in millihertz,
/// `440 Hz × 2^((n − 69) / 12)` rounded; a lower octave halves them.
const TOP_OCTAVE_MHZ: [u32; 12] = [
    8_372_018, 8_869_844, 9_397_273, 9_956_063, 10_548_082, 11_175_303, 11_839_822, 12_543_854,
    13_289_750, 14_080_000, 14_917_240, 15_804_266,
];

/// The frequency of MIDI note `midi` (0 to 127) in millihertz, within 1 mHz of equal
/// temperament with A4 (69) at 440 Hz; integer arithmetic.
///
/// ```
/// use tinyrnn_firmware::buzzer::millihertz;
/// assert_eq!(millihertz(69), 440_000);
/// assert_eq!(millihertz(60), 261_626); // middle C
/// ```
pub fn millihertz(midi: u8) -> u32 {
    let n = usize::from(midi.min(127));
    let shift = 10 - n / 12;
    let top = TOP_OCTAVE_MHZ.get(n % 12).copied().unwrap_or(0);
    (top + (1 << shift >> 1)) >> shift
}

/// What a [`Player::play`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Played {
    /// Notes sounded.
    pub notes: usize,
    /// Rests kept.
    pub rests: usize,
    /// Tokens that were not playable (see [`event`]), skipped without a sound.
    pub skipped: usize,
    /// The melody's length in microseconds: every delay asked for.
    pub micros: u64,
}

/// Plays melody tokens on a [`Tone`] output, timing them with a `DelayNs`.
pub struct Player<P, D> {
    buzzer: P,
    delay: D,
    /// The MIDI note of the token `p0` (default 62, D4). The tokens do not carry the key; G
    /// and D major are those of 1,303 of the 2,018 `K:` fields in the O'Neill collection the
    /// model learned from (`data/melody/`).
    pub tonic: u8,
    /// How long a sixteenth lasts, in microseconds (default 125,000: 120 quarter notes a minute).
    pub sixteenth_us: u32,
    /// The silence at the end of each note, in microseconds, at most half the note (default
    /// 10,000).
    pub gap_us: u32,
}

impl<P: Tone, D: DelayNs> Player<P, D> {
    /// A player with the default tonic, tempo and gap.
    pub fn new(buzzer: P, delay: D) -> Self {
        Player {
            buzzer,
            delay,
            tonic: 62,
            sixteenth_us: 125_000,
            gap_us: 10_000,
        }
    }

    /// Plays one event: a note sets the frequency, a 50 % duty cycle, waits, turns the output
    /// off and waits the gap; a rest turns the output off and waits. Returns its length in
    /// microseconds, or the output's error (the output may then be left sounding).
    pub fn play_event(&mut self, event: Event) -> Result<u32, P::Error> {
        match event {
            Event::Note { midi, micros } => {
                let gap = self.gap_us.min(micros / 2);
                self.buzzer.set_frequency(millihertz(midi))?;
                self.buzzer.set_duty_cycle_fraction(1, 2)?;
                self.delay.delay_us(micros - gap);
                self.buzzer.set_duty_cycle_fully_off()?;
                self.delay.delay_us(gap);
                Ok(micros)
            }
            Event::Rest { micros } => {
                self.buzzer.set_duty_cycle_fully_off()?;
                self.delay.delay_us(micros);
                Ok(micros)
            }
        }
    }

    /// Plays `tokens` one after the other and leaves the output off; stops at the output's
    /// first error.
    pub fn play<'t>(
        &mut self,
        tokens: impl IntoIterator<Item = &'t str>,
    ) -> Result<Played, P::Error> {
        let mut played = Played::default();
        for token in tokens {
            match event(token, self.tonic, self.sixteenth_us) {
                Some(e) => {
                    played.micros += u64::from(self.play_event(e)?);
                    match e {
                        Event::Note { .. } => played.notes += 1,
                        Event::Rest { .. } => played.rests += 1,
                    }
                }
                None => played.skipped += 1,
            }
        }
        Ok(played)
    }

    /// The output and the delay back.
    pub fn release(self) -> (P, D) {
        (self.buzzer, self.delay)
    }
}

/// A buzzer and a clock that write down what they are asked to do, for a board without a
/// buzzer (QEMU), into one line of at most `N` bytes: each note as `<name><octave>:<ms on>+<ms
/// off>` (`D5:240+10`: the note whose frequency the output was set to, or `<millihertz>mHz` if
/// none is; the silence after it, its gap), each silence started while already silent as
/// `rest:<ms>`. [`Recorder::pin`] and [`Recorder::delay`] are the two halves a [`Player`]
/// drives; nothing waits.
///
/// ```
/// use tinyrnn_firmware::buzzer::{Player, Recorder};
/// let recorder = Recorder::<128>::new();
/// let mut player = Player::new(recorder.pin(), recorder.delay());
/// player.play(["p0_d2", "r_d1", "p12_d1.333"]).unwrap();
/// assert_eq!(recorder.line().as_str(), "D4:240+10 rest:125 D5:156.625+10");
/// assert_eq!((recorder.notes(), recorder.micros()), (2, 541_625));
/// ```
pub struct Recorder<const N: usize> {
    line: RefCell<heapless::String<N>>,
    /// The frequency last set, in millihertz.
    frequency: Cell<u32>,
    /// What the time waited since the last duty-cycle change is.
    stretch: Cell<Stretch>,
    /// Microseconds waited since the last duty-cycle change.
    waited: Cell<u64>,
    /// Microseconds waited in all.
    total: Cell<u64>,
    notes: Cell<usize>,
}

/// What the output has been doing since its last duty-cycle change.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stretch {
    /// Sounding at the frequency last set.
    Sounding,
    /// Silent right after a note: the note's gap.
    Gap,
    /// Silent, and was silent before: a rest.
    Rest,
}

impl<const N: usize> Default for Recorder<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Recorder<N> {
    /// A silent recorder with an empty line.
    pub fn new() -> Self {
        Recorder {
            line: RefCell::new(heapless::String::new()),
            frequency: Cell::new(0),
            stretch: Cell::new(Stretch::Rest),
            waited: Cell::new(0),
            total: Cell::new(0),
            notes: Cell::new(0),
        }
    }

    /// The buzzer half: a [`Tone`] whose `max_duty_cycle` is the top value of a 16-bit timer
    /// counting at 1 MHz for the frequency set (1 MHz / f − 1, at most 65,535).
    pub fn pin(&self) -> RecordedPin<'_, N> {
        RecordedPin(self)
    }

    /// The clock half: a `DelayNs` that waits for nothing and adds up the time.
    pub fn delay(&self) -> RecordedDelay<'_, N> {
        RecordedDelay(self)
    }

    /// The line so far (the stretch in progress written first).
    pub fn line(&self) -> heapless::String<N> {
        self.close(self.stretch.get());
        self.line.borrow().clone()
    }

    /// How many notes sounded (and ended).
    pub fn notes(&self) -> usize {
        self.notes.get()
    }

    /// Microseconds waited in all.
    pub fn micros(&self) -> u64 {
        self.total.get()
    }

    /// Writes the stretch in progress, which goes on as `next`.
    fn close(&self, next: Stretch) {
        let ms = Ms(self.waited.take());
        let mut line = self.line.borrow_mut();
        let sep = if line.is_empty() { "" } else { " " };
        let _ = match self.stretch.replace(next) {
            Stretch::Sounding => {
                self.notes.set(self.notes.get() + 1);
                let mhz = self.frequency.get();
                match (0..=127).find(|&m| millihertz(m) == mhz) {
                    Some(midi) => write!(line, "{sep}{}:{ms}", Note(midi)),
                    None => write!(line, "{sep}{mhz}mHz:{ms}"),
                }
            }
            Stretch::Gap if ms.0 > 0 => write!(line, "+{ms}"),
            Stretch::Rest if ms.0 > 0 => write!(line, "{sep}rest:{ms}"),
            _ => Ok(()),
        };
    }

    /// A duty-cycle change: `on` sounds the output, off silences it.
    fn duty(&self, on: bool) {
        let next = match (self.stretch.get(), on) {
            (_, true) => Stretch::Sounding,
            (Stretch::Sounding, false) => Stretch::Gap,
            (_, false) => Stretch::Rest,
        };
        // A note sounding on at another duty goes on: it is one note.
        if !(on && self.stretch.get() == Stretch::Sounding) {
            self.close(next);
        }
    }

    fn wait(&self, micros: u64) {
        self.waited.set(self.waited.get() + micros);
        self.total.set(self.total.get() + micros);
    }
}

/// The buzzer half of a [`Recorder`].
pub struct RecordedPin<'r, const N: usize>(&'r Recorder<N>);

impl<const N: usize> ErrorType for RecordedPin<'_, N> {
    type Error = Infallible;
}

impl<const N: usize> SetDutyCycle for RecordedPin<'_, N> {
    fn max_duty_cycle(&self) -> u16 {
        let ticks = 1_000_000_000 / self.0.frequency.get().max(1);
        u16::try_from(ticks.saturating_sub(1))
            .unwrap_or(u16::MAX)
            .max(1)
    }

    fn set_duty_cycle(&mut self, duty: u16) -> Result<(), Infallible> {
        self.0.duty(duty > 0);
        Ok(())
    }
}

impl<const N: usize> Tone for RecordedPin<'_, N> {
    fn set_frequency(&mut self, millihertz: u32) -> Result<(), Infallible> {
        self.0.frequency.set(millihertz);
        Ok(())
    }
}

/// The clock half of a [`Recorder`].
pub struct RecordedDelay<'r, const N: usize>(&'r Recorder<N>);

impl<const N: usize> DelayNs for RecordedDelay<'_, N> {
    fn delay_ns(&mut self, ns: u32) {
        // The player waits whole microseconds; a rest of nanoseconds rounds down.
        self.0.wait(u64::from(ns / 1000));
    }

    fn delay_us(&mut self, us: u32) {
        self.0.wait(u64::from(us));
    }

    fn delay_ms(&mut self, ms: u32) {
        self.0.wait(u64::from(ms) * 1000);
    }
}

/// Microseconds printed as milliseconds, with decimals only when needed (`156.625`, `240`).
struct Ms(u64);

impl core::fmt::Display for Ms {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (ms, us) = (self.0 / 1000, self.0 % 1000);
        match us {
            0 => write!(f, "{ms}"),
            _ if us % 100 == 0 => write!(f, "{ms}.{}", us / 100),
            _ if us % 10 == 0 => write!(f, "{ms}.{:02}", us / 10),
            _ => write!(f, "{ms}.{us:03}"),
        }
    }
}

/// A MIDI note printed as its name and octave (60 is `C4`, 70 is `A#4`).
struct Note(u8);

impl core::fmt::Display for Note {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        const NAMES: [&str; 12] = [
            "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
        ];
        let name = NAMES.get(usize::from(self.0 % 12)).copied().unwrap_or("?");
        write!(f, "{name}{}", i16::from(self.0 / 12) - 1)
    }
}
