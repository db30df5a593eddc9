package lifecycle

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// convention is a naming convention pairing an acquire with its release:
// X_get/X_put, get_X/put_X, X_lock_irqsave/X_unlock_irqrestore...
type convention struct {
	acquire, release string // the affixes
	prefix           bool   // affixes are prefixes (get_X) rather than suffixes (X_get)
	kind             ResourceKind
	cond             Cond
	// typed conventions need both functions' prototypes and agreeing
	// types: X_init/X_exit is a pair only when X_init returns what
	// X_exit takes (most X_init are module init functions or in-place
	// initialisers such as mutex_init, with no release at all).
	typed bool
}

// conventions are tried in order; the first whose partner exists wins.
// Ref, Alloc and Register pairs need both names declared as functions:
// macros such as get_user/put_user or get_unaligned/put_unaligned copy
// values and are no resource at all. Lock pairs accept function-like
// macros (spin_lock_irqsave, read_lock are macros).
var conventions = []convention{
	{acquire: "_get", release: "_put", kind: Ref},
	{acquire: "get_", release: "put_", prefix: true, kind: Ref},
	{acquire: "_alloc", release: "_free", kind: Alloc},
	{acquire: "alloc_", release: "free_", prefix: true, kind: Alloc},
	{acquire: "_create", release: "_destroy", kind: Alloc},
	{acquire: "_register", release: "_unregister", kind: Register},
	{acquire: "_register", release: "_deregister", kind: Register},
	{acquire: "register_", release: "unregister_", prefix: true, kind: Register},
	{acquire: "_init", release: "_exit", kind: Alloc, typed: true},
	// Lock variants: the release undoes what the variant did.
	{acquire: "_lock", release: "_unlock", kind: Lock},
	{acquire: "_lock_irq", release: "_unlock_irq", kind: Lock},
	{acquire: "_lock_irqsave", release: "_unlock_irqrestore", kind: Lock},
	{acquire: "_lock_irqsave_nested", release: "_unlock_irqrestore", kind: Lock},
	{acquire: "_lock_bh", release: "_unlock_bh", kind: Lock},
	{acquire: "_lock_nested", release: "_unlock", kind: Lock},
	{acquire: "_lock_irq_disable", release: "_unlock_irq_enable", kind: Lock},
	{acquire: "_lock_interruptible", release: "_unlock", kind: Lock, cond: IfZero},
	{acquire: "_lock_killable", release: "_unlock", kind: Lock, cond: IfZero},
	{acquire: "_trylock", release: "_unlock", kind: Lock, cond: IfNonZero},
	{acquire: "_trylock_irqsave", release: "_unlock_irqrestore", kind: Lock, cond: IfNonZero},
	{acquire: "_trylock_irq", release: "_unlock_irq", kind: Lock, cond: IfNonZero},
	{acquire: "_trylock_bh", release: "_unlock_bh", kind: Lock, cond: IfNonZero},
	{acquire: "_trylock_irq_disable", release: "_unlock_irq_enable", kind: Lock, cond: IfNonZero},
	{acquire: "lock_", release: "unlock_", prefix: true, kind: Lock},
}

// stemOf returns name without the affix, or "" when name lacks it or
// nothing is left.
func (c *convention) stemOf(name, affix string) string {
	var stem string
	var ok bool
	if c.prefix {
		stem, ok = strings.CutPrefix(name, affix)
	} else {
		stem, ok = strings.CutSuffix(name, affix)
	}
	if !ok || stem == "" || stem == "_" {
		return ""
	}
	return stem
}

func (c *convention) with(stem, affix string) string {
	if c.prefix {
		return affix + stem
	}
	return stem + affix
}

func (c *convention) desc() string {
	if c.prefix {
		return "naming: " + c.acquire + "X/" + c.release + "X"
	}
	return "naming: X" + c.acquire + "/X" + c.release
}

// family is a well-known group of acquires sharing their releases: an
// allocator and its frees, a lock-like state and its end.
type family struct {
	id       string
	kind     ResourceKind
	acquires []string
	releases []string
	// conditional acquires of the family, with their condition.
	conds map[string]Cond
	arg   int // AcquireArg of every acquire
	// atomic: the acquires enter atomic context; sleeps: they may sleep.
	atomic, sleeps bool
	desc           string
}

