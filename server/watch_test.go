package server_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// watchingClient are the capabilities of a client that lets rivet
// register file watchers.
func watchingClient() server.ClientCapabilities {
	var caps server.ClientCapabilities
	caps.Workspace = &server.WorkspaceClientCapabilities{}
	caps.Workspace.DidChangeWatchedFiles = &protocol.DidChangeWatchedFilesWorkspaceClientCapabilities{DynamicRegistration: true}
	return caps
}

// fileEvent is one change for didChangeWatchedFiles.
func fileEvent(path string, typ protocol.FileChangeType) map[string]any {
	return map[string]any{"uri": lsptest.FileURI(path), "type": typ}
}

// TestWatcherRegistration checks what rivet asks a client to watch, and
// that it asks nothing of a client without dynamic registration.
func TestWatcherRegistration(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(kernelRoot(t)), lsptest.Capabilities(watchingClient()))
	var params protocol.RegistrationParams
	if err := c.WaitForRequest(protocol.MethodClientRegisterCapability, nil, 0).Decode(&params); err != nil {
		t.Fatal(err)
	}
	if len(params.Registrations) != 1 || params.Registrations[0].Method != protocol.MethodWorkspaceDidChangeWatchedFiles || params.Registrations[0].ID == "" {
		t.Fatalf("registrations %+v, want one for %s", params.Registrations, protocol.MethodWorkspaceDidChangeWatchedFiles)
	}
	var opts struct {
		Watchers []map[string]any `json:"watchers"`
	}
	raw, _ := json.Marshal(params.Registrations[0].RegisterOptions)
	if err := json.Unmarshal(raw, &opts); err != nil {
		t.Fatal(err)
	}
	var globs []string
	for _, w := range opts.Watchers {
		globs = append(globs, w["globPattern"].(string))
		if _, ok := w["kind"]; ok {
			t.Errorf("watcher %v has a kind: rivet wants creations, changes and deletions (the default)", w)
		}
	}
	want := []string{"**/*.{c,h,rs}", "**/.rivet.toml", "**/rust/bindgen_parameters"}
	if !slices.Equal(globs, want) {
		t.Errorf("globs %q, want %q", globs, want)
	}

	c2 := lsptest.Start(t, lsptest.Options{})
	c2.Initialize(lsptest.Root(kernelRoot(t)))
	c2.WaitIndexed(0)
	for _, m := range c2.Messages() {
		if m.Method == protocol.MethodClientRegisterCapability {
			t.Errorf("registration sent to a client without dynamic registration: %s", m.Params)
		}
	}
}

// externTree is a tree where a Rust file imports two C functions that no
// C file defines yet.
const externTree = `
-- drivers/x/x.rs --
extern "C" {
    fn foo_init() -> i32;
    fn bar_init() -> i32;
}
-- drivers/x/other.c --
int other(void) { return 0; }
`

// TestWatchedFileAddsDeclaration creates on disk the C file that defines
// what an open Rust document imports: once the client reports it, the
// document's ffi-unresolved diagnostic goes away; once the client
// reports it deleted, it comes back.
func TestWatchedFileAddsDeclaration(t *testing.T) {
	dir := analysistest.WriteTxtar(t, externTree)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(dir), lsptest.Capabilities(watchingClient()))
	c.WaitIndexed(0)
	rs := filepath.Join(dir, "drivers/x/x.rs")
	uri := lsptest.FileURI(rs)
	c.OpenDocument(uri, readFile(t, rs))
	got := waitPublished(t, c, uri, atVersion(1))
	if n := len(mentioning(withCode(got.Diagnostics, "ffi-unresolved"), "foo_init")); n != 1 {
		t.Fatalf("before foo.c: %d ffi-unresolved for foo_init, want 1 (%+v)", n, got.Diagnostics)
	}

	foo := filepath.Join(dir, "drivers/x/foo.c")
	writeFile(t, foo, "int foo_init(void)\n{\n\treturn 0;\n}\n")
	c.Notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{"changes": []any{fileEvent(foo, protocol.FileChangeTypeCreated)}})
	got = waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool {
		return len(mentioning(p.Diagnostics, "foo_init")) == 0
	})
	if n := len(mentioning(withCode(got.Diagnostics, "ffi-unresolved"), "bar_init")); n != 1 || *got.Version != 1 {
		t.Errorf("after foo.c, version %d: %d ffi-unresolved for bar_init, want 1 at version 1", *got.Version, n)
	}

	removeFile(t, foo)
	c.Notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{"changes": []any{fileEvent(foo, protocol.FileChangeTypeDeleted)}})
	waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool {
		return len(mentioning(withCode(p.Diagnostics, "ffi-unresolved"), "foo_init")) == 1
	})
}

