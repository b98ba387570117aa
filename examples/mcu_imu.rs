//! Classifies motion as it streams from an MPU-6050 accelerometer + gyroscope: the driver and
//! the streaming loop (`examples/mcu/imu.rs`) are generic over embedded-hal 1.0's `I2c` and
//! `DelayNs`, so on a board they take the HAL's I²C peripheral and timer.
//!
//! ```text
//! cargo run --release --target thumbv7em-none-eabihf --example mcu_imu   # under QEMU
//! cargo run --release --example mcu_imu                                  # on the host
//! cargo test --example mcu_imu                                           # embedded-hal-mock tests
//! ```
//! QEMU has no MPU-6050, so here the bus is `Replay`, an `I2c` device that answers like one,
//! playing back the recorded series of `examples/mcu/motion_cases.rs` (as 16-bit counts, with
//! gravity on z). For every shipped sensor model with at most 6 features it calibrates at rest,
//! streams each series sample by sample through `step`, prints
//! `model<TAB>label<TAB>probability<TAB>series`, and exits with success only if every label is
//! the one the data gives.
#![cfg_attr(target_os = "none", no_std, no_main)]

#[macro_use]
#[path = "mcu/mod.rs"]
mod mcu;
#[path = "mcu/imu.rs"]
mod imu;

use imu::{Mpu6050, NoWait, Replay};
use mcu::Tally;

/// `(model, expected label, samples)`: the recorded series of `mcu_motion`.
static SERIES: &[(&str, &str, &[f32])] = include!("mcu/motion_cases.rs");

/// Samples read at rest before streaming, to measure gravity.
const REST: u16 = 8;

/// Streams every recorded series through the I²C sensor path; true if all labels are expected.
fn run() -> bool {
    let mut tally = Tally::default();
    macro_rules! stream {
        ($m:ident) => {{
            use tinyrnn::models::$m as m;
            if m::INPUTS <= 6 {
                let cases = SERIES.iter().filter(|s| s.0 == stringify!($m));
                for (index, &(_, expected, samples)) in cases.enumerate() {
                    let steps = samples.len() / m::INPUTS;
                    let bus = Replay::new(samples, m::INPUTS, usize::from(REST));
                    let result =
                        Mpu6050::new(bus, imu::ADDRESS, &mut NoWait).and_then(|mut sensor| {
                            sensor.calibrate(REST, &mut NoWait)?;
                            Ok(imu::classify_stream(
                                &mut sensor,
                                &mut NoWait,
                                &m::MODEL,
                                steps,
                            ))
                        });
                    match result {
                        Ok(Ok(out)) => {
                            say!(
                                "{}\t{}\t{}\tseries {} via MPU-6050",
                                stringify!($m),
                                out.label(),
                                out.score(),
                                index
                            );
                            if out.label() != expected {
                                say!("  expected {}", expected);
                            }
                            tally.check(out.label() == expected);
                        }
                        _ => {
                            say!(
                                "{}\t(error)\t-\tseries {} via MPU-6050",
                                stringify!($m),
                                index
                            );
                            tally.check(false);
                        }
                    }
                }
            }
        }};
    }
    tinyrnn::for_each_sensor_model!(stream);
    tally.report()
}

#[cfg(target_os = "none")]
#[cortex_m_rt::entry]
fn main() -> ! {
    mcu::finish(run())
}

#[cfg(not(target_os = "none"))]
fn main() {
    mcu::finish(run())
}

#[cfg(all(test, not(target_os = "none")))]
mod tests {
    use super::*;
    use embedded_hal::i2c::ErrorKind;
    use embedded_hal_mock::eh1::delay::{CheckedDelay, Transaction as Delay};
    use embedded_hal_mock::eh1::i2c::{Mock as I2cMock, Transaction as I2cT};

    const A: u8 = imu::ADDRESS;

    /// The transactions of `Mpu6050::new`: WHO_AM_I, then the configuration writes.
    fn setup() -> Vec<I2cT> {
        vec![
            I2cT::write_read(A, vec![imu::WHO_AM_I], vec![0x68]),
            I2cT::write(A, vec![imu::PWR_MGMT_1, 0x01]),
            I2cT::write(A, vec![imu::SMPLRT_DIV, 99]),
            I2cT::write(A, vec![imu::CONFIG, 0x03]),
            I2cT::write(A, vec![imu::GYRO_CONFIG, 0x18]),
            I2cT::write(A, vec![imu::ACCEL_CONFIG, 0x18]),
        ]
    }

