package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/rules"
	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// kernelRoot is the absolute path of the sample kernel tree.
func kernelRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../testdata/kernel")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// readFile returns the content of a file of a test tree.
func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// writeFile writes a file of a test tree, as an editor or git would.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// removeFile deletes a file of a test tree.
func removeFile(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

// waitPublished waits for a publishDiagnostics of uri for which match
// (nil matches all) returns true.
func waitPublished(t *testing.T, c *lsptest.Client, uri protocol.DocumentURI, match func(server.PublishDiagnosticsParams) bool) server.PublishDiagnosticsParams {
	t.Helper()
	var got server.PublishDiagnosticsParams
	c.WaitFor(protocol.MethodTextDocumentPublishDiagnostics, func(m lsptest.Message) bool {
		var p server.PublishDiagnosticsParams
		if err := m.Decode(&p); err != nil {
			t.Errorf("undecodable publishDiagnostics %s: %v", m.Params, err)
			return false
		}
		if p.URI != uri || (match != nil && !match(p)) {
			return false
		}
		got = p
		return true
	}, 0)
	return got
}

// atVersion matches diagnostics published for version v.
func atVersion(v int32) func(server.PublishDiagnosticsParams) bool {
	return func(p server.PublishDiagnosticsParams) bool { return p.Version != nil && *p.Version == v }
}

// withCode returns the diagnostics of one code.
func withCode(ds []protocol.Diagnostic, code string) []protocol.Diagnostic {
	var out []protocol.Diagnostic
	for _, d := range ds {
		if d.Code == code {
			out = append(out, d)
		}
	}
	return out
}

// mentioning returns the diagnostics whose message contains s.
func mentioning(ds []protocol.Diagnostic, s string) []protocol.Diagnostic {
	var out []protocol.Diagnostic
	for _, d := range ds {
		if strings.Contains(d.Message, s) {
			out = append(out, d)
		}
	}
	return out
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) uint32 { return uint32(len(utf16.Encode([]rune(s)))) }

// TestDiagnosticsChecksRS opens drivers/demo/checks.rs of the sample
// kernel and checks the pushed unsafe-missing-safety diagnostics against
// the file's want comments, field by field, with UTF-16 ranges, also on a
// line where characters outside the BMP precede the report.
func TestDiagnosticsChecksRS(t *testing.T) {
	root := kernelRoot(t)
	path := filepath.Join(root, "drivers/demo/checks.rs")
	text := readFile(t, path)
	lines := strings.Split(text, "\n")
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(root))
	c.WaitIndexed(0)
	uri := lsptest.FileURI(path)
	c.OpenDocument(uri, text)
	got := withCode(waitPublished(t, c, uri, atVersion(1)).Diagnostics, "unsafe-missing-safety")

	wants, err := analysistest.Expectations(root)
	if err != nil {
		t.Fatal(err)
	}
	var wantLines []int
	for _, w := range wants {
		if w.File == "drivers/demo/checks.rs" && w.Code == "unsafe-missing-safety" {
			wantLines = append(wantLines, w.Line)
		}
	}
	var gotLines []int
	for _, d := range got {
		gotLines = append(gotLines, int(d.Range.Start.Line)+1)
	}
	if len(wantLines) == 0 || !slices.Equal(gotLines, wantLines) {
		t.Fatalf("unsafe-missing-safety on lines %v, want %v", gotLines, wantLines)
	}
	href := protocol.URI(rules.ByCode("unsafe-missing-safety").URL())
	for _, d := range got {
		if d.Source != "rivet" || d.Severity != protocol.DiagnosticSeverityWarning || d.CodeDescription == nil ||
			d.CodeDescription.Href != href || d.Message == "" || len(d.Tags) != 0 {
			t.Errorf("diagnostic fields: %+v", d)
		}
		// The block's keyword, or the unsafe fn's name.
		line := lines[d.Range.Start.Line]
		word, at := "unsafe", strings.Index(line, "unsafe {")
		if _, after, ok := strings.Cut(line, "unsafe fn "); ok {
			word, _, _ = strings.Cut(after, "(")
			at = strings.Index(line, word+"(")
		}
		if at < 0 {
			t.Errorf("line %d %q: no unsafe block or unsafe fn", d.Range.Start.Line+1, line)
			continue
		}
		start := utf16Len(line[:at])
		want := protocol.Range{
			Start: protocol.Position{Line: d.Range.Start.Line, Character: start},
			End:   protocol.Position{Line: d.Range.Start.Line, Character: start + utf16Len(word)},
		}
		if d.Range != want {
			t.Errorf("line %d: range %v, want %v (%q)", d.Range.Start.Line+1, d.Range, want, word)
		}
	}

	// The same report behind characters of two and four UTF-8 bytes, one
	// of them a surrogate pair in UTF-16.
	block := got[0].Range.Start
	prefix := `    let _ = "é𝄞"; `
	edited := slices.Clone(lines)
	edited[block.Line] = prefix + strings.TrimLeft(lines[block.Line], " ")
	c.ChangeDocument(uri, lsptest.Replace(strings.Join(edited, "\n")))
	got = withCode(waitPublished(t, c, uri, atVersion(2)).Diagnostics, "unsafe-missing-safety")
	start := utf16Len(prefix)
	if start != 19 {
		t.Fatalf("test bug: prefix is %d UTF-16 units", start)
	}
	want := protocol.Range{
		Start: protocol.Position{Line: block.Line, Character: start},
		End:   protocol.Position{Line: block.Line, Character: start + 6},
	}
	if len(got) == 0 || got[0].Range != want {
		t.Errorf("after the edit: %+v, want the first report at %v", got, want)
	}
}

