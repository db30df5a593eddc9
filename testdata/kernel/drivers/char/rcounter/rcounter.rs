// SPDX-License-Identifier: GPL-2.0

//! rcounter: a misc character device that counts what user space writes
//! to it, in bytes and lines.
//!
//! The file operations are C (rcounter_glue.c): `write` copies the data in
//! and calls [`rcounter_account`], `read` returns [`rcounter_total`]. Both
//! are declared for C in rcounter_internal.h.

use core::{ffi::CStr, pin::Pin, slice};
use kernel::{
    bindings,
    error::to_result,
    ffi::{c_char, c_int},
    prelude::*,
    sync::{LockClassKey, Mutex},
    types::Opaque,
};

extern "C" {
    /// Registers `misc` with rcounter's file operations (rcounter_glue.c).
    fn rcounter_glue_register(misc: *mut bindings::miscdevice) -> c_int;

    /// Undoes `rcounter_glue_register` (rcounter_glue.c).
    fn rcounter_glue_unregister(misc: *mut bindings::miscdevice);
}

const NAME: &CStr = c"rcounter";

/// What has been written so far.
struct Stats {
    bytes: u64,
    lines: u64,
}

// SAFETY: `RCounter::init` initialises STATS before registering the device,
// the only way anything reaches `lock`.
static STATS: Mutex<Stats> = unsafe { Mutex::new(Stats { bytes: 0, lines: 0 }) };
static STATS_KEY: LockClassKey = LockClassKey::new();

/// The misc device. It is a `static`, so its address stays valid for as
/// long as the misc core keeps it.
struct MiscRegistration(Opaque<bindings::miscdevice>);

// SAFETY: the misc core serialises access to the miscdevice.
unsafe impl Sync for MiscRegistration {}

static MISC: MiscRegistration = MiscRegistration(Opaque::zeroed());

/// Accounts one write; called by `rcounter_write` with the data it copied
/// in.
///
/// # Safety
///
/// `data` must point to `len` readable bytes of kernel memory.
#[no_mangle]
pub unsafe extern "C" fn rcounter_account(data: *const c_char, len: usize) -> c_int {
    // SAFETY: the caller guarantees `data` holds `len` bytes; it is a kernel
    // buffer (rcounter_write copied it from user space), so reading it is
    // fine.
    let data = unsafe { slice::from_raw_parts(data.cast::<u8>(), len) };
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64;
    let mut stats = STATS.lock();
    match stats.bytes.checked_add(len as u64) {
        Some(bytes) => {
            stats.bytes = bytes;
            stats.lines += lines;
            0
        }
        None => ENOSPC.to_errno(),
    }
}

/// The number of bytes written so far; called by `rcounter_read`.
#[no_mangle]
pub extern "C" fn rcounter_total() -> u64 {
    STATS.lock().bytes
}

/// The loaded module; dropping it removes the device.
pub struct RCounter;

impl Module for RCounter {
    fn init() -> Result<Self> {
        Pin::static_ref(&STATS).init(NAME, &STATS_KEY);
        let misc = MISC.0.get();
        // SAFETY: `misc` points to a static that nothing else uses before
        // it is registered.
        unsafe {
            (*misc).minor = bindings::MISC_DYNAMIC_MINOR as c_int;
            (*misc).name = NAME.as_ptr();
        }
        // SAFETY: `misc` is initialised, and as a static it outlives the
        // registration, which `drop` ends.
        to_result(unsafe { rcounter_glue_register(misc) })?;
        Ok(RCounter)
    }
}

impl Drop for RCounter {
    fn drop(&mut self) {
        // SAFETY: `init` registered MISC, and only this unregisters it.
        unsafe { rcounter_glue_unregister(MISC.0.get()) };
    }
}
