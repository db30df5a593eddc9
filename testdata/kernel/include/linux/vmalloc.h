/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_VMALLOC_H
#define _LINUX_VMALLOC_H

#include <linux/cleanup.h>
#include <linux/compiler_types.h>

/**
 * vmalloc - allocate virtually contiguous memory
 * @size: bytes required
 *
 * Context: may sleep.
 * Return: the memory, or NULL. Free it with vfree() or kvfree().
 */
void *vmalloc(unsigned long size) __malloc;

/**
 * vfree - free memory from vmalloc()
 * @addr: the memory, or NULL
 */
void vfree(const void *addr);

DEFINE_FREE(vfree, void *, if (_T) vfree(_T))

#endif /* _LINUX_VMALLOC_H */
