package analysis

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// SymbolKind classifies a declaration for outlines and symbol search.
type SymbolKind uint8

const (
	SymFunction    SymbolKind = iota + 1
	SymMethod                 // a Rust fn in an impl or trait
	SymMacro                  // a function-like C macro or a macro_rules!
	SymConstant               // an object-like C macro or a Rust const
	SymStruct                 // a struct
	SymUnion                  // a union
	SymEnum                   // an enum
	SymEnumMember             // a C enumerator or a Rust variant
	SymField                  // a struct or union member
	SymTypedef                // a C typedef or a Rust type alias
	SymVariable               // a C global
	SymStatic                 // a Rust static
	SymModule                 // a Rust module
	SymTrait                  // a Rust trait
	SymImpl                   // a Rust impl block
	SymExternBlock            // a Rust extern block
)

func (k SymbolKind) String() string {
	return [...]string{"", "function", "method", "macro", "constant", "struct", "union", "enum",
		"enumerator", "field", "typedef", "variable", "static", "module", "trait", "impl", "extern block"}[k]
}

// container reports whether symbols of kind k can hold others.
func (k SymbolKind) container() bool {
	switch k {
	case SymFunction, SymMethod, SymMacro, SymStruct, SymUnion, SymEnum, SymTypedef,
		SymModule, SymTrait, SymImpl, SymExternBlock:
		return true
	}
	return false
}

// Symbol is a declaration in a document's outline.
type Symbol struct {
	Name     string
	Detail   string // a signature, a type, a macro's value
	Kind     SymbolKind
	Span     facts.Span // the whole declaration
	NameSpan facts.Span // its name; inside Span
	Children []Symbol
}

// DocumentSymbols returns the outline of the file at path, nested by
// containment: for C, functions, structs, unions and enums with their
// fields or enumerators, typedefs (holding an anonymous record's
// members), macros (include guards left out) and globals; for Rust,
// modules with their items, fns, structs with fields, enums with
// variants, traits and impls ("impl Trait for Type", "impl Type") with
// their items, extern blocks with their items, consts, statics, type
// aliases and macro_rules!.
func (w *Workspace) DocumentSymbols(ctx context.Context, path string) ([]Symbol, error) {
	snap, release := w.Index.Snapshot()
	defer release()
	src, f, err := w.fullSource(ctx, snap, path)
	if err != nil || f == nil {
		return nil, err
	}
	var flat []Symbol
	switch {
	case f.C != nil:
		flat = cSymbols(f.C, src)
	case f.Rust != nil:
		flat = rustSymbols(f.Rust, src)
	}
	return nest(flat), nil
}

// fullSource is source with facts of the whole file: C files that only
// have the cheap scan are parsed.
func (w *Workspace) fullSource(ctx context.Context, snap *index.Snapshot, path string) ([]byte, *index.File, error) {
	src, f, err := w.source(ctx, snap, path)
	if err != nil || f == nil || f.Lang != facts.LangC || (f.C != nil && coversAll(f, len(src))) {
		return src, f, err
	}
	f, err = index.Analyze(ctx, index.Stat{Path: path, Lang: facts.LangC, Size: int64(len(src))}, src, true)
	return src, f, err
}

func coversAll(f *index.File, size int) bool {
	return len(f.CSpans) == 1 && f.CSpans[0].Start == 0 && int(f.CSpans[0].End) >= size
}

// nest turns symbols in any order into a forest: a symbol goes under the
// innermost container whose span covers its own.
func nest(flat []Symbol) []Symbol {
	sort.SliceStable(flat, func(i, j int) bool {
		if flat[i].Span.Start != flat[j].Span.Start {
			return flat[i].Span.Start < flat[j].Span.Start
		}
		return flat[i].Span.End > flat[j].Span.End
	})
	type node struct {
		sym      Symbol
		children []int
	}
	nodes := make([]node, len(flat))
	var roots, stack []int
	for i := range flat {
		nodes[i].sym = flat[i]
		for len(stack) > 0 && !flat[stack[len(stack)-1]].Span.Covers(flat[i].Span) {
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			p := stack[len(stack)-1]
			nodes[p].children = append(nodes[p].children, i)
		} else {
			roots = append(roots, i)
		}
		if flat[i].Kind.container() {
			stack = append(stack, i)
		}
	}
	var build func(ids []int) []Symbol
	build = func(ids []int) []Symbol {
		if len(ids) == 0 {
			return nil
		}
		out := make([]Symbol, len(ids))
		for k, id := range ids {
			out[k] = nodes[id].sym
			out[k].Children = build(nodes[id].children)
		}
		return out
	}
	return build(roots)
}

