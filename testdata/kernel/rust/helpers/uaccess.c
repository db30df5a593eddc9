// SPDX-License-Identifier: GPL-2.0

#include <linux/uaccess.h>

/*
 * Near miss (helper-attribute-lost): both keep __must_check. (Linux 7.3's
 * copy helpers drop it.)
 */

__rust_helper unsigned long __must_check
rust_helper_copy_from_user(void *to, const void __user *from, unsigned long n)
{
	return copy_from_user(to, from, n);
}

__rust_helper unsigned long __must_check
rust_helper_copy_to_user(void __user *to, const void *from, unsigned long n)
{
	return copy_to_user(to, from, n);
}
