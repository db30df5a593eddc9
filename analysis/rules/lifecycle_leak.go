package rules

import (
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/ownership"
)

// LifecycleLeak reports references and allocations acquired from C that
// some path out of a Rust function neither releases nor hands to an owner,
// and owner types whose Drop never releases what their constructor stored.
var LifecycleLeak = register(&Rule{
	Code:     "lifecycle-leak",
	Title:    "A reference or allocation acquired from C that reaches no release, owner, return or consuming call on some path.",
	Severity: Warning,
	Lang:     facts.LangRust,
	Run:      runLifecycleLeak,
	Doc: `# lifecycle-leak

A reference or allocation a C function returned reaches no release, owner,
return or consuming call on some path out of the Rust function.

## What

rivet follows each value a ` + "`bindings::`" + ` call acquires — a reference
(` + "`get_device`" + `, ` + "`clk_get`" + `), memory (` + "`kmalloc`" + `, ` + "`vmalloc`" + `) or another resource
the lifecycle knowledge pairs with a release — through the function: its
locals, casts, ` + "`NonNull::new`" + `, ` + "`from_err_ptr`" + `, branches, matches and loops.
On every way out (` + "`return`" + `, ` + "`?`" + `, the end of the function) the value must
have been released (` + "`put_device`" + `, ` + "`kfree`" + `), handed to an owner
(` + "`ARef::from_raw`" + `, ` + "`KBox::from_raw`" + `, a field of ` + "`Self`" + `), returned, or passed
to a function that takes it. A path that leaves with the value still held
is reported on the line that acquired it.

Owner types are checked too: when a constructor stores what C returned in a
field of ` + "`Self`" + `, the type's ` + "`Drop`" + ` must release that field; a ` + "`Drop`" + ` that
never does (or a type without ` + "`Drop`" + `) is reported on the acquiring line.

The error path of the acquisition itself is not a leak: after
` + "`if p.is_null() { return ... }`" + `, ` + "`from_err_ptr(...)?`" + ` or a ` + "`None`" + `/` + "`Err`" + ` arm,
nothing was acquired. Values given to an unknown function, a closure or a
macro are no longer followed, and devm_ allocations are never leaks.

## Why

A leaked reference keeps a C object alive forever (a device that can never
be released, a clock that can never be put); leaked memory is gone until
reboot. In Rust the early ` + "`?`" + ` is the usual culprit: it returns before the
code that gives the reference back, and nothing in the type system knows
that a raw pointer from C carried a reference.

## Example

` + "```rust" + `
pub fn probe(dev: &Device) -> Result {
    // SAFETY: ` + "`dev`" + ` is valid.
    let raw = unsafe { bindings::get_device(dev.as_raw()) }; // reported
    check(dev)?; // returns with the reference held
    // SAFETY: ` + "`raw`" + ` holds the reference taken above.
    unsafe { bindings::put_device(raw) };
    Ok(())
}
` + "```" + `

## Fix

Give the reference to an owner as soon as it is taken, so every path drops
it:

` + "```rust" + `
pub fn probe(dev: &Device) -> Result {
    // SAFETY: ` + "`dev`" + ` is valid.
    let raw = unsafe { bindings::get_device(dev.as_raw()) };
    // SAFETY: get_device returned a new reference to ` + "`dev`" + `.
    let dev = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast::<Device>())) };
    check(&dev)?;
    Ok(())
}
` + "```" + `

or release it on the early path before returning.

## Silence

Put ` + "`// rivet:allow(lifecycle-leak)`" + ` on the acquiring line or the line
above, or set ` + "`lifecycle-leak = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
A pair rivet does not know can be taught in the ` + "`[lifecycle]`" + ` section.
`,
})

func runLifecycleLeak(p *Pass) {
	kb := knowledge(p)
	f := ownershipOf(p)
	for _, fn := range f.Fns {
		for _, l := range fn.Leaks {
			d := p.Report(callName(p, l.Res.Call), "%s is still held when %s: %s", what(kb, l.Res.Func), exitPhrase(p, l.Exit), leakAdvice(p, l.Res.Func))
			d.Related = append(d.Related, p.here(l.Exit.Span, "leaves here without releasing what %s() returned", l.Res.Func))
			d.Related = append(d.Related, pairRelated(kb, l.Res.Func)...)
		}
	}
	j := newJudge(p)
	for _, o := range f.Owners {
		if _, leak := ownerVerdict(j, o); leak {
			reportOwnerLeak(p, o)
		}
	}
}

// leakAdvice says how to give back what acquire returned.
func leakAdvice(p *Pass, acquire string) string {
	if rel := releasesOf(knowledge(p), acquire); rel != "" {
		return "release it with " + rel + " on that path, or hand it to an owner (ARef::from_raw, a field of Self) before it"
	}
	return "release it on that path, or hand it to an owner (ARef::from_raw, a field of Self) before it"
}

// reportOwnerLeak reports an owner type whose Drop (or lack of one) never
// releases the field a constructor stored a C resource in.
func reportOwnerLeak(p *Pass, o ownership.Owner) {
	kb := knowledge(p)
	s := o.Store
	rel := releasesOf(kb, s.Res.Func)
	if rel == "" {
		rel = "its release function"
	}
	if o.Drop.Empty() {
		d := p.Report(callName(p, s.Res.Call), "%s is stored in field `%s` of %s, which has no Drop impl to release it: add one that calls %s", what(kb, s.Res.Func), s.Field, s.Type, rel)
		d.Related = append(d.Related, p.here(s.Site, "stored in %s.%s here", s.Type, s.Field))
		d.Related = append(d.Related, pairRelated(kb, s.Res.Func)...)
		return
	}
	d := p.Report(callName(p, s.Res.Call), "%s is stored in field `%s` of %s, but the Drop of %s never releases that field: call %s on self.%s there", what(kb, s.Res.Func), s.Field, s.Type, s.Type, rel, s.Field)
	d.Related = append(d.Related, p.here(s.Site, "stored in %s.%s here", s.Type, s.Field), p.here(o.Drop, "Drop of %s", s.Type))
	d.Related = append(d.Related, pairRelated(kb, s.Res.Func)...)
}
