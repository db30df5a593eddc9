package analysis_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/config"
)

// TestDiagnose diagnoses a file from disk, then as an open document with
// other text, then with the rule switched off, then a file the index does
// not know.
func TestDiagnose(t *testing.T) {
	dir := analysistest.WriteTxtar(t, `
-- lib.rs --
pub fn f(p: *const u8) -> u8 {
    unsafe { *p }
}
-- notes.txt --
unsafe { }
`)
	ctx := context.Background()
	ws := builtWorkspace(t, dir, analysis.Options{})
	path := ws.Roots()[0] + "/lib.rs"
	res, err := ws.Diagnose(ctx, path, analysis.DiagnoseOptions{})
	if err != nil || res.Open || len(res.Diags) != 1 || res.Diags[0].Code != "unsafe-missing-safety" || len(res.Text) == 0 {
		t.Fatalf("from disk: %+v, %v; want one unsafe-missing-safety", res, err)
	}

	text := "pub fn f() {}\n\npub fn g(p: *const u8) -> u8 {\n    unsafe { *p }\n}\n"
	if _, err := ws.Open(ctx, path, 7, []byte(text)); err != nil {
		t.Fatal(err)
	}
	res, err = ws.Diagnose(ctx, path, analysis.DiagnoseOptions{})
	if err != nil || !res.Open || res.Version != 7 || string(res.Text) != text || len(res.Diags) != 1 ||
		string(res.Text[res.Diags[0].Span.Start:res.Diags[0].Span.End]) != "unsafe" {
		t.Fatalf("open: %+v, %v; want version 7's text and its report", res, err)
	}

	off := config.Default()
	off.Rules["unsafe-missing-safety"] = "off"
	if res, err = ws.Diagnose(ctx, path, analysis.DiagnoseOptions{Config: off}); err != nil || len(res.Diags) != 0 {
		t.Errorf("rule off: %+v, %v", res.Diags, err)
	}

	res, err = ws.Diagnose(ctx, filepath.ToSlash(filepath.Join(ws.Roots()[0], "notes.txt")), analysis.DiagnoseOptions{})
	if err != nil || len(res.Diags) != 0 || res.Text != nil {
		t.Errorf("a file rivet does not index: %+v, %v", res, err)
	}
}

// TestDiagnosePartial: while the index is partial, an extern item no
// indexed C file defines is not reported as unresolved.
func TestDiagnosePartial(t *testing.T) {
	dir := analysistest.WriteTxtar(t, `
-- x.rs --
extern "C" {
    fn foo_init() -> i32;
}
`)
	ctx := context.Background()
	ws := builtWorkspace(t, dir, analysis.Options{})
	path := ws.Roots()[0] + "/x.rs"
	full, err := ws.Diagnose(ctx, path, analysis.DiagnoseOptions{})
	if err != nil || len(full.Diags) != 1 || full.Diags[0].Code != "ffi-unresolved" {
		t.Fatalf("complete index: %+v, %v; want one ffi-unresolved", full.Diags, err)
	}
	partial, err := ws.Diagnose(ctx, path, analysis.DiagnoseOptions{Partial: true})
	if err != nil || len(partial.Diags) != 0 {
		t.Errorf("partial index: %+v, %v; want none", partial.Diags, err)
	}
}

// BenchmarkDiagnose measures one pass of the rules over an open document
// of the sample kernel (drivers/demo/checks.rs), the work behind each
// published or pulled set of diagnostics.
func BenchmarkDiagnose(b *testing.B) {
	ctx := context.Background()
	root, err := filepath.Abs("../testdata/kernel")
	if err != nil {
		b.Fatal(err)
	}
	ws := builtWorkspace(b, root, analysis.Options{})
	path := ws.Roots()[0] + "/drivers/demo/checks.rs"
	text, err := ws.Read(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ws.Open(ctx, path, 1, text); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if res, err := ws.Diagnose(ctx, path, analysis.DiagnoseOptions{}); err != nil || len(res.Diags) == 0 {
			b.Fatalf("%v, %d diagnostics", err, len(res.Diags))
		}
	}
}
