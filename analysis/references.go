package analysis

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/cscan"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// RefKind says what a reference is.
type RefKind uint8

const (
	// RefCDecl is a C declaration without a body: a prototype, a macro, a
	// struct, a typedef, an enumerator, a global.
	RefCDecl RefKind = iota + 1
	// RefCDef is a C function definition or a struct with its fields.
	RefCDef
	// RefHelper is rust_helper_NAME's definition in rust/helpers.
	RefHelper
	// RefConstHelper is RUST_CONST_HELPER_NAME in bindings_helper.h.
	RefConstHelper
	// RefRustExport is a Rust fn exported to C under the symbol.
	RefRustExport
	// RefRustExtern is a Rust extern-block item importing the symbol.
	RefRustExtern
	// RefRustUse is a Rust path reaching the bindgen name.
	RefRustUse
	// RefRustCall is a Rust call of an extern-block item.
	RefRustCall
	// RefCCall is a call in a C function body.
	RefCCall
)

func (k RefKind) String() string {
	return [...]string{"", "C declaration", "C definition", "helper", "constant helper",
		"Rust export", "Rust extern item", "Rust use", "Rust call", "C call"}[k]
}

// Declaration reports whether the reference declares or defines the
// symbol rather than uses it.
func (k RefKind) Declaration() bool { return k <= RefRustExtern }

// Reference is one place a symbol appears, on either side.
type Reference struct {
	Location
	Kind RefKind
}

// ReferencesOptions qualify a References request.
type ReferencesOptions struct {
	// IncludeDeclaration keeps the declarations and definitions (C
	// prototypes and bodies, helpers, Rust exports and extern items).
	IncludeDeclaration bool
}

// References returns every place the FFI symbol at off is declared or
// used, on both sides of the boundary: its C declarations and
// definitions, rust_helper_NAME or RUST_CONST_HELPER_NAME, the Rust
// exports and extern items of the symbol, every Rust `bindings::NAME`
// use, the Rust calls of extern items, and the calls in C function bodies
// (functions only: C uses of types and constants are not indexed). The
// result is the same from any of these places. A C name that does not
// cross the boundary gives nil (clangd's job).
func (w *Workspace) References(ctx context.Context, path string, off uint32, opts ReferencesOptions) ([]Reference, error) {
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
	name, ok := symbolOf(snap, n)
	if !ok {
		return nil, nil
	}
	refs, err := w.references(ctx, snap, name)
	if err != nil {
		return nil, err
	}
	if !opts.IncludeDeclaration {
		kept := refs[:0]
		for _, r := range refs {
			if !r.Kind.Declaration() {
				kept = append(kept, r)
			}
		}
		refs = kept
	}
	return refs, nil
}

// symbolOf is the C name whose references n stands for: helpers and
// constant helpers stand for the name Rust sees. A C identifier must
// cross the boundary.
func symbolOf(snap *index.Snapshot, n ffiName) (string, bool) {
	if n.side != sideC {
		return n.name, true
	}
	name := n.name
	for _, p := range []string{link.HelperPrefix, link.ConstHelperPrefix} {
		if x, ok := strings.CutPrefix(name, p); ok && x != "" {
			name = x
		}
	}
	return name, crossesBoundary(snap, name)
}

// crossesBoundary reports whether Rust reaches the C name or C reaches
// the Rust symbol.
func crossesBoundary(snap *index.Snapshot, name string) bool {
	return len(snap.BindingRefs(name)) > 0 || len(snap.Exports(name)) > 0 || len(snap.Externs(name)) > 0
}

