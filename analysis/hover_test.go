package analysis

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func (w *navWorkspace) hoverAt(t *testing.T, file, marker string) *hoverInfo {
	t.Helper()
	path, off := w.at(t, file, marker)
	h, err := w.hover(context.Background(), path, off)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// chain renders a hover's chain as formatHover does, without backquotes.
func (h *hoverInfo) chainText() string {
	var parts []string
	for _, s := range h.chain {
		p := s.what
		if s.where != "" {
			p += " (" + s.where + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " → ")
}

func TestHoverKernel(t *testing.T) {
	w := kernelNav(t)
	tests := []struct {
		name, file, marker string
		title, chain       string
		code               []string // the code blocks' first lines
		doc                string   // a prefix of the doc
		notes              []string // substrings, one per note
		uses               string   // the uses line as formatted, "" for none
		first              []string
	}{
		{
			name: "function with a prototype and a body", file: "drivers/demo/checks.rs",
			marker: "let clk = unsafe { bindings::clk_|get(dev.as_raw(), ptr::null()) }; // want",
			title:  "bindings::clk_get", chain: "bindings::clk_get → clk_get (include/linux/clk.h:21)",
			code:  []string{"struct clk *clk_get(struct device *dev, const char *id);"},
			doc:   "clk_get - look up a clock",
			notes: []string{"Defined at drivers/clk/clk.c:47."},
		},
		{
			name: "static inline through its helper", file: "drivers/demo/locking.rs#1", marker: "bindings::spin_|lock(lock)",
			title: "bindings::spin_lock",
			chain: "bindings::spin_lock → rust_helper_spin_lock (rust/helpers/spinlock.c:12) → static inline spin_lock (include/linux/spinlock.h:42)",
			code:  []string{"static __always_inline void spin_lock(spinlock_t *lock)"},
			doc:   "spin_lock - acquire a spinlock",
		},
		{
			name: "constant helper standing in for a macro", file: "drivers/demo/locking.rs", marker: "bindings::GFP_|KERNEL) }; // want",
			title: "bindings::GFP_KERNEL",
			chain: "bindings::GFP_KERNEL → RUST_CONST_HELPER_GFP_KERNEL (rust/bindings/bindings_helper.h:30) → macro GFP_KERNEL (include/linux/gfp.h:27)",
			code:  []string{"const gfp_t RUST_CONST_HELPER_GFP_KERNEL = GFP_KERNEL;", "#define GFP_KERNEL\t(__GFP_RECLAIM | __GFP_IO | __GFP_FS)"},
		},
		{
			name: "blocklisted type", file: "drivers/demo/rust_demo.rs", marker: "bindings::__kernel_|size_t",
			title: "bindings::__kernel_size_t",
			chain: "bindings::__kernel_size_t → typedef __kernel_size_t (include/linux/types.h:17)",
			code:  []string{"typedef unsigned long\t\t__kernel_size_t;"},
			notes: []string{"Blocklisted by rust/bindgen_parameters:4 (`--blocklist-type __kernel_s?size_t`)"},
		},
		{
			name: "static inline with no helper", file: "drivers/demo/rust_demo.rs", marker: "bindings::devm_|kzalloc(",
			title: "bindings::devm_kzalloc",
			chain: "bindings::devm_kzalloc → static inline devm_kzalloc (include/linux/device.h:115)",
			code:  []string{"static inline void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp);"},
			doc:   "devm_kzalloc - devm_kmalloc() returning zeroed memory",
			notes: []string{"no `rust_helper_devm_kzalloc` wraps"},
		},
		{
			name: "type", file: "drivers/demo/ownership.rs", marker: "Opaque<bindings::dev|ice>",
			title: "bindings::device", chain: "bindings::device → struct device (include/linux/device.h:25)",
			code: []string{"struct device {"},
			doc:  "struct device - the basic device structure",
		},
		{
			name: "extern block item", file: "drivers/char/rcounter/rcounter.rs", marker: "fn rcounter_glue_|register(misc",
			title: `extern "C" fn rcounter_glue_register`,
			chain: "rcounter_glue_register → declared (drivers/char/rcounter/rcounter_internal.h:17) → defined (drivers/char/rcounter/rcounter_glue.c:52)",
			code:  []string{"int rcounter_glue_register(struct miscdevice *misc);"},
		},
		{
			name: "Rust export", file: "drivers/char/rcounter/rcounter.rs", marker: "fn rcounter_|account(",
			title: "rcounter_account: exported to C",
			chain: "rcounter_account → C prototype (drivers/char/rcounter/rcounter_internal.h:13)",
			code:  []string{"int rcounter_account(const char *data, size_t len);"},
			uses:  "Called from C: 1 call site in 1 file",
			first: []string{"drivers/char/rcounter/rcounter_glue.c:29 (in rcounter_write)"},
		},
		{
			name: "C call of a Rust export", file: "drivers/char/rcounter/rcounter_glue.c", marker: "ret = rcounter_|account(kbuf, len);",
			title: "rcounter_account: implemented in Rust",
			chain: "rcounter_account → implemented in Rust (drivers/char/rcounter/rcounter.rs:57)",
			code:  []string{`pub unsafe extern "C" fn rcounter_account(data: *const c_char, len: usize) -> c_int`},
			doc:   "Accounts one write",
			uses:  "Called from C: 1 call site in 1 file",
			first: []string{"drivers/char/rcounter/rcounter_glue.c:29 (in rcounter_write)"},
		},
		{
			name: "C function used from Rust", file: "include/linux/clk.h", marker: "int clk_|prepare(struct clk *clk);",
			title: "clk_prepare: used from Rust",
			uses:  "Used from Rust: 5 call sites in 3 files",
			first: []string{"drivers/demo/locking.rs:89 (in prepare_locked)", "drivers/demo/locking.rs:116 (in prepare_under_mutex)", "drivers/demo/ownership.rs:62 (in new)"},
		},
		{
			name: "C helper", file: "rust/helpers/spinlock.c", marker: "void rust_helper_spin_|lock(spinlock_t *lock)",
			title: "rust_helper_spin_lock: reaches Rust as bindings::spin_lock",
			uses:  "Used from Rust: 6 call sites in 1 file",
			first: []string{"drivers/demo/locking.rs:25 (in bump)", "drivers/demo/locking.rs:43 (in bump_checked)", "drivers/demo/locking.rs:63 (in reset)"},
		},
		{
			name: "C struct used from Rust as a type", file: "include/linux/miscdevice.h", marker: "struct |miscdevice {",
			title: "miscdevice: used from Rust",
			uses:  "Used from Rust: 6 references in 2 files",
			first: []string{"drivers/char/rcounter/rcounter.rs:22 (in rcounter_glue_register)", "drivers/char/rcounter/rcounter.rs:25 (in rcounter_glue_unregister)", "drivers/char/rcounter/rcounter.rs:43"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := w.hoverAt(t, tt.file, tt.marker)
			if h == nil {
				t.Fatal("no hover")
			}
			if h.title != tt.title {
				t.Errorf("title = %q, want %q", h.title, tt.title)
			}
			if got := h.chainText(); got != tt.chain {
				t.Errorf("chain = %q\nwant    %q", got, tt.chain)
			}
			var code []string
			for _, c := range h.code {
				first, _, _ := strings.Cut(c.text, "\n")
				code = append(code, first)
			}
			if diff := cmp.Diff(tt.code, code); diff != "" {
				t.Errorf("code blocks -want +got:\n%s", diff)
			}
			if !strings.HasPrefix(h.doc, tt.doc) || (tt.doc == "" && h.doc != "") {
				t.Errorf("doc = %q, want it to start with %q", h.doc, tt.doc)
			}
			if len(h.notes) != len(tt.notes) {
				t.Errorf("notes = %q, want %d", h.notes, len(tt.notes))
			}
			for i := range min(len(h.notes), len(tt.notes)) {
				if !strings.Contains(h.notes[i], tt.notes[i]) {
					t.Errorf("note %d = %q, want it to contain %q", i, h.notes[i], tt.notes[i])
				}
			}
			uses, first := "", []string(nil)
			if h.uses != nil {
				md := formatHover(&hoverInfo{uses: h.uses})
				uses, _, _ = strings.Cut(md, "\n")
				first = h.uses.first
			}
			if uses != tt.uses {
				t.Errorf("uses = %q, want %q", uses, tt.uses)
			}
			if diff := cmp.Diff(tt.first, first); diff != "" {
				t.Errorf("first uses -want +got:\n%s", diff)
			}
		})
	}
	for _, none := range []struct{ file, marker string }{
		{"drivers/char/rcounter/rcounter_glue.c", "static ssize_t rcounter_|write("},
		{"drivers/char/rcounter/rcounter.rs", "let mut stats = STATS.|lock();"},
	} {
		if h := w.hoverAt(t, none.file, none.marker); h != nil {
			t.Errorf("hover at %s %q = %+v, want none", none.file, none.marker, h)
		}
	}
}

func TestFormatHover(t *testing.T) {
	h := &hoverInfo{
		title: "bindings::get_current",
		code:  []hoverCode{{lang: "c", text: "static __always_inline struct task_struct *get_current(void)"}},
		chain: []hoverStep{
			{what: "bindings::get_current"},
			{what: "rust_helper_get_current", where: "rust/helpers/task.c:12"},
			{what: "static inline get_current", where: "arch/x86/include/asm/current.h:44"},
		},
		notes: []string{"A note."},
		uses:  &hoverUses{what: "Used from Rust", noun: "call site", count: 4, files: 2, other: 1, first: []string{"a.rs:1 (in f)"}},
		doc:   "get_current - the task running here",
	}
	want := "```c\nstatic __always_inline struct task_struct *get_current(void)\n```\n\n" +
		"**bindings::get_current**\n\n" +
		"`bindings::get_current` → `rust_helper_get_current` (rust/helpers/task.c:12) → `static inline get_current` (arch/x86/include/asm/current.h:44)\n\n" +
		"A note.\n\n" +
		"Used from Rust: 4 call sites in 2 files (and 1 other reference)\n- a.rs:1 (in f)\n- …\n\n" +
		"---\n\nget_current - the task running here\n"
	if diff := cmp.Diff(want, formatHover(h)); diff != "" {
		t.Errorf("formatHover -want +got:\n%s", diff)
	}
}

func TestKernelDocMarkdown(t *testing.T) {
	doc := "get_device - take a reference to a device\n@dev: the device, or NULL\n@n: a count\n\nReturn: @dev. Drop it with put_device().\nContext: any."
	want := "get_device - take a reference to a device\n- `dev`: the device, or NULL\n- `n`: a count\n\n*Return:* @dev. Drop it with put_device().\n\n*Context:* any."
	if diff := cmp.Diff(want, kernelDocMarkdown(doc)); diff != "" {
		t.Errorf("kernelDocMarkdown -want +got:\n%s", diff)
	}
}
