package analysis

import (
	"bytes"
	"context"

	"github.com/rivet-lsp/rivet/analysis/cscan"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
	"github.com/rivet-lsp/rivet/treesitter"
)

// Navigation across the FFI boundary (docs/navigation.md). Every feature
// starts from the name under the cursor, found in the file's facts (Rust)
// or its text (C), and answers with locations on the other side. Names
// that do not cross the boundary get no answer: rust-analyzer and clangd
// own those.

// Location is a place in a file: its path and the byte span of a name
// (or of a line, for a bindgen_parameters rule).
type Location struct {
	Path string
	Span facts.Span
	// Pos, when set, is the span's line and byte columns, known from a
	// scan of the file: a client can be answered without reading the file
	// again (C call sites, thousands for popular functions).
	Pos *LinePos
}

// LinePos places a one-line span: 0-based line, byte columns of its start
// and end, and whether the line is ASCII up to the end (byte columns are
// then UTF-16 columns too).
type LinePos struct {
	Line, Col, EndCol uint32
	ASCII             bool
}

// Definition returns where the FFI name at byte offset off of the file at
// path is implemented:
//
//   - `bindings::NAME` of a C function: its definition (the body), or its
//     prototype when the tree has no body;
//   - of a static inline function or function-like macro wrapped by
//     rust_helper_NAME: the wrapped function or macro first (what the call
//     means), then the helper (where the call lands);
//   - of a constant: the macro or enumerator, then the
//     RUST_CONST_HELPER_NAME line when there is one;
//   - of a type: the struct, union, enum or typedef;
//   - of a blocklisted name: the rust/bindgen_parameters line, then the C
//     declaration bindgen skips;
//   - an item of a Rust `extern "C"` block (its name or a call of it): the
//     C definition, else the prototype;
//   - a C identifier naming a Rust export (#[no_mangle], #[export_name]):
//     the Rust function.
//
// Anything else gives nil.
func (w *Workspace) Definition(ctx context.Context, path string, off uint32) ([]Location, error) {
	return w.navigate(ctx, path, off, definitionOf)
}

// Declaration is Definition preferring declarations: the C prototype (in
// a header) of a function rather than its body, the
// RUST_CONST_HELPER_NAME line of a constant, and from a Rust export's name
// (or a C identifier naming one) the C prototypes.
func (w *Workspace) Declaration(ctx context.Context, path string, off uint32) ([]Location, error) {
	return w.navigate(ctx, path, off, declarationOf)
}

// navigate finds the FFI name at off and hands it to find.
func (w *Workspace) navigate(ctx context.Context, path string, off uint32, find func(*index.Snapshot, ffiName) []Location) ([]Location, error) {
	snap, release := w.Index.Snapshot()
	defer release()
	src, f, err := w.source(ctx, snap, path)
	if err != nil || f == nil {
		return nil, err
	}
	n, ok := ffiAt(snap, f, src, off)
	if !ok {
		return nil, nil
	}
	return dedupLocations(find(snap, n)), nil
}

// ffiSide says where the name under the cursor was found.
type ffiSide uint8

const (
	// sideBinding: a Rust path reaching bindgen name (`bindings::NAME`,
	// a use of it, or a use declaration importing it).
	sideBinding ffiSide = iota + 1
	// sideExport: the name of a Rust fn exported to C.
	sideExport
	// sideExtern: the name of a Rust extern-block item, or a call of it.
	sideExtern
	// sideC: an identifier in C code.
	sideC
)

// ffiName is the name under the cursor and what it is.
type ffiName struct {
	name string     // the bindgen name or C symbol
	span facts.Span // the identifier under the cursor
	side ffiSide
	file *index.File
	fn   int // sideExport, sideExtern: index into file.Rust.Fns; else -1
}

// ffiAt finds the FFI name at off in f, whose text is src. Offsets count
// as inside a name from its first byte up to just after its last one.
func ffiAt(snap *index.Snapshot, f *index.File, src []byte, off uint32) (ffiName, bool) {
	if f.Lang == facts.LangC {
		sp, ok := cscan.IdentAt(src, int(off))
		if !ok {
			return ffiName{}, false
		}
		return ffiName{name: string(src[sp.Start:sp.End]), span: sp, side: sideC, file: f, fn: -1}, true
	}
	r := f.Rust
	if r == nil {
		return ffiName{}, false
	}
	for i := range r.BindingRefs {
		ref := &r.BindingRefs[i]
		if within(ref.Span, off) {
			return ffiName{name: ref.Name, span: ref.Span, side: sideBinding, file: f, fn: -1}, true
		}
	}
	for i := range r.Fns {
		fn := &r.Fns[i]
		if !within(fn.NameSpan, off) || fn.Symbol() == "" {
			continue
		}
		side := sideExport
		if fn.ExternBlock >= 0 {
			side = sideExtern
		}
		return ffiName{name: fn.Symbol(), span: fn.NameSpan, side: side, file: f, fn: i}, true
	}
	if i, sp, ok := externCallAt(r, src, off); ok {
		return ffiName{name: r.Fns[i].Symbol(), span: sp, side: sideExtern, file: f, fn: i}, true
	}
	return ffiName{}, false
}

