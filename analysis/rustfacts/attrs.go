package rustfacts

import (
	"strings"

	"github.com/rivet-lsp/rivet/treesitter"
)

// itemAttrs is what an item's outer attributes and doc comments say.
type itemAttrs struct {
	noMangle    bool
	exportName  string
	linkName    string
	macroExport bool
	repr        []string
	docLines    []string
}

func (a *itemAttrs) doc() string { return strings.Join(a.docLines, "\n") }

// leadingAttrs reads the attributes and doc comments right before an
// item: its preceding siblings up to the first one that is neither an
// attribute nor a comment, in source order. Plain comments are skipped.
func (x *extractor) leadingAttrs(before []treesitter.Node) itemAttrs {
	var a itemAttrs
	for _, p := range before {
		if p.Kind() == treesitter.RustKindAttributeItem {
			for _, at := range p.NamedChildren() {
				if at.Kind() == treesitter.RustKindAttribute {
					x.attribute(at, &a)
				}
			}
			continue
		}
		if !p.Field(treesitter.RustFieldOuter).IsNull() {
			a.docLines = append(a.docLines, docLines(p)...)
		}
	}
	return a
}

// attribute applies one attribute. `#[unsafe(no_mangle)]` and
// `#[unsafe(export_name = "x")]` (Rust 2024) parse as an attribute named
// unsafe whose token tree holds the real one; the mask may also have
// blanked the `unsafe(` and `)`, leaving the plain form.
func (x *extractor) attribute(at treesitter.Node, a *itemAttrs) {
	name := at.NamedChild(0).Text()
	args := at.Field(treesitter.RustFieldArguments)
	value := unquote(at.Field(treesitter.RustFieldValue).Text())
	if name == tokUnsafe && !args.IsNull() {
		name, value = innerAttribute(args)
	}
	switch name {
	case "no_mangle", "export":
		// The kernel's #[export] (rust/macros) adds #[no_mangle] after
		// checking the signature against the C declaration bindgen saw.
		a.noMangle = true
	case "export_name":
		a.exportName = value
	case "link_name":
		a.linkName = value
	case "macro_export":
		a.macroExport = true
	case "repr":
		a.repr = append(a.repr, splitArgs(args)...)
	case "doc":
		if value != "" {
			a.docLines = append(a.docLines, strings.Split(strings.TrimPrefix(value, " "), `\n`)...)
		}
	}
}

// innerAttribute reads `name` or `name = "value"` from the token tree of
// an unsafe(...) attribute.
func innerAttribute(tt treesitter.Node) (name, value string) {
	for _, c := range tt.NamedChildren() {
		switch c.Kind() {
		case treesitter.RustKindIdentifier:
			if name == "" {
				name = c.Text()
			}
		case treesitter.RustKindStringLiteral, treesitter.RustKindRawStringLiteral:
			value = unquote(c.Text())
		}
	}
	return name, value
}

// splitArgs splits the inside of a token tree at its top-level commas:
// `(C, packed, align(8))` gives "C", "packed", "align(8)".
func splitArgs(tt treesitter.Node) []string {
	inner := tt.Text()
	if len(inner) < 2 {
		return nil
	}
	inner = inner[1 : len(inner)-1]
	var out []string
	depth, start := 0, 0
	for i := 0; i <= len(inner); i++ {
		if i < len(inner) {
			switch inner[i] {
			case '(', '[', '{':
				depth++
				continue
			case ')', ']', '}':
				depth--
				continue
			case ',':
				if depth != 0 {
					continue
				}
			default:
				continue
			}
		}
		if arg := norm(strings.TrimSpace(inner[start:i])); arg != "" {
			out = append(out, arg)
		}
		start = i + 1
	}
	return out
}

// docLines is the text of an outer doc comment, markers stripped: `///
// text` gives "text"; a `/** ... */` block gives its lines without the
// leading ` * `.
func docLines(c treesitter.Node) []string {
	text := c.Field(treesitter.RustFieldDoc).Text()
	if c.Kind() == treesitter.RustKindLineComment {
		text = strings.TrimSuffix(strings.TrimSuffix(text, "\n"), "\r")
		return []string{strings.TrimPrefix(text, " ")}
	}
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimLeft(l, " \t")
		l = strings.TrimPrefix(strings.TrimPrefix(l, "*"), " ")
		out = append(out, strings.TrimRight(l, " \t\r"))
	}
	for len(out) > 0 && out[0] == "" {
		out = out[1:]
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// hasSafetySection reports whether doc lines hold a markdown heading
// "Safety" (`# Safety`, `## Safety`) outside code fences.
func hasSafetySection(lines []string) bool {
	fenced := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") {
			fenced = !fenced
			continue
		}
		if fenced || !strings.HasPrefix(t, "#") {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(strings.TrimLeft(t, "#")), "safety") {
			return true
		}
	}
	return false
}

// unquote strips the quotes of a string literal, raw ones (r#"..."#)
// included. Escapes are kept as written: symbol names have none.
func unquote(lit string) string {
	s := strings.TrimPrefix(lit, "r")
	hashes := len(s) - len(strings.TrimLeft(s, "#"))
	s = s[hashes:]
	s = strings.TrimSuffix(s, strings.Repeat("#", hashes))
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return ""
}

// norm is text with each run of whitespace made one space, and none left
// next to `::` or inside brackets' edges, so multi-line types and paths
// read as on one line: "Foo<\n    T,\n>" gives "Foo<T,>".
func norm(s string) string {
	if !strings.ContainsAny(s, "\n\t\r") && !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			space = true
			continue
		}
		if space && b.Len() > 0 && !glue(lastByte(&b), c) {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}

// glue reports whether no space belongs between a and b.
func glue(a, b byte) bool {
	return a == ':' || b == ':' || a == '<' || a == '(' || a == '[' || b == '>' || b == ')' || b == ']' || b == ','
}

func lastByte(b *strings.Builder) byte {
	s := b.String()
	return s[len(s)-1]
}

// annotationNear finds a mask annotation accepted by match that lies
// within [start, end) or ends before start with only whitespace between:
// the mask blanks qualifiers such as `unsafe` in front of an item, so the
// item's node starts after them.
func (x *extractor) annotationNear(start, end uint32, match func(name string) bool) (treesitter.Annotation, bool) {
	for _, a := range x.anns {
		if a.Start >= end {
			break
		}
		inside := a.Start >= start && a.End <= end
		if (inside || a.End <= start && x.blank(a.End, start)) && match(a.Name) {
			return a, true
		}
	}
	return treesitter.Annotation{}, false
}

// blank reports whether the source between start and end is whitespace.
func (x *extractor) blank(start, end uint32) bool {
	for _, c := range x.slice(start, end) {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// annUnsafeExtern matches the mask's record of the `unsafe` it blanked
// before `extern "C" {`.
func annUnsafeExtern(name string) bool { return name == treesitter.AnnUnsafeExtern }

// annSafe matches the mask's record of a blanked `safe` item qualifier.
func annSafe(name string) bool { return name == treesitter.AnnSafeItem }
