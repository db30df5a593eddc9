package rules_test

import (
	"strings"
	"testing"
)

func TestLifecycleMismatchedRelease(t *testing.T) {
	_, diags := checkLifecycle(t, `
-- drivers/demo/mismatch.rs --
use kernel::bindings;

pub fn vfree_of_kmalloc() {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    unsafe { bindings::vfree(buf) }; // want "lifecycle-mismatched-release"
}

pub fn kfree_of_vmalloc() {
    let buf = unsafe { bindings::vmalloc(64) };
    let bytes = buf.cast::<u8>();
    unsafe { bindings::kfree(bytes.cast()) }; // want "lifecycle-mismatched-release"
}

pub fn kfree_of_device(dev: *mut bindings::device) {
    let raw = unsafe { bindings::get_device(dev) };
    if !raw.is_null() {
        unsafe { bindings::kfree(raw.cast()) }; // want "lifecycle-mismatched-release"
    }
}

// Near misses.

pub fn kvfree_of_kmalloc() {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    unsafe { bindings::kvfree(buf) };
}

pub fn kvfree_of_vmalloc() {
    let buf = unsafe { bindings::vmalloc(64) };
    unsafe { bindings::kvfree(buf) };
}

pub fn put_of_device(dev: *mut bindings::device) {
    let raw = unsafe { bindings::get_device(dev) };
    unsafe { bindings::put_device(raw) };
}

pub fn after_a_handoff(dev: *mut bindings::device) {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    stash(buf);
    unsafe { bindings::vfree(buf) };
}
-- drivers/demo/owner.rs --
use kernel::bindings;

pub struct Buffer { mem: *mut core::ffi::c_void }

impl Buffer {
    pub fn new() -> Result<Self> {
        let mem = unsafe { bindings::vmalloc(4096) };
        if mem.is_null() {
            return Err(ENOMEM);
        }
        Ok(Self { mem })
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        unsafe { bindings::kfree(self.mem) }; // want "lifecycle-mismatched-release"
    }
}

pub struct Good { mem: *mut core::ffi::c_void }

impl Good {
    pub fn new() -> Self {
        Self { mem: unsafe { bindings::vmalloc(4096) } }
    }
}

impl Drop for Good {
    fn drop(&mut self) {
        unsafe { bindings::vfree(self.mem) };
    }
}

#[repr(transparent)]
pub struct Dev(Opaque<bindings::device>);

unsafe impl AlwaysRefCounted for Dev {
    fn inc_ref(&self) {
        unsafe { bindings::get_device(self.0.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        unsafe { bindings::vfree(obj.as_ptr().cast()) }; // want "lifecycle-mismatched-release"
    }
}
`, "lifecycle-mismatched-release")

	d := lifecycleDiag(t, diags, "lifecycle-mismatched-release", "kmalloc() returns is released with vfree()")
	for _, want := range []string{"the allocation kmalloc() returns", "kfree()"} {
		if !strings.Contains(d.Message, want) {
			t.Errorf("message %q lacks %q", d.Message, want)
		}
	}
	if !relatedMentions(d, "acquired here by kmalloc()") {
		t.Errorf("no related acquisition: %+v", d.Related)
	}
	o := lifecycleDiag(t, diags, "lifecycle-mismatched-release", "Drop of Buffer")
	if !strings.Contains(o.Message, "vmalloc() returns") || !relatedMentions(o, "stored in Buffer.mem") {
		t.Errorf("owner mismatch: %q %+v", o.Message, o.Related)
	}
	r := lifecycleDiag(t, diags, "lifecycle-mismatched-release", "dec_ref of Dev")
	if !strings.Contains(r.Message, "get_device()") || !relatedMentions(r, "inc_ref takes the reference here") {
		t.Errorf("dec_ref mismatch: %q %+v", r.Message, r.Related)
	}
}
