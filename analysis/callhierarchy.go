package analysis

import (
	"context"
	"sort"

	"github.com/rivet-lsp/rivet/analysis/cfacts"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// CallItem is a function in a call hierarchy, C or Rust. It carries what
// IncomingCalls and OutgoingCalls need to find the function again.
type CallItem struct {
	Name     string
	Kind     SymbolKind // SymFunction, SymMethod or SymMacro
	Lang     facts.Lang
	Detail   string // where it is, and how a Rust call reaches it
	Path     string
	Span     facts.Span // the whole function
	NameSpan facts.Span
}

// Call is one edge of a call hierarchy: the function at the other end
// and the call sites. For incoming calls the sites are in Item's file; for
// outgoing calls, in the file of the function asked about.
type Call struct {
	Item  CallItem
	Sites []facts.Span
}

// PrepareCallHierarchy returns the function at off: a Rust fn at its
// name; the C function a Rust `bindings::NAME` call or extern item
// reaches (the inline a helper wraps, rather than the helper); in C, the
// function an identifier names, or the Rust fn of an export.
func (w *Workspace) PrepareCallHierarchy(ctx context.Context, path string, off uint32) ([]CallItem, error) {
	snap, release := w.Index.Snapshot()
	defer release()
	src, f, err := w.source(ctx, snap, path)
	if err != nil || f == nil {
		return nil, err
	}
	tx := newTexts(w)
	if n, ok := ffiAt(snap, f, src, off); ok {
		var item *CallItem
		switch n.side {
		case sideBinding:
			item = bindingCallee(snap, tx, n.name)
		case sideExtern:
			item = symbolItem(snap, tx, n.name)
		case sideExport:
			item = rustItem(tx, f, n.fn)
		case sideC:
			item = symbolItem(snap, tx, n.name)
			if item != nil && item.Lang == facts.LangC && item.Path != path {
				item = localItem(snap, tx, f, n) // prefer the function under the cursor
			}
		}
		if item != nil {
			return []CallItem{*item}, nil
		}
		if n.side == sideC {
			return nil, nil
		}
	}
	if f.Rust != nil {
		for i := range f.Rust.Fns {
			if within(f.Rust.Fns[i].NameSpan, off) {
				return []CallItem{*rustItem(tx, f, i)}, nil
			}
		}
	}
	return nil, nil
}

// IncomingCalls returns the callers of item on both sides: for a C
// function, the C functions whose bodies call it (found through the
// whole-tree scan) and the Rust fns that call it through bindings::, a
// helper or an extern item; for a Rust export, its C callers. Other Rust
// fns give nil (rust-analyzer knows their Rust callers).
func (w *Workspace) IncomingCalls(ctx context.Context, item CallItem) ([]Call, error) {
	snap, release := w.Index.Snapshot()
	defer release()
	tx := newTexts(w)
	symbol := item.Name
	if item.Lang == facts.LangRust {
		_, f, err := w.source(ctx, snap, item.Path)
		if err != nil || f == nil || f.Rust == nil {
			return nil, err
		}
		i := rustFnOf(f.Rust, item)
		if i < 0 || f.Rust.Fns[i].ExternBlock >= 0 || f.Rust.Fns[i].Symbol() == "" {
			return nil, nil
		}
		symbol = f.Rust.Fns[i].Symbol()
	}
	g := newCallGroups()
	calls, err := w.cCallSites(ctx, snap, symbol)
	if err != nil {
		return nil, err
	}
	for _, c := range calls {
		g.add(cDeclItem(tx, c.path, c.caller), c.span)
	}
	if item.Lang == facts.LangC {
		for _, r := range link.RustCallUses(snap, symbol) {
			if r.Ref.Fn >= 0 {
				g.add(*rustItem(tx, r.File, r.Ref.Fn), r.Ref.Span)
			}
		}
		for _, c := range w.externCalls(snap, symbol) {
			if c.fn >= 0 {
				g.add(*rustItem(tx, c.file, c.fn), c.span)
			}
		}
	}
	return g.calls(), nil
}

// OutgoingCalls returns what item calls across the boundary and in C: for
// a Rust fn, the C functions it reaches through `bindings::` calls (the
// inline a helper wraps; the helper itself when it wraps nothing indexed)
// and through extern items; for a C function, the functions and
// function-like macros its body calls, a Rust fn where the callee is a
// Rust export.
func (w *Workspace) OutgoingCalls(ctx context.Context, item CallItem) ([]Call, error) {
	snap, release := w.Index.Snapshot()
	defer release()
	tx := newTexts(w)
	if item.Lang == facts.LangRust {
		return w.rustOutgoing(ctx, snap, tx, item)
	}
	fn, err := w.cFuncFacts(ctx, snap, item)
	if err != nil || fn == nil {
		return nil, err
	}
	g := newCallGroups()
	for _, c := range fn.Calls {
		if c.Name == "" {
			continue
		}
		if to := symbolItem(snap, tx, c.Name); to != nil {
			g.add(*to, c.Span)
		}
	}
	return g.calls(), nil
}

// rustOutgoing lists the C functions a Rust fn calls.
func (w *Workspace) rustOutgoing(ctx context.Context, snap *index.Snapshot, tx *texts, item CallItem) ([]Call, error) {
	src, f, err := w.source(ctx, snap, item.Path)
	if err != nil || f == nil || f.Rust == nil {
		return nil, err
	}
	i := rustFnOf(f.Rust, item)
	if i < 0 {
		return nil, nil
	}
	g := newCallGroups()
	for _, r := range f.Rust.BindingRefs {
		if r.Fn != i || r.Kind != facts.RefCall {
			continue
		}
		if to := bindingCallee(snap, tx, r.Name); to != nil {
			g.add(*to, r.Span)
		}
	}
	for _, c := range f.Rust.Calls {
		if c.Fn != i {
			continue
		}
		if k, sp, ok := externCallee(f.Rust, src, c); ok {
			if to := symbolItem(snap, tx, f.Rust.Fns[k].Symbol()); to != nil {
				g.add(*to, sp)
			}
		}
	}
	return g.calls(), nil
}

// cFuncFacts returns the tree-sitter facts of the C function item names,
// or of its definition when item is a prototype, parsing the declaration
// when the index has not.
func (w *Workspace) cFuncFacts(ctx context.Context, snap *index.Snapshot, item CallItem) (*facts.CFunc, error) {
	path, span, name := item.Path, item.Span, item.Name
	d := declAt(snap, &link.Loc{Path: item.Path, Span: item.NameSpan})
	if d == nil || !d.Decl.Has(facts.FlagDefinition) {
		defs := cFunctions(snap, name, true)
		if len(defs) == 0 {
			return nil, nil
		}
		def := declAt(snap, &link.Loc{Path: defs[0].Path, Span: defs[0].Span})
		if def == nil {
			return nil, nil
		}
		path, span = def.File.Path, def.Decl.Span
	}
	src, f, err := w.source(ctx, snap, path)
	if err != nil || f == nil {
		return nil, err
	}
	if f.C != nil {
		for i := range f.C.Funcs {
			if fn := &f.C.Funcs[i]; fn.Name == name && fn.Definition && span.Covers(fn.NameSpan) {
				return fn, nil
			}
		}
	}
	if int(span.End) > len(src) {
		return nil, nil
	}
	c, err := cfacts.ExtractSpans(ctx, src, []facts.Span{span})
	if err != nil {
		return nil, err
	}
	for i := range c.Funcs {
		if c.Funcs[i].Name == name && c.Funcs[i].Definition {
			return &c.Funcs[i], nil
		}
	}
	return nil, nil
}

// bindingCallee is the C function a `bindings::NAME(...)` call runs:
// the function, the inline or macro a helper wraps (else the helper), an
// inline without helper (the call does not build, but that is what it
// names).
func bindingCallee(snap *index.Snapshot, tx *texts, name string) *CallItem {
	t := link.Resolve(snap, name)
	var loc *link.Loc
	via := ""
	switch t.Kind {
	case link.Function:
		loc = t.Def
		if loc == nil {
			loc = t.Decl
		}
	case link.Helper:
		loc = t.Wrapped
		if loc != nil {
			via = "via " + link.HelperPrefix + name
		} else {
			loc = t.HelperDef
		}
	case link.Unresolved:
		if t.DeclKind == facts.DeclFunc || t.DeclKind == facts.DeclMacro {
			loc = t.Decl
		}
	}
	d := declAt(snap, loc)
	if d == nil {
		return nil
	}
	item := cDeclItem(tx, d.File.Path, *d.Decl)
	if via != "" {
		item.Detail = via + " · " + item.Detail
	}
	return &item
}

// symbolItem is the function a C symbol names: a Rust export, else the C
// function (its definition first) or function-like macro.
func symbolItem(snap *index.Snapshot, tx *texts, symbol string) *CallItem {
	if ex := snap.Exports(symbol); len(ex) > 0 {
		if i := fnIndex(ex[0].File.Rust, ex[0].Fn); i >= 0 {
			return rustItem(tx, ex[0].File, i)
		}
	}
	var best *index.DeclRef
	for _, d := range index.RankDecls(snap.CDecls(symbol)) {
		switch {
		case d.Decl.Kind == facts.DeclFunc && d.Decl.Has(facts.FlagDefinition):
			item := cDeclItem(tx, d.File.Path, *d.Decl)
			return &item
		case best == nil && (d.Decl.Kind == facts.DeclFunc || d.Decl.Kind == facts.DeclMacro && d.Decl.Has(facts.FlagFuncLike)):
			best = &d
		}
	}
	if best == nil {
		return nil
	}
	item := cDeclItem(tx, best.File.Path, *best.Decl)
	return &item
}

// localItem is the C function of f declared at the identifier n when n
// is a declaration's name, else the function n names anywhere.
func localItem(snap *index.Snapshot, tx *texts, f *index.File, n ffiName) *CallItem {
	for _, d := range f.Decls() {
		if d.Name0 == n.span.Start && (d.Kind == facts.DeclFunc || d.Kind == facts.DeclMacro && d.Has(facts.FlagFuncLike)) {
			item := cDeclItem(tx, f.Path, d)
			return &item
		}
	}
	return symbolItem(snap, tx, n.name)
}

// cDeclItem is the call item of a scanned C function or macro.
func cDeclItem(tx *texts, path string, d facts.ScanDecl) CallItem {
	kind := SymFunction
	if d.Kind == facts.DeclMacro {
		kind = SymMacro
	}
	return CallItem{
		Name: d.Name, Kind: kind, Lang: facts.LangC, Detail: tx.whereSpan(path, facts.Span{Start: d.Name0}),
		Path: path, Span: d.Span, NameSpan: facts.Span{Start: d.Name0, End: d.Name0 + uint32(len(d.Name))},
	}
}

// rustItem is the call item of the i-th fn of a Rust file.
func rustItem(tx *texts, f *index.File, i int) *CallItem {
	fn := &f.Rust.Fns[i]
	kind := SymFunction
	detail := tx.whereSpan(f.Path, fn.NameSpan)
	if fn.Impl >= 0 && fn.Impl < len(f.Rust.Impls) {
		kind = SymMethod
		detail = implName(&f.Rust.Impls[fn.Impl]) + " · " + detail
	} else if fn.Trait >= 0 {
		kind = SymMethod
	}
	return &CallItem{Name: fn.Name, Kind: kind, Lang: facts.LangRust, Detail: detail, Path: f.Path, Span: fn.Span, NameSpan: fn.NameSpan}
}

// rustFnOf finds item's fn in Rust facts: at its name, else by name when
// the file changed and the name is unique.
func rustFnOf(r *facts.Rust, item CallItem) int {
	found := -1
	for i := range r.Fns {
		fn := &r.Fns[i]
		if fn.Name != item.Name {
			continue
		}
		if fn.NameSpan == item.NameSpan {
			return i
		}
		if found >= 0 {
			found = -2
		} else if found == -1 {
			found = i
		}
	}
	return max(found, -1)
}

// fnIndex is the index of fn in r.Fns, or -1.
func fnIndex(r *facts.Rust, fn *facts.RFn) int {
	for i := range r.Fns {
		if &r.Fns[i] == fn {
			return i
		}
	}
	return -1
}

// callGroups gathers call sites by the function at the other end, in the
// order first seen.
type callGroups struct {
	order []callKey
	by    map[callKey]*Call
}

// callKey identifies a function: its file and where its name is.
type callKey struct {
	path string
	name facts.Span
}

func newCallGroups() *callGroups { return &callGroups{by: map[callKey]*Call{}} }

func (g *callGroups) add(item CallItem, site facts.Span) {
	key := callKey{item.Path, item.NameSpan}
	c := g.by[key]
	if c == nil {
		c = &Call{Item: item}
		g.by[key] = c
		g.order = append(g.order, key)
	}
	c.Sites = append(c.Sites, site)
}

// calls returns the groups sorted by the path and position of the other
// end, each with its sites in order.
func (g *callGroups) calls() []Call {
	out := make([]Call, 0, len(g.order))
	for _, k := range g.order {
		c := *g.by[k]
		sort.Slice(c.Sites, func(i, j int) bool { return c.Sites[i].Start < c.Sites[j].Start })
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Item.Path != out[j].Item.Path {
			return out[i].Item.Path < out[j].Item.Path
		}
		return out[i].Item.NameSpan.Start < out[j].Item.NameSpan.Start
	})
	return out
}
