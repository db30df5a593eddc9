package analysis

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
)

// navWorkspace is an indexed workspace over a test tree.
type navWorkspace struct {
	*Workspace
	root string
}

var (
	kernelOnce sync.Once
	kernelWS   *navWorkspace
)

// kernelNav returns the indexed workspace of testdata/kernel, built once
// per test binary. Tests must not change it.
func kernelNav(t *testing.T) *navWorkspace {
	t.Helper()
	kernelOnce.Do(func() {
		root, err := filepath.Abs("../testdata/kernel")
		if err != nil {
			t.Fatal(err)
		}
		kernelWS = buildNav(t, root)
	})
	if kernelWS == nil {
		t.Fatal("testdata/kernel did not index")
	}
	return kernelWS
}

// txtarNav indexes a tree written from a txtar archive.
func txtarNav(t *testing.T, archive string) *navWorkspace {
	t.Helper()
	return buildNav(t, analysistest.WriteTxtar(t, archive))
}

func buildNav(t *testing.T, root string) *navWorkspace {
	t.Helper()
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	w := NewWorkspace([]string{root}, Options{})
	if _, err := w.Build(context.Background(), nil); err != nil {
		t.Fatalf("build %s: %v", root, err)
	}
	return &navWorkspace{Workspace: w, root: filepath.ToSlash(root)}
}

// at returns the path of rel and the offset of the '|' in marker, whose
// text without the '|' must occur exactly once in the file (or, with a
// "#N" suffix on rel, the N-th occurrence, counting from 1).
func (w *navWorkspace) at(t *testing.T, rel, marker string) (string, uint32) {
	t.Helper()
	nth, explicit := 1, false
	if r, n, ok := strings.Cut(rel, "#"); ok {
		rel, explicit = r, true
		if _, err := fmt.Sscan(n, &nth); err != nil {
			t.Fatalf("bad occurrence in %q", rel+"#"+n)
		}
	}
	path := w.root + "/" + rel
	src, err := w.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	pre, post, ok := strings.Cut(marker, "|")
	if !ok {
		t.Fatalf("marker %q has no '|'", marker)
	}
	text := []byte(pre + post)
	count := bytes.Count(src, text)
	if !explicit && count != 1 {
		t.Fatalf("%q occurs %d times in %s", pre+post, count, rel)
	}
	from := 0
	for i := 1; ; i++ {
		k := bytes.Index(src[from:], text)
		if k < 0 {
			t.Fatalf("%q has no occurrence %d in %s", pre+post, nth, rel)
		}
		if i == nth {
			return path, uint32(from + k + len(pre))
		}
		from += k + 1
	}
}

// show renders a location as "rel:line name", the line one-based and name
// the located text.
func (w *navWorkspace) show(l Location) string {
	src, err := os.ReadFile(l.Path)
	if err != nil {
		return fmt.Sprintf("%s: %v", l.Path, err)
	}
	line := bytes.Count(src[:min(int(l.Span.Start), len(src))], []byte{'\n'}) + 1
	text := ""
	if int(l.Span.End) <= len(src) && l.Span.Start <= l.Span.End {
		text = string(src[l.Span.Start:l.Span.End])
	}
	return fmt.Sprintf("%s:%d %s", strings.TrimPrefix(l.Path, w.root+"/"), line, text)
}

func (w *navWorkspace) showAll(ls []Location) []string {
	var out []string
	for _, l := range ls {
		out = append(out, w.show(l))
	}
	return out
}

// navCase is a navigation request at a marker and the locations it must
// give, as show renders them.
type navCase struct {
	name   string
	file   string
	marker string
	want   []string
}

func runNav(t *testing.T, w *navWorkspace, find func(context.Context, string, uint32) ([]Location, error), cases []navCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path, off := w.at(t, tc.file, tc.marker)
			got, err := find(context.Background(), path, off)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, w.showAll(got)); diff != "" {
				t.Errorf("at %s %q: -want +got:\n%s", tc.file, tc.marker, diff)
			}
		})
	}
}

