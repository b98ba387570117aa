//! Ending a program: a semihosting exit on the target (QEMU's exit status), the process exit
//! code on the host. A module file of its own because the two programs that bring their own
//! panic handler (`mcu_cost`, `mcu_no_panic`) cannot link the library, whose panic handler would
//! clash with theirs: they include this file with `#[path]` instead.

/// Ends the program: success only if `ok`.
#[cfg(target_os = "none")]
pub fn finish(ok: bool) -> ! {
    use cortex_m_semihosting::debug;
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Only reached without a debugger/QEMU to honour the exit request.
    loop {
        cortex_m::asm::wfi();
    }
}

/// Ends the program: success only if `ok`.
#[cfg(not(target_os = "none"))]
pub fn finish(ok: bool) -> ! {
    std::process::exit(if ok { 0 } else { 1 })
}
