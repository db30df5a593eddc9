// SPDX-License-Identifier: GPL-2.0

//! Types the abstractions share.

use core::{cell::UnsafeCell, marker::PhantomPinned, mem::MaybeUninit};

pub use crate::sync::aref::{ARef, AlwaysRefCounted};

/// A C object embedded in a Rust one.
///
/// Rust assumes nothing about it: it may be uninitialised, C may change it
/// at any time, and it must not move while C knows its address.
#[repr(transparent)]
pub struct Opaque<T> {
    value: UnsafeCell<MaybeUninit<T>>,
    _pin: PhantomPinned,
}

impl<T> Opaque<T> {
    /// An uninitialised object, for C to initialise in place.
    pub const fn uninit() -> Self {
        Self {
            value: UnsafeCell::new(MaybeUninit::uninit()),
            _pin: PhantomPinned,
        }
    }

    /// An all-zero object: the "unset" state of most C structs.
    pub const fn zeroed() -> Self {
        Self {
            value: UnsafeCell::new(MaybeUninit::zeroed()),
            _pin: PhantomPinned,
        }
    }

    /// The address of the C object, to pass to C.
    pub const fn get(&self) -> *mut T {
        self.value.get().cast()
    }
}
