package server_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// unsafeTree has one unsafe block without a SAFETY comment in lib.rs.
const unsafeTree = `
-- lib.rs --
pub fn f(p: *const u8) -> u8 {
    unsafe { *p }
}
`

// initOptions sets initializationOptions.
func initOptions(v any) lsptest.InitOption {
	return func(p *server.InitializeParams) { p.InitializationOptions = v }
}

// openLib opens lib.rs of dir and returns its URI.
func openLib(t *testing.T, c *lsptest.Client, dir string) protocol.DocumentURI {
	t.Helper()
	uri := lsptest.FileURI(filepath.Join(dir, "lib.rs"))
	c.OpenDocument(uri, readFile(t, filepath.Join(dir, "lib.rs")))
	return uri
}

// severityOf waits for a publication for uri whose unsafe-missing-safety
// reports all have severity sev (0: there are none).
func waitSeverity(t *testing.T, c *lsptest.Client, uri protocol.DocumentURI, sev protocol.DiagnosticSeverity) {
	t.Helper()
	waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool {
		ds := withCode(p.Diagnostics, "unsafe-missing-safety")
		if sev == 0 {
			return len(ds) == 0
		}
		return len(ds) == 1 && ds[0].Severity == sev
	})
}

// TestRuleOffByInitializationOptions switches a rule off in
// initializationOptions, under a "rivet" key and at the top level.
func TestRuleOffByInitializationOptions(t *testing.T) {
	for name, opts := range map[string]any{
		"section":   map[string]any{"rivet": map[string]any{"rules": map[string]string{"unsafe-missing-safety": "off"}}},
		"top level": map[string]any{"rules": map[string]string{"unsafe-missing-safety": "off"}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := analysistest.WriteTxtar(t, unsafeTree)
			c := lsptest.Start(t, lsptest.Options{})
			c.Initialize(lsptest.Root(dir), initOptions(opts))
			uri := openLib(t, c, dir)
			if got := waitPublished(t, c, uri, atVersion(1)); len(withCode(got.Diagnostics, "unsafe-missing-safety")) != 0 {
				t.Errorf("rule switched off, but published %+v", got.Diagnostics)
			}
		})
	}
}

// TestRuleByDidChangeConfiguration re-levels and switches off a rule with
// pushed settings, then pulls settings when the client sends null.
func TestRuleByDidChangeConfiguration(t *testing.T) {
	dir := analysistest.WriteTxtar(t, unsafeTree)
	pulled := make(chan struct{}, 4)
	c := lsptest.Start(t, lsptest.Options{Replies: map[string]lsptest.ReplyFunc{
		protocol.MethodWorkspaceConfiguration: func(params json.RawMessage) (any, error) {
			var p protocol.ConfigurationParams
			if err := json.Unmarshal(params, &p); err != nil || len(p.Items) != 1 || p.Items[0].Section != "rivet" {
				t.Errorf("workspace/configuration %s: want one item for section rivet", params)
			}
			pulled <- struct{}{}
			return []any{map[string]any{"rules": map[string]string{"unsafe-missing-safety": "error"}}}, nil
		},
	}})
	var caps server.ClientCapabilities
	caps.Workspace = &server.WorkspaceClientCapabilities{}
	caps.Workspace.Configuration = true
	c.Initialize(lsptest.Root(dir), lsptest.Capabilities(caps))
	<-pulled // at start
	uri := openLib(t, c, dir)
	waitSeverity(t, c, uri, protocol.DiagnosticSeverityError)

	change := func(settings any) {
		c.Notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": settings})
	}
	change(map[string]any{"rivet": map[string]any{"rules": map[string]string{"unsafe-missing-safety": "hint"}}})
	waitSeverity(t, c, uri, protocol.DiagnosticSeverityHint)
	change(map[string]any{"rules": map[string]string{"unsafe-missing-safety": "off"}})
	waitSeverity(t, c, uri, 0)
	change(nil)
	<-pulled
	waitSeverity(t, c, uri, protocol.DiagnosticSeverityError)

	// Invalid settings are shown and ignored as a whole: the defaults
	// (under no .rivet.toml) are in force.
	change(map[string]any{"rules": map[string]string{"unsafe-missing-safety": "off", "lifecycle-leek": "off"}})
	msg := waitShowMessage(t, c)
	if !strings.Contains(msg, "rules.lifecycle-leek") {
		t.Errorf("message %q does not name the key rules.lifecycle-leek", msg)
	}
	waitSeverity(t, c, uri, protocol.DiagnosticSeverityWarning)
}

