//! An MPU-6050 accelerometer + gyroscope over any embedded-hal 1.0 `I2c` bus, streamed sample
//! by sample into a sensor model (`no_std`, no heap), and `Replay`, an `I2c` device that answers
//! like an MPU-6050 playing back a recorded series (for QEMU, where there is no sensor).
//!
//! Registers from InvenSense's public "MPU-6000 and MPU-6050 Register Map and Descriptions",
//! revision 4.2. The model's six features are BasicMotions' order and units as we read them:
//! linear acceleration x, y, z in m/s² (gravity removed, so the driver subtracts the reading at
//! rest taken by [`Mpu6050::calibrate`]) and angular rate x, y, z in rad/s.

use embedded_hal::delay::DelayNs;
use embedded_hal::i2c::{ErrorKind, ErrorType, I2c, Operation};
use tinyrnn::StreamingModel;

/// The I²C address with the AD0 pin low (0x69 with AD0 high).
pub const ADDRESS: u8 = 0x68;
/// Sample rate divider: rate = 1 kHz / (1 + SMPLRT_DIV) with the low-pass filter on.
pub const SMPLRT_DIV: u8 = 0x19;
/// DLPF_CFG in bits 2:0.
pub const CONFIG: u8 = 0x1A;
/// FS_SEL in bits 4:3 (3: ±2000 °/s, 16.4 LSB per °/s).
pub const GYRO_CONFIG: u8 = 0x1B;
/// AFS_SEL in bits 4:3 (3: ±16 g, 2048 LSB per g).
pub const ACCEL_CONFIG: u8 = 0x1C;
/// First of 14 bytes: ACCEL_X/Y/Z, TEMP, GYRO_X/Y/Z, each big-endian `i16`.
pub const ACCEL_XOUT_H: u8 = 0x3B;
/// Bit 6 SLEEP (set at power-on), bits 2:0 CLKSEL (1: PLL on the X gyro).
pub const PWR_MGMT_1: u8 = 0x6B;
/// Reads 0x68 on an MPU-6050.
pub const WHO_AM_I: u8 = 0x75;

/// Standard gravity, m/s².
const G: f32 = 9.806_65;
/// m/s² per LSB at ±16 g.
const ACCEL_SCALE: f32 = G / 2048.0;
/// rad/s per LSB at ±2000 °/s.
const GYRO_SCALE: f32 = core::f32::consts::PI / 180.0 / 16.4;

/// Sampling period of the BasicMotions recordings (10 Hz).
pub const PERIOD_MS: u32 = 100;

/// What can go wrong while reading the sensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImuError<E> {
    /// The bus reported an error.
    Bus(E),
    /// WHO_AM_I did not read 0x68: not an MPU-6050 (the value read).
    NotAnMpu6050(u8),
}

/// An MPU-6050 on an I²C bus, configured for ±16 g and ±2000 °/s at 10 Hz.
pub struct Mpu6050<I2C> {
    i2c: I2C,
    address: u8,
    /// The accelerometer reading at rest (gravity and offset), in m/s².
    rest: [f32; 3],
}

impl<I2C: I2c> Mpu6050<I2C> {
    /// Checks WHO_AM_I, wakes the chip and configures its ranges and rate.
    pub fn new(
        mut i2c: I2C,
        address: u8,
        delay: &mut impl DelayNs,
    ) -> Result<Self, ImuError<I2C::Error>> {
        let mut id = [0];
        i2c.write_read(address, &[WHO_AM_I], &mut id)
            .map_err(ImuError::Bus)?;
        if id[0] != 0x68 {
            return Err(ImuError::NotAnMpu6050(id[0]));
        }
        let setup = [
            [PWR_MGMT_1, 0x01],   // awake, PLL clock
            [SMPLRT_DIV, 99],     // 1 kHz / 100 = 10 Hz
            [CONFIG, 0x03],       // 44 Hz low-pass
            [GYRO_CONFIG, 0x18],  // ±2000 °/s
            [ACCEL_CONFIG, 0x18], // ±16 g
        ];
        for write in &setup {
            i2c.write(address, write).map_err(ImuError::Bus)?;
        }
        delay.delay_ms(100); // the gyro PLL settles
        Ok(Mpu6050 {
            i2c,
            address,
            rest: [0.0; 3],
        })
    }

