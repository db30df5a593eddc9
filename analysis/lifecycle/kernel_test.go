package lifecycle_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
)

// kernelWorkspace indexes the tree at $RIVET_KERNEL, or skips the test.
// $RIVET_TEST_CACHE, when set, is the facts cache directory (a warm cache
// makes reruns take seconds instead of a minute).
func kernelWorkspace(t testing.TB) *analysis.Workspace {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("RIVET_KERNEL is not set")
	}
	ws := analysis.NewWorkspace([]string{root}, analysis.Options{CacheDir: os.Getenv("RIVET_TEST_CACHE")})
	st, err := ws.Build(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.SaveCache(); err != nil {
		t.Log("cache:", err)
	}
	t.Logf("indexed %d files (%d from cache), %d declarations parsed, in %v", st.Files, st.FromCache, st.DeclsParsed, st.Duration.Round(time.Millisecond))
	return ws
}

// TestKernel prints what the knowledge base mines from a real kernel and
// checks facts verified by hand against the Linux 7.3 sources.
//
//	RIVET_KERNEL=/root/.cache/rivet-kernels/linux-7.3 go test ./analysis/lifecycle -run TestKernel -v
func TestKernel(t *testing.T) {
	ws := kernelWorkspace(t)
	snap, release := ws.Index.Snapshot()
	defer release()

	var times []time.Duration
	var kb *lifecycle.KB
	for i := 0; i < 5; i++ {
		start := time.Now()
		kb = lifecycle.Build(context.Background(), snap, nil)
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	t.Logf("Build: median %v of 5 (min %v, max %v)", times[2].Round(time.Millisecond), times[0].Round(time.Millisecond), times[4].Round(time.Millisecond))

	t.Log("\n" + kernelTable(snap, kb))

	for _, c := range kernelFacts {
		if err := c.check(kb); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if n := len(kb.RefCounts()); n < 25 {
		t.Errorf("%d AlwaysRefCounted impls, want about 30", n)
	}
	paired := 0
	for _, r := range kb.RefCounts() {
		if r.Pair != nil {
			paired++
		}
		if r.Conflict != "" {
			t.Errorf("%s %s: the kernel's impls are correct, yet: %s", r.Path, r.Type, r.Conflict)
		}
	}
	if paired < 20 {
		t.Errorf("%d AlwaysRefCounted impls teach a pair, want most of them", paired)
	}
}

// kernelTable is the mined-knowledge summary.
func kernelTable(snap *index.Snapshot, kb *lifecycle.KB) string {
	var b strings.Builder
	byKind := map[lifecycle.SourceKind]int{}
	acquires := map[lifecycle.SourceKind]map[string]bool{}
	for _, p := range kb.Pairs() {
		byKind[p.Source.Kind]++
		if acquires[p.Source.Kind] == nil {
			acquires[p.Source.Kind] = map[string]bool{}
		}
		acquires[p.Source.Kind][p.Acquire] = true
	}
	fmt.Fprintf(&b, "%-22s %6s %9s\n", "pairs by source", "claims", "acquires")
	for _, k := range lifecycle.SourceKinds {
		fmt.Fprintf(&b, "%-22s %6d %9d\n", k, byKind[k], len(acquires[k]))
	}
	rustUses := map[string]bool{}
	snap.BindingNames(func(name string, _ []index.RustRef) bool {
		rustUses[name] = true
		return true
	})
	count := func(ok func(lifecycle.Effect) bool) (all, rust int) {
		for _, n := range kb.Functions() {
			if e := kb.Effect(n); ok(e) {
				all++
				if rustUses[n] {
					rust++
				}
			}
		}
		return all, rust
	}
	fmt.Fprintf(&b, "\n%-30s %6s %12s\n", "functions", "all", "Rust calls")
	for _, row := range []struct {
		name string
		ok   func(lifecycle.Effect) bool
	}{
		{"acquire (a pair)", func(e lifecycle.Effect) bool { return e.Acquires != nil && !e.Devm }},
		{"release", func(e lifecycle.Effect) bool { return len(e.Releases) > 0 }},
		{"may sleep", func(e lifecycle.Effect) bool { return e.MaySleep }},
		{"may sleep (blocking gfp)", func(e lifecycle.Effect) bool { return e.SleepsIfGFP }},
		{"return ERR_PTR", func(e lifecycle.Effect) bool { return e.ReturnsErrPtr }},
		{"return NULL", func(e lifecycle.Effect) bool { return e.ReturnsNull }},
		{"devm", func(e lifecycle.Effect) bool { return e.Devm }},
		{"borrowed (not devm)", func(e lifecycle.Effect) bool { return e.Borrowed && !e.Devm }},
		{"enter atomic", func(e lifecycle.Effect) bool { return e.EntersAtomic }},
		{"keep an argument", func(e lifecycle.Effect) bool { return len(e.Keeps) > 0 }},
	} {
		all, rust := count(row.ok)
		fmt.Fprintf(&b, "%-30s %6d %12d\n", row.name, all, rust)
	}
	paired, conflicts := 0, 0
	for _, r := range kb.RefCounts() {
		if r.Pair != nil {
			paired++
		}
		if r.Conflict != "" {
			conflicts++
		}
	}
	fmt.Fprintf(&b, "\nAlwaysRefCounted impls: %d (%d teach a pair, %d conflict)\n", len(kb.RefCounts()), paired, conflicts)
	for _, r := range kb.RefCounts() {
		fmt.Fprintf(&b, "  %-40s %-14s %s / %s\n", kb.Where(lifecycle.Source{Path: r.Path, Span: r.Impl}), r.Type, r.Inc, r.Dec)
	}
	fmt.Fprintf(&b, "owner types: %d\n", len(kb.Owners()))
	for _, o := range kb.Owners() {
		fmt.Fprintf(&b, "  %-40s %-16s .%-10s %s / %s paired=%v %s\n", kb.Where(lifecycle.Source{Path: o.Path, Span: o.Span}), o.Type, o.Field, o.Acquire, o.Release, o.Paired, o.Conflict)
	}
	fmt.Fprintf(&b, "Rust lock types: %d\n", len(kb.Locks()))
	for _, l := range kb.Locks() {
		fmt.Fprintf(&b, "  %-16s %-18s %s / %s atomic=%v sleeps=%v\n", l.Type, l.Guard, l.Lock, l.Unlock, l.Atomic, l.MaySleep)
	}
	return b.String()
}

// kernelFact is a fact checked by hand in the Linux 7.3 sources.
type kernelFact struct {
	name  string
	check func(*lifecycle.KB) error
}

func pairs(acquire, release string) kernelFact {
	return kernelFact{acquire + "/" + release, func(kb *lifecycle.KB) error {
		if !kb.PairsWith(acquire, release) {
			return fmt.Errorf("not paired; %s is %v", acquire, kb.Describe(kb.Effect(acquire)))
		}
		return nil
	}}
}

func notPairs(acquire, release string) kernelFact {
	return kernelFact{"not " + acquire + "/" + release, func(kb *lifecycle.KB) error {
		if kb.PairsWith(acquire, release) {
			return fmt.Errorf("paired; %s is %v", acquire, kb.Describe(kb.Effect(acquire)))
		}
		return nil
	}}
}

func effect(fn, what string, ok func(lifecycle.Effect) bool) kernelFact {
	return kernelFact{fn + " " + what, func(kb *lifecycle.KB) error {
		if e := kb.Effect(fn); !ok(e) {
			return fmt.Errorf("wrong: %v", kb.Describe(e))
		}
		return nil
	}}
}

// kernelFacts were each verified by reading the function in Linux 7.3.
var kernelFacts = []kernelFact{
	pairs("get_device", "put_device"),                    // AlwaysRefCounted for Device (rust/kernel/device.rs)
	pairs("get_task_struct", "put_task_struct"),          // task.rs
	pairs("get_file", "fput"),                            // fs/file.rs: names follow no pattern
	pairs("pci_dev_get", "pci_dev_put"),                  // pci.rs
	pairs("mmgrab", "mmdrop"),                            // mm.rs
	pairs("kmalloc", "kfree"),                            // the kmalloc family
	pairs("kmalloc", "kvfree"),                           // kvfree frees slab memory too (mm/util.c)
	notPairs("kmalloc", "vfree"),                         // vfree is for vmalloc memory only
	notPairs("get_device", "kfree"),                      // a reference is dropped, never freed
	pairs("spin_lock", "spin_unlock"),                    // the lock conventions
	pairs("spin_lock_irqsave", "spin_unlock_irqrestore"), // the irqsave variant
	pairs("mutex_lock", "mutex_unlock"),
	pairs("clk_get", "clk_put"),
	effect("mutex_lock", "may sleep", func(e lifecycle.Effect) bool { return e.MaySleep }),          // might_sleep() in kernel/locking/mutex.c
	effect("msleep", "may sleep", func(e lifecycle.Effect) bool { return e.MaySleep }),              // kernel/time/sleep_timeout.c
	effect("spin_lock", "enters atomic", func(e lifecycle.Effect) bool { return e.EntersAtomic }),   // include/linux/spinlock.h
	effect("spin_unlock", "leaves atomic", func(e lifecycle.Effect) bool { return e.LeavesAtomic }), // include/linux/spinlock.h
	effect("spin_lock", "does not sleep", func(e lifecycle.Effect) bool { return !e.MaySleep }),
	effect("rcu_read_lock", "enters atomic", func(e lifecycle.Effect) bool { return e.EntersAtomic }),
	effect("mutex_trylock", "acquires conditionally", func(e lifecycle.Effect) bool {
		return e.Acquires != nil && e.Cond == lifecycle.IfNonZero && !e.MaySleep
	}),
	effect("dev_get_drvdata", "is borrowed", func(e lifecycle.Effect) bool { return e.Borrowed && e.Acquires == nil }),
	effect("devm_kmalloc", "is device-managed", func(e lifecycle.Effect) bool { return e.Devm && e.Borrowed }),
}
