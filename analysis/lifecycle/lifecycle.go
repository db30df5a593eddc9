package lifecycle

import (
	"slices"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// SourceKind says where a fact comes from. Lower values are trusted more.
type SourceKind uint8

const (
	// RustRefCounted is an `unsafe impl AlwaysRefCounted` (inc_ref/dec_ref).
	RustRefCounted SourceKind = iota + 1
	// RustOwner is an owner type: a constructor stores what a C acquire
	// returned in a field of Self, and Drop releases that field.
	RustOwner
	// RustWrapper is a Rust wrapper of a C resource: a lock backend or
	// guard, ARef/KBox from_raw/into_raw, ForeignOwnable.
	RustWrapper
	// CCleanup is a cleanup.h declaration: DEFINE_FREE, DEFINE_GUARD,
	// DEFINE_CLASS, DEFINE_LOCK_GUARD_*.
	CCleanup
	// CAnnotation is a sparse context annotation: __acquires, __releases,
	// __cond_acquires, __must_hold.
	CAnnotation
	// CBody is what a C function body does: kref_put, return ERR_PTR or
	// NULL, sleep, devres, keep a parameter.
	CBody
	// Naming is a naming convention (X_get/X_put, X_lock/X_unlock...) or
	// a well-known allocator family (kmalloc/kfree).
	Naming
	// Builtin is rivet's small table of what the tree cannot tell.
	Builtin
	// Config is the user's .rivet.toml.
	Config
)

// SourceKinds lists every source kind in order of trust.
var SourceKinds = []SourceKind{RustRefCounted, RustOwner, RustWrapper, CCleanup, CAnnotation, CBody, Naming, Builtin, Config}

func (k SourceKind) String() string {
	switch k {
	case RustRefCounted:
		return "AlwaysRefCounted impl"
	case RustOwner:
		return "owner type"
	case RustWrapper:
		return "Rust wrapper"
	case CCleanup:
		return "cleanup.h"
	case CAnnotation:
		return "annotation"
	case CBody:
		return "C body"
	case Naming:
		return "naming"
	case Builtin:
		return "built-in"
	case Config:
		return "configuration"
	}
	return "unknown"
}

// Source is where a fact comes from.
type Source struct {
	Kind SourceKind
	Path string     // the file of the evidence; "" for built-in and naming facts
	Span facts.Span // the evidence in Path: the impl, the DEFINE_FREE, the body statement
	Desc string     // human text: "AlwaysRefCounted for Device", "DEFINE_FREE(kfree, void *, …)"
}

// ResourceKind is what a pair manages.
type ResourceKind uint8

const (
	Ref      ResourceKind = iota + 1 // a reference count
	Alloc                            // memory or another resource that is freed
	Lock                             // a lock, or an atomic section (irqs or preemption off)
	Register                         // a registration with a subsystem
)

func (k ResourceKind) String() string {
	switch k {
	case Ref:
		return "reference"
	case Alloc:
		return "allocation"
	case Lock:
		return "lock"
	case Register:
		return "registration"
	}
	return "resource"
}

// Pair is an acquire/release pairing: how the resources one C function
// acquires are given back.
type Pair struct {
	Acquire string // the C function that acquires
	// Releases are every function that correctly releases what Acquire
	// acquires (kmalloc: kfree, kvfree, kfree_sensitive).
	Releases []string
	Kind     ResourceKind
	// Family is a stable id shared by the pairs of one kind of resource:
	// "kmalloc", "vmalloc", "device-ref", "spin-lock", "spin-lock-irqsave".
	Family string
	Source Source
}

// ReleasedBy reports whether release is one of the pair's releases.
func (p *Pair) ReleasedBy(release string) bool { return slices.Contains(p.Releases, release) }

// Argument positions of Effect.AcquireArg besides parameter indexes.
const (
	ArgReturn = -1 // the return value is the resource
	ArgNone   = -2 // a state without an object: rcu_read_lock(), preempt_disable()
)

// Cond says when a conditional acquire succeeded.
type Cond uint8

const (
	Always    Cond = iota // the call always acquires (a pointer return: when not NULL or an ERR_PTR)
	IfNonZero             // a non-zero return means acquired (trylock)
	IfZero                // a zero return means acquired (mutex_lock_interruptible)
)

// Effect is what calling a C function does, as far as rivet knows. The
// zero Effect knows nothing. Pointers and slices are shared with the KB:
// callers must not modify them.
type Effect struct {
	// Acquires is the pair of the resource the call acquires (returns, or
	// for locks takes), or nil.
	Acquires *Pair
	// AcquireArg is ArgReturn when the return value is the resource (a
	// reference, memory: get_device also returns its argument), ArgNone
	// for an argument-less state, else the index of the acquired argument
	// (the lock, the kref).
	AcquireArg int
	// Cond says when the acquire happened.
	Cond Cond
	// Releases are the pairs whose resource the call releases: argument
	// ReleaseArg of kfree, put_device, spin_unlock.
	Releases   []Pair
	ReleaseArg int
	// Borrowed: the returned pointer is not the caller's (dev_get_drvdata,
	// devm allocations): releasing it is a bug.
	Borrowed bool
	// Devm: a device-managed allocation or action; the device core
	// releases it when the driver unbinds, so it is never a leak. Acquires,
	// when set, names the early release (devm_kfree), which is optional.
	Devm bool
	// ReturnsErrPtr: some path returns ERR_PTR(...), directly or through a
	// returned call (three levels deep at most).
	ReturnsErrPtr bool
	// ReturnsNull: some path returns NULL, likewise.
	ReturnsNull bool
	// MaySleep: the call may sleep whatever its arguments; SleepChain is
	// the evidence, from the function itself down to the sleeping call.
	MaySleep   bool
	SleepChain []Evidence
	// SleepsIfGFP: the function takes gfp_t flags in argument GFPArg and
	// sleeps when they allow blocking (GFP_KERNEL): see BlockingGFP.
	SleepsIfGFP bool
	GFPArg      int
	// EntersAtomic: the call starts an atomic section (spin_lock*,
	// rcu_read_lock, local_irq_disable, preempt_disable, configured atomic
	// functions); LeavesAtomic ends one.
	EntersAtomic bool
	LeavesAtomic bool
	// Keeps are the argument indexes the callee keeps beyond the call
	// (stored in a list or a global, registered).
	Keeps []int
	// Sources are every fact's source, most trusted first.
	Sources []Source
}

// Known reports whether rivet knows anything about the function.
func (e *Effect) Known() bool { return len(e.Sources) > 0 }

// Evidence is one step of a chain of evidence: in function Fn (defined in
// Path), What happens at Span — a call to the next step's function, or the
// sleeping call itself ("might_sleep", "GFP_KERNEL", "guard(mutex)").
type Evidence struct {
	Fn   string
	Path string
	Span facts.Span
	What string
}

// RefCount is one `unsafe impl AlwaysRefCounted for T`.
type RefCount struct {
	Type     string     // the self type's name: "Device"
	Path     string     // the file of the impl
	Impl     facts.Span // the impl block
	Inc, Dec string     // the C functions inc_ref and dec_ref call ("" when none)
	IncSpan  facts.Span
	DecSpan  facts.Span
	// Pair is what the impl teaches (Inc acquires, Dec releases); nil when
	// Inc or Dec is missing or the impl contradicts the C side.
	Pair *Pair
	// Conflict explains why the impl's pair was not learned: "put_device,
	// not kfree, releases get_device (naming: X_get/X_put)".
	Conflict string
}

// Owner is a Rust owner type: a constructor stores what a C acquire
// returned in a field, and the type's Drop releases that field.
type Owner struct {
	Type  string     // "Clk"
	Path  string     // the file defining the type
	Span  facts.Span // the struct item
	Field string     // the field holding the C resource: "clk", "0"
	// Acquire is the C function whose result the constructors store, with
	// the spans of those calls.
	Acquire      string
	AcquireSpans []facts.Span
	// Ctors are the spans of the constructors (fns returning Self).
	Ctors []facts.Span
	// Drop is the span of the Drop impl's drop fn, empty when the type
	// has no Drop impl (then nothing releases the resource).
	Drop facts.Span
	// Releases are the C functions Drop calls that take the field's type;
	// Release is the one that releases Acquire ("" when none does),
	// ReleaseSpan its call.
	Releases    []string
	Release     string
	ReleaseSpan facts.Span
	// Paired reports whether Release is known (from this owner or other
	// sources) to release Acquire.
	Paired bool
	// Conflict explains why the owner's pair was not learned.
	Conflict string
}

// RustLock is a Rust lock type (SpinLock, Mutex) or guard type over C
// lock functions.
type RustLock struct {
	Type    string     // the lock type: "SpinLock", "Mutex"
	Guard   string     // its guard type: "SpinLockGuard", "Guard"; "" when unknown
	Path    string     // where the evidence is
	Span    facts.Span // the type alias, backend impl or Drop impl
	Lock    string     // the C function that takes the lock
	Unlock  string     // the C function that releases it
	TryLock string     // the C trylock, "" when none
	// Atomic: holding the lock is atomic context (a spinlock); MaySleep:
	// taking it may sleep (a mutex).
	Atomic   bool
	MaySleep bool
	Source   Source
}

// Transfer is a Rust function that moves ownership between a raw pointer
// and an owner.
type Transfer struct {
	Type string // the type the function is defined on: "ARef", "Box"; "" for ForeignOwnable methods
	Fn   string // "from_raw", "into_raw", "from_foreign", "into_foreign"
	// Takes: the call takes over a raw pointer's ownership (from_raw,
	// from_foreign); otherwise it gives ownership out as a raw pointer
	// (into_raw, into_foreign).
	Takes  bool
	Source Source
}

// BlockingGFP reports whether a gfp_t argument, as written, allows the
// allocator to sleep: GFP_KERNEL and the other flags that include
// __GFP_DIRECT_RECLAIM. GFP_ATOMIC, GFP_NOWAIT and unknown expressions do
// not count (rivet stays silent when unsure).
func BlockingGFP(arg string) bool {
	for _, w := range identifiers(arg) {
		if blockingGFP[w] {
			return true
		}
	}
	return false
}

// identifiers splits text into C identifiers.
func identifiers(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !isIdentRune(r) })
}

func isIdentRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
