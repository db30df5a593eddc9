package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/rules"
)

// docsDir is the committed docs/rules, from this package's directory.
const docsDir = "../../../docs/rules"

// TestDocsUpToDate fails when a committed page differs from what the
// rules generate, or when a page has no rule.
func TestDocsUpToDate(t *testing.T) {
	want := generate(rules.All())
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(docsDir, name))
		if err != nil {
			t.Errorf("docs/rules/%s: %v: run go generate ./analysis/rules/...", name, err)
			continue
		}
		if !bytes.Equal(got, data) {
			t.Errorf("docs/rules/%s differs from the rule's data: run go generate ./analysis/rules/...\n%s", name, firstDiff(got, data))
		}
	}
	entries, err := os.ReadDir(docsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := want[e.Name()]; !ok && strings.HasSuffix(e.Name(), ".md") {
			t.Errorf("docs/rules/%s documents no registered rule: remove it", e.Name())
		}
	}
}

// TestContractPages: every code of the contract (DESIGN §4) has a rule
// and a page, and no rule invents a code. It fails until all sixteen
// rules exist.
func TestContractPages(t *testing.T) {
	for _, code := range rules.Contract {
		if rules.ByCode(code) == nil {
			t.Errorf("%s: no registered rule", code)
		}
		if _, err := os.Stat(filepath.Join(docsDir, code+".md")); err != nil {
			t.Errorf("%s: no page: %v", code, err)
		}
	}
	for _, r := range rules.All() {
		if !slices.Contains(rules.Contract, r.Code) {
			t.Errorf("rule %s is not in the contract", r.Code)
		}
	}
}

// TestDocShape: each Doc starts with its code as the title and has the
// sections What, Why, Example, Fix and Silence, in that order; each rule
// has a one-line title.
func TestDocShape(t *testing.T) {
	for _, r := range rules.All() {
		if !strings.HasPrefix(r.Doc, "# "+r.Code+"\n") {
			t.Errorf("%s: Doc does not start with %q", r.Code, "# "+r.Code)
		}
		last := -1
		for _, sec := range []string{"What", "Why", "Example", "Fix", "Silence"} {
			i := strings.Index(r.Doc, "\n## "+sec+"\n")
			if i < 0 {
				t.Errorf("%s: Doc has no %q section", r.Code, sec)
				continue
			}
			if i < last {
				t.Errorf("%s: section %q out of order", r.Code, sec)
			}
			last = i
		}
		if r.Title == "" || strings.Contains(r.Title, "\n") {
			t.Errorf("%s: title %q is not one line", r.Code, r.Title)
		}
	}
}

// TestGenerate checks the generator on a rule of its own: the page is the
// Doc plus the settings, the index links it with its severity and title.
func TestGenerate(t *testing.T) {
	r := &rules.Rule{Code: "demo-rule", Title: "A | B", Severity: rules.Warning, Doc: "# demo-rule\n\nText.\n\n"}
	files := generate([]*rules.Rule{r})
	if len(files) != 2 {
		t.Fatalf("%d files, want the page and the index", len(files))
	}
	page := string(files["demo-rule.md"])
	if !strings.HasPrefix(page, "# demo-rule\n\nText.\n\n## Settings\n\nDefault severity: **warning**. Checks C and Rust files.\n") ||
		!strings.Contains(page, "demo-rule = \"warning\"") || !strings.HasSuffix(page, generatedNote) {
		t.Errorf("page:\n%s", page)
	}
	if idx := string(files["README.md"]); !strings.Contains(idx, "| [demo-rule](demo-rule.md) | warning | C and Rust files | A \\| B |\n") {
		t.Errorf("index:\n%s", idx)
	}

	dir := t.TempDir()
	if err := write(dir, files); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "demo-rule.md"))
	if err != nil || string(got) != page {
		t.Errorf("written page %q, %v", got, err)
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n  committed: %q\n  generated: %q", i+1, gl, wl)
		}
	}
	return ""
}
