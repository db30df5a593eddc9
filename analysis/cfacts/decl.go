package cfacts

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// declaration reads a function definition or a declaration: functions,
// prototypes and globals, and a record defined in its type.
func (x *extractor) declaration(n ts.Node, lead uint32) {
	leading := x.leadingAttrs(lead, n.StartByte())
	start := n.StartByte()
	if len(leading) > 0 {
		start = leading[0].Start
	}
	s, decls := x.specifiers(n, lead)
	x.recordIn(s.typeNode, start)
	body := n.Field(ts.CFieldBody)
	for _, d := range decls {
		dd := x.declarator(d, s.base)
		switch {
		case !dd.fn.IsNull():
			x.out.Funcs = append(x.out.Funcs, x.function(n, start, leading, s, dd, body))
		case dd.name != "" && body.IsNull():
			var init ts.Node
			if d.Kind() == ts.CKindInitDeclarator {
				init = d.Field(ts.CFieldValue)
			}
			x.out.Globals = append(x.out.Globals, facts.CGlobal{
				Name:     dd.name,
				NameSpan: dd.nameSpan,
				Span:     x.spanOf(start, n.EndByte()),
				Type:     withText(dd.typ),
				Static:   s.static,
				Extern:   s.extern,
				Init:     normalizeCapped(x.bytes(init)),
			})
		}
	}
}

// leadingAttrs are the declaration attributes the mask blanked in
// [lead, start), before a declaration's first token. A blanked macro ending
// in `;` (`__setup(...);`) is a statement of its own.
func (x *extractor) leadingAttrs(lead, start uint32) []ts.Annotation {
	var out []ts.Annotation
	for _, a := range x.anns.in(lead, start) {
		if isDeclAttr(a.Name) && !typeAnnots[a.Name] && !x.endsStatement(a.End) {
			out = append(out, a)
		}
	}
	return out
}

// endsStatement reports whether a `;` ends the text at off, or follows it
// after spaces.
func (x *extractor) endsStatement(off uint32) bool {
	if off > 0 && int(off) <= len(x.text) && x.text[off-1] == ';' {
		return true
	}
	rest := bytes.TrimLeft(x.text[min(int(off), len(x.text)):], " \t\r\n")
	return len(rest) > 0 && rest[0] == ';'
}

// function builds the facts of the function that declarator d of
// declaration n declares; body is null for a prototype.
func (x *extractor) function(n ts.Node, start uint32, leading []ts.Annotation, s specs, d declared, body ts.Node) facts.CFunc {
	plist := d.fn.Field(ts.CFieldParameters)
	params, variadic := x.params(plist)
	f := facts.CFunc{
		Name:       d.name,
		NameSpan:   d.nameSpan,
		Span:       x.spanOf(start, n.EndByte()),
		Definition: !body.IsNull(),
		Static:     s.static,
		Return:     withText(d.typ),
		Params:     params,
		Variadic:   variadic,
		Attrs:      x.funcAttrs(n, leading, s, d.fn, plist, body),
	}
	f.Inline = s.inline || f.HasAttr("__always_inline")
	f.Doc, f.DocSpan = x.doc(start)
	if !body.IsNull() {
		x.excluded = append(x.excluded, facts.Span{Start: body.StartByte(), End: body.EndByte()})
		f.Calls, f.Body = x.body(body, f)
	}
	return f
}

