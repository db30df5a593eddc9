package rules_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// lifecycleKernelCodes are the seven lifecycle rules.
var lifecycleKernelCodes = []string{
	"lifecycle-leak", "lifecycle-mismatched-release", "lifecycle-release-borrowed",
	"lifecycle-double-release", "lock-imbalance", "sleep-in-atomic", "registration-lifetime",
}

// lifecycleProbe is code appended, in an editor buffer only, to a real
// file of the kernel crate: each want must be reported against the real
// headers, C bodies and kernel crate, and nothing else in it.
const lifecycleProbe = `

// rivet's kernel test: lifecycle mistakes, appended in memory.
mod rivet_lifecycle_probe {
    use crate::{bindings, error::{code::*, to_result, Result}, sync::aref::ARef};
    use core::ptr::NonNull;

    fn check() -> Result {
        Ok(())
    }

    fn leak(dev: *mut bindings::device) -> Result {
        // SAFETY: probe.
        let raw = unsafe { bindings::get_device(dev) }; // want "lifecycle-leak"
        check()?;
        // SAFETY: probe.
        unsafe { bindings::put_device(raw) };
        Ok(())
    }

    fn owned(dev: *mut bindings::device) -> Result<ARef<super::Device>> {
        // SAFETY: probe.
        let raw = unsafe { bindings::get_device(dev) };
        // SAFETY: probe.
        let owned = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast::<super::Device>())) };
        check()?;
        Ok(owned)
    }

    fn mismatch() {
        // SAFETY: probe.
        let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
        // SAFETY: probe.
        unsafe { bindings::vfree(buf) }; // want "lifecycle-mismatched-release"
        // SAFETY: probe.
        let other = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
        // SAFETY: probe.
        unsafe { bindings::kvfree(other) };
    }

    fn borrowed(dev: &super::Device) {
        // SAFETY: probe.
        unsafe { bindings::put_device(dev.as_raw()) }; // want "lifecycle-release-borrowed"
    }

    fn twice(fail: bool) {
        // SAFETY: probe.
        let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
        if fail {
            // SAFETY: probe.
            unsafe { bindings::kfree(buf) };
        }
        // SAFETY: probe.
        unsafe { bindings::kfree(buf) }; // want "lifecycle-double-release"
    }

    unsafe fn imbalance(lock: *mut bindings::spinlock_t, fail: bool) -> Result {
        // SAFETY: probe.
        unsafe { bindings::spin_lock(lock) }; // want "lock-imbalance"
        if fail {
            return Err(EINVAL);
        }
        // SAFETY: probe.
        unsafe { bindings::spin_unlock(lock) };
        Ok(())
    }

    unsafe fn sleeps(lock: *mut bindings::spinlock_t, m: *mut bindings::mutex) {
        // SAFETY: probe.
        unsafe { bindings::spin_lock(lock) };
        // SAFETY: probe.
        unsafe { bindings::msleep(1) }; // want "sleep-in-atomic"
        // SAFETY: probe.
        unsafe { bindings::mutex_lock(m) }; // want "sleep-in-atomic"
        // SAFETY: probe.
        unsafe { bindings::mutex_unlock(m) };
        // SAFETY: probe.
        let p = unsafe { bindings::kmalloc(8, bindings::GFP_ATOMIC) };
        // SAFETY: probe.
        unsafe { bindings::spin_unlock(lock) };
        // SAFETY: probe.
        unsafe { bindings::msleep(1) };
        // SAFETY: probe.
        unsafe { bindings::kfree(p) };
    }

    fn registers() -> Result {
        // SAFETY: probe.
        let mut misc: bindings::miscdevice = unsafe { core::mem::zeroed() };
        // SAFETY: probe.
        to_result(unsafe { bindings::misc_register(&mut misc) }) // want "registration-lifetime"
    }
}
`

// TestKernelLifecycleRules runs the seven lifecycle rules over the tree
// named by RIVET_KERNEL. Linux 7.3's Rust code is correct as far as these
// rules go: any report on it is a false alarm. The probe appended to
// rust/kernel/device.rs must be reported exactly as its wants say.
//
//	RIVET_KERNEL=/path/to/linux-7.3 go test ./analysis/rules -run TestKernelLifecycleRules -v
func TestKernelLifecycleRules(t *testing.T) {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("RIVET_KERNEL is not set")
	}
	root, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	ws := buildWorkspace(t, root)
	for _, d := range runRules(t, ws, lifecycleKernelCodes...) {
		t.Errorf("%s: %s: %s", d.Path, d.Code, d.Message)
	}

	path := filepath.ToSlash(filepath.Join(root, "rust/kernel/device.rs"))
	text, _, want := openProbe(t, ws, path, lifecycleProbe)
	for _, d := range runRules(t, ws, lifecycleKernelCodes...) {
		if d.Path != path {
			t.Errorf("%s: %s: %s", d.Path, d.Code, d.Message)
			continue
		}
		key := strconv.Itoa(lineOf(text, d.Span.Start)) + " " + d.Code
		if want[key] {
			t.Logf("probe line %s: %s", key, d.Message)
			delete(want, key)
			continue
		}
		t.Errorf("probe line %s: unexpected report: %s", key, d.Message)
	}
	for key := range want {
		t.Errorf("probe line %s: not reported", key)
	}
}