// references collects the reference set of the C name, sorted by path
// and offset.
func (w *Workspace) references(ctx context.Context, snap *index.Snapshot, name string) ([]Reference, error) {
	var out []Reference
	add := func(k RefKind, path string, sp facts.Span) {
		out = append(out, Reference{Location: Location{Path: path, Span: sp}, Kind: k})
	}
	for _, d := range index.RankDecls(snap.CDecls(name)) {
		k := RefCDecl
		if d.Decl.Has(facts.FlagDefinition) && d.Decl.Kind == facts.DeclFunc {
			k = RefCDef
		}
		l := link.DeclLoc(d)
		add(k, l.Path, l.Span)
	}
	for _, d := range snap.CDecls(link.HelperPrefix + name) {
		if d.Decl.Kind == facts.DeclFunc && d.Decl.Has(facts.FlagDefinition) {
			l := link.DeclLoc(d)
			add(RefHelper, l.Path, l.Span)
		}
	}
	for _, d := range snap.CDecls(link.ConstHelperPrefix + name) {
		l := link.DeclLoc(d)
		add(RefConstHelper, l.Path, l.Span)
	}
	for _, r := range snap.Exports(name) {
		add(RefRustExport, r.File.Path, r.Fn.NameSpan)
	}
	for _, r := range snap.Externs(name) {
		add(RefRustExtern, r.File.Path, r.Fn.NameSpan)
	}
	for _, r := range link.RustUses(snap, name) {
		add(RefRustUse, r.File.Path, r.Ref.Span)
	}
	for _, c := range w.externCalls(snap, name) {
		add(RefRustCall, c.file.Path, c.span)
	}
	calls, err := w.cCallSites(ctx, snap, name)
	if err != nil {
		return nil, err
	}
	for _, c := range calls {
		pos := c.pos
		out = append(out, Reference{Location: Location{Path: c.path, Span: c.span, Pos: &pos}, Kind: RefCCall})
	}
	sortReferences(out)
	return out, nil
}

func sortReferences(refs []Reference) {
	sort.SliceStable(refs, func(i, j int) bool {
		if refs[i].Path != refs[j].Path {
			return refs[i].Path < refs[j].Path
		}
		return refs[i].Span.Start < refs[j].Span.Start
	})
}

// rustCall is a Rust call of an extern-block item.
type rustCall struct {
	file *index.File
	fn   int // the enclosing fn, or -1
	span facts.Span
}

// externCalls returns the calls of the extern-block items that import
// symbol, in the files declaring them. Their text is read to place the
// callee exactly.
func (w *Workspace) externCalls(snap *index.Snapshot, symbol string) []rustCall {
	var out []rustCall
	seen := map[string]bool{}
	for _, ext := range snap.Externs(symbol) {
		f := ext.File
		if seen[f.Path] {
			continue
		}
		seen[f.Path] = true
		src, err := w.Read(f.Path)
		if err != nil || index.Hash(src) != f.Hash {
			continue
		}
		for _, c := range f.Rust.Calls {
			i, sp, ok := externCallee(f.Rust, src, c)
			if ok && f.Rust.Fns[i].Symbol() == symbol {
				out = append(out, rustCall{file: f, fn: c.Fn, span: sp})
			}
		}
	}
	return out
}

// cCall is a call of a name in a C function body.
type cCall struct {
	path   string
	span   facts.Span     // the callee identifier
	pos    LinePos        // where span is
	caller facts.ScanDecl // the function whose body holds it
}

// cCallSites finds the calls of name in C function bodies across the
// index: the files the whole-tree scan lists as calling it, re-read and
// lexed for the exact places. Files are read two at a time. Results are
// cached per file and content hash, so a repeated request (or one after
// WarmCallSites) reads only the files that changed.
func (w *Workspace) cCallSites(ctx context.Context, snap *index.Snapshot, name string) ([]cCall, error) {
	files := snap.CallerFiles(name)
	var (
		mu  sync.Mutex
		out []cCall
	)
	var todo []*index.File
	for _, f := range files {
		if calls, ok := w.calls.get(name, f); ok {
			out = append(out, calls...)
		} else {
			todo = append(todo, f)
		}
	}
	err := forEachFile(ctx, 2, todo, func(f *index.File) {
		calls := w.fileCallSites(f, name)
		w.calls.put(name, f, calls)
		mu.Lock()
		out = append(out, calls...)
		mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].path != out[j].path {
			return out[i].path < out[j].path
		}
		return out[i].span.Start < out[j].span.Start
	})
	return out, nil
}

