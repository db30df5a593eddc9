// SPDX-License-Identifier: GPL-2.0
/*
 * A platform-driver-shaped file written for rivet's tests: probe/remove,
 * a registry of objects on a list, ERR_PTR returns, locks and sleeping.
 */

#include <linux/device.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/xarray.h>

#define WIDGET_MAX	16
#define to_widget(d)	container_of(d, struct widget, dev)

struct widget {
	struct device		dev;
	struct list_head	node;
	struct kref		kref;
	struct mutex		lock;
	void __iomem		*base;
	int			id;
	unsigned long		flags;
};

static LIST_HEAD(widgets);
static DEFINE_MUTEX(widgets_lock);
static DEFINE_XARRAY_ALLOC(widget_ids);
static struct widget *last_widget;
static const char *const widget_names[] = { "alpha", "beta", NULL };

static void widget_release(struct kref *kref)
{
	struct widget *w = container_of(kref, struct widget, kref);

	kfree(w);
}

/**
 * widget_put - drop a widget reference
 * @w: the widget
 */
void widget_put(struct widget *w)
{
	if (w)
		kref_put(&w->kref, widget_release);
}
EXPORT_SYMBOL_GPL(widget_put);

static int widget_register(struct widget *w)
{
	int ret;

	mutex_lock(&widgets_lock);
	ret = xa_alloc(&widget_ids, &w->id, w, xa_limit_32b, GFP_KERNEL);
	if (ret < 0)
		goto unlock;
	list_add_tail(&w->node, &widgets);
	last_widget = w;
unlock:
	mutex_unlock(&widgets_lock);
	return ret;
}

/**
 * widget_create - allocate and register a widget
 * @parent: the parent device
 * @id: which widget
 *
 * Return: the widget, or an ERR_PTR() on failure.
 */
struct widget *widget_create(struct device *parent, int id)
{
	struct widget *w;
	int err;

	if (id < 0 || id >= WIDGET_MAX)
		return ERR_PTR(-EINVAL);

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return ERR_PTR(-ENOMEM);

	kref_init(&w->kref);
	mutex_init(&w->lock);
	w->dev.parent = parent;
	err = widget_register(w);
	if (err) {
		kfree(w);
		w = ERR_PTR(err);
	}
	return w;
}
EXPORT_SYMBOL_GPL(widget_create);

struct widget *widget_lookup(int id)
{
	struct widget *w;

	xa_lock(&widget_ids);
	w = xa_load(&widget_ids, id);
	if (w)
		kref_get(&w->kref);
	xa_unlock(&widget_ids);
	return w;
}

static irqreturn_t widget_irq(int irq, void *data)
{
	struct widget *w = data;
	u32 status = readl(w->base + 0x10);

	if (!(status & BIT(0)))
		return IRQ_NONE;
	writel(status, w->base + 0x10);
	return IRQ_HANDLED;
}

static int widget_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct widget *w;
	int irq, ret;

	w = widget_create(dev, pdev->id);
	if (IS_ERR(w))
		return PTR_ERR(w);

	w->base = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(w->base)) {
		widget_put(w);
		return PTR_ERR(w->base);
	}

	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;

	ret = devm_request_irq(dev, irq, widget_irq, IRQF_SHARED, dev_name(dev), w);
	if (ret)
		return dev_err_probe(dev, ret, "irq %d\n", irq);

	scoped_guard(mutex, &w->lock)
		w->flags |= 1;
	platform_set_drvdata(pdev, w);
	msleep(20);
	return 0;
}

static void widget_remove(struct platform_device *pdev)
{
	struct widget *w = platform_get_drvdata(pdev);

	mutex_lock(&widgets_lock);
	list_del(&w->node);
	xa_erase(&widget_ids, w->id);
	mutex_unlock(&widgets_lock);
	widget_put(w);
}

static struct platform_driver widget_driver = {
	.probe	= widget_probe,
	.remove	= widget_remove,
	.driver	= {
		.name = "widget",
	},
};
module_platform_driver(widget_driver);

MODULE_DESCRIPTION("rivet test widget");
MODULE_LICENSE("GPL");
