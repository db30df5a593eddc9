// SPDX-License-Identifier: GPL-2.0
/*
 * rcounter's C half: the file operations, which move data across the
 * user-space boundary and hand it to the Rust half (rcounter.rs).
 */

#include <linux/err.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "rcounter_internal.h"

#define RCOUNTER_MAX_WRITE	4096

static ssize_t rcounter_write(struct file *file, const char __user *buf,
			      size_t len, loff_t *ppos)
{
	char *kbuf __free(kfree) = NULL;
	int ret;

	if (len > RCOUNTER_MAX_WRITE)
		return -EINVAL;
	kbuf = kmalloc(len, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	if (copy_from_user(kbuf, buf, len))
		return -EFAULT;
	ret = rcounter_account(kbuf, len);
	if (ret)
		return ret;
	return len;
}

static ssize_t rcounter_read(struct file *file, char __user *buf,
			     size_t len, loff_t *ppos)
{
	u64 total = rcounter_total();

	if (len < sizeof(total))
		return -EINVAL;
	if (copy_to_user(buf, &total, sizeof(total)))
		return -EFAULT;
	return sizeof(total);
}

static const struct file_operations rcounter_fops = {
	.read	= rcounter_read,
	.write	= rcounter_write,
};

int rcounter_glue_register(struct miscdevice *misc)
{
	misc->fops = &rcounter_fops;
	return misc_register(misc);
}

void rcounter_glue_unregister(struct miscdevice *misc)
{
	misc_deregister(misc);
}
