package rules

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
	"github.com/rivet-lsp/rivet/analysis/ownership"
)

// LifecycleReleaseBorrowed reports releases of what the function does not
// own: a borrowed pointer, a field of one, or devm memory.
var LifecycleReleaseBorrowed = register(&Rule{
	Code:     "lifecycle-release-borrowed",
	Title:    "Releasing what the code does not own: a borrowed pointer, a devm_ allocation, a `&T`.",
	Severity: Error,
	Lang:     facts.LangRust,
	Run:      runLifecycleReleaseBorrowed,
	Doc: `# lifecycle-release-borrowed

Releasing what the code does not own: a ` + "`&T`" + ` it was lent, a field of a
value it borrows, a pointer a C function lends (` + "`dev_get_drvdata`" + `), or
devm_ memory.

## What

rivet reports a release call (` + "`put_device`" + `, ` + "`kfree`" + `, ...) whose argument is

- derived from a ` + "`&T`" + ` parameter or ` + "`&self`" + ` (` + "`dev.as_raw()`" + `,
  ` + "`self.0.get()`" + `), or read from a field of one (` + "`self.buf`" + `): the function
  borrows it, the reference or memory belongs to someone else;
- a pointer returned by a C function the lifecycle knowledge marks as
  borrowing (` + "`dev_get_drvdata`" + `);
- a devm_ allocation released with anything but its own early release
  (` + "`devm_kfree`" + `): the device core frees it when the device unbinds.

A raw pointer parameter is not reported: its ownership may pass to the
callee under the function's ` + "`# Safety`" + ` contract (` + "`AlwaysRefCounted::dec_ref`" + `
takes a ` + "`NonNull<Self>`" + ` it must drop).

## Why

Dropping a reference the caller still counts on frees the object under the
caller's feet, and the caller's own release later becomes a double free.
devm memory freed by hand is freed again by devres when the driver unbinds.

## Example

` + "```rust" + `
pub fn put_borrowed(dev: &Device) {
    // SAFETY: ` + "`dev`" + ` is valid.
    unsafe { bindings::put_device(dev.as_raw()) }; // reported: the caller owns this reference
}
` + "```" + `

## Fix

Take a reference of your own first (` + "`ARef::from(dev)`" + `, or ` + "`get_device`" + `
paired with ` + "`put_device`" + `), or let the owner release it. Free devm memory
early with ` + "`devm_kfree`" + `, or leave it to devres.

## Silence

Put ` + "`// rivet:allow(lifecycle-release-borrowed)`" + ` on the release line or
the line above, or set ` + "`lifecycle-release-borrowed = \"off\"`" + ` under ` + "`[rules]`" + `
in .rivet.toml.
`,
})

func runLifecycleReleaseBorrowed(p *Pass) {
	kb := knowledge(p)
	j := newJudge(p)
	for _, fn := range ownershipOf(p).Fns {
		for _, r := range fn.Releases {
			switch {
			case r.Res.Kind == ownership.Borrowed && r.Prior.Has(ownership.Owned) && j.releasesObjects(r.Func):
				d := p.Report(callName(p, r.Call), "%s() releases %s, which this function borrows: the reference stays its owner's to drop", r.Func, r.Res.Desc)
				if r.Res.Func != "" {
					d.Related = append(d.Related, p.here(r.Res.Call, "borrowed from %s() here", r.Res.Func))
					d.Related = append(d.Related, borrowedRelated(kb, r.Res.Func)...)
				} else {
					d.Related = append(d.Related, p.here(r.Res.Call, "borrowed here"))
				}
			case r.Res.Kind == ownership.Value && r.Res.Devm && r.Prior.Has(ownership.Owned) && !devmRelease(j, r.Res.Func, r.Func):
				early := releasesOf(kb, r.Res.Func)
				if early == "" {
					early = "its devm_ release function"
				}
				d := p.Report(callName(p, r.Call), "%s() frees the device-managed memory %s() returned, which the driver core frees again when the device unbinds: free it early with %s, or leave it to devres", r.Func, r.Res.Func, early)
				d.Related = append(d.Related, p.here(r.Res.Call, "allocated here by %s()", r.Res.Func))
				d.Related = append(d.Related, borrowedRelated(kb, r.Res.Func)...)
			}
		}
	}
}

// borrowedRelated points at why a C function's result is borrowed.
func borrowedRelated(kb *lifecycle.KB, fn string) []Related {
	for _, s := range kb.Effect(fn).Sources {
		if r := sourceRelated(s, ""); r != nil {
			return r
		}
	}
	return nil
}

// devmRelease reports whether release is how devm memory from acquire is
// given back early: a pair says so, or it is a devm_ function itself
// (devm_kfree, devm_free_irq).
func devmRelease(j *judge, acquire, release string) bool {
	return j.fit(acquire, release) == fitPairs || strings.HasPrefix(release, "devm_")
}
