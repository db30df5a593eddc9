// SPDX-License-Identifier: GPL-2.0

//! Clocks: a [`Clk`] owns a `clk_get` reference and drops it with `clk_put`.

use crate::{
    bindings,
    device::Device,
    error::{from_err_ptr, to_result, Result},
    ffi::{c_char, c_ulong},
};
use core::{ffi::CStr, ptr};

/// A clock the driver holds a reference to.
///
/// # Invariants
///
/// `self.0` came from a successful `clk_get`, whose reference this `Clk`
/// owns.
pub struct Clk(*mut bindings::clk);

// SAFETY: clk_put may run on any thread, whichever called clk_get.
unsafe impl Send for Clk {}

// SAFETY: the clock framework synchronises the `&self` methods.
unsafe impl Sync for Clk {}

impl Clk {
    /// Looks up `dev`'s clock named `name`, or its default clock for `None`.
    pub fn get(dev: &Device, name: Option<&CStr>) -> Result<Self> {
        let con_id: *const c_char = name.map_or(ptr::null(), |n| n.as_ptr());
        // SAFETY: `dev` is a valid device and `con_id` is null or a
        // NUL-terminated string.
        //
        // INVARIANT: the new `Clk` owns the reference clk_get returned.
        Ok(Self(from_err_ptr(unsafe {
            bindings::clk_get(dev.as_raw(), con_id)
        })?))
    }

    /// The C `struct clk`.
    pub fn as_raw(&self) -> *mut bindings::clk {
        self.0
    }

    /// The clock's rate, in Hz.
    pub fn rate(&self) -> c_ulong {
        // SAFETY: by the type invariant `self.0` is a valid clock.
        unsafe { bindings::clk_get_rate(self.0) }
    }

    /// Prepares and enables the clock; `disable_unprepare` undoes it. May
    /// sleep.
    pub fn prepare_enable(&self) -> Result {
        // SAFETY: by the type invariant `self.0` is a valid clock.
        to_result(unsafe { bindings::clk_prepare(self.0) })?;
        // SAFETY: as above, and the clock is now prepared.
        let ret = unsafe { bindings::clk_enable(self.0) };
        if ret < 0 {
            // SAFETY: undoes the clk_prepare above.
            unsafe { bindings::clk_unprepare(self.0) };
        }
        to_result(ret)
    }

    /// Undoes a successful `prepare_enable`. May sleep.
    pub fn disable_unprepare(&self) {
        // SAFETY: by the type invariant `self.0` is a valid clock, which
        // the caller enabled with `prepare_enable`.
        unsafe { bindings::clk_disable(self.0) };
        // SAFETY: as above.
        unsafe { bindings::clk_unprepare(self.0) };
    }
}

impl Drop for Clk {
    fn drop(&mut self) {
        // SAFETY: by the type invariant this `Clk` owns a clk_get reference.
        unsafe { bindings::clk_put(self.0) };
    }
}
