package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const errPtrTree = `
-- rust/bindings/bindings_helper.h --
#include <linux/obj.h>
-- rust/helpers/helpers.c --
#include "obj.c"
-- rust/helpers/obj.c --
#include <linux/obj.h>

__rust_helper struct obj *rust_helper_obj_lookup_inline(int id)
{
	return obj_lookup_inline(id);
}
-- include/linux/obj.h --
struct obj { int id; };

struct obj *obj_get(int id);
struct obj *obj_get_or_null(int id);
struct obj *obj_find(int id);
struct obj *obj_quiet(int id);
void *obj_plain(int id);
int obj_use(struct obj *o);
void obj_put(struct obj *o);

static inline struct obj *obj_lookup_inline(int id)
{
	if (id < 0)
		return ERR_PTR(-EINVAL);
	return 0;
}
-- drivers/obj/obj.c --
#include <linux/obj.h>

struct obj *obj_get(int id)
{
	if (id < 0)
		return ERR_PTR(-EINVAL);
	return &objs[id];
}

struct obj *obj_get_or_null(int id)
{
	if (id == 0)
		return NULL;
	if (id < 0)
		return ERR_PTR(-EINVAL);
	return &objs[id];
}

/* Returns what obj_get returns: ERR_PTR one call down. */
struct obj *obj_find(int id)
{
	return obj_get(id);
}

/**
 * obj_quiet - look an object up for statistics
 * @id: the object
 *
 * NOTE: callers should ignore the errors returned by this function: every
 * obj function accepts the error pointer.
 */
struct obj *obj_quiet(int id)
{
	if (id < 0)
		return ERR_PTR(-EINVAL);
	return &objs[id];
}

void *obj_plain(int id)
{
	if (id < 0)
		return NULL;
	return &objs[id];
}
-- drivers/x/x.rs --
use core::ptr::{self, NonNull};
use kernel::{bindings, error::from_err_ptr, prelude::*};

pub fn null_only(id: i32) -> Result {
    // SAFETY: test.
    let o = unsafe { bindings::obj_get(id) }; // want "err-ptr-unchecked"
    if o.is_null() {
        return Err(ENOENT);
    }
    Ok(())
}

pub fn null_compare(id: i32) -> Result {
    // SAFETY: test.
    let o = unsafe { bindings::obj_get(id) }; // want "err-ptr-unchecked"
    if o == ptr::null_mut() {
        return Err(ENOENT);
    }
    Ok(())
}

pub fn non_null(id: i32) -> Result<NonNull<bindings::obj>> {
    // SAFETY: test.
    let o = unsafe { bindings::obj_get(id) }; // want "err-ptr-unchecked"
    NonNull::new(o).ok_or(ENOENT)
}

pub fn deref(id: i32) -> i32 {
    // SAFETY: test.
    let o = unsafe { bindings::obj_find(id) }; // want "err-ptr-unchecked"
    // SAFETY: test.
    unsafe { (*o).id }
}

pub fn passed(id: i32) {
    // SAFETY: test.
    let o = unsafe { bindings::obj_lookup_inline(id) }; // want "err-ptr-unchecked"
    let alias = o.cast::<bindings::obj>();
    // SAFETY: test.
    unsafe { bindings::obj_use(alias) };
}

pub fn through_match(id: i32) -> Result {
    let o = match id {
        // SAFETY: test.
        0 => unsafe { bindings::obj_get(1) }, // want "err-ptr-unchecked"
        // SAFETY: test.
        _ => unsafe { bindings::obj_find(id) }, // want "err-ptr-unchecked"
    };
    if o.is_null() {
        return Err(ENOENT);
    }
    Ok(())
}

pub fn passed_directly(id: i32) {
    // SAFETY: test.
    unsafe { bindings::obj_use(bindings::obj_get(id)) }; // want "err-ptr-unchecked"
}

pub struct Holder {
    o: *mut bindings::obj,
}

// Near misses.

// Stored as is: Holder's invariant says what o may hold.
pub fn stored(id: i32) -> Holder {
    // SAFETY: test.
    let o = unsafe { bindings::obj_get(id) };
    Holder { o }
}

pub fn checked(id: i32) -> Result<*mut bindings::obj> {
    // SAFETY: test.
    from_err_ptr(unsafe { bindings::obj_get(id) })
}

pub fn checked_branches(id: i32) -> Result {
    let _o = from_err_ptr(match id {
        // SAFETY: test.
        0 => unsafe { bindings::obj_get(1) },
        // SAFETY: test.
        _ => if id > 0 { unsafe { bindings::obj_get(id) } } else { unsafe { bindings::obj_find(id) } },
    })?;
    Ok(())
}

pub fn checked_later(id: i32) -> Result {
    // SAFETY: test.
    let o = unsafe { bindings::obj_get(id) };
    let o = kernel::error::from_err_ptr(o)?;
    // SAFETY: test.
    unsafe { bindings::obj_use(o) };
    Ok(())
}

pub fn is_err(id: i32) -> Result {
    // SAFETY: test.
    let o = unsafe { bindings::obj_get(id) };
    // SAFETY: test.
    if o.is_null() || unsafe { bindings::IS_ERR(o.cast()) } {
        return Err(ENOENT);
    }
    // SAFETY: test.
    unsafe { bindings::obj_use(o) };
    Ok(())
}

pub fn returned_raw(id: i32) -> *mut bindings::obj {
    // SAFETY: the caller checks with from_err_ptr.
    unsafe { bindings::obj_get(id) }
}

pub fn returned_ok(id: i32) -> Result<*mut bindings::obj> {
    // SAFETY: test.
    let o = unsafe { bindings::obj_get(id) };
    Ok(o)
}

pub fn only_null(id: i32) -> Result {
    // SAFETY: obj_plain returns NULL, never ERR_PTR.
    let p = unsafe { bindings::obj_plain(id) };
    if p.is_null() {
        return Err(ENOMEM);
    }
    Ok(())
}

pub fn ignorable(id: i32) {
    // SAFETY: obj_quiet's errors may be ignored.
    let o = unsafe { bindings::obj_quiet(id) };
    // SAFETY: test.
    unsafe { bindings::obj_put(o) };
}

pub fn rebound(id: i32, other: *mut bindings::obj) {
    // SAFETY: test.
    let mut o = unsafe { bindings::obj_get(id) };
    if let Err(_) = from_err_ptr(o) {
        o = other;
    }
    // SAFETY: test.
    unsafe { bindings::obj_use(o) };
}
`

