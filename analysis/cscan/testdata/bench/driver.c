// SPDX-License-Identifier: GPL-2.0
/*
 * A made-up platform driver for a made-up "widget" controller, written in
 * kernel style as a benchmark input for the cheap C scanner. It is not
 * taken from any real driver.
 */

#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/io.h>
#include "widget.h"

#define WIDGET_CTRL		0x00
#define WIDGET_STATUS		0x04
#define WIDGET_IRQ_MASK		0x08
#define WIDGET_FIFO		0x10
#define WIDGET_CTRL_ENABLE	BIT(0)
#define WIDGET_CTRL_RESET	BIT(1)
#define WIDGET_STATUS_BUSY	BIT(4)
#define WIDGET_TIMEOUT_US	10000
#define widget_dbg(w, fmt, ...) \
	dev_dbg((w)->dev, "widget: " fmt, ##__VA_ARGS__)

enum widget_state {
	WIDGET_OFF,
	WIDGET_IDLE,
	WIDGET_RUNNING = 4,
	WIDGET_FAILED,
};

struct widget_stats {
	u64 transfers;
	u64 errors;
	u32 last_status;
};

struct widget {
	struct device *dev;
	void __iomem *base;
	struct clk *clk;
	int irq;
	enum widget_state state;
	struct mutex lock;		/* protects state and stats */
	spinlock_t fifo_lock;
	struct widget_stats stats;
	struct list_head requests;
	wait_queue_head_t done;
	void (*notify)(struct widget *w, int status);
};

struct widget_request {
	struct list_head node;
	size_t len;
	u8 data[] __counted_by(len);
};

static DEFINE_MUTEX(widget_list_lock);
static LIST_HEAD(widget_list);
static unsigned int widget_count __read_mostly;

DEFINE_FREE(widget_req, struct widget_request *, if (_T) kfree(_T))

static inline u32 widget_read(struct widget *w, unsigned int reg)
{
	return readl(w->base + reg);
}

static inline void widget_write(struct widget *w, unsigned int reg, u32 val)
{
	writel(val, w->base + reg);
}

static int widget_wait_idle(struct widget *w)
{
	u32 status;

	return readl_poll_timeout(w->base + WIDGET_STATUS, status,
				  !(status & WIDGET_STATUS_BUSY), 10,
				  WIDGET_TIMEOUT_US);
}

/**
 * widget_reset() - reset the controller
 * @w: the widget
 *
 * Context: process context, takes w->lock.
 * Return: 0 or a negative errno.
 */
static int widget_reset(struct widget *w)
{
	int ret;

	guard(mutex)(&w->lock);
	widget_write(w, WIDGET_CTRL, WIDGET_CTRL_RESET);
	ret = widget_wait_idle(w);
	if (ret) {
		dev_err(w->dev, "reset timed out: %d\n", ret);
		w->state = WIDGET_FAILED;
		return ret;
	}
	widget_write(w, WIDGET_CTRL, WIDGET_CTRL_ENABLE);
	w->state = WIDGET_IDLE;
	return 0;
}

static void widget_push(struct widget *w, const struct widget_request *req)
{
	unsigned long flags;
	size_t i;

	spin_lock_irqsave(&w->fifo_lock, flags);
	for (i = 0; i < req->len; i++)
		widget_write(w, WIDGET_FIFO, req->data[i]);
	spin_unlock_irqrestore(&w->fifo_lock, flags);
}

int widget_submit(struct widget *w, const void *buf, size_t len)
{
	struct widget_request *req __free(widget_req) = NULL;

	if (!len || len > SZ_4K)
		return -EINVAL;

	req = kzalloc(struct_size(req, data, len), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->len = len;
	memcpy(req->data, buf, len);

	scoped_guard(mutex, &w->lock) {
		if (w->state != WIDGET_IDLE)
			return -EBUSY;
		w->state = WIDGET_RUNNING;
		list_add_tail(&no_free_ptr(req)->node, &w->requests);
	}
	widget_push(w, list_last_entry(&w->requests, struct widget_request, node));
	return 0;
}
EXPORT_SYMBOL_GPL(widget_submit);

static irqreturn_t widget_irq(int irq, void *data)
{
	struct widget *w = data;
	u32 status = widget_read(w, WIDGET_STATUS);

	if (!(status & ~WIDGET_STATUS_BUSY))
		return IRQ_NONE;

	widget_write(w, WIDGET_STATUS, status);
	w->stats.last_status = status;
	if (status & BIT(31))
		w->stats.errors++;
	else
		w->stats.transfers++;
	if (w->notify)
		w->notify(w, status);
	wake_up(&w->done);
	return IRQ_HANDLED;
}

#ifdef CONFIG_PM_SLEEP
static int widget_suspend(struct device *dev)
{
	struct widget *w = dev_get_drvdata(dev);

	clk_disable_unprepare(w->clk);
	return 0;
}

static int widget_resume(struct device *dev)
{
	struct widget *w = dev_get_drvdata(dev);
	int ret = clk_prepare_enable(w->clk);

	if (ret)
		return ret;
	return widget_reset(w);
}
#endif

static SIMPLE_DEV_PM_OPS(widget_pm_ops, widget_suspend, widget_resume);

static int widget_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct widget *w;
	int ret;

	w = devm_kzalloc(dev, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->dev = dev;
	mutex_init(&w->lock);
	spin_lock_init(&w->fifo_lock);
	INIT_LIST_HEAD(&w->requests);
	init_waitqueue_head(&w->done);

	w->base = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(w->base))
		return PTR_ERR(w->base);

	w->clk = devm_clk_get_enabled(dev, NULL);
	if (IS_ERR(w->clk))
		return dev_err_probe(dev, PTR_ERR(w->clk), "no clock\n");

	w->irq = platform_get_irq(pdev, 0);
	if (w->irq < 0)
		return w->irq;
	ret = devm_request_irq(dev, w->irq, widget_irq, 0, dev_name(dev), w);
	if (ret)
		return ret;

	ret = widget_reset(w);
	if (ret)
		return ret;

	platform_set_drvdata(pdev, w);
	scoped_guard(mutex, &widget_list_lock)
		widget_count++;
	widget_dbg(w, "probed, %u widgets\n", widget_count);
	return 0;
}

static void widget_remove(struct platform_device *pdev)
{
	struct widget *w = platform_get_drvdata(pdev);

	widget_write(w, WIDGET_CTRL, 0);
	scoped_guard(mutex, &widget_list_lock)
		widget_count--;
}

static const struct of_device_id widget_of_match[] = {
	{ .compatible = "example,widget" },
	{ .compatible = "example,widget-v2", .data = (void *)2 },
	{ }
};
MODULE_DEVICE_TABLE(of, widget_of_match);

static struct platform_driver widget_driver = {
	.probe = widget_probe,
	.remove = widget_remove,
	.driver = {
		.name = "widget",
		.of_match_table = widget_of_match,
		.pm = &widget_pm_ops,
	},
};
module_platform_driver(widget_driver);

MODULE_DESCRIPTION("Example widget controller");
MODULE_LICENSE("GPL");
