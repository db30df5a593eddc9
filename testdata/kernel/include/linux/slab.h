/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/cleanup.h>
#include <linux/compiler_types.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/types.h>

/*
 * The alignment kmalloc() guarantees. bindgen does not always evaluate it,
 * so rust/bindgen_parameters blocklists it and bindings_helper.h provides it
 * as a constant.
 */
#define ARCH_KMALLOC_MINALIGN	__alignof__(unsigned long long)

/**
 * kmalloc - allocate kernel memory
 * @size: bytes required
 * @flags: GFP_KERNEL in process context (may sleep), GFP_ATOMIC otherwise
 *
 * Return: the memory, or NULL. Free it with kfree() or kvfree().
 */
void *kmalloc(size_t size, gfp_t flags) __malloc;

/*
 * kzalloc - kmalloc() returning zeroed memory. A macro, so bindgen cannot
 * see it and Rust cannot call it.
 */
#define kzalloc(size, flags)	kmalloc(size, (flags) | __GFP_ZERO)

/**
 * kfree - free memory from kmalloc()
 * @objp: the memory, or NULL
 */
void kfree(const void *objp);

DEFINE_FREE(kfree, void *, if (!IS_ERR_OR_NULL(_T)) kfree(_T))

/**
 * kvmalloc - allocate memory, falling back to vmalloc() for large sizes
 * @size: bytes required
 * @flags: allocation flags; GFP_KERNEL, as the fallback may sleep
 *
 * Return: the memory, or NULL. Free it with kvfree(), never with kfree().
 */
void *kvmalloc(size_t size, gfp_t flags) __malloc;

/**
 * kvfree - free memory from kvmalloc(), kmalloc() or vmalloc()
 * @addr: the memory, or NULL
 */
void kvfree(const void *addr);

DEFINE_FREE(kvfree, void *, if (!IS_ERR_OR_NULL(_T)) kvfree(_T))

#endif /* _LINUX_SLAB_H */
