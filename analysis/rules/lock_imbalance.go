package rules

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/ownership"
)

// LockImbalance reports locks taken through bindings that some exit leaves
// held while another releases them, and releases of a lock already
// released.
var LockImbalance = register(&Rule{
	Code:     "lock-imbalance",
	Title:    "A lock taken through bindings and not released on some path, or released without being taken.",
	Severity: Error,
	Lang:     facts.LangRust,
	Run:      runLockImbalance,
	Doc: `# lock-imbalance

A lock taken through ` + "`bindings::`" + ` that some path leaves held while another
releases it, or a lock released when it is not held.

## What

rivet follows locks a Rust function takes with C calls (` + "`spin_lock`" + `,
` + "`spin_lock_irqsave`" + `, ` + "`mutex_lock`" + `, ` + "`rcu_read_lock`" + `, anything the lifecycle
knowledge pairs as a lock) by the expression naming the lock, and reports

- on the lock line, a lock still held when one exit (` + "`return`" + `, ` + "`?`" + `, the end)
  leaves while another exit has released it, or a lock no exit releases;
- on the unlock line, a release of a lock this function took and already
  released on some path (a second unlock).

A function that takes a lock and never releases it is reported only when it
does not hand the lock to its caller by design: trait impls (a lock
backend's ` + "`lock`" + `), functions returning a guard or ` + "`Self`" + ` (a guard's
constructor), closures, and functions named for locking (` + "`*lock*`" + `,
` + "`*acquire*`" + `, ` + "`*enter*`" + `, ` + "`*begin*`" + `) are not. A function that only releases a
lock its caller took is not reported either. Rust guards (` + "`Mutex::lock`" + `,
` + "`SpinLock::lock`" + `) unlock themselves when dropped and are never reported.

## Why

A spinlock held on an error path deadlocks the next caller, with interrupts
or preemption possibly still disabled; unlocking a lock that is not held
corrupts its state and lockdep's.

## Example

` + "```rust" + `
pub unsafe fn bump(lock: *mut bindings::spinlock_t, count: &mut u32) -> Result {
    // SAFETY: the caller guarantees ` + "`lock`" + ` is initialised.
    unsafe { bindings::spin_lock(lock) }; // reported
    if *count == 0 {
        return Err(EBUSY); // returns with the lock held
    }
    *count -= 1;
    // SAFETY: the lock is held.
    unsafe { bindings::spin_unlock(lock) };
    Ok(())
}
` + "```" + `

## Fix

Release the lock on every path (decide inside the critical section, unlock,
then return), or use the kernel crate's ` + "`SpinLock`" + `/` + "`Mutex`" + `, whose guard
unlocks on every path.

## Silence

Put ` + "`// rivet:allow(lock-imbalance)`" + ` on the reported line or the line
above, or set ` + "`lock-imbalance = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
`,
})

func runLockImbalance(p *Pass) {
	for _, fn := range ownershipOf(p).Fns {
		for _, l := range fn.LocksHeld {
			if l.ReleasedOn.Kind == "" {
				if !handsOverLock(fn) {
					d := p.Report(callName(p, l.Res.Call), "%s() takes %s, which no path of %s releases: it is still held when %s",
						l.Res.Func, lockName(l.Res), fnName(fn), exitPhrase(p, l.Exit))
					d.Related = append(d.Related, p.here(l.Exit.Span, "leaves here with %s held", lockName(l.Res)))
				}
				continue
			}
			d := p.Report(callName(p, l.Res.Call), "%s() takes %s, which is still held when %s, while another path releases it at line %d",
				l.Res.Func, lockName(l.Res), exitPhrase(p, l.Exit), p.lineOf(l.ReleaseCall.Start))
			d.Related = append(d.Related, p.here(l.Exit.Span, "leaves here with %s held", lockName(l.Res)), p.here(l.ReleaseCall, "released here on another path"))
		}
		for _, r := range fn.Releases {
			if r.Res.Kind != ownership.Lock || !r.Prior.Has(ownership.Released) {
				continue
			}
			d := p.Report(callName(p, r.Call), "%s() releases %s, which a path through line %d already released: %s() at line %d took it once",
				r.Func, lockName(r.Res), p.lineOf(r.PrevRelease.Start), r.Res.Func, p.lineOf(r.Res.Call.Start))
			d.Related = append(d.Related, p.here(r.PrevRelease, "released here first"), p.here(r.Res.Call, "taken here"))
		}
	}
}

// handsOverLock reports whether a function that takes a lock and never
// releases it does so by design: it implements a trait (a lock backend's
// lock), returns a guard or its own type (a guard's constructor), is a
// closure (run under someone else's protocol), or is named for taking a
// lock.
func handsOverLock(fn *ownership.Fn) bool {
	if fn.Name == "" || fn.Trait != "" {
		return true
	}
	if strings.Contains(fn.Ret, "Guard") || fn.Ret == "Self" || fn.Type != "" && strings.Contains(fn.Ret, fn.Type) {
		return true
	}
	name := strings.ReplaceAll(strings.ToLower(fn.Name), "unlock", "")
	for _, w := range []string{"lock", "acquire", "enter", "begin"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// lockName names a lock for a message: "`lock`" for a lock named by its
// argument, "its section" for an argument-less section (rcu_read_lock).
func lockName(r *ownership.Resource) string {
	if strings.HasPrefix(r.Key, "#") {
		return "its section"
	}
	return "`" + r.Key + "`"
}