// cSymbols lists the declarations of C facts, unnested.
func cSymbols(c *facts.C, src []byte) []Symbol {
	var out []Symbol
	add := func(s Symbol) {
		if s.Name == "" {
			return
		}
		if !s.Span.Covers(s.NameSpan) || s.NameSpan.Empty() {
			s.NameSpan = facts.Span{Start: s.Span.Start, End: s.Span.Start}
		}
		out = append(out, s)
	}
	for _, f := range c.Funcs {
		add(Symbol{Name: f.Name, Detail: cSignature(&f), Kind: SymFunction, Span: f.Span, NameSpan: f.NameSpan})
	}
	for _, r := range c.Records {
		name := r.Name
		if name == "" {
			if insideTypedef(c.Typedefs, r.Span) {
				// typedef struct { ... } foo_t: the typedef holds the members.
				for _, fl := range r.Fields {
					add(cField(fl, src))
				}
				continue
			}
			name = "(anonymous " + r.Kind + ")"
			r.NameSpan = keywordSpan(src, r.Span, r.Kind)
		}
		add(Symbol{Name: name, Kind: recordKind(r.Kind), Span: r.Span, NameSpan: r.NameSpan})
		for _, fl := range r.Fields {
			add(cField(fl, src))
		}
	}
	for _, e := range c.Enumerators {
		add(Symbol{Name: e.Name, Detail: e.Value, Kind: SymEnumMember, Span: e.NameSpan, NameSpan: e.NameSpan})
	}
	for _, t := range c.Typedefs {
		add(Symbol{Name: t.Name, Detail: t.Type.Text, Kind: SymTypedef, Span: t.Span, NameSpan: t.NameSpan})
	}
	for _, m := range c.Macros {
		if includeGuard(m, src) {
			continue
		}
		s := Symbol{Name: m.Name, Kind: SymConstant, Detail: capText(m.Body, 60), Span: m.Span, NameSpan: m.NameSpan}
		if m.FuncLike {
			s.Kind, s.Detail = SymMacro, "("+strings.Join(m.Params, ", ")+")"
		}
		add(s)
	}
	for _, g := range c.Globals {
		add(Symbol{Name: g.Name, Detail: g.Type.Text, Kind: SymVariable, Span: g.Span, NameSpan: g.NameSpan})
	}
	return out
}

func recordKind(kind string) SymbolKind {
	switch kind {
	case "union":
		return SymUnion
	case "enum":
		return SymEnum
	}
	return SymStruct
}

// cField is the symbol of a struct member. The facts give the member's
// declaration; its name is the last occurrence of the name in it.
func cField(f facts.CField, src []byte) Symbol {
	s := Symbol{Name: f.Name, Detail: f.Type.Text, Kind: SymField, Span: f.Span, NameSpan: f.Span}
	if int(f.Span.End) <= len(src) {
		if k := lastWord(src[f.Span.Start:f.Span.End], f.Name); k >= 0 {
			start := f.Span.Start + uint32(k)
			s.NameSpan = facts.Span{Start: start, End: start + uint32(len(f.Name))}
		}
	}
	return s
}

// keywordSpan is the span of the first occurrence of keyword in sp, or
// the empty span at its start.
func keywordSpan(src []byte, sp facts.Span, keyword string) facts.Span {
	if int(sp.End) <= len(src) {
		if k := firstWord(src[sp.Start:sp.End], keyword); k >= 0 {
			start := sp.Start + uint32(k)
			return facts.Span{Start: start, End: start + uint32(len(keyword))}
		}
	}
	return facts.Span{Start: sp.Start, End: sp.Start}
}

// insideTypedef reports whether a typedef's declaration covers sp.
func insideTypedef(ts []facts.CTypedef, sp facts.Span) bool {
	for _, t := range ts {
		if t.Span.Covers(sp) {
			return true
		}
	}
	return false
}

// includeGuard reports whether m is an include guard: an empty
// object-like macro right after `#ifndef NAME`.
func includeGuard(m facts.CMacro, src []byte) bool {
	if m.FuncLike || strings.TrimSpace(m.Body) != "" || int(m.Span.Start) > len(src) {
		return false
	}
	before := bytes.TrimRight(src[:m.Span.Start], " \t\r\n")
	line := before[bytes.LastIndexByte(before, '\n')+1:]
	f := strings.Fields(string(line))
	return len(f) == 2 && f[0] == "#ifndef" && f[1] == m.Name
}

// cSignature is a function's type as an outline shows it:
// "int (struct clk *clk)".
func cSignature(f *facts.CFunc) string {
	var ps []string
	for _, p := range f.Params {
		t := p.Type.Text
		if p.Name != "" && !strings.Contains(t, p.Name) {
			if strings.HasSuffix(t, "*") {
				t += p.Name
			} else {
				t += " " + p.Name
			}
		}
		ps = append(ps, t)
	}
	if f.Variadic {
		ps = append(ps, "...")
	}
	return fmt.Sprintf("%s (%s)", f.Return.Text, strings.Join(ps, ", "))
}

