// SPDX-License-Identifier: GPL-2.0

//! Locks and lifetimes: a lock is released on every path, nothing that
//! may sleep runs under a spinlock, and what C keeps outlives its
//! registration.

use crate::NAME;
use kernel::{
    bindings,
    clk::Clk,
    error::to_result,
    ffi::c_int,
    prelude::*,
    sync::Mutex,
    types::Opaque,
};

/// Adds one to `count` unless it has reached `limit`.
///
/// # Safety
///
/// `lock` must be an initialised spinlock that protects `count`.
pub unsafe fn bump(lock: *mut bindings::spinlock_t, count: &mut u32, limit: u32) -> Result {
    // SAFETY: the caller guarantees `lock` is initialised.
    unsafe { bindings::spin_lock(lock) }; // want "lock-imbalance"
    if *count == limit {
        return Err(EBUSY); // returns with the lock held
    }
    *count += 1;
    // SAFETY: the lock is held, taken above.
    unsafe { bindings::spin_unlock(lock) };
    Ok(())
}

/// Adds one to `count` unless it has reached `limit`.
///
/// # Safety
///
/// As for `bump`.
pub unsafe fn bump_checked(lock: *mut bindings::spinlock_t, count: &mut u32, limit: u32) -> Result {
    // Near miss (lock-imbalance): both paths unlock.
    // SAFETY: the caller guarantees `lock` is initialised.
    unsafe { bindings::spin_lock(lock) };
    let full = *count == limit;
    if !full {
        *count += 1;
    }
    // SAFETY: the lock is held, taken above.
    unsafe { bindings::spin_unlock(lock) };
    if full {
        return Err(EBUSY);
    }
    Ok(())
}

/// Resets `count`, then unlocks a second time.
///
/// # Safety
///
/// As for `bump`.
pub unsafe fn reset(lock: *mut bindings::spinlock_t, count: &mut u32) {
    // SAFETY: the caller guarantees `lock` is initialised.
    unsafe { bindings::spin_lock(lock) };
    *count = 0;
    // SAFETY: the lock is held, taken above.
    unsafe { bindings::spin_unlock(lock) };
    // SAFETY: none holds: the lock was released on the line above.
    unsafe { bindings::spin_unlock(lock) }; // want "lock-imbalance"
}

/// Adds `n` to a total, failing on overflow.
pub fn add(total: &Mutex<u64>, n: u64) -> Result {
    let mut guard = total.lock();
    // Near miss (lock-imbalance): the guard unlocks on the early return.
    *guard = guard.checked_add(n).ok_or(ENOSPC)?;
    Ok(())
}

/// Prepares `clk` with a spinlock held; the caller unprepares it later.
///
/// # Safety
///
/// `lock` must be an initialised spinlock.
pub unsafe fn prepare_locked(lock: *mut bindings::spinlock_t, clk: &Clk) -> Result {
    // SAFETY: the caller guarantees `lock` is initialised.
    unsafe { bindings::spin_lock(lock) };
    // clk_prepare calls might_sleep() (drivers/clk/clk.c).
    // SAFETY: `clk` is a valid clock.
    let ret = unsafe { bindings::clk_prepare(clk.as_raw()) }; // want "sleep-in-atomic"
    // SAFETY: the lock is held, taken above.
    unsafe { bindings::spin_unlock(lock) };
    to_result(ret)
}

/// Enables `clk` with a spinlock held; the caller disables it later.
///
/// # Safety
///
/// `lock` must be an initialised spinlock, and `clk` prepared.
pub unsafe fn enable_locked(lock: *mut bindings::spinlock_t, clk: &Clk) -> Result {
    // SAFETY: the caller guarantees `lock` is initialised.
    unsafe { bindings::spin_lock(lock) };
    // Near miss (sleep-in-atomic): clk_enable does not sleep.
    // SAFETY: `clk` is a valid, prepared clock.
    let ret = unsafe { bindings::clk_enable(clk.as_raw()) };
    // SAFETY: the lock is held, taken above.
    unsafe { bindings::spin_unlock(lock) };
    to_result(ret)
}

/// Prepares `clk` with a mutex held; the caller unprepares it later.
pub fn prepare_under_mutex(m: &Mutex<u32>, clk: &Clk) -> Result {
    let _guard = m.lock();
    // Near miss (sleep-in-atomic): a mutex holder may sleep.
    // SAFETY: `clk` is a valid clock.
    to_result(unsafe { bindings::clk_prepare(clk.as_raw()) })
}

/// Allocates two buffers with a spinlock held, and frees them.
///
/// # Safety
///
/// `lock` must be an initialised spinlock.
pub unsafe fn alloc_locked(lock: *mut bindings::spinlock_t) {
    // SAFETY: the caller guarantees `lock` is initialised.
    unsafe { bindings::spin_lock(lock) };
    // SAFETY: kmalloc has no preconditions (but GFP_KERNEL may sleep).
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) }; // want "sleep-in-atomic"
    // Near miss (sleep-in-atomic): GFP_ATOMIC never sleeps.
    // SAFETY: kmalloc has no preconditions.
    let spare = unsafe { bindings::kmalloc(64, bindings::GFP_ATOMIC) };
    // SAFETY: the lock is held, taken above.
    unsafe { bindings::spin_unlock(lock) };
    // SAFETY: kfree takes kmalloc memory or NULL; neither is used again.
    unsafe { bindings::kfree(spare) };
    // SAFETY: as above.
    unsafe { bindings::kfree(buf) };
}

/// Registers a misc device that lives on the stack: misc_register keeps
/// the pointer in its list after this function returns.
pub fn register_on_stack() -> Result {
    // SAFETY: all-zero is a valid, unregistered miscdevice.
    let mut misc: bindings::miscdevice = unsafe { core::mem::zeroed() };
    misc.minor = bindings::MISC_DYNAMIC_MINOR as c_int;
    misc.name = NAME.as_ptr();
    // SAFETY: `misc` is initialised (but dies when this function returns).
    to_result(unsafe { bindings::misc_register(&mut misc) }) // want "registration-lifetime"
}

/// A misc device inside a value that may move.
pub struct Holder {
    pub misc: bindings::miscdevice,
}

impl Holder {
    /// Registers the device, although `self` may move afterwards.
    pub fn register(&mut self) -> Result {
        // SAFETY: `self.misc` is initialised (but not pinned).
        to_result(unsafe { bindings::misc_register(&mut self.misc) }) // want "registration-lifetime"
    }
}

/// A misc device in a `static`.
struct StaticMisc(Opaque<bindings::miscdevice>);

// SAFETY: the misc core serialises access to the miscdevice.
unsafe impl Sync for StaticMisc {}

static MISC: StaticMisc = StaticMisc(Opaque::zeroed());

/// Registers the static misc device, for good.
pub fn register_static() -> Result {
    let misc = MISC.0.get();
    // SAFETY: `misc` points to a static that nothing else uses before it is
    // registered.
    unsafe {
        (*misc).minor = bindings::MISC_DYNAMIC_MINOR as c_int;
        (*misc).name = NAME.as_ptr();
    }
    // Near miss (registration-lifetime): a static never moves or dies.
    // SAFETY: `misc` is initialised.
    to_result(unsafe { bindings::misc_register(misc) })
}
