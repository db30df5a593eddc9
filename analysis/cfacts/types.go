package cfacts

import (
	"sort"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// maxDeclaratorDepth bounds how many pointer, array and function levels a
// declarator may stack. Real code stays under five; the bound keeps a
// pathological input from building a type whose texts grow quadratically.
const maxDeclaratorDepth = 32

// specs is what the declaration specifiers of a declaration, parameter or
// field say: storage class, function specifiers and the base type.
type specs struct {
	static, extern, inline bool
	noreturn               ts.Node // a _Noreturn / noreturn specifier
	attrs                  []facts.Annotation
	base                   facts.CType
	typeNode               ts.Node // the type specifier: a struct body may hide in it
}

// specifiers reads a declaration, function definition, type definition,
// field or parameter: the specifiers before its first declarator, and its
// declarators (the children after its type that declare a name, or for a
// parameter an abstract declarator). Type annotations masked in [from,
// first declarator) go on the base type: in `const void __user *p`, __user
// qualifies the void.
func (x *extractor) specifiers(decl ts.Node, from uint32) (specs, []ts.Node) {
	var s specs
	var parts []textPart
	var decls []ts.Node
	typ := decl.Field(ts.CFieldType)
	typeEnd := typ.EndByte()
	limit := decl.EndByte()
	for _, c := range children(decl) {
		kind := c.Kind()
		if start := c.StartByte(); start >= typeEnd && isDeclarator(kind) {
			if len(decls) == 0 {
				limit = start
			}
			decls = append(decls, c)
			continue
		}
		if len(decls) > 0 {
			continue
		}
		switch kind {
		case ts.CKindStorageClassSpecifier:
			switch string(x.bytes(c)) {
			case "static":
				s.static = true
			case "extern":
				s.extern = true
			case "inline", "__inline", "__inline__", "__forceinline":
				s.inline = true
			}
		case ts.CKindTypeQualifier:
			switch q := string(x.bytes(c)); q {
			case "_Noreturn", "noreturn":
				s.noreturn = c
			default:
				s.base.Const = s.base.Const || q == "const"
				parts = append(parts, textPart{c.StartByte(), q})
			}
		case ts.CKindAttributeSpecifier:
			// An attribute list the mask left to the grammar.
			s.attrs = append(s.attrs, attrs("__attribute__", attrArgs(x.bytes(c)), x.span(c))...)
		}
	}
	if !typ.IsNull() {
		t := x.baseType(typ)
		s.typeNode = typ
		s.base.Kind, s.base.Name, s.base.Union = t.Kind, t.Name, t.Union
		parts = append(parts, textPart{typ.StartByte(), t.Text})
	}
	for _, a := range x.anns.in(from, limit) {
		if typeAnnots[a.Name] {
			s.base.Annots = append(s.base.Annots, a.Name)
			parts = append(parts, textPart{a.Start, a.Name})
		}
	}
	if s.base.Kind == 0 {
		s.base.Kind = facts.CTypeNamed
	}
	s.base.Text = joinParts(parts)
	return s, decls
}

// textPart is a piece of a base type's text at its source position.
type textPart struct {
	pos  uint32
	text string
}

func joinParts(parts []textPart) string {
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].pos < parts[j].pos })
	words := make([]string, 0, len(parts))
	for _, p := range parts {
		if p.text != "" {
			words = append(words, p.text)
		}
	}
	return capText(strings.Join(words, " "))
}

// baseType is the type a type specifier names; its Text is the specifier
// as written (`unsigned long int`, `struct device`), Name its normal form.
func (x *extractor) baseType(n ts.Node) facts.CType {
	switch n.Kind() {
	case ts.CKindPrimitiveType:
		name := string(x.bytes(n))
		if name == "void" {
			return facts.CType{Kind: facts.CTypeVoid, Text: name}
		}
		return facts.CType{Kind: facts.CTypeNamed, Name: name, Text: name}
	case ts.CKindSizedTypeSpecifier:
		return facts.CType{Kind: facts.CTypeNamed, Name: sizedName(n), Text: normalize(x.bytes(n))}
	case ts.CKindStructSpecifier, ts.CKindUnionSpecifier, ts.CKindEnumSpecifier:
		return recordType(n.Kind(), n.Field(ts.CFieldName).Text())
	default: // type_identifier, macro_type_specifier, or what an ERROR left
		t := normalizeCapped(x.bytes(n))
		return facts.CType{Kind: facts.CTypeNamed, Name: t, Text: t}
	}
}

// recordType is the type a struct, union or enum specifier (of the given
// node kind) with the tag name names.
func recordType(specifier, name string) facts.CType {
	keyword, kind := "struct", facts.CTypeRecord
	switch specifier {
	case ts.CKindUnionSpecifier:
		keyword = "union"
	case ts.CKindEnumSpecifier:
		keyword, kind = "enum", facts.CTypeEnum
	}
	t := facts.CType{Kind: kind, Name: name, Union: keyword == "union"}
	switch {
	case t.Name != "":
		t.Text = keyword + " " + t.Name
	default:
		t.Text = keyword + " {...}"
	}
	return t
}

