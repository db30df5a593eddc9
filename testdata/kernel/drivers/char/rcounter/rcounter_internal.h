/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between rcounter's two halves: rcounter.rs (Rust) and
 * rcounter_glue.c (C).
 */
#ifndef _RCOUNTER_INTERNAL_H
#define _RCOUNTER_INTERNAL_H

#include <linux/miscdevice.h>
#include <linux/types.h>

/* Implemented in Rust (rcounter.rs), called by the file operations. */
int rcounter_account(const char *data, size_t len);
u64 rcounter_total(void);

/* Implemented in C (rcounter_glue.c), called by the Rust module. */
int rcounter_glue_register(struct miscdevice *misc);
void rcounter_glue_unregister(struct miscdevice *misc);

#endif /* _RCOUNTER_INTERNAL_H */
