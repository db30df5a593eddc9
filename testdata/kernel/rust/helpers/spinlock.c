// SPDX-License-Identifier: GPL-2.0

#include <linux/spinlock.h>

/* Wraps the spin_lock_init() macro; lockdep's name and key are unused here. */
__rust_helper void rust_helper___spin_lock_init(spinlock_t *lock, const char *name,
						struct lock_class_key *key)
{
	spin_lock_init(lock);
}

__rust_helper void rust_helper_spin_lock(spinlock_t *lock)
{
	spin_lock(lock);
}

__rust_helper void rust_helper_spin_unlock(spinlock_t *lock)
{
	spin_unlock(lock);
}
