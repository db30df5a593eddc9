package cfacts

import ts "github.com/rivet-lsp/rivet/treesitter"

// children returns n's children in order. Node.Child(i) costs tree-sitter
// time linear in i, so indexing is quadratic over the thousands of items
// of a large header or enum; a cursor walk is linear but costs more calls
// per child. Small nodes, the vast majority, are indexed.
func children(n ts.Node) []ts.Node {
	count := n.ChildCount()
	if count <= smallNode {
		out := make([]ts.Node, count)
		for i := range out {
			out[i] = n.Child(i)
		}
		return out
	}
	out := make([]ts.Node, 0, count)
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

// smallNode is the child count up to which children indexes.
const smallNode = 16

// namedChildren is children without punctuation and comments. It tells
// punctuation by its kind, which starts with no letter: it is meant for
// lists (arguments, enumerators, a pointer's qualifiers) whose only
// anonymous children are punctuation.
func namedChildren(n ts.Node) []ts.Node {
	var out []ts.Node
	for _, c := range children(n) {
		if k := c.Kind(); k != "" && k[0] >= 'a' && k[0] <= 'z' && k != ts.CKindComment {
			out = append(out, c)
		}
	}
	return out
}

// isDeclarator reports whether a child of a declaration-like node after
// its type declares a name.
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
