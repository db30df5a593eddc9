// SPDX-License-Identifier: GPL-2.0

#include <linux/err.h>

/*
 * Near miss (helper-attribute-lost): each helper repeats the __must_check
 * of what it wraps, so bindgen marks the Rust function #[must_use].
 * (Linux 7.3's rust_helper_IS_ERR and rust_helper_PTR_ERR drop it.)
 */

__rust_helper void *__must_check rust_helper_ERR_PTR(long err)
{
	return ERR_PTR(err);
}

__rust_helper bool __must_check rust_helper_IS_ERR(__force const void *ptr)
{
	return IS_ERR(ptr);
}

__rust_helper long __must_check rust_helper_PTR_ERR(__force const void *ptr)
{
	return PTR_ERR(ptr);
}