    /// Averages `samples` readings, `PERIOD_MS` apart, taken with the sensor at rest; later
    /// readings have that acceleration (gravity and offsets) subtracted.
    pub fn calibrate(
        &mut self,
        samples: u16,
        delay: &mut impl DelayNs,
    ) -> Result<(), ImuError<I2C::Error>> {
        self.rest = [0.0; 3];
        let mut sum = [0.0f32; 3];
        for _ in 0..samples {
            let raw = self.read_raw()?;
            for (s, r) in sum.iter_mut().zip(&raw) {
                *s += f32::from(*r) * ACCEL_SCALE;
            }
            delay.delay_ms(PERIOD_MS);
        }
        let n = f32::from(samples.max(1));
        self.rest = sum.map(|s| s / n);
        Ok(())
    }

    /// One sample: linear acceleration x, y, z (m/s²), angular rate x, y, z (rad/s).
    pub fn read(&mut self) -> Result<[f32; 6], ImuError<I2C::Error>> {
        let raw = self.read_raw()?;
        let mut sample = [0.0; 6];
        for (i, (out, r)) in sample.iter_mut().zip(&raw).enumerate() {
            *out = match self.rest.get(i) {
                Some(rest) => f32::from(*r) * ACCEL_SCALE - rest,
                None => f32::from(*r) * GYRO_SCALE,
            };
        }
        Ok(sample)
    }

    /// The raw accelerometer x, y, z and gyroscope x, y, z counts (the temperature skipped).
    fn read_raw(&mut self) -> Result<[i16; 6], ImuError<I2C::Error>> {
        let mut bytes = [0u8; 14];
        self.i2c
            .write_read(self.address, &[ACCEL_XOUT_H], &mut bytes)
            .map_err(ImuError::Bus)?;
        let mut words = [0i16; 7];
        for (word, pair) in words.iter_mut().zip(bytes.chunks_exact(2)) {
            if let [high, low] = *pair {
                *word = i16::from_be_bytes([high, low]);
            }
        }
        let [ax, ay, az, _temperature, gx, gy, gz] = words;
        Ok([ax, ay, az, gx, gy, gz])
    }

    /// Gives the bus back.
    pub fn release(self) -> I2C {
        self.i2c
    }
}

/// Reads `steps` samples, one every `PERIOD_MS`, streaming each into `model` with `step`, and
/// returns the output after the last one. The model's first `F` features are filled from the
/// sensor's six (a 6-feature model such as `motion` reads them all).
pub fn classify_stream<I2C, M, const F: usize>(
    imu: &mut Mpu6050<I2C>,
    delay: &mut impl DelayNs,
    model: &M,
    steps: usize,
) -> Result<M::Output, StreamError<I2C::Error>>
where
    I2C: I2c,
    M: for<'a> StreamingModel<Input<'a> = &'a [f32; F]>,
{
    let mut state = M::State::default();
    for _ in 0..steps {
        let sample = imu.read().map_err(StreamError::Imu)?;
        let mut input = [0.0f32; F];
        for (x, s) in input.iter_mut().zip(sample) {
            *x = s;
        }
        model.step(&input, &mut state).map_err(StreamError::Model)?;
        delay.delay_ms(PERIOD_MS);
    }
    model.output(&state).map_err(StreamError::Model)
}

/// Plays a recorded series (`F` values per sample, in the model's units) through [`Replay`] and
/// the driver as if it came from a sensor: `rest` samples at rest for [`Mpu6050::calibrate`],
/// then [`classify_stream`] over the series. What `mcu_imu` runs where there is no sensor.
pub fn classify_replay<M, const F: usize>(
    model: &M,
    samples: &[f32],
    rest: u16,
) -> Result<M::Output, StreamError<ErrorKind>>
where
    M: for<'a> StreamingModel<Input<'a> = &'a [f32; F]>,
{
    let bus = Replay::new(samples, F, usize::from(rest));
    let mut sensor = Mpu6050::new(bus, ADDRESS, &mut NoWait).map_err(StreamError::Imu)?;
    sensor
        .calibrate(rest, &mut NoWait)
        .map_err(StreamError::Imu)?;
    classify_stream(&mut sensor, &mut NoWait, model, samples.len() / F)
}