func TestDefinitionKernel(t *testing.T) {
	w := kernelNav(t)
	runNav(t, w, w.Definition, []navCase{
		{"function with a body", "drivers/demo/checks.rs", "let clk = unsafe { bindings::clk_|get(dev.as_raw(), ptr::null()) }; // want",
			[]string{"drivers/clk/clk.c:47 clk_get"}},
		{"cursor at the end of the name", "drivers/demo/checks.rs#1", "bindings::clk_get_rate|(clk) };\n    // SAFETY: the reference clk_get returned",
			[]string{"drivers/clk/clk.c:118 clk_get_rate"}},
		{"function without a body in the tree", "drivers/demo/ownership.rs#1", "bindings::|get_device(",
			[]string{"include/linux/device.h:42 get_device"}},
		{"static inline through its helper: the inline first", "drivers/demo/locking.rs#1", "bindings::spin_|lock(lock)",
			[]string{"include/linux/spinlock.h:42 spin_lock", "rust/helpers/spinlock.c:12 rust_helper_spin_lock"}},
		{"function-like macro through its helper", "rust/kernel/error.rs", "bindings::IS_|ERR(",
			[]string{"include/linux/err.h:46 IS_ERR", "rust/helpers/err.c:16 rust_helper_IS_ERR"}},
		{"constant helper: the macro, then RUST_CONST_HELPER", "drivers/demo/locking.rs", "bindings::GFP_|KERNEL) }; // want",
			[]string{"include/linux/gfp.h:27 GFP_KERNEL", "rust/bindings/bindings_helper.h:30 RUST_CONST_HELPER_GFP_KERNEL"}},
		{"plain macro constant", "drivers/demo/locking.rs#1", "bindings::MISC_DYNAMIC_|MINOR",
			[]string{"include/linux/miscdevice.h:8 MISC_DYNAMIC_MINOR"}},
		{"type", "drivers/demo/ownership.rs", "Opaque<bindings::dev|ice>",
			[]string{"include/linux/device.h:25 device"}},
		{"blocklisted type: the bindgen_parameters line, then the C typedef", "drivers/demo/rust_demo.rs", "bindings::__kernel_|size_t",
			[]string{"rust/bindgen_parameters:4 --blocklist-type __kernel_s?size_t", "include/linux/types.h:17 __kernel_size_t"}},
		{"static inline without a helper", "drivers/demo/rust_demo.rs", "bindings::devm_|kzalloc(",
			[]string{"include/linux/device.h:115 devm_kzalloc"}},
		{"extern block item's name", "drivers/char/rcounter/rcounter.rs", "fn rcounter_glue_|register(misc",
			[]string{"drivers/char/rcounter/rcounter_glue.c:52 rcounter_glue_register"}},
		{"call of an extern block item", "drivers/char/rcounter/rcounter.rs", "to_result(unsafe { rcounter_glue_|register(misc) })",
			[]string{"drivers/char/rcounter/rcounter_glue.c:52 rcounter_glue_register"}},
		{"extern item declared nowhere", "drivers/demo/rust_demo.rs", "fn demo_hw_|poweroff();", nil},
		{"C call of a Rust export", "drivers/char/rcounter/rcounter_glue.c", "ret = rcounter_|account(kbuf, len);",
			[]string{"drivers/char/rcounter/rcounter.rs:57 rcounter_account"}},
		{"C prototype of a Rust export", "drivers/char/rcounter/rcounter_internal.h", "u64 rcounter_|total(void);",
			[]string{"drivers/char/rcounter/rcounter.rs:76 rcounter_total"}},
		{"a Rust export's own name: rust-analyzer's", "drivers/char/rcounter/rcounter.rs", "fn rcounter_|account(", nil},
		{"C name that crosses nothing", "drivers/char/rcounter/rcounter_glue.c", "return misc_|register(misc);", nil},
		{"C comment", "drivers/char/rcounter/rcounter_glue.c", "and hand it to the |Rust half", nil},
		{"Rust name that is no FFI name", "drivers/char/rcounter/rcounter.rs", "let mut stats = STATS.|lock();", nil},
	})
}

func TestDeclarationKernel(t *testing.T) {
	w := kernelNav(t)
	runNav(t, w, w.Declaration, []navCase{
		{"function: the prototype, not the body", "drivers/demo/checks.rs", "let clk = unsafe { bindings::clk_|get(dev.as_raw(), ptr::null()) }; // want",
			[]string{"include/linux/clk.h:21 clk_get"}},
		{"constant: RUST_CONST_HELPER first", "drivers/demo/locking.rs", "bindings::GFP_|KERNEL) }; // want",
			[]string{"rust/bindings/bindings_helper.h:30 RUST_CONST_HELPER_GFP_KERNEL", "include/linux/gfp.h:27 GFP_KERNEL"}},
		{"extern item: the header prototype", "drivers/char/rcounter/rcounter.rs", "fn rcounter_glue_|register(misc",
			[]string{"drivers/char/rcounter/rcounter_internal.h:17 rcounter_glue_register"}},
		{"Rust export: the header prototype", "drivers/char/rcounter/rcounter.rs", "fn rcounter_|account(",
			[]string{"drivers/char/rcounter/rcounter_internal.h:13 rcounter_account"}},
		{"C call of a Rust export: the header prototype", "drivers/char/rcounter/rcounter_glue.c", "ret = rcounter_|account(kbuf, len);",
			[]string{"drivers/char/rcounter/rcounter_internal.h:13 rcounter_account"}},
		{"type: the definition", "drivers/demo/ownership.rs", "Opaque<bindings::dev|ice>",
			[]string{"include/linux/device.h:25 device"}},
	})
}

// TestDefinitionThroughUse checks names imported from the bindings crate
// by a use declaration, at the import and at their uses.
func TestDefinitionThroughUse(t *testing.T) {
	w := txtarNav(t, `
-- rust/bindings/bindings_helper.h --
#include <linux/widget.h>
-- include/linux/widget.h --
struct widget { int id; };
int widget_poke(struct widget *w);
-- drivers/w/w.rs --
use kernel::bindings::{widget, widget_poke as poke};
fn f(w: *mut widget) -> i32 { unsafe { poke(w) } }
`)
	runNav(t, w, w.Definition, []navCase{
		{"the imported type", "drivers/w/w.rs", "use kernel::bindings::{wid|get,", []string{"include/linux/widget.h:1 widget"}},
		{"the imported fn under its alias", "drivers/w/w.rs", "widget_po|ke as poke", []string{"include/linux/widget.h:2 widget_poke"}},
		{"the type through the import", "drivers/w/w.rs", "*mut wid|get)", []string{"include/linux/widget.h:1 widget"}},
		{"the call through the alias", "drivers/w/w.rs", "unsafe { po|ke(w) }", []string{"include/linux/widget.h:2 widget_poke"}},
	})
}
