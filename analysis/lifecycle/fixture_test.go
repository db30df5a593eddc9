package lifecycle_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
)

// The tests in this file read what testdata/kernel teaches: each fact
// names the fixture line it comes from.

func TestFixtureRefCounted(t *testing.T) {
	kb, root := fixtureKB(t)
	dev := kb.RefCounted("Device")
	if dev == nil || dev.Path != root+"/rust/kernel/device.rs" || dev.Inc != "get_device" || dev.Dec != "put_device" {
		t.Fatalf("RefCounted(Device) = %+v, want rust/kernel/device.rs get_device/put_device", dev)
	}
	if dev.Pair == nil || dev.Conflict != "" {
		t.Errorf("Device's impl teaches no pair: %+v", dev)
	}
	// drivers/demo/ownership.rs: RawDevice's dec_ref kfrees a get_device
	// reference. The impl is the bug lifecycle-mismatched-release
	// reports, not knowledge.
	raw := kb.RefCountedIn(root+"/drivers/demo/ownership.rs", "RawDevice")
	if raw == nil || raw.Pair != nil || !strings.Contains(raw.Conflict, "put_device, not kfree") {
		t.Fatalf("RawDevice = %+v, want a conflict naming put_device and kfree", raw)
	}
	if kb.PairsWith("get_device", "kfree") {
		t.Error("PairsWith(get_device, kfree): the wrong dec_ref was learned")
	}
	if !kb.PairsWith("get_device", "put_device") {
		t.Error("get_device does not pair with put_device")
	}
	got := kinds(kb.Effect("get_device").Sources)
	want := []lifecycle.SourceKind{lifecycle.RustRefCounted, lifecycle.CCleanup, lifecycle.Naming}
	if !slices.Equal(got, want) {
		t.Errorf("get_device sources = %v, want %v (impl, DEFINE_FREE(put_device), get_X/put_X)", got, want)
	}
}

func TestFixtureAllocators(t *testing.T) {
	kb, _ := fixtureKB(t)
	for _, c := range []struct {
		acquire, release string
		want             bool
	}{
		{"kmalloc", "kfree", true},
		{"kmalloc", "kvfree", true}, // the ownership.rs near miss
		{"kmalloc", "kfree_sensitive", true},
		{"kmalloc", "vfree", false}, // the ownership.rs want
		{"vmalloc", "vfree", true},
		{"vmalloc", "kfree", false},
		{"kvmalloc", "kvfree", true},
		{"kvmalloc", "kfree", false},
		{"alloc_pages", "__free_pages", true},
		{"clk_get", "clk_put", true},
		{"clk_get", "clk_unprepare", false},
	} {
		if got := kb.PairsWith(c.acquire, c.release); got != c.want {
			t.Errorf("PairsWith(%s, %s) = %v, want %v", c.acquire, c.release, got, c.want)
		}
	}
	km := kb.Effect("kmalloc")
	if km.Acquires == nil || km.Acquires.Family != "kmalloc" || km.AcquireArg != lifecycle.ArgReturn {
		t.Errorf("kmalloc acquires %+v arg %d, want the kmalloc family's return value", km.Acquires, km.AcquireArg)
	}
	// locking.rs: kmalloc(.., GFP_KERNEL) may sleep, GFP_ATOMIC may not:
	// the caller's flags decide.
	if km.MaySleep || !km.SleepsIfGFP || km.GFPArg != 1 {
		t.Errorf("kmalloc: MaySleep %v SleepsIfGFP %v GFPArg %d, want false true 1", km.MaySleep, km.SleepsIfGFP, km.GFPArg)
	}
	kf := kb.Effect("kfree")
	if kf.ReleaseArg != 0 || !slices.Contains(acquiresOf(kf), "kmalloc") || slices.Contains(acquiresOf(kf), "vmalloc") {
		t.Errorf("kfree releases %v (argument %d), want the kmalloc family's, argument 0", acquiresOf(kf), kf.ReleaseArg)
	}
}

func TestFixtureDevm(t *testing.T) {
	kb, _ := fixtureKB(t)
	e := kb.Effect("devm_kmalloc")
	if !e.Devm || !e.Borrowed {
		t.Errorf("devm_kmalloc: Devm %v Borrowed %v, want both", e.Devm, e.Borrowed)
	}
	// ownership.rs: devm_kfree frees devm memory early; kfree must not.
	if !kb.PairsWith("devm_kmalloc", "devm_kfree") || kb.PairsWith("devm_kmalloc", "kfree") {
		t.Errorf("devm_kmalloc pairs with %v, want devm_kfree only", e.Acquires)
	}
	f := kb.Effect("devm_kfree")
	if f.Devm || f.ReleaseArg != 1 {
		t.Errorf("devm_kfree: Devm %v ReleaseArg %d, want an early release of argument 1", f.Devm, f.ReleaseArg)
	}
	// A devm_ function the index has no facts for still counts.
	if e := kb.Effect("devm_widget_get"); !e.Devm || !e.Known() {
		t.Errorf("devm_widget_get = %+v, want device-managed by its name", e)
	}
}

