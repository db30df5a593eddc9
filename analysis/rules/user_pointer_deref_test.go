package rules_test

import (
	"strings"
	"testing"
)

const userPtrTree = `
-- rust/bindings/bindings_helper.h --
#include <linux/fs.h>
-- rust/helpers/helpers.c --
-- include/linux/fs.h --
struct file;

struct file_operations {
	ssize_t (*read)(struct file *file, char __user *buf, size_t len, loff_t *ppos);
	ssize_t (*write)(struct file *file, const char __user *buf, size_t len, loff_t *ppos);
};

struct uvec {
	void __user *base;
	void *kbase;
	size_t len;
};

void __user *compat_ptr_of(unsigned int addr);
unsigned long __must_check copy_from_user(void *to, const void __user *from, unsigned long n);
-- drivers/x/x.h --
ssize_t x_write(const char __user *buf, size_t len);
ssize_t x_write_copied(const char __user *buf, size_t len);
int x_fill(struct uvec *v, const int __user *src, int *dst);
-- drivers/x/x.rs --
use core::{ptr, slice::from_raw_parts};
use kernel::{bindings, ffi::c_char, prelude::*};

#[no_mangle]
pub unsafe extern "C" fn x_write(buf: *const c_char, len: usize) -> isize {
    // SAFETY: wrong.
    let data = unsafe { from_raw_parts(buf.cast::<u8>(), len) }; // want "user-pointer-deref"
    // SAFETY: wrong.
    let first = unsafe { *buf }; // want "user-pointer-deref"
    let mut q = buf;
    q = unsafe { q.add(1) };
    // SAFETY: wrong.
    let second = unsafe { q.read() }; // want "user-pointer-deref"
    data.len() as isize + first as isize + second as isize
}

#[no_mangle]
pub unsafe extern "C" fn x_fill(v: *mut bindings::uvec, src: *const i32, dst: *mut i32) -> i32 {
    // SAFETY: wrong.
    unsafe { ptr::copy_nonoverlapping(src, dst, 1) }; // want "user-pointer-deref"
    // SAFETY: wrong.
    let b = unsafe { (*v).base }.cast::<u8>();
    // SAFETY: wrong.
    let x = unsafe { b.read_volatile() }; // want "user-pointer-deref"
    // Near miss: kbase is a kernel pointer, dst too.
    // SAFETY: fine.
    let y = unsafe { (*v).kbase.cast::<u8>().read() };
    // SAFETY: fine.
    unsafe { *dst = 0 };
    x as i32 + y as i32
}

pub fn compat(addr: u32) -> u8 {
    // SAFETY: wrong.
    let p = unsafe { bindings::compat_ptr_of(addr) }.cast::<u8>();
    // SAFETY: wrong.
    unsafe { *p } // want "user-pointer-deref"
}

unsafe extern "C" fn my_write(_f: *mut bindings::file, buf: *const c_char, len: usize, _pos: *mut i64) -> isize {
    // SAFETY: wrong.
    let b = unsafe { &*buf }; // want "user-pointer-deref"
    *b as isize + len as isize
}

pub static FOPS: bindings::file_operations = bindings::file_operations {
    write: Some(my_write),
    read: None,
};

// Near miss: the user pointer only goes through copy_from_user.
#[no_mangle]
pub unsafe extern "C" fn x_write_copied(buf: *const c_char, len: usize) -> isize {
    let mut kbuf = [0u8; 16];
    // SAFETY: copy_from_user checks buf.
    if unsafe { bindings::copy_from_user(kbuf.as_mut_ptr().cast(), buf.cast(), len.min(16) as _) } != 0 {
        return -14;
    }
    // Near miss: the name now holds a kernel pointer.
    let buf = kbuf.as_ptr();
    // SAFETY: fine.
    unsafe { *buf as isize }
}

// Near miss: not exported, so nothing says buf is __user.
pub unsafe fn helper(buf: *const c_char) -> c_char {
    // SAFETY: the caller passes kernel memory.
    unsafe { *buf }
}
`

func TestUserPointerDeref(t *testing.T) {
	checkTree(t, userPtrTree, "user-pointer-deref")
}

func TestUserPointerDerefMessage(t *testing.T) {
	root, diags := checkTree(t, userPtrTree, "user-pointer-deref")
	tests := []struct{ marker, msg, related string }{
		{"from_raw_parts(buf", "parameter `buf` of x_write (C declares `const char __user *buf`) is a user-space pointer, and `from_raw_parts(buf.cast::<u8>(), len)` accesses it as kernel memory", "drivers/x/x.h"},
		{"b.read_volatile()", "field base of struct uvec (C declares `void __user *base`)", "include/linux/fs.h"},
		{"unsafe { *p }", "bindings::compat_ptr_of's result (C returns `void __user *`)", "include/linux/fs.h"},
		{"&*buf", "parameter `buf` of my_write (C calls it as file_operations.write with `const char __user *`)", "include/linux/fs.h"},
	}
	for _, tt := range tests {
		d := diagAt(t, diags, root, "drivers/x/x.rs", tt.marker)
		if !strings.Contains(d.Message, tt.msg) {
			t.Errorf("message %q lacks %q", d.Message, tt.msg)
		}
		if len(d.Related) != 1 || !strings.HasSuffix(d.Related[0].Path, tt.related) {
			t.Errorf("%s: related %+v, want the __user declaration in %s", tt.marker, d.Related, tt.related)
		}
	}
}
