package server

import (
	"os"
	"path/filepath"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

// TestConverter converts a diagnostic with related information in another
// file (by span and by line) and a fix spanning two files, in UTF-16,
// reading the other files from disk.
func TestConverter(t *testing.T) {
	dir := t.TempDir()
	hdr := filepath.ToSlash(filepath.Join(dir, "a.h"))
	params := filepath.ToSlash(filepath.Join(dir, "bindgen_parameters"))
	if err := os.WriteFile(hdr, []byte("/* é */ int 𝄞x;\nint f(void);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(params, []byte("--opaque-type a\n--blocklist-function f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := newServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.encoding = PositionEncodingKindUTF16
	conv := s.newConverter(analysis.NewWorkspace(nil, analysis.Options{}))
	const rs = "/k/x.rs"
	conv.pin(rs, []byte("let 𝄞 = f();\n"))

	d := conv.diagnostic(rules.Diagnostic{
		Path: rs, Span: facts.Span{Start: 11, End: 14}, Code: "unsafe-missing-safety", Severity: rules.Error, Message: "m",
		Related: []rules.Related{
			{Path: hdr, Span: facts.Span{Start: 13, End: 19}, Message: "declared here"},
			{Path: params, Line: 2, Message: "blocklisted here"},
			{Path: filepath.ToSlash(filepath.Join(dir, "gone.h")), Span: facts.Span{Start: 5, End: 9}, Message: "unreadable"},
		},
	})
	pos := func(line, char uint32) protocol.Position { return protocol.Position{Line: line, Character: char} }
	if want := (protocol.Range{Start: pos(0, 9), End: pos(0, 12)}); d.Range != want {
		t.Errorf("range %v, want %v", d.Range, want)
	}
	if d.Severity != protocol.DiagnosticSeverityError || d.Source != "rivet" || d.Code != "unsafe-missing-safety" ||
		d.CodeDescription == nil || d.CodeDescription.Href != protocol.URI(rules.ByCode("unsafe-missing-safety").URL()) {
		t.Errorf("fields %+v", d)
	}
	wantRelated := []protocol.Range{
		{Start: pos(0, 12), End: pos(0, 16)}, // "𝄞x;" after "/* é */ int "
		{Start: pos(1, 0), End: pos(1, 22)},
		{},
	}
	if len(d.RelatedInformation) != len(wantRelated) {
		t.Fatalf("related %+v", d.RelatedInformation)
	}
	for i, r := range d.RelatedInformation {
		if r.Location.Range != wantRelated[i] {
			t.Errorf("related %d (%s): range %v, want %v", i, r.Message, r.Location.Range, wantRelated[i])
		}
	}
	if d.RelatedInformation[0].Location.URI != pathURI(hdr) {
		t.Errorf("related URI %s, want %s", d.RelatedInformation[0].Location.URI, pathURI(hdr))
	}

	we, ok := conv.workspaceEdit([]rules.Edit{
		{Path: rs, Span: facts.Span{Start: 0, End: 0}, NewText: "// SAFETY: x\n"},
		{Path: hdr, Span: facts.Span{Start: 12, End: 13}, NewText: "y"},
		{Path: hdr, Span: facts.Span{Start: 19, End: 19}, NewText: "/* z */"},
	})
	if !ok || len(we.Changes) != 2 || len(we.Changes[pathURI(hdr)]) != 2 || len(we.Changes[pathURI(rs)]) != 1 {
		t.Fatalf("workspace edit %+v (ok %v)", we, ok)
	}
	if got := we.Changes[pathURI(hdr)][1].Range; got != (protocol.Range{Start: pos(0, 16), End: pos(0, 16)}) {
		t.Errorf("second header edit at %v", got)
	}
	if _, ok := conv.workspaceEdit([]rules.Edit{{Path: filepath.Join(dir, "gone.h"), NewText: "x"}}); ok {
		t.Error("an edit of an unreadable file converted")
	}
}

// TestConfigSwitches reads the inlay hint and code lens switches features
// consult, from initializationOptions.
func TestConfigSwitches(t *testing.T) {
	s, err := newServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.inlayHintsEnabled() || !s.codeLensEnabled() {
		t.Error("switches off by default")
	}
	s.initConfig(nil, map[string]any{"rivet": map[string]any{"inlay_hints": false, "code_lens": false}})
	if s.inlayHintsEnabled() || s.codeLensEnabled() {
		t.Error("switches still on after initializationOptions turned them off")
	}
}