// TestPullDiagnosticsEqualPushed pulls the diagnostics of a document and
// compares them with the ones pushed for the same version, then checks
// the result id: unchanged while nothing changed, a full report after an
// edit.
func TestPullDiagnosticsEqualPushed(t *testing.T) {
	root := kernelRoot(t)
	path := filepath.Join(root, "drivers/demo/checks.rs")
	text := readFile(t, path)
	c := lsptest.Start(t, lsptest.Options{})
	res := c.Initialize(lsptest.Root(root))
	if p := res.Capabilities.DiagnosticProvider; p == nil || !p.InterFileDependencies || p.WorkspaceDiagnostics {
		t.Errorf("diagnosticProvider = %+v, want interFileDependencies and no workspace diagnostics", p)
	}
	c.WaitIndexed(0)
	uri := lsptest.FileURI(path)
	c.OpenDocument(uri, text)
	pushed := waitPublished(t, c, uri, atVersion(1))
	if len(pushed.Diagnostics) == 0 {
		t.Fatal("nothing pushed for checks.rs")
	}

	full := pull(t, c, uri, "")
	if full.Kind != server.DocumentDiagnosticReportKindFull || full.ResultID == "" {
		t.Fatalf("first pull: kind %q, result id %q", full.Kind, full.ResultID)
	}
	wantJSON, _ := json.Marshal(pushed.Diagnostics)
	gotJSON, _ := json.Marshal(full.Items)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("pulled:\n%s\npushed:\n%s", gotJSON, wantJSON)
	}
	if again := pull(t, c, uri, full.ResultID); again.Kind != server.DocumentDiagnosticReportKindUnchanged || again.ResultID != full.ResultID || again.Items != nil {
		t.Errorf("pull with the current result id: %+v, want unchanged", again)
	}

	c.ChangeDocument(uri, lsptest.Replace(text+"\nfn more(p: *const u8) -> u8 {\n    unsafe { *p }\n}\n"))
	after := pull(t, c, uri, full.ResultID)
	if after.Kind != server.DocumentDiagnosticReportKindFull || after.ResultID == full.ResultID ||
		len(withCode(after.Items, "unsafe-missing-safety")) != len(withCode(full.Items, "unsafe-missing-safety"))+1 {
		t.Errorf("pull after adding an unsafe block: kind %q, %d unsafe-missing-safety (had %d)", after.Kind,
			len(withCode(after.Items, "unsafe-missing-safety")), len(withCode(full.Items, "unsafe-missing-safety")))
	}
}

// pullReport is either kind of document diagnostic report.
type pullReport struct {
	Kind     server.DocumentDiagnosticReportKind `json:"kind"`
	ResultID string                              `json:"resultId"`
	Items    []protocol.Diagnostic               `json:"items"`
}

// pull sends textDocument/diagnostic.
func pull(t *testing.T, c *lsptest.Client, uri protocol.DocumentURI, previous string) pullReport {
	t.Helper()
	var rep pullReport
	params := server.DocumentDiagnosticParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri}, PreviousResultID: previous}
	if err := c.Call(server.MethodTextDocumentDiagnostic, params, &rep); err != nil {
		t.Fatalf("textDocument/diagnostic: %v", err)
	}
	return rep
}

