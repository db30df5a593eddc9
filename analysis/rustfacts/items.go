package rustfacts

import (
	"strconv"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// visitFn records a function and visits its signature and body with the
// function as the enclosing one.
func (x *extractor) visitFn(n treesitter.Node, before []treesitter.Node) {
	idx := x.addFn(n, before)
	saved := x.pos
	x.pos.fn, x.pos.impl, x.pos.trait, x.pos.extern = idx, -1, -1, -1
	for i, c := 0, n.ChildCount(); i < c; i++ {
		child := n.Child(i)
		switch kind := child.Kind(); kind {
		case treesitter.RustKindVisibilityModifier:
			x.out.Fns[idx].Pub = true
		case treesitter.RustKindFunctionModifiers:
			x.fnModifiers(child, &x.out.Fns[idx])
		case treesitter.RustKindParameters:
			x.params(child, &x.out.Fns[idx])
			x.visitChildren(child)
		default:
			x.visitKind(child, kind, nil)
		}
	}
	x.pos = saved
}

// addFn records a function; visitFn fills in its visibility, modifiers
// and parameters as it meets them.
func (x *extractor) addFn(n treesitter.Node, before []treesitter.Node) int {
	name := n.Field(treesitter.RustFieldName)
	f := facts.RFn{
		Name:        name.Text(),
		NameSpan:    span(name),
		Span:        span(n),
		Impl:        x.pos.impl,
		Trait:       x.pos.trait,
		ExternBlock: x.pos.extern,
	}
	if body := n.Field(treesitter.RustFieldBody); !body.IsNull() {
		f.BodySpan = span(body)
	}
	if ret := n.Field(treesitter.RustFieldReturnType); !ret.IsNull() {
		f.Ret = norm(ret.Text())
	}
	a := x.leadingAttrs(before)
	f.NoMangle, f.ExportName, f.LinkName = a.noMangle, a.exportName, a.linkName
	f.Doc, f.SafetyDoc = a.doc(), hasSafetySection(a.docLines)

	idx := len(x.out.Fns)
	if f.ExternBlock >= 0 {
		eb := &x.out.ExternBlocks[f.ExternBlock]
		f.ABI = eb.ABI
		// Every foreign fn is unsafe to call unless declared `safe fn`
		// (Rust 2024), a qualifier the mask blanks: the fn spans it too.
		a, safe := x.annotationNear(n.StartByte(), name.StartByte(), annSafe)
		f.Unsafe = !safe
		if safe {
			f.Span.Start = min(f.Span.Start, a.Start)
		}
		eb.Fns = append(eb.Fns, idx)
	}
	if f.Impl >= 0 {
		x.out.Impls[f.Impl].Fns = append(x.out.Impls[f.Impl].Fns, idx)
	}
	x.out.Fns = append(x.out.Fns, f)
	x.fnNodes = append(x.fnNodes, n)
	return idx
}

// fnModifiers reads `unsafe` and `extern "ABI"` from function_modifiers.
func (x *extractor) fnModifiers(m treesitter.Node, f *facts.RFn) {
	for _, c := range m.Children() {
		switch c.Kind() {
		case tokUnsafe:
			f.Unsafe = true
		case treesitter.RustKindExternModifier:
			if f.ExternBlock < 0 {
				f.ABI = abi(c)
			}
		}
	}
}

// params fills the parameters of f from a parameters node. A receiver is
// named "self" and typed as what it desugars to: `&mut self` is `&mut
// Self`.
func (x *extractor) params(ps treesitter.Node, f *facts.RFn) {
	for _, p := range ps.NamedChildren() {
		switch p.Kind() {
		case treesitter.RustKindParameter:
			f.Params = append(f.Params, facts.RParam{
				Name: norm(p.Field(treesitter.RustFieldPattern).Text()),
				Type: norm(p.Field(treesitter.RustFieldType).Text()),
				Span: span(p),
			})
		case treesitter.RustKindSelfParameter:
			f.Params = append(f.Params, facts.RParam{Name: "self", Type: selfType(p.Text()), Span: span(p)})
		case treesitter.RustKindVariadicParameter:
			f.Variadic = true
		}
	}
}

// selfType is the type a receiver shorthand stands for.
func selfType(receiver string) string {
	t := norm(receiver)
	t = strings.TrimPrefix(t, "mut ")
	return strings.TrimSuffix(t, "self") + "Self"
}

// visitImpl records an impl block; its direct fns become its members.
func (x *extractor) visitImpl(n treesitter.Node) {
	target := norm(n.Field(treesitter.RustFieldType).Text())
	im := facts.RImpl{
		Trait:      norm(n.Field(treesitter.RustFieldTrait).Text()),
		Target:     target,
		TargetName: facts.LastSegment(target),
		Unsafe:     hasChild(n, tokUnsafe),
		Span:       span(n),
	}
	saved := x.pos
	x.pos.impl, x.pos.trait, x.pos.extern = len(x.out.Impls), -1, -1
	x.out.Impls = append(x.out.Impls, im)
	x.visitChildren(n)
	x.pos = saved
}

// visitTrait records a trait; its direct fns point at it.
func (x *extractor) visitTrait(n treesitter.Node, before []treesitter.Node) {
	idx := x.addType(n, treesitter.RustKindTraitItem, before)
	saved := x.pos
	x.pos.impl, x.pos.trait, x.pos.extern = -1, idx, -1
	x.visitChildren(n)
	x.pos = saved
}

// visitExternBlock records `extern "ABI" { ... }`; its fns and statics
// become its items.
func (x *extractor) visitExternBlock(n treesitter.Node) {
	eb := facts.RExternBlock{ABI: "C", Span: span(n)}
	for _, c := range n.Children() {
		switch c.Kind() {
		case tokUnsafe: // a grammar that knows `unsafe extern`
			eb.Unsafe = true
		case treesitter.RustKindExternModifier:
			eb.ABI = abi(c)
		}
	}
	// The bundled grammar rejects `unsafe extern`: the mask blanks
	// `unsafe` and records it just before the block, which spans it too.
	if a, ok := x.annotationNear(n.StartByte(), n.StartByte(), annUnsafeExtern); ok {
		eb.Unsafe = true
		eb.Span.Start = a.Start
	}
	saved := x.pos
	x.pos.impl, x.pos.trait, x.pos.extern = -1, -1, len(x.out.ExternBlocks)
	x.out.ExternBlocks = append(x.out.ExternBlocks, eb)
	x.visitChildren(n)
	x.pos = saved
}

// visitStatic records a static: an item of the enclosing extern block,
// or a type-level item elsewhere.
func (x *extractor) visitStatic(n treesitter.Node, before []treesitter.Node) {
	if x.pos.extern >= 0 {
		eb := &x.out.ExternBlocks[x.pos.extern]
		eb.Statics = append(eb.Statics, facts.RField{
			Name: n.Field(treesitter.RustFieldName).Text(),
			Type: norm(n.Field(treesitter.RustFieldType).Text()),
			Span: span(n),
		})
	} else {
		x.addType(n, treesitter.RustKindStaticItem, before)
	}
	x.visitChildren(n)
}

// visitMod records a module; an inline body is a fresh use scope.
func (x *extractor) visitMod(n treesitter.Node) {
	name := n.Field(treesitter.RustFieldName)
	body := n.Field(treesitter.RustFieldBody)
	x.out.Mods = append(x.out.Mods, facts.RMod{
		Name: name.Text(), NameSpan: span(name), Span: span(n), Inline: !body.IsNull(),
	})
	if !body.IsNull() {
		x.visitScope(body, true)
	}
}

// typeKinds maps item node kinds to RType.Kind.
var typeKinds = map[string]string{
	treesitter.RustKindStructItem:      "struct",
	treesitter.RustKindEnumItem:        "enum",
	treesitter.RustKindUnionItem:       "union",
	treesitter.RustKindTraitItem:       "trait",
	treesitter.RustKindTypeItem:        "type",
	treesitter.RustKindConstItem:       "const",
	treesitter.RustKindStaticItem:      "static",
	treesitter.RustKindMacroDefinition: "macro",
}

// addType records a type-level item and returns its index in Types. A
// macro_rules! is Pub when it is #[macro_export].
func (x *extractor) addType(n treesitter.Node, nodeKind string, before []treesitter.Node) int {
	name := n.Field(treesitter.RustFieldName)
	kind := typeKinds[nodeKind]
	a := x.leadingAttrs(before)
	t := facts.RType{
		Kind:     kind,
		Name:     name.Text(),
		NameSpan: span(name),
		Span:     span(n),
		Pub:      hasChild(n, treesitter.RustKindVisibilityModifier) || a.macroExport,
		Repr:     a.repr,
		Doc:      a.doc(),
	}
	switch kind {
	case "struct", "union":
		t.Fields = fields(n.Field(treesitter.RustFieldBody))
	case "enum":
		t.Fields = variants(n.Field(treesitter.RustFieldBody))
	case "type", "const", "static":
		t.Type = norm(n.Field(treesitter.RustFieldType).Text())
	}
	if kind == "static" {
		t.NoMangle, t.ExportName = a.noMangle, a.exportName
	}
	x.out.Types = append(x.out.Types, t)
	return len(x.out.Types) - 1
}

// fields lists named fields, or tuple fields named "0", "1", ...
func fields(body treesitter.Node) []facts.RField {
	var out []facts.RField
	switch body.Kind() {
	case treesitter.RustKindFieldDeclarationList:
		for _, f := range body.NamedChildren() {
			if f.Kind() == treesitter.RustKindFieldDeclaration {
				out = append(out, facts.RField{
					Name: f.Field(treesitter.RustFieldName).Text(),
					Type: norm(f.Field(treesitter.RustFieldType).Text()),
					Span: span(f),
				})
			}
		}
	case treesitter.RustKindOrderedFieldDeclarationList:
		for i, c := 0, body.ChildCount(); i < c; i++ {
			if body.FieldNameForChild(i) == treesitter.RustFieldType {
				t := body.Child(i)
				out = append(out, facts.RField{Name: strconv.Itoa(len(out)), Type: norm(t.Text()), Span: span(t)})
			}
		}
	}
	return out
}

// variants lists enum variants; Type is the payload as written ("(u32)",
// "{ x: u8 }"), "" for unit variants.
func variants(body treesitter.Node) []facts.RField {
	var out []facts.RField
	for _, v := range body.NamedChildren() {
		if v.Kind() == treesitter.RustKindEnumVariant {
			out = append(out, facts.RField{
				Name: v.Field(treesitter.RustFieldName).Text(),
				Type: norm(v.Field(treesitter.RustFieldBody).Text()),
				Span: span(v),
			})
		}
	}
	return out
}

// abi is the ABI string of an extern_modifier; a bare `extern` means "C".
func abi(m treesitter.Node) string {
	for _, c := range m.NamedChildren() {
		if c.Kind() == treesitter.RustKindStringLiteral {
			return unquote(c.Text())
		}
	}
	return "C"
}

func hasChild(n treesitter.Node, kind string) bool {
	for i, c := 0, n.ChildCount(); i < c; i++ {
		if n.Child(i).Kind() == kind {
			return true
		}
	}
	return false
}
