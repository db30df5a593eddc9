package analysis

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func (w *navWorkspace) lenses(t *testing.T, rel string) []string {
	t.Helper()
	ls, err := w.CodeLenses(context.Background(), w.root+"/"+rel)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		out = append(out, w.show(Location{Path: w.root + "/" + rel, Span: l.Span})+": "+l.Title)
		if len(l.Uses) == 0 && l.Title != "called from C: 0" {
			t.Errorf("lens %q has no uses", l.Title)
		}
	}
	return out
}

func TestCodeLensesKernel(t *testing.T) {
	w := kernelNav(t)
	tests := []struct {
		file string
		want []string
	}{
		{"include/linux/clk.h", []string{
			"include/linux/clk.h:21 clk_get: used from Rust: 5",
			"include/linux/clk.h:27 clk_put: used from Rust: 5",
			"include/linux/clk.h:38 clk_prepare: used from Rust: 5",
			"include/linux/clk.h:46 clk_unprepare: used from Rust: 3",
			"include/linux/clk.h:55 clk_enable: used from Rust: 2",
			"include/linux/clk.h:61 clk_disable: used from Rust: 1",
			"include/linux/clk.h:69 clk_get_rate: used from Rust: 4",
		}},
		// The helper counts the uses of the name it gives Rust (none for
		// __spin_lock_init).
		{"rust/helpers/spinlock.c", []string{
			"rust/helpers/spinlock.c:12 rust_helper_spin_lock: used from Rust: 6",
			"rust/helpers/spinlock.c:17 rust_helper_spin_unlock: used from Rust: 7",
		}},
		// An extern item's C definition counts the Rust calls of the item.
		{"drivers/char/rcounter/rcounter_glue.c", []string{
			"drivers/char/rcounter/rcounter_glue.c:52 rcounter_glue_register: used from Rust: 1",
			"drivers/char/rcounter/rcounter_glue.c:58 rcounter_glue_unregister: used from Rust: 1",
		}},
		{"drivers/char/rcounter/rcounter.rs", []string{
			"drivers/char/rcounter/rcounter.rs:57 rcounter_account: called from C: 1",
			"drivers/char/rcounter/rcounter.rs:76 rcounter_total: called from C: 1",
		}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, w.lenses(t, tt.file)); diff != "" {
			t.Errorf("lenses of %s -want +got:\n%s", tt.file, diff)
		}
	}
}
