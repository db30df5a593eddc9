package rules

import (
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
	"github.com/rivet-lsp/rivet/analysis/ownership"
)

// LifecycleMismatchedRelease reports releases with a function that does
// not pair with the acquisition: in one function, in an owner type's Drop,
// and in an AlwaysRefCounted impl's dec_ref.
var LifecycleMismatchedRelease = register(&Rule{
	Code:     "lifecycle-mismatched-release",
	Title:    "A resource released with a function that does not pair with how it was acquired (kmalloc/vfree, get_device/kfree).",
	Severity: Error,
	Lang:     facts.LangRust,
	Run:      runLifecycleMismatchedRelease,
	Doc: `# lifecycle-mismatched-release

A resource released with a function that does not pair with how it was
acquired: ` + "`kmalloc`" + ` memory given to ` + "`vfree`" + `, a ` + "`get_device`" + ` reference
given to ` + "`kfree`" + `.

## What

Where a tracked value (see lifecycle-leak) is released, the release function
must be one of those the lifecycle knowledge pairs with the acquiring
function: ` + "`kfree`" + `, ` + "`kvfree`" + ` or ` + "`kfree_sensitive`" + ` for ` + "`kmalloc`" + `; ` + "`vfree`" + ` or
` + "`kvfree`" + ` for ` + "`vmalloc`" + `; ` + "`put_device`" + ` for ` + "`get_device`" + `. The same check runs
where the acquire and the release are split across a type:

- an owner type's ` + "`Drop`" + ` releasing a field with a function that does not
  pair with what the constructor stored there;
- an ` + "`unsafe impl AlwaysRefCounted`" + ` whose ` + "`dec_ref`" + ` releases with a
  function that does not pair with what ` + "`inc_ref`" + ` takes.

The report sits on the release call; related information points at the
acquisition and at where the pair is defined (the ` + "`DEFINE_FREE`" + `, the
` + "`AlwaysRefCounted`" + ` impl, the naming convention).

## Why

Allocators keep their own books: ` + "`vfree`" + ` of ` + "`kmalloc`" + ` memory corrupts the
vmalloc area, ` + "`kfree`" + ` of a device frees it under every other holder of a
reference. C code gets these from the same header and usually pairs them by
habit; Rust code calling through ` + "`bindings::`" + ` has nothing to remind it.

## Example

` + "```rust" + `
// SAFETY: kmalloc has no preconditions.
let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
// ...
// SAFETY: ` + "`buf`" + ` is not used after this.
unsafe { bindings::vfree(buf) }; // reported: kmalloc memory is freed by kfree
` + "```" + `

## Fix

Release with a function of the acquiring family:

` + "```rust" + `
// SAFETY: ` + "`buf`" + ` came from kmalloc and is not used after this.
unsafe { bindings::kfree(buf) };
` + "```" + `

## Silence

Put ` + "`// rivet:allow(lifecycle-mismatched-release)`" + ` on the release line or
the line above, or set ` + "`lifecycle-mismatched-release = \"off\"`" + ` under
` + "`[rules]`" + ` in .rivet.toml. A release rivet does not know pairs can be added
in the ` + "`[lifecycle]`" + ` section.
`,
})

func runLifecycleMismatchedRelease(p *Pass) {
	kb := knowledge(p)
	j := newJudge(p)
	f := ownershipOf(p)
	for _, fn := range f.Fns {
		for _, r := range fn.Releases {
			if r.Res.Kind != ownership.Value || r.Res.Devm || !r.Prior.Has(ownership.Owned) || !mismatched(j, r.Res.Func, r.Func) {
				continue
			}
			d := p.Report(callName(p, r.Call), "%s is released with %s(), which does not release it: use %s", what(kb, r.Res.Func), r.Func, releasesOf(kb, r.Res.Func))
			d.Related = append(d.Related, p.here(r.Res.Call, "acquired here by %s()", r.Res.Func))
			d.Related = append(d.Related, pairRelated(kb, r.Res.Func)...)
			d.Related = append(d.Related, releaseRelated(kb, r.Func)...)
		}
	}
	for _, o := range f.Owners {
		rel, _ := ownerVerdict(j, o)
		if rel == nil {
			continue
		}
		s := o.Store
		d := p.Report(callName(p, rel.Span), "the Drop of %s releases field `%s` with %s(), but the field holds %s (in %s), which %s releases",
			s.Type, s.Field, rel.Func, what(kb, s.Res.Func), fnName(o.Ctor), releasesOf(kb, s.Res.Func))
		d.Related = append(d.Related, p.here(s.Res.Call, "acquired here by %s()", s.Res.Func), p.here(s.Site, "stored in %s.%s here", s.Type, s.Field))
		d.Related = append(d.Related, pairRelated(kb, s.Res.Func)...)
	}
	for _, rc := range f.RefCounts {
		reportRefCountMismatch(p, j, rc)
	}
}

// mismatched reports whether release is known not to release what acquire
// acquires (see fitMismatch).
func mismatched(j *judge, acquire, release string) bool {
	return j.fit(acquire, release) == fitMismatch
}

// ownerVerdict judges an owner type's Drop against what its constructor
// stored: the Drop release that mismatches it, or whether nothing in Drop
// releases it (a leak). A release that fits, or one rivet cannot judge,
// settles it.
func ownerVerdict(j *judge, o ownership.Owner) (mismatch *ownership.Call, leak bool) {
	for _, r := range o.Releases {
		switch j.fit(o.Store.Res.Func, r.Func) {
		case fitPairs, fitSameObject, fitUnknown:
			return nil, false
		}
	}
	for i, r := range o.Releases {
		if j.fit(o.Store.Res.Func, r.Func) == fitMismatch {
			return &o.Releases[i], false
		}
	}
	return nil, !o.Handled && j.knows(o.Store.Res.Func)
}

// reportRefCountMismatch reports a dec_ref release that pairs with none of
// inc_ref's acquires.
func reportRefCountMismatch(p *Pass, j *judge, rc ownership.RefCount) {
	kb := knowledge(p)
	var inc *ownership.Call
	for i := range rc.Inc {
		if j.knows(rc.Inc[i].Func) {
			inc = &rc.Inc[i]
			break
		}
	}
	if inc == nil {
		return
	}
	for _, dec := range rc.Dec {
		if !mismatched(j, inc.Func, dec.Func) {
			continue
		}
		d := p.Report(callName(p, dec.Span), "dec_ref of %s releases with %s(), but inc_ref takes the reference with %s(), which %s releases",
			rc.Type, dec.Func, inc.Func, releasesOf(kb, inc.Func))
		d.Related = append(d.Related, p.here(inc.Span, "inc_ref takes the reference here"))
		d.Related = append(d.Related, pairRelated(kb, inc.Func)...)
	}
}

// releaseRelated points at where release's own pairs come from.
func releaseRelated(kb *lifecycle.KB, release string) []Related {
	e := kb.Effect(release)
	for _, pr := range e.Releases {
		if r := sourceRelated(pr.Source, release+" releases what "+pr.Acquire+" acquires"); r != nil {
			return r
		}
	}
	return nil
}

// fnName names a function for a message: "PreparedClk::new", "a closure".
func fnName(fn *ownership.Fn) string {
	switch {
	case fn.Name == "":
		return "a closure"
	case fn.Type != "":
		return fn.Type + "::" + fn.Name
	}
	return fn.Name
}
