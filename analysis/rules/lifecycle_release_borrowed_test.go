package rules_test

import (
	"strings"
	"testing"
)

func TestLifecycleReleaseBorrowed(t *testing.T) {
	_, diags := checkLifecycle(t, `
-- drivers/demo/borrowed.rs --
use kernel::bindings;

pub fn put_a_reference(dev: &Device) {
    unsafe { bindings::put_device(dev.as_raw()) }; // want "lifecycle-release-borrowed"
}

pub fn free_drvdata(dev: *mut bindings::device) {
    let data = unsafe { bindings::dev_get_drvdata(dev) };
    unsafe { bindings::kfree(data) }; // want "lifecycle-release-borrowed"
}

pub fn free_devm(dev: *mut bindings::device) {
    let buf = unsafe { bindings::devm_kmalloc(dev, 64, bindings::GFP_KERNEL) };
    unsafe { bindings::kfree(buf) }; // want "lifecycle-release-borrowed"
}

pub struct Holder { buf: *mut core::ffi::c_void, dev: *mut bindings::device }

impl Holder {
    pub fn reset(&self) {
        unsafe { bindings::kfree(self.buf) }; // want "lifecycle-release-borrowed"
    }

    // Near miss: a &mut self method may take the buffer out and free it.
    pub fn take(&mut self) {
        unsafe { bindings::kfree(self.buf) };
        self.buf = core::ptr::null_mut();
    }
}

impl Drop for Holder {
    // Near miss: Drop owns self's fields.
    fn drop(&mut self) {
        unsafe { bindings::kfree(self.buf) };
    }
}

// Near misses.

pub unsafe fn dec_ref(obj: NonNull<bindings::device>) {
    unsafe { bindings::put_device(obj.as_ptr()) };
}

pub fn put_own(dev: &Device) {
    let raw = unsafe { bindings::get_device(dev.as_raw()) };
    unsafe { bindings::put_device(raw) };
}

pub fn free_devm_early(dev: *mut bindings::device) {
    let buf = unsafe { bindings::devm_kmalloc(dev, 64, bindings::GFP_KERNEL) };
    unsafe { bindings::devm_kfree(dev, buf) };
}

pub fn unprepare_borrowed(clk: &Clk) {
    unsafe { bindings::clk_unprepare(clk.as_raw()) };
}
`, "lifecycle-release-borrowed")

	d := lifecycleDiag(t, diags, "lifecycle-release-borrowed", "put_device()")
	if !strings.Contains(d.Message, "the `&Device` parameter `dev`") || !relatedMentions(d, "borrowed here") {
		t.Errorf("borrowed parameter: %q %+v", d.Message, d.Related)
	}
	m := lifecycleDiag(t, diags, "lifecycle-release-borrowed", "device-managed")
	if !strings.Contains(m.Message, "devm_kmalloc()") || !strings.Contains(m.Message, "devm_kfree()") {
		t.Errorf("devm: %q", m.Message)
	}
}
