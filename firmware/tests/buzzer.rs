//! The melody player (`src/buzzer.rs`) against embedded-hal-mock: every duty-cycle call on the
//! PWM pin and every wait, in order, for a short melody with a rest and tokens it cannot play;
//! an output error is returned, not a panic; the frequencies are equal temperament; and the
//! `Recorder` that `mcu_generate` plays into under QEMU agrees with the player.

use std::cell::RefCell;
use std::io::ErrorKind;
use std::rc::Rc;

use embedded_hal::delay::DelayNs;
use embedded_hal::pwm::{ErrorType, SetDutyCycle};
use embedded_hal_mock::eh1::delay::{CheckedDelay, Transaction as Delay};
use embedded_hal_mock::eh1::pwm::{Mock as PwmMock, Transaction as Pwm};
use embedded_hal_mock::eh1::MockError;
use tinyrnn::{GenerativeModel, Rng, Sampling, TextModel};
use tinyrnn_firmware::buzzer::{self, Player, Recorder, Tone};

tinyrnn::include_model!(melody);

/// What happened, in order, across the pin and the delay.
type Log = Rc<RefCell<Vec<String>>>;

/// The buzzer: embedded-hal-mock's PWM pin (which checks each duty-cycle call against its
/// expectations) plus the frequency setter a board adds (`Tone`), all written to the log.
struct MockBuzzer {
    pwm: PwmMock,
    log: Log,
}

impl ErrorType for MockBuzzer {
    type Error = MockError;
}

impl SetDutyCycle for MockBuzzer {
    fn max_duty_cycle(&self) -> u16 {
        let max = self.pwm.max_duty_cycle();
        self.log.borrow_mut().push(format!("max {max}"));
        max
    }

    fn set_duty_cycle(&mut self, duty: u16) -> Result<(), MockError> {
        self.log.borrow_mut().push(format!("duty {duty}"));
        self.pwm.set_duty_cycle(duty)
    }
}

impl Tone for MockBuzzer {
    fn set_frequency(&mut self, millihertz: u32) -> Result<(), MockError> {
        self.log
            .borrow_mut()
            .push(format!("frequency {millihertz}"));
        Ok(())
    }
}

/// embedded-hal-mock's checked delay, written to the log too.
struct MockDelay {
    delay: CheckedDelay,
    log: Log,
}

impl DelayNs for MockDelay {
    fn delay_ns(&mut self, ns: u32) {
        self.log.borrow_mut().push(format!("wait {ns} ns"));
        self.delay.delay_ns(ns);
    }

    fn delay_us(&mut self, us: u32) {
        self.log.borrow_mut().push(format!("wait {us} us"));
        self.delay.delay_us(us);
    }
}

fn mocks(pwm: &[Pwm], delays: &[Delay]) -> (MockBuzzer, MockDelay, Log) {
    let log = Log::default();
    let buzzer = MockBuzzer {
        pwm: PwmMock::new(pwm),
        log: log.clone(),
    };
    let delay = MockDelay {
        delay: CheckedDelay::new(delays),
        log: log.clone(),
    };
    (buzzer, delay, log)
}

/// Checks that the mocks saw every transaction they expected.
fn done(player: Player<MockBuzzer, MockDelay>) {
    let (mut buzzer, mut delay) = player.release();
    buzzer.pwm.done();
    delay.delay.done();
}

#[test]
fn plays_notes_rests_and_skips_what_is_not_a_note() {
    // D4 for an eighth, a quarter rest, A4 for a triplet eighth; then tokens that are not
    // notes: the model's specials, a pitch above MIDI 127, a zero and a malformed duration,
    // empty and unknown words. Then a sixteenth's rest. Tonic D4 (62), 125 ms a sixteenth.
    let tokens = [
        "p0_d2",
        "r_d4",
        "p7_d1.333",
        "<unk>",
        "</s>",
        "p70_d2",
        "p0_d0",
        "p0_d1.2.3",
        "",
        "?",
        "pX_d2",
        "p0_d",
        "r_d-1",
        "r_d1",
    ];
    let pwm = [
        // D4, 293.665 Hz: the duty cycle is half the max duty the new period gives.
        Pwm::max_duty_cycle(3404),
        Pwm::set_duty_cycle(1702),
        Pwm::set_duty_cycle(0),
        Pwm::set_duty_cycle(0), // the rest
        Pwm::max_duty_cycle(2271),
        Pwm::set_duty_cycle(1135),
        Pwm::set_duty_cycle(0),
        Pwm::set_duty_cycle(0), // the last rest
    ];
    let delays = [
        Delay::delay_us(240_000),
        Delay::delay_us(10_000),
        Delay::delay_us(500_000),
        Delay::delay_us(156_625), // 1.333 × 125 ms − the gap
        Delay::delay_us(10_000),
        Delay::delay_us(125_000),
    ];
    let (buzzer, delay, log) = mocks(&pwm, &delays);
    let mut player = Player::new(buzzer, delay);
    let played = player.play(tokens).unwrap();
    assert_eq!(played.notes, 2);
    assert_eq!(played.rests, 2);
    assert_eq!(played.skipped, 10);
    assert_eq!(played.micros, 250_000 + 500_000 + 166_625 + 125_000);
    assert_eq!(
        *log.borrow(),
        [
            "frequency 293665",
            "max 3404",
            "duty 1702",
            "wait 240000 us",
            "duty 0",
            "wait 10000 us",
            "duty 0",
            "wait 500000 us",
            "frequency 440000",
            "max 2271",
            "duty 1135",
            "wait 156625 us",
            "duty 0",
            "wait 10000 us",
            "duty 0",
            "wait 125000 us",
        ]
    );
    done(player);
}

