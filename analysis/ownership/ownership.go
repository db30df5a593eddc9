// Package ownership follows what a Rust function does with the resources C
// hands it: references and allocations returned by `bindings::` calls,
// locks taken through bindings, Rust lock guards. It walks one function's
// tree-sitter tree as an abstract interpreter — per path, each tracked
// resource is owned, released, handed to an owner, escaped or not acquired,
// and paths merge at joins — and records the events the lifecycle rules
// judge: leaks at exits, releases with the state they found, locks held on
// some exits only, sleeping calls in atomic sections, and pointers to
// movable memory given to C functions that keep them.
//
// It is not a borrow checker. When unsure it stops following a value
// (handing it to an unknown Rust function, a closure, a macro or a
// pattern it does not model ends its tracking) so that what it reports is
// what it saw. Loops run once, plus the exit; panics are not exits.
//
// What a C function does comes from a Knowledge (the lifecycle knowledge
// base, adapted by the rules); the package itself knows only Rust idioms:
// ARef::from_raw and friends take ownership, `?` exits with its operand
// in the error state, `is_null()` checks refine the paths, SpinLock guards
// live until their scope ends or drop(guard).
package ownership

import (
	"github.com/rivet-lsp/rivet/analysis/facts"
)

// Effect is what calling one C function does, as far as the tracker needs
// to know.
type Effect struct {
	// Acquire says what the call acquires, if anything.
	Acquire AcquireKind
	// LockArg is the argument naming the lock an AcquireLock call takes,
	// or -1 for a section without one (rcu_read_lock, preempt_disable).
	LockArg int
	// Section names a lockless atomic section (rcu, preempt, irq) so that
	// its enter and leave calls match; "" for locks named by an argument.
	Section string
	// Releases says the call gives back the resource passed as argument
	// ReleaseArg; ReleasesLock that it is a lock (spin_unlock).
	Releases     bool
	ReleasesLock bool
	ReleaseArg   int
	// Borrowed: the returned pointer belongs to someone else
	// (dev_get_drvdata). Devm: it is a devm_ allocation, freed by the
	// device core.
	Borrowed bool
	Devm     bool
	// MaySleep: the function may sleep (for allocations, unless told
	// otherwise by a GFP flag at the call).
	MaySleep bool
	// EntersAtomic and LeavesAtomic: the call starts or ends an atomic
	// section (spinlocks, RCU read side, disabled interrupts).
	EntersAtomic bool
	LeavesAtomic bool
	// Keeps are the arguments the callee keeps beyond the call.
	Keeps []int
}

// AcquireKind says what a call acquires.
type AcquireKind uint8

const (
	AcquireNone AcquireKind = iota
	// AcquireValue: the returned value is a new reference or allocation
	// the caller owns.
	AcquireValue
	// AcquireLock: the call takes the lock named by argument LockArg.
	AcquireLock
)

// Knowledge answers what C functions and the Rust wrappers of C
// resources do. The lifecycle knowledge base provides it; it must be safe
// for concurrent use.
type Knowledge interface {
	// Effect is what calling C function cname does.
	Effect(cname string) Effect
	// LockType reports whether the Rust type typeName is a lock (or lock
	// guard) type, and whether holding it is atomic context (SpinLock).
	LockType(typeName string) (isLock, atomic bool)
	// TakesOwnership reports whether typeName::fn takes over the
	// ownership of a raw pointer (ARef::from_raw, KBox::from_raw,
	// from_foreign).
	TakesOwnership(typeName, fn string) bool
	// Releases reports whether C function release gives back what C
	// function acquire returns (for a field a Drop releases: is the
	// stored value's owner then the Drop).
	Releases(acquire, release string) bool
}

// Status is the set of states a resource may be in at one program point,
// one bit per kind of path.
type Status uint8

const (
	// Owned: acquired and still the function's to give back (a lock:
	// held).
	Owned Status = 1 << iota
	// Released: given back by a release call (a lock: unlocked).
	Released
	// HandedToOwner: moved into something that releases it itself
	// (ARef::from_raw, KBox::from_raw, a field of a type whose Drop
	// releases it).
	HandedToOwner
	// Escaped: handed somewhere the tracker cannot follow (returned,
	// passed to an unknown function, captured): tracking ends.
	Escaped
	// NotAcquired: on this path the acquisition failed (a null or ERR_PTR
	// check, the error arm of `?`) or has not happened yet.
	NotAcquired
)

