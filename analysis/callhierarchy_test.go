package analysis

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// showItem renders a call item as "lang name rel:line".
func (w *navWorkspace) showItem(it CallItem) string {
	lang := "C"
	if it.Lang == facts.LangRust {
		lang = "Rust"
	}
	return lang + " " + w.show(Location{Path: it.Path, Span: it.NameSpan})
}

// showCalls renders calls as "item <- line, line" with the sites' lines
// (in the caller's file for incoming calls, the callee's for outgoing).
func (w *navWorkspace) showCalls(calls []Call, sitesIn func(Call) string) []string {
	var out []string
	for _, c := range calls {
		var lines []string
		for _, s := range c.Sites {
			l := strings.TrimPrefix(w.show(Location{Path: sitesIn(c), Span: s}), "")
			_, rest, _ := strings.Cut(l, ":")
			line, _, _ := strings.Cut(rest, " ")
			lines = append(lines, line)
		}
		out = append(out, fmt.Sprintf("%s @%s", w.showItem(c.Item), strings.Join(lines, ",")))
	}
	return out
}

func (w *navWorkspace) prepare(t *testing.T, file, marker string) CallItem {
	t.Helper()
	path, off := w.at(t, file, marker)
	items, err := w.PrepareCallHierarchy(context.Background(), path, off)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 {
		t.Fatalf("prepare at %s %q: %d items, want 1", file, marker, len(items))
	}
	return items[0]
}

func (w *navWorkspace) incoming(t *testing.T, it CallItem) []string {
	t.Helper()
	calls, err := w.IncomingCalls(context.Background(), it)
	if err != nil {
		t.Fatal(err)
	}
	return w.showCalls(calls, func(c Call) string { return c.Item.Path })
}

func (w *navWorkspace) outgoing(t *testing.T, it CallItem) []string {
	t.Helper()
	calls, err := w.OutgoingCalls(context.Background(), it)
	if err != nil {
		t.Fatal(err)
	}
	return w.showCalls(calls, func(Call) string { return it.Path })
}

func TestCallHierarchyKernel(t *testing.T) {
	w := kernelNav(t)

	// From a Rust call of bindings::clk_prepare: the C function, whose
	// callers are Rust fns, and whose callees are C.
	it := w.prepare(t, "drivers/demo/locking.rs", "bindings::clk_|prepare(clk.as_raw()) }; // want")
	if got, want := w.showItem(it), "C drivers/clk/clk.c:72 clk_prepare"; got != want {
		t.Errorf("prepare = %q, want %q", got, want)
	}
	wantIn := []string{
		"Rust drivers/demo/locking.rs:84 prepare_locked @89",
		"Rust drivers/demo/locking.rs:112 prepare_under_mutex @116",
		"Rust drivers/demo/ownership.rs:58 new @62",
		"Rust drivers/demo/ownership.rs:67 new_checked @73",
		"Rust rust/kernel/clk.rs:53 prepare_enable @55",
	}
	if diff := cmp.Diff(wantIn, w.incoming(t, it)); diff != "" {
		t.Errorf("incoming calls of clk_prepare -want +got:\n%s", diff)
	}
	wantOut := []string{
		"C include/linux/mutex.h:54 mutex_lock @77",
		"C include/linux/mutex.h:76 mutex_unlock @79",
	}
	if diff := cmp.Diff(wantOut, w.outgoing(t, it)); diff != "" {
		t.Errorf("outgoing calls of clk_prepare -want +got:\n%s", diff)
	}

	// A Rust fn: its calls into C, through a helper to the inline.
	bump := w.prepare(t, "drivers/demo/locking.rs", "pub unsafe fn |bump(lock")
	wantBump := []string{
		"C include/linux/spinlock.h:42 spin_lock @25",
		"C include/linux/spinlock.h:52 spin_unlock @31",
	}
	if diff := cmp.Diff(wantBump, w.outgoing(t, bump)); diff != "" {
		t.Errorf("outgoing calls of bump -want +got:\n%s", diff)
	}
	if got := w.incoming(t, bump); got != nil {
		t.Errorf("incoming calls of a plain Rust fn = %v, want none (rust-analyzer's)", got)
	}

	// The helper's inline: its callers include the helper (C) and the
	// Rust fns calling bindings::spin_lock.
	spin := w.prepare(t, "rust/helpers/spinlock.c", "\tspin_|lock(lock);")
	in := w.incoming(t, spin)
	if len(in) != 7 || in[6] != "C rust/helpers/spinlock.c:12 rust_helper_spin_lock @14" {
		t.Errorf("incoming calls of spin_lock = %q, want 6 Rust fns and the helper", in)
	}

	// A Rust export: C callers in, and from C the export is the Rust fn.
	acct := w.prepare(t, "drivers/char/rcounter/rcounter_glue.c", "ret = rcounter_|account(kbuf, len);")
	if got, want := w.showItem(acct), "Rust drivers/char/rcounter/rcounter.rs:57 rcounter_account"; got != want {
		t.Errorf("prepare on a C call of an export = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"C drivers/char/rcounter/rcounter_glue.c:16 rcounter_write @29"}, w.incoming(t, acct)); diff != "" {
		t.Errorf("incoming calls of rcounter_account -want +got:\n%s", diff)
	}
	// ... and a C function's outgoing calls include the Rust export.
	write := w.prepare(t, "drivers/char/rcounter/rcounter_glue.c", "static ssize_t rcounter_|write(")
	out := w.outgoing(t, write)
	if !contains(out, "Rust drivers/char/rcounter/rcounter.rs:57 rcounter_account @29") {
		t.Errorf("outgoing calls of rcounter_write = %q, want the Rust export among them", out)
	}

	// Extern items: Rust's calls of them reach the C glue, whose callers
	// include the Rust fn.
	initFn := w.prepare(t, "drivers/char/rcounter/rcounter.rs", "fn |init() -> Result<Self>")
	if diff := cmp.Diff([]string{"C drivers/char/rcounter/rcounter_glue.c:52 rcounter_glue_register @95"}, w.outgoing(t, initFn)); diff != "" {
		t.Errorf("outgoing calls of RCounter::init -want +got:\n%s", diff)
	}
	glue := w.prepare(t, "drivers/char/rcounter/rcounter.rs", "fn rcounter_glue_|register(misc")
	if diff := cmp.Diff([]string{"Rust drivers/char/rcounter/rcounter.rs:84 init @95"}, w.incoming(t, glue)); diff != "" {
		t.Errorf("incoming calls of rcounter_glue_register -want +got:\n%s", diff)
	}

	// Names that are no functions prepare nothing.
	for _, none := range []struct{ file, marker string }{
		{"drivers/demo/ownership.rs", "Opaque<bindings::dev|ice>"},
		{"drivers/char/rcounter/rcounter_glue.c", "and hand it to the |Rust half"},
	} {
		path, off := w.at(t, none.file, none.marker)
		items, err := w.PrepareCallHierarchy(context.Background(), path, off)
		if err != nil || items != nil {
			t.Errorf("prepare at %s %q = %v, %v; want nothing", none.file, none.marker, items, err)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
