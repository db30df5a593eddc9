// SPDX-License-Identifier: GPL-2.0

//! Ownership of what C hands out: each reference or allocation is given
//! back once, with the function that pairs with how it was taken, by the
//! code that owns it.

use core::ptr::{self, NonNull};
use kernel::{
    bindings,
    device::Device,
    error::{from_err_ptr, to_result},
    ffi::c_void,
    prelude::*,
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
};

/// Fails unless `dev` has a parent: stands in for any step that can fail.
fn check_parent(dev: &Device) -> Result {
    dev.parent().map(|_| ()).ok_or(ENODEV)
}

/// Holds a reference across a check, and leaks it when the check fails.
pub fn leak_on_error(dev: &Device) -> Result {
    // SAFETY: `dev` is valid, so taking a reference is fine.
    let raw = unsafe { bindings::get_device(dev.as_raw()) }; // want "lifecycle-leak"
    check_parent(dev)?; // returns with the reference still held
    // SAFETY: `raw` holds the reference taken above.
    unsafe { bindings::put_device(raw) };
    Ok(())
}

/// Takes a reference and returns it once a check passes.
pub fn no_leak_on_error(dev: &Device) -> Result<ARef<Device>> {
    // SAFETY: `dev` is valid, so taking a reference is fine.
    let raw = unsafe { bindings::get_device(dev.as_raw()) };
    // Near miss (lifecycle-leak): the ARef owns the reference before `?`
    // can return, and drops it on that path.
    // SAFETY: get_device returned `dev` itself, with a new reference that
    // the ARef takes over.
    let owned = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast::<Device>())) };
    check_parent(&owned)?;
    Ok(owned)
}

/// A clock ready for use: owns a clk_get reference and one prepare count.
///
/// # Invariants
///
/// `clk` came from clk_get, and this value prepared it once.
pub struct PreparedClk {
    clk: *mut bindings::clk,
}

impl PreparedClk {
    /// Gets and prepares `dev`'s default clock, but leaks the reference
    /// when preparing fails: `?` returns before `Self` owns `clk`.
    pub fn new(dev: &Device) -> Result<Self> {
        // SAFETY: `dev` is valid; a null con_id names the default clock.
        let clk = from_err_ptr(unsafe { bindings::clk_get(dev.as_raw(), ptr::null()) })?; // want "lifecycle-leak"
        // SAFETY: `clk` is a valid clock.
        to_result(unsafe { bindings::clk_prepare(clk) })?;
        Ok(Self { clk })
    }

    /// Gets and prepares `dev`'s default clock.
    pub fn new_checked(dev: &Device) -> Result<Self> {
        // Near miss (lifecycle-leak): the error path drops the reference,
        // and on success `Self` owns it until Drop.
        // SAFETY: `dev` is valid; a null con_id names the default clock.
        let clk = from_err_ptr(unsafe { bindings::clk_get(dev.as_raw(), ptr::null()) })?;
        // SAFETY: `clk` is a valid clock.
        let ret = unsafe { bindings::clk_prepare(clk) };
        if ret < 0 {
            // SAFETY: the reference clk_get returned is ours to drop.
            unsafe { bindings::clk_put(clk) };
            return Err(Error::from_errno(ret));
        }
        Ok(Self { clk })
    }
}

impl Drop for PreparedClk {
    fn drop(&mut self) {
        // SAFETY: by the type invariant `clk` is prepared and referenced.
        unsafe { bindings::clk_unprepare(self.clk) };
        // SAFETY: as above.
        unsafe { bindings::clk_put(self.clk) };
    }
}

/// Allocates with kmalloc and frees with vfree.
pub fn mismatched_free() -> Result {
    // SAFETY: kmalloc has no preconditions.
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if buf.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: `buf` is not used after this.
    unsafe { bindings::vfree(buf) }; // want "lifecycle-mismatched-release"
    Ok(())
}

/// Allocates with kmalloc and frees with kvfree.
pub fn kvfree_of_kmalloc() -> Result {
    // SAFETY: kmalloc has no preconditions.
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if buf.is_null() {
        return Err(ENOMEM);
    }
    // Near miss (lifecycle-mismatched-release): kvfree frees kmalloc,
    // vmalloc and kvmalloc memory alike.
    // SAFETY: `buf` is not used after this.
    unsafe { bindings::kvfree(buf) };
    Ok(())
}