// Has reports whether s includes any state of t.
func (s Status) Has(t Status) bool { return s&t != 0 }

// ResKind says what a tracked resource is.
type ResKind uint8

const (
	// Value is a reference or allocation returned by a C call.
	Value ResKind = iota + 1
	// Lock is a lock taken through bindings, named by its argument.
	Lock
	// Guard is a Rust lock guard bound to a local (SpinLock::lock()).
	Guard
	// Borrowed is a pointer the function does not own: a `&T`
	// parameter, a field of one, or a C function's borrowed return.
	Borrowed
)

// Resource is one tracked acquisition.
type Resource struct {
	ID   int
	Kind ResKind
	// Func is the C function that acquired it ("" for parameters and
	// Rust guards); Call spans the acquiring call expression, or for a
	// borrowed parameter or field, the parameter or field expression.
	Func string
	Call facts.Span
	// Key names a lock (the normalised argument text) or a guard's lock.
	Key string
	// Atomic: while held, the context is atomic (spinlocks, RCU).
	Atomic bool
	// Devm: a devm_ allocation, which the caller never releases.
	Devm bool
	// Desc describes a Borrowed resource for messages: "the `&Device`
	// parameter `dev`".
	Desc string
}

// Exit is a point where the function (or closure) returns.
type Exit struct {
	Span facts.Span
	Kind string // "?", "return", "end of function"
}

// Leak is a value owned at an exit: nothing released it, returned it or
// handed it to an owner on that path.
type Leak struct {
	Res  *Resource
	Exit Exit
}

// Release is one release call of a tracked resource, with the state it
// found.
type Release struct {
	Res  *Resource
	Func string     // the releasing C function
	Call facts.Span // the release call expression
	// Prior is the resource's status just before the call.
	Prior Status
	// PrevRelease is where an earlier path released it (Prior has
	// Released); Owner where it was handed to an owner (HandedToOwner).
	PrevRelease facts.Span
	Owner       facts.Span
	OwnerDesc   string // "ARef::from_raw", "field `clk` of PreparedClk"
}

// LockHeld is a lock taken in the function that some exit leaves held.
type LockHeld struct {
	Res  *Resource
	Exit Exit
	// ReleasedOn is an exit where the lock was released, and ReleaseCall
	// the release that path went through. ReleasedOn.Kind is "" when no
	// exit releases it: the function either hands the lock to its caller
	// (a lock backend, a guard constructor) or forgot to release it.
	ReleasedOn  Exit
	ReleaseCall facts.Span
}

// Sleep is a call that may sleep while an atomic section is held on every
// path.
type Sleep struct {
	Call facts.Span
	// Func is the C function called, or the Rust callee text for an
	// allocation with a sleeping GFP flag.
	Func string
	C    bool
	// GFP is the sleeping flag the call passes ("GFP_KERNEL"), if that is
	// why it may sleep.
	GFP  string
	Held []*Resource
}

// Keep is a pointer to memory that may move or die, passed to a C function
// that keeps it.
type Keep struct {
	Call    facts.Span
	Func    string
	Arg     int
	ArgSpan facts.Span
	// What is "stack local `misc`" or "field `misc` of `self`, which is
	// not pinned"; Decl spans the local's declaration or the receiver.
	What string
	Decl facts.Span
}

// OwnerStore is a tracked value stored into a field of the type whose
// method stores it: the owner-type pattern.
type OwnerStore struct {
	Res   *Resource
	Type  string
	Field string
	Site  facts.Span
}

// Fn is what the tracker found in one function or closure.
type Fn struct {
	Name string     // the fn's name, "" for closures
	Span facts.Span // the whole fn or closure
	// Type is the self type of the enclosing impl, "" outside impls.
	Type string
	// Trait is the trait of the enclosing impl ("Drop"), "" otherwise.
	Trait string
	// Ret is the declared return type, "" for () and closures.
	Ret string

	Resources []*Resource
	Leaks     []Leak
	Releases  []Release
	LocksHeld []LockHeld
	Sleeps    []Sleep
	Keeps     []Keep
	Stores    []OwnerStore
}
