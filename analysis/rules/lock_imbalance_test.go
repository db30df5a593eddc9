package rules_test

import (
	"strings"
	"testing"
)

func TestLockImbalance(t *testing.T) {
	_, diags := checkLifecycle(t, `
-- drivers/demo/locks.rs --
use kernel::bindings;

pub unsafe fn held_on_question(lock: *mut bindings::spinlock_t) -> Result {
    unsafe { bindings::spin_lock(lock) }; // want "lock-imbalance"
    check()?;
    unsafe { bindings::spin_unlock(lock) };
    Ok(())
}

pub unsafe fn mutex_held_in_match(m: *mut bindings::mutex, v: Option<u32>) -> u32 {
    unsafe { bindings::mutex_lock(m) }; // want "lock-imbalance"
    let n = match v {
        Some(n) => n,
        None => return 0,
    };
    unsafe { bindings::mutex_unlock(m) };
    n
}

pub unsafe fn unlocked_twice(lock: *mut bindings::spinlock_t, fail: bool) {
    unsafe { bindings::spin_lock(lock) };
    if fail {
        unsafe { bindings::spin_unlock(lock) };
    }
    unsafe { bindings::spin_unlock(lock) }; // want "lock-imbalance"
}

pub fn rcu_left_on_return(fail: bool) -> Result {
    unsafe { bindings::rcu_read_lock() }; // want "lock-imbalance"
    if fail {
        return Err(EINVAL);
    }
    unsafe { bindings::rcu_read_unlock() };
    Ok(())
}

pub unsafe fn forgot_to_unlock(lock: *mut bindings::spinlock_t, count: &mut u32) {
    unsafe { bindings::spin_lock(lock) }; // want "lock-imbalance"
    *count += 1;
}

// Near misses.

pub struct Locked<'a>(&'a bindings::spinlock_t);

impl<'a> Locked<'a> {
    pub fn new(lock: *mut bindings::spinlock_t) -> Self {
        unsafe { bindings::spin_lock(lock) };
        Self(unsafe { &*lock })
    }
}

pub unsafe fn balanced(lock: *mut bindings::spinlock_t, fail: bool) -> Result {
    unsafe { bindings::spin_lock(lock) };
    if fail {
        unsafe { bindings::spin_unlock(lock) };
        return Err(EINVAL);
    }
    unsafe { bindings::spin_unlock(lock) };
    Ok(())
}

pub unsafe fn lock_backend(lock: *mut bindings::spinlock_t) {
    unsafe { bindings::spin_lock(lock) };
}

pub unsafe fn unlock_backend(lock: *mut bindings::spinlock_t) {
    unsafe { bindings::spin_unlock(lock) };
}

pub fn guarded(m: &Mutex<u32>) -> Result {
    let mut g = m.lock();
    *g = check_value()?;
    Ok(())
}

pub unsafe fn try_bump(lock: *mut bindings::spinlock_t, count: &mut u32) -> bool {
    if unsafe { bindings::spin_trylock(lock) } == 0 {
        return false;
    }
    *count += 1;
    unsafe { bindings::spin_unlock(lock) };
    true
}

pub unsafe fn two_locks(a: *mut bindings::spinlock_t, b: *mut bindings::spinlock_t) {
    unsafe { bindings::spin_lock(a) };
    unsafe { bindings::spin_lock(b) };
    unsafe { bindings::spin_unlock(b) };
    unsafe { bindings::spin_unlock(a) };
}
`, "lock-imbalance")

	d := lifecycleDiag(t, diags, "lock-imbalance", "still held when `?`")
	if !strings.Contains(d.Message, "spin_lock() takes `lock`") || !relatedMentions(d, "released here on another path") {
		t.Errorf("held: %q %+v", d.Message, d.Related)
	}
	n := lifecycleDiag(t, diags, "lock-imbalance", "no path of forgot_to_unlock releases")
	if !strings.Contains(n.Message, "the function ends at line") {
		t.Errorf("never released: %q", n.Message)
	}
	u := lifecycleDiag(t, diags, "lock-imbalance", "already released")
	if !strings.Contains(u.Message, "spin_unlock() releases `lock`") || !relatedMentions(u, "taken here") {
		t.Errorf("unlock: %q %+v", u.Message, u.Related)
	}
}