/// A second wrapper of `struct device`, whose `dec_ref` is wrong.
#[repr(transparent)]
pub struct RawDevice(Opaque<bindings::device>);

// SAFETY: get_device keeps the device alive; `dec_ref` is the bug shown.
unsafe impl AlwaysRefCounted for RawDevice {
    fn inc_ref(&self) {
        // SAFETY: a shared reference means the refcount is non-zero.
        unsafe { bindings::get_device(self.0.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // A get_device reference is dropped with put_device: kfree frees
        // the device under every other holder.
        // SAFETY: the caller owns the reference it gives up.
        unsafe { bindings::kfree(obj.as_ptr().cast::<c_void>()) }; // want "lifecycle-mismatched-release"
    }
}

/// Drops a reference it never took: its caller's.
pub fn put_borrowed(dev: &Device) {
    // SAFETY: `dev` is valid.
    unsafe { bindings::put_device(dev.as_raw()) }; // want "lifecycle-release-borrowed"
}

/// Takes a reference and drops it again.
pub fn put_own(dev: &Device) {
    // SAFETY: `dev` is valid, so taking a reference is fine.
    let raw = unsafe { bindings::get_device(dev.as_raw()) };
    // Near miss (lifecycle-release-borrowed): this reference is the
    // function's own.
    // SAFETY: `raw` holds the reference taken above.
    unsafe { bindings::put_device(raw) };
}

/// Frees device-managed memory with kfree: the driver core frees it again
/// when `dev` unbinds.
pub fn free_devm(dev: &Device) -> Result {
    // SAFETY: `dev` is a valid device.
    let buf = unsafe { bindings::devm_kmalloc(dev.as_raw(), 64, bindings::GFP_KERNEL) };
    if buf.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: `buf` is not used after this.
    unsafe { bindings::kfree(buf) }; // want "lifecycle-release-borrowed"
    Ok(())
}

/// Frees device-managed memory before `dev` unbinds.
pub fn free_devm_early(dev: &Device) -> Result {
    // SAFETY: `dev` is a valid device.
    let buf = unsafe { bindings::devm_kmalloc(dev.as_raw(), 64, bindings::GFP_KERNEL) };
    if buf.is_null() {
        return Err(ENOMEM);
    }
    // Near miss (lifecycle-release-borrowed): devm_kfree is how devm
    // memory is freed early.
    // SAFETY: `buf` came from devm_kmalloc on `dev`, and is not used after
    // this.
    unsafe { bindings::devm_kfree(dev.as_raw(), buf) };
    Ok(())
}

/// Hands a reference to an `ARef`, then drops it by hand as well.
pub fn double_put(dev: &Device) -> ARef<Device> {
    // SAFETY: `dev` is valid, so taking a reference is fine.
    let raw = unsafe { bindings::get_device(dev.as_raw()) };
    // SAFETY: get_device returned `dev` itself, with a new reference that
    // the ARef takes over.
    let owned = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast::<Device>())) };
    // SAFETY: `raw` is still valid (the ARef keeps it alive), but the
    // reference belongs to the ARef now.
    unsafe { bindings::put_device(raw) }; // want "lifecycle-double-release"
    owned
}

/// Frees on the error path, then again on the common one.
pub fn free_twice(fail: bool) -> Result {
    // SAFETY: kmalloc has no preconditions.
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if buf.is_null() {
        return Err(ENOMEM);
    }
    if fail {
        // SAFETY: `buf` is the allocation above.
        unsafe { bindings::kfree(buf) };
    }
    // SAFETY: `buf` is the allocation above, unless `fail` freed it.
    unsafe { bindings::kfree(buf) }; // want "lifecycle-double-release"
    Ok(())
}

/// Frees on the error path and returns, or frees on the common one.
pub fn free_once(fail: bool) -> Result {
    // SAFETY: kmalloc has no preconditions.
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if buf.is_null() {
        return Err(ENOMEM);
    }
    if fail {
        // SAFETY: `buf` is the allocation above.
        unsafe { bindings::kfree(buf) };
        return Err(EINVAL);
    }
    // Near miss (lifecycle-double-release): the path that freed `buf`
    // returned above.
    // SAFETY: `buf` is the allocation above.
    unsafe { bindings::kfree(buf) };
    Ok(())
}
