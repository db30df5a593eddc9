package rules_test

import (
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/rules"
)

// lifecycleTree is the C side the lifecycle rules' txtar tests share: a
// kernel-like tree whose headers and bodies teach the lifecycle knowledge
// the pairs (by naming, the allocator families and annotations), the
// sleeping functions (by their bodies) and a function that keeps its
// argument (by its body). Each test appends its Rust files.
const lifecycleTree = `
-- rust/bindings/bindings_helper.h --
#include <linux/demo.h>
-- include/linux/demo.h --
struct device;
struct clk;
struct list_head { struct list_head *next, *prev; };
struct miscdevice { int minor; struct list_head list; };
typedef struct spinlock { int slock; } spinlock_t;
struct mutex { int owner; };
typedef unsigned int gfp_t;

#define GFP_KERNEL 0x10u
#define GFP_ATOMIC 0x20u

void *kmalloc(unsigned long size, gfp_t flags);
void kfree(const void *objp);
void kvfree(const void *addr);
void *vmalloc(unsigned long size);
void vfree(const void *addr);

struct device *get_device(struct device *dev);
void put_device(struct device *dev);
void *dev_get_drvdata(const struct device *dev);
void *devm_kmalloc(struct device *dev, unsigned long size, gfp_t gfp);
void devm_kfree(struct device *dev, void *p);

struct clk *clk_get(struct device *dev, const char *id);
void clk_put(struct clk *clk);
int clk_prepare(struct clk *clk);
void clk_unprepare(struct clk *clk);
int clk_enable(struct clk *clk);

void spin_lock(spinlock_t *lock) __acquires(lock);
int spin_trylock(spinlock_t *lock) __cond_acquires(true, lock);
void spin_unlock(spinlock_t *lock) __releases(lock);
void mutex_lock(struct mutex *lock) __acquires(lock);
void mutex_unlock(struct mutex *lock) __releases(lock);
void rcu_read_lock(void);
void rcu_read_unlock(void);

void msleep(unsigned int msecs);
int misc_register(struct miscdevice *misc);
void misc_deregister(struct miscdevice *misc);
-- drivers/demo/demo.c --
#include <linux/demo.h>

static struct list_head misc_list;

int clk_prepare(struct clk *clk)
{
	might_sleep();
	return 0;
}

void msleep(unsigned int msecs)
{
	might_sleep();
}

int misc_register(struct miscdevice *misc)
{
	list_add(&misc->list, &misc_list);
	return 0;
}
`

// checkLifecycle runs the rules with the given codes over lifecycleTree
// plus the Rust files of archive, and compares the reports with every
// want comment of the tree.
func checkLifecycle(t *testing.T, archive string, codes ...string) (string, []rules.Diagnostic) {
	t.Helper()
	return checkTree(t, lifecycleTree+archive, codes...)
}

// lifecycleDiag returns the one diagnostic of code whose message contains
// substr.
func lifecycleDiag(t *testing.T, diags []rules.Diagnostic, code, substr string) rules.Diagnostic {
	t.Helper()
	var found []rules.Diagnostic
	for _, d := range diags {
		if d.Code == code && strings.Contains(d.Message, substr) {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s diagnostics mention %q, want 1: %v", len(found), code, substr, diags)
	}
	return found[0]
}

// relatedMentions reports whether some related location's message
// contains substr.
func relatedMentions(d rules.Diagnostic, substr string) bool {
	for _, r := range d.Related {
		if strings.Contains(r.Message, substr) {
			return true
		}
	}
	return false
}
