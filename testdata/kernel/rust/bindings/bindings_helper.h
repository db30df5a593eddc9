/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The headers bindgen turns into Rust bindings (rust/bindings/
 * bindings_generated.rs, build output): everything they declare is
 * kernel::bindings::NAME, except what rust/bindgen_parameters blocklists.
 *
 * Sorted alphabetically.
 */

#include <linux/clk.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

/*
 * bindgen only evaluates macros that expand to plain literals. These
 * constants give Rust the others: RUST_CONST_HELPER_NAME becomes
 * bindings::NAME.
 */
const size_t RUST_CONST_HELPER_ARCH_KMALLOC_MINALIGN = ARCH_KMALLOC_MINALIGN;
const gfp_t RUST_CONST_HELPER_GFP_ATOMIC = GFP_ATOMIC;
const gfp_t RUST_CONST_HELPER_GFP_KERNEL = GFP_KERNEL;
const gfp_t RUST_CONST_HELPER_GFP_NOWAIT = GFP_NOWAIT;
const gfp_t RUST_CONST_HELPER___GFP_ZERO = __GFP_ZERO;
