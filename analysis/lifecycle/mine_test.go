package lifecycle_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
)

func TestNamingNeedsAgreeingTypes(t *testing.T) {
	kb := treeKB(t, `
-- include/linux/widget.h --
struct widget;
struct gadget;
struct widget *widget_get(struct widget *w);
void widget_put(struct widget *w);
struct widget *gizmo_get(void);
void gizmo_put(struct gadget *g);
int pm_thing_get(struct widget *w);
void pm_thing_put(struct widget *w);
struct widget *blob_init(int n);
void blob_exit(struct widget *w);
int table_init(struct widget *w);
void table_exit(struct widget *w);
#define get_user(x, p) ((x) = *(p))
#define put_user(x, p) (*(p) = (x))
-- drivers/w/w.rs --
fn f() {
    unsafe { bindings::widget_get(core::ptr::null_mut()) };
    unsafe { bindings::gizmo_get() };
    unsafe { bindings::pm_thing_get(core::ptr::null_mut()) };
    unsafe { bindings::blob_init(1) };
    unsafe { bindings::table_init(core::ptr::null_mut()) };
}
`, nil)
	for _, c := range []struct {
		acquire, release string
		want             bool
		why              string
	}{
		{"widget_get", "widget_put", true, "X_get/X_put on the same type"},
		{"gizmo_get", "gizmo_put", false, "gizmo_put takes another type"},
		{"pm_thing_get", "pm_thing_put", true, "an argument's count"},
		{"blob_init", "blob_exit", true, "X_init returns what X_exit takes"},
		{"table_init", "table_exit", false, "an in-place X_init is no acquire"},
		{"get_user", "put_user", false, "macros copy values"},
	} {
		if got := kb.PairsWith(c.acquire, c.release); got != c.want {
			t.Errorf("PairsWith(%s, %s) = %v, want %v: %s", c.acquire, c.release, got, c.want, c.why)
		}
	}
	if e := kb.Effect("pm_thing_get"); e.AcquireArg != 0 {
		t.Errorf("pm_thing_get acquires argument %d, want 0", e.AcquireArg)
	}
	if e := kb.Effect("widget_get"); e.AcquireArg != lifecycle.ArgReturn || e.Acquires.Family != "widget-ref" {
		t.Errorf("widget_get acquires %d in family %q", e.AcquireArg, e.Acquires.Family)
	}
}

func TestCleanupDeclarations(t *testing.T) {
	kb := treeKB(t, `
-- include/linux/widget.h --
struct widget;
struct lockish;
struct widget *widget_lookup(const char *name);
struct widget *widget_peek(void);
void widget_release(struct widget *w);
DEFINE_FREE(widget, struct widget *, if (_T) widget_release(_T))
void lockish_enter(struct lockish *l);
void lockish_leave(struct lockish *l);
int lockish_try_enter(struct lockish *l);
DEFINE_GUARD(lockish, struct lockish *, lockish_enter(_T), lockish_leave(_T))
DEFINE_GUARD_COND(lockish, _try, lockish_try_enter(_T))
void section_begin(void);
void section_end(void);
DEFINE_LOCK_GUARD_0(section, section_begin(), section_end())
DEFINE_GUARD(lockish_reverse, struct lockish *, lockish_leave(_T), lockish_enter(_T))
-- drivers/w/local.c --
struct widget *widget_grab(void);
void widget_drop_local(struct widget *w);
DEFINE_FREE(widget_local, struct widget *, widget_drop_local(_T))
-- drivers/w/w.rs --
fn f() {
    unsafe { bindings::widget_lookup(core::ptr::null()) };
    unsafe { bindings::widget_peek() };
    unsafe { bindings::lockish_try_enter(core::ptr::null_mut()) };
    unsafe { bindings::section_begin() };
    unsafe { bindings::widget_grab() };
}
`, nil)
	if !kb.PairsWith("widget_lookup", "widget_release") {
		t.Error("DEFINE_FREE(widget) does not pair widget_lookup with widget_release")
	}
	if kb.PairsWith("widget_peek", "widget_release") {
		t.Error("widget_peek's name says it borrows, yet it pairs with widget_release")
	}
	if kb.PairsWith("widget_grab", "widget_drop_local") {
		t.Error("a .c file's DEFINE_FREE spoke for its type")
	}
	e := kb.Effect("lockish_enter")
	if e.Acquires == nil || e.Acquires.Kind != lifecycle.Lock || e.Acquires.Source.Kind != lifecycle.CCleanup || !e.Acquires.ReleasedBy("lockish_leave") {
		t.Errorf("lockish_enter = %+v, want the guard's lock", e.Acquires)
	}
	if e := kb.Effect("lockish_try_enter"); e.Cond != lifecycle.IfNonZero || !kb.PairsWith("lockish_try_enter", "lockish_leave") {
		t.Errorf("lockish_try_enter: cond %v, want a conditional acquire released by lockish_leave", e.Cond)
	}
	if e := kb.Effect("lockish_leave"); e.Acquires != nil {
		t.Errorf("the reverse guard made lockish_leave an acquire: %+v", e.Acquires)
	}
	if e := kb.Effect("section_begin"); e.AcquireArg != lifecycle.ArgNone || !kb.PairsWith("section_begin", "section_end") {
		t.Errorf("section_begin acquires argument %d, want ArgNone", e.AcquireArg)
	}
}

