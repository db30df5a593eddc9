// SPDX-License-Identifier: GPL-2.0
/*
 * rust/helpers-style wrappers written for rivet's tests: bindgen cannot
 * call static inline functions or macros, so each gets a real function.
 */

#include <linux/device.h>
#include <linux/refcount.h>
#include <linux/uaccess.h>

__rust_helper void *rust_helper_dev_get_drvdata(const struct device *dev)
{
	return dev_get_drvdata(dev);
}

__rust_helper void rust_helper_dev_set_drvdata(struct device *dev, void *data)
{
	dev_set_drvdata(dev, data);
}

__rust_helper bool rust_helper_refcount_dec_and_test(refcount_t *r)
{
	return refcount_dec_and_test(r);
}

__rust_helper unsigned long
rust_helper_copy_from_user(void *to, const void __user *from, unsigned long n)
{
	return copy_from_user(to, from, n);
}

__rust_helper struct task_struct *rust_helper_get_current(void)
{
	return current;
}

__rust_helper void rust_helper_mutex_lock(struct mutex *lock)
{
	mutex_lock(lock);
}

__rust_helper void *rust_helper_kmalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags);
}

__rust_helper long rust_helper_PTR_ERR(__force const void *ptr)
{
	return PTR_ERR(ptr);
}
