package cfacts

import ts "github.com/rivet-lsp/rivet/treesitter"

// children returns n's children in order. Node.Children asks tree-sitter
// for each child by index, which takes time linear in the index: quadratic
// over the thousands of items of a large header or enum. A cursor walk is
// linear.
func children(n ts.Node) []ts.Node {
	var out []ts.Node
	self := true
	n.Walk(func(c ts.Node) bool {
		if self {
			self = false
			return true
		}
		out = append(out, c)
		return false
	})
	return out
}

// namedChildren is children without punctuation, keywords and comments.
func namedChildren(n ts.Node) []ts.Node {
	var out []ts.Node
	for _, c := range children(n) {
		if c.IsNamed() && c.Kind() != ts.CKindComment {
			out = append(out, c)
		}
	}
	return out
}

// declarators are the declarators of a declaration, function definition,
// type definition, field or parameter: the children after its type that
// declare a name (or, for a parameter, an abstract declarator).
func declarators(n ts.Node) []ts.Node {
	after := n.Field(ts.CFieldType).EndByte()
	var out []ts.Node
	for _, c := range children(n) {
		if c.StartByte() >= after && isDeclarator(c.Kind()) {
			out = append(out, c)
		}
	}
	return out
}

func isDeclarator(kind string) bool {
	switch kind {
	case ts.CKindIdentifier, ts.CKindFieldIdentifier, ts.CKindTypeIdentifier, ts.CKindPrimitiveType,
		ts.CKindPointerDeclarator, ts.CKindFunctionDeclarator, ts.CKindArrayDeclarator,
		ts.CKindParenthesizedDeclarator, ts.CKindAttributedDeclarator, ts.CKindInitDeclarator,
		ts.CKindAbstractPointerDeclarator, ts.CKindAbstractFunctionDeclarator,
		ts.CKindAbstractArrayDeclarator, ts.CKindAbstractParenthesizedDeclarator:
		return true
	}
	return false
}