func TestSleepChains(t *testing.T) {
	kb := treeKB(t, `
-- include/linux/api.h --
void d3(void);
void d2(void);
void d1(void);
void d0(void);
void too_deep(void);
void cond_only(int gfp);
void atomic_alloc(void);
void *kmalloc(unsigned long size, gfp_t flags);
-- kernel/chain.c --
void d3(void) { might_sleep(); }
void d2(void) { d3(); }
void d1(void) { int x = 0; d2(); }
void d0(void) { d1(); }
void too_deep(void) { d0(); }
void cond_only(int gfp) { might_sleep_if(gfp); }
void atomic_alloc(void) { kmalloc(8, GFP_ATOMIC); }
void blocking_alloc(void) { kmalloc(8, GFP_KERNEL); }
void kmsan_poison(void) { kmalloc(8, GFP_KERNEL & ~__GFP_RECLAIM); }
void freeing(void) { kmsan_poison(); }
-- kernel/a.c --
static void helper(void) { msleep(1); }
void from_a(void) { helper(); }
-- kernel/b.c --
static void helper(void) { }
void from_b(void) { helper(); }
-- drivers/x/x.rs --
fn f() {
    unsafe { bindings::d0() };
    unsafe { bindings::too_deep() };
    unsafe { bindings::cond_only(0) };
    unsafe { bindings::atomic_alloc() };
    unsafe { bindings::blocking_alloc() };
    unsafe { bindings::freeing() };
    unsafe { bindings::from_a() };
    unsafe { bindings::from_b() };
}
`, nil)
	e := kb.Effect("d0")
	if got := chainOf(e); !slices.Equal(got, []string{"d0:d1", "d1:d2", "d2:d3", "d3:might_sleep"}) {
		t.Errorf("d0's chain = %v, want three calls down to might_sleep", got)
	}
	for _, c := range []struct {
		fn   string
		want bool
		why  string
	}{
		{"too_deep", false, "four calls down is beyond the bound"},
		{"cond_only", false, "might_sleep_if is conditional"},
		{"atomic_alloc", false, "GFP_ATOMIC does not sleep"},
		{"blocking_alloc", true, "GFP_KERNEL may sleep"},
		{"freeing", false, "sanitizer hooks are not followed"},
		{"from_a", true, "a.c's static helper sleeps"},
		{"from_b", false, "b.c's static helper of the same name does not"},
	} {
		if got := kb.Effect(c.fn).MaySleep; got != c.want {
			t.Errorf("%s MaySleep = %v, want %v: %s (chain %v)", c.fn, got, c.want, c.why, chainOf(kb.Effect(c.fn)))
		}
	}
	if got := chainOf(kb.Effect("from_a")); !slices.Equal(got, []string{"from_a:helper", "helper:msleep"}) {
		t.Errorf("from_a's chain = %v", got)
	}
}

