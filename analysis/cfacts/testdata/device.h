/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel-style header written for rivet's tests: the shapes of
 * include/linux headers (kernel-doc, annotations, static inlines, cleanup
 * macros, conditionals), none of their code.
 */
#ifndef _RIVET_TEST_DEVICE_H
#define _RIVET_TEST_DEVICE_H

#include <linux/types.h>
#include <linux/list.h>
#include "internal.h"

#define DEVICE_NAME_MAX		32
#define dev_to_node(dev)	((dev)->numa_node)
#define for_each_child(dev, child) \
	list_for_each_entry(child, &(dev)->children, sibling)

struct device;
struct module;

typedef unsigned int __bitwise gfp_t;
typedef void (*dr_release_t)(struct device *dev, void *res);

enum device_state {
	DEV_STATE_NEW = 0,
	DEV_STATE_BOUND,
	DEV_STATE_DEAD = 0x10,
};

/**
 * struct device_ops - what a bus does to its devices
 * @probe: bind a driver
 * @remove: unbind it
 */
struct device_ops {
	int (*probe)(struct device *dev);
	void (*remove)(struct device *dev);
	const char *name;
};

struct device {
	struct device		*parent;
	struct list_head	children;
	struct list_head	sibling;
	const struct device_ops	*ops;
	void __iomem		*regs;
	void			*driver_data;
	struct mutex		lock;
	struct kref		kref;
	enum device_state	state;
#ifdef CONFIG_NUMA
	int			numa_node;
#endif
	union {
		u64		dma_mask;
		u32		dma_mask32[2];
	};
	char			name[DEVICE_NAME_MAX];
};

extern struct device platform_bus;
extern const gfp_t RUST_CONST_HELPER_GFP_KERNEL;

/**
 * get_device - take a reference to a device
 * @dev: the device, may be %NULL
 *
 * Return: @dev.
 */
struct device *get_device(struct device *dev);
void put_device(struct device *dev);

DEFINE_FREE(put_device, struct device *, if (_T) put_device(_T))

int __must_check device_register(struct device *dev);
void device_unregister(struct device *dev);
void device_lock_nested(struct device *dev, int subclass) __acquires(&dev->lock);
void device_unlock(struct device *dev) __releases(&dev->lock);
__printf(2, 3) int dev_set_name(struct device *dev, const char *name, ...);
void __noreturn device_panic(const char *why);
void *devm_kmalloc(struct device *dev, size_t size, gfp_t gfp) __malloc;
unsigned long device_copy_in(void *to, const void __user *from, unsigned long n);

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

static __always_inline const char *dev_name(const struct device *dev)
{
	return dev->name[0] ? dev->name : NULL;
}

static inline struct device *device_find_child(struct device *parent, const void *data,
					       int (*match)(struct device *dev, const void *data))
{
	struct device *child;

	might_sleep();
	mutex_lock(&parent->lock);
	for_each_child(parent, child) {
		if (match(child, data)) {
			get_device(child);
			mutex_unlock(&parent->lock);
			return child;
		}
	}
	mutex_unlock(&parent->lock);
	return NULL;
}

#ifdef CONFIG_DEVRES
void *devres_alloc(dr_release_t release, size_t size, gfp_t gfp);
#else
static inline void *devres_alloc(dr_release_t release, size_t size, gfp_t gfp)
{
	return ERR_PTR(-ENODEV);
}
#endif

DEFINE_GUARD(device, struct device *, device_lock(_T), device_unlock(_T))

#endif /* _RIVET_TEST_DEVICE_H */
