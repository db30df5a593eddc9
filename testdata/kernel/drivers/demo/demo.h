/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C side of rivet's demo driver: the prototypes the Rust files in this
 * directory must agree with. Every report is on the Rust side; see the
 * want comments there.
 */
#ifndef _DEMO_H
#define _DEMO_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct demo_event {
	u32 kind;
	u32 len;
};

struct demo_stats {
	u64 events;
	u64 bytes;
};

/* Exported by rust_demo.rs. */
int demo_event_notify(const struct demo_event *ev);
unsigned int demo_event_count(void);
int demo_read_stats(struct demo_stats *stats);
int demo_fill_stats(struct demo_stats *stats);

/* Exported by checks.rs: @buf is a user-space address. */
ssize_t demo_write(const char __user *buf, size_t len);
ssize_t demo_write_copied(const char __user *buf, size_t len);

/* Provided by the board code; imported by rust_demo.rs. */
int demo_hw_reset(struct demo_stats *stats, unsigned int flags);
long demo_hw_status(void);

#endif /* _DEMO_H */
