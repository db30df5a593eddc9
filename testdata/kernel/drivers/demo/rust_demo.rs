// SPDX-License-Identifier: GPL-2.0

//! rivet's demo driver.
//!
//! A line with a `// want "CODE"` comment has a real problem that rivet
//! must report with that code. A `Near miss (CODE)` comment sits above
//! code that looks alike but is correct: rivet must stay silent there.
//! This file shows the FFI link rules; checks.rs, ownership.rs and
//! locking.rs show the others. demo.h is the C side.

pub mod checks;
pub mod locking;
pub mod ownership;

use core::{
    ffi::CStr,
    mem::size_of,
    sync::atomic::{AtomicU32, Ordering},
};
use kernel::{
    bindings,
    device::Device,
    error::to_result,
    ffi::{c_int, c_long},
    prelude::*,
    sync::LockClassKey,
};

pub(crate) const NAME: &CStr = c"demo";

/// Mirrors `struct demo_event`.
#[repr(C)]
pub struct DemoEvent {
    pub kind: u32,
    pub len: u32,
}

/// Meant to mirror `struct demo_stats`, but without `#[repr(C)]` Rust may
/// reorder and pad its fields.
pub struct DemoStats {
    pub events: u64,
    pub bytes: u64,
}

/// Mirrors `struct demo_stats`.
#[repr(C)]
pub struct DemoStatsC {
    pub events: u64,
    pub bytes: u64,
}

extern "C" {
    // Near miss (ffi-signature-mismatch): agrees with `long demo_hw_status(void)`.
    fn demo_hw_status() -> c_long;

    // demo.h: `int demo_hw_reset(struct demo_stats *stats, unsigned int flags)`.
    // Near miss (repr-c-missing): `DemoStatsC` is `#[repr(C)]`.
    fn demo_hw_reset(stats: *mut DemoStatsC) -> c_int; // want "ffi-signature-mismatch"

    // Declared nowhere in C: the module would not link.
    fn demo_hw_poweroff(); // want "ffi-unresolved"
}

/// Resets the hardware and returns its status.
pub fn reset_hw(stats: &mut DemoStatsC) -> Result<c_long> {
    // SAFETY: `stats` is valid for the duration of the call.
    to_result(unsafe { demo_hw_reset(stats) })?;
    // SAFETY: demo_hw_status has no preconditions.
    Ok(unsafe { demo_hw_status() })
}

/// Powers the hardware off.
pub fn poweroff() {
    // SAFETY: demo_hw_poweroff has no preconditions.
    unsafe { demo_hw_poweroff() };
}

static EVENTS: AtomicU32 = AtomicU32::new(0);

// Near miss (ffi-signature-mismatch): agrees with demo.h.
/// Counts an event; C calls it for each one.
///
/// # Safety
///
/// `ev` must point to a valid `struct demo_event`.
#[no_mangle]
pub unsafe extern "C" fn demo_event_notify(ev: *const DemoEvent) -> c_int {
    // SAFETY: the caller guarantees `ev` is valid.
    let ev = unsafe { &*ev };
    if ev.len == 0 {
        return EINVAL.to_errno();
    }
    EVENTS.fetch_add(1, Ordering::Relaxed);
    0
}

/// The number of events so far; demo.h returns `unsigned int`.
#[no_mangle]
pub extern "C" fn demo_event_count() -> i32 { // want "ffi-signature-mismatch"
    EVENTS.load(Ordering::Relaxed) as i32
}

/// Fills `stats` in for C.
///
/// # Safety
///
/// `stats` must be valid for writes.
#[no_mangle]
pub unsafe extern "C" fn demo_read_stats(stats: *mut DemoStats) -> c_int { // want "repr-c-missing"
    let events = EVENTS.load(Ordering::Relaxed).into();
    // SAFETY: the caller guarantees `stats` is valid for writes.
    unsafe { stats.write(DemoStats { events, bytes: 0 }) };
    0
}

// Near miss (repr-c-missing): `DemoStatsC` is `#[repr(C)]`.
/// Fills `stats` in for C.
///
/// # Safety
///
/// `stats` must be valid for writes.
#[no_mangle]
pub unsafe extern "C" fn demo_fill_stats(stats: *mut DemoStatsC) -> c_int {
    let events = EVENTS.load(Ordering::Relaxed).into();
    // SAFETY: the caller guarantees `stats` is valid for writes.
    unsafe { stats.write(DemoStatsC { events, bytes: 0 }) };
    0
}

/// Allocates zeroed memory for the stats, freed when `dev` unbinds.
pub fn alloc_stats(dev: &Device) -> Result<*mut DemoStatsC> {
    let size = size_of::<DemoStatsC>();
    // devm_kzalloc is static inline and rust/helpers does not wrap it.
    // SAFETY: `dev` is a valid device.
    let p = unsafe { bindings::devm_kzalloc(dev.as_raw(), size, bindings::GFP_KERNEL) }; // want "ffi-needs-helper"
    if p.is_null() {
        return Err(ENOMEM);
    }
    Ok(p.cast())
}

/// The same, through the exported function devm_kzalloc calls.
pub fn alloc_stats_exported(dev: &Device) -> Result<*mut DemoStatsC> {
    let size = size_of::<DemoStatsC>();
    // Near miss (ffi-needs-helper): devm_kmalloc is an exported function,
    // and the GFP flags are RUST_CONST_HELPER constants.
    let flags = bindings::GFP_KERNEL | bindings::__GFP_ZERO;
    // SAFETY: `dev` is a valid device.
    let p = unsafe { bindings::devm_kmalloc(dev.as_raw(), size, flags) };
    if p.is_null() {
        return Err(ENOMEM);
    }
    Ok(p.cast())
}

static KEY: LockClassKey = LockClassKey::new();

/// Initialises a C mutex.
///
/// # Safety
///
/// `lock` must point to a `struct mutex` that does not move afterwards.
pub unsafe fn init_lock(lock: *mut bindings::mutex) {
    // mutex_init is a function-like macro and rust/helpers does not wrap it.
    // SAFETY: the caller guarantees `lock` is valid.
    unsafe { bindings::mutex_init(lock) }; // want "ffi-needs-helper"
}

/// Initialises a C mutex, with a lock class of this module's.
///
/// # Safety
///
/// `lock` must point to a `struct mutex` that does not move afterwards.
pub unsafe fn init_lock_keyed(lock: *mut bindings::mutex) {
    // Near miss (ffi-needs-helper): __mutex_init is the exported function
    // behind the macro.
    // SAFETY: the caller guarantees `lock` is valid; NAME and KEY are
    // statics.
    unsafe { bindings::__mutex_init(lock, NAME.as_ptr(), KEY.as_ptr()) };
}

/// The refcount of a new object: one reference, its creator's.
pub fn new_refcount() -> bindings::refcount_t {
    // Near miss (ffi-needs-helper): REFCOUNT_INIT is a macro, and
    // rust/helpers/refcount.c wraps it.
    // SAFETY: REFCOUNT_INIT only builds a value.
    unsafe { bindings::REFCOUNT_INIT(1) }
}

// rust/bindgen_parameters blocklists `__kernel_size_t`: Rust uses usize.
pub const STATS_SIZE: bindings::__kernel_size_t = size_of::<DemoStatsC>() as _; // want "ffi-unresolved"

// Near miss (ffi-unresolved): ARCH_KMALLOC_MINALIGN is blocklisted too,
// but bindings_helper.h provides it as a RUST_CONST_HELPER constant.
pub const MIN_ALIGN: usize = bindings::ARCH_KMALLOC_MINALIGN;
