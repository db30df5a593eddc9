package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/rules"
)

// mustCheckTree is a kernel-shaped tree with __must_check functions bound
// directly, through a helper that keeps the attribute and through one that
// drops it, and Rust code discarding and using their results.
const mustCheckTree = `
-- rust/bindings/bindings_helper.h --
#include <linux/lib.h>
-- rust/helpers/helpers.c --
#include "lib.c"
-- rust/helpers/lib.c --
#include <linux/lib.h>

__rust_helper bool rust_helper_ref_put(int *r)
{
	return ref_put(r);
}

__rust_helper int __must_check rust_helper_wrap_kept(int x)
{
	return wrap_kept(x);
}
-- include/linux/lib.h --
#define __must_check __attribute__((__warn_unused_result__))

int __must_check lib_register(int *obj);
unsigned long __must_check lib_copy(void *to, const void *from, unsigned long n);
void lib_plain(int *obj);
int lib_count(void);

static inline __must_check bool ref_put(int *r)
{
	return --*r == 0;
}

static inline int wrap_kept(int x)
{
	return x;
}
-- drivers/x/x.rs --
use kernel::{bindings, error::to_result, prelude::*};

extern "C" {
    fn board_reset(flags: u32) -> i32;
}

pub fn statement(obj: *mut i32) {
    // SAFETY: test.
    unsafe { bindings::lib_register(obj) }; // want "must-check-ignored"
}

pub fn let_underscore(obj: *mut i32) {
    // SAFETY: test.
    let _ = unsafe { bindings::lib_register(obj) }; // want "must-check-ignored"
}

pub fn dropped(obj: *mut i32) {
    // SAFETY: test.
    drop(unsafe { bindings::lib_register(obj) }); // want "must-check-ignored"
}

pub fn unused_binding(obj: *mut i32) {
    // SAFETY: test.
    let _ret = unsafe { bindings::lib_register(obj) }; // want "must-check-ignored"
}

pub fn inside_block(obj: *mut i32) {
    // SAFETY: test.
    unsafe {
        bindings::lib_plain(obj);
        bindings::lib_register(obj); // want "must-check-ignored"
    }
}

pub fn through_lost_helper(r: *mut i32) {
    // SAFETY: test.
    unsafe { bindings::ref_put(r) }; // want "must-check-ignored"
}

pub fn through_kept_helper() {
    // SAFETY: test.
    unsafe { bindings::wrap_kept(1) }; // want "must-check-ignored"
}

// Near miss: discarding what is not __must_check.
pub fn plain(obj: *mut i32) {
    // SAFETY: test.
    unsafe { bindings::lib_plain(obj) };
    // SAFETY: test.
    unsafe { bindings::lib_count() };
}

// Near miss: to_result checks the result.
pub fn checked(obj: *mut i32) -> Result {
    // SAFETY: test.
    to_result(unsafe { bindings::lib_register(obj) })
}

// Near miss: bound and used, compared, matched, returned.
pub fn used(obj: *mut i32, to: *mut u8, from: *const u8) -> Result<bool> {
    // SAFETY: test.
    let ret = unsafe { bindings::lib_register(obj) };
    if ret < 0 {
        return Err(EINVAL);
    }
    // SAFETY: test.
    if unsafe { bindings::lib_copy(to.cast(), from.cast(), 4) } != 0 {
        return Err(EFAULT);
    }
    // SAFETY: test.
    match unsafe { bindings::lib_register(obj) } {
        0 => {}
        _ => return Err(EBUSY),
    }
    // SAFETY: test.
    Ok(unsafe { bindings::ref_put(obj) })
}

// Near miss: the tail of the function is its value.
pub fn returned(r: *mut i32) -> bool {
    // SAFETY: test.
    unsafe { bindings::ref_put(r) }
}

// Near miss: an extern item whose C prototype is not __must_check.
pub fn extern_plain() {
    // SAFETY: test.
    unsafe { board_reset(0) };
}
-- drivers/x/board.h --
int board_reset(unsigned int flags);
`

func TestMustCheckIgnored(t *testing.T) {
	checkTree(t, mustCheckTree, "must-check-ignored")
}

func TestMustCheckIgnoredExtern(t *testing.T) {
	checkTree(t, `
An extern "C" item whose C prototype is __must_check, outside a kernel tree.
-- board.h --
int __must_check board_reset(unsigned int flags);
-- x.rs --
extern "C" {
    fn board_reset(flags: u32) -> i32;
}

pub fn reset() {
    // SAFETY: test.
    unsafe { board_reset(0) }; // want "must-check-ignored"
}

// Near miss: the result is used.
pub fn reset_checked() -> bool {
    // SAFETY: test.
    unsafe { board_reset(0) == 0 }
}
`, "must-check-ignored")
}

