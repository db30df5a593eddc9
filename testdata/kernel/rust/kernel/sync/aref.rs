// SPDX-License-Identifier: GPL-2.0

//! Reference-counted C objects: an [`ARef<T>`] owns one reference.

use core::{marker::PhantomData, mem::ManuallyDrop, ops::Deref, ptr::NonNull};

/// A type whose C objects are always reference-counted.
///
/// # Safety
///
/// `inc_ref` must take a reference that keeps the object alive, and
/// `dec_ref` must drop exactly one, freeing the object after the last.
pub unsafe trait AlwaysRefCounted {
    /// Takes a reference.
    fn inc_ref(&self);

    /// Drops a reference.
    ///
    /// # Safety
    ///
    /// The caller must own the reference it drops, and must not use `obj`
    /// afterwards unless it holds another.
    unsafe fn dec_ref(obj: NonNull<Self>);
}

/// One owned reference to an always-refcounted object; dropping it calls
/// `dec_ref`.
///
/// # Invariants
///
/// `ptr` is valid, and this `ARef` owns one reference to it.
pub struct ARef<T: AlwaysRefCounted> {
    ptr: NonNull<T>,
    _p: PhantomData<T>,
}

impl<T: AlwaysRefCounted> ARef<T> {
    /// Takes over a reference the caller owns.
    ///
    /// # Safety
    ///
    /// `ptr` must be valid, and the caller must own one reference to it,
    /// which it gives to the new `ARef`.
    pub unsafe fn from_raw(ptr: NonNull<T>) -> Self {
        // INVARIANT: the caller gives us its reference.
        ARef {
            ptr,
            _p: PhantomData,
        }
    }

    /// Gives the reference back: the caller must drop it later, with
    /// `from_raw` or `dec_ref`.
    pub fn into_raw(me: Self) -> NonNull<T> {
        ManuallyDrop::new(me).ptr
    }
}

impl<T: AlwaysRefCounted> Clone for ARef<T> {
    fn clone(&self) -> Self {
        self.inc_ref();
        // SAFETY: `inc_ref` just took the reference the clone owns.
        unsafe { Self::from_raw(self.ptr) }
    }
}

impl<T: AlwaysRefCounted> From<&T> for ARef<T> {
    fn from(b: &T) -> Self {
        b.inc_ref();
        // SAFETY: `inc_ref` just took the reference the new `ARef` owns.
        unsafe { Self::from_raw(NonNull::from(b)) }
    }
}

impl<T: AlwaysRefCounted> Deref for ARef<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: by the type invariant the object is alive.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: AlwaysRefCounted> Drop for ARef<T> {
    fn drop(&mut self) {
        // SAFETY: by the type invariant this `ARef` owns one reference,
        // dropped exactly once, here.
        unsafe { T::dec_ref(self.ptr) };
    }
}
