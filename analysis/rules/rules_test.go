package rules_test

// The shared runner: every registered rule over testdata/kernel, compared
// with the want comments of its own code. Rules' own test files add small
// txtar trees and use the helpers below.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

// kernelTree is the shared sample tree (testdata/kernel/README.md).
const kernelTree = "../../testdata/kernel"

func TestKernelFixture(t *testing.T) {
	root, err := filepath.Abs(kernelTree)
	if err != nil {
		t.Fatal(err)
	}
	ws := buildWorkspace(t, root)
	wants, err := analysistest.Expectations(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules.All() {
		t.Run(r.Code, func(t *testing.T) {
			got := reportsOf(t, runRules(t, ws, r.Code))
			var own []analysistest.Want
			for _, w := range wants {
				if w.Code == r.Code {
					own = append(own, w)
				}
			}
			if len(own) == 0 {
				t.Errorf("testdata/kernel has no want for %s", r.Code)
			}
			if msg := compareWants(root, own, got); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// buildWorkspace indexes the tree at root (no facts cache), as `rivet
// check` does.
func buildWorkspace(t testing.TB, root string) *analysis.Workspace {
	t.Helper()
	ws := analysis.NewWorkspace([]string{root}, analysis.Options{})
	if _, err := ws.Build(context.Background(), nil); err != nil {
		t.Fatalf("build %s: %v", root, err)
	}
	return ws
}

// runRules runs the rules with the given codes over the workspace.
func runRules(t testing.TB, ws *analysis.Workspace, codes ...string) []rules.Diagnostic {
	t.Helper()
	diags, err := ws.Check(context.Background(), analysis.CheckOptions{Rules: codes})
	if err != nil {
		t.Fatalf("check %v: %v", codes, err)
	}
	return diags
}

// checkTree writes a txtar archive, runs the rules with the given codes
// on it and compares the reports with all of its want comments. It returns
// the tree's root and the diagnostics, for tests of messages and fixes.
func checkTree(t *testing.T, archive string, codes ...string) (string, []rules.Diagnostic) {
	t.Helper()
	root := analysistest.WriteTxtar(t, archive)
	diags := runRules(t, buildWorkspace(t, root), codes...)
	analysistest.Check(t, root, reportsOf(t, diags))
	return root, diags
}

// reportsOf converts diagnostics to analysistest reports (1-based lines).
func reportsOf(t testing.TB, diags []rules.Diagnostic) []analysistest.Report {
	t.Helper()
	srcs := map[string][]byte{}
	out := make([]analysistest.Report, 0, len(diags))
	for _, d := range diags {
		src, ok := srcs[d.Path]
		if !ok {
			var err error
			if src, err = os.ReadFile(d.Path); err != nil {
				t.Fatal(err)
			}
			srcs[d.Path] = src
		}
		out = append(out, analysistest.Report{File: d.Path, Line: lineOf(src, d.Span.Start), Code: d.Code, Message: d.Message})
	}
	return out
}

// lineOf is the 1-based line holding byte offset off.
func lineOf(src []byte, off uint32) int {
	return bytes.Count(src[:min(int(off), len(src))], []byte("\n")) + 1
}

// compareWants matches reports with wants by file, line and code and
// describes every missing and unexpected one; "" when they agree.
func compareWants(root string, wants []analysistest.Want, got []analysistest.Report) string {
	type key struct {
		file string
		line int
		code string
	}
	pending := map[key]int{}
	for _, w := range wants {
		pending[key{w.File, w.Line, w.Code}]++
	}
	var unexpected []string
	for _, r := range got {
		rel, err := filepath.Rel(root, r.File)
		if err != nil {
			rel = r.File
		}
		k := key{filepath.ToSlash(rel), r.Line, r.Code}
		if pending[k] > 0 {
			pending[k]--
			continue
		}
		unexpected = append(unexpected, fmt.Sprintf("%s:%d: %s: %s", k.file, k.line, k.code, r.Message))
	}
	var missing []string
	for k, n := range pending {
		for ; n > 0; n-- {
			missing = append(missing, fmt.Sprintf("%s:%d: %s", k.file, k.line, k.code))
		}
	}
	if len(missing) == 0 && len(unexpected) == 0 {
		return ""
	}
	sort.Strings(missing)
	sort.Strings(unexpected)
	var b strings.Builder
	fmt.Fprintf(&b, "reports under %s do not match the want comments", root)
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\nmissing:\n\t%s", strings.Join(missing, "\n\t"))
	}
	if len(unexpected) > 0 {
		fmt.Fprintf(&b, "\nunexpected:\n\t%s", strings.Join(unexpected, "\n\t"))
	}
	return b.String()
}

// applyFix applies the edits of fix that target path to src, last first,
// and returns the result.
func applyFix(t testing.TB, src []byte, path string, fix rules.Fix) string {
	t.Helper()
	edits := make([]rules.Edit, 0, len(fix.Edits))
	for _, e := range fix.Edits {
		if e.Path == path {
			edits = append(edits, e)
		}
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Span.Start > edits[j].Span.Start })
	out := append([]byte(nil), src...)
	for _, e := range edits {
		if e.Span.Start > e.Span.End || int(e.Span.End) > len(out) {
			t.Fatalf("edit %+v out of range of %s (%d bytes)", e, path, len(out))
		}
		out = append(out[:e.Span.Start:e.Span.Start], append([]byte(e.NewText), out[e.Span.End:]...)...)
	}
	return string(out)
}

// fixTitled returns the diagnostic's fix whose title starts with prefix.
func fixTitled(t testing.TB, d rules.Diagnostic, prefix string) rules.Fix {
	t.Helper()
	for _, f := range d.Fixes {
		if strings.HasPrefix(f.Title, prefix) {
			return f
		}
	}
	t.Fatalf("%s: no fix titled %q among %d", d.Message, prefix, len(d.Fixes))
	return rules.Fix{}
}