// within reports whether off is inside sp or just after it.
func within(sp facts.Span, off uint32) bool {
	return sp.Start <= off && off <= sp.End && sp.End > sp.Start
}

// externCallAt finds a call, at off, of an extern-block item declared in
// the same file: the item's index and the callee identifier's span.
func externCallAt(r *facts.Rust, src []byte, off uint32) (int, facts.Span, bool) {
	for _, c := range r.Calls {
		if c.Method || !c.Span.Contains(off) {
			continue
		}
		i, sp, ok := externCallee(r, src, c)
		if ok && within(sp, off) {
			return i, sp, true
		}
	}
	return -1, facts.Span{}, false
}

// externCallee resolves a call to an extern-block item of the same file:
// the item's index and the callee identifier's span. The callee is its
// last path segment, found in the source right before the argument list.
func externCallee(r *facts.Rust, src []byte, c facts.RCall) (int, facts.Span, bool) {
	if c.Method || c.Callee == "" {
		return -1, facts.Span{}, false
	}
	name := facts.LastSegment(c.Callee)
	for i := range r.Fns {
		fn := &r.Fns[i]
		if fn.ExternBlock < 0 || fn.Name != name {
			continue
		}
		start := c.Span.Start + uint32(len(c.Callee)) - uint32(len(name))
		sp := facts.Span{Start: start, End: start + uint32(len(name))}
		if int(sp.End) <= len(src) && string(src[sp.Start:sp.End]) == name {
			return i, sp, true
		}
	}
	return -1, facts.Span{}, false
}

// lastWord returns the offset in text of the last whole-word occurrence
// of word, or -1.
func lastWord(text []byte, word string) int {
	for end := len(text); end > 0; {
		k := bytes.LastIndex(text[:end], []byte(word))
		if k < 0 {
			return -1
		}
		if isWordAt(text, k, len(word)) {
			return k
		}
		end = k
	}
	return -1
}

// firstWord returns the offset in text of the first whole-word occurrence
// of word, or -1.
func firstWord(text []byte, word string) int {
	for from := 0; from < len(text); {
		k := bytes.Index(text[from:], []byte(word))
		if k < 0 {
			return -1
		}
		k += from
		if isWordAt(text, k, len(word)) {
			return k
		}
		from = k + 1
	}
	return -1
}

