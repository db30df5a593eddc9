// SPDX-License-Identifier: GPL-2.0

//! The `kernel` crate.
//!
//! Safe abstractions over the C side of the tree, in the shape of Linux's
//! `rust/kernel`: each module wraps part of what the `bindings` crate
//! exposes, and drivers use the modules, or `bindings` directly where no
//! abstraction exists yet.

#![no_std]

// Lets this crate name itself `kernel::`, as drivers do.
extern crate self as kernel;

pub use bindings;
pub use core::ffi;

pub mod clk;
pub mod device;
pub mod error;
pub mod sync;
pub mod types;

/// The items most code needs: `use kernel::prelude::*;`.
pub mod prelude {
    pub use crate::error::{code::*, Error, Result};
    pub use crate::Module;
}

/// A loadable module: `init` runs when it is loaded, and dropping the value
/// unloads it. (Linux's `module!` macro generates the glue that does both.)
pub trait Module: Sized + Sync {
    /// Sets the module up.
    fn init() -> error::Result<Self>;
}
