package rules

import (
	"fmt"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/ctype"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// ReprCMissing reports Rust structs and enums that cross the FFI boundary
// without a representation C can rely on.
var ReprCMissing = register(&Rule{
	Code:     "repr-c-missing",
	Title:    "A Rust struct or enum passed across FFI by value or by a pointer C dereferences, without `#[repr(C)]` or `#[repr(transparent)]`.",
	Severity: Error,
	Lang:     facts.LangRust,
	Run:      runReprCMissing,
	Doc: `# repr-c-missing

A Rust struct or enum that crosses the FFI boundary by value, or by a
pointer C dereferences, without ` + "`#[repr(C)]`" + `, ` + "`#[repr(transparent)]`" + ` or (for a
field-less enum) an integer representation such as ` + "`#[repr(u8)]`" + `.

## What

A Rust type crosses the boundary when it is:

- a parameter or the result of an ` + "`extern \"C\"`" + ` block item or of an
  ` + "`extern \"C\" fn`" + ` (an export, a callback) — by value always, by pointer or
  reference when the C prototype says the pointer is to a struct (C reads
  the fields), not when it says ` + "`void *`" + `;
- cast to a pointer (` + "`&mut x as *mut Stats as *mut bindings::stats`" + `) and passed
  to a ` + "`bindings::`" + ` function whose parameter is a C struct pointer;
- a field, by value, of a ` + "`#[repr(C)]`" + ` struct that crosses.

Pointers C only carries around — the ` + "`void *data`" + ` of a callback, a cookie —
are fine whatever they point to: C never looks inside. ` + "`#[repr(transparent)]`" + `
wrappers are fine: they have their field's layout. Types wrapped in
` + "`Opaque<T>`" + ` are C types already.

## Why

Without ` + "`#[repr(C)]`" + ` Rust chooses the order, padding and size of a struct's
fields, and the size of an enum's discriminant, and may change them from
one compiler version to the next. C code reading such a struct through the
header's declaration reads the wrong offsets: silent corruption, in kernel
memory. rustc's ` + "`improper_ctypes`" + ` lint sees only by-value uses in one
declaration; rivet also sees the C side and follows pointers C
dereferences.

## Example

` + "```rust" + `
pub struct DemoStats {
    pub events: u64,
    pub bytes: u64,
}

#[no_mangle]
pub unsafe extern "C" fn demo_read_stats(stats: *mut DemoStats) -> c_int { // reported
    // C declares: int demo_read_stats(struct demo_stats *stats);
    0
}
` + "```" + `

## Fix

` + "```rust" + `
#[repr(C)]
pub struct DemoStats {
    pub events: u64,
    pub bytes: u64,
}
` + "```" + `

The quick fix adds ` + "`#[repr(C)]`" + ` above the type, in whichever file declares
it. Keep the fields in the order of the C struct.

## Silence

Put ` + "`// rivet:allow(repr-c-missing)`" + ` on the line or the line above, or set
` + "`repr-c-missing = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
`,
})

func runReprCMissing(p *Pass) {
	r := p.File.Rust
	if r == nil {
		return
	}
	rc := &reprCheck{p: p, res: ctype.NewResolver(p.Snap, ctype.ModelFor(p.Config.Target, p.Snap.Kernel() != nil))}
	for i := range r.Fns {
		rc.checkFn(&r.Fns[i])
	}
	rc.checkCasts()
}

// reprCheck is one pass of the rule.
type reprCheck struct {
	p   *Pass
	res *ctype.Resolver
}

// reprCrossing is a Rust type without a C layout found where it crosses.
type reprCrossing struct {
	item *ctype.RustItem
	// via is the #[repr(C)] struct and field it crosses inside, if any.
	via      *ctype.RustItem
	viaField string
	pointer  bool
}

// checkFn checks the parameters and result of an extern "C" fn or extern
// block item.
func (rc *reprCheck) checkFn(fn *facts.RFn) {
	r := rc.p.File.Rust
	dir, linked := sigDirection(r, fn)
	if !linked && (fn.ABI != "C" || fn.BodySpan.Empty()) {
		return // not FFI: a Rust-ABI function, or a foreign item of another ABI
	}
	var proto *sigProto
	if linked {
		if protos := sigPrototypes(rc.p.Snap, fn.Symbol(), dir); len(protos) > 0 {
			proto = &protos[0]
		}
	}
	ctx := ctype.ContextOf(rc.p.File.Path, r, fn)
	reported := map[*facts.RType]bool{}
	check := func(rt ctype.Type, ct *ctype.Type, what string) {
		for _, c := range rc.crossings(rt, ct) {
			if reported[c.item.Type] {
				continue
			}
			reported[c.item.Type] = true
			rc.report(fn.NameSpan, c, fmt.Sprintf("%s of %s", what, fn.Name), proto)
		}
	}
	for i, prm := range fn.Params {
		rt := rc.res.Rust(prm.Type, ctx)
		var ct *ctype.Type
		if proto != nil && i < len(proto.fn.Params) {
			t := rc.res.CParam(&proto.fn.Params[i].Type)
			ct = &t
		}
		check(rt, ct, fmt.Sprintf("parameter %s", prm.Name))
	}
	if fn.Ret != "" {
		var ct *ctype.Type
		if proto != nil {
			t := rc.res.C(&proto.fn.Return)
			ct = &t
		}
		check(rc.res.Rust(fn.Ret, ctx), ct, "the result")
	}
}

// crossings walks a Rust type and, in step, the C type it stands for (nil
// when C's view is unknown), and returns the Rust types without a C
// layout that C sees: by value always, behind pointers only where C's
// type is a struct it dereferences.
func (rc *reprCheck) crossings(rt ctype.Type, ct *ctype.Type) []reprCrossing {
	var out []reprCrossing
	var walk func(rt ctype.Type, ct *ctype.Type, pointer bool, depth int)
	walk = func(rt ctype.Type, ct *ctype.Type, pointer bool, depth int) {
		if depth > 8 {
			return
		}
		switch rt.Kind {
		case ctype.Pointer:
			if rt.Elem == nil {
				return
			}
			var ce *ctype.Type
			if ct != nil && ct.Kind == ctype.Pointer {
				ce = ct.Elem
			}
			walk(*rt.Elem, ce, true, depth+1)
		case ctype.Array:
			if rt.Elem != nil {
				var ce *ctype.Type
				if ct != nil && ct.Kind == ctype.Array {
					ce = ct.Elem
				}
				walk(*rt.Elem, ce, pointer, depth+1)
			}
		case ctype.Record:
			if rt.Def == nil {
				return
			}
			if pointer && !(ct != nil && ct.Kind == ctype.Record && !ct.Rust && !ct.Opaque) {
				return // C does not look inside: void *, unknown, or no prototype
			}
			if !reprCLayout(rt.Def.Type) {
				out = append(out, reprCrossing{item: rt.Def, pointer: pointer})
				return
			}
			out = append(out, rc.fieldCrossings(rt.Def, map[*facts.RType]bool{}, depth)...)
		}
	}
	walk(rt, ct, false, 0)
	return out
}

// fieldCrossings returns the by-value fields of a #[repr(C)] Rust struct
// (recursively) whose types have no C layout.
func (rc *reprCheck) fieldCrossings(s *ctype.RustItem, seen map[*facts.RType]bool, depth int) []reprCrossing {
	if seen[s.Type] || depth > 8 || s.Type.Kind == "enum" {
		return nil
	}
	seen[s.Type] = true
	ctx := ctype.RustContext{Path: s.Path, File: s.File}
	var out []reprCrossing
	for _, f := range s.Type.Fields {
		ft := rc.res.Rust(f.Type, ctx)
		for ft.Kind == ctype.Array && ft.Elem != nil {
			ft = *ft.Elem
		}
		if ft.Kind != ctype.Record || ft.Def == nil {
			continue
		}
		if !reprCLayout(ft.Def.Type) {
			out = append(out, reprCrossing{item: ft.Def, via: s, viaField: f.Name})
			continue
		}
		out = append(out, rc.fieldCrossings(ft.Def, seen, depth+1)...)
	}
	return out
}

// reprCLayout reports whether a Rust type's representation is one C can
// rely on.
func reprCLayout(t *facts.RType) bool {
	for _, a := range t.Repr {
		switch a {
		case "C", "transparent":
			return true
		case "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize":
			if t.Kind == "enum" {
				return true
			}
		}
	}
	return false
}

// report reports a crossing at span; where says how the type crosses
// ("parameter stats of demo_read_stats").
func (rc *reprCheck) report(span facts.Span, c reprCrossing, where string, proto *sigProto) {
	p := rc.p
	it := c.item.Type
	how := "by value"
	if c.pointer {
		how = "by pointer"
	}
	if c.via != nil {
		how = fmt.Sprintf("as field %s of #[repr(C)] %s", c.viaField, c.via.Type.Name)
	}
	side := ""
	if proto != nil {
		side = fmt.Sprintf(" (C declares %s, %s:%d)", sigC(proto.fn), sigRelPath(p.Snap.Kernel(), p.File.Path, proto.decl.File.Path), proto.decl.Decl.Line+1)
	}
	why := "Rust may reorder and pad its fields, so C reads them at the wrong offsets"
	if it.Kind == "enum" {
		why = "Rust chooses the size of its discriminant, so C reads the wrong bytes"
	}
	d := p.Report(span, "%s %s crosses the FFI boundary %s in %s%s but has no #[repr(C)]: %s",
		it.Kind, it.Name, how, where, side, why)
	d.Related = append(d.Related, Related{Path: c.item.Path, Span: it.NameSpan, Message: fmt.Sprintf("%s %s is declared here without #[repr(C)]", it.Kind, it.Name)})
	if proto != nil {
		loc := link.DeclLoc(proto.decl)
		d.Related = append(d.Related, Related{Path: loc.Path, Span: loc.Span, Message: "the C prototype: " + sigC(proto.fn)})
	}
	if fix, ok := rc.reprFix(c.item); ok {
		d.Fixes = append(d.Fixes, fix)
	}
}

// reprFix adds #[repr(C)] on a line of its own above the item, with the
// item's indentation, in whichever file declares it. When that file's
// text is not the one indexed, the attribute goes before the item on its
// line instead.
func (rc *reprCheck) reprFix(item *ctype.RustItem) (Fix, bool) {
	title := "Add #[repr(C)] to " + item.Type.Name
	src := rc.itemSource(item.Path)
	if src == nil {
		at := item.Type.Span.Start
		return Fix{Title: title, Edits: []Edit{{Path: item.Path, Span: facts.Span{Start: at, End: at}, NewText: "#[repr(C)] "}}}, true
	}
	if int(item.Type.Span.Start) > len(src) {
		return Fix{}, false
	}
	fix := insertLineAbove(item.Path, src, item.Type.Span.Start, "#[repr(C)]", title)
	return fix, true
}

// itemSource returns the text of the Rust file at path when it is the
// text the index holds, or nil.
func (rc *reprCheck) itemSource(path string) []byte {
	if path == rc.p.File.Path {
		return rc.p.Src
	}
	f := rc.p.Snap.File(path)
	if f == nil || f.Open {
		return nil
	}
	src, err := index.ReadDisk(path)
	if err != nil || index.Hash(src) != f.Hash {
		return nil
	}
	return src
}

// checkCasts finds arguments of bindings:: calls (from the file's call
// facts, so the tree is not walked whole) cast to a pointer to a Rust type (`&mut x as *mut Stats as *mut bindings::stats`) where the C
// parameter is a struct pointer.
func (rc *reprCheck) checkCasts() {
	p := rc.p
	for _, c := range p.File.Rust.Calls {
		name, ok := reprBindingsCallee(c.Callee)
		if !ok || c.Method || !strings.Contains(p.Text(c.Span), " as *") {
			continue // only explicit pointer casts are looked at
		}
		call := p.Tree.Root().DescendantForByteRange(c.Span.Start, c.Span.End)
		if call.Kind() != ts.RustKindCallExpression {
			continue // a call inside a macro's tokens
		}
		cf := link.BestFunc(p.Snap, name)
		if cf == nil {
			continue
		}
		args := call.Field(ts.RustFieldArguments).NamedChildren()
		for i, arg := range args {
			if i >= len(cf.Params) {
				break
			}
			ct := rc.res.CParam(&cf.Params[i].Type)
			if ct.Kind != ctype.Pointer || ct.Elem == nil || ct.Elem.Kind != ctype.Record {
				continue
			}
			rc.checkCastArg(arg, name, i, ct)
		}
	}
}

// checkCastArg reports a cast inside arg to a pointer to a Rust type
// without a C layout.
func (rc *reprCheck) checkCastArg(arg ts.Node, callee string, i int, ct ctype.Type) {
	p := rc.p
	var found *reprCrossing
	arg.Walk(func(n ts.Node) bool {
		if found != nil {
			return false
		}
		if n.Kind() != ts.RustKindTypeCastExpression {
			return true
		}
		typ := n.Field(ts.RustFieldType)
		if typ.Kind() != ts.RustKindPointerType {
			return true
		}
		fn := reprEnclosingFn(p.File.Rust, n.StartByte())
		rt := rc.res.Rust(typ.Text(), ctype.ContextOf(p.File.Path, p.File.Rust, fn))
		if rt.Kind == ctype.Pointer && rt.Elem != nil && rt.Elem.Kind == ctype.Record && rt.Elem.Def != nil && !reprCLayout(rt.Elem.Def.Type) {
			found = &reprCrossing{item: rt.Elem.Def, pointer: true}
		}
		return true
	})
	if found == nil {
		return
	}
	span := facts.Span{Start: arg.StartByte(), End: arg.EndByte()}
	where := fmt.Sprintf("argument %d of bindings::%s, where C expects %s", i+1, callee, strings.TrimSpace(ct.Text))
	rc.report(span, *found, where, nil)
}

// reprBindingsCallee returns NAME of a `bindings::NAME` callee path.
func reprBindingsCallee(callee string) (string, bool) {
	i := strings.LastIndex(callee, "bindings::")
	if i < 0 || (i > 0 && !strings.HasSuffix(callee[:i], "::")) {
		return "", false
	}
	name := callee[i+len("bindings::"):]
	if name == "" || strings.ContainsAny(name, ":<") {
		return "", false
	}
	return name, true
}

// reprEnclosingFn returns the innermost function of r containing off.
func reprEnclosingFn(r *facts.Rust, off uint32) *facts.RFn {
	var best *facts.RFn
	for i := range r.Fns {
		fn := &r.Fns[i]
		if fn.Span.Contains(off) && (best == nil || best.Span.Covers(fn.Span)) {
			best = fn
		}
	}
	return best
}
