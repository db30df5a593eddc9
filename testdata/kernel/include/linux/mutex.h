/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LINUX_MUTEX_H
#define __LINUX_MUTEX_H

#include <linux/cleanup.h>
#include <linux/compiler_types.h>
#include <linux/types.h>

/* Lockdep's key for one class of locks (linux/lockdep_types.h in Linux). */
struct lock_class_key {
	char __one_byte;
};

/**
 * struct mutex - a sleeping lock with a single owner
 * @owner: the owning task, or 0 when unlocked
 * @wait_list: tasks sleeping until the mutex is released
 *
 * Taking a mutex may sleep: never in atomic context, never under a spinlock.
 */
struct mutex {
	atomic_t owner;
	struct list_head wait_list;
};

#define DEFINE_MUTEX(name)	struct mutex name = { .wait_list = { &(name).wait_list, &(name).wait_list } }

/**
 * __mutex_init - initialise a mutex
 * @lock: the mutex
 * @name: the lock's name, for lockdep
 * @key: the lock class, for lockdep
 */
void __mutex_init(struct mutex *lock, const char *name, struct lock_class_key *key);

/*
 * mutex_init - initialise a mutex with a lock class of its own. A macro
 * (the class is a static at each call site): Rust calls __mutex_init()
 * with a key it owns instead.
 */
#define mutex_init(mutex)						\
do {									\
	static struct lock_class_key __key;				\
									\
	__mutex_init((mutex), #mutex, &__key);				\
} while (0)

/**
 * mutex_lock - acquire a mutex
 * @lock: the mutex
 *
 * Context: process context; sleeps until the mutex is free.
 */
void mutex_lock(struct mutex *lock) __acquires(lock);

/**
 * mutex_lock_interruptible - acquire a mutex unless a signal arrives
 * @lock: the mutex
 *
 * Return: 0 with the mutex held, or -EINTR without it.
 */
int __must_check mutex_lock_interruptible(struct mutex *lock) __cond_acquires(0, lock);

/**
 * mutex_trylock - acquire a mutex if it is free
 * @lock: the mutex
 *
 * Return: 1 with the mutex held, 0 without it.
 */
int mutex_trylock(struct mutex *lock) __cond_acquires(true, lock);

/**
 * mutex_unlock - release a mutex
 * @lock: the mutex, held by the caller
 */
void mutex_unlock(struct mutex *lock) __releases(lock);

DEFINE_GUARD(mutex, struct mutex *, mutex_lock(_T), mutex_unlock(_T))

#endif /* __LINUX_MUTEX_H */
