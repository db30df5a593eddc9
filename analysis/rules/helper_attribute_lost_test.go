package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const helperAttrTree = `
Helpers that drop the attributes of what they wrap, beside helpers that
keep them or have nothing to keep.
-- rust/bindings/bindings_helper.h --
#include <linux/lib.h>
-- rust/helpers/helpers.c --
#include "lib.c"
-- include/linux/lib.h --
static inline __must_check bool ref_put(int *r)
{
	return --*r == 0;
}

static inline __must_check int ref_get(int *r)
{
	return ++*r;
}

static __always_inline void __noreturn die(void)
{
	for (;;)
		;
}

static inline void *__malloc __must_check obj_alloc(unsigned long n)
{
	return kmalloc(n);
}

static inline void ref_set(int *r, int n)
{
	*r = n;
}

static inline unsigned long __must_check _inline_copy(void *to, const void *from, unsigned long n)
{
	return n;
}

#ifdef CONFIG_REG
int __must_check reg_enable(int *reg);
#else
static inline int reg_enable(int *reg)
{
	return 0;
}
#endif

static inline __must_check int try_get(int *r)
{
	return *r;
}
-- rust/helpers/lib.c --
#include <linux/lib.h>

__rust_helper bool rust_helper_ref_put(int *r) /* want "helper-attribute-lost" */
{
	return ref_put(r);
}

/* Near miss: the attribute is repeated. */
__rust_helper int __must_check rust_helper_ref_get(int *r)
{
	return ref_get(r);
}

__rust_helper void rust_helper_die(void) /* want "helper-attribute-lost" */
{
	die();
}

__rust_helper void *rust_helper_obj_alloc(unsigned long n) /* want "helper-attribute-lost" */
{
	return obj_alloc(n);
}

/* Near miss: nothing to keep. */
__rust_helper void rust_helper_ref_set(int *r, int n)
{
	ref_set(r, n);
}

/* The wrapped function has another name. */
__rust_helper unsigned long
rust_helper__copy(void *to, const void *from, unsigned long n) /* want "helper-attribute-lost" */
{
	return _inline_copy(to, from, n);
}

/*
 * Near miss: the helper exists for !CONFIG_REG, where reg_enable is a stub
 * without __must_check; with CONFIG_REG bindgen binds the prototype itself.
 */
__rust_helper int rust_helper_reg_enable(int *reg)
{
	return reg_enable(reg);
}

/* Near miss: the helper checks the result itself and returns nothing. */
__rust_helper void rust_helper_try_get(int *r)
{
	if (try_get(r))
		ref_set(r, 1);
}
`

func TestHelperAttributeLost(t *testing.T) {
	checkTree(t, helperAttrTree, "helper-attribute-lost")
}

func TestHelperAttributeLostMessageAndFix(t *testing.T) {
	root, diags := checkTree(t, helperAttrTree, "helper-attribute-lost")
	path := filepath.Join(root, "rust/helpers/lib.c")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		marker, msg, fixed string
	}{
		{
			marker: "rust_helper_ref_put(int *r)",
			msg:    "rust_helper_ref_put wraps ref_put, which is __must_check, but does not repeat it: bindgen gives bindings::ref_put no #[must_use]",
			fixed:  "__rust_helper bool __must_check rust_helper_ref_put(int *r) /* want",
		},
		{
			marker: "rust_helper_die(void)",
			msg:    "rust_helper_die wraps die, which is __noreturn",
			fixed:  "__rust_helper void __noreturn rust_helper_die(void) /* want",
		},
		{
			marker: "rust_helper_obj_alloc(unsigned long n)",
			msg:    "which is __must_check and __malloc, but does not repeat them",
			fixed:  "__rust_helper void *__must_check __malloc rust_helper_obj_alloc(unsigned long n) /* want",
		},
		{
			marker: "rust_helper__copy(",
			msg:    "rust_helper__copy wraps _inline_copy, which is __must_check, but does not repeat it: bindgen gives bindings::_copy no #[must_use]",
			fixed:  "\n__must_check rust_helper__copy(void *to",
		},
	}
	for _, tt := range tests {
		d := diagAt(t, diags, root, "rust/helpers/lib.c", tt.marker)
		if !strings.Contains(d.Message, tt.msg) {
			t.Errorf("message %q lacks %q", d.Message, tt.msg)
		}
		if len(d.Related) == 0 || !strings.HasSuffix(d.Related[0].Path, "include/linux/lib.h") {
			t.Errorf("%s: related %+v, want the wrapped declaration in include/linux/lib.h", tt.marker, d.Related)
		}
		got := applyFix(t, src, path, fixTitled(t, d, "Add __"))
		if !strings.Contains(got, tt.fixed) {
			t.Errorf("%s: fixed text lacks %q:\n%s", tt.marker, tt.fixed, got)
		}
	}
}
