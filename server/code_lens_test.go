package server_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

func (n *navClient) codeLenses(rel string) []protocol.CodeLens {
	n.t.Helper()
	n.openDoc(rel)
	var lenses []protocol.CodeLens
	if err := n.Call(protocol.MethodTextDocumentCodeLens, protocol.CodeLensParams{TextDocument: protocol.TextDocumentIdentifier{URI: n.uri(rel)}}, &lenses); err != nil {
		n.t.Fatal(err)
	}
	return lenses
}

func (n *navClient) showLenses(rel string, lenses []protocol.CodeLens) []string {
	var out []string
	for _, l := range lenses {
		out = append(out, n.show(protocol.Location{URI: n.uri(rel), Range: l.Range})+": "+l.Command.Title)
	}
	return out
}

// runsShowReferences advertises that the client runs rivet.showReferences.
func runsShowReferences() server.ClientCapabilities {
	var caps server.ClientCapabilities
	caps.Experimental = map[string]any{"commands": map[string]any{"commands": []string{server.ShowReferencesCommand}}}
	return caps
}

func TestCodeLens(t *testing.T) {
	n := startNav(t, kernelRoot(t), lsptest.Capabilities(runsShowReferences()))
	rs := n.codeLenses("drivers/char/rcounter/rcounter.rs")
	want := []string{
		"drivers/char/rcounter/rcounter.rs:57 rcounter_account: called from C: 1",
		"drivers/char/rcounter/rcounter.rs:76 rcounter_total: called from C: 1",
	}
	if diff := cmp.Diff(want, n.showLenses("drivers/char/rcounter/rcounter.rs", rs)); diff != "" {
		t.Errorf("Rust lenses -want +got:\n%s", diff)
	}
	// The command carries editor.action.showReferences' arguments: the
	// URI, the position, the locations counted.
	cmd := rs[0].Command
	if cmd.Command != server.ShowReferencesCommand || len(cmd.Arguments) != 3 {
		t.Fatalf("command = %+v", cmd)
	}
	var args struct {
		URI  protocol.DocumentURI
		Pos  protocol.Position
		Locs []protocol.Location
	}
	raw, _ := json.Marshal(cmd.Arguments[0])
	json.Unmarshal(raw, &args.URI)
	raw, _ = json.Marshal(cmd.Arguments[1])
	json.Unmarshal(raw, &args.Pos)
	raw, _ = json.Marshal(cmd.Arguments[2])
	json.Unmarshal(raw, &args.Locs)
	if args.URI != n.uri("drivers/char/rcounter/rcounter.rs") || args.Pos != rs[0].Range.Start {
		t.Errorf("command arguments %v %v, want the lens's document and position", args.URI, args.Pos)
	}
	if diff := cmp.Diff([]string{"drivers/char/rcounter/rcounter_glue.c:29 rcounter_account"}, n.showAll(args.Locs)); diff != "" {
		t.Errorf("command locations -want +got:\n%s", diff)
	}

	cl := n.codeLenses("include/linux/clk.h")
	if len(cl) != 7 || cl[0].Command.Title != "used from Rust: 5" {
		t.Errorf("clk.h lenses = %v", n.showLenses("include/linux/clk.h", cl))
	}
}

// TestCodeLensWithoutCommand checks that a client which does not run
// rivet.showReferences gets the counts as labels.
func TestCodeLensWithoutCommand(t *testing.T) {
	n := startNav(t, kernelRoot(t))
	rs := n.codeLenses("drivers/char/rcounter/rcounter.rs")
	if len(rs) != 2 || rs[0].Command == nil || rs[0].Command.Title != "called from C: 1" || rs[0].Command.Command != "" || rs[0].Command.Arguments != nil {
		t.Errorf("lenses = %+v, want titled label commands", rs)
	}
}

// TestCodeLensOff checks the configuration switch.
func TestCodeLensOff(t *testing.T) {
	root := navTxtarRoot(t, `
-- .rivet.toml --
code_lens = false
-- x.rs --
#[no_mangle]
pub extern "C" fn x_poke() {}
-- x.c --
void x_poke(void);
void y(void) { x_poke(); }
`)
	n := startNav(t, root)
	if rs := n.codeLenses("x.rs"); rs != nil {
		t.Errorf("lenses with code_lens = false: %+v", rs)
	}
	on := startNav(t, navTxtarRoot(t, "-- x.rs --\n#[no_mangle]\npub extern \"C\" fn x_poke() {}\n-- x.c --\nvoid y(void) { x_poke(); }\n"))
	if diff := cmp.Diff([]string{"x.rs:2 x_poke: called from C: 1"}, on.showLenses("x.rs", on.codeLenses("x.rs"))); diff != "" {
		t.Errorf("lenses by default -want +got:\n%s", diff)
	}
}

// TestCodeLensRefresh checks that a client supporting
// workspace/codeLens/refresh is asked to refresh once the index is built.
func TestCodeLensRefresh(t *testing.T) {
	var caps server.ClientCapabilities
	caps.Workspace = &server.WorkspaceClientCapabilities{WorkspaceClientCapabilities: protocol.WorkspaceClientCapabilities{
		CodeLens: &protocol.CodeLensWorkspaceClientCapabilities{RefreshSupport: true},
	}}
	c := lsptest.Start(t, lsptest.Options{Replies: map[string]lsptest.ReplyFunc{
		protocol.MethodCodeLensRefresh: func(json.RawMessage) (any, error) { return nil, nil },
	}})
	c.Initialize(lsptest.Root(kernelRoot(t)), lsptest.Capabilities(caps))
	c.WaitIndexed(0)
	c.WaitForRequest(protocol.MethodCodeLensRefresh, nil, 0)
}
