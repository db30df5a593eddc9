// SPDX-License-Identifier: GPL-2.0

#include <linux/refcount.h>

/* REFCOUNT_INIT is a macro: the helper gives Rust a function. */
__rust_helper refcount_t rust_helper_REFCOUNT_INIT(int n)
{
	return (refcount_t)REFCOUNT_INIT(n);
}

/* Near miss (helper-attribute-lost): refcount_set has nothing to lose. */
__rust_helper void rust_helper_refcount_set(refcount_t *r, int n)
{
	refcount_set(r, n);
}

__rust_helper void rust_helper_refcount_inc(refcount_t *r)
{
	refcount_inc(r);
}

/*
 * Drops the __must_check of refcount_dec_and_test(), as Linux 7.3's helper
 * does: bindgen then gives Rust no #[must_use], and nothing warns when a
 * caller ignores that it dropped the last reference.
 */
__rust_helper bool rust_helper_refcount_dec_and_test(refcount_t *r) // want "helper-attribute-lost"
{
	return refcount_dec_and_test(r);
}