// WarmCallSites finds, in the background after indexing, the C call
// sites of every C function Rust calls, so that references and call
// hierarchies on the boundary answer at once. It reads each calling file
// once, for all the names it calls, on one goroutine (the other core is
// the editor's), and stops when ctx ends.
func (w *Workspace) WarmCallSites(ctx context.Context) {
	snap, release := w.Index.Snapshot()
	var names []string
	snap.BindingNames(func(name string, refs []index.RustRef) bool {
		for _, r := range refs {
			if r.Ref.Kind == facts.RefCall {
				names = append(names, name)
				break
			}
		}
		return true
	})
	byFile := snap.CallersOf(names)
	release()
	files := make([]*index.File, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	for _, f := range files {
		if ctx.Err() != nil {
			return
		}
		var todo []string
		for _, name := range byFile[f] {
			if _, ok := w.calls.get(name, f); !ok {
				todo = append(todo, name)
			}
		}
		if len(todo) == 0 {
			continue
		}
		for name, calls := range w.fileCallSitesOf(f, todo) {
			w.calls.put(name, f, calls)
		}
	}
}

// callSiteCache holds the C call sites found per name and file; an entry
// is valid while the file's content hash is the one it was found in.
type callSiteCache struct {
	mu    sync.Mutex
	sites map[string]map[string]cachedCalls // name -> path -> calls
}

type cachedCalls struct {
	hash  string
	calls []cCall
}

func (c *callSiteCache) get(name string, f *index.File) ([]cCall, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.sites[name][f.Path]
	if !ok || e.hash != f.Hash {
		return nil, false
	}
	return e.calls, true
}

func (c *callSiteCache) put(name string, f *index.File, calls []cCall) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sites == nil {
		c.sites = map[string]map[string]cachedCalls{}
	}
	m := c.sites[name]
	if m == nil {
		m = map[string]cachedCalls{}
		c.sites[name] = m
	}
	m[f.Path] = cachedCalls{hash: f.Hash, calls: calls}
}

// fileCallSites lexes one file for the calls of name.
func (w *Workspace) fileCallSites(f *index.File, name string) []cCall {
	return w.fileCallSitesOf(f, []string{name})[name]
}

// fileCallSitesOf lexes one file, once, for the calls of names. Every
// name gets an entry, empty when the file no longer calls it.
func (w *Workspace) fileCallSitesOf(f *index.File, names []string) map[string][]cCall {
	out := make(map[string][]cCall, len(names))
	set := make(map[string]bool, len(names))
	for _, n := range names {
		out[n], set[n] = nil, true
	}
	src, err := w.Read(f.Path)
	if err != nil {
		return out
	}
	var scan *facts.Scan
	if index.Hash(src) == f.Hash {
		scan = &facts.Scan{Decls: f.Decls()}
	} else {
		scan = cscan.Scan(src) // changed since indexed
	}
	sites := cscan.CallSitesOf(src, scan, set)
	// Positions need the sites in source order across names.
	type site struct {
		name string
		cscan.CallSite
	}
	var all []site
	for name, ss := range sites {
		for _, s := range ss {
			all = append(all, site{name, s})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Span.Start < all[j].Span.Start })
	lines := newLineCounter(src)
	for _, s := range all {
		out[s.name] = append(out[s.name], cCall{path: f.Path, span: s.Span, pos: lines.pos(s.Span), caller: scan.Decls[s.Func]})
	}
	return out
}

// lineCounter turns ascending offsets of one text into line positions in
// a single forward pass.
type lineCounter struct {
	src       []byte
	line      uint32
	lineStart int
	at        int // offsets before at are counted
}

func newLineCounter(src []byte) *lineCounter { return &lineCounter{src: src} }

// pos places a one-line span at or after the previous one.
func (l *lineCounter) pos(s facts.Span) LinePos {
	for ; l.at < int(s.Start) && l.at < len(l.src); l.at++ {
		if l.src[l.at] == '\n' {
			l.line++
			l.lineStart = l.at + 1
		}
	}
	ascii := true
	for _, b := range l.src[l.lineStart:min(int(s.End), len(l.src))] {
		if b >= 0x80 {
			ascii = false
			break
		}
	}
	return LinePos{Line: l.line, Col: s.Start - uint32(l.lineStart), EndCol: s.End - uint32(l.lineStart), ASCII: ascii}
}
