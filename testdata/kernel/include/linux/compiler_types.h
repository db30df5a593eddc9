/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LINUX_COMPILER_TYPES_H
#define __LINUX_COMPILER_TYPES_H

/*
 * Annotations for the static checkers (sparse, Clang's context analysis).
 * A normal build compiles them to nothing; rivet reads them as facts:
 * a __user pointer only goes through copy_from_user(), a function marked
 * __acquires(x) returns with x held, __releases(x) returns with it free.
 */
#ifdef __CHECKER__
# define __user		__attribute__((noderef, address_space(__user)))
# define __iomem	__attribute__((noderef, address_space(__iomem)))
# define __force	__attribute__((force))
# define __bitwise	__attribute__((bitwise))
# define __acquires(x)	__attribute__((context(x, 0, 1)))
# define __releases(x)	__attribute__((context(x, 1, 0)))
# define __must_hold(x)	__attribute__((context(x, 1, 1)))
# define __cond_acquires(ret, x) __attribute__((context(x, 0, -1)))
#else
# define __user
# define __iomem
# define __force
# define __bitwise
# define __acquires(x)
# define __releases(x)
# define __must_hold(x)
# define __cond_acquires(ret, x)
#endif

/* Compiler attributes (linux/compiler_attributes.h in Linux). */
#define __must_check		__attribute__((__warn_unused_result__))
#define __malloc		__attribute__((__malloc__))
#define __noreturn		__attribute__((__noreturn__))
#define __always_inline		inline __attribute__((__always_inline__))
#define __cleanup(func)		__attribute__((__cleanup__(func)))
#define __lockfunc		__attribute__((__section__(".spinlock.text")))

#endif /* __LINUX_COMPILER_TYPES_H */
