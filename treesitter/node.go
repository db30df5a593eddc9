package treesitter

import (
	"runtime"

	sitter "github.com/smacker/go-tree-sitter"
)

// Node is a syntax node. The zero Node is null: every method on it is safe
// and returns a zero value, so callers can chain Field and Child lookups
// without checking each step. A Node is valid until its Tree is closed and,
// like its Tree, must not be used from two goroutines at once.
type Node struct {
	n   *sitter.Node
	src []byte // the original (unmasked) text of the tree
}

// Point is a zero-based row and a byte column.
type Point struct {
	Row    uint32
	Column uint32
}

func wrap(n *sitter.Node, src []byte) Node {
	if n == nil || n.IsNull() {
		return Node{}
	}
	return Node{n: n, src: src}
}

// IsNull reports whether n is the null node.
func (n Node) IsNull() bool { return n.n == nil }

// Kind is the grammar's node type, such as "function_definition".
func (n Node) Kind() string {
	if n.n == nil {
		return ""
	}
	return n.n.Type()
}

// StartByte is the offset of the node's first byte.
func (n Node) StartByte() uint32 {
	if n.n == nil {
		return 0
	}
	return n.n.StartByte()
}

// EndByte is the offset just past the node's last byte.
func (n Node) EndByte() uint32 {
	if n.n == nil {
		return 0
	}
	return n.n.EndByte()
}

// StartPoint is the node's start as row and byte column.
func (n Node) StartPoint() Point {
	if n.n == nil {
		return Point{}
	}
	p := n.n.StartPoint()
	return Point{Row: p.Row, Column: p.Column}
}

// EndPoint is the node's end as row and byte column.
func (n Node) EndPoint() Point {
	if n.n == nil {
		return Point{}
	}
	p := n.n.EndPoint()
	return Point{Row: p.Row, Column: p.Column}
}

// Text is the node's original source text (annotations unmasked).
func (n Node) Text() string {
	if n.n == nil {
		return ""
	}
	s, e := n.n.StartByte(), n.n.EndByte()
	if int(e) > len(n.src) || s > e {
		return ""
	}
	return string(n.src[s:e])
}

// IsNamed reports whether the node is a named node (not punctuation).
func (n Node) IsNamed() bool { return n.n != nil && n.n.IsNamed() }

// IsError reports whether the node is an ERROR node.
func (n Node) IsError() bool { return n.n != nil && n.n.IsError() }

// IsMissing reports whether the parser inserted the node to recover.
func (n Node) IsMissing() bool { return n.n != nil && n.n.IsMissing() }

// IsExtra reports whether the node is an extra, such as a comment.
func (n Node) IsExtra() bool { return n.n != nil && n.n.IsExtra() }

// HasError reports whether the node is or contains an ERROR or MISSING node.
func (n Node) HasError() bool { return n.n != nil && n.n.HasError() }

// ChildCount is the number of children, named or not.
func (n Node) ChildCount() int {
	if n.n == nil {
		return 0
	}
	return int(n.n.ChildCount())
}

// Child returns the i-th child, or the null node.
func (n Node) Child(i int) Node {
	if n.n == nil || i < 0 || i >= n.ChildCount() {
		return Node{}
	}
	return wrap(n.n.Child(i), n.src)
}

// NamedChildCount is the number of named children.
func (n Node) NamedChildCount() int {
	if n.n == nil {
		return 0
	}
	return int(n.n.NamedChildCount())
}

// NamedChild returns the i-th named child, or the null node.
func (n Node) NamedChild(i int) Node {
	if n.n == nil || i < 0 || i >= n.NamedChildCount() {
		return Node{}
	}
	return wrap(n.n.NamedChild(i), n.src)
}

// Field returns the child with the given field name, or the null node.
func (n Node) Field(name string) Node {
	if n.n == nil {
		return Node{}
	}
	return wrap(n.n.ChildByFieldName(name), n.src)
}

// FieldNameForChild returns the field name of the i-th child, or "".
func (n Node) FieldNameForChild(i int) string {
	if n.n == nil || i < 0 || i >= n.ChildCount() {
		return ""
	}
	return n.n.FieldNameForChild(i)
}

// Parent returns the parent, or the null node at the root.
func (n Node) Parent() Node {
	if n.n == nil {
		return Node{}
	}
	return wrap(n.n.Parent(), n.src)
}

// NextSibling returns the next sibling, or the null node.
func (n Node) NextSibling() Node {
	if n.n == nil {
		return Node{}
	}
	return wrap(n.n.NextSibling(), n.src)
}