func isWordAt(text []byte, k, n int) bool {
	return (k == 0 || !isIdentByte(text[k-1])) && (k+n == len(text) || !isIdentByte(text[k+n]))
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// definitionOf implements Definition for the name n.
func definitionOf(snap *index.Snapshot, n ffiName) []Location {
	switch n.side {
	case sideBinding:
		return bindingDefinition(snap, link.Resolve(snap, n.name))
	case sideExtern:
		if def := cFunctions(snap, n.name, true); len(def) > 0 {
			return def[:1]
		}
		if ex := rustFns(snap.Exports(n.name)); len(ex) > 0 {
			return ex // implemented in Rust elsewhere
		}
		return firstOf(cFunctions(snap, n.name, false))
	case sideC:
		return rustFns(snap.Exports(n.name))
	}
	return nil
}

// bindingDefinition is where a bindgen name's target is implemented.
func bindingDefinition(snap *index.Snapshot, t link.Target) []Location {
	var out []Location
	if t.Cause == link.Blocklisted {
		out = append(out, ruleLocation(snap.Kernel(), t.Rule)...)
		return append(out, locs(t.Def, t.Decl)...)
	}
	switch t.Kind {
	case link.Function:
		if t.Def != nil {
			return locs(t.Def)
		}
		return locs(t.Decl)
	case link.Helper:
		return locs(t.Wrapped, t.HelperDef)
	case link.Constant:
		return locs(t.Decl, t.ConstHelper)
	case link.Type, link.Static, link.RustItem:
		return locs(t.Decl)
	case link.Unresolved:
		return locs(t.Decl) // an inline or macro no helper wraps
	}
	return nil
}

// declarationOf implements Declaration for the name n.
func declarationOf(snap *index.Snapshot, n ffiName) []Location {
	switch n.side {
	case sideBinding:
		t := link.Resolve(snap, n.name)
		switch {
		case t.Cause == link.Blocklisted:
			return bindingDefinition(snap, t)
		case t.Kind == link.Function:
			return locs(t.Decl)
		case t.Kind == link.Constant && t.ConstHelper != nil:
			return locs(t.ConstHelper, t.Decl)
		}
		return bindingDefinition(snap, t)
	case sideExtern, sideExport:
		if protos := cFunctions(snap, n.name, false); len(protos) > 0 {
			return protos
		}
		if n.side == sideExtern {
			return firstOf(cFunctions(snap, n.name, true))
		}
	case sideC:
		if len(snap.Exports(n.name)) > 0 || len(snap.Externs(n.name)) > 0 || len(link.RustUses(snap, n.name)) > 0 {
			return cFunctions(snap, n.name, false)
		}
	}
	return nil
}

// cFunctions returns the C functions named name, most relevant first:
// the definitions when defs is set, else the prototypes (declarations
// without a body).
func cFunctions(snap *index.Snapshot, name string, defs bool) []Location {
	var out []Location
	for _, d := range link.CPrototypes(snap, name) {
		if d.Decl.Has(facts.FlagDefinition) == defs {
			l := link.DeclLoc(d)
			out = append(out, Location{Path: l.Path, Span: l.Span})
		}
	}
	return out
}

// rustFns returns the name locations of Rust fns.
func rustFns(fns []index.RustFnRef) []Location {
	var out []Location
	for _, r := range fns {
		out = append(out, Location{Path: r.File.Path, Span: r.Fn.NameSpan})
	}
	return out
}

// ruleLocation is the line of rust/bindgen_parameters holding rule.
func ruleLocation(k *index.Kernel, rule *index.BindgenRule) []Location {
	if k == nil || rule == nil || k.Params == "" {
		return nil
	}
	src, err := index.ReadDisk(k.Params)
	if err != nil {
		return nil
	}
	sp, ok := lineSpan(src, rule.Line-1)
	if !ok {
		return nil
	}
	return []Location{{Path: k.Params, Span: sp}}
}

// lineSpan is the span of zero-based line n of src, without its newline.
func lineSpan(src []byte, n int) (facts.Span, bool) {
	start := 0
	for ; n > 0; n-- {
		k := bytes.IndexByte(src[start:], '\n')
		if k < 0 {
			return facts.Span{}, false
		}
		start += k + 1
	}
	end := len(src)
	if k := bytes.IndexByte(src[start:], '\n'); k >= 0 {
		end = start + k
	}
	return facts.Span{Start: uint32(start), End: uint32(end)}, true
}

// locs returns the non-nil locations among ls.
func locs(ls ...*link.Loc) []Location {
	var out []Location
	for _, l := range ls {
		if l != nil {
			out = append(out, Location{Path: l.Path, Span: l.Span})
		}
	}
	return out
}

func firstOf(ls []Location) []Location {
	if len(ls) > 1 {
		return ls[:1]
	}
	return ls
}

// dedupLocations drops repeated locations, keeping the first.
func dedupLocations(ls []Location) []Location {
	var out []Location
	seen := map[Location]bool{}
	for _, l := range ls {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// source returns the text of the file at path and facts that match it:
// the open document's, snap's when the disk still holds what was
// indexed, otherwise facts computed now (the cheap scan for C). A file
// that is neither C nor Rust gives nil facts.
func (w *Workspace) source(ctx context.Context, snap *index.Snapshot, path string) ([]byte, *index.File, error) {
	if d := w.Document(path); d != nil {
		var src []byte
		var f *index.File
		d.WithTree(func(tree *treesitter.Tree, df *index.File) { src, f = tree.Source(), df })
		if f != nil {
			return src, f, nil
		}
	}
	lang, ok := index.LangOf(path)
	if !ok {
		return nil, nil, nil
	}
	src, err := w.Read(path)
	if err != nil {
		return nil, nil, err
	}
	f := snap.File(path)
	if f != nil && f.Hash == index.Hash(src) && (f.Rust != nil || lang == facts.LangC) {
		return src, f, nil
	}
	f, err = index.AnalyzeWith(ctx, index.Stat{Path: path, Lang: lang, Size: int64(len(src))}, src, false, w.crates())
	return src, f, err
}
