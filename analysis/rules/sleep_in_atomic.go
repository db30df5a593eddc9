package rules

import (
	"fmt"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/ownership"
)

// SleepInAtomic reports calls that may sleep made while an atomic section
// (a spinlock, an RCU read-side section, disabled interrupts) is held.
var SleepInAtomic = register(&Rule{
	Code:     "sleep-in-atomic",
	Title:    "A C function that may sleep called while a spinlock or RCU read lock is held.",
	Severity: Error,
	Lang:     facts.LangRust,
	Run:      runSleepInAtomic,
	Doc: `# sleep-in-atomic

A C function that may sleep called while a spinlock, an RCU read-side
section or another atomic section is held.

## What

rivet tracks atomic sections in each Rust function: spinlocks taken through
` + "`bindings::`" + ` (` + "`spin_lock`" + `, ` + "`spin_lock_irqsave`" + `, ...), ` + "`rcu_read_lock`" + `,
disabled interrupts or preemption, sections configured as atomic in
.rivet.toml, and Rust guards of atomic lock types (` + "`SpinLock::lock()`" + `, held
until the guard's scope ends or ` + "`drop(guard)`" + `). While one is held on every
path, it reports calls that may sleep:

- a C function the lifecycle knowledge says may sleep — it calls
  ` + "`might_sleep()`" + `, takes a mutex, waits, or allocates with blocking flags,
  directly or through its callees (the chain is in the related
  information);
- any call passing a blocking allocation flag (` + "`GFP_KERNEL`" + `, ` + "`GFP_NOFS`" + `,
  ...): ` + "`kmalloc(.., GFP_KERNEL)`" + `, ` + "`KBox::new(.., GFP_KERNEL)`" + `.

` + "`GFP_ATOMIC`" + ` and ` + "`GFP_NOWAIT`" + ` allocations do not sleep; a mutex does not
make the context atomic.

## Why

Sleeping with a spinlock held can deadlock (the CPU switches to a task
spinning on the same lock) and, with interrupts disabled, hangs the CPU;
sleeping inside an RCU read-side section breaks the grace period. The
kernel only catches it at run time with CONFIG_DEBUG_ATOMIC_SLEEP, on the
paths a test happens to run.

## Example

` + "```rust" + `
// SAFETY: the caller guarantees ` + "`lock`" + ` is initialised.
unsafe { bindings::spin_lock(lock) };
// SAFETY: ` + "`clk`" + ` is a valid clock.
let ret = unsafe { bindings::clk_prepare(clk.as_raw()) }; // reported: clk_prepare may sleep
// SAFETY: the lock is held.
unsafe { bindings::spin_unlock(lock) };
` + "```" + `

## Fix

Move the sleeping call out of the atomic section (prepare before locking,
allocate before locking), use a non-sleeping variant (` + "`clk_enable`" + `,
` + "`GFP_ATOMIC`" + `), or protect the data with a mutex instead.

## Silence

Put ` + "`// rivet:allow(sleep-in-atomic)`" + ` on the call's line or the line above,
or set ` + "`sleep-in-atomic = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
`,
})

func runSleepInAtomic(p *Pass) {
	kb := knowledge(p)
	for _, fn := range ownershipOf(p).Fns {
		for _, s := range fn.Sleeps {
			held := s.Held[len(s.Held)-1]
			section := atomicSection(p, held)
			var d *Diagnostic
			if s.GFP != "" {
				d = p.Report(callName(p, s.Call), "%s() allocates with %s, which may sleep, while %s is held: use GFP_ATOMIC, or allocate before entering the section", s.Func, s.GFP, section)
			} else {
				d = p.Report(callName(p, s.Call), "%s() may sleep, but %s is held: atomic context must not sleep", s.Func, section)
			}
			d.Related = append(d.Related, p.here(held.Call, "atomic section entered here"))
			if s.C {
				for _, ev := range kb.Effect(s.Func).SleepChain {
					if ev.Path != "" {
						d.Related = append(d.Related, Related{Path: ev.Path, Span: ev.Span, Message: fmt.Sprintf("%s: %s", ev.Fn, ev.What)})
					}
				}
			}
		}
	}
}

// atomicSection describes what makes the context atomic: "the spinlock
// `lock` (spin_lock() at line 86)".
func atomicSection(p *Pass, r *ownership.Resource) string {
	line := p.lineOf(r.Call.Start)
	switch {
	case r.Kind == ownership.Guard && r.Key == "rcu":
		return fmt.Sprintf("the RCU read-side section (line %d)", line)
	case r.Kind == ownership.Guard:
		return fmt.Sprintf("the guard of `%s` (locked at line %d)", r.Key, line)
	case strings.HasPrefix(r.Key, "#"):
		return fmt.Sprintf("the atomic section %s() entered at line %d", r.Func, line)
	}
	return fmt.Sprintf("`%s` (%s() at line %d)", r.Key, r.Func, line)
}
