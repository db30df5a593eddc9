package rustfacts

import "github.com/rivet-lsp/rivet/analysis/facts"

// RefCountPair is what one `unsafe impl AlwaysRefCounted for T` says
// about T's C reference count: the bindgen functions its inc_ref and
// dec_ref call. Inc or Dec is "" when the method calls no binding (the
// count lives on the Rust side, or the call is hidden in a helper).
type RefCountPair struct {
	Type     string     // the impl's self type, last segment without generics: "Device"
	Impl     int        // index into Rust.Impls
	Inc, Dec string     // bindgen names: "get_device", "put_device"
	IncSpan  facts.Span // the name in the inc_ref call, empty when Inc is ""
	DecSpan  facts.Span // the name in the dec_ref call, empty when Dec is ""
}

// AlwaysRefCountedPairs returns the C get/put pair of every
// AlwaysRefCounted impl of a file, in impl order. The pair is the first
// bindings call in each method: inc_ref and dec_ref do nothing else in
// the kernel's impls.
func AlwaysRefCountedPairs(r *facts.Rust) []RefCountPair {
	var out []RefCountPair
	for i := range r.Impls {
		im := &r.Impls[i]
		if im.TraitName() != "AlwaysRefCounted" {
			continue
		}
		p := RefCountPair{Type: im.TargetName, Impl: i}
		for _, fi := range im.Fns {
			switch r.Fns[fi].Name {
			case "inc_ref":
				p.Inc, p.IncSpan = firstBindingCall(r, fi)
			case "dec_ref":
				p.Dec, p.DecSpan = firstBindingCall(r, fi)
			}
		}
		out = append(out, p)
	}
	return out
}

func firstBindingCall(r *facts.Rust, fn int) (string, facts.Span) {
	for _, ref := range r.BindingRefs {
		if ref.Fn == fn && ref.Kind == facts.RefCall {
			return ref.Name, ref.Span
		}
	}
	return "", facts.Span{}
}