// TestDiagnosticsClearedOnClose closes a document with diagnostics and
// expects an empty, unversioned publication.
func TestDiagnosticsClearedOnClose(t *testing.T) {
	dir := analysistest.WriteTxtar(t, `
-- lib.rs --
pub fn f(p: *const u8) -> u8 {
    unsafe { *p }
}
`)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(dir))
	uri := lsptest.FileURI(filepath.Join(dir, "lib.rs"))
	c.OpenDocument(uri, readFile(t, filepath.Join(dir, "lib.rs")))
	waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool { return len(p.Diagnostics) > 0 })
	c.CloseDocument(uri)
	waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool {
		return p.Version == nil && p.Diagnostics != nil && len(p.Diagnostics) == 0
	})
}

// TestDiagnosticsFollowEdits sends a burst of edits and expects the last
// publication to describe the last version.
func TestDiagnosticsFollowEdits(t *testing.T) {
	dir := analysistest.WriteTxtar(t, `
-- lib.rs --
pub fn f() {}
`)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(dir))
	uri := lsptest.FileURI(filepath.Join(dir, "lib.rs"))
	c.OpenDocument(uri, "pub fn f() {}\n")
	body := ""
	var last int32
	for i := 0; i < 5; i++ {
		body += "    unsafe { g() };\n"
		last = c.ChangeDocument(uri, lsptest.Replace("pub fn f() {\n"+body+"}\n"))
	}
	got := waitPublished(t, c, uri, atVersion(last))
	if n := len(withCode(got.Diagnostics, "unsafe-missing-safety")); n != 5 {
		t.Errorf("version %d: %d unsafe-missing-safety diagnostics, want 5", last, n)
	}
}

// TestPullClientGetsNoPush declares pull support: rivet then pushes
// nothing, answers pulls, and asks the client to refresh when facts
// change.
func TestPullClientGetsNoPush(t *testing.T) {
	dir := analysistest.WriteTxtar(t, `
-- lib.rs --
pub fn f(p: *const u8) -> u8 {
    unsafe { *p }
}
`)
	caps := server.ClientCapabilities{
		TextDocument: &server.TextDocumentClientCapabilities{Diagnostic: &server.DiagnosticClientCapabilities{}},
		Workspace:    &server.WorkspaceClientCapabilities{Diagnostics: &server.DiagnosticWorkspaceClientCapabilities{RefreshSupport: true}},
	}
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(dir), lsptest.Capabilities(caps))
	c.WaitIndexed(0)
	c.WaitForRequest(server.MethodWorkspaceDiagnosticRefresh, nil, 0) // the build's end
	uri := lsptest.FileURI(filepath.Join(dir, "lib.rs"))
	c.OpenDocument(uri, readFile(t, filepath.Join(dir, "lib.rs")))
	if rep := pull(t, c, uri, ""); len(withCode(rep.Items, "unsafe-missing-safety")) != 1 {
		t.Errorf("pulled %+v, want one unsafe-missing-safety", rep.Items)
	}
	c.Notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"rules": map[string]string{"unsafe-missing-safety": "error"}}})
	c.WaitForRequest(server.MethodWorkspaceDiagnosticRefresh, nil, 0)
	if rep := pull(t, c, uri, ""); len(rep.Items) != 1 || rep.Items[0].Severity != protocol.DiagnosticSeverityError {
		t.Errorf("pulled after the configuration change: %+v, want one error", rep.Items)
	}
	for _, m := range c.Messages() {
		if m.Method == protocol.MethodTextDocumentPublishDiagnostics {
			t.Errorf("pushed to a client that pulls: %s", m.Params)
		}
	}
}

// BenchmarkPullDiagnostics measures one textDocument/diagnostic round
// trip on drivers/demo/checks.rs of the sample kernel: the rules, the
// conversion to UTF-16 ranges and the JSON-RPC exchange.
func BenchmarkPullDiagnostics(b *testing.B) {
	root := kernelRoot(b)
	c, uri, _ := openSession(b, root, "drivers/demo/checks.rs")
	params := server.DocumentDiagnosticParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri}}
	b.ResetTimer()
	for b.Loop() {
		var rep pullReport
		if err := c.Call(server.MethodTextDocumentDiagnostic, params, &rep); err != nil || len(rep.Items) == 0 {
			b.Fatalf("pull: %v, %d items", err, len(rep.Items))
		}
	}
}
