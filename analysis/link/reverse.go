package link

import (
	"sort"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// RustUses returns the Rust references that reach the C name cname: uses
// of bindings::cname, and for a helper rust_helper_X, uses of
// bindings::X (the name the kernel's sed gives the helper in Rust).
func RustUses(snap *index.Snapshot, cname string) []index.RustRef {
	refs := append([]index.RustRef(nil), snap.BindingRefs(cname)...)
	if x, ok := strings.CutPrefix(cname, HelperPrefix); ok {
		refs = append(refs, snap.BindingRefs(x)...)
	}
	if x, ok := strings.CutPrefix(cname, ConstHelperPrefix); ok {
		refs = append(refs, snap.BindingRefs(x)...)
	}
	sortRefs(refs)
	return refs
}

// RustCallUses is RustUses restricted to call sites.
func RustCallUses(snap *index.Snapshot, cname string) []index.RustRef {
	var out []index.RustRef
	for _, r := range RustUses(snap, cname) {
		if r.Ref.Kind == facts.RefCall {
			out = append(out, r)
		}
	}
	return out
}

func sortRefs(refs []index.RustRef) {
	sort.Slice(refs, func(i, j int) bool {
		if refs[i].File.Path != refs[j].File.Path {
			return refs[i].File.Path < refs[j].File.Path
		}
		return refs[i].Ref.Span.Start < refs[j].Ref.Span.Start
	})
}

// RustSide returns the Rust functions that stand for the C symbol: exports
// defining it (#[no_mangle], #[export_name]) and extern-block items
// declaring it.
func RustSide(snap *index.Snapshot, symbol string) (exports, externs []index.RustFnRef) {
	return snap.Exports(symbol), snap.Externs(symbol)
}

// CPrototypes returns the C function declarations of symbol, most relevant
// first: what a Rust export or extern item must agree with.
func CPrototypes(snap *index.Snapshot, symbol string) []index.DeclRef {
	var out []index.DeclRef
	for _, d := range index.RankDecls(snap.CDecls(symbol)) {
		if d.Decl.Kind == facts.DeclFunc {
			out = append(out, d)
		}
	}
	return out
}

// FuncFacts returns the tree-sitter facts of a scanned function
// declaration, or nil when they have not been extracted (index.Ensure).
func FuncFacts(d index.DeclRef) *facts.CFunc {
	c := d.File.C
	if c == nil {
		return nil
	}
	for i := range c.Funcs {
		f := &c.Funcs[i]
		if f.Name == d.Decl.Name && f.NameSpan.Start == d.Decl.Name0 {
			return f
		}
	}
	return nil
}

// FuncFactsAt returns the facts of the function whose name is at loc.
func FuncFactsAt(snap *index.Snapshot, loc *Loc) *facts.CFunc {
	if loc == nil {
		return nil
	}
	f := snap.File(loc.Path)
	if f == nil || f.C == nil {
		return nil
	}
	for i := range f.C.Funcs {
		if f.C.Funcs[i].NameSpan.Start == loc.Span.Start {
			return &f.C.Funcs[i]
		}
	}
	return nil
}

// BestFunc returns the most informative facts for a C function name: the
// definition's when it has annotations or a body summary, merged with the
// prototype's attributes (kernel headers annotate the prototype, the .c
// file has the body).
func BestFunc(snap *index.Snapshot, name string) *facts.CFunc {
	var proto, def *facts.CFunc
	for _, d := range CPrototypes(snap, name) {
		f := FuncFacts(d)
		if f == nil {
			continue
		}
		if f.Definition && def == nil {
			def = f
		}
		if !f.Definition && proto == nil {
			proto = f
		}
	}
	switch {
	case def == nil:
		return proto
	case proto == nil:
		return def
	}
	merged := *def
	seen := map[string]bool{}
	for _, a := range def.Attrs {
		seen[a.Name] = true
	}
	merged.Attrs = append([]facts.Annotation(nil), def.Attrs...)
	for _, a := range proto.Attrs {
		if !seen[a.Name] {
			merged.Attrs = append(merged.Attrs, a)
		}
	}
	if merged.Doc == "" {
		merged.Doc, merged.DocSpan = proto.Doc, proto.DocSpan
	}
	return &merged
}

// NeededNames lists the C names whose declarations rivet parses with
// tree-sitter so that diagnostics on Rust files are complete: every
// bindgen name Rust uses and its helper, every symbol of an extern block
// or export, and the functions the helpers wrap.
func NeededNames(snap *index.Snapshot) []string {
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" {
			seen[n] = true
		}
	}
	snap.BindingNames(func(name string, _ []index.RustRef) bool {
		add(name)
		add(HelperPrefix + name)
		return true
	})
	for _, s := range snap.ExportSymbols() {
		add(s)
	}
	for _, s := range snap.ExternSymbols() {
		add(s)
	}
	snap.Files(func(f *index.File) bool {
		if f.C == nil || !snap.Kernel().IsHelper(f.Path) {
			return true
		}
		for _, fn := range f.C.Funcs {
			for _, c := range fn.Calls {
				add(c.Name)
			}
		}
		return true
	})
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// TypeNames lists the typedef, struct and union names the signatures of
// the given functions mention, so a second Ensure round can resolve them.
func TypeNames(fns []*facts.CFunc) []string {
	seen := map[string]bool{}
	var walk func(t *facts.CType)
	walk = func(t *facts.CType) {
		if t == nil {
			return
		}
		switch t.Kind {
		case facts.CTypeNamed:
			if !strings.Contains(t.Name, " ") && !isBuiltinType(t.Name) {
				seen[t.Name] = true
			}
		case facts.CTypeRecord, facts.CTypeEnum:
			seen[t.Name] = true
		case facts.CTypeFunc:
			if t.Func != nil {
				walk(&t.Func.Return)
				for i := range t.Func.Params {
					walk(&t.Func.Params[i])
				}
			}
		}
		walk(t.Elem)
	}
	for _, f := range fns {
		walk(&f.Return)
		for i := range f.Params {
			walk(&f.Params[i].Type)
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func isBuiltinType(n string) bool {
	switch n {
	case "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool", "bool":
		return true
	}
	return false
}
