/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_CLEANUP_H
#define _LINUX_CLEANUP_H

#include <linux/compiler_types.h>

/*
 * Scope-based cleanup. The DEFINE_* lines in other headers state which
 * functions undo which, and rivet reads them as lifecycle pairs:
 *
 *	DEFINE_FREE(kfree, void *, if (_T) kfree(_T))
 *	void *buf __free(kfree) = kmalloc(len, GFP_KERNEL);
 *
 * frees buf on every path out of its scope, unless no_free_ptr(buf) hands
 * it on. DEFINE_GUARD() and DEFINE_LOCK_GUARD_1() do the same for locks:
 * guard(mutex)(&lock) unlocks when the scope ends.
 */
#define DEFINE_FREE(_name, _type, _free)				\
	static __always_inline void __free_##_name(void *p)		\
	{ _type _T = *(_type *)p; _free; }

#define __free(_name)	__cleanup(__free_##_name)

#define no_free_ptr(p)							\
	({ __auto_type __ptr = (p); (p) = NULL; __ptr; })

#define return_ptr(p)	return no_free_ptr(p)

#define DEFINE_CLASS(_name, _type, _exit, _init, _init_args...)	\
	typedef _type class_##_name##_t;				\
	static __always_inline void class_##_name##_destructor(_type *p) \
	{ _type _T = *p; _exit; }					\
	static __always_inline _type class_##_name##_constructor(_init_args) \
	{ _type t = _init; return t; }

#define CLASS(_name, var)						\
	class_##_name##_t var __cleanup(class_##_name##_destructor) =	\
		class_##_name##_constructor

#define DEFINE_GUARD(_name, _type, _lock, _unlock)			\
	DEFINE_CLASS(_name, _type, if (_T) { _unlock; }, ({ _lock; _T; }), _type _T)

#define DEFINE_LOCK_GUARD_1(_name, _type, _lock, _unlock, ...)	\
	typedef struct {						\
		_type *lock;						\
		__VA_ARGS__;						\
	} class_##_name##_t;						\
	static __always_inline void class_##_name##_destructor(class_##_name##_t *_T) \
	{ if (_T->lock) { _unlock; } }					\
	static __always_inline class_##_name##_t class_##_name##_constructor(_type *l) \
	{ class_##_name##_t _t = { .lock = l }, *_T = &_t; _lock; return _t; }

#define ___PASTE(a, b)		a##b
#define __PASTE(a, b)		___PASTE(a, b)
#define guard(_name)		CLASS(_name, __PASTE(__guard_, __LINE__))

#endif /* _LINUX_CLEANUP_H */
