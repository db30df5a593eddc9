/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_ERRNO_H
#define _LINUX_ERRNO_H

/*
 * Error numbers. Functions return them negated: -ENOMEM, or ERR_PTR(-ENOMEM)
 * for pointers. (uapi/asm-generic/errno-base.h in Linux.)
 */
#define	EPERM		 1	/* Operation not permitted */
#define	ENOENT		 2	/* No such file or directory */
#define	EIO		 5	/* I/O error */
#define	EAGAIN		11	/* Try again */
#define	ENOMEM		12	/* Out of memory */
#define	EFAULT		14	/* Bad address */
#define	EBUSY		16	/* Device or resource busy */
#define	ENODEV		19	/* No such device */
#define	EINVAL		22	/* Invalid argument */
#define	ENOSPC		28	/* No space left on device */

/* Kernel-internal: never seen by user space. */
#define ESHUTDOWN	108	/* Cannot do it after shutdown */

#endif /* _LINUX_ERRNO_H */