#[test]
fn an_output_error_is_returned_not_a_panic() {
    let pwm = [
        Pwm::max_duty_cycle(1000),
        Pwm::set_duty_cycle(500).with_error(MockError::Io(ErrorKind::NotConnected)),
    ];
    let (buzzer, delay, log) = mocks(&pwm, &[]);
    let mut player = Player::new(buzzer, delay);
    let err = player.play(["p0_d2", "p2_d2"]).unwrap_err();
    assert_eq!(err, MockError::Io(ErrorKind::NotConnected));
    // It stopped at the error: no wait, no second note.
    assert_eq!(*log.borrow(), ["frequency 293665", "max 1000", "duty 500"]);
    done(player);
}

#[test]
fn a_short_note_keeps_at_least_half_its_length_on() {
    // A thirty-second note at a fast tempo: 8 ms, so the 10 ms gap becomes 4 ms.
    let pwm = [
        Pwm::max_duty_cycle(100),
        Pwm::set_duty_cycle(50),
        Pwm::set_duty_cycle(0),
    ];
    let delays = [Delay::delay_us(4_000), Delay::delay_us(4_000)];
    let (buzzer, delay, _) = mocks(&pwm, &delays);
    let mut player = Player::new(buzzer, delay);
    player.sixteenth_us = 16_000;
    assert_eq!(player.play(["p0_d0.5"]).unwrap().micros, 8_000);
    done(player);
}

#[test]
fn frequencies_are_equal_temperament_within_a_millihertz() {
    for midi in 0..=127u8 {
        let exact = 440_000.0 * 2f64.powf((f64::from(midi) - 69.0) / 12.0);
        let got = f64::from(buzzer::millihertz(midi));
        assert!(
            (got - exact).abs() <= 1.0,
            "MIDI {midi}: {got} mHz, exact {exact}"
        );
    }
}

#[test]
fn every_token_of_the_melody_vocabulary_is_a_note_a_rest_or_a_special() {
    let vocab = melody::MODEL.vocabulary();
    for id in 0..vocab.len() {
        let word = vocab.word(id).unwrap();
        let playable = buzzer::event(word, 62, 125_000).is_some();
        assert_eq!(playable, !word.starts_with('<'), "{word}");
    }
}

#[test]
fn the_recorder_writes_what_the_player_played() {
    // A generated jig through the recorder `mcu_generate` uses: one item per note or rest,
    // the same count and length as the player's.
    let jig = melody::CONDITIONS.iter().position(|&c| c == "jig").unwrap();
    let mut state = melody::State::new();
    let mut tokens = [0usize; 64];
    let sampling = Sampling::TopK {
        k: 5,
        temperature: 1.0,
    };
    let n = melody::MODEL
        .generate(jig, sampling, &mut Rng::new(7), &mut state, &mut tokens)
        .unwrap();
    let vocab = melody::MODEL.vocabulary();
    let words: Vec<&str> = tokens[..n]
        .iter()
        .map(|&id| vocab.word(id).unwrap())
        .collect();
    let recorder = Recorder::<2048>::new();
    let played = Player::new(recorder.pin(), recorder.delay())
        .play(words.iter().copied())
        .unwrap();
    assert_eq!(played.notes + played.rests + played.skipped, n);
    assert_eq!(recorder.notes(), played.notes);
    assert_eq!(recorder.micros(), played.micros);
    let line = recorder.line();
    assert_eq!(line.split(' ').count(), played.notes + played.rests);
    // The first note: its name from the tonic D4 and its eighth-note length.
    let first = buzzer::event(words[0], 62, 125_000).unwrap();
    if let buzzer::Event::Note {
        micros: 250_000, ..
    } = first
    {
        assert!(line.split(' ').next().unwrap().ends_with(":240+10"));
    }
}
