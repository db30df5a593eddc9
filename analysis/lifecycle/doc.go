// Package lifecycle is rivet's lifecycle knowledge base: which C functions
// acquire a resource (a reference, memory, a lock, a registration), which
// functions release it, which return borrowed pointers or ERR_PTR, which
// may sleep or enter atomic context, and which keep a pointer argument.
// It also knows the Rust side of ownership: AlwaysRefCounted impls, owner
// types (a constructor stores what C returned, Drop releases it), lock
// types and their guards, and the functions that move ownership between a
// raw pointer and an owner (ARef::from_raw, KBox::into_raw, into_foreign).
//
// Build mines an index snapshot once per index generation; the KB is then
// immutable and safe for concurrent reads. Every fact remembers where it
// came from (Source), in this order of trust:
//
//  1. RustRefCounted: `unsafe impl AlwaysRefCounted for T` (inc_ref, dec_ref).
//  2. RustOwner: owner types (constructor stores, Drop releases).
//  3. RustWrapper: lock backends and guards, ARef/KBox/ForeignOwnable.
//  4. CCleanup: DEFINE_FREE, DEFINE_GUARD, DEFINE_CLASS, DEFINE_LOCK_GUARD_*.
//  5. CAnnotation: __acquires, __releases, __cond_acquires, __must_hold.
//  6. CBody: kref_put, ERR_PTR and NULL returns, sleeping calls, devm_,
//     pointer arguments kept.
//  7. Naming: X_get/X_put and the other conventions, the allocator families.
//  8. Builtin: a small table of what the tree cannot tell (builtin.go).
//  9. Config: the user's .rivet.toml [lifecycle] section.
//
// A higher-trust source wins a conflict (a function both "borrowed" and
// "acquires"); agreeing sources add up (every known release of an acquire
// is accepted). All sources stay in Effect.Sources for display.
//
// A pair mined from Rust (an AlwaysRefCounted impl, an owner type's Drop)
// is learned only when it does not contradict the C side: when its release
// is known to release another family and its acquire is known to pair with
// other releases, it is a bug to report, not knowledge (RefCount.Conflict,
// Owner.Conflict). This is how the wrong `dec_ref` of testdata/kernel's
// RawDevice stays a lifecycle-mismatched-release.
//
// # Deviations from the agreed API (/work/notes/lifecycle-api.md)
//
//   - Pairs(acquire, release) is named PairsWith; Pairs() lists every pair
//     claim, one per acquire and source, for the mined-pairs figures.
//   - RefCounted returns a *RefCount (the impl, its inc/dec spans, the
//     learned Pair, a Conflict) rather than a bare *Pair; Owner returns an
//     *Owner with the acquire and release call spans. Type names are not
//     unique in a kernel (eight types are called Device), so OwnerIn and
//     RefCountedIn take the defining file too; the name-only lookups prefer
//     the definition under rust/kernel/.
//   - Effect has four more fields: Cond (trylock-style conditional
//     acquires), SleepsIfGFP/GFPArg (kmalloc(…, GFP_KERNEL) may sleep,
//     kmalloc(…, GFP_ATOMIC) does not: the caller's flags decide, see
//     BlockingGFP), and AcquireArg may be ArgNone for locks without an
//     argument (rcu_read_lock, preempt_disable).
//   - Evidence (SleepChain) carries the function each step is in.
//   - Describe is a method, (*KB).Describe, because it needs the tree root
//     and the evidence files' line numbers.
//   - Lock/Guard (RustLock) and Transfer describe the Rust wrappers of item
//     (a) that are not C functions.
package lifecycle
