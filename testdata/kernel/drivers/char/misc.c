// SPDX-License-Identifier: GPL-2.0
/*
 * The misc character-device core: a model of drivers/char/misc.c. Each
 * registered miscdevice sits in misc_list and gets a device node.
 */

#include <linux/device.h>
#include <linux/err.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/slab.h>

static LIST_HEAD(misc_list);
static DEFINE_MUTEX(misc_mtx);
static int misc_next_minor = 64;

static void misc_node_release(struct device *dev)
{
	kfree(dev);
}

/* Creates the device node of @misc; returns it or an ERR_PTR(). */
static struct device *misc_create_node(struct miscdevice *misc)
{
	struct device *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->parent = misc->parent;
	dev->init_name = misc->name;
	dev->release = misc_node_release;
	if (device_register(dev)) {
		/* device_register() took over the memory: release through the refcount. */
		put_device(dev);
		return ERR_PTR(-EBUSY);
	}
	return dev;
}

int misc_register(struct miscdevice *misc)
{
	struct device *dev;

	INIT_LIST_HEAD(&misc->list);
	mutex_lock(&misc_mtx);
	if (misc->minor == MISC_DYNAMIC_MINOR)
		misc->minor = misc_next_minor++;
	dev = misc_create_node(misc);
	if (IS_ERR(dev)) {
		mutex_unlock(&misc_mtx);
		return PTR_ERR(dev);
	}
	misc->this_device = dev;
	/* The core keeps @misc from here until misc_deregister(). */
	list_add(&misc->list, &misc_list);
	mutex_unlock(&misc_mtx);
	return 0;
}

void misc_deregister(struct miscdevice *misc)
{
	guard(mutex)(&misc_mtx);
	list_del(&misc->list);
	device_unregister(misc->this_device);
	misc->this_device = NULL;
}
