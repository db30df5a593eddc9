package rules_test

import (
	"strings"
	"testing"
)

func TestLifecycleDoubleRelease(t *testing.T) {
	_, diags := checkLifecycle(t, `
-- drivers/demo/double.rs --
use kernel::bindings;

pub fn twice() {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    unsafe { bindings::kfree(buf) };
    unsafe { bindings::kfree(buf) }; // want "lifecycle-double-release"
}

pub fn on_one_path(fail: bool) {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    match fail {
        true => unsafe { bindings::kfree(buf) },
        false => {}
    }
    unsafe { bindings::kfree(buf) }; // want "lifecycle-double-release"
}

pub fn after_aref(dev: *mut bindings::device) -> ARef<Device> {
    let raw = unsafe { bindings::get_device(dev) };
    let owned = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast::<Device>())) };
    unsafe { bindings::put_device(raw) }; // want "lifecycle-double-release"
    owned
}

pub struct Gate { clk: *mut bindings::clk }

impl Gate {
    pub fn new(dev: *mut bindings::device) -> Self {
        let clk = unsafe { bindings::clk_get(dev, core::ptr::null()) };
        let gate = Self { clk };
        unsafe { bindings::clk_put(clk) }; // want "lifecycle-double-release"
        gate
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        unsafe { bindings::clk_put(self.clk) };
    }
}

// Near misses.

pub fn returns_after_free(fail: bool) -> Result {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if fail {
        unsafe { bindings::kfree(buf) };
        return Err(EINVAL);
    }
    unsafe { bindings::kfree(buf) };
    Ok(())
}

pub fn reallocated() {
    let mut buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    unsafe { bindings::kfree(buf) };
    buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    unsafe { bindings::kfree(buf) };
}

pub fn in_a_loop(n: u32) {
    for _ in 0..n {
        let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
        unsafe { bindings::kfree(buf) };
    }
}
`, "lifecycle-double-release")

	d := lifecycleDiag(t, diags, "lifecycle-double-release", "through line 5 ")
	if !strings.Contains(d.Message, "line 5") || !relatedMentions(d, "first released here") {
		t.Errorf("twice: %q %+v", d.Message, d.Related)
	}
	o := lifecycleDiag(t, diags, "lifecycle-double-release", "ARef::from_raw")
	if !strings.Contains(o.Message, "put_device()") || !relatedMentions(o, "ownership passes to ARef::from_raw") {
		t.Errorf("after ARef: %q %+v", o.Message, o.Related)
	}
}