    /// A burst read from ACCEL_XOUT_H answering these counts (temperature 0).
    fn burst(raw: [i16; 6]) -> I2cT {
        let mut bytes = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            if i == 3 {
                bytes.extend([0, 0]);
            }
            bytes.extend(r.to_be_bytes());
        }
        I2cT::write_read(A, vec![imu::ACCEL_XOUT_H], bytes)
    }

    #[test]
    fn reads_the_register_map_in_si_units() {
        let mut i2c_expect = setup();
        i2c_expect.push(burst([0, 0, 2048, 0, 0, 0])); // at rest: 1 g on z
        i2c_expect.push(burst([2048, -1024, 2048, 164, -328, 0]));
        let mut i2c = I2cMock::new(&i2c_expect);
        let mut delay = CheckedDelay::new(&[Delay::delay_ms(100), Delay::delay_ms(imu::PERIOD_MS)]);

        let mut sensor = Mpu6050::new(i2c.clone(), A, &mut delay).unwrap();
        sensor.calibrate(1, &mut delay).unwrap();
        let s = sensor.read().unwrap();
        let expected = [9.80665, -4.903325, 0.0, 0.17453292, -0.34906584, 0.0];
        for (got, want) in s.iter().zip(expected) {
            assert!((got - want).abs() < 1e-3, "{s:?} != {expected:?}");
        }
        i2c.done();
        delay.done();
    }

    #[test]
    fn another_chip_is_refused() {
        let mut i2c = I2cMock::new(&[I2cT::write_read(A, vec![imu::WHO_AM_I], vec![0x70])]);
        let mut delay = CheckedDelay::new(&[]);
        let r = Mpu6050::new(i2c.clone(), A, &mut delay);
        assert!(matches!(r, Err(imu::ImuError::NotAnMpu6050(0x70))));
        i2c.done();
        delay.done();
    }

    #[test]
    fn a_bus_error_is_returned_not_a_panic() {
        let mut expect = setup();
        expect.push(
            I2cT::write_read(A, vec![imu::ACCEL_XOUT_H], vec![0; 14]).with_error(ErrorKind::Other),
        );
        let mut i2c = I2cMock::new(&expect);
        let mut delay = CheckedDelay::new(&[Delay::delay_ms(100)]);
        let mut sensor = Mpu6050::new(i2c.clone(), A, &mut delay).unwrap();
        assert_eq!(sensor.read(), Err(imu::ImuError::Bus(ErrorKind::Other)));
        i2c.done();
        delay.done();
    }

    /// Every recorded series, sent as MPU-6050 counts through the mock bus, gets the label the
    /// data gives, with one read and one 100 ms wait per sample.
    #[test]
    fn recorded_series_stream_through_the_mock_bus() {
        let mut checked = 0;
        macro_rules! check {
            ($m:ident) => {{
                use tinyrnn::models::$m as m;
                for &(_, expected, samples) in SERIES
                    .iter()
                    .filter(|s| m::INPUTS <= 6 && s.0 == stringify!($m))
                {
                    let mut i2c_expect = setup();
                    i2c_expect.push(burst(imu::to_raw(&[])));
                    let mut delays = vec![Delay::delay_ms(100), Delay::delay_ms(imu::PERIOD_MS)];
                    for sample in samples.chunks_exact(m::INPUTS) {
                        i2c_expect.push(burst(imu::to_raw(sample)));
                        delays.push(Delay::delay_ms(imu::PERIOD_MS));
                    }
                    let mut i2c = I2cMock::new(&i2c_expect);
                    let mut delay = CheckedDelay::new(&delays);
                    let mut sensor = Mpu6050::new(i2c.clone(), A, &mut delay).unwrap();
                    sensor.calibrate(1, &mut delay).unwrap();
                    let steps = samples.len() / m::INPUTS;
                    let out =
                        imu::classify_stream(&mut sensor, &mut delay, &m::MODEL, steps).unwrap();
                    assert_eq!(out.label(), expected, "{}", stringify!($m));
                    i2c.done();
                    delay.done();
                    checked += 1;
                }
            }};
        }
        tinyrnn::for_each_sensor_model!(check);
        let mut eligible = 0;
        macro_rules! count {
            ($m:ident) => {
                eligible += usize::from(tinyrnn::models::$m::INPUTS <= 6);
            };
        }
        tinyrnn::for_each_sensor_model!(count);
        // tools/mcu-data.sh records series for every sensor model.
        assert!(
            eligible == 0 || checked > 0,
            "no recorded series for a sensor model with at most 6 features"
        );
    }
}