// PrevSibling returns the previous sibling, or the null node.
func (n Node) PrevSibling() Node {
	if n.n == nil {
		return Node{}
	}
	return wrap(n.n.PrevSibling(), n.src)
}

// NextNamedSibling returns the next named sibling, or the null node.
func (n Node) NextNamedSibling() Node {
	if n.n == nil {
		return Node{}
	}
	return wrap(n.n.NextNamedSibling(), n.src)
}

// PrevNamedSibling returns the previous named sibling, or the null node.
func (n Node) PrevNamedSibling() Node {
	if n.n == nil {
		return Node{}
	}
	return wrap(n.n.PrevNamedSibling(), n.src)
}

// Children returns all children in order.
func (n Node) Children() []Node { return n.children(false) }

// NamedChildren returns the named children in order.
func (n Node) NamedChildren() []Node { return n.children(true) }

// children lists the children through a tree cursor: Child(i) costs
// O(i), and an error node of a broken file can have hundreds of
// thousands of children.
func (n Node) children(namedOnly bool) []Node {
	if n.n == nil {
		return nil
	}
	out := make([]Node, 0, n.ChildCount())
	c := sitter.NewTreeCursor(n.n)
	defer closeCursor(c)
	for ok := c.GoToFirstChild(); ok; ok = c.GoToNextSibling() {
		if cn := c.CurrentNode(); !namedOnly || cn.IsNamed() {
			out = append(out, wrap(cn, n.src))
		}
	}
	return out
}

// Equal reports whether a and b are the same node of the same tree.
func (n Node) Equal(o Node) bool {
	if n.n == nil || o.n == nil {
		return n.n == nil && o.n == nil
	}
	return n.n.Equal(o.n)
}

// Walk visits n and its descendants in document order. visit returns
// false to skip a node's children. It uses a tree cursor, which is much
// cheaper than Child calls across cgo.
func (n Node) Walk(visit func(Node) bool) {
	if n.n == nil {
		return
	}
	c := sitter.NewTreeCursor(n.n)
	defer closeCursor(c)
	for {
		if visit(wrap(c.CurrentNode(), n.src)) && c.GoToFirstChild() {
			continue
		}
		for !c.GoToNextSibling() {
			if !c.GoToParent() {
				return
			}
		}
	}
}

// DescendantForByteRange returns the smallest named node spanning
// [start, end), or the null node.
func (n Node) DescendantForByteRange(start, end uint32) Node {
	if n.n == nil {
		return Node{}
	}
	return n.descendantBytes(start, end)
}

func (n Node) descendantBytes(start, end uint32) Node {
	// Walk down from n while a named child still spans the range.
	cur := n
	for {
		next := Node{}
		for i := 0; i < cur.NamedChildCount(); i++ {
			c := cur.NamedChild(i)
			if c.StartByte() <= start && end <= c.EndByte() {
				next = c
				break
			}
		}
		if next.IsNull() {
			return cur
		}
		cur = next
	}
}

// SExpr is the node's subtree as an S-expression of node kinds with field
// names, e.g. `(call_expression function: (identifier) arguments:
// (argument_list))`. Anonymous nodes are left out and MISSING nodes read
// `(MISSING kind)`. Two trees with the same SExpr have the same shape.
func (n Node) SExpr() string {
	if n.n == nil {
		return ""
	}
	return n.n.String()
}

// Descendants returns the nodes of the given kind strictly below n, in
// document order.
func (n Node) Descendants(kind string) []Node {
	var out []Node
	n.Walk(func(d Node) bool {
		if d.Kind() == kind && !d.Equal(n) {
			out = append(out, d)
		}
		return true
	})
	return out
}

// FirstChildOfKind returns the first direct child of the given kind, or
// the null node.
func (n Node) FirstChildOfKind(kind string) Node {
	for i := 0; i < n.ChildCount(); i++ {
		if c := n.Child(i); c.Kind() == kind {
			return c
		}
	}
	return Node{}
}

// Ancestor returns the nearest node above n whose kind is one of kinds,
// or the null node.
func (n Node) Ancestor(kinds ...string) Node {
	for p := n.Parent(); !p.IsNull(); p = p.Parent() {
		for _, k := range kinds {
			if p.Kind() == k {
				return p
			}
		}
	}
	return Node{}
}

// closeCursor frees a cursor now and drops its finalizer: a cursor with a
// finalizer keeps its tree's Go-side node cache alive for another garbage
// collection, which on a busy indexer holds tens of MB of dead trees.
func closeCursor(c *sitter.TreeCursor) {
	c.Close()
	runtime.SetFinalizer(c, nil)
}