func TestFixtureSleeping(t *testing.T) {
	kb, root := fixtureKB(t)
	// drivers/clk/clk.c: clk_prepare calls might_sleep(); clk_enable only
	// takes a spinlock.
	e := kb.Effect("clk_prepare")
	if !e.MaySleep || !slices.Equal(chainOf(e), []string{"clk_prepare:might_sleep"}) || e.SleepChain[0].Path != root+"/drivers/clk/clk.c" {
		t.Errorf("clk_prepare: MaySleep %v chain %v, want might_sleep in drivers/clk/clk.c", e.MaySleep, e.SleepChain)
	}
	if e := kb.Effect("clk_enable"); e.MaySleep {
		t.Errorf("clk_enable may sleep: %v", e.SleepChain)
	}
	// rcounter_glue_register calls misc_register, which takes a mutex.
	if got := chainOf(kb.Effect("rcounter_glue_register")); !slices.Equal(got, []string{"rcounter_glue_register:misc_register", "misc_register:mutex_lock"}) {
		t.Errorf("rcounter_glue_register chain = %v", got)
	}
	if e := kb.Effect("mutex_trylock"); e.MaySleep || e.Cond != lifecycle.IfNonZero {
		t.Errorf("mutex_trylock: MaySleep %v Cond %v, want a non-sleeping conditional acquire", e.MaySleep, e.Cond)
	}
	if e := kb.Effect("mutex_lock_interruptible"); !e.MaySleep || e.Cond != lifecycle.IfZero {
		t.Errorf("mutex_lock_interruptible: MaySleep %v Cond %v, want a sleeping acquire on 0", e.MaySleep, e.Cond)
	}
}

func TestFixtureLocks(t *testing.T) {
	kb, root := fixtureKB(t)
	lock := kb.Effect("spin_lock")
	if lock.Acquires == nil || lock.Acquires.Kind != lifecycle.Lock || lock.AcquireArg != 0 || !lock.EntersAtomic || lock.MaySleep {
		t.Errorf("spin_lock = %+v, want an atomic lock on argument 0", lock)
	}
	unlock := kb.Effect("spin_unlock")
	if !unlock.LeavesAtomic || !slices.Contains(acquiresOf(unlock), "spin_lock") || unlock.Releases[0].Family != lock.Acquires.Family {
		t.Errorf("spin_unlock releases %v, leaves atomic %v", acquiresOf(unlock), unlock.LeavesAtomic)
	}
	if !kb.PairsWith("spin_lock_irqsave", "spin_unlock_irqrestore") || kb.PairsWith("spin_lock_irqsave", "spin_unlock") {
		t.Error("spin_lock_irqsave must pair with spin_unlock_irqrestore only")
	}
	// An argument-less section is released without an argument.
	rcu := kb.Effect("rcu_read_unlock")
	if rcu.ReleaseArg != lifecycle.ArgNone || !rcu.LeavesAtomic || kb.Effect("rcu_read_lock").AcquireArg != lifecycle.ArgNone {
		t.Errorf("rcu_read_unlock: ReleaseArg %d LeavesAtomic %v", rcu.ReleaseArg, rcu.LeavesAtomic)
	}
	if got := kb.Describe(rcu); len(got) == 0 || !strings.HasPrefix(got[0], "releases what rcu_read_lock takes (RCU read-side") {
		t.Errorf("Describe(rcu_read_unlock) = %q", got)
	}
	// Rust helpers stand for what they wrap.
	if e := kb.Effect("rust_helper_spin_lock"); !e.EntersAtomic {
		t.Error("rust_helper_spin_lock is not spin_lock")
	}
	// rust/kernel/sync.rs: Mutex::lock returns a Guard whose Drop unlocks.
	m := kb.Lock("Mutex")
	if m == nil || m.Guard != "Guard" || m.Lock != "mutex_lock" || m.Unlock != "mutex_unlock" || m.Atomic || !m.MaySleep || m.Path != root+"/rust/kernel/sync.rs" {
		t.Errorf("Lock(Mutex) = %+v", m)
	}
	if kb.Lock("Guard") != m {
		t.Error("Lock(Guard) is not the Mutex's guard")
	}
}