// funcAttrs are a function's attributes, normalised, in source order: the
// masked annotations before its parameter list (leading ones included) and
// after it (`__acquires(x)` often follows the `)`), `__attribute__` lists
// the mask left to the grammar, and `_Noreturn`.
func (x *extractor) funcAttrs(n ts.Node, leading []ts.Annotation, s specs, fn, plist, body ts.Node) []facts.Annotation {
	end := n.EndByte()
	if !body.IsNull() {
		end = body.StartByte()
	}
	var out []facts.Annotation
	for _, a := range slices.Concat(leading, x.anns.in(n.StartByte(), plist.StartByte()), x.anns.in(plist.EndByte(), end)) {
		if isDeclAttr(a.Name) && !typeAnnots[a.Name] {
			out = append(out, attrs(a.Name, a.Args, x.spanOf(a.Start, a.End))...)
		}
	}
	out = append(out, s.attrs...)
	for _, c := range namedChildren(fn) {
		if c.Kind() == ts.CKindAttributeSpecifier {
			out = append(out, attrs("__attribute__", attrArgs(x.bytes(c)), x.span(c))...)
		}
	}
	if !s.noreturn.IsNull() {
		out = append(out, facts.Annotation{Name: facts.AttrNoreturn, Span: x.span(s.noreturn)})
	}
	slices.SortStableFunc(out, func(a, b facts.Annotation) int { return cmp.Compare(a.Span.Start, b.Span.Start) })
	return out
}

// attrArgs is the argument text of an `__attribute__((...))` specifier the
// grammar parsed: "(noreturn)".
func attrArgs(b []byte) string {
	s := normalize(b)
	if i := strings.IndexByte(s, '('); i >= 0 {
		return unparen(s[i:])
	}
	return ""
}

// typedef reads `typedef TYPE NAME, ...;`.
func (x *extractor) typedef(n ts.Node) {
	s, decls := x.specifiers(n, n.StartByte())
	x.recordIn(s.typeNode, n.StartByte())
	for _, d := range decls {
		dd := x.declarator(d, s.base)
		t := dd.typ
		if !dd.fn.IsNull() { // typedef int fn_t(void *);
			ft := x.funcType(dd.typ, dd.fn.Field(ts.CFieldParameters))
			t = facts.CType{Kind: facts.CTypeFunc, Func: &ft}
		}
		if dd.name == "" {
			continue
		}
		x.out.Typedefs = append(x.out.Typedefs, facts.CTypedef{Name: dd.name, NameSpan: dd.nameSpan, Span: x.span(n), Type: withText(t)})
	}
}

// recordIn records the struct, union or enum a declaration defines in its
// type, if any. docAt is where the declaration starts: its kernel-doc sits
// above the whole declaration.
func (x *extractor) recordIn(t ts.Node, docAt uint32) {
	switch t.Kind() {
	case ts.CKindStructSpecifier, ts.CKindUnionSpecifier, ts.CKindEnumSpecifier:
		if !t.Field(ts.CFieldBody).IsNull() {
			x.record(t, docAt)
		}
	}
}

// record reads a struct, union or enum specifier: a definition with its
// fields (or enumerators), or a forward declaration.
func (x *extractor) record(n ts.Node, docAt uint32) {
	name := n.Field(ts.CFieldName)
	t := recordType(n.Kind(), name.Text())
	kind := "struct"
	switch {
	case t.Kind == facts.CTypeEnum:
		kind = "enum"
	case t.Union:
		kind = "union"
	}
	body := n.Field(ts.CFieldBody)
	r := facts.CRecord{Kind: kind, Name: t.Name, NameSpan: x.span(name), Span: x.span(n), Definition: !body.IsNull()}
	r.Doc, _ = x.doc(docAt)
	i := len(x.out.Records)
	x.out.Records = append(x.out.Records, r)
	if kind == "enum" {
		x.enumerators(body, t.Name)
		return
	}
	// Nested named records are appended after this one, in source order.
	x.out.Records[i].Fields = x.fields(body, nil)
}

// fields appends the members of a field list to out. The members of an
// anonymous struct or union member are the outer record's own (`dev->x`
// reaches them), so they are flattened.
func (x *extractor) fields(list ts.Node, out []facts.CField) []facts.CField {
	lead := list.StartByte()
	for _, c := range children(list) {
		from := lead
		lead = c.EndByte()
		switch c.Kind() {
		case ts.CKindFieldDeclaration:
			out = x.fieldDecl(c, from, out)
		default:
			if isBranch(c) {
				out = x.fields(c, out)
			}
		}
	}
	return out
}

