package analysis

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// showRefs renders references as "kind rel:line text".
func (w *navWorkspace) showRefs(refs []Reference) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Kind.String()+" "+w.show(r.Location))
	}
	return out
}

func (w *navWorkspace) refs(t *testing.T, file, marker string, include bool) []string {
	t.Helper()
	path, off := w.at(t, file, marker)
	refs, err := w.References(context.Background(), path, off, ReferencesOptions{IncludeDeclaration: include})
	if err != nil {
		t.Fatal(err)
	}
	return w.showRefs(refs)
}

func TestReferencesKernel(t *testing.T) {
	w := kernelNav(t)

	// clk_prepare: C prototype and body, Rust calls, a C call.
	clkPrepare := []string{
		"C definition drivers/clk/clk.c:72 clk_prepare",
		"Rust use drivers/demo/locking.rs:89 clk_prepare",
		"Rust use drivers/demo/locking.rs:116 clk_prepare",
		"Rust use drivers/demo/ownership.rs:62 clk_prepare",
		"Rust use drivers/demo/ownership.rs:73 clk_prepare",
		"C declaration include/linux/clk.h:38 clk_prepare",
		"Rust use rust/kernel/clk.rs:55 clk_prepare",
	}
	for _, from := range []struct{ file, marker string }{
		{"drivers/demo/locking.rs", "bindings::clk_|prepare(clk.as_raw()) }; // want"},
		{"include/linux/clk.h", "int clk_|prepare(struct clk *clk);"},
		{"drivers/clk/clk.c", "int clk_|prepare(struct clk *clk)\n"},
	} {
		if diff := cmp.Diff(clkPrepare, w.refs(t, from.file, from.marker, true)); diff != "" {
			t.Errorf("references of clk_prepare from %s: -want +got:\n%s", from.file, diff)
		}
	}
	var uses []string
	for _, r := range clkPrepare {
		if r[:3] == "Rus" || r[:6] == "C call" {
			uses = append(uses, r)
		}
	}
	if diff := cmp.Diff(uses, w.refs(t, "include/linux/clk.h", "int clk_|prepare(struct clk *clk);", false)); diff != "" {
		t.Errorf("references of clk_prepare without declarations: -want +got:\n%s", diff)
	}

	// A static inline behind a helper: the helper's body is a C call.
	spinLock := w.refs(t, "rust/helpers/spinlock.c", "void rust_helper_spin_|lock(spinlock_t *lock)", true)
	wantSpin := []string{
		"Rust use drivers/demo/locking.rs:25 spin_lock",
		"Rust use drivers/demo/locking.rs:43 spin_lock",
		"Rust use drivers/demo/locking.rs:63 spin_lock",
		"Rust use drivers/demo/locking.rs:86 spin_lock",
		"Rust use drivers/demo/locking.rs:102 spin_lock",
		"Rust use drivers/demo/locking.rs:126 spin_lock",
		"C definition include/linux/spinlock.h:42 spin_lock",
		"helper rust/helpers/spinlock.c:12 rust_helper_spin_lock",
		"C call rust/helpers/spinlock.c:14 spin_lock",
	}
	if diff := cmp.Diff(wantSpin, spinLock); diff != "" {
		t.Errorf("references of spin_lock from its helper: -want +got:\n%s", diff)
	}

	// A Rust export: the fn, its C prototype, the C call.
	wantAccount := []string{
		"Rust export drivers/char/rcounter/rcounter.rs:57 rcounter_account",
		"C call drivers/char/rcounter/rcounter_glue.c:29 rcounter_account",
		"C declaration drivers/char/rcounter/rcounter_internal.h:13 rcounter_account",
	}
	for _, from := range []struct{ file, marker string }{
		{"drivers/char/rcounter/rcounter.rs", "fn rcounter_|account("},
		{"drivers/char/rcounter/rcounter_glue.c", "ret = rcounter_|account(kbuf, len);"},
	} {
		if diff := cmp.Diff(wantAccount, w.refs(t, from.file, from.marker, true)); diff != "" {
			t.Errorf("references of rcounter_account from %s: -want +got:\n%s", from.file, diff)
		}
	}

	// An extern-block import: the C side, the item, its Rust call.
	wantGlue := []string{
		"Rust extern item drivers/char/rcounter/rcounter.rs:22 rcounter_glue_register",
		"Rust call drivers/char/rcounter/rcounter.rs:95 rcounter_glue_register",
		"C definition drivers/char/rcounter/rcounter_glue.c:52 rcounter_glue_register",
		"C declaration drivers/char/rcounter/rcounter_internal.h:17 rcounter_glue_register",
	}
	if diff := cmp.Diff(wantGlue, w.refs(t, "drivers/char/rcounter/rcounter.rs", "to_result(unsafe { rcounter_glue_|register(misc) })", true)); diff != "" {
		t.Errorf("references of rcounter_glue_register: -want +got:\n%s", diff)
	}

	// A type: its C definition and its Rust uses.
	misc := w.refs(t, "include/linux/miscdevice.h", "struct |miscdevice {", false)
	if len(misc) < 5 {
		t.Errorf("references of struct miscdevice: got %d, want its Rust uses:\n%v", len(misc), misc)
	}

	// Names that do not cross the boundary have no references here.
	for _, from := range []struct{ file, marker string }{
		{"drivers/char/rcounter/rcounter_glue.c", "static ssize_t rcounter_|write("},
		{"drivers/char/rcounter/rcounter.rs", "let mut stats = STATS.|lock();"},
	} {
		if got := w.refs(t, from.file, from.marker, true); got != nil {
			t.Errorf("references from %s %q = %v, want none", from.file, from.marker, got)
		}
	}
}

