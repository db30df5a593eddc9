package rules_test

import (
	"strings"
	"testing"
)

func TestLifecycleLeak(t *testing.T) {
	_, diags := checkLifecycle(t, `
-- drivers/demo/leak.rs --
use kernel::bindings;

fn check() -> Result { Ok(()) }

pub fn early_question(dev: *mut bindings::device) -> Result {
    let raw = unsafe { bindings::get_device(dev) }; // want "lifecycle-leak"
    check()?;
    unsafe { bindings::put_device(raw) };
    Ok(())
}

pub fn early_return(fail: bool) -> Result {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) }; // want "lifecycle-leak"
    if buf.is_null() {
        return Err(ENOMEM);
    }
    if fail {
        return Err(EINVAL);
    }
    unsafe { bindings::kfree(buf) };
    Ok(())
}

pub fn in_match(dev: *mut bindings::device) -> Result {
    let clk = unsafe { bindings::clk_get(dev, core::ptr::null()) }; // want "lifecycle-leak"
    match check() {
        Ok(()) => {}
        Err(e) => return Err(e),
    }
    unsafe { bindings::clk_put(clk) };
    Ok(())
}

pub fn break_out(n: u32) {
    for _ in 0..n {
        let p = unsafe { bindings::vmalloc(64) }; // want "lifecycle-leak"
        if n == 3 {
            break;
        }
        unsafe { bindings::vfree(p) };
    }
}

// Near misses.

pub fn null_checked() -> Result {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if buf.is_null() {
        return Err(ENOMEM);
    }
    unsafe { bindings::kfree(buf) };
    Ok(())
}

pub fn returned() -> Result<*mut core::ffi::c_void> {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if buf.is_null() {
        return Err(ENOMEM);
    }
    Ok(buf)
}

pub fn to_an_owner(dev: *mut bindings::device) -> Result<ARef<Device>> {
    let raw = unsafe { bindings::get_device(dev) };
    let owned = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast::<Device>())) };
    check()?;
    Ok(owned)
}

pub fn handed_on(dev: *mut bindings::device) -> Result {
    let raw = unsafe { bindings::get_device(dev) };
    keep_forever(raw);
    check()?;
    Ok(())
}

pub fn devm(dev: *mut bindings::device) -> Result {
    let buf = unsafe { bindings::devm_kmalloc(dev, 64, bindings::GFP_KERNEL) };
    check()?;
    Ok(())
}

pub fn released_first(dev: *mut bindings::device) -> Result {
    let raw = unsafe { bindings::get_device(dev) };
    if let Err(e) = check() {
        unsafe { bindings::put_device(raw) };
        return Err(e);
    }
    unsafe { bindings::put_device(raw) };
    Ok(())
}

pub fn closure_takes_it(dev: *mut bindings::device) -> Result {
    let raw = unsafe { bindings::get_device(dev) };
    let put = move || unsafe { bindings::put_device(raw) };
    check()?;
    put();
    Ok(())
}
-- drivers/demo/owner.rs --
use kernel::bindings;

pub struct Gate { clk: *mut bindings::clk }

impl Gate {
    pub fn new(dev: *mut bindings::device) -> Result<Self> {
        let clk = unsafe { bindings::clk_get(dev, core::ptr::null()) }; // want "lifecycle-leak"
        if clk.is_null() {
            return Err(ENODEV);
        }
        to_result(unsafe { bindings::clk_prepare(clk) })?;
        Ok(Self { clk })
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        unsafe { bindings::clk_put(self.clk) };
    }
}

pub struct Forgotten { clk: *mut bindings::clk, rate: u32 }

impl Forgotten {
    pub fn new(dev: *mut bindings::device) -> Self {
        let clk = unsafe { bindings::clk_get(dev, core::ptr::null()) }; // want "lifecycle-leak"
        Self { clk, rate: 0 }
    }
}

impl Drop for Forgotten {
    fn drop(&mut self) {
        self.rate = 0;
    }
}

// Near miss: Drop releases through an accessor.
pub struct Kept { clk: *mut bindings::clk, rate: u32 }

impl Kept {
    pub fn new(dev: *mut bindings::device) -> Self {
        let clk = unsafe { bindings::clk_get(dev, core::ptr::null()) };
        Self { clk, rate: 0 }
    }

    fn as_raw(&self) -> *mut bindings::clk {
        self.clk
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        unsafe { bindings::clk_put(self.as_raw()) };
    }
}
`, "lifecycle-leak")

	d := lifecycleDiag(t, diags, "lifecycle-leak", "get_device")
	for _, want := range []string{"the reference get_device() returns", "`?` returns early at line 7", "put_device()"} {
		if !strings.Contains(d.Message, want) {
			t.Errorf("message %q lacks %q", d.Message, want)
		}
	}
	if !relatedMentions(d, "leaves here") {
		t.Errorf("no related location at the exit: %+v", d.Related)
	}
	o := lifecycleDiag(t, diags, "lifecycle-leak", "Forgotten")
	if !strings.Contains(o.Message, "the Drop of Forgotten never releases that field") || !relatedMentions(o, "Drop of Forgotten") {
		t.Errorf("owner leak: %q %+v", o.Message, o.Related)
	}
}
