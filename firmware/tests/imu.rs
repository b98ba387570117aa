//! The MPU-6050 driver (`src/imu.rs`) against embedded-hal-mock's expectations of every bus
//! transaction and wait, and the recorded series through the driver, as `mcu_imu` streams them.

use embedded_hal::i2c::ErrorKind;
use embedded_hal_mock::eh1::delay::{CheckedDelay, Transaction as Delay};
use embedded_hal_mock::eh1::i2c::{Mock as I2cMock, Transaction as I2cT};
use tinyrnn_firmware::cases;
use tinyrnn_firmware::imu::{self, Mpu6050};

tinyrnn::include_model!(motion);

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
    for (expected, samples) in cases::series("motion") {
        let mut i2c_expect = setup();
        i2c_expect.push(burst(imu::to_raw(&[])));
        let mut delays = vec![Delay::delay_ms(100), Delay::delay_ms(imu::PERIOD_MS)];
        for sample in samples.chunks_exact(motion::INPUTS) {
            i2c_expect.push(burst(imu::to_raw(sample)));
            delays.push(Delay::delay_ms(imu::PERIOD_MS));
        }
        let mut i2c = I2cMock::new(&i2c_expect);
        let mut delay = CheckedDelay::new(&delays);
        let mut sensor = Mpu6050::new(i2c.clone(), A, &mut delay).unwrap();
        sensor.calibrate(1, &mut delay).unwrap();
        let steps = samples.len() / motion::INPUTS;
        let out = imu::classify_stream(&mut sensor, &mut delay, &motion::MODEL, steps).unwrap();
        assert_eq!(out.label(), expected);
        i2c.done();
        delay.done();
        checked += 1;
    }
    assert!(checked > 0, "no recorded motion series (tools/mcu-data.sh)");
}

/// What `mcu_imu` prints: every recorded series played back by `Replay` gets its label.
#[test]
fn replayed_series_get_their_labels() {
    for (index, (expected, samples)) in cases::series("motion").enumerate() {
        let out = imu::classify_replay(&motion::MODEL, samples, 8).unwrap();
        assert_eq!(out.label(), expected, "series {index}");
    }
}
