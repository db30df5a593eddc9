// SPDX-License-Identifier: GPL-2.0

//! Kernel errors: negative errno values, and the two ways C returns them,
//! as an `int` and inside a pointer (`ERR_PTR`).

use crate::{bindings, ffi::c_int, ffi::c_void};

/// The error numbers, as [`Error`] values.
pub mod code {
    use super::Error;
    use crate::{bindings, ffi::c_int};

    /// Operation not permitted.
    pub const EPERM: Error = Error(-(bindings::EPERM as c_int));
    /// No such file or directory.
    pub const ENOENT: Error = Error(-(bindings::ENOENT as c_int));
    /// I/O error.
    pub const EIO: Error = Error(-(bindings::EIO as c_int));
    /// Try again.
    pub const EAGAIN: Error = Error(-(bindings::EAGAIN as c_int));
    /// Out of memory.
    pub const ENOMEM: Error = Error(-(bindings::ENOMEM as c_int));
    /// Bad address.
    pub const EFAULT: Error = Error(-(bindings::EFAULT as c_int));
    /// Device or resource busy.
    pub const EBUSY: Error = Error(-(bindings::EBUSY as c_int));
    /// No such device.
    pub const ENODEV: Error = Error(-(bindings::ENODEV as c_int));
    /// Invalid argument.
    pub const EINVAL: Error = Error(-(bindings::EINVAL as c_int));
    /// No space left on device.
    pub const ENOSPC: Error = Error(-(bindings::ENOSPC as c_int));
}

/// A kernel error: a negative errno between `-MAX_ERRNO` and -1.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Error(c_int);

impl Error {
    /// Makes an error from a negative errno. Anything else is a bug in the
    /// caller and becomes `EINVAL`.
    pub fn from_errno(errno: c_int) -> Error {
        if errno >= 0 || errno < -(bindings::MAX_ERRNO as c_int) {
            return code::EINVAL;
        }
        Error(errno)
    }

    /// The negative errno, to return to C.
    pub fn to_errno(self) -> c_int {
        self.0
    }
}

/// The kernel's `Result`: the error is an [`Error`] unless stated otherwise.
pub type Result<T = (), E = Error> = core::result::Result<T, E>;

/// Turns a C `int` result, negative errno on failure, into a [`Result`].
pub fn to_result(err: c_int) -> Result {
    if err < 0 {
        Err(Error::from_errno(err))
    } else {
        Ok(())
    }
}

/// Turns a pointer that may carry an error (`ERR_PTR`) into a [`Result`].
///
/// A null pointer is not an error: it is returned as `Ok`.
pub fn from_err_ptr<T>(ptr: *mut T) -> Result<*mut T> {
    let const_ptr: *const c_void = ptr.cast();
    // SAFETY: IS_ERR only compares the address; it never dereferences it.
    if unsafe { bindings::IS_ERR(const_ptr) } {
        // SAFETY: as above, PTR_ERR only converts the address.
        let err = unsafe { bindings::PTR_ERR(const_ptr) };
        return Err(Error::from_errno(err as c_int));
    }
    Ok(ptr)
}
