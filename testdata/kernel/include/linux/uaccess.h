/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LINUX_UACCESS_H__
#define __LINUX_UACCESS_H__

#include <linux/compiler_types.h>
#include <linux/types.h>

/*
 * User-space memory may be unmapped, swapped out or changed by another
 * thread at any moment: the kernel never dereferences a __user pointer, it
 * copies through these functions, which fault pages in (so they may sleep)
 * and report how much they could not copy.
 */

unsigned long __must_check _copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long __must_check _copy_to_user(void __user *to, const void *from, unsigned long n);

/**
 * copy_from_user - copy a block of data from user space
 * @to: the kernel destination
 * @from: the user-space source
 * @n: bytes to copy
 *
 * Context: process context; may sleep.
 * Return: the number of bytes that could not be copied; 0 on success.
 */
static __always_inline unsigned long __must_check
copy_from_user(void *to, const void __user *from, unsigned long n)
{
	might_fault();
	return _copy_from_user(to, from, n);
}

/**
 * copy_to_user - copy a block of data into user space
 * @to: the user-space destination
 * @from: the kernel source
 * @n: bytes to copy
 *
 * Context: process context; may sleep.
 * Return: the number of bytes that could not be copied; 0 on success.
 */
static __always_inline unsigned long __must_check
copy_to_user(void __user *to, const void *from, unsigned long n)
{
	might_fault();
	return _copy_to_user(to, from, n);
}

#endif /* __LINUX_UACCESS_H__ */
