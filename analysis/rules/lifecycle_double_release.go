package rules

import (
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/ownership"
)

// LifecycleDoubleRelease reports a release of what some path already
// released or handed to an owner that releases it.
var LifecycleDoubleRelease = register(&Rule{
	Code:     "lifecycle-double-release",
	Title:    "A release on a path where the object was already released or handed to an owner that releases it.",
	Severity: Error,
	Lang:     facts.LangRust,
	Run:      runLifecycleDoubleRelease,
	Doc: `# lifecycle-double-release

A release on a path where the object was already released, or already
handed to an owner that releases it.

## What

rivet follows each value a ` + "`bindings::`" + ` call acquires (see lifecycle-leak)
and reports a release call when, on some path reaching it,

- the value was released already (a ` + "`kfree`" + ` on an error branch that does
  not return, then the common ` + "`kfree`" + `), or
- the value was given to an owner that releases it when dropped:
  ` + "`ARef::from_raw`" + `, ` + "`KBox::from_raw`" + `, a field of ` + "`Self`" + ` whose ` + "`Drop`" + `
  releases it.

The report sits on the second release; related information points at the
first release or the owner.

## Why

A second ` + "`put_device`" + ` drops a reference someone else holds; a second
` + "`kfree`" + ` corrupts the allocator. Both often go unnoticed until another
thread allocates the same memory. The owner case is the Rust-specific one:
after ` + "`ARef::from_raw(raw)`" + ` the ` + "`ARef`" + ` puts the reference when dropped,
so a ` + "`put_device(raw)`" + ` by hand puts it twice.

## Example

` + "```rust" + `
// SAFETY: ` + "`dev`" + ` is valid.
let raw = unsafe { bindings::get_device(dev.as_raw()) };
// SAFETY: get_device returned a new reference, which the ARef takes over.
let owned = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast::<Device>())) };
// SAFETY: ` + "`raw`" + ` is still valid.
unsafe { bindings::put_device(raw) }; // reported: the ARef puts it again
` + "```" + `

## Fix

Release once: drop the manual release and let the owner do it, or return
after releasing on the error path.

## Silence

Put ` + "`// rivet:allow(lifecycle-double-release)`" + ` on the release line or the
line above, or set ` + "`lifecycle-double-release = \"off\"`" + ` under ` + "`[rules]`" + ` in
.rivet.toml.
`,
})

func runLifecycleDoubleRelease(p *Pass) {
	kb := knowledge(p)
	for _, fn := range ownershipOf(p).Fns {
		for _, r := range fn.Releases {
			if r.Res.Kind != ownership.Value {
				continue
			}
			switch {
			case r.Prior.Has(ownership.Released):
				d := p.Report(callName(p, r.Call), "%s is released a second time by %s(): a path through line %d released it already",
					what(kb, r.Res.Func), r.Func, p.lineOf(r.PrevRelease.Start))
				d.Related = append(d.Related, p.here(r.PrevRelease, "first released here"), p.here(r.Res.Call, "acquired here by %s()", r.Res.Func))
			case r.Prior.Has(ownership.HandedToOwner):
				d := p.Report(callName(p, r.Call), "%s() releases %s, but %s took it over at line %d and releases it again when dropped",
					r.Func, what(kb, r.Res.Func), r.OwnerDesc, p.lineOf(r.Owner.Start))
				d.Related = append(d.Related, p.here(r.Owner, "ownership passes to %s here", r.OwnerDesc), p.here(r.Res.Call, "acquired here by %s()", r.Res.Func))
			}
		}
	}
}
