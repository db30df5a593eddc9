/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LINUX_SPINLOCK_H
#define __LINUX_SPINLOCK_H

#include <linux/cleanup.h>
#include <linux/compiler_types.h>
#include <linux/types.h>

struct lock_class_key;

typedef struct raw_spinlock {
	volatile unsigned int slock;
} raw_spinlock_t;

/*
 * A busy-waiting lock. Its holder runs in atomic context: it must not
 * sleep, so no mutex_lock(), no GFP_KERNEL allocation, no msleep().
 */
typedef struct spinlock {
	struct raw_spinlock rlock;
} spinlock_t;

#define DEFINE_SPINLOCK(x)	spinlock_t x = { .rlock = { .slock = 0 } }

/* The out-of-line primitives (kernel/locking/spinlock.c in Linux). */
void __lockfunc _raw_spin_lock(raw_spinlock_t *lock) __acquires(lock);
void __lockfunc _raw_spin_unlock(raw_spinlock_t *lock) __releases(lock);
unsigned long __lockfunc _raw_spin_lock_irqsave(raw_spinlock_t *lock) __acquires(lock);
void __lockfunc _raw_spin_unlock_irqrestore(raw_spinlock_t *lock, unsigned long flags)
	__releases(lock);

/* spin_lock_init - initialise a spinlock; a macro, wrapped for Rust by __spin_lock_init */
#define spin_lock_init(_lock)						\
do {									\
	*(_lock) = (spinlock_t){ .rlock = { .slock = 0 } };		\
} while (0)

/**
 * spin_lock - acquire a spinlock
 * @lock: the lock
 */
static __always_inline void spin_lock(spinlock_t *lock)
	__acquires(lock)
{
	_raw_spin_lock(&lock->rlock);
}

/**
 * spin_unlock - release a spinlock
 * @lock: the lock, held by the caller
 */
static __always_inline void spin_unlock(spinlock_t *lock)
	__releases(lock)
{
	_raw_spin_unlock(&lock->rlock);
}

/*
 * spin_lock_irqsave - acquire a spinlock with local interrupts disabled,
 * saving the previous interrupt state in @flags. A macro: it assigns @flags.
 */
#define spin_lock_irqsave(lock, flags)					\
do {									\
	(flags) = _raw_spin_lock_irqsave(&(lock)->rlock);		\
} while (0)

/**
 * spin_unlock_irqrestore - release a spinlock taken with spin_lock_irqsave()
 * @lock: the lock, held by the caller
 * @flags: the state spin_lock_irqsave() saved
 */
static __always_inline void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
	__releases(lock)
{
	_raw_spin_unlock_irqrestore(&lock->rlock, flags);
}

DEFINE_LOCK_GUARD_1(spinlock, spinlock_t,
		    spin_lock(_T->lock),
		    spin_unlock(_T->lock))

DEFINE_LOCK_GUARD_1(spinlock_irqsave, spinlock_t,
		    spin_lock_irqsave(_T->lock, _T->flags),
		    spin_unlock_irqrestore(_T->lock, _T->flags),
		    unsigned long flags)

#endif /* __LINUX_SPINLOCK_H */
