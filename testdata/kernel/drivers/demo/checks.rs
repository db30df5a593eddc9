// SPDX-License-Identifier: GPL-2.0

//! What C hands back and what unsafe code owes its reader: results that
//! must be checked, error pointers, user-space pointers, SAFETY comments.

use crate::DemoStatsC;
use core::{mem::size_of, ptr, slice};
use kernel::{
    bindings,
    clk::Clk,
    device::Device,
    error::from_err_ptr,
    ffi::{c_char, c_ulong, c_void},
    prelude::*,
};

/// Copies `stats` to the user-space address `to`, ignoring a bad address.
pub fn copy_stats_out(to: usize, stats: &DemoStatsC) -> Result {
    let (to, from) = (to as *mut c_void, (stats as *const DemoStatsC).cast::<c_void>());
    let len = size_of::<DemoStatsC>() as c_ulong;
    // SAFETY: copy_to_user checks `to` itself; `from` is valid for `len`
    // bytes.
    unsafe { bindings::copy_to_user(to, from, len) }; // want "must-check-ignored"
    Ok(())
}

/// Copies `stats` to the user-space address `to`.
pub fn copy_stats_out_checked(to: usize, stats: &DemoStatsC) -> Result {
    let (to, from) = (to as *mut c_void, (stats as *const DemoStatsC).cast::<c_void>());
    let len = size_of::<DemoStatsC>() as c_ulong;
    // Near miss (must-check-ignored): the result decides what to return.
    // Near miss (registration-lifetime): copy_to_user does not keep `from`.
    // SAFETY: as above.
    if unsafe { bindings::copy_to_user(to, from, len) } != 0 {
        return Err(EFAULT);
    }
    Ok(())
}

/// Drops a reference counted by `r`.
///
/// # Safety
///
/// `r` must be valid, and the caller must own one of its references.
pub unsafe fn drop_ref(r: *mut bindings::refcount_t) {
    // refcount_dec_and_test is __must_check, but its helper dropped the
    // attribute, so rustc cannot warn: the last reference's object leaks.
    // SAFETY: the caller guarantees `r` is valid and owns a reference.
    unsafe { bindings::refcount_dec_and_test(r) }; // want "must-check-ignored"
}

/// Drops a reference counted by `r`; true when it was the last one, and
/// the caller must free the object.
///
/// # Safety
///
/// As for `drop_ref`.
pub unsafe fn put_ref(r: *mut bindings::refcount_t) -> bool {
    // Near miss (must-check-ignored): the result is returned.
    // SAFETY: as for `drop_ref`.
    unsafe { bindings::refcount_dec_and_test(r) }
}

/// The rate of `dev`'s default clock.
pub fn default_rate(dev: &Device) -> Result<c_ulong> {
    // SAFETY: `dev` is valid; a null con_id names the default clock.
    let clk = unsafe { bindings::clk_get(dev.as_raw(), ptr::null()) }; // want "err-ptr-unchecked"
    // clk_get returns ERR_PTR(-ENOENT), never NULL, when there is no
    // clock: this check lets the error through as if it were a clock.
    if clk.is_null() {
        return Err(ENODEV);
    }
    // SAFETY: `clk` is not null (but may be an error pointer: the bug).
    let rate = unsafe { bindings::clk_get_rate(clk) };
    // SAFETY: the reference clk_get returned is ours to drop.
    unsafe { bindings::clk_put(clk) };
    Ok(rate)
}

/// The rate of `dev`'s default clock.
pub fn default_rate_checked(dev: &Device) -> Result<c_ulong> {
    // Near miss (err-ptr-unchecked): from_err_ptr turns ERR_PTR into Err.
    // SAFETY: `dev` is valid; a null con_id names the default clock.
    let clk = from_err_ptr(unsafe { bindings::clk_get(dev.as_raw(), ptr::null()) })?;
    // SAFETY: `clk` is a valid clock.
    let rate = unsafe { bindings::clk_get_rate(clk) };
    // SAFETY: the reference clk_get returned is ours to drop.
    unsafe { bindings::clk_put(clk) };
    Ok(rate)
}

/// The rate of `dev`'s default clock, through the `Clk` owner type.
pub fn default_rate_owned(dev: &Device) -> Result<c_ulong> {
    // Near miss (err-ptr-unchecked): `Clk::get` checks with from_err_ptr.
    Ok(Clk::get(dev, None)?.rate())
}

/// Counts the lines of a `write`; demo.h passes `const char __user *buf`.
///
/// # Safety
///
/// `buf` and `len` come from a `write` system call.
#[no_mangle]
pub unsafe extern "C" fn demo_write(buf: *const c_char, len: usize) -> isize {
    // SAFETY: none holds: `buf` is a user-space address, which may be
    // unmapped or point wherever user space likes.
    let data = unsafe { slice::from_raw_parts(buf.cast::<u8>(), len) }; // want "user-pointer-deref"
    data.iter().filter(|&&b| b == b'\n').count() as isize
}

// Near miss (user-pointer-deref): the data goes through copy_from_user.
/// Counts the lines of a `write`; demo.h passes `const char __user *buf`.
///
/// # Safety
///
/// `buf` and `len` come from a `write` system call.
#[no_mangle]
pub unsafe extern "C" fn demo_write_copied(buf: *const c_char, len: usize) -> isize {
    let mut kbuf = [0u8; 64];
    let n = len.min(kbuf.len());
    // Near miss (registration-lifetime): copy_from_user does not keep `kbuf`.
    // SAFETY: copy_from_user checks `buf` itself; `kbuf` has room for `n`
    // bytes.
    let left = unsafe { bindings::copy_from_user(kbuf.as_mut_ptr().cast(), buf.cast(), n as c_ulong) };
    if left != 0 {
        return EFAULT.to_errno() as isize;
    }
    kbuf[..n].iter().filter(|&&b| b == b'\n').count() as isize
}

/// The rate of `clk`, bypassing `Clk::rate`.
pub fn raw_rate(clk: &Clk) -> c_ulong {
    unsafe { bindings::clk_get_rate(clk.as_raw()) } // want "unsafe-missing-safety"
}

/// Reads the event count C filled in.
pub unsafe fn read_events(p: *const DemoStatsC) -> u64 { // want "unsafe-missing-safety"
    // SAFETY: the caller passes a valid pointer, though no `# Safety`
    // section tells it to.
    unsafe { (*p).events }
}

// Near miss (unsafe-missing-safety): a `# Safety` section, and a SAFETY
// comment over the statement that holds the unsafe block.
/// Reads the byte count C filled in, in KiB.
///
/// # Safety
///
/// `p` must point to a valid `struct demo_stats`.
pub unsafe fn read_bytes(p: *const DemoStatsC) -> u64 {
    // SAFETY: the caller guarantees `p` is valid,
    // and C wrote `bytes` before handing it over.
    let bytes = unsafe {
        (*p).bytes
    };
    bytes / 1024
}