func TestErrPtrAndNull(t *testing.T) {
	kb := treeKB(t, `
-- include/linux/api.h --
struct thing;
struct thing *thing_make(int n);
struct thing *thing_find(int n);
struct thing *thing_lookup(int n);
struct thing *thing_plain(int n);
-- kernel/thing.c --
static struct thing *make_one(int n)
{
	if (n < 0)
		return ERR_PTR(-EINVAL);
	return thing_alloc(n);
}
struct thing *thing_make(int n) { return make_one(n); }
struct thing *thing_find(int n) { return thing_make(n); }
struct thing *thing_lookup(int n)
{
	if (!n)
		return NULL;
	return thing_at(n);
}
struct thing *thing_plain(int n) { return thing_at(n); }
-- drivers/x/x.rs --
fn f() {
    unsafe { bindings::thing_find(1) };
    unsafe { bindings::thing_lookup(1) };
    unsafe { bindings::thing_plain(1) };
}
`, nil)
	for _, c := range []struct {
		fn          string
		errPtr, nul bool
	}{
		{"thing_make", true, false},
		{"thing_find", true, false},
		{"thing_lookup", false, true},
		{"thing_plain", false, false},
	} {
		e := kb.Effect(c.fn)
		if e.ReturnsErrPtr != c.errPtr || e.ReturnsNull != c.nul {
			t.Errorf("%s: ReturnsErrPtr %v ReturnsNull %v, want %v %v", c.fn, e.ReturnsErrPtr, e.ReturnsNull, c.errPtr, c.nul)
		}
	}
}

// TestAlternativeDefinitions checks that what a function may do is the
// union of its definitions for the configurations rivet assumes: a
// header's stub and the .c file's body, not another architecture's.
func TestAlternativeDefinitions(t *testing.T) {
	kb := treeKB(t, `
-- include/linux/clk.h --
struct clk;
#ifndef CONFIG_HAVE_CLK
static inline struct clk *clk_get(int id) { return NULL; }
static inline void clk_sync(void) { }
#endif
-- drivers/clk/clkdev.c --
struct clk *clk_get(int id)
{
	if (id < 0)
		return ERR_PTR(-EINVAL);
	return clk_find(id);
}
-- arch/arm/clk.c --
void clk_sync(void) { msleep(1); }
-- drivers/x/x.rs --
fn f() {
    unsafe { bindings::clk_get(1) };
    unsafe { bindings::clk_sync() };
}
`, nil)
	if e := kb.Effect("clk_get"); !e.ReturnsErrPtr || !e.ReturnsNull {
		t.Errorf("clk_get: ReturnsErrPtr %v ReturnsNull %v, want both (the .c body and the stub)", e.ReturnsErrPtr, e.ReturnsNull)
	}
	if e := kb.Effect("clk_sync"); e.MaySleep {
		t.Errorf("clk_sync sleeps because of arch/arm: %v", chainOf(e))
	}
}

func TestAnnotations(t *testing.T) {
	kb := treeKB(t, `
-- include/linux/gate.h --
typedef struct { int x; } spinlock_t;
struct gate { spinlock_t lock; };
struct mutex;
void gate_enter(struct gate *g, spinlock_t *l) __acquires(l);
void gate_leave(struct gate *g, spinlock_t *l) __releases(l);
void door_open(struct mutex *m) __acquires(m);
void door_shut(struct mutex *m) __releases(m);
void gate_check(struct gate *g) __must_hold(&g->lock);
-- drivers/x/x.rs --
fn f() {
    unsafe { bindings::gate_enter(core::ptr::null_mut(), core::ptr::null_mut()) };
    unsafe { bindings::door_open(core::ptr::null_mut()) };
    unsafe { bindings::gate_check(core::ptr::null_mut()) };
}
`, nil)
	e := kb.Effect("gate_enter")
	if e.Acquires == nil || e.Acquires.Source.Kind != lifecycle.CAnnotation || !e.Acquires.ReleasedBy("gate_leave") || e.AcquireArg != 1 || !e.EntersAtomic {
		t.Errorf("gate_enter = %+v arg %d atomic %v, want an atomic lock of argument 1 released by gate_leave", e.Acquires, e.AcquireArg, e.EntersAtomic)
	}
	if e := kb.Effect("gate_leave"); !e.LeavesAtomic || e.ReleaseArg != 1 {
		t.Errorf("gate_leave: leaves atomic %v, releases argument %d", e.LeavesAtomic, e.ReleaseArg)
	}
	if e := kb.Effect("door_open"); !e.MaySleep || e.EntersAtomic {
		t.Errorf("door_open takes a mutex: MaySleep %v EntersAtomic %v", e.MaySleep, e.EntersAtomic)
	}
	lines := kb.Describe(kb.Effect("gate_check"))
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "the caller must hold &g->lock (__must_hold) (") || !strings.HasSuffix(lines[0], "/include/linux/gate.h:8)") {
		t.Errorf("Describe(gate_check) = %q", lines)
	}
}

