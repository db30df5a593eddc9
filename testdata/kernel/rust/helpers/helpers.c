// SPDX-License-Identifier: GPL-2.0
/*
 * bindgen skips static inline functions and function-like macros, so Rust
 * cannot call them. Each file here wraps some of them in an out-of-line
 * rust_helper_NAME; rust/Makefile's sed step turns the generated
 * declaration into `#[link_name = "rust_helper_NAME"] pub fn NAME`, so Rust
 * calls bindings::NAME and lands in the helper.
 *
 * Sorted alphabetically.
 */

#include <linux/compiler_types.h>

#ifdef __BINDGEN__
/* bindgen ignores inline functions: it must see the helpers as plain ones. */
#define __rust_helper
#else
/* Let LLVM inline a helper into its Rust caller across the language boundary. */
#define __rust_helper __always_inline
#endif

#include "err.c"
#include "refcount.c"
#include "spinlock.c"
#include "uaccess.c"