/// What can stop [`classify_stream`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamError<E> {
    /// Reading the sensor failed.
    Imu(ImuError<E>),
    /// The model refused a sample (NaN or infinite after normalisation) or overflowed.
    Model(tinyrnn::Error),
}

/// The raw MPU-6050 counts for a sample in the model's units, at rest facing up (gravity on +z).
pub fn to_raw(sample: &[f32]) -> [i16; 6] {
    let mut raw = [0i16; 6];
    for (i, r) in raw.iter_mut().enumerate() {
        let x = sample.get(i).copied().unwrap_or(0.0);
        let counts = match i {
            0..=2 => (x + if i == 2 { G } else { 0.0 }) / ACCEL_SCALE,
            _ => x / GYRO_SCALE,
        };
        // `as` saturates: out-of-range readings clip like the sensor's.
        *r = libm::roundf(counts) as i16;
    }
    raw
}

/// An `I2c` device that answers like an MPU-6050 at [`ADDRESS`]: configuration writes are
/// accepted, WHO_AM_I reads 0x68, and each burst read from ACCEL_XOUT_H returns the next sample
/// of `samples` (`features` values each, in the model's units, gravity added on z) after
/// `rest` samples at rest. Past the end it reads zeros (at rest).
pub struct Replay<'a> {
    samples: &'a [f32],
    features: usize,
    rest: usize,
    next: usize,
    register: u8,
}

impl<'a> Replay<'a> {
    /// Plays `rest` samples at rest, then `samples`.
    pub fn new(samples: &'a [f32], features: usize, rest: usize) -> Self {
        Replay {
            samples,
            features,
            rest,
            next: 0,
            register: 0,
        }
    }

    /// The 14 bytes of a burst read from ACCEL_XOUT_H for the next sample.
    fn burst(&mut self) -> [u8; 14] {
        let index = self.next;
        self.next += 1;
        let sample = index
            .checked_sub(self.rest)
            .and_then(|i| self.samples.get(i * self.features..(i + 1) * self.features))
            .unwrap_or(&[]);
        let raw = to_raw(sample);
        let mut bytes = [0u8; 14];
        // Accelerometer x, y, z, then the temperature (left at 0), then gyroscope x, y, z.
        for (i, r) in raw.iter().enumerate() {
            let at = if i < 3 { 2 * i } else { 2 * i + 2 };
            if let Some(b) = bytes.get_mut(at..at + 2) {
                b.copy_from_slice(&r.to_be_bytes());
            }
        }
        bytes
    }
}

impl ErrorType for Replay<'_> {
    type Error = ErrorKind;
}

impl I2c for Replay<'_> {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), ErrorKind> {
        if address != ADDRESS {
            return Err(ErrorKind::NoAcknowledge(
                embedded_hal::i2c::NoAcknowledgeSource::Address,
            ));
        }
        for op in operations {
            match op {
                // The first byte written selects the register; a value written is accepted.
                Operation::Write(bytes) => {
                    if let Some(&register) = bytes.first() {
                        self.register = register;
                    }
                }
                Operation::Read(buf) => match self.register {
                    WHO_AM_I => buf.iter_mut().for_each(|b| *b = 0x68),
                    ACCEL_XOUT_H => {
                        let burst = self.burst();
                        for (b, v) in buf
                            .iter_mut()
                            .zip(burst.iter().chain(core::iter::repeat(&0)))
                        {
                            *b = *v;
                        }
                    }
                    _ => buf.iter_mut().for_each(|b| *b = 0),
                },
            }
        }
        Ok(())
    }
}

/// A delay that does not wait: the replayed sensor is always ready.
pub struct NoWait;

impl DelayNs for NoWait {
    fn delay_ns(&mut self, _ns: u32) {}
}