// TestOpenDocumentWinsOverDisk opens foo.c with a text that lacks
// foo_init while the disk's defines it, then reports a change of foo.c
// and a new bar.c in one batch: bar_init resolves, foo_init does not
// while the buffer is open, and does once it is closed.
func TestOpenDocumentWinsOverDisk(t *testing.T) {
	dir := analysistest.WriteTxtar(t, externTree+`
-- drivers/x/foo.c --
int foo_init(void) { return 0; }
`)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(dir), lsptest.Capabilities(watchingClient()))
	c.WaitIndexed(0)
	foo := filepath.Join(dir, "drivers/x/foo.c")
	fooURI := lsptest.FileURI(foo)
	c.OpenDocument(fooURI, "int foo_exit(void) { return 0; }\n")
	rs := filepath.Join(dir, "drivers/x/x.rs")
	uri := lsptest.FileURI(rs)
	c.OpenDocument(uri, readFile(t, rs))
	got := waitPublished(t, c, uri, atVersion(1))
	if n := len(mentioning(withCode(got.Diagnostics, "ffi-unresolved"), "foo_init")); n != 1 {
		t.Fatalf("with foo.c open without foo_init: %d ffi-unresolved for foo_init, want 1 (%+v)", n, got.Diagnostics)
	}

	writeFile(t, foo, "int foo_init(void) { return 1; }\n")
	bar := filepath.Join(dir, "drivers/x/bar.c")
	writeFile(t, bar, "int bar_init(void) { return 0; }\n")
	c.Notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{"changes": []any{
		fileEvent(foo, protocol.FileChangeTypeChanged), fileEvent(bar, protocol.FileChangeTypeCreated),
	}})
	got = waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool {
		return len(mentioning(p.Diagnostics, "bar_init")) == 0
	})
	if n := len(mentioning(withCode(got.Diagnostics, "ffi-unresolved"), "foo_init")); n != 1 {
		t.Errorf("after the disk changed under the open foo.c: %d ffi-unresolved for foo_init, want 1: the buffer wins", n)
	}

	c.CloseDocument(fooURI)
	waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool {
		return len(mentioning(p.Diagnostics, "foo_init")) == 0
	})
}

// TestWatchedBindgenParameters blocklists a function in
// rust/bindgen_parameters on disk: once the client reports the change,
// the open Rust document's use of it is reported as blocklisted.
func TestWatchedBindgenParameters(t *testing.T) {
	dir := analysistest.WriteTxtar(t, `
-- rust/bindings/bindings_helper.h --
#include <linux/foo.h>
-- rust/bindgen_parameters --
--opaque-type xregs_state
-- include/linux/foo.h --
int foo_init(void);
-- drivers/x/x.rs --
use kernel::bindings;

pub fn init() -> i32 {
    // SAFETY: foo_init has no preconditions.
    unsafe { bindings::foo_init() }
}
`)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(dir), lsptest.Capabilities(watchingClient()))
	c.WaitIndexed(0)
	rs := filepath.Join(dir, "drivers/x/x.rs")
	uri := lsptest.FileURI(rs)
	c.OpenDocument(uri, readFile(t, rs))
	if got := waitPublished(t, c, uri, atVersion(1)); len(mentioning(got.Diagnostics, "foo_init")) != 0 {
		t.Fatalf("foo_init reported before the blocklist: %+v", got.Diagnostics)
	}
	params := filepath.Join(dir, "rust/bindgen_parameters")
	writeFile(t, params, "--opaque-type xregs_state\n--blocklist-function foo_init\n")
	c.Notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{"changes": []any{fileEvent(params, protocol.FileChangeTypeChanged)}})
	got := waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool {
		return len(withCode(p.Diagnostics, "ffi-unresolved")) > 0
	})
	d := withCode(got.Diagnostics, "ffi-unresolved")[0]
	if len(d.RelatedInformation) == 0 || d.RelatedInformation[0].Location.URI != lsptest.FileURI(params) ||
		d.RelatedInformation[0].Location.Range.Start.Line != 1 {
		t.Errorf("blocklisted foo_init: %+v, want related information on line 2 of %s", d, params)
	}
}

// TestOddNotifications sends watched-file and configuration notifications
// no sane client sends, and pulls diagnostics of documents rivet does not
// analyse: the session goes on and answers.
func TestOddNotifications(t *testing.T) {
	dir := analysistest.WriteTxtar(t, unsafeTree)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(dir), lsptest.Capabilities(watchingClient()))
	c.WaitIndexed(0)
	c.Notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{"changes": []any{
		nil,
		map[string]any{"uri": "untitled:Untitled-1", "type": 1},
		map[string]any{"uri": "file:///", "type": 3},
		map[string]any{"uri": "file:///nonexistent/dir/x.rs", "type": 2},
		map[string]any{"uri": string(lsptest.FileURI(dir)), "type": 3},
		map[string]any{"uri": "%%%", "type": 7},
	}})
	for _, settings := range []any{42, "rules", []any{1, 2}, map[string]any{"rivet": 3}, map[string]any{"rules": map[string]any{"unsafe-missing-safety": 1}}} {
		c.Notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": settings})
		waitShowMessage(t, c)
	}
	for _, uri := range []protocol.DocumentURI{"untitled:Untitled-1", "file:///nonexistent.rs", lsptest.FileURI(filepath.Join(dir, "README"))} {
		if rep := pull(t, c, uri, ""); rep.Kind != server.DocumentDiagnosticReportKindFull || len(rep.Items) != 0 || rep.Items == nil {
			t.Errorf("pull of %s: %+v, want a full empty report", uri, rep)
		}
	}
	uri := openLib(t, c, dir)
	waitSeverity(t, c, uri, protocol.DiagnosticSeverityWarning)
}
