package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const needsHelperTree = `
-- rust/bindings/bindings_helper.h --
#include <linux/dev.h>
#include <linux/pool.h>
#include <linux/zone.h>
-- rust/helpers/helpers.c --
#include <linux/compiler_types.h>

#include "dev.c"
#include "zone.c"
-- rust/helpers/dev.c --
// SPDX-License-Identifier: GPL-2.0

#include <linux/dev.h>

__rust_helper int rust_helper_dev_id(struct dev *d)
{
	return dev_id(d);
}
-- rust/helpers/zone.c --
// SPDX-License-Identifier: GPL-2.0

#include <linux/compiler_types.h>

__rust_helper void rust_helper_unrelated(void)
{
}
-- include/linux/dev.h --
struct dev { int id; };

static inline int dev_id(struct dev *d)
{
	return d->id;
}

static inline __must_check void *dev_alloc(struct dev *d, unsigned long size,
					   void (*release)(void *), int)
{
	return 0;
}

static inline void dev_poke(void)
{
}

#define dev_lock_init(d) do { } while (0)

int dev_register(struct dev *d);
-- include/linux/pool.h --
static inline const char *pool_name(const int ids[4])
{
	return "pool";
}
-- include/linux/zone.h --
static inline unsigned long zone_pages(int nid)
{
	return 0;
}
-- drivers/x/x.rs --
use kernel::bindings;

pub fn f(d: *mut bindings::dev) {
    // SAFETY: test.
    unsafe {
        bindings::dev_id(d);
        bindings::dev_register(d);
        bindings::dev_alloc(d, 8, None, 0); // want "ffi-needs-helper"
        bindings::dev_poke(); // want "ffi-needs-helper"
        bindings::dev_lock_init(d); // want "ffi-needs-helper"
        bindings::pool_name(core::ptr::null()); // want "ffi-needs-helper"
        bindings::zone_pages(0); // want "ffi-needs-helper"
    }
}

// Near miss: a type is never a helper's business.
pub type D = bindings::dev;
`

func TestFFINeedsHelper(t *testing.T) {
	checkTree(t, needsHelperTree, "ffi-needs-helper")
}

func TestFFINeedsHelperFix(t *testing.T) {
	root, diags := checkTree(t, needsHelperTree, "ffi-needs-helper")
	read := func(rel string) (string, []byte) {
		path := filepath.Join(root, rel)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return path, src
	}

	// The helper file that includes the header gets the helper, with the
	// attribute, the function pointer and the unnamed parameter.
	d := diagAt(t, diags, root, "drivers/x/x.rs", "bindings::dev_alloc")
	if !strings.Contains(d.Message, "bindings::dev_alloc names a static inline function of include/linux/dev.h that no rust_helper_dev_alloc wraps") {
		t.Errorf("message: %s", d.Message)
	}
	fix := fixTitled(t, d, "Add rust_helper_dev_alloc to rust/helpers/dev.c")
	path, src := read("rust/helpers/dev.c")
	want := string(src[:len(src)-1]) + `

__rust_helper void *__must_check rust_helper_dev_alloc(struct dev *d, unsigned long size, void (*release)(void *), int arg3)
{
	return dev_alloc(d, size, release, arg3);
}
`
	if got := applyFix(t, src, path, fix); got != want {
		t.Errorf("dev.c after the fix:\n%s\nwant:\n%s", got, want)
	}

	d = diagAt(t, diags, root, "drivers/x/x.rs", "bindings::dev_poke")
	got := applyFix(t, src, path, fixTitled(t, d, "Add rust_helper_dev_poke"))
	if !strings.HasSuffix(got, "\n\n__rust_helper void rust_helper_dev_poke(void)\n{\n\tdev_poke();\n}\n") {
		t.Errorf("void helper:\n%s", got)
	}

	// rust/helpers/zone.c exists without the header: it gets the include.
	d = diagAt(t, diags, root, "drivers/x/x.rs", "bindings::zone_pages")
	path, src = read("rust/helpers/zone.c")
	want = strings.Replace(string(src), "#include <linux/compiler_types.h>", "#include <linux/compiler_types.h>\n#include <linux/zone.h>", 1)
	want = want[:len(want)-1] + "\n\n__rust_helper unsigned long rust_helper_zone_pages(int nid)\n{\n\treturn zone_pages(nid);\n}\n"
	if got := applyFix(t, src, path, fixTitled(t, d, "Add rust_helper_zone_pages to rust/helpers/zone.c")); got != want {
		t.Errorf("zone.c after the fix:\n%s\nwant:\n%s", got, want)
	}

	// No helper file for pool.h: a new one, listed in helpers.c in order.
	d = diagAt(t, diags, root, "drivers/x/x.rs", "bindings::pool_name")
	fix = fixTitled(t, d, "Add rust_helper_pool_name to a new rust/helpers/pool.c")
	newPath := filepath.Join(root, "rust/helpers/pool.c")
	if got := applyFix(t, nil, newPath, fix); got != "// SPDX-License-Identifier: GPL-2.0\n\n#include <linux/pool.h>\n\n"+
		"__rust_helper const char *rust_helper_pool_name(const int ids[4])\n{\n\treturn pool_name(ids);\n}\n" {
		t.Errorf("new pool.c:\n%s", got)
	}
	path, src = read("rust/helpers/helpers.c")
	if got, want := applyFix(t, src, path, fix), strings.Replace(string(src), `#include "zone.c"`, "#include \"pool.c\"\n#include \"zone.c\"", 1); got != want {
		t.Errorf("helpers.c after the fix:\n%s\nwant:\n%s", got, want)
	}

	// A macro has no types to copy.
	d = diagAt(t, diags, root, "drivers/x/x.rs", "bindings::dev_lock_init")
	if !strings.Contains(d.Message, "names a function-like macro of include/linux/dev.h") || len(d.Fixes) != 1 {
		t.Errorf("macro: %s, %d fixes (want only the silence fix)", d.Message, len(d.Fixes))
	}
}
