// SPDX-License-Identifier: GPL-2.0

//! Devices: C's `struct device`.

use crate::{
    bindings,
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
};
use core::ptr::NonNull;

/// A `struct device`.
///
/// Devices are reference-counted: hold an `ARef<Device>` to keep one alive,
/// or borrow a `&Device` from code that does.
///
/// # Invariants
///
/// The C object is initialised, and its refcount is non-zero while a
/// `&Device` to it exists.
#[repr(transparent)]
pub struct Device(Opaque<bindings::device>);

impl Device {
    /// Borrows a C device as a `&Device`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an initialised `struct device` that stays alive
    /// for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::device) -> &'a Self {
        // SAFETY: `Device` is a transparent wrapper of `struct device`, and
        // the caller guarantees `ptr` is valid for `'a`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Takes a new reference to a C device.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an initialised `struct device` whose refcount is
    /// non-zero.
    pub unsafe fn get_device(ptr: *mut bindings::device) -> ARef<Self> {
        // SAFETY: the caller guarantees `ptr` is valid; `ARef::from` takes
        // the reference the result owns.
        ARef::from(unsafe { Self::from_raw(ptr) })
    }

    /// The C `struct device`.
    pub fn as_raw(&self) -> *mut bindings::device {
        self.0.get()
    }

    /// The parent device, borrowed for as long as `self` is.
    pub fn parent(&self) -> Option<&Device> {
        // SAFETY: by the type invariant the device is initialised; C sets
        // `parent` before the device is visible and never changes it.
        let parent = unsafe { (*self.as_raw()).parent };
        if parent.is_null() {
            return None;
        }
        // SAFETY: a device holds a reference to its parent, so the parent
        // lives at least as long as `self`.
        Some(unsafe { Self::from_raw(parent) })
    }
}

// SAFETY: get_device keeps a `struct device` alive until the matching
// put_device, and the last put_device frees it.
unsafe impl AlwaysRefCounted for Device {
    // Near miss (lifecycle-leak): `inc_ref` is the acquiring half of the
    // pair; the `ARef` it feeds calls `dec_ref` when dropped.
    fn inc_ref(&self) {
        // SAFETY: a shared reference means the refcount is non-zero.
        unsafe { bindings::get_device(self.as_raw()) };
    }

    // Near miss (unsafe-missing-safety): a trait method's `# Safety` is the
    // trait's (sync/aref.rs); implementations do not repeat it.
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: the caller owns the reference it gives up.
        unsafe { bindings::put_device(obj.cast().as_ptr()) }
    }
}

// SAFETY: a `struct device` may be used and released on any thread.
unsafe impl Send for Device {}

// SAFETY: the C side synchronises what `&Device` gives access to.
unsafe impl Sync for Device {}
