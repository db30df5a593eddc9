package treesitter

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// deepRust is a Rust text whose tree nests levels deep: a chain of
// unary minus, one level per byte.
func deepRust(levels int) []byte {
	return []byte("fn f() {\n    let x = " + strings.Repeat("-", levels) + "1;\n}\n")
}

// TestTooDeepParsesBlank: a tree deeper than MaxDepth becomes the tree of
// a blank text of the same length and lines, so no recursive walk can
// exhaust the stack; a large shallow text and a text just under the
// limit are parsed as they are.
func TestTooDeepParsesBlank(t *testing.T) {
	ctx := context.Background()
	src := deepRust(MaxDepth + 100)
	tr, err := Parse(ctx, Rust, src)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if !tr.TooDeep() || tr.Root().NamedChildCount() != 0 {
		t.Fatalf("a tree %d levels deep: TooDeep %v, %d named children at the root; want a blank tree",
			MaxDepth+100, tr.TooDeep(), tr.Root().NamedChildCount())
	}
	if !bytes.Equal(tr.Source(), src) || len(tr.Masked()) != len(src) || bytes.Count(tr.Masked(), []byte("\n")) != 3 {
		t.Error("the blank tree lost the text's size, lines or source")
	}

	for name, ok := range map[string][]byte{
		"just under the limit": deepRust(MaxDepth - 2*depthSlack),
		"large and shallow":    bytes.Repeat([]byte("fn f(x: u8) -> u8 { -x }\n"), MaxDepth/10),
	} {
		tr, err := Parse(ctx, Rust, ok)
		if err != nil {
			t.Fatal(err)
		}
		if tr.TooDeep() || tr.Root().NamedChildCount() == 0 {
			t.Errorf("%s: TooDeep %v, %d items; want the text's own tree", name, tr.TooDeep(), tr.Root().NamedChildCount())
		}
		tr.Close()
	}
}

// TestReparseGuardsDepth: a reparse whose tree nests deeper than MaxDepth
// gives the blank tree a full parse gives, and one back to a shallow text
// gives that text's tree. (tree-sitter's own incremental trees of long
// chains edited in place differ from full parses and stay shallow, so the
// reparse starts from an empty text.)
func TestReparseGuardsDepth(t *testing.T) {
	ctx := context.Background()
	tr, err := Parse(ctx, Rust, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, next := range [][]byte{deepRust(MaxDepth + 100), deepRust(10)} {
		nt, err := tr.Reparse(ctx, next)
		if err != nil {
			t.Fatal(err)
		}
		tr.Close()
		tr = nt
		full, err := Parse(ctx, Rust, next)
		if err != nil {
			t.Fatal(err)
		}
		if tr.TooDeep() != full.TooDeep() || tr.Root().SExpr() != full.Root().SExpr() {
			t.Errorf("reparsed to %d bytes: TooDeep %v, a full parse %v; trees equal %v",
				len(next), tr.TooDeep(), full.TooDeep(), tr.Root().SExpr() == full.Root().SExpr())
		}
		full.Close()
	}
	tr.Close()
}
