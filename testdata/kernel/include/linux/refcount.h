/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_REFCOUNT_H
#define _LINUX_REFCOUNT_H

#include <linux/compiler_types.h>
#include <linux/types.h>

/**
 * typedef refcount_t - a reference count that saturates instead of wrapping
 * @refs: the count
 *
 * An overflowing or underflowing refcount_t sticks at a saturation value and
 * warns, so a leak or a double put cannot wrap it into a use-after-free.
 */
typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

#define REFCOUNT_INIT(n)	{ .refs = { .counter = (n) }, }

/**
 * refcount_set - set a refcount's value
 * @r: the refcount
 * @n: the new value
 */
static inline void refcount_set(refcount_t *r, int n)
{
	__atomic_store_n(&r->refs.counter, n, __ATOMIC_RELAXED);
}

/**
 * refcount_inc - take a reference
 * @r: the refcount; it must not be zero
 */
static inline void refcount_inc(refcount_t *r)
{
	__atomic_fetch_add(&r->refs.counter, 1, __ATOMIC_RELAXED);
}

/**
 * refcount_dec_and_test - drop a reference and test for the last one
 * @r: the refcount
 *
 * Return: true when this dropped the last reference; the caller must then
 * free the object, so ignoring the result leaks it.
 */
static inline __must_check bool refcount_dec_and_test(refcount_t *r)
{
	return __atomic_sub_fetch(&r->refs.counter, 1, __ATOMIC_RELEASE) == 0;
}

#endif /* _LINUX_REFCOUNT_H */