func TestConfig(t *testing.T) {
	cfg := config.Default()
	cfg.Lifecycle = config.Lifecycle{
		Pairs:    []config.Pair{{Acquire: "foo_grab", Release: "foo_drop", Kind: "ref"}, {Acquire: "bar_hold", Release: "bar_let", Kind: "lock"}},
		Borrowed: []string{"foo_peek", "baz_get"},
		Sleeping: []string{"foo_wait"},
		Atomic:   []string{"bar_hold"},
	}
	kb := treeKB(t, `
-- include/linux/foo.h --
struct foo;
struct foo *foo_grab(void);
void foo_drop(struct foo *f);
struct foo *baz_get(void);
void baz_put(struct foo *f);
-- drivers/x/x.rs --
fn f() {
    unsafe { bindings::foo_grab() };
    unsafe { bindings::baz_get() };
}
`, cfg)
	if !kb.PairsWith("foo_grab", "foo_drop") || kb.Effect("foo_grab").Acquires.Source.Kind != lifecycle.Config {
		t.Error("the configured pair foo_grab/foo_drop is not known")
	}
	if e := kb.Effect("foo_peek"); !e.Borrowed {
		t.Error("configured borrowed foo_peek is not borrowed")
	}
	// The tree's naming (baz_get/baz_put) is trusted more than the
	// configuration: it wins the conflict, and both sources are kept.
	e := kb.Effect("baz_get")
	if e.Borrowed || e.Acquires == nil || !slices.Equal(kinds(e.Sources), []lifecycle.SourceKind{lifecycle.Naming, lifecycle.Config}) {
		t.Errorf("baz_get: Borrowed %v Acquires %v sources %v", e.Borrowed, e.Acquires, kinds(e.Sources))
	}
	if !kb.Effect("foo_wait").MaySleep {
		t.Error("configured sleeping foo_wait may not sleep")
	}
	if !kb.Effect("bar_hold").EntersAtomic || !kb.Effect("bar_let").LeavesAtomic {
		t.Error("configured atomic bar_hold: its release does not leave atomic context")
	}
	// Without the configuration, none of it.
	plain := treeKB(t, "-- include/linux/foo.h --\nvoid foo_wait(void);\n", nil)
	if plain.Effect("foo_wait").MaySleep || plain.PairsWith("foo_grab", "foo_drop") {
		t.Error("configuration leaked between builds")
	}
}

