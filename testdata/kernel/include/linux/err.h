/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_ERR_H
#define _LINUX_ERR_H

#include <linux/compiler_types.h>
#include <linux/errno.h>
#include <linux/types.h>

/*
 * No valid kernel object lives in the last MAX_ERRNO bytes of the address
 * space, so a function can return an object or a negative errno in one
 * pointer: ERR_PTR() encodes the error, IS_ERR() tests for one and
 * PTR_ERR() decodes it. Checking such a pointer against NULL alone lets
 * the error through as if it were an object.
 */
#define MAX_ERRNO	4095

#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)

/**
 * ERR_PTR - encode an error number as a pointer
 * @error: a negative errno, from -MAX_ERRNO to -1
 *
 * Return: a pointer for which IS_ERR() is true.
 */
static __always_inline void *__must_check ERR_PTR(long error)
{
	return (void *)error;
}

/**
 * PTR_ERR - decode the error number of an error pointer
 * @ptr: a pointer for which IS_ERR() is true
 *
 * Return: the negative errno @ptr carries.
 */
static __always_inline long __must_check PTR_ERR(__force const void *ptr)
{
	return (long)ptr;
}

/**
 * IS_ERR - test whether a pointer carries an error number
 * @ptr: the pointer
 */
static __always_inline bool __must_check IS_ERR(__force const void *ptr)
{
	return IS_ERR_VALUE((unsigned long)ptr);
}

/**
 * IS_ERR_OR_NULL - IS_ERR(), and true for NULL as well
 * @ptr: the pointer
 */
static __always_inline bool __must_check IS_ERR_OR_NULL(__force const void *ptr)
{
	return !ptr || IS_ERR_VALUE((unsigned long)ptr);
}

/**
 * ERR_CAST - pass an error pointer on as another pointer type
 * @ptr: a pointer for which IS_ERR() is true
 */
static __always_inline void *__must_check ERR_CAST(__force const void *ptr)
{
	return (void *)ptr;
}

#endif /* _LINUX_ERR_H */
