/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DEVICE_H_
#define _DEVICE_H_

#include <linux/cleanup.h>
#include <linux/compiler_types.h>
#include <linux/gfp.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>

struct device_driver;

/**
 * struct device - the basic device structure
 * @parent: the device this one hangs off (a bus controller, say), or NULL
 * @init_name: the device's name until it is registered
 * @driver: the bound driver, or NULL
 * @driver_data: the bound driver's data (dev_set_drvdata())
 * @mutex: serialises the driver's callbacks (device_lock())
 * @refcount: references; get_device() and put_device()
 * @devres_head: device-managed resources, released when the driver unbinds
 * @release: frees the device once the last reference is gone
 */
struct device {
	struct device *parent;
	const char *init_name;
	const struct device_driver *driver;
	void *driver_data;
	struct mutex mutex;
	refcount_t refcount;
	struct list_head devres_head;
	void (*release)(struct device *dev);
};

/**
 * get_device - take a reference to a device
 * @dev: the device, or NULL
 *
 * Return: @dev. Drop the reference with put_device().
 */
struct device *get_device(struct device *dev);

/**
 * put_device - drop a reference taken with get_device()
 * @dev: the device, or NULL
 *
 * Dropping the last reference calls @dev->release.
 */
void put_device(struct device *dev);

DEFINE_FREE(put_device, struct device *, if (_T) put_device(_T))

/**
 * device_register - initialise a device and add it to the system
 * @dev: the device
 *
 * Return: 0, or a negative errno; on failure the caller still owns a
 * reference and must drop it with put_device(), never kfree().
 */
int __must_check device_register(struct device *dev);

/**
 * device_unregister - remove a device from the system and drop its reference
 * @dev: the device
 */
void device_unregister(struct device *dev);

static inline void device_lock(struct device *dev)
{
	mutex_lock(&dev->mutex);
}

static inline void device_unlock(struct device *dev)
{
	mutex_unlock(&dev->mutex);
}

DEFINE_GUARD(device, struct device *, device_lock(_T), device_unlock(_T))

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

/*
 * Device-managed memory (linux/device/devres.h in Linux): the driver core
 * frees it when the driver unbinds. Callers never kfree() it; devm_kfree()
 * frees it early.
 */

/**
 * devm_kmalloc - allocate memory freed when the driver unbinds
 * @dev: the device the memory belongs to
 * @size: bytes required
 * @gfp: allocation flags
 *
 * Return: the memory, or NULL.
 */
void *devm_kmalloc(struct device *dev, size_t size, gfp_t gfp) __malloc;

/**
 * devm_kzalloc - devm_kmalloc() returning zeroed memory
 * @dev: the device the memory belongs to
 * @size: bytes required
 * @gfp: allocation flags
 *
 * static inline, and rust/helpers has no wrapper: Rust cannot call it.
 */
static inline void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp)
{
	return devm_kmalloc(dev, size, gfp | __GFP_ZERO);
}

/**
 * devm_kfree - free device-managed memory before the driver unbinds
 * @dev: the device the memory belongs to
 * @p: memory from devm_kmalloc()
 */
void devm_kfree(struct device *dev, const void *p);

#endif /* _DEVICE_H_ */
