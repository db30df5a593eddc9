package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.lsp.dev/protocol"
)

func (n *navClient) prepareCalls(file, marker string) protocol.CallHierarchyItem {
	n.t.Helper()
	var items []protocol.CallHierarchyItem
	params := protocol.CallHierarchyPrepareParams{TextDocumentPositionParams: n.pos(file, marker)}
	if err := n.Call(protocol.MethodTextDocumentPrepareCallHierarchy, params, &items); err != nil {
		n.t.Fatal(err)
	}
	if len(items) != 1 {
		n.t.Fatalf("prepareCallHierarchy at %s %q: %d items", file, marker, len(items))
	}
	return items[0]
}

// showItem renders an item as "rel:line name" from its selection range.
func (n *navClient) showItem(it protocol.CallHierarchyItem) string {
	return n.show(protocol.Location{URI: it.URI, Range: it.SelectionRange})
}

// lines renders ranges of a file as their one-based line numbers.
func lines(rs []protocol.Range) string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprint(r.Start.Line+1))
	}
	return strings.Join(out, ",")
}

func (n *navClient) incoming(it protocol.CallHierarchyItem) []string {
	n.t.Helper()
	var calls []protocol.CallHierarchyIncomingCall
	if err := n.Call(protocol.MethodCallHierarchyIncomingCalls, protocol.CallHierarchyIncomingCallsParams{Item: it}, &calls); err != nil {
		n.t.Fatal(err)
	}
	var out []string
	for _, c := range calls {
		out = append(out, n.showItem(c.From)+" @"+lines(c.FromRanges))
	}
	return out
}

func (n *navClient) outgoing(it protocol.CallHierarchyItem) []string {
	n.t.Helper()
	var calls []protocol.CallHierarchyOutgoingCall
	if err := n.Call(protocol.MethodCallHierarchyOutgoingCalls, protocol.CallHierarchyOutgoingCallsParams{Item: it}, &calls); err != nil {
		n.t.Fatal(err)
	}
	var out []string
	for _, c := range calls {
		out = append(out, n.showItem(c.To)+" @"+lines(c.FromRanges))
	}
	return out
}

func TestCallHierarchy(t *testing.T) {
	n := startNav(t, kernelRoot(t))

	// Rust -> C -> C, and C <- Rust.
	it := n.prepareCalls("drivers/demo/locking.rs", "bindings::clk_|prepare(clk.as_raw()) }; // want")
	if got := n.showItem(it); got != "drivers/clk/clk.c:72 clk_prepare" {
		t.Errorf("prepare = %q", got)
	}
	if it.Kind != protocol.SymbolKindFunction || it.Detail == "" {
		t.Errorf("item kind %v detail %q", it.Kind, it.Detail)
	}
	wantIn := []string{
		"drivers/demo/locking.rs:84 prepare_locked @89",
		"drivers/demo/locking.rs:112 prepare_under_mutex @116",
		"drivers/demo/ownership.rs:58 new @62",
		"drivers/demo/ownership.rs:67 new_checked @73",
		"rust/kernel/clk.rs:53 prepare_enable @55",
	}
	if diff := cmp.Diff(wantIn, n.incoming(it)); diff != "" {
		t.Errorf("incoming -want +got:\n%s", diff)
	}
	wantOut := []string{"include/linux/mutex.h:54 mutex_lock @77", "include/linux/mutex.h:76 mutex_unlock @79"}
	if diff := cmp.Diff(wantOut, n.outgoing(it)); diff != "" {
		t.Errorf("outgoing -want +got:\n%s", diff)
	}

	// An item whose data the client dropped is found again by position.
	it.Data = nil
	if diff := cmp.Diff(wantIn, n.incoming(it)); diff != "" {
		t.Errorf("incoming without data -want +got:\n%s", diff)
	}

	// C -> Rust: the export is what a C call reaches, and its callers are C.
	acct := n.prepareCalls("drivers/char/rcounter/rcounter_glue.c", "ret = rcounter_|account(kbuf, len);")
	if got := n.showItem(acct); got != "drivers/char/rcounter/rcounter.rs:57 rcounter_account" {
		t.Errorf("prepare on a C call of a Rust export = %q", got)
	}
	if diff := cmp.Diff([]string{"drivers/char/rcounter/rcounter_glue.c:16 rcounter_write @29"}, n.incoming(acct)); diff != "" {
		t.Errorf("incoming of the export -want +got:\n%s", diff)
	}
	// Rust -> C through an extern item.
	initFn := n.prepareCalls("drivers/char/rcounter/rcounter.rs", "fn |init() -> Result<Self>")
	if diff := cmp.Diff([]string{"drivers/char/rcounter/rcounter_glue.c:52 rcounter_glue_register @95"}, n.outgoing(initFn)); diff != "" {
		t.Errorf("outgoing of init -want +got:\n%s", diff)
	}
}
