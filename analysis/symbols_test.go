package analysis

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

func (w *navWorkspace) symbols(t *testing.T, query string, limit int) []string {
	t.Helper()
	syms, err := w.WorkspaceSymbols(context.Background(), query, limit)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range syms {
		lang := "C"
		if s.Lang == facts.LangRust {
			lang = "Rust"
		}
		line := fmt.Sprintf("%s %s %s", lang, s.Kind, w.show(s.Location))
		if s.Container != "" {
			line += " in " + s.Container
		}
		out = append(out, line)
	}
	return out
}

const symbolTree = `
Names that match "dev_get" in every way.
-- include/linux/dev.h --
struct device;
struct device *dev_get(int id);
struct device *dev_get_by_name(const char *name);
int __dev_get_flags(void);
#define DEV_GET_MAX 4
void device_get_sync(struct device *d);
-- drivers/base/dev.c --
struct device *dev_get(int id)
{
	return 0;
}
-- rust/kernel/dev.rs --
pub struct Dev;
impl Dev {
    pub fn dev_get() -> Self { Dev }
    pub fn get() -> Self { Dev }
}
pub fn Dev_Get_Raw() {}
`

func TestWorkspaceSymbolsRanking(t *testing.T) {
	w := txtarNav(t, symbolTree)
	want := []string{
		// Exact, case-sensitive: the C declarations as the index ranks
		// them (headers first), then the Rust method.
		"C function include/linux/dev.h:2 dev_get",
		"C function drivers/base/dev.c:1 dev_get",
		"Rust method rust/kernel/dev.rs:3 dev_get in impl Dev",
		// Prefixes, shortest first, case-insensitively.
		"C constant include/linux/dev.h:5 DEV_GET_MAX",
		"Rust function rust/kernel/dev.rs:6 Dev_Get_Raw",
		"C function include/linux/dev.h:3 dev_get_by_name",
		// Fuzzy: the query's characters in order.
		"C function include/linux/dev.h:4 __dev_get_flags",
		"C function include/linux/dev.h:6 device_get_sync",
	}
	if diff := cmp.Diff(want, w.symbols(t, "dev_get", 0)); diff != "" {
		t.Errorf("symbols(dev_get) -want +got:\n%s", diff)
	}
	if diff := cmp.Diff(want[:4], w.symbols(t, "dev_get", 4)); diff != "" {
		t.Errorf("symbols(dev_get, limit 4) -want +got:\n%s", diff)
	}
	if got := w.symbols(t, "", 0); got != nil {
		t.Errorf("empty query gave %v", got)
	}
	if got := w.symbols(t, "zzqx", 0); got != nil {
		t.Errorf("query matching nothing gave %v", got)
	}
	// The Rust type and the C struct both match "dev" exactly or by prefix.
	got := w.symbols(t, "Dev", 3)
	if diff := cmp.Diff([]string{"Rust struct rust/kernel/dev.rs:1 Dev", "C function include/linux/dev.h:2 dev_get", "C function drivers/base/dev.c:1 dev_get"}, got); diff != "" {
		t.Errorf("symbols(Dev) -want +got:\n%s", diff)
	}
}

func TestWorkspaceSymbolsKernel(t *testing.T) {
	w := kernelNav(t)
	got := w.symbols(t, "rcounter_acc", 0)
	want := []string{
		"C function drivers/char/rcounter/rcounter_internal.h:13 rcounter_account",
		"Rust function drivers/char/rcounter/rcounter.rs:57 rcounter_account",
	}
	if diff := cmp.Diff(want, sortStrings(got)); diff != "" {
		t.Errorf("symbols(rcounter_acc) -want +got:\n%s", diff)
	}
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// BenchmarkWorkspaceSymbolsKernel measures symbol search over a real
// kernel tree (RIVET_KERNEL).
func BenchmarkWorkspaceSymbolsKernel(b *testing.B) {
	w := kernelBench(b)
	for _, q := range []string{"kmalloc", "get_device", "pdg", "a", "drm_gem_object_put"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				syms, err := w.WorkspaceSymbols(context.Background(), q, 0)
				if err != nil || len(syms) == 0 {
					b.Fatalf("%q: %d symbols, %v", q, len(syms), err)
				}
			}
		})
	}
}

var (
	kernelBenchOnce sync.Once
	kernelBenchWS   *navWorkspace
)

// kernelBench returns the workspace of the kernel tree RIVET_KERNEL names,
// indexed once per test binary without the facts cache; it skips b when
// the variable is not set.
func kernelBench(b *testing.B) *navWorkspace {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		b.Skip("RIVET_KERNEL is not set")
	}
	kernelBenchOnce.Do(func() {
		root, _ = filepath.Abs(root)
		if real, err := filepath.EvalSymlinks(root); err == nil {
			root = real
		}
		w := NewWorkspace([]string{root}, Options{})
		start := time.Now()
		if _, err := w.Build(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
		b.Logf("indexed %s in %v", root, time.Since(start))
		kernelBenchWS = &navWorkspace{Workspace: w, root: filepath.ToSlash(root)}
	})
	if kernelBenchWS == nil {
		b.Fatal("the kernel did not index")
	}
	return kernelBenchWS
}

// BenchmarkSymbolMatcher measures the per-name cost of matching, the
// inner loop of WorkspaceSymbols over a kernel's 3.5 million names.
func BenchmarkSymbolMatcher(b *testing.B) {
	names := make([]string, 0, 100000)
	for i := range cap(names) {
		names = append(names, fmt.Sprintf("%s_%s_%d", []string{"drm", "snd_soc", "pci", "usb", "kvm", "xfs"}[i%6], []string{"gem_object_put", "dapm_route", "read_config", "submit_urb", "vcpu_ioctl", "buf_relse"}[i/6%6], i))
	}
	for _, q := range []string{"kmalloc", "dgop", "a"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				m := newSymbolMatcher(q, DefaultSymbolLimit)
				for _, n := range names {
					m.offer(n, nil)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(names)), "ns/name")
		})
	}
}

func TestWorkspaceSymbolsOneCharacter(t *testing.T) {
	w := txtarNav(t, symbolTree)
	// Prefixes only: no fuzzy matches of a lone character.
	want := []string{
		"Rust struct rust/kernel/dev.rs:1 Dev",
		"C function include/linux/dev.h:2 dev_get",
		"C function drivers/base/dev.c:1 dev_get",
		"Rust method rust/kernel/dev.rs:3 dev_get in impl Dev",
		"C constant include/linux/dev.h:5 DEV_GET_MAX",
		"Rust function rust/kernel/dev.rs:6 Dev_Get_Raw",
		"C function include/linux/dev.h:3 dev_get_by_name",
		"C function include/linux/dev.h:6 device_get_sync",
	}
	if diff := cmp.Diff(want, w.symbols(t, "d", 0)); diff != "" {
		t.Errorf("symbols(d) -want +got:\n%s", diff)
	}
}
