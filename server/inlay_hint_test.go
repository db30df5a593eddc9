package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// inlayHints requests the hints of rel in rng (the whole file when nil).
func (n *navClient) inlayHints(rel string, rng *protocol.Range) []server.InlayHint {
	n.t.Helper()
	n.openDoc(rel)
	if rng == nil {
		rng = &protocol.Range{End: protocol.Position{Line: 1 << 20}}
	}
	var hints []server.InlayHint
	if err := n.Call(server.MethodTextDocumentInlayHint, server.InlayHintParams{TextDocument: protocol.TextDocumentIdentifier{URI: n.uri(rel)}, Range: *rng}, &hints); err != nil {
		n.t.Fatal(err)
	}
	return hints
}

// showHints renders hints as "call|label": the line's text up to the
// hint from the unsafe block's start, then the label.
func (n *navClient) showHints(rel string, hints []server.InlayHint) []string {
	lines := strings.Split(n.text(rel), "\n")
	var out []string
	for _, h := range hints {
		line := lines[h.Position.Line]
		// The test files are ASCII, so UTF-16 columns are byte columns.
		before := strings.TrimSpace(line[:h.Position.Character])
		if i := strings.LastIndex(before, "unsafe { "); i >= 0 {
			before = before[i+len("unsafe { "):]
		}
		var label strings.Builder
		for _, p := range h.Label {
			label.WriteString(p.Value)
		}
		out = append(out, before+"|"+label.String())
	}
	return out
}

func TestInlayHint(t *testing.T) {
	n := startNav(t, kernelRoot(t))
	const rel = "drivers/demo/locking.rs"
	hints := n.inlayHints(rel, nil)
	want := []string{
		"bindings::clk_prepare(clk.as_raw())|→ may sleep",
		"bindings::clk_prepare(clk.as_raw())|→ may sleep",
		"bindings::kmalloc(64, bindings::GFP_KERNEL)|→ owned: kfree, may sleep",
		"bindings::kmalloc(64, bindings::GFP_ATOMIC)|→ owned: kfree",
		"bindings::kfree(spare)|→ releases",
		"bindings::kfree(buf)|→ releases",
		"bindings::misc_register(&mut misc)|→ may sleep",
		"bindings::misc_register(&mut self.misc)|→ may sleep",
		"bindings::misc_register(misc)|→ may sleep",
	}
	if diff := cmp.Diff(want, n.showHints(rel, hints)); diff != "" {
		t.Errorf("hints -want +got:\n%s", diff)
	}
	// "owned" names the release, with its C declaration as the location.
	h := hints[2]
	if len(h.Label) != 3 || h.Label[1].Value != "kfree" || h.Label[1].Location == nil {
		t.Fatalf("kmalloc hint label = %+v", h.Label)
	}
	if got := n.show(*h.Label[1].Location); !strings.HasPrefix(got, "include/linux/slab.h:") || !strings.HasSuffix(got, " kfree") {
		t.Errorf("kfree's location = %q, want its declaration in include/linux/slab.h", got)
	}
	if !strings.Contains(h.Tooltip, "freed by kfree, kvfree or kfree_sensitive") || !h.PaddingLeft {
		t.Errorf("kmalloc hint tooltip %q, padding %v", h.Tooltip, h.PaddingLeft)
	}
	// A range keeps the hints inside it.
	first := hints[0].Position
	some := n.inlayHints(rel, &protocol.Range{Start: first, End: first})
	if len(some) != 1 || some[0].Position != first {
		t.Errorf("hints in an empty range at the first = %+v", some)
	}
	// C files have none.
	if got := n.inlayHints("drivers/clk/clk.c", nil); len(got) != 0 {
		t.Errorf("hints in C: %v", n.showHints("drivers/clk/clk.c", got))
	}
}

// TestInlayHintWire checks the JSON of a hint: a plain label is a string,
// a label with a location is an array of parts.
func TestInlayHintWire(t *testing.T) {
	n := startNav(t, kernelRoot(t))
	n.openDoc("drivers/demo/ownership.rs")
	var raw []json.RawMessage
	params := server.InlayHintParams{TextDocument: protocol.TextDocumentIdentifier{URI: n.uri("drivers/demo/ownership.rs")}, Range: protocol.Range{End: protocol.Position{Line: 1 << 20}}}
	if err := n.Call(server.MethodTextDocumentInlayHint, params, &raw); err != nil {
		t.Fatal(err)
	}
	var sawString, sawParts bool
	for _, h := range raw {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(h, &m); err != nil {
			t.Fatal(err)
		}
		switch m["label"][0] {
		case '"':
			sawString = true
		case '[':
			sawParts = true
		}
		if _, ok := m["kind"]; ok {
			t.Errorf("hint has a kind: %s", h)
		}
	}
	if !sawString || !sawParts {
		t.Errorf("labels: string %v, parts %v; want both forms", sawString, sawParts)
	}
}

// TestInlayHintOff checks the configuration switch, and that hints
// follow an edit of the document.
func TestInlayHintOff(t *testing.T) {
	archive := `
-- include/linux/slab.h --
void *kmalloc(unsigned long size, gfp_t flags);
void kfree(const void *p);
-- x.rs --
fn f() {
    let p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
}
`
	off := startNav(t, navTxtarRoot(t, "-- .rivet.toml --\ninlay_hints = false\n"+archive))
	if got := off.inlayHints("x.rs", nil); got != nil {
		t.Errorf("hints with inlay_hints = false: %v", off.showHints("x.rs", got))
	}
	on := startNav(t, navTxtarRoot(t, archive))
	if diff := cmp.Diff([]string{"bindings::kmalloc(8, bindings::GFP_KERNEL)|→ owned: kfree, may sleep"}, on.showHints("x.rs", on.inlayHints("x.rs", nil))); diff != "" {
		t.Errorf("hints by default -want +got:\n%s", diff)
	}
	// GFP_ATOMIC in the buffer: the hint follows the buffer, not the disk.
	on.ChangeDocument(on.uri("x.rs"), lsptest.Replace("fn f() {\n    let p = unsafe { bindings::kmalloc(8, bindings::GFP_ATOMIC) };\n}\n"))
	hints := on.inlayHints("x.rs", nil)
	if len(hints) != 1 {
		t.Fatalf("hints after the edit = %+v", hints)
	}
	if got := labelText(hints[0]); got != "→ owned: kfree" {
		t.Errorf("hint after the edit = %q, want no sleeping with GFP_ATOMIC", got)
	}
}

func labelText(h server.InlayHint) string {
	var b strings.Builder
	for _, p := range h.Label {
		b.WriteString(p.Value)
	}
	return b.String()
}

// TestInlayHintRefresh checks that a client supporting
// workspace/inlayHint/refresh is asked to refresh once the index is built,
// and that the capability is announced.
func TestInlayHintRefresh(t *testing.T) {
	var caps server.ClientCapabilities
	caps.Workspace = &server.WorkspaceClientCapabilities{InlayHint: &server.InlayHintWorkspaceClientCapabilities{RefreshSupport: true}}
	c := lsptest.Start(t, lsptest.Options{Replies: map[string]lsptest.ReplyFunc{
		server.MethodWorkspaceInlayHintRefresh: func(json.RawMessage) (any, error) { return nil, nil },
	}})
	res := c.Initialize(lsptest.Root(kernelRoot(t)), lsptest.Capabilities(caps))
	if res.Capabilities.InlayHintProvider == nil {
		t.Error("inlayHintProvider is not announced")
	}
	c.WaitIndexed(0)
	c.WaitForRequest(server.MethodWorkspaceInlayHintRefresh, nil, 0)
}