// families are the allocator families and lock-like states whose names
// follow no X_get/X_put pattern, as the kernel documents them.
var families = []family{
	{
		id: "kmalloc", kind: Alloc, arg: ArgReturn,
		acquires: []string{"kmalloc", "kzalloc", "kcalloc", "kmalloc_array", "krealloc", "krealloc_array",
			"kmemdup", "kmemdup_nul", "kstrdup", "kstrndup", "kmalloc_node", "kzalloc_node", "kcalloc_node",
			"kmalloc_array_node", "kmalloc_noprof", "__kmalloc", "__kmalloc_noprof", "krealloc_noprof",
			"kmemdup_noprof", "kstrdup_const"},
		releases: []string{"kfree", "kvfree", "kfree_sensitive"},
		desc:     "kmalloc family: kfree, kvfree and kfree_sensitive free slab memory (mm/slab_common.c, mm/util.c)",
	},
	{
		id: "vmalloc", kind: Alloc, arg: ArgReturn, sleeps: true,
		acquires: []string{"vmalloc", "vzalloc", "vmalloc_user", "vmalloc_node", "vzalloc_node", "vmalloc_32",
			"vmalloc_array", "vcalloc", "__vmalloc", "vmalloc_noprof", "vzalloc_noprof", "__vmalloc_noprof"},
		releases: []string{"vfree", "kvfree"},
		desc:     "vmalloc family: vfree and kvfree free it; vmalloc allocates with GFP_KERNEL and may sleep",
	},
	{
		id: "kvmalloc", kind: Alloc, arg: ArgReturn,
		acquires: []string{"kvmalloc", "kvzalloc", "kvcalloc", "kvmalloc_array", "kvrealloc", "kvmalloc_node",
			"kvzalloc_node", "kvmemdup", "kvmalloc_node_noprof", "kvrealloc_noprof"},
		releases: []string{"kvfree", "kvfree_sensitive"},
		desc:     "kvmalloc family: slab or vmalloc memory, freed only by kvfree",
	},
	{
		id: "pages", kind: Alloc, arg: ArgReturn,
		acquires: []string{"alloc_pages", "alloc_page", "alloc_pages_node", "alloc_pages_noprof"},
		releases: []string{"__free_pages", "__free_page"},
		desc:     "page allocator: struct page * from alloc_pages is freed by __free_pages (free_pages takes an address)",
	},
	{
		id: "rcu", kind: Lock, arg: ArgNone, atomic: true,
		acquires: []string{"rcu_read_lock"}, releases: []string{"rcu_read_unlock"},
		desc: "RCU read-side critical section: no sleeping until rcu_read_unlock",
	},
	{
		id: "rcu-bh", kind: Lock, arg: ArgNone, atomic: true,
		acquires: []string{"rcu_read_lock_bh"}, releases: []string{"rcu_read_unlock_bh"},
		desc: "RCU-bh read-side critical section",
	},
	{
		id: "rcu-sched", kind: Lock, arg: ArgNone, atomic: true,
		acquires: []string{"rcu_read_lock_sched"}, releases: []string{"rcu_read_unlock_sched"},
		desc: "RCU-sched read-side critical section",
	},
	{
		id: "preempt", kind: Lock, arg: ArgNone, atomic: true,
		acquires: []string{"preempt_disable", "get_cpu"},
		releases: []string{"preempt_enable", "preempt_enable_no_resched", "put_cpu"},
		desc:     "preemption disabled: atomic until preempt_enable",
	},
	{
		id: "irq", kind: Lock, arg: ArgNone, atomic: true,
		acquires: []string{"local_irq_disable"}, releases: []string{"local_irq_enable"},
		desc: "local interrupts disabled: atomic until local_irq_enable",
	},
	{
		id: "irqsave", kind: Lock, arg: ArgNone, atomic: true,
		acquires: []string{"local_irq_save"}, releases: []string{"local_irq_restore"},
		desc: "local interrupts disabled: atomic until local_irq_restore",
	},
	{
		id: "bh", kind: Lock, arg: ArgNone, atomic: true,
		acquires: []string{"local_bh_disable"}, releases: []string{"local_bh_enable"},
		desc: "bottom halves disabled: atomic until local_bh_enable",
	},
	{
		id: "rwsem-read", kind: Lock, arg: 0, sleeps: true,
		acquires: []string{"down_read", "down_read_nested", "down_read_trylock", "down_read_interruptible", "down_read_killable"},
		releases: []string{"up_read"},
		conds:    map[string]Cond{"down_read_trylock": IfNonZero, "down_read_interruptible": IfZero, "down_read_killable": IfZero},
		desc:     "rw_semaphore read side: up_read releases it; taking it may sleep",
	},
	{
		id: "rwsem-write", kind: Lock, arg: 0, sleeps: true,
		acquires: []string{"down_write", "down_write_nested", "down_write_trylock", "down_write_killable"},
		releases: []string{"up_write"},
		conds:    map[string]Cond{"down_write_trylock": IfNonZero, "down_write_killable": IfZero},
		desc:     "rw_semaphore write side: up_write releases it; taking it may sleep",
	},
	{
		id: "semaphore", kind: Lock, arg: 0, sleeps: true,
		acquires: []string{"down", "down_interruptible", "down_killable", "down_timeout", "down_trylock"},
		releases: []string{"up"},
		// down_trylock returns 0 when it got the semaphore.
		conds: map[string]Cond{"down_interruptible": IfZero, "down_killable": IfZero, "down_timeout": IfZero, "down_trylock": IfZero},
		desc:  "counting semaphore: up releases it; down may sleep",
	},
}

