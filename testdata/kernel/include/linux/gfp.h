/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LINUX_GFP_H
#define __LINUX_GFP_H

#include <linux/types.h>

/* Flag bits (linux/gfp_types.h in Linux). */
#define ___GFP_HIGH		0x20u
#define ___GFP_IO		0x40u
#define ___GFP_FS		0x80u
#define ___GFP_ZERO		0x100u
#define ___GFP_DIRECT_RECLAIM	0x400u
#define ___GFP_KSWAPD_RECLAIM	0x800u

#define __GFP_HIGH		((__force gfp_t)___GFP_HIGH)
#define __GFP_IO		((__force gfp_t)___GFP_IO)
#define __GFP_FS		((__force gfp_t)___GFP_FS)
#define __GFP_ZERO		((__force gfp_t)___GFP_ZERO)
#define __GFP_DIRECT_RECLAIM	((__force gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM	((__force gfp_t)___GFP_KSWAPD_RECLAIM)
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

/*
 * GFP_KERNEL may sleep to reclaim memory: process context only, never under
 * a spinlock. GFP_ATOMIC and GFP_NOWAIT never sleep.
 */
#define GFP_KERNEL	(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_ATOMIC	(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT	(__GFP_KSWAPD_RECLAIM)

struct page;

/**
 * alloc_pages - allocate 2^@order physically contiguous pages
 * @gfp: allocation flags
 * @order: log2 of the number of pages
 *
 * Return: the first page, or NULL. Free with __free_pages() and the same
 * @order.
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order);

/**
 * __free_pages - free pages from alloc_pages()
 * @page: the first page
 * @order: the order passed to alloc_pages()
 */
void __free_pages(struct page *page, unsigned int order);

#endif /* __LINUX_GFP_H */
