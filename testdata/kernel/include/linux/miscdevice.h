/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_MISCDEVICE_H
#define _LINUX_MISCDEVICE_H

#include <linux/compiler_types.h>
#include <linux/types.h>

#define MISC_DYNAMIC_MINOR	255

struct device;
struct file;

/* File operations (linux/fs.h in Linux), trimmed to the two used here. */
struct file_operations {
	ssize_t (*read)(struct file *file, char __user *buf, size_t len, loff_t *ppos);
	ssize_t (*write)(struct file *file, const char __user *buf, size_t len, loff_t *ppos);
};

/**
 * struct miscdevice - a character device on the misc major number
 * @minor: the minor number, or MISC_DYNAMIC_MINOR to get a free one
 * @name: the device node's name
 * @fops: the file operations
 * @list: the entry in the misc core's list, while registered
 * @parent: the parent device, or NULL
 * @this_device: the device the misc core creates, while registered
 */
struct miscdevice {
	int minor;
	const char *name;
	const struct file_operations *fops;
	struct list_head list;
	struct device *parent;
	struct device *this_device;
};

/**
 * misc_register - register a miscellaneous device
 * @misc: the device
 *
 * The misc core keeps @misc in its list until misc_deregister(): @misc must
 * not move or be freed before then.
 *
 * Return: 0, or a negative errno.
 */
int misc_register(struct miscdevice *misc);

/**
 * misc_deregister - unregister a device registered with misc_register()
 * @misc: the device
 */
void misc_deregister(struct miscdevice *misc);

#endif /* _LINUX_MISCDEVICE_H */
