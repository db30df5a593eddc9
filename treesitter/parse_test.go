package treesitter

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

func mustParse(t testing.TB, lang Language, src []byte) *Tree {
	t.Helper()
	tr, err := Parse(context.Background(), lang, src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return tr
}

// dump lists every node of the tree with its byte range and points, one a
// line, so two trees compare node by node, positions included.
func dump(root Node) string {
	var b strings.Builder
	depth := 0
	var walk func(n Node)
	walk = func(n Node) {
		s, e := n.StartPoint(), n.EndPoint()
		fmt.Fprintf(&b, "%*s%s%s [%d,%d) %d:%d-%d:%d\n", 2*depth, "", n.Kind(), missingMark(n),
			n.StartByte(), n.EndByte(), s.Row, s.Column, e.Row, e.Column)
		depth++
		for i := 0; i < n.ChildCount(); i++ {
			walk(n.Child(i))
		}
		depth--
	}
	walk(root)
	return b.String()
}

func missingMark(n Node) string {
	if n.IsMissing() {
		return " MISSING"
	}
	return ""
}

// firstDiff returns the first differing line of two dumps, for messages.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n  reparsed: %s\n  full:     %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d and %d lines", len(al), len(bl))
}

// editFragments are what random edits insert: text that changes how the
// mask and the grammar read what surrounds it.
var editFragments = []string{
	"", " ", "\n", "x", "__user ", "__must_check ", "__acquires(l) ", "/*", "*/", "//", "\"", "'",
	"{", "}", "(", ")", ";", ",", "#ifdef CONFIG_X\n", "#else\n", "#endif\n", "\\\n",
	"list_for_each_entry(a, b, c) {", "scoped_guard(mutex, &m) ", "__attribute__((x)) ",
	"DEFINE_FREE(f, void *, kfree(_T))\n", "struct foo", "case 1 ... 2:", "static ",
	"&raw const ", "&raw mut ", "unsafe ", "extern \"C\" ", "#[unsafe(no_mangle)]\n",
	"const N: u64 = 0", "<", ">", "c\"s\"", "r#\"", "\"#", "é", "\t", "\r\n",
}

// randomEdit replaces a random span of src (possibly empty) with a random
// fragment, returning a new slice.
func randomEdit(rng *rand.Rand, src []byte) []byte {
	start := rng.IntN(len(src) + 1)
	end := min(len(src), start+rng.IntN(12))
	if rng.IntN(3) == 0 {
		end = start // a pure insertion
	}
	frag := editFragments[rng.IntN(len(editFragments))]
	out := make([]byte, 0, len(src)-(end-start)+len(frag))
	out = append(out, src[:start]...)
	out = append(out, frag...)
	return append(out, src[end:]...)
}

// checkReparse applies edits one after another with Reparse and fails
// unless each result equals a full parse of the same text, node by node.
func checkReparse(t testing.TB, lang Language, src []byte, edits func(step int, src []byte) ([]byte, bool)) {
	t.Helper()
	ctx := context.Background()
	tr := mustParse(t, lang, src)
	defer func() { tr.Close() }()
	for step := 0; ; step++ {
		next, ok := edits(step, tr.Source())
		if !ok {
			return
		}
		nt, err := tr.Reparse(ctx, next)
		if err != nil {
			t.Fatalf("step %d: Reparse: %v", step, err)
		}
		tr.Close()
		tr = nt
		full := mustParse(t, lang, next)
		got, want := dump(tr.Root()), dump(full.Root())
		if tr.Root().SExpr() != full.Root().SExpr() || got != want {
			full.Close()
			t.Fatalf("step %d: reparsed tree differs from a full parse of %q\n%s", step, next, firstDiff(got, want))
		}
		if string(tr.Masked()) != string(full.Masked()) {
			t.Fatalf("step %d: masked texts differ", step)
		}
		full.Close()
	}
}

func TestReparseMatchesFullParse(t *testing.T) {
	for _, c := range []struct {
		lang Language
		file string
	}{{C, "testdata/sample.c"}, {Rust, "testdata/sample.rs"}} {
		src, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		for seed := range uint64(2) {
			t.Run(fmt.Sprintf("%s/seed%d", c.lang, seed), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 0x5eed))
				checkReparse(t, c.lang, src, func(step int, cur []byte) ([]byte, bool) {
					return randomEdit(rng, cur), step < 100
				})
			})
		}
	}
}

func TestReparseKeepsOldTree(t *testing.T) {
	src := []byte("int f(void) { return 1; }\n")
	tr := mustParse(t, C, src)
	defer tr.Close()
	before := dump(tr.Root())
	nt, err := tr.Reparse(context.Background(), []byte("int f(void) { return 2 + 3; }\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer nt.Close()
	if got := dump(tr.Root()); got != before {
		t.Errorf("Reparse changed the old tree:\n%s", firstDiff(got, before))
	}
	if got := nt.Root().Descendants(CKindNumberLiteral); len(got) != 2 {
		t.Errorf("new tree has %d number literals, want 2", len(got))
	}
}

func TestParseRawDoesNotMask(t *testing.T) {
	src := []byte("int __must_check f(void);\n")
	raw, err := ParseRaw(context.Background(), C, src)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if string(raw.Masked()) != string(src) || raw.Annotations() != nil {
		t.Errorf("ParseRaw masked: %q, %v", raw.Masked(), raw.Annotations())
	}
	if !raw.HasError() {
		t.Errorf("raw parse of %q has no error; the grammar now reads __must_check and this test proves nothing", src)
	}
	masked := mustParse(t, C, src)
	defer masked.Close()
	if masked.HasError() {
		t.Errorf("masked parse has an error: %s", masked.Root().SExpr())
	}
	// A raw tree stays raw through Reparse.
	nt, err := raw.Reparse(context.Background(), []byte("int __must_check g(void);\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer nt.Close()
	if nt.Annotations() != nil || !nt.HasError() {
		t.Errorf("Reparse of a raw tree masked: %v", nt.Annotations())
	}
}

func TestParseCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if tr, err := Parse(ctx, C, []byte(strings.Repeat("int x;\n", 100000))); err == nil {
		tr.Close()
		t.Fatal("Parse with a cancelled context succeeded")
	}
	// The pool must not hand out a parser left cancelled.
	for range 4 {
		tr := mustParse(t, C, []byte("int x;"))
		tr.Close()
	}
}

func TestLineOf(t *testing.T) {
	tr := mustParse(t, C, []byte("a;\nbb;\n\nc;"))
	defer tr.Close()
	for _, c := range []struct{ off, line uint32 }{{0, 0}, {2, 0}, {3, 1}, {6, 1}, {7, 2}, {8, 3}, {10, 3}, {99, 3}} {
		if got := tr.LineOf(c.off); got != c.line {
			t.Errorf("LineOf(%d) = %d, want %d", c.off, got, c.line)
		}
	}
}
