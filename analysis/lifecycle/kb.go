package lifecycle

import (
	"sort"
	"strings"
)

// KB is the lifecycle knowledge of one index generation. It is immutable
// once built and safe for concurrent use. A nil *KB knows nothing: every
// method returns the zero answer.
type KB struct {
	gen     uint64
	root    string // tree root for display paths ("" outside kernel trees)
	effects map[string]*Effect
	pairs   []Pair
	owners  []*Owner
	refs    []*RefCount
	locks   []*RustLock
	// transfers are keyed by "Type::fn", and "::fn" for trait methods.
	transfers map[string]*Transfer
	lines     *lineCache
}

// Gen is the index generation the KB was built from.
func (kb *KB) Gen() uint64 {
	if kb == nil {
		return 0
	}
	return kb.gen
}

// Effect returns what calling the C function fn does. fn is the C name as
// Rust writes it after bindings:: (a helper-wrapped inline or macro X is
// known as X; "rust_helper_X" is accepted too). Unknown functions give the
// zero Effect (Known reports false).
func (kb *KB) Effect(fn string) Effect {
	if kb == nil {
		return Effect{AcquireArg: ArgReturn}
	}
	fn = strings.TrimPrefix(fn, helperPrefix)
	if e := kb.effects[fn]; e != nil {
		return *e
	}
	if devmByName(fn) {
		// A devm_ function the index has no facts for: its name says
		// enough (the KB only reasons about functions it has facts for or
		// that Rust names).
		return Effect{AcquireArg: ArgReturn, Devm: true, Borrowed: true, Sources: []Source{devmNameSource}}
	}
	return Effect{AcquireArg: ArgReturn}
}

// Functions returns the names of every C function the KB knows something
// about, sorted.
func (kb *KB) Functions() []string {
	if kb == nil {
		return nil
	}
	out := make([]string, 0, len(kb.effects))
	for name := range kb.effects {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Pairs returns every pair claim the KB learned, one per acquire and
// source (the same pair from naming and from an AlwaysRefCounted impl is
// listed twice), sorted by acquire and trust. Conflicting Rust pairs are
// not listed.
func (kb *KB) Pairs() []Pair {
	if kb == nil {
		return nil
	}
	return kb.pairs
}

// PairsWith reports whether release correctly releases what acquire
// acquires, according to any source.
func (kb *KB) PairsWith(acquire, release string) bool {
	e := kb.Effect(acquire)
	return e.Acquires != nil && e.Acquires.ReleasedBy(strings.TrimPrefix(release, helperPrefix))
}

// Owner returns an owner type named typeName, preferring the kernel
// crate's (rust/kernel/) when several files define one; nil when none.
func (kb *KB) Owner(typeName string) *Owner {
	if kb == nil {
		return nil
	}
	return preferred(kb.owners, func(o *Owner) (string, string) { return o.Type, o.Path }, typeName)
}

// OwnerIn returns the owner type typeName defined in the file at path.
func (kb *KB) OwnerIn(path, typeName string) *Owner {
	if kb == nil {
		return nil
	}
	for _, o := range kb.owners {
		if o.Type == typeName && o.Path == path {
			return o
		}
	}
	return nil
}

// Owners returns every owner type, sorted by path and type.
func (kb *KB) Owners() []*Owner {
	if kb == nil {
		return nil
	}
	return kb.owners
}

// RefCounted returns an AlwaysRefCounted impl for rustType, preferring the
// kernel crate's; nil when none.
func (kb *KB) RefCounted(rustType string) *RefCount {
	if kb == nil {
		return nil
	}
	return preferred(kb.refs, func(r *RefCount) (string, string) { return r.Type, r.Path }, rustType)
}

// RefCountedIn returns the AlwaysRefCounted impl for rustType in the file
// at path.
func (kb *KB) RefCountedIn(path, rustType string) *RefCount {
	if kb == nil {
		return nil
	}
	for _, r := range kb.refs {
		if r.Type == rustType && r.Path == path {
			return r
		}
	}
	return nil
}

// RefCounts returns every AlwaysRefCounted impl, sorted by path and type.
func (kb *KB) RefCounts() []*RefCount {
	if kb == nil {
		return nil
	}
	return kb.refs
}

// Lock returns the Rust lock whose lock type or guard type is named
// typeName ("SpinLock", "SpinLockGuard", "Mutex"), or nil.
func (kb *KB) Lock(typeName string) *RustLock {
	if kb == nil {
		return nil
	}
	if l := preferred(kb.locks, func(l *RustLock) (string, string) { return l.Type, l.Path }, typeName); l != nil {
		return l
	}
	return preferred(kb.locks, func(l *RustLock) (string, string) { return l.Guard, l.Path }, typeName)
}

// Locks returns every Rust lock type found.
func (kb *KB) Locks() []*RustLock {
	if kb == nil {
		return nil
	}
	return kb.locks
}

// Transfer returns what the Rust function typeName::fn does with
// ownership (typeName "" for a method call such as x.into_foreign()), or
// nil when it moves none. Type aliases are resolved (KBox is Box).
func (kb *KB) Transfer(typeName, fn string) *Transfer {
	if kb == nil {
		return nil
	}
	if t := kb.transfers[typeName+"::"+fn]; t != nil {
		return t
	}
	if typeName == "" {
		return nil
	}
	return kb.transfers["::"+fn]
}

// preferred picks, among the items named name, the one under rust/kernel/,
// else the one with the shortest path.
func preferred[T any](items []T, key func(T) (name, path string), name string) T {
	var best T
	bestPath := ""
	found := false
	for _, it := range items {
		n, p := key(it)
		if n != name {
			continue
		}
		if !found || betterPath(p, bestPath) {
			best, bestPath, found = it, p, true
		}
	}
	return best
}

func betterPath(p, than string) bool {
	pk, tk := strings.Contains(p, "/rust/kernel/"), strings.Contains(than, "/rust/kernel/")
	if pk != tk {
		return pk
	}
	if len(p) != len(than) {
		return len(p) < len(than)
	}
	return p < than
}
