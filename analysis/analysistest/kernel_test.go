package analysistest

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/rules"
	"github.com/rivet-lsp/rivet/treesitter"
)

// kernelTree is the shared sample tree; testdata/kernel/README.md describes
// it and its conventions, which the tests below hold it to.
const kernelTree = "../../testdata/kernel"

// ruleCodes are the codes of DESIGN §4.
var ruleCodes = rules.Contract

// nearMiss matches the comment that marks code which must stay silent.
var nearMiss = regexp.MustCompile(`Near miss \(([a-z0-9-]+)\)`)

func TestKernelTreeWants(t *testing.T) {
	wants, err := Expectations(kernelTree)
	if err != nil {
		t.Fatal(err)
	}
	known := make(map[string]bool)
	for _, c := range ruleCodes {
		known[c] = true
	}
	count := make(map[string]int)
	for _, w := range wants {
		if !known[w.Code] {
			t.Errorf("%s: %q is not a rule code of DESIGN §4", w, w.Code)
		}
		if !strings.HasPrefix(w.File, "drivers/demo/") && !strings.HasPrefix(w.File, "rust/helpers/") {
			t.Errorf("%s: reports belong in drivers/demo/ (or rust/helpers/, for helper-attribute-lost)", w)
		}
		if w.Fixme != "" {
			t.Errorf("%s: the demo shows real problems; a FIXME want belongs in a rule's own tests", w)
		}
		count[w.Code]++
	}
	misses := nearMisses(t, kernelTree)
	for _, c := range ruleCodes {
		if count[c] == 0 {
			t.Errorf("no want for %s", c)
		}
		if misses[c] == 0 {
			t.Errorf("no near miss for %s", c)
		}
	}
	for c := range misses {
		if !known[c] {
			t.Errorf("near miss for unknown code %q", c)
		}
	}
}

// nearMisses counts the near-miss comments of the tree by code.
func nearMisses(t *testing.T, root string) map[string]int {
	t.Helper()
	out := make(map[string]int)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		l, ok := langForPath(path)
		if !ok {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, c := range scanComments(l, src) {
			for _, m := range nearMiss.FindAllStringSubmatch(c.text, -1) {
				out[m[1]]++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestKernelTreeShape keeps the tree small (the brief: 25 to 40 files) and
// syntactically clean: each C and Rust file parses, after the annotation
// mask, without ERROR or MISSING nodes, so rules see whole trees.
func TestKernelTreeShape(t *testing.T) {
	var files []string
	err := filepath.WalkDir(kernelTree, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(files); n < 25 || n > 40 {
		t.Errorf("%d files; keep the tree between 25 and 40", n)
	}
	var broken []string
	for _, path := range files {
		lang, ok := treesitter.LanguageForPath(path)
		if !ok {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if where := firstSyntaxError(t, lang, src); where != "" {
			rel, _ := filepath.Rel(kernelTree, path)
			broken = append(broken, filepath.ToSlash(rel)+": "+where)
		}
	}
	sort.Strings(broken)
	if len(broken) > 0 {
		t.Errorf("files with syntax errors after masking:\n\t%s", strings.Join(broken, "\n\t"))
	}
}

// firstSyntaxError returns "line N: text" for the first ERROR or MISSING
// node of src, or "".
func firstSyntaxError(t *testing.T, lang treesitter.Language, src []byte) string {
	tree, err := treesitter.Parse(context.Background(), lang, src)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if !tree.HasError() {
		return ""
	}
	where := ""
	tree.Root().Walk(func(n treesitter.Node) bool {
		line := tree.LineOf(n.StartByte()) + 1
		switch {
		case where != "":
		case n.IsMissing():
			where = fmt.Sprintf("line %d: missing %q", line, n.Kind())
		case n.IsError():
			text, _, _ := strings.Cut(string(src[n.StartByte():n.EndByte()]), "\n")
			where = fmt.Sprintf("line %d: ERROR at %q", line, text)
		}
		return where == ""
	})
	if where == "" {
		return "an error node the walk did not reach"
	}
	return where
}

// TestExpectationsOnLinux runs the want lexer over a real kernel tree (the
// path in RIVET_KERNEL): it must finish, and find no want comment in 2.4
// million comments of prose, code and macros.
func TestExpectationsOnLinux(t *testing.T) {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("RIVET_KERNEL is not set")
	}
	wants, err := Expectations(root)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range wants {
		if i == 10 {
			t.Errorf("... and %d more", len(wants)-i)
			break
		}
		t.Errorf("false want in %s: %s", root, w)
	}
}

// BenchmarkScanComments measures the lexer over the sample tree's sources.
func BenchmarkScanComments(b *testing.B) {
	type file struct {
		lang lang
		src  []byte
	}
	var files []file
	size := 0
	err := filepath.WalkDir(kernelTree, func(path string, d fs.DirEntry, err error) error {
		if l, ok := langForPath(path); ok && err == nil {
			src, err := os.ReadFile(path)
			files = append(files, file{l, src})
			size += len(src)
			return err
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for range b.N {
		for _, f := range files {
			scanComments(f.lang, f.src)
		}
	}
}
