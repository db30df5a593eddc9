package analysis

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/facts"
)

// hintsByCall returns the labels of a file's hints keyed by the text of
// the call each follows, in order of appearance.
func hintsByCall(t *testing.T, w *navWorkspace, rel string, span facts.Span, cfg *config.Config) map[string][]string {
	t.Helper()
	res, err := w.InlayHints(context.Background(), w.root+"/"+rel, span, cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, h := range res.Hints {
		if h.Offset != h.Call.End || int(h.Offset) > len(res.Text) {
			t.Fatalf("hint %q at %d, call %v", h.Text(), h.Offset, h.Call)
		}
		call := string(res.Text[h.Call.Start:h.Call.End])
		out[call] = append(out[call], h.Text())
	}
	return out
}

func TestInlayHintsFixture(t *testing.T) {
	w := kernelNav(t)
	for _, c := range []struct {
		file, call string
		want       []string // one label per occurrence; nil: no hint
	}{
		{"drivers/demo/ownership.rs", "bindings::get_device(dev.as_raw())", []string{"→ owned: put_device", "→ owned: put_device", "→ owned: put_device", "→ owned: put_device"}},
		{"drivers/demo/ownership.rs", "bindings::put_device(raw)", []string{"→ releases", "→ releases", "→ releases"}},
		{"drivers/demo/ownership.rs", "bindings::clk_get(dev.as_raw(), ptr::null())", []string{"→ owned: clk_put, may sleep", "→ owned: clk_put, may sleep"}},
		{"drivers/demo/ownership.rs", "bindings::clk_prepare(clk)", []string{"→ may sleep", "→ may sleep"}},
		{"drivers/demo/ownership.rs", "bindings::devm_kmalloc(dev.as_raw(), 64, bindings::GFP_KERNEL)", []string{"→ borrowed, may sleep", "→ borrowed, may sleep"}},
		{"drivers/demo/ownership.rs", "bindings::devm_kfree(dev.as_raw(), buf)", []string{"→ releases"}},
		{"drivers/demo/locking.rs", "bindings::kmalloc(64, bindings::GFP_KERNEL)", []string{"→ owned: kfree, may sleep"}},
		{"drivers/demo/locking.rs", "bindings::kmalloc(64, bindings::GFP_ATOMIC)", []string{"→ owned: kfree"}},
		{"drivers/demo/locking.rs", "bindings::clk_enable(clk.as_raw())", nil},
		{"drivers/demo/locking.rs", "bindings::spin_lock(lock)", nil},
		{"drivers/demo/locking.rs", "bindings::misc_register(&mut misc)", []string{"→ may sleep"}},
		// An extern "C" item reaching C glue that registers a misc device.
		{"drivers/char/rcounter/rcounter.rs", "rcounter_glue_register(misc)", []string{"→ may sleep"}},
	} {
		got := hintsByCall(t, w, c.file, facts.Span{}, nil)[c.call]
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: hints after %s = %q, want %q", c.file, c.call, got, c.want)
		}
	}
}

func TestInlayHintsDetails(t *testing.T) {
	w := kernelNav(t)
	res, err := w.InlayHints(context.Background(), w.root+"/drivers/demo/ownership.rs", facts.Span{}, nil)
	if err != nil || len(res.Hints) == 0 {
		t.Fatalf("hints: %v, %v", res.Hints, err)
	}
	h := res.Hints[0]
	if h.Func != "get_device" || len(h.Label) != 2 || h.Label[1].Text != "put_device" || h.Label[1].Target == nil ||
		!strings.HasSuffix(h.Label[1].Target.Path, "/include/linux/device.h") {
		t.Fatalf("first hint = %+v, want get_device's with put_device's declaration", h)
	}
	if !strings.HasPrefix(h.Tooltip, "returns a new reference — released by put_device (AlwaysRefCounted for Device, rust/kernel/device.rs:") {
		t.Errorf("tooltip = %q", h.Tooltip)
	}
	// A range gives the hints whose position lies in it.
	span := facts.Span{Start: h.Offset, End: h.Offset}
	if got := hintsByCall(t, w, "drivers/demo/ownership.rs", span, nil); len(got) != 1 {
		t.Errorf("hints in %v = %v, want only the first", span, got)
	}
	// Switched off, and on other files: none.
	off := false
	cfg := config.Default()
	cfg.InlayHints = &off
	if got := hintsByCall(t, w, "drivers/demo/ownership.rs", facts.Span{}, cfg); len(got) != 0 {
		t.Errorf("hints switched off: %v", got)
	}
	if got := hintsByCall(t, w, "drivers/clk/clk.c", facts.Span{}, nil); len(got) != 0 {
		t.Errorf("hints in a C file: %v", got)
	}
}

func TestHoverLifecycle(t *testing.T) {
	w := kernelNav(t)
	path, off := w.at(t, "drivers/demo/ownership.rs", "let raw = unsafe { bindings::get_de|vice(dev.as_raw()) }; // want")
	h, err := w.Hover(context.Background(), path, off)
	if err != nil || h == nil {
		t.Fatalf("hover: %v, %v", h, err)
	}
	want := "**Lifecycle**\n\n- returns a new reference — released by put_device (AlwaysRefCounted for Device, rust/kernel/device.rs:70)\n"
	if !strings.Contains(h.Markdown, want) {
		t.Errorf("hover lacks the lifecycle section %q:\n%s", want, h.Markdown)
	}
}
