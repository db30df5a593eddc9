package treesitter_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ts "github.com/rivet-lsp/rivet/treesitter"
)

// TestChildrenMatchIndexedChildren: the cursor-based Children and
// NamedChildren list what Child(i) and NamedChild(i) do, on every node of
// the sample tree's files and of broken texts.
func TestChildrenMatchIndexedChildren(t *testing.T) {
	type input struct {
		lang ts.Language
		src  []byte
	}
	inputs := []input{
		{ts.Rust, []byte("fn f() " + strings.Repeat("{ unsafe ", 50))},
		{ts.C, []byte("int x = " + strings.Repeat("(", 50) + "1;")},
		{ts.C, []byte("#define A(x) __attribute__((x)) struct { int a; } b;\n")},
	}
	files, _ := filepath.Glob("../testdata/kernel/*/*/*.[chr]*")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lang := ts.C
		if strings.HasSuffix(f, ".rs") {
			lang = ts.Rust
		}
		inputs = append(inputs, input{lang, src})
	}
	if len(inputs) < 10 {
		t.Fatalf("only %d inputs: the sample tree was not found", len(inputs))
	}
	for _, in := range inputs {
		tree, err := ts.Parse(context.Background(), in.lang, in.src)
		if err != nil {
			t.Fatal(err)
		}
		tree.Root().Walk(func(n ts.Node) bool {
			all, named := n.Children(), n.NamedChildren()
			if len(all) != n.ChildCount() || len(named) != n.NamedChildCount() {
				t.Fatalf("%s: %d children, %d named; want %d and %d", n.Kind(), len(all), len(named), n.ChildCount(), n.NamedChildCount())
			}
			for i := range all {
				if !all[i].Equal(n.Child(i)) {
					t.Fatalf("%s: child %d differs", n.Kind(), i)
				}
			}
			for i := range named {
				if !named[i].Equal(n.NamedChild(i)) {
					t.Fatalf("%s: named child %d differs", n.Kind(), i)
				}
			}
			return true
		})
		tree.Close()
	}
}