// sizedName normalises a multiword integer type: `long unsigned int` and
// `unsigned long` are both "unsigned long"; `unsigned` is "unsigned int",
// `signed short int` is "short", `signed char` stays (it differs from char).
func sizedName(n ts.Node) string {
	var unsigned, signed, short bool
	longs := 0
	core := ""
	for _, c := range children(n) {
		switch t := c.Text(); t {
		case "unsigned":
			unsigned = true
		case "signed":
			signed = true
		case "short":
			short = true
		case "long":
			longs++
		default:
			core = t
		}
	}
	var words []string
	switch {
	case unsigned:
		words = append(words, "unsigned")
	case signed && core == "char":
		words = append(words, "signed")
	}
	switch {
	case short:
		words = append(words, "short")
	case longs == 1:
		words = append(words, "long")
	case longs > 1:
		words = append(words, "long", "long")
	}
	if core != "" && (core != "int" || len(words) == 0 || words[len(words)-1] == "unsigned") {
		words = append(words, core)
	} else if core == "" && (len(words) == 0 || words[len(words)-1] == "unsigned") {
		words = append(words, "int")
	}
	return strings.Join(words, " ")
}

// declared is what one declarator declares.
type declared struct {
	name     string
	nameSpan facts.Span
	typ      facts.CType
	// fn is the function_declarator when the declarator declares a
	// function (rather than, say, a pointer to one); typ is then the
	// function's return type.
	fn ts.Node
}

// declarator applies declarator d to base type t, outermost level first
// (in `int *a[4]` the array applies before the pointer), and returns the
// name it declares. Abstract declarators declare the name "".
func (x *extractor) declarator(d ts.Node, t facts.CType) declared {
	for depth := 0; depth < maxDeclaratorDepth; depth++ {
		switch d.Kind() {
		case ts.CKindIdentifier, ts.CKindFieldIdentifier, ts.CKindTypeIdentifier:
			return declared{name: d.Text(), nameSpan: x.span(d), typ: t}
		case ts.CKindPointerDeclarator, ts.CKindAbstractPointerDeclarator:
			inner := d.Field(ts.CFieldDeclarator)
			t = x.pointer(t, d, inner)
			d = inner
		case ts.CKindArrayDeclarator, ts.CKindAbstractArrayDeclarator:
			elem := t
			t = facts.CType{Kind: facts.CTypeArray, Elem: &elem, Len: normalizeCapped(x.bytes(d.Field(ts.CFieldSize)))}
			d = d.Field(ts.CFieldDeclarator)
		case ts.CKindFunctionDeclarator, ts.CKindAbstractFunctionDeclarator:
			inner := d.Field(ts.CFieldDeclarator)
			if name := unwrapParens(inner); isName(name) {
				return declared{name: name.Text(), nameSpan: x.span(name), typ: t, fn: d}
			}
			ft := x.funcType(t, d.Field(ts.CFieldParameters))
			t = facts.CType{Kind: facts.CTypeFunc, Func: &ft}
			d = inner
		case ts.CKindParenthesizedDeclarator, ts.CKindAbstractParenthesizedDeclarator, ts.CKindAttributedDeclarator:
			d = firstDeclarator(d)
		case ts.CKindInitDeclarator:
			d = d.Field(ts.CFieldDeclarator)
		default: // null: an abstract declarator ends; anything else is broken code
			return declared{typ: t}
		}
	}
	return declared{typ: t}
}

// pointer wraps t in the pointer level declared by d, whose qualifiers and
// masked annotations lie between its `*` and its inner declarator.
func (x *extractor) pointer(t facts.CType, d, inner ts.Node) facts.CType {
	elem := t
	p := facts.CType{Kind: facts.CTypePointer, Elem: &elem}
	end := d.EndByte()
	if !inner.IsNull() {
		end = inner.StartByte()
	}
	// The qualifiers are the words between the `*` and the inner
	// declarator; reading them from the text saves a walk of the node.
	if start := d.StartByte() + 1; start < end && int(end) <= len(x.text) {
		p.Const = hasWord(x.text[start:end], "const")
	}
	for _, a := range x.anns.in(d.StartByte(), end) {
		if typeAnnots[a.Name] {
			p.Annots = append(p.Annots, a.Name)
		}
	}
	return p
}

// funcType is the signature a parameter list gives a function returning ret.
func (x *extractor) funcType(ret facts.CType, list ts.Node) facts.CFuncType {
	ft := facts.CFuncType{Return: ret}
	if x.nesting >= maxDeclaratorDepth {
		return ft // parameters of parameters ... beyond what real code writes
	}
	x.nesting++
	defer func() { x.nesting-- }()
	params, variadic := x.params(list)
	for _, p := range params {
		ft.Params = append(ft.Params, p.Type)
	}
	ft.Variadic = variadic
	return ft
}

