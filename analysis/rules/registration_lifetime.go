package rules

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
)

// RegistrationLifetime reports pointers to memory that may move or die
// passed to C functions that keep them.
var RegistrationLifetime = register(&Rule{
	Code:     "registration-lifetime",
	Title:    "A pointer to a value that may move or die (a stack local, an unpinned value) passed to a C function that keeps it.",
	Severity: Error,
	Lang:     facts.LangRust,
	Run:      runRegistrationLifetime,
	Doc: `# registration-lifetime

A pointer to a value that may move or die — a stack local, a by-value
parameter, a field of a ` + "`self`" + ` that is not pinned — passed to a C function
that keeps it beyond the call.

## What

The lifecycle knowledge says which C functions keep a pointer argument:
their body stores it in a global, a list or another object
(` + "`misc_register`" + `, ` + "`clk_add`" + `, ` + "`register_*`" + ` functions). rivet reports a call
of one whose kept argument is the address of

- a local variable or by-value parameter (` + "`&mut misc`" + `,
  ` + "`addr_of_mut!(misc)`" + `, ` + "`ptr::from_mut(&mut misc)`" + `), which dies when the
  function returns;
- a field of ` + "`self`" + ` taken as ` + "`&mut self`" + ` or by value: the value is not
  pinned, so it may move after the call and leave C with a dangling
  pointer.

Statics, heap allocations (` + "`KBox`" + `), pinned values (` + "`self: Pin<&mut Self>`" + `)
and pointers obtained from ` + "`Opaque::get()`" + ` are not reported.

## Why

C keeps the pointer in a list and dereferences it later — on the next open
of a misc device, on the next clock lookup — long after the Rust frame is
gone or the value moved. The result is a use-after-free far from its cause.
The kernel crate's registration types are pinned (` + "`#[pin_data]`" + `,
` + "`Opaque`" + `) for exactly this reason.

## Example

` + "```rust" + `
pub fn register_on_stack() -> Result {
    // SAFETY: all-zero is a valid, unregistered miscdevice.
    let mut misc: bindings::miscdevice = unsafe { core::mem::zeroed() };
    // SAFETY: ` + "`misc`" + ` is initialised.
    to_result(unsafe { bindings::misc_register(&mut misc) }) // reported
}
` + "```" + `

## Fix

Register memory that stays put for as long as the registration: a
` + "`static`" + `, a pinned allocation (` + "`KBox::pin_init`" + `, a ` + "`#[pin_data]`" + ` struct with
an ` + "`Opaque`" + ` field), or use the kernel crate's registration abstraction
(` + "`MiscDeviceRegistration`" + `), which is pinned and unregisters on drop.

## Silence

Put ` + "`// rivet:allow(registration-lifetime)`" + ` on the call's line or the line
above, or set ` + "`registration-lifetime = \"off\"`" + ` under ` + "`[rules]`" + ` in
.rivet.toml.
`,
})

func runRegistrationLifetime(p *Pass) {
	kb := knowledge(p)
	for _, fn := range ownershipOf(p).Fns {
		for _, k := range fn.Keeps {
			d := p.Report(callName(p, k.Call), "%s() keeps its argument beyond the call, but is given a pointer to %s: register memory that stays put (a static, a pinned allocation)", k.Func, k.What)
			d.Related = append(d.Related, p.here(k.Decl, "declared here"))
			d.Related = append(d.Related, keepRelated(kb, k.Func)...)
		}
	}
}

// keepRelated points at the evidence that fn keeps its argument.
func keepRelated(kb *lifecycle.KB, fn string) []Related {
	for _, s := range kb.Effect(fn).Sources {
		// The C body evidence: "stores argument 1 in a list".
		if s.Kind == lifecycle.CBody && strings.Contains(s.Desc, "stores") {
			if r := sourceRelated(s, fn+" keeps its argument"); r != nil {
				return r
			}
		}
	}
	return nil
}
