/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LINUX_CLK_H
#define __LINUX_CLK_H

#include <linux/cleanup.h>
#include <linux/err.h>

struct device;

/* Opaque to consumers: only drivers/clk knows what is inside. */
struct clk;

/**
 * clk_get - look up a clock producer and take a reference to it
 * @dev: the consumer device
 * @id: the clock's connection id, or NULL for the device's default clock
 *
 * Context: may sleep.
 * Return: the clock, or an ERR_PTR() (never NULL). Drop it with clk_put().
 */
struct clk *clk_get(struct device *dev, const char *id);

/**
 * clk_put - drop a reference taken with clk_get()
 * @clk: the clock
 */
void clk_put(struct clk *clk);

DEFINE_FREE(clk_put, struct clk *, if (!IS_ERR_OR_NULL(_T)) clk_put(_T))

/**
 * clk_prepare - prepare a clock source for clk_enable()
 * @clk: the clock
 *
 * Context: may sleep.
 * Return: 0, or a negative errno. Undo with clk_unprepare().
 */
int clk_prepare(struct clk *clk);

/**
 * clk_unprepare - undo clk_prepare()
 * @clk: the clock
 *
 * Context: may sleep.
 */
void clk_unprepare(struct clk *clk);

/**
 * clk_enable - ungate a prepared clock
 * @clk: the clock
 *
 * Context: any; does not sleep, so it may be called under a spinlock.
 * Return: 0, or a negative errno. Undo with clk_disable().
 */
int clk_enable(struct clk *clk);

/**
 * clk_disable - undo clk_enable()
 * @clk: the clock
 */
void clk_disable(struct clk *clk);

/**
 * clk_get_rate - the clock's current rate
 * @clk: the clock
 *
 * Return: the rate in Hz, or 0 for a NULL clock.
 */
unsigned long clk_get_rate(struct clk *clk);

#endif /* __LINUX_CLK_H */