func TestFixtureOwners(t *testing.T) {
	kb, root := fixtureKB(t)
	clk := kb.Owner("Clk")
	if clk == nil || clk.Path != root+"/rust/kernel/clk.rs" || clk.Field != "0" || clk.Acquire != "clk_get" || clk.Release != "clk_put" || !clk.Paired {
		t.Fatalf("Owner(Clk) = %+v, want field 0: clk_get/clk_put", clk)
	}
	if len(clk.Ctors) != 1 || len(clk.AcquireSpans) != 1 || clk.Drop.Empty() {
		t.Errorf("Owner(Clk) spans: ctors %v acquires %v drop %v", clk.Ctors, clk.AcquireSpans, clk.Drop)
	}
	// ownership.rs: PreparedClk's Drop unprepares and puts; only the put
	// releases what clk_get returned.
	pc := kb.OwnerIn(root+"/drivers/demo/ownership.rs", "PreparedClk")
	if pc == nil || !slices.Equal(pc.Releases, []string{"clk_unprepare", "clk_put"}) || pc.Release != "clk_put" || len(pc.Ctors) != 2 {
		t.Errorf("PreparedClk = %+v", pc)
	}
	if kb.Owner("Device") != nil {
		t.Error("Device embeds its C object (Opaque): it is no owner type")
	}
}

func TestFixtureRegistration(t *testing.T) {
	kb, _ := fixtureKB(t)
	e := kb.Effect("misc_register")
	if !slices.Equal(e.Keeps, []int{0}) || e.Acquires == nil || e.Acquires.Kind != lifecycle.Register || !e.Acquires.ReleasedBy("misc_deregister") {
		t.Errorf("misc_register = keeps %v acquires %+v, want a registration of argument 0 undone by misc_deregister", e.Keeps, e.Acquires)
	}
	if e := kb.Effect("dev_get_drvdata"); !e.Borrowed || e.Acquires != nil {
		t.Errorf("dev_get_drvdata: Borrowed %v Acquires %v", e.Borrowed, e.Acquires)
	}
	if e := kb.Effect("clk_get"); !e.ReturnsErrPtr {
		t.Error("clk_get returns ERR_PTR(-EINVAL) in drivers/clk/clk.c")
	}
}

func TestFixtureTransfers(t *testing.T) {
	kb, root := fixtureKB(t)
	for _, c := range []struct {
		typ, fn string
		takes   bool
		kind    lifecycle.SourceKind
	}{
		{"ARef", "from_raw", true, lifecycle.RustWrapper}, // rust/kernel/sync/aref.rs
		{"ARef", "into_raw", false, lifecycle.RustWrapper},
		{"KBox", "from_raw", true, lifecycle.Builtin}, // no kbox.rs in the fixture
		{"", "into_foreign", false, lifecycle.Builtin},
	} {
		tr := kb.Transfer(c.typ, c.fn)
		if tr == nil || tr.Takes != c.takes || tr.Source.Kind != c.kind {
			t.Errorf("Transfer(%q, %q) = %+v, want takes %v from %v", c.typ, c.fn, tr, c.takes, c.kind)
		}
	}
	if tr := kb.Transfer("ARef", "from_raw"); tr != nil && tr.Source.Path != root+"/rust/kernel/sync/aref.rs" {
		t.Errorf("ARef::from_raw found in %s", tr.Source.Path)
	}
	// Device::from_raw returns &Self: a borrow, not a transfer.
	if tr := kb.Transfer("Device", "from_raw"); tr != nil {
		t.Errorf("Transfer(Device, from_raw) = %+v, want none", tr)
	}
}

func TestFixtureDescribe(t *testing.T) {
	kb, _ := fixtureKB(t)
	for _, c := range []struct {
		fn   string
		want []string
	}{
		{"get_device", []string{"returns a new reference — released by put_device (AlwaysRefCounted for Device, rust/kernel/device.rs:70)"}},
		{"clk_prepare", []string{"may sleep: clk_prepare → might_sleep (drivers/clk/clk.c:74)"}},
		{"kmalloc", []string{
			"returns an allocation — freed by kfree, kvfree or kfree_sensitive (kmalloc family: kfree, kvfree and kfree_sensitive free slab memory (mm/slab_common.c, mm/util.c))",
			"may sleep when argument 2 allows blocking (GFP_KERNEL), not with GFP_ATOMIC",
		}},
		{"spin_unlock", []string{
			"releases what spin_lock takes (argument 1) (DEFINE_LOCK_GUARD_1(spinlock, spinlock_t, …), include/linux/spinlock.h:78)",
			"leaves atomic context",
		}},
		{"misc_register", []string{
			"registers argument 1 — undone by misc_deregister (naming: X_register/X_deregister)",
			"may sleep: misc_register → mutex_lock (drivers/char/misc.c:46)",
			"keeps argument 1 beyond the call: it must outlive the registration (stores argument 1 in a list, drivers/char/misc.c:56)",
		}},
		{"msleep", []string{"may sleep: sleeps for a time (built-in)"}},
	} {
		if got := kb.Describe(kb.Effect(c.fn)); !slices.Equal(got, c.want) {
			t.Errorf("Describe(%s):\n got %q\nwant %q", c.fn, got, c.want)
		}
	}
}

