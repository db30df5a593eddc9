package treesitter

import (
	sitter "github.com/smacker/go-tree-sitter"
)

// MaxDepth is the deepest nesting rivet analyses. The extractors, the
// ownership tracker and the rules walk trees recursively, and running out
// of goroutine stack is fatal to the process: a 16 MB Rust file of
// `1 + 1 + ...` (four million levels) took rivet down, and a tree that
// deep can come from any file of the tree, which every start indexes
// again. Real code nests a few dozen levels; 262,144 levels of the
// deepest constructs were walked by every feature under the stress
// client without trouble.
//
// A text whose tree nests deeper is parsed as a blank text of the same
// length (every byte but line terminators a space): the tree keeps the
// text's size, lines and positions, and has no syntax to analyse. Tree.
// TooDeep reports it.
const MaxDepth = 1 << 18

// tooDeep reports whether t, the tree of a text of n bytes, nests deeper
// than MaxDepth. No construct of the C and Rust grammars nests more than
// one level per byte (unary chains, blocks, parentheses, pointer
// declarators measured), so shorter texts are not walked: a walk costs
// about a third of the parse.
func tooDeep(t *sitter.Tree, n int) bool {
	if n < MaxDepth-depthSlack {
		return false
	}
	c := sitter.NewTreeCursor(t.RootNode())
	defer c.Close()
	depth := 0
	for {
		if c.GoToFirstChild() {
			if depth++; depth > MaxDepth {
				return true
			}
			continue
		}
		for !c.GoToNextSibling() {
			if !c.GoToParent() {
				return false
			}
			depth--
		}
	}
}

// depthSlack covers the few levels every tree has above its first byte's
// constructs (source file, item, block).
const depthSlack = 64

// blank returns text with every byte but line terminators replaced by a
// space.
func blank(text []byte) []byte {
	out := make([]byte, len(text))
	for i, c := range text {
		if c == '\n' || c == '\r' {
			out[i] = c
		} else {
			out[i] = ' '
		}
	}
	return out
}