// BenchmarkNavigationKernel measures the navigation requests on a real
// kernel tree (RIVET_KERNEL): each at a name of Linux 7.3.
func BenchmarkNavigationKernel(b *testing.B) {
	w := kernelBench(b)
	t := &testing.T{}
	at := func(file, marker string) (string, uint32) {
		path, off := w.at(t, file, marker)
		if t.Failed() {
			b.Fatalf("no %q in %s", marker, file)
		}
		return path, off
	}
	ctx := context.Background()
	getDevice, getDeviceOff := at("rust/kernel/device.rs", "unsafe { bindings::get_|device(self.as_raw()) };")
	mutexFile, mutexOff := at("rust/kernel/sync/lock/mutex.rs", "unsafe { bindings::mutex_|lock(ptr) };")
	header, _ := at("include/linux/device.h#1", "|struct device {")
	for _, bm := range []struct {
		name string
		run  func() (int, error)
	}{
		{"definition/get_device", func() (int, error) {
			ls, err := w.Definition(ctx, getDevice, getDeviceOff)
			return len(ls), err
		}},
		{"hover/get_device", func() (int, error) {
			h, err := w.Hover(ctx, getDevice, getDeviceOff)
			if h == nil {
				return 0, err
			}
			return 1, err
		}},
		{"references/get_device", func() (int, error) {
			rs, err := w.References(ctx, getDevice, getDeviceOff, ReferencesOptions{IncludeDeclaration: true})
			return len(rs), err
		}},
		{"references/mutex_lock", func() (int, error) {
			rs, err := w.References(ctx, mutexFile, mutexOff, ReferencesOptions{IncludeDeclaration: true})
			return len(rs), err
		}},
		{"incoming/mutex_lock", func() (int, error) {
			items, err := w.PrepareCallHierarchy(ctx, mutexFile, mutexOff)
			if err != nil || len(items) == 0 {
				return 0, err
			}
			calls, err := w.IncomingCalls(ctx, items[0])
			return len(calls), err
		}},
		{"codelens/device.h", func() (int, error) {
			ls, err := w.CodeLenses(ctx, header)
			return len(ls), err
		}},
		{"outline/device.h", func() (int, error) {
			ss, err := w.DocumentSymbols(ctx, header)
			return len(ss), err
		}},
		{"outline/device.rs", func() (int, error) {
			ss, err := w.DocumentSymbols(ctx, getDevice)
			return len(ss), err
		}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				var err error
				if n, err = bm.run(); err != nil || n == 0 {
					b.Fatalf("%d results, %v", n, err)
				}
			}
			b.ReportMetric(float64(n), "results")
		})
	}
}
