// SPDX-License-Identifier: GPL-2.0

//! Synchronisation: [`Mutex`] over C's `struct mutex`, and reference
//! counting ([`aref`]).

use crate::{bindings, types::Opaque};
use core::{
    cell::UnsafeCell,
    ffi::CStr,
    ops::{Deref, DerefMut},
    pin::Pin,
};

pub mod aref;

/// A lockdep class: one per place that initialises locks.
#[repr(transparent)]
pub struct LockClassKey(Opaque<bindings::lock_class_key>);

// SAFETY: lockdep only uses the key's address, from any thread.
unsafe impl Sync for LockClassKey {}

impl LockClassKey {
    /// A key, for a `static`.
    pub const fn new() -> Self {
        Self(Opaque::uninit())
    }

    /// The C `struct lock_class_key`.
    pub fn as_ptr(&self) -> *mut bindings::lock_class_key {
        self.0.get()
    }
}

impl Default for LockClassKey {
    fn default() -> Self {
        Self::new()
    }
}

/// A sleeping lock protecting a `T`, over a C `struct mutex`.
///
/// # Invariants
///
/// Once `init` has returned, the C mutex is initialised and does not move.
pub struct Mutex<T> {
    mutex: Opaque<bindings::mutex>,
    data: UnsafeCell<T>,
}

// SAFETY: the mutex moves `T` between threads, so `T: Send` is enough.
unsafe impl<T: Send> Send for Mutex<T> {}

// SAFETY: the mutex gives one thread at a time access to `T`.
unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// A mutex over `data`, to be initialised with `init`.
    ///
    /// # Safety
    ///
    /// `init` must run before `lock` is first called.
    pub const unsafe fn new(data: T) -> Self {
        Self {
            mutex: Opaque::uninit(),
            data: UnsafeCell::new(data),
        }
    }

    /// Initialises the C mutex in place.
    pub fn init(self: Pin<&Self>, name: &'static CStr, key: &'static LockClassKey) {
        // SAFETY: `self` is pinned, so the C mutex never moves from here on;
        // `name` and `key` live forever.
        unsafe { bindings::__mutex_init(self.mutex.get(), name.as_ptr(), key.as_ptr()) };
    }

    // Near miss (lock-imbalance): the returned guard holds the lock, and its
    // Drop releases it.
    /// Takes the lock, sleeping until it is free. The guard releases it.
    pub fn lock(&self) -> Guard<'_, T> {
        // SAFETY: by the type invariant and the contract of `new`, the C
        // mutex is initialised.
        unsafe { bindings::mutex_lock(self.mutex.get()) };
        // INVARIANT: this thread now holds the mutex, for the guard.
        Guard { lock: self }
    }
}

/// A held [`Mutex`]: gives access to the data and unlocks when dropped.
///
/// # Invariants
///
/// The guard's thread holds `lock`.
pub struct Guard<'a, T> {
    lock: &'a Mutex<T>,
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: by the type invariant the lock is held, so no one else
        // accesses the data.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this the only access.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: by the type invariant this thread holds the mutex.
        unsafe { bindings::mutex_unlock(self.lock.mutex.get()) };
    }
}