func TestErrPtrUnchecked(t *testing.T) {
	checkTree(t, errPtrTree, "err-ptr-unchecked")
}

func TestErrPtrUncheckedMessage(t *testing.T) {
	root, diags := checkTree(t, errPtrTree, "err-ptr-unchecked")
	tests := []struct{ marker, msg string }{
		{"bindings::obj_get(id) }; // want", "bindings::obj_get can return an ERR_PTR (obj_get returns ERR_PTR(...)), but its result is checked only against null"},
		{"bindings::obj_find(id)", "(obj_find returns obj_get(...), which returns ERR_PTR(...)), but its result is dereferenced without a check"},
		{"bindings::obj_lookup_inline(id)", "its result is passed on without a check"},
	}
	for _, tt := range tests {
		d := diagAt(t, diags, root, "drivers/x/x.rs", tt.marker)
		if !strings.Contains(d.Message, tt.msg) {
			t.Errorf("message %q lacks %q", d.Message, tt.msg)
		}
		if len(d.Related) != 1 || !strings.Contains(d.Related[0].Message, "returns an error pointer here") {
			t.Errorf("%s: related %+v, want the return ERR_PTR statement", tt.marker, d.Related)
		}
	}
	d := diagAt(t, diags, root, "drivers/x/x.rs", "bindings::obj_find(id)")
	if !strings.HasSuffix(d.Related[0].Path, "drivers/obj/obj.c") {
		t.Errorf("related %s, want obj_get's definition in drivers/obj/obj.c", d.Related[0].Path)
	}
}

func TestErrPtrUncheckedFix(t *testing.T) {
	root, diags := checkTree(t, `
-- rust/helpers/helpers.c --
-- include/linux/obj.h --
struct obj *obj_get(int id);
struct obj *obj_get_or_null(int id);
-- drivers/obj/obj.c --
struct obj *obj_get(int id)
{
	return ERR_PTR(-EINVAL);
}

struct obj *obj_get_or_null(int id)
{
	if (id)
		return NULL;
	return ERR_PTR(-EINVAL);
}
-- drivers/x/x.rs --
use kernel::{bindings, prelude::*};

pub fn get(id: i32) -> Result<*mut bindings::obj> {
    // SAFETY: test.
    let o = unsafe { bindings::obj_get(id) }; // want "err-ptr-unchecked"
    if o.is_null() {
        return Err(ENOENT);
    }
    Ok(o)
}

pub fn get_or_null(id: i32) -> Result<*mut bindings::obj> {
    // SAFETY: test.
    let o = unsafe { bindings::obj_get_or_null(id) }; // want "err-ptr-unchecked"
    if o.is_null() {
        return Err(ENOENT);
    }
    Ok(o)
}

pub fn no_result(id: i32) -> i32 {
    // SAFETY: test.
    let o = unsafe { bindings::obj_get(id) }; // want "err-ptr-unchecked"
    if o.is_null() {
        return -1;
    }
    0
}
`, "err-ptr-unchecked")
	path := filepath.Join(root, "drivers/x/x.rs")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	title := "Check for an error pointer"
	got := applyFix(t, src, path, fixTitled(t, diagAt(t, diags, root, "drivers/x/x.rs", "bindings::obj_get(id) }; // want"), title))
	want := strings.Replace(string(src), `    let o = unsafe { bindings::obj_get(id) }; // want "err-ptr-unchecked"
    if o.is_null() {
        return Err(ENOENT);
    }
`, `    let o = kernel::error::from_err_ptr(unsafe { bindings::obj_get(id) })?; // want "err-ptr-unchecked"
`, 1)
	if got != want {
		t.Errorf("fix, NULL impossible:\n%s\nwant:\n%s", got, want)
	}
	// obj_get_or_null may return NULL too: the null check stays.
	got = applyFix(t, src, path, fixTitled(t, diagAt(t, diags, root, "drivers/x/x.rs", "bindings::obj_get_or_null(id)"), title))
	want = strings.Replace(string(src), "let o = unsafe { bindings::obj_get_or_null(id) };", "let o = kernel::error::from_err_ptr(unsafe { bindings::obj_get_or_null(id) })?;", 1)
	if got != want {
		t.Errorf("fix, NULL possible:\n%s\nwant:\n%s", got, want)
	}
	// Without a Result to return there is no `?`: only the silence fix.
	d := diagAt(t, diags, root, "drivers/x/x.rs", "bindings::obj_get(id) }; // want \"err-ptr-unchecked\"\n    if o.is_null() {\n        return -1;")
	if len(d.Fixes) != 1 || !strings.HasPrefix(d.Fixes[0].Title, "Silence") {
		t.Errorf("fixes %+v, want only the silence fix", d.Fixes)
	}
}
