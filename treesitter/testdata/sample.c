// SPDX-License-Identifier: GPL-2.0
/*
 * A driver-shaped sample written for rivet's tests: annotations, statement
 * macros, conditional initializers and cleanup helpers.
 */
#include <linux/device.h>
#include <linux/slab.h>

#define FOO_NAME "foo"
#define foo_dbg(dev, fmt, args...) dev_dbg(dev, fmt, ##args)

struct foo_dev {
	struct device *dev;
	void __iomem *regs;
	struct list_head items;
	spinlock_t lock;
	DECLARE_BITMAP(used, 64);
	unsigned long flags __maybe_unused;
} __packed;

struct foo_item {
	struct list_head node;
	int value;
};

DEFINE_FREE(foo_item_free, struct foo_item *, if (_T) kfree(_T))

static DEFINE_MUTEX(foo_lock);

static int __must_check foo_read(struct foo_dev *fd, u32 __user *out)
	__must_hold(&fd->lock)
{
	u32 v = readl(fd->regs + 0x10);

	return put_user(v, out);
}

static __always_inline int foo_count(struct foo_dev *fd)
{
	struct foo_item *it;
	int n = 0;

	list_for_each_entry(it, &fd->items, node) {
		if (it->value < 0)
			continue;
		n++;
	}
	scoped_guard(spinlock_irqsave, &fd->lock) {
		n += bitmap_weight(fd->used, 64);
	}
	return n;
}

static int foo_classify(int v)
{
	switch (v) {
	case 0 ... 9:
		return 1;
	default:
		return 0;
	}
}

static int __init foo_init(void)
{
	struct foo_item *it __free(foo_item_free) = kzalloc(sizeof(*it), GFP_KERNEL);
	struct foo_dev *fd = container_of(it, struct foo_dev, items);

	if (!it)
		return -ENOMEM;
	foo_dbg(fd->dev, "init %d\n", foo_classify(it->value));
	return 0;
}

static const struct dev_pm_ops foo_pm_ops = {
	.suspend = NULL,
#ifdef CONFIG_PM_SLEEP
	.resume = NULL,
#endif
};

static void __exit foo_exit(void)
{
}

module_init(foo_init);
module_exit(foo_exit);
EXPORT_SYMBOL_GPL(foo_count);
MODULE_LICENSE("GPL");
