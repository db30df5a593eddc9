package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// A tree where bindings::lock_init is a static inline whose header no
// helper file includes: ffi-needs-helper's fix creates rust/helpers/lock.c
// and lists it in helpers.c.
const createTree = `
-- rust/bindings/bindings_helper.h --
#include <linux/lock.h>
-- rust/helpers/helpers.c --
#include "atomic.c"
-- rust/helpers/atomic.c --
#include <linux/atomic.h>
-- include/linux/atomic.h --
static inline int atomic_read(const int *v) { return *v; }
-- include/linux/lock.h --
struct lock { int x; };
static inline void lock_init(struct lock *l) { l->x = 0; }
-- drivers/demo/demo.rs --
use kernel::bindings;
pub fn f(l: *mut bindings::lock) {
    // SAFETY: l is valid.
    unsafe { bindings::lock_init(l) };
}
`

func TestCodeActionCreatesHelperFile(t *testing.T) {
	root := analysistest.WriteTxtar(t, createTree)
	caps := server.ClientCapabilities{}
	caps.Workspace = &server.WorkspaceClientCapabilities{}
	caps.Workspace.WorkspaceEdit = &protocol.WorkspaceClientCapabilitiesWorkspaceEdit{
		DocumentChanges: true, ResourceOperations: []string{"create"},
	}
	c, uri, text := openSession(t, root, "drivers/demo/demo.rs", lsptest.Capabilities(caps))
	line := caLine(t, text, "lock_init")
	var raw []struct {
		Title string `json:"title"`
		Edit  struct {
			DocumentChanges []json.RawMessage `json:"documentChanges"`
		} `json:"edit"`
	}
	params := protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri},
		Range:        protocol.Range{Start: protocol.Position{Line: line}, End: protocol.Position{Line: line, Character: 200}},
		Context:      protocol.CodeActionContext{Diagnostics: []protocol.Diagnostic{}},
	}
	if err := c.Call(protocol.MethodTextDocumentCodeAction, params, &raw); err != nil {
		t.Fatalf("codeAction: %v", err)
	}
	var found bool
	for _, a := range raw {
		if !strings.Contains(a.Title, "lock.c") {
			continue
		}
		found = true
		var kinds []string
		var created, newText string
		for _, dc := range a.Edit.DocumentChanges {
			var op struct {
				Kind         string `json:"kind"`
				URI          string `json:"uri"`
				TextDocument *struct {
					URI     string `json:"uri"`
					Version *int32 `json:"version"`
				} `json:"textDocument"`
				Edits []protocol.TextEdit `json:"edits"`
			}
			if err := json.Unmarshal(dc, &op); err != nil {
				t.Fatal(err)
			}
			switch {
			case op.Kind == "create":
				kinds = append(kinds, "create")
				created = op.URI
			case op.TextDocument != nil:
				kinds = append(kinds, "edit")
				if op.TextDocument.URI == created {
					if op.TextDocument.Version != nil || len(op.Edits) != 1 {
						t.Errorf("edit of the created file: version %v, %d edits", op.TextDocument.Version, len(op.Edits))
					}
					newText = op.Edits[0].NewText
				}
			}
		}
		if !strings.HasSuffix(created, "/rust/helpers/lock.c") || !strings.Contains(strings.Join(kinds, " "), "create edit") {
			t.Errorf("document changes %v, created %q: want a create of rust/helpers/lock.c followed by its edit", kinds, created)
		}
		if !strings.Contains(newText, "#include <linux/lock.h>") || !strings.Contains(newText, "__rust_helper void rust_helper_lock_init(struct lock *l)") {
			t.Errorf("new helper file:\n%s", newText)
		}
	}
	if !found {
		t.Errorf("no action creating rust/helpers/lock.c among %d actions", len(raw))
	}

	// A client without the create operation is not offered that fix.
	c2, uri2, text2 := openSession(t, root, "drivers/demo/demo.rs")
	for _, a := range codeActions(t, c2, uri2, caLine(t, text2, "lock_init")) {
		if strings.Contains(a.Title, "lock.c") {
			t.Errorf("a client that cannot create files was offered %q", a.Title)
		}
	}
}

// TestCodeActionContextDiagnostics: a request whose range misses the
// diagnostic (Neovim's cursor at the start of the line) still gets its
// fixes when the client passes the diagnostic as context.
func TestCodeActionContextDiagnostics(t *testing.T) {
	root := kernelRoot(t)
	c, uri, text := openSession(t, root, "drivers/demo/checks.rs")
	line := caLine(t, text, "bindings::clk_get_rate(clk.as_raw()) } // want")
	actions := codeActions(t, c, uri, line)
	if len(actions) == 0 || len(actions[0].Diagnostics) == 0 {
		t.Fatalf("no action with a diagnostic on line %d", line)
	}
	diag := actions[0].Diagnostics[0]
	if diag.Range.Start.Character == 0 {
		t.Fatalf("the diagnostic starts at column 0: the test needs it further right")
	}
	ask := func(ctx []protocol.Diagnostic) int {
		var got []json.RawMessage
		params := protocol.CodeActionParams{
			TextDocument: protocol.TextDocumentIdentifier{URI: uri},
			Range:        protocol.Range{Start: protocol.Position{Line: line}, End: protocol.Position{Line: line}},
			Context:      protocol.CodeActionContext{Diagnostics: ctx},
		}
		if err := c.Call(protocol.MethodTextDocumentCodeAction, params, &got); err != nil {
			t.Fatalf("codeAction: %v", err)
		}
		return len(got)
	}
	if n := ask([]protocol.Diagnostic{}); n != 0 {
		t.Errorf("%d actions for a range missing the diagnostic, without context; want 0", n)
	}
	if n := ask([]protocol.Diagnostic{diag}); n == 0 {
		t.Errorf("no action with the diagnostic as context")
	}
}