func TestNilKB(t *testing.T) {
	var kb *lifecycle.KB
	if e := kb.Effect("kmalloc"); e.Known() || e.AcquireArg != lifecycle.ArgReturn {
		t.Errorf("nil KB Effect = %+v", e)
	}
	if kb.PairsWith("kmalloc", "kfree") || kb.Owner("Clk") != nil || kb.RefCounted("Device") != nil ||
		kb.Lock("Mutex") != nil || kb.Transfer("ARef", "from_raw") != nil || kb.Pairs() != nil || kb.Functions() != nil {
		t.Error("a nil KB knows something")
	}
}

func TestUnknownFunction(t *testing.T) {
	kb, _ := fixtureKB(t)
	if e := kb.Effect("no_such_function"); e.Known() || len(kb.Describe(e)) != 0 {
		t.Errorf("Effect(no_such_function) = %+v", e)
	}
	fns := kb.Functions()
	if !slices.IsSorted(fns) || !slices.Contains(fns, "get_device") || slices.ContainsFunc(fns, func(s string) bool { return strings.ContainsRune(s, 0) }) {
		t.Errorf("Functions() = %v", fns)
	}
}

// TestWorkspaceCache checks that the workspace builds one KB per index
// generation and lifecycle configuration, serves the previous one at once
// after a change, and rebuilds it in the background when edits pause,
// saying so through OnKnowledge.
func TestWorkspaceCache(t *testing.T) {
	root, _ := filepath.Abs("../../testdata/kernel")
	rebuilt := make(chan struct{}, 1)
	ws := analysis.NewWorkspace([]string{root}, analysis.Options{OnKnowledge: func() { rebuilt <- struct{}{} }})
	if _, err := ws.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	snap, release := ws.Index.Snapshot()
	a := ws.Lifecycle(snap, nil)
	b := ws.Lifecycle(snap, nil)
	release()
	if a != b {
		t.Error("the same generation built twice")
	}
	ws.Refresh(context.Background(), root+"/drivers/clk/clk.c")
	snap, release = ws.Index.Snapshot()
	c := ws.Lifecycle(snap, nil)
	gen := snap.Gen
	release()
	if c != a {
		t.Errorf("a new generation (%d) did not get the previous KB at once", gen)
	}
	select {
	case <-rebuilt:
	case <-time.After(10 * time.Second):
		t.Fatal("no background rebuild after the change")
	}
	snap, release = ws.Index.Snapshot()
	d := ws.Lifecycle(snap, nil)
	release()
	if d == a || d.Gen() < gen {
		t.Errorf("after the rebuild: KB of generation %d, want %d or later", d.Gen(), gen)
	}
}

// TestWarmKnowledgeAfterStale checks that WarmKnowledge, replacing a KB
// that was served stale, says so through OnKnowledge: the background
// rebuild it overtakes then has nothing newer to publish, and without the
// call an editor would keep diagnostics made with the stale KB (an
// err-ptr-unchecked missing in VS Code when checks.rs opened while the
// index was being built).
func TestWarmKnowledgeAfterStale(t *testing.T) {
	root, _ := filepath.Abs("../../testdata/kernel")
	rebuilt := make(chan struct{}, 4)
	ws := analysis.NewWorkspace([]string{root}, analysis.Options{OnKnowledge: func() { rebuilt <- struct{}{} }})
	if _, err := ws.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	snap, release := ws.Index.Snapshot()
	a := ws.Lifecycle(snap, nil)
	release()
	ws.Refresh(context.Background(), root+"/drivers/clk/clk.c")
	snap, release = ws.Index.Snapshot()
	stale := ws.Lifecycle(snap, nil)
	release()
	if stale != a {
		t.Fatal("a new generation did not get the previous KB at once")
	}
	ws.WarmKnowledge(nil) // before the background rebuild's timer fires
	select {
	case <-rebuilt:
	case <-time.After(10 * time.Second):
		t.Fatal("WarmKnowledge replaced a stale KB without OnKnowledge")
	}
}
