package server_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.lsp.dev/protocol"
)

func TestReferences(t *testing.T) {
	n := startNav(t, kernelRoot(t))
	refs := func(file, marker string, include bool) []string {
		t.Helper()
		var locs []protocol.Location
		params := protocol.ReferenceParams{
			TextDocumentPositionParams: n.pos(file, marker),
			Context:                    protocol.ReferenceContext{IncludeDeclaration: include},
		}
		if err := n.Call(protocol.MethodTextDocumentReferences, params, &locs); err != nil {
			t.Fatal(err)
		}
		return n.showAll(locs)
	}

	// The same set from the Rust export, from its C caller and from its
	// C prototype.
	account := []string{
		"drivers/char/rcounter/rcounter.rs:57 rcounter_account",
		"drivers/char/rcounter/rcounter_glue.c:29 rcounter_account",
		"drivers/char/rcounter/rcounter_internal.h:13 rcounter_account",
	}
	for _, from := range [][2]string{
		{"drivers/char/rcounter/rcounter.rs", "fn rcounter_|account("},
		{"drivers/char/rcounter/rcounter_glue.c", "ret = rcounter_|account(kbuf, len);"},
		{"drivers/char/rcounter/rcounter_internal.h", "int rcounter_|account(const char"},
	} {
		if diff := cmp.Diff(account, refs(from[0], from[1], true)); diff != "" {
			t.Errorf("references from %s -want +got:\n%s", from[0], diff)
		}
	}
	if diff := cmp.Diff(account[1:2], refs("drivers/char/rcounter/rcounter.rs", "fn rcounter_|account(", false)); diff != "" {
		t.Errorf("references without declarations -want +got:\n%s", diff)
	}

	// A C function from a Rust use: its declarations and all Rust uses.
	got := refs("drivers/demo/checks.rs", "let clk = unsafe { bindings::clk_|get(dev.as_raw(), ptr::null()) }; // want", true)
	want := []string{
		"drivers/clk/clk.c:47 clk_get",
		"drivers/demo/checks.rs:67 clk_get",
		"drivers/demo/checks.rs:84 clk_get",
		"drivers/demo/ownership.rs:60 clk_get",
		"drivers/demo/ownership.rs:71 clk_get",
		"include/linux/clk.h:21 clk_get",
		"rust/kernel/clk.rs:36 clk_get",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("references of clk_get -want +got:\n%s", diff)
	}

	// Nothing for names that stay on one side.
	if got := refs("drivers/char/rcounter/rcounter_glue.c", "static ssize_t rcounter_|write(", true); got != nil {
		t.Errorf("references of a C-only function = %v, want null", got)
	}
}