// atomicLockStems are the lock names whose holders run in atomic context:
// spinlocks and rwlocks (spin_lock, raw_spin_lock, read_lock, write_lock).
var atomicLockStems = map[string]bool{
	"spin": true, "raw_spin": true, "read": true, "write": true, "bit_spin": true,
	"_raw_spin": true, "_raw_read": true, "_raw_write": true, "do_raw_spin": true,
}

// atomicLockTypes are the C lock types whose holders run in atomic context.
var atomicLockTypes = map[string]bool{
	"spinlock_t": true, "spinlock": true, "raw_spinlock_t": true, "raw_spinlock": true,
	"rwlock_t": true, "arch_spinlock_t": true,
}

// sleepingLockTypes are the C lock types whose lock functions may sleep.
var sleepingLockTypes = map[string]bool{
	"mutex": true, "rw_semaphore": true, "semaphore": true, "rt_mutex": true, "ww_mutex": true,
}

// lockStem is the part of a lock function's name before "_lock" or
// "_trylock" ("spin" for spin_lock_irqsave), or "".
func lockStem(name string) string {
	for _, mark := range []string{"_trylock", "_lock"} {
		if i := strings.Index(name, mark); i > 0 {
			return name[:i]
		}
	}
	return ""
}

// familyOf derives a family id for a pair found without a named family:
// "spin-lock-irqsave" for spin_lock_irqsave, "device-ref" for
// get_device/put_device.
func familyOf(kind ResourceKind, acquire, release string) string {
	if kind == Lock {
		name := acquire
		if name == "" {
			name = release
		}
		stem := lockStem(name)
		if stem == "" {
			return name + "-lock"
		}
		variant := name[len(stem):]
		for _, drop := range []string{"_trylock", "_lock", "_unlock", "_nested", "_interruptible", "_killable"} {
			variant = strings.Replace(variant, drop, "", 1)
		}
		variant = strings.ReplaceAll(strings.TrimPrefix(variant, "_"), "_", "-")
		if variant == "" {
			return stem + "-lock"
		}
		return stem + "-lock-" + variant
	}
	stem := release
	if stem == "" {
		stem = acquire
	}
	for _, p := range []string{"put_", "free_", "destroy_", "unregister_", "release_", "__"} {
		stem = strings.TrimPrefix(stem, p)
	}
	for _, s := range []string{"_put", "_free", "_destroy", "_unregister", "_deregister", "_release", "_remove"} {
		stem = strings.TrimSuffix(stem, s)
	}
	switch kind {
	case Ref:
		return stem + "-ref"
	case Register:
		return stem + "-registration"
	}
	return stem + "-alloc"
}

// mineFamilies adds the allocator and lock-state families.
func (b *builder) mineFamilies() {
	for i := range families {
		f := &families[i]
		src := Source{Kind: Naming, Desc: f.desc}
		relArgs := map[string]int{}
		for _, r := range f.releases {
			relArgs[r] = f.arg // a lock's argument, or none
			if f.arg == ArgReturn {
				relArgs[r] = b.releaseArgOf(r, "void")
			}
		}
		for _, a := range f.acquires {
			pc := &pairClaim{
				Pair:       Pair{Acquire: a, Releases: f.releases, Kind: f.kind, Family: f.id, Source: src},
				acquireArg: f.arg, cond: f.conds[a], atomic: f.atomic, sleeps: f.sleeps,
				releaseArg: relArgs,
			}
			b.addPair(pc)
		}
	}
}

// mineNaming pairs every known C function with the partner its name
// implies, when that partner is declared and the types agree.
func (b *builder) mineNaming() {
	for _, name := range b.universe() {
		b.nameAsAcquire(name)
		b.nameAsRelease(name)
	}
}

// nameAsAcquire pairs name with the release its name implies.
func (b *builder) nameAsAcquire(name string) {
	for i := range conventions {
		c := &conventions[i]
		stem := c.stemOf(name, c.acquire)
		if stem == "" {
			continue
		}
		if b.namingPair(c, name, c.with(stem, c.release)) {
			return
		}
	}
}