// params reads a parameter list. `(void)` has no parameters.
func (x *extractor) params(list ts.Node) ([]facts.CParam, bool) {
	var out []facts.CParam
	variadic := false
	lead := list.StartByte()
	for _, c := range children(list) {
		from := lead
		lead = c.EndByte()
		switch c.Kind() {
		case ts.CKindParameterDeclaration:
			// A leading `__force` or `__user` was blanked before the
			// parameter's first token: its region starts after the `(` or
			// `,` before it.
			s, decls := x.specifiers(c, from)
			var declarator ts.Node
			if len(decls) > 0 {
				declarator = decls[0]
			}
			d := x.declarator(declarator, s.base)
			if !d.fn.IsNull() {
				// A parameter declared as a function is a pointer to one.
				d.typ = x.funcPointer(d)
			}
			out = append(out, facts.CParam{Name: d.name, Type: withText(d.typ), Span: x.span(c)})
		case ts.CKindVariadicParameter:
			variadic = true
		}
	}
	if len(out) == 1 && out[0].Name == "" && out[0].Type.Kind == facts.CTypeVoid && out[0].Type.Text == "void" {
		out = nil
	}
	return out, variadic
}

// funcPointer is the type of a parameter written as a function
// (`int cmp(const void *, const void *)`), which C adjusts to a pointer.
func (x *extractor) funcPointer(d declared) facts.CType {
	ft := x.funcType(d.typ, d.fn.Field(ts.CFieldParameters))
	return facts.CType{Kind: facts.CTypePointer, Elem: &facts.CType{Kind: facts.CTypeFunc, Func: &ft}}
}

// unwrapParens strips parenthesized declarators around n.
func unwrapParens(n ts.Node) ts.Node {
	for depth := 0; depth < maxDeclaratorDepth && n.Kind() == ts.CKindParenthesizedDeclarator; depth++ {
		n = firstDeclarator(n)
	}
	return n
}

func isName(n ts.Node) bool {
	switch n.Kind() {
	case ts.CKindIdentifier, ts.CKindFieldIdentifier, ts.CKindTypeIdentifier:
		return true
	}
	return false
}

// firstDeclarator is the declarator inside a parenthesized or attributed
// declarator: its first named child that is not an attribute.
func firstDeclarator(n ts.Node) ts.Node {
	for _, c := range namedChildren(n) {
		switch c.Kind() {
		case ts.CKindAttributeDeclaration, ts.CKindAttributeSpecifier, ts.CKindComment,
			ts.CKindMsCallModifier, ts.CKindTypeQualifier:
			continue
		}
		return c
	}
	return ts.Node{}
}

// withText fills the Text of every level of t that lacks one, rendering
// it as C writes it: `char *const`, `void (*)(void *)`, `int (*)[4]`.
func withText(t facts.CType) facts.CType {
	fillText(&t, 0)
	return t
}

func fillText(t *facts.CType, depth int) {
	if t == nil || depth > 2*maxDeclaratorDepth {
		return
	}
	if t.Elem != nil {
		e := *t.Elem
		fillText(&e, depth+1)
		t.Elem = &e
	}
	if t.Func != nil {
		f := *t.Func
		fillText(&f.Return, depth+1)
		f.Params = append([]facts.CType(nil), f.Params...)
		for i := range f.Params {
			fillText(&f.Params[i], depth+1)
		}
		t.Func = &f
	}
	if t.Text == "" {
		t.Text = render(t, "")
	}
}

// render writes t around inner, the part of an abstract declarator
// already rendered.
func render(t *facts.CType, inner string) string {
	if t == nil {
		return strings.TrimSpace(inner)
	}
	switch t.Kind {
	case facts.CTypePointer:
		star := "*"
		var quals []string
		if t.Const {
			quals = append(quals, "const")
		}
		quals = append(quals, t.Annots...)
		if len(quals) > 0 {
			star += strings.Join(quals, " ")
			if inner != "" {
				star += " "
			}
		}
		return render(t.Elem, star+inner)
	case facts.CTypeArray:
		if strings.HasPrefix(inner, "*") {
			inner = "(" + inner + ")"
		}
		return render(t.Elem, inner+"["+t.Len+"]")
	case facts.CTypeFunc:
		if strings.HasPrefix(inner, "*") {
			inner = "(" + inner + ")"
		}
		if t.Func == nil {
			return inner + "()"
		}
		return render(&t.Func.Return, inner+"("+renderParams(t.Func)+")")
	}
	if inner == "" {
		return t.Text
	}
	return t.Text + " " + inner
}

func renderParams(f *facts.CFuncType) string {
	ps := make([]string, 0, len(f.Params)+1)
	for i := range f.Params {
		ps = append(ps, render(&f.Params[i], ""))
	}
	if f.Variadic {
		ps = append(ps, "...")
	}
	if len(ps) == 0 {
		return "void"
	}
	return strings.Join(ps, ", ")
}
