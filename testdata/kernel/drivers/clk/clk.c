// SPDX-License-Identifier: GPL-2.0
/*
 * The clock consumer API: a model of drivers/clk/clk.c and clkdev.c.
 * Providers add clocks with clk_add(); consumers find them with clk_get().
 */

#include <linux/clk.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

struct clk {
	struct list_head node;
	struct device *dev;
	const char *con_id;
	unsigned long rate;
	unsigned int prepare_count;
	unsigned int enable_count;
	refcount_t ref;
};

static LIST_HEAD(clk_list);
/* Serialises prepare and unprepare, which may sleep. */
static DEFINE_MUTEX(prepare_lock);
/* Serialises enable and disable, which run in atomic context. */
static DEFINE_SPINLOCK(enable_lock);

static bool clk_matches(const struct clk *clk, struct device *dev, const char *con_id)
{
	return clk->dev == dev && (!con_id || !strcmp(clk->con_id, con_id));
}

/**
 * clk_add - make a clock available to clk_get()
 * @clk: the clock; the clock list keeps it until the provider goes away
 */
void clk_add(struct clk *clk)
{
	refcount_set(&clk->ref, 1);
	guard(mutex)(&prepare_lock);
	list_add_tail(&clk->node, &clk_list);
}

struct clk *clk_get(struct device *dev, const char *con_id)
{
	struct clk *clk;

	if (!dev)
		return ERR_PTR(-EINVAL);

	guard(mutex)(&prepare_lock);
	list_for_each_entry(clk, &clk_list, node) {
		if (clk_matches(clk, dev, con_id)) {
			refcount_inc(&clk->ref);
			return clk;
		}
	}
	return ERR_PTR(-ENOENT);
}

void clk_put(struct clk *clk)
{
	if (IS_ERR_OR_NULL(clk))
		return;
	if (refcount_dec_and_test(&clk->ref))
		kfree(clk);
}

int clk_prepare(struct clk *clk)
{
	might_sleep();
	if (!clk)
		return 0;
	mutex_lock(&prepare_lock);
	clk->prepare_count++;
	mutex_unlock(&prepare_lock);
	return 0;
}

void clk_unprepare(struct clk *clk)
{
	might_sleep();
	if (!clk)
		return;
	guard(mutex)(&prepare_lock);
	if (clk->prepare_count)
		clk->prepare_count--;
}

int clk_enable(struct clk *clk)
{
	unsigned long flags;
	int ret = 0;

	if (!clk)
		return 0;
	spin_lock_irqsave(&enable_lock, flags);
	if (clk->prepare_count)
		clk->enable_count++;
	else
		ret = -ESHUTDOWN;
	spin_unlock_irqrestore(&enable_lock, flags);
	return ret;
}

void clk_disable(struct clk *clk)
{
	if (!clk)
		return;
	guard(spinlock_irqsave)(&enable_lock);
	if (clk->enable_count)
		clk->enable_count--;
}

unsigned long clk_get_rate(struct clk *clk)
{
	return clk ? clk->rate : 0;
}
