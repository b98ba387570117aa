//! The markers around a measured region: `firmware/qemu-run.sh` (with `COUNT=1`) finds these two
//! functions by name in the ELF and counts the instructions executed from an entry of
//! `insn_region_start` to the next entry of `insn_region_end`. Out of line so that they have an
//! address, and with different bodies so that the linker cannot fold them into one. Included
//! with `#[path]` by the measuring programs (`mcu_cost`, `mcu_activations`), which bring their
//! own panic handler and so do not link the library.

/// Entered at the start of a measured region (one `nop`: its body differs from the end marker's).
#[inline(never)]
pub fn insn_region_start() {
    #[cfg(target_os = "none")]
    cortex_m::asm::nop();
}

/// Entered at the end of a measured region.
#[inline(never)]
pub fn insn_region_end() {
    #[cfg(target_os = "none")]
    {
        cortex_m::asm::nop();
        cortex_m::asm::nop();
    }
}