func capText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// rustSymbols lists the items of Rust facts, unnested.
func rustSymbols(r *facts.Rust, src []byte) []Symbol {
	var out []Symbol
	add := func(s Symbol) {
		if !s.Span.Covers(s.NameSpan) || s.NameSpan.Empty() {
			s.NameSpan = facts.Span{Start: s.Span.Start, End: s.Span.Start}
		}
		out = append(out, s)
	}
	for _, m := range r.Mods {
		add(Symbol{Name: m.Name, Kind: SymModule, Span: m.Span, NameSpan: m.NameSpan})
	}
	for _, fn := range r.Fns {
		kind := SymFunction
		if fn.Impl >= 0 || fn.Trait >= 0 {
			kind = SymMethod
		}
		add(Symbol{Name: fn.Name, Detail: rustFnDetail(&fn), Kind: kind, Span: fn.Span, NameSpan: fn.NameSpan})
	}
	for _, t := range r.Types {
		kind := rustTypeKind(t.Kind)
		add(Symbol{Name: t.Name, Detail: t.Type, Kind: kind, Span: t.Span, NameSpan: t.NameSpan})
		member := SymField
		if t.Kind == "enum" {
			member = SymEnumMember
		}
		for _, fl := range t.Fields {
			add(rustField(fl, member, src))
		}
	}
	for _, im := range r.Impls {
		add(Symbol{Name: implName(&im), Kind: SymImpl, Span: im.Span, NameSpan: implNameSpan(&im, src)})
	}
	for _, eb := range r.ExternBlocks {
		name := fmt.Sprintf("extern %q", eb.ABI)
		if eb.Unsafe {
			name = "unsafe " + name
		}
		add(Symbol{Name: name, Kind: SymExternBlock, Span: eb.Span, NameSpan: keywordSpan(src, eb.Span, "extern")})
		for _, st := range eb.Statics {
			add(rustField(st, SymStatic, src))
		}
	}
	return out
}

func rustTypeKind(kind string) SymbolKind {
	switch kind {
	case "struct":
		return SymStruct
	case "enum":
		return SymEnum
	case "union":
		return SymUnion
	case "trait":
		return SymTrait
	case "type":
		return SymTypedef
	case "const":
		return SymConstant
	case "static":
		return SymStatic
	case "macro":
		return SymMacro
	}
	return SymStruct
}

// rustField is the symbol of a field, variant or extern static; its name
// is the first occurrence of the name in its declaration (tuple fields
// are named by their index and have no name in the text).
func rustField(f facts.RField, kind SymbolKind, src []byte) Symbol {
	s := Symbol{Name: f.Name, Detail: f.Type, Kind: kind, Span: f.Span, NameSpan: f.Span}
	if int(f.Span.End) <= len(src) {
		if k := firstWord(src[f.Span.Start:f.Span.End], f.Name); k >= 0 {
			start := f.Span.Start + uint32(k)
			s.NameSpan = facts.Span{Start: start, End: start + uint32(len(f.Name))}
		}
	}
	return s
}

// rustFnDetail is a fn's signature without its name: "(dev: &Device) ->
// Result", with "extern \"C\"" and its C symbol for FFI fns.
func rustFnDetail(fn *facts.RFn) string {
	var ps []string
	for _, p := range fn.Params {
		if p.Name == "self" {
			ps = append(ps, p.Type)
			continue
		}
		ps = append(ps, p.Name+": "+p.Type)
	}
	if fn.Variadic {
		ps = append(ps, "...")
	}
	d := "(" + strings.Join(ps, ", ") + ")"
	if fn.Ret != "" {
		d += " -> " + fn.Ret
	}
	if fn.ABI != "" {
		d = fmt.Sprintf("extern %q %s", fn.ABI, d)
	}
	if sym := fn.Symbol(); sym != "" && fn.ExternBlock < 0 {
		d = "exported as " + sym + " " + d
	}
	return d
}

// implName is "impl Trait for Type" or "impl Type".
func implName(im *facts.RImpl) string {
	if im.Trait != "" {
		return fmt.Sprintf("impl %s for %s", im.Trait, im.Target)
	}
	return "impl " + im.Target
}

// implNameSpan locates an impl's self type in its header, or "impl".
func implNameSpan(im *facts.RImpl, src []byte) facts.Span {
	if int(im.Span.End) > len(src) {
		return facts.Span{}
	}
	header := src[im.Span.Start:im.Span.End]
	if k := bytes.IndexByte(header, '{'); k >= 0 {
		header = header[:k]
	}
	if k := lastWord(header, im.TargetName); k >= 0 && im.TargetName != "" {
		start := im.Span.Start + uint32(k)
		return facts.Span{Start: start, End: start + uint32(len(im.TargetName))}
	}
	if k := firstWord(header, "impl"); k >= 0 {
		start := im.Span.Start + uint32(k)
		return facts.Span{Start: start, End: start + 4}
	}
	return facts.Span{}
}
