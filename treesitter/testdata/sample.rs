// SPDX-License-Identifier: GPL-2.0

//! A module-shaped sample written for rivet's tests: raw borrows, unsafe
//! extern blocks, unsafe attributes and const generic defaults.

use kernel::bindings;
use kernel::prelude::*;

unsafe extern "C" {
    safe fn foo_count(fd: *mut bindings::foo_dev) -> i32;
    fn foo_read(fd: *mut bindings::foo_dev, out: *mut u32) -> i32;
}

/// A list whose links live at field `ID`.
pub struct List<T: ?Sized, const ID: u64 = 0> {
    first: *mut T,
}

impl<T, const ID: u64> List<T, ID> {
    /// Returns the head pointer.
    pub fn head(&self) -> *const *mut T {
        &raw const self.first
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_foo_probe(dev: *mut bindings::device) -> i32 {
    let mut v: u32 = 0;
    // SAFETY: `dev` is valid for the duration of probe.
    let ret = unsafe { foo_read(dev.cast(), &raw mut v) };
    if ret < 0 {
        return ret;
    }
    let name = c"foo";
    match v {
        0..=9 => 1,
        _ => name.len() as i32,
    }
}

#[unsafe(export_name = "rust_foo_remove")]
pub extern "C" fn remove(_dev: *mut bindings::device) {}
