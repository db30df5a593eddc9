/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The made-up widget API, kernel-header style: guards, prototypes, static
 * inline helpers, cleanup declarations. A benchmark input, not a real
 * kernel header.
 */
#ifndef _LINUX_WIDGET_H
#define _LINUX_WIDGET_H

#include <linux/types.h>
#include <linux/err.h>
#include <linux/cleanup.h>

struct widget;
struct device;

/**
 * struct widget_ops - what a widget backend implements
 * @start: start a transfer
 * @stop: stop it
 */
struct widget_ops {
	int (*start)(struct widget *w, const void *buf, size_t len);
	void (*stop)(struct widget *w);
	unsigned int flags;
#define WIDGET_OPS_ASYNC	BIT(0)
#define WIDGET_OPS_DMA		BIT(1)
};

typedef int (*widget_cb_t)(struct widget *w, void *ctx);
typedef u32 __bitwise widget_flags_t;

enum widget_mode {
	WIDGET_MODE_POLL,
	WIDGET_MODE_IRQ,
	WIDGET_MODE_DMA,
	NR_WIDGET_MODES
};

extern struct bus_type widget_bus;
extern const struct widget_ops widget_default_ops;

int __must_check widget_register(struct device *dev, const struct widget_ops *ops);
void widget_unregister(struct widget *w);
int widget_submit(struct widget *w, const void *buf, size_t len);
struct widget *widget_get(struct device *dev) __acquires(&w->ref);
void widget_put(struct widget *w) __releases(&w->ref);
__printf(2, 3) void widget_log(struct widget *w, const char *fmt, ...);

#ifdef CONFIG_WIDGET
struct widget *widget_find(const char *name);
int widget_set_mode(struct widget *w, enum widget_mode mode);
#else
static inline struct widget *widget_find(const char *name)
{
	return ERR_PTR(-ENODEV);
}

static inline int widget_set_mode(struct widget *w, enum widget_mode mode)
{
	return -EOPNOTSUPP;
}
#endif

static inline bool widget_is_async(const struct widget_ops *ops)
{
	return ops->flags & WIDGET_OPS_ASYNC;
}

static __always_inline __must_check void *widget_priv(struct widget *w)
{
	return (void *)((unsigned long)w + sizeof(*w));
}

DEFINE_FREE(widget_put, struct widget *, if (!IS_ERR_OR_NULL(_T)) widget_put(_T))
DEFINE_GUARD(widget, struct widget *, widget_get_lock(_T), widget_put_lock(_T))

#define for_each_widget(w, list) \
	list_for_each_entry(w, list, node)

#define WIDGET_REG(base, n)	((base) + 0x100 + (n) * 4)

#endif /* _LINUX_WIDGET_H */