func TestOwnerTypes(t *testing.T) {
	kb := treeKB(t, `
-- include/linux/debugfs.h --
struct dentry;
struct dentry *debugfs_create_dir(const char *name, struct dentry *parent);
void debugfs_remove(struct dentry *d);
-- include/linux/slab.h --
struct blob;
struct blob *blob_get(void);
void blob_put(struct blob *b);
void kfree(const void *p);
-- rust/kernel/debugfs.rs --
pub struct Entry {
    entry: *mut bindings::dentry,
}
impl Entry {
    pub fn new(name: &CStr) -> Self {
        let entry = unsafe { bindings::debugfs_create_dir(name.as_ptr(), core::ptr::null_mut()) };
        Self { entry }
    }
}
impl Drop for Entry {
    fn drop(&mut self) {
        unsafe { bindings::debugfs_remove(self.entry) };
    }
}
-- drivers/x/blob.rs --
pub struct Holder(NonNull<bindings::blob>);
impl Holder {
    pub fn new() -> Result<Self> {
        let b = unsafe { bindings::blob_get() };
        Ok(Self(NonNull::new(b).ok_or(ENOMEM)?))
    }
}
impl Drop for Holder {
    fn drop(&mut self) {
        unsafe { bindings::kfree(self.0.as_ptr().cast()) };
    }
}
pub struct Leaky {
    b: *mut bindings::blob,
}
impl Leaky {
    pub fn new() -> Self {
        Self { b: unsafe { bindings::blob_get() } }
    }
}
`, nil)
	// The owner type teaches a pair no convention tells.
	e := kb.Owner("Entry")
	if e == nil || e.Field != "entry" || e.Release != "debugfs_remove" || !e.Paired {
		t.Fatalf("Owner(Entry) = %+v", e)
	}
	if !kb.PairsWith("debugfs_create_dir", "debugfs_remove") || kb.Effect("debugfs_create_dir").Acquires.Source.Kind != lifecycle.RustOwner {
		t.Error("Entry did not teach debugfs_create_dir/debugfs_remove")
	}
	// Holder's Drop kfrees what blob_get returns: a bug, not knowledge.
	h := kb.Owner("Holder")
	if h == nil || h.Paired || h.Release != "kfree" || !strings.Contains(h.Conflict, "blob_put, not kfree") {
		t.Errorf("Owner(Holder) = %+v, want an unpaired kfree with a conflict", h)
	}
	if kb.PairsWith("blob_get", "kfree") {
		t.Error("Holder's wrong Drop was learned")
	}
	// Leaky has no Drop: the owner is recorded, with nothing releasing.
	l := kb.Owner("Leaky")
	if l == nil || !l.Drop.Empty() || l.Release != "" || l.Acquire != "blob_get" {
		t.Errorf("Owner(Leaky) = %+v, want blob_get with no Drop", l)
	}
}

func TestRustLockBackends(t *testing.T) {
	kb := treeKB(t, `
-- include/linux/spinlock.h --
typedef struct { int x; } spinlock_t;
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
int spin_trylock(spinlock_t *l);
-- rust/kernel/sync/lock/spinlock.rs --
pub type SpinLock<T> = super::Lock<T, SpinLockBackend>;
pub type SpinLockGuard<'a, T> = super::Guard<'a, T, SpinLockBackend>;
pub struct SpinLockBackend;
unsafe impl super::Backend for SpinLockBackend {
    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        unsafe { bindings::spin_lock(ptr) }
    }
    unsafe fn unlock(ptr: *mut Self::State, _guard_state: &Self::GuardState) {
        unsafe { bindings::spin_unlock(ptr) }
    }
    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        let result = unsafe { bindings::spin_trylock(ptr) };
        if result != 0 { Some(()) } else { None }
    }
}
-- drivers/x/other.rs --
type MyGuard = kernel::sync::lock::Guard<'static, (), SpinLockBackend>;
`, nil)
	l := kb.Lock("SpinLock")
	if l == nil || l.Guard != "SpinLockGuard" || l.Lock != "spin_lock" || l.Unlock != "spin_unlock" || l.TryLock != "spin_trylock" || !l.Atomic {
		t.Fatalf("Lock(SpinLock) = %+v", l)
	}
	if kb.Lock("SpinLockGuard") != l {
		t.Error("Lock(SpinLockGuard) is not the SpinLock")
	}
	if e := kb.Effect("spin_trylock"); e.Cond != lifecycle.IfNonZero || !kb.PairsWith("spin_trylock", "spin_unlock") {
		t.Errorf("spin_trylock: cond %v", e.Cond)
	}
}

func TestMacroAliases(t *testing.T) {
	kb := treeKB(t, `
-- include/linux/xa.h --
typedef struct { int x; } spinlock_t;
struct xarray { spinlock_t xa_lock; };
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
#define xa_lock(xa) spin_lock(&(xa)->xa_lock)
#define xa_unlock(xa) spin_unlock(&(xa)->xa_lock)
#define obj_alloc(...) alloc_hooks(obj_alloc_noprof(__VA_ARGS__))
void *obj_alloc_noprof(int n);
-- kernel/obj.c --
void *obj_alloc_noprof(int n) { msleep(1); return 0; }
-- rust/helpers/xa.c --
void rust_helper_xa_lock(struct xarray *xa) { xa_lock(xa); }
void rust_helper_xa_unlock(struct xarray *xa) { xa_unlock(xa); }
-- drivers/x/x.rs --
fn f() {
    unsafe { bindings::xa_lock(core::ptr::null_mut()) };
    unsafe { bindings::xa_unlock(core::ptr::null_mut()) };
    unsafe { bindings::obj_alloc(1) };
}
`, nil)
	if !kb.Effect("xa_lock").EntersAtomic || !kb.Effect("xa_unlock").LeavesAtomic {
		t.Error("xa_lock does not enter atomic context like the spin_lock it expands to")
	}
	if got := chainOf(kb.Effect("obj_alloc")); !slices.Equal(got, []string{"obj_alloc:obj_alloc_noprof", "obj_alloc_noprof:msleep"}) {
		t.Errorf("obj_alloc's chain = %v, want through alloc_hooks()", got)
	}
}

