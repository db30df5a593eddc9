package rules_test

import (
	"strings"
	"testing"
)

func TestRegistrationLifetime(t *testing.T) {
	_, diags := checkLifecycle(t, `
-- drivers/demo/register.rs --
use kernel::bindings;

pub fn on_stack() -> Result {
    let mut misc: bindings::miscdevice = unsafe { core::mem::zeroed() };
    to_result(unsafe { bindings::misc_register(&mut misc) }) // want "registration-lifetime"
}

pub fn raw_borrow_of_stack() -> Result {
    let mut misc: bindings::miscdevice = unsafe { core::mem::zeroed() };
    let ptr = core::ptr::addr_of_mut!(misc);
    to_result(unsafe { bindings::misc_register(core::ptr::addr_of_mut!(misc)) }) // want "registration-lifetime"
}

pub fn by_value(mut misc: bindings::miscdevice) -> Result {
    to_result(unsafe { bindings::misc_register(&mut misc) }) // want "registration-lifetime"
}

pub struct Holder { misc: bindings::miscdevice }

impl Holder {
    pub fn register(&mut self) -> Result {
        to_result(unsafe { bindings::misc_register(&mut self.misc) }) // want "registration-lifetime"
    }

    // Near miss: a pinned self does not move.
    pub fn register_pinned(self: Pin<&mut Self>) -> Result {
        let this = unsafe { self.get_unchecked_mut() };
        to_result(unsafe { bindings::misc_register(&mut this.misc) })
    }
}

// Near misses.

static mut MISC: bindings::miscdevice = unsafe { core::mem::zeroed() };

pub fn on_a_static() -> Result {
    to_result(unsafe { bindings::misc_register(core::ptr::addr_of_mut!(MISC)) })
}

pub fn on_the_heap(b: &mut KBox<Holder>) -> Result {
    to_result(unsafe { bindings::misc_register(&mut b.misc) })
}

pub fn through_a_pointer(p: *mut bindings::miscdevice) -> Result {
    to_result(unsafe { bindings::misc_register(p) })
}

pub fn boxed() -> Result {
    let mut h = KBox::new(Holder { misc: unsafe { core::mem::zeroed() } }, GFP_KERNEL)?;
    to_result(unsafe { bindings::misc_register(&mut h.misc) })
}

pub fn not_kept() -> Result {
    let mut misc: bindings::miscdevice = unsafe { core::mem::zeroed() };
    unsafe { bindings::misc_deregister(&mut misc) };
    Ok(())
}
`, "registration-lifetime")

	d := lifecycleDiag(t, diags, "registration-lifetime", "parameter `misc`")
	if !strings.Contains(d.Message, "misc_register() keeps its argument") || !relatedMentions(d, "declared here") {
		t.Errorf("stack local: %q %+v", d.Message, d.Related)
	}
	if !relatedMentions(d, "misc_register keeps its argument") {
		t.Errorf("no related C evidence: %+v", d.Related)
	}
}