func TestMustCheckIgnoredMessage(t *testing.T) {
	root, diags := checkTree(t, mustCheckTree, "must-check-ignored")
	d := diagAt(t, diags, root, "drivers/x/x.rs", "bindings::ref_put(r) }; // want")
	for _, want := range []string{"bindings::ref_put", "C declares ref_put __must_check", "rust_helper_ref_put drops the attribute"} {
		if !strings.Contains(d.Message, want) {
			t.Errorf("message %q lacks %q", d.Message, want)
		}
	}
	if len(d.Related) != 2 || !strings.HasSuffix(d.Related[0].Path, "include/linux/lib.h") || !strings.HasSuffix(d.Related[1].Path, "rust/helpers/lib.c") {
		t.Errorf("related = %+v, want the __must_check prototype, then the helper", d.Related)
	}
}

func TestMustCheckIgnoredFix(t *testing.T) {
	archive := `
-- rust/helpers/helpers.c --
-- include/linux/lib.h --
int __must_check lib_register(int *obj);
unsigned long __must_check lib_copy(void *to, const void *from, unsigned long n);
-- drivers/x/x.rs --
use kernel::{bindings, prelude::*};

pub fn register(obj: *mut i32) -> Result {
    // SAFETY: test.
    unsafe { bindings::lib_register(obj) }; // want "must-check-ignored"
    let _ = unsafe { bindings::lib_register(obj) }; // want "must-check-ignored"
    core::mem::drop(unsafe { bindings::lib_register(obj) }); // want "must-check-ignored"
    Ok(())
}

pub fn no_result(obj: *mut i32) {
    unsafe { bindings::lib_register(obj) }; // want "must-check-ignored"
}

pub fn not_errno(to: *mut u8) -> Result {
    unsafe { bindings::lib_copy(to.cast(), to.cast(), 1) }; // want "must-check-ignored"
    Ok(())
}
`
	root, diags := checkTree(t, archive, "must-check-ignored")
	path := filepath.Join(root, "drivers/x/x.rs")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := applyFix(t, src, path, fixTitled(t, diagAt(t, diags, root, "drivers/x/x.rs", "unsafe { bindings::lib_register(obj) }; // want"), "Check the result"))
	want := strings.Replace(string(src), "    unsafe { bindings::lib_register(obj) }; // want", "    kernel::error::to_result(unsafe { bindings::lib_register(obj) })?; // want", 1)
	if got != want {
		t.Errorf("statement fix:\n%s\nwant:\n%s", got, want)
	}
	got = applyFix(t, src, path, fixTitled(t, diagAt(t, diags, root, "drivers/x/x.rs", "let _ = unsafe"), "Check the result"))
	want = strings.Replace(string(src), "let _ = unsafe { bindings::lib_register(obj) };", "kernel::error::to_result(unsafe { bindings::lib_register(obj) })?;", 1)
	if got != want {
		t.Errorf("let _ fix:\n%s\nwant:\n%s", got, want)
	}
	got = applyFix(t, src, path, fixTitled(t, diagAt(t, diags, root, "drivers/x/x.rs", "core::mem::drop(unsafe"), "Check the result"))
	want = strings.Replace(string(src), "core::mem::drop(unsafe { bindings::lib_register(obj) });", "kernel::error::to_result(unsafe { bindings::lib_register(obj) })?;", 1)
	if got != want {
		t.Errorf("drop fix:\n%s\nwant:\n%s", got, want)
	}
	// No Result to return, or no errno: only the silence fix.
	for _, line := range []string{"    unsafe { bindings::lib_register(obj) }; // want \"must-check-ignored\"\n}\n\npub fn not_errno", "bindings::lib_copy"} {
		d := diagAt(t, diags, root, "drivers/x/x.rs", line)
		if len(d.Fixes) != 1 || !strings.HasPrefix(d.Fixes[0].Title, "Silence") {
			t.Errorf("%s: fixes %+v, want only the silence fix", d.Message, d.Fixes)
		}
	}
}

// diagAt returns the one diagnostic whose span starts on the line holding
// the first occurrence of marker in file (relative to root).
func diagAt(t *testing.T, diags []rules.Diagnostic, root, file, marker string) rules.Diagnostic {
	t.Helper()
	path := filepath.Join(root, file)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(src), marker)
	if i < 0 {
		t.Fatalf("%s has no %q", file, marker)
	}
	line := lineOf(src, uint32(i))
	var found []rules.Diagnostic
	for _, d := range diags {
		if d.Path == path && lineOf(src, d.Span.Start) == line {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s:%d: %d diagnostics, want 1: %+v", file, line, len(found), found)
	}
	return found[0]
}