func TestNeeded(t *testing.T) {
	dir := analysistest.WriteTxtar(t, `
-- include/linux/w.h --
struct w;
struct w *w_get(struct w *x);
void w_put(struct w *x);
void w_touch(struct w *x);
void w_inner(struct w *x);
-- kernel/w.c --
void w_touch(struct w *x) { w_inner(x); }
-- drivers/x/x.rs --
fn f() { unsafe { bindings::w_get(core::ptr::null_mut()); bindings::w_touch(core::ptr::null_mut()) }; }
`)
	ix := index.New()
	if _, err := (&index.Builder{Index: ix}).Build(context.Background(), []string{dir}); err != nil {
		t.Fatal(err)
	}
	needed := func() []string {
		snap, release := ix.Snapshot()
		defer release()
		return lifecycle.Needed(snap)
	}
	first := needed()
	for _, want := range []string{"w_get", "w_put", "w_touch"} {
		if !slices.Contains(first, want) {
			t.Errorf("Needed = %v, lacks %s", first, want)
		}
	}
	if slices.Contains(first, "w_inner") {
		t.Errorf("Needed = %v: w_inner is a callee of a body not parsed yet", first)
	}
	if _, err := ix.Ensure(context.Background(), first, nil); err != nil {
		t.Fatal(err)
	}
	if second := needed(); !slices.Equal(second, []string{"w_inner"}) {
		t.Errorf("after parsing them, Needed = %v, want the callee w_inner", second)
	}
}

// TestBrokenInput checks that broken declarations give no knowledge and
// no panic: cleanup macros with missing or unbalanced arguments, macros
// that are not one call, invalid UTF-8, impls without bodies.
func TestBrokenInput(t *testing.T) {
	kb := treeKB(t, "-- include/linux/bad.h --\n"+
		"DEFINE_FREE(x)\nDEFINE_FREE(y, struct y *, if (_T) y_put(_T)\nDEFINE_GUARD(g, struct g *)\n"+
		"DEFINE_LOCK_GUARD_1(h, struct h, (, ))\nDEFINE_CLASS(c, int, , , )\nEXTEND_CLASS(nope, _x, f(), int a)\n"+
		"#define fwd(x) spin_lock(x) + 1\n#define open(x) alloc_hooks(\n#define self(x) self(x)\n"+
		"struct \xff\xfe *\xff_get(void);\nvoid \xff_put(struct \xff\xfe *p) __acquires(\xff) __cond_acquires();\n"+
		"-- drivers/x/x.rs --\n"+
		"unsafe impl AlwaysRefCounted for {\nimpl Drop for X { fn drop(&mut self) { bindings::\xff_put(self.0) } }\n"+
		"pub struct X(*mut bindings::\xfe);\nimpl X { fn new() -> Self { Self(unsafe { bindings::\xff_get() }) } }\n"+
		"type Y<T> = Lock<T, >;\nunsafe impl Backend for Z { unsafe fn lock(p: *mut u8) {} }\n"+
		"fn f() { unsafe { bindings::fwd(1); bindings::self(2); bindings::open(3) } }\n", nil)
	for _, fn := range []string{"fwd", "self", "open", "y_put", "spin_lock"} {
		e := kb.Effect(fn)
		_ = kb.Describe(e)
		if e.EntersAtomic && fn == "fwd" {
			t.Errorf("fwd is more than one call, yet it inherits spin_lock's atomic context")
		}
	}
}
