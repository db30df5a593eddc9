package rules_test

import (
	"strings"
	"testing"
)

func TestSleepInAtomic(t *testing.T) {
	_, diags := checkLifecycle(t, `
-- drivers/demo/sleep.rs --
use kernel::bindings;

pub struct Dev {
    inner: SpinLock<u32>,
    m: Mutex<u32>,
}

impl Dev {
    pub fn under_guard(&self) {
        let g = self.inner.lock();
        unsafe { bindings::msleep(10) }; // want "sleep-in-atomic"
    }

    pub fn guard_dropped(&self) {
        let g = self.inner.lock();
        drop(g);
        unsafe { bindings::msleep(10) };
    }

    pub fn guard_scoped(&self) {
        {
            let _g = self.inner.lock();
        }
        unsafe { bindings::msleep(10) };
    }

    pub fn under_mutex(&self) {
        let _g = self.m.lock();
        unsafe { bindings::msleep(10) };
    }

    pub fn alloc_under_guard(&self) -> Result {
        let _g = self.inner.lock();
        let v = KVec::<u8>::with_capacity(16, GFP_KERNEL)?; // want "sleep-in-atomic"
        let w = KVec::<u8>::with_capacity(16, GFP_ATOMIC)?;
        Ok(())
    }
}

pub unsafe fn raw_lock(lock: *mut bindings::spinlock_t, clk: *mut bindings::clk) {
    unsafe { bindings::spin_lock(lock) };
    unsafe { bindings::clk_prepare(clk) }; // want "sleep-in-atomic"
    unsafe { bindings::clk_enable(clk) };
    let p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) }; // want "sleep-in-atomic"
    let q = unsafe { bindings::kmalloc(8, bindings::GFP_ATOMIC) };
    unsafe { bindings::spin_unlock(lock) };
    unsafe { bindings::clk_prepare(clk) };
    unsafe { bindings::kfree(p) };
    unsafe { bindings::kfree(q) };
}

pub fn rcu_section() {
    unsafe { bindings::rcu_read_lock() };
    unsafe { bindings::msleep(1) }; // want "sleep-in-atomic"
    unsafe { bindings::rcu_read_unlock() };
    unsafe { bindings::msleep(1) };
}
`, "sleep-in-atomic")

	d := lifecycleDiag(t, diags, "sleep-in-atomic", "clk_prepare() may sleep")
	if !strings.Contains(d.Message, "`lock` (spin_lock() at line") || !relatedMentions(d, "atomic section entered here") {
		t.Errorf("clk_prepare: %q %+v", d.Message, d.Related)
	}
	if !relatedMentions(d, "might_sleep") {
		t.Errorf("no sleep evidence from the C body: %+v", d.Related)
	}
	g := lifecycleDiag(t, diags, "sleep-in-atomic", "GFP_KERNEL, which may sleep, while the guard")
	if !strings.Contains(g.Message, "`self.inner`") {
		t.Errorf("guard: %q", g.Message)
	}
}
