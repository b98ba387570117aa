//! UART0 of the TI Stellaris LM3S6965 (QEMU's `lm3s6965evb`, serial0 = QEMU's stdio) as an
//! embedded-io byte stream. On a real board, use the HAL's UART instead: it implements the same
//! `embedded_io::Read` and `Write`.
//!
//! Its two registers (LM3S6965 data sheet, "Universal Asynchronous Receivers/Transmitters"):
//! UARTDR at +0x000 (the data byte), UARTFR at +0x018 (bit 4 RXFE: receive FIFO empty, bit 5
//! TXFF: transmit FIFO full). QEMU's model needs no clock or baud-rate set-up.
#![allow(unsafe_code)] // the only way to a memory-mapped register without a device crate

use core::convert::Infallible;

const UART0: usize = 0x4000_C000;
const DR: usize = UART0;
const FR: usize = UART0 + 0x018;
const RXFE: u32 = 1 << 4;
const TXFF: u32 = 1 << 5;

/// UART0 of an LM3S6965.
pub struct Uart0(());

impl Uart0 {
    /// The UART, if this core is a Cortex-M3 (the LM3S6965's); `None` on any other core, whose
    /// board has something else at that address.
    pub fn take(cpuid: &cortex_m::peripheral::CPUID) -> Option<Self> {
        // CPUID PARTNO (bits 15:4) of the Cortex-M3.
        ((cpuid.base.read() >> 4) & 0xFFF == 0xC23).then_some(Uart0(()))
    }

    fn flags() -> u32 {
        // SAFETY: UARTFR of UART0 is a readable, side-effect-free 32-bit register on the
        // LM3S6965, which `take` checked we run on.
        unsafe { core::ptr::read_volatile(FR as *const u32) }
    }
}

impl embedded_io::ErrorType for Uart0 {
    type Error = Infallible;
}

impl embedded_io::Read for Uart0 {
    /// Waits for at least one byte, then takes what has arrived, up to `buf.len()`.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let mut n = 0;
        for slot in buf.iter_mut() {
            if Self::flags() & RXFE != 0 {
                if n > 0 {
                    break;
                }
                while Self::flags() & RXFE != 0 {}
            }
            // SAFETY: reading UARTDR pops the byte the receive FIFO holds (RXFE is clear); only
            // this `Uart0`, of which `take` makes one per call on an LM3S6965, reads it.
            *slot = unsafe { core::ptr::read_volatile(DR as *const u32) } as u8;
            n += 1;
        }
        Ok(n)
    }
}

impl embedded_io::Write for Uart0 {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &b in buf {
            while Self::flags() & TXFF != 0 {}
            // SAFETY: writing UARTDR queues one byte for transmission (TXFF is clear).
            unsafe { core::ptr::write_volatile(DR as *mut u32, u32::from(b)) };
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
