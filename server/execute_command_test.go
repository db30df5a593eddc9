package server_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// TestReindexCommand: rivet.reindex is advertised; it finds a C file
// written behind the watcher's back (no didChangeWatchedFiles), reports
// indexing and ready again, and the open document's diagnostics follow.
// An unknown command is InvalidParams.
func TestReindexCommand(t *testing.T) {
	dir := analysistest.WriteTxtar(t, externTree)
	c := lsptest.Start(t, lsptest.Options{})
	res := c.Initialize(lsptest.Root(dir))
	if p := res.Capabilities.ExecuteCommandProvider; p == nil || len(p.Commands) != 1 || p.Commands[0] != server.ReindexCommand {
		t.Fatalf("executeCommandProvider %+v, want [%s]", p, server.ReindexCommand)
	}
	c.WaitIndexed(0)
	rs := filepath.Join(dir, "drivers/x/x.rs")
	uri := lsptest.FileURI(rs)
	c.OpenDocument(uri, readFile(t, rs))
	waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool {
		return len(mentioning(withCode(p.Diagnostics, "ffi-unresolved"), "foo_init")) == 1
	})

	writeFile(t, filepath.Join(dir, "drivers/x/foo.c"), "int foo_init(void) { return 0; }\n")
	before := len(c.Messages())
	var result json.RawMessage
	if err := c.Call(protocol.MethodWorkspaceExecuteCommand, protocol.ExecuteCommandParams{Command: server.ReindexCommand}, &result); err != nil {
		t.Fatalf("%s: %v", server.ReindexCommand, err)
	}
	if len(result) != 0 && string(result) != "null" { // lsptest gives null as empty
		t.Errorf("%s answered %s, want null", server.ReindexCommand, result)
	}
	waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool {
		return len(mentioning(p.Diagnostics, "foo_init")) == 0
	})
	var states []string
	for _, m := range c.Messages()[before:] {
		var st server.StatusParams
		if m.Method == server.StatusNotification && m.Decode(&st) == nil {
			states = append(states, st.State)
		}
	}
	if len(states) < 2 || states[0] != "indexing" || states[1] != "ready" {
		t.Errorf("status after %s: %v, want indexing then ready", server.ReindexCommand, states)
	}

	err := c.Call(protocol.MethodWorkspaceExecuteCommand, protocol.ExecuteCommandParams{Command: "rivet.noSuchCommand"}, nil)
	if err == nil || err.Code != jsonrpc2.InvalidParams {
		t.Errorf("unknown command: %v, want InvalidParams", err)
	}
}