// waitShowMessage waits for a window/showMessage of type Error and returns
// its message.
func waitShowMessage(t *testing.T, c *lsptest.Client) string {
	t.Helper()
	var p protocol.ShowMessageParams
	if err := c.WaitFor(protocol.MethodWindowShowMessage, nil, 0).Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.Type != protocol.MessageTypeError {
		t.Errorf("showMessage type %v, want Error", p.Type)
	}
	return p.Message
}

// TestInvalidRivetToml: an invalid .rivet.toml is shown with its key and
// line and ignored, so its valid exclude does not apply either; fixing
// the file on disk applies it, through the watcher.
func TestInvalidRivetToml(t *testing.T) {
	dir := analysistest.WriteTxtar(t, unsafeTree+`
-- .rivet.toml --
# rivet settings
[rules]
unsafe-missing-safety = "loud"
`)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(dir), lsptest.Capabilities(watchingClient()))
	msg := waitShowMessage(t, c)
	for _, want := range []string{".rivet.toml:3", "rules.unsafe-missing-safety", "loud"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
	uri := openLib(t, c, dir)
	waitSeverity(t, c, uri, protocol.DiagnosticSeverityWarning)

	toml := filepath.Join(dir, ".rivet.toml")
	writeFile(t, toml, "[rules]\nunsafe-missing-safety = \"error\"\n")
	c.Notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{"changes": []any{fileEvent(toml, protocol.FileChangeTypeChanged)}})
	waitSeverity(t, c, uri, protocol.DiagnosticSeverityError)
}

// TestFileAndClientLayers: the client's settings override .rivet.toml key
// by key, rules code by code.
func TestFileAndClientLayers(t *testing.T) {
	dir := analysistest.WriteTxtar(t, unsafeTree+`
-- .rivet.toml --
[rules]
unsafe-missing-safety = "error"
`)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(dir), initOptions(map[string]any{"inlay_hints": false}))
	uri := openLib(t, c, dir)
	waitSeverity(t, c, uri, protocol.DiagnosticSeverityError) // the file's, untouched by the client's
	c.Notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"rules": map[string]string{"unsafe-missing-safety": "info"}}})
	waitSeverity(t, c, uri, protocol.DiagnosticSeverityInformation)
}

// TestExcludeChangeReindexes excludes the directory that defines what an
// open Rust document imports: the workspace is indexed again without it,
// and the document's diagnostics say so.
func TestExcludeChangeReindexes(t *testing.T) {
	dir := analysistest.WriteTxtar(t, `
-- drivers/x/x.rs --
extern "C" {
    fn foo_init() -> i32;
}
-- tools/foo.c --
int foo_init(void) { return 0; }
`)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(dir))
	c.WaitIndexed(0)
	rs := filepath.Join(dir, "drivers/x/x.rs")
	uri := lsptest.FileURI(rs)
	c.OpenDocument(uri, readFile(t, rs))
	if got := waitPublished(t, c, uri, atVersion(1)); len(mentioning(got.Diagnostics, "foo_init")) != 0 {
		t.Fatalf("foo_init unresolved while tools/foo.c is indexed: %+v", got.Diagnostics)
	}
	c.Notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"exclude": []string{"tools/**"}}})
	c.WaitIndexed(0)
	waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool {
		return len(mentioning(withCode(p.Diagnostics, "ffi-unresolved"), "foo_init")) == 1
	})
}