// nameAsRelease pairs name with the plain acquire its name implies
// (spin_unlock with spin_lock, not with every variant: those are found
// from their own names).
func (b *builder) nameAsRelease(name string) {
	for i := range conventions {
		c := &conventions[i]
		if c.cond != Always || strings.Contains(c.acquire, "nested") {
			continue
		}
		stem := c.stemOf(name, c.release)
		if stem == "" {
			continue
		}
		if b.namingPair(c, c.with(stem, c.acquire), name) {
			return
		}
	}
}

// namingPair claims acquire/release under convention c when both exist
// and agree, and reports whether it did.
func (b *builder) namingPair(c *convention, acquire, release string) bool {
	ka, kr := b.declKindOf(acquire), b.declKindOf(release)
	if ka == undeclared || kr == undeclared {
		return false
	}
	if c.kind != Lock && (ka != declFunc || kr != declFunc) {
		return false
	}
	for _, pc := range b.claimsOf(acquire) {
		if pc.Source.Kind == Naming && pc.ReleasedBy(release) {
			return true // found from the other side already
		}
	}
	var a, r *facts.CFunc
	if f := b.funcs[acquire]; f != nil {
		a = f.sig()
	}
	if f := b.funcs[release]; f != nil {
		r = f.sig()
	}
	if c.typed && (a == nil || r == nil) {
		return false
	}
	acqArg, relArg, ok := typedArgs(c.kind, a, r)
	if !ok || c.typed && acqArg != ArgReturn {
		return false
	}
	pc := &pairClaim{
		Pair:       Pair{Acquire: acquire, Releases: []string{release}, Kind: c.kind, Source: Source{Kind: Naming, Desc: c.desc()}},
		acquireArg: acqArg, cond: c.cond,
		releaseArg: map[string]int{release: relArg},
	}
	if c.kind == Lock {
		pc.atomic = atomicLockStems[lockStem(acquire)] || lockTypeIn(a, atomicLockTypes)
		pc.sleeps = lockTypeIn(a, sleepingLockTypes)
	}
	b.addPair(pc)
	return true
}

// claimsOf returns the pair claims whose acquire is name.
func (b *builder) claimsOf(name string) []*pairClaim {
	if c := b.claims[name]; c != nil {
		return c.acquires
	}
	return nil
}

// typedArgs checks that acquire a and release r (either may be nil:
// unknown) agree on the resource's type, and returns the acquired and
// released argument positions.
func typedArgs(kind ResourceKind, a, r *facts.CFunc) (acqArg, relArg int, ok bool) {
	if kind == Lock {
		return lockArgs(a, r)
	}
	if a == nil || r == nil {
		acqArg = ArgReturn
		if a != nil && !returnsPointer(a) {
			acqArg = 0
		}
		return acqArg, 0, true
	}
	if returnsPointer(a) {
		t := base(a.Return)
		if t == "void" {
			if j := pointerParam(r, "void"); j >= 0 {
				return ArgReturn, j, true
			}
			j := pointerParam(r, "")
			return ArgReturn, j, j >= 0
		}
		if j := pointerParam(r, t); j >= 0 {
			return ArgReturn, j, true
		}
		j := pointerParam(r, "void")
		return ArgReturn, j, j >= 0
	}
	// An int-returning acquire: its pointer argument's count (kref_get,
	// pm_runtime_get) or registration (misc_register).
	i := pointerParam(a, "")
	if i < 0 {
		return 0, 0, false
	}
	j := pointerParam(r, base(a.Params[i].Type))
	return i, j, j >= 0
}

// lockArgs finds the lock argument of a lock and its unlock.
func lockArgs(a, r *facts.CFunc) (acqArg, relArg int, ok bool) {
	switch {
	case a == nil && r == nil:
		return 0, 0, true
	case a == nil:
		if j := pointerParam(r, ""); j >= 0 {
			return 0, j, true
		}
		return ArgNone, ArgNone, true
	case r == nil:
		if i := pointerParam(a, ""); i >= 0 {
			return i, 0, true
		}
		return ArgNone, ArgNone, true
	}
	i := pointerParam(a, "")
	if i < 0 {
		return ArgNone, ArgNone, pointerParam(r, "") < 0
	}
	j := pointerParam(r, base(a.Params[i].Type))
	return i, j, j >= 0
}

// lockTypeIn reports whether f's first pointer parameter points to one of
// the types.
func lockTypeIn(f *facts.CFunc, types map[string]bool) bool {
	if f == nil {
		return false
	}
	i := pointerParam(f, "")
	return i >= 0 && types[base(f.Params[i].Type)]
}