// fieldDecl appends the fields of declaration c, whose leading blanked
// annotations start at from.
func (x *extractor) fieldDecl(c ts.Node, from uint32, out []facts.CField) []facts.CField {
	s, decls := x.specifiers(c, from)
	if k := s.base.Kind; k == facts.CTypeRecord || k == facts.CTypeEnum {
		body := s.typeNode.Field(ts.CFieldBody)
		switch {
		case body.IsNull():
		case s.base.Name == "" && len(decls) == 0 && k == facts.CTypeEnum:
			x.enumerators(body, "")
			return out
		case s.base.Name == "" && len(decls) == 0:
			return x.fields(body, out)
		case s.base.Name != "":
			x.record(s.typeNode, s.typeNode.StartByte())
		}
	}
	for _, d := range decls {
		dd := x.declarator(d, s.base)
		t := dd.typ
		if !dd.fn.IsNull() {
			ft := x.funcType(dd.typ, dd.fn.Field(ts.CFieldParameters))
			t = facts.CType{Kind: facts.CTypeFunc, Func: &ft}
		}
		out = append(out, facts.CField{Name: dd.name, Type: withText(t), Span: x.span(c)})
	}
	return out
}

// enumerators appends the constants of an enumerator list.
func (x *extractor) enumerators(list ts.Node, enum string) {
	for _, c := range namedChildren(list) {
		switch c.Kind() {
		case ts.CKindEnumerator:
			name := c.Field(ts.CFieldName)
			x.out.Enumerators = append(x.out.Enumerators, facts.CEnumerator{
				Name:     name.Text(),
				NameSpan: x.span(name),
				Enum:     enum,
				Value:    normalizeCapped(x.bytes(c.Field(ts.CFieldValue))),
			})
		default:
			if isBranch(c) {
				x.enumerators(c, enum)
			}
		}
	}
}

// macro reads the #define whose `#` starts n.
func (x *extractor) macro(n ts.Node) {
	m, end, ok := macroAt(x.text, int(n.StartByte()))
	if !ok {
		return
	}
	x.excluded = append(x.excluded, m.Span)
	x.skipUntil = max(x.skipUntil, uint32(end))
	m.Doc, _ = x.doc(m.Span.Start)
	m.NameSpan = x.spanOf(m.NameSpan.Start, m.NameSpan.End)
	m.Span = x.spanOf(m.Span.Start, m.Span.End)
	x.out.Macros = append(x.out.Macros, m)
}

// include reads an #include line.
func (x *extractor) include(n ts.Node) {
	path := n.Field(ts.CFieldPath)
	p := normalize(x.bytes(path))
	inc := facts.CInclude{Path: p, Span: x.spanOf(n.StartByte(), uint32(trimNewline(x.text, int(n.EndByte()))))}
	switch path.Kind() {
	case ts.CKindSystemLibString, ts.CKindStringLiteral:
		inc.System = path.Kind() == ts.CKindSystemLibString
		if len(p) >= 2 {
			inc.Path = p[1 : len(p)-1]
		}
	}
	x.out.Includes = append(x.out.Includes, inc)
}

// trimNewline backs end over the line break a preprocessor node ends with.
func trimNewline(text []byte, end int) int {
	for end > 0 && end <= len(text) && (text[end-1] == '\n' || text[end-1] == '\r') {
		end--
	}
	return end
}

// isBranch reports whether n groups members of a list without being one:
// a preprocessor conditional or an ERROR the parser recovered from.
func isBranch(n ts.Node) bool {
	switch n.Kind() {
	case ts.CKindPreprocIf, ts.CKindPreprocIfdef, ts.CKindPreprocElse, ts.CKindPreprocElif, ts.CKindPreprocElifdef:
		return true
	}
	return n.IsError()
}
