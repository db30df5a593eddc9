/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

#include <linux/compiler_types.h>

typedef unsigned char		u8;
typedef unsigned short		u16;
typedef unsigned int		u32;
typedef unsigned long long	u64;
typedef long long		s64;

/*
 * The architecture's size types. rust/bindgen_parameters blocklists them:
 * Rust uses usize and isize instead.
 */
typedef unsigned long		__kernel_size_t;
typedef long			__kernel_ssize_t;
typedef __kernel_size_t		size_t;
typedef __kernel_ssize_t	ssize_t;

typedef long long		loff_t;
typedef unsigned short		umode_t;
typedef _Bool			bool;

enum {
	false	= 0,
	true	= 1
};

#define NULL ((void *)0)

/*
 * Allocation flags (see <linux/gfp.h>). __bitwise makes sparse reject
 * mixing them with plain integers.
 */
typedef unsigned int __bitwise gfp_t;

typedef struct {
	int counter;
} atomic_t;

/* A node of a circular doubly linked list; the helpers are in <linux/list.h>. */
struct list_head {
	struct list_head *next, *prev;
};

#endif /* _LINUX_TYPES_H */
