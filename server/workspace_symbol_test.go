package server_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.lsp.dev/protocol"
)

func TestWorkspaceSymbol(t *testing.T) {
	n := startNav(t, kernelRoot(t))
	var syms []protocol.SymbolInformation
	if err := n.Call(protocol.MethodWorkspaceSymbol, protocol.WorkspaceSymbolParams{Query: "rcounter_glue_reg"}, &syms); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range syms {
		got = append(got, s.Kind.String()+" "+n.show(s.Location)+" in "+s.ContainerName)
	}
	want := []string{
		// The prefix match in both languages: the C definition and
		// prototype (outside include/, the body ranks first), then the
		// Rust extern item; then the fuzzy match.
		"Function drivers/char/rcounter/rcounter_glue.c:52 rcounter_glue_register in drivers/char/rcounter/rcounter_glue.c",
		"Function drivers/char/rcounter/rcounter_internal.h:17 rcounter_glue_register in drivers/char/rcounter/rcounter_internal.h",
		`Function drivers/char/rcounter/rcounter.rs:22 rcounter_glue_register in extern "C"`,
		"Function drivers/char/rcounter/rcounter_glue.c:58 rcounter_glue_unregister in drivers/char/rcounter/rcounter_glue.c",
		"Function drivers/char/rcounter/rcounter_internal.h:18 rcounter_glue_unregister in drivers/char/rcounter/rcounter_internal.h",
		`Function drivers/char/rcounter/rcounter.rs:25 rcounter_glue_unregister in extern "C"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("workspace/symbol -want +got:\n%s", diff)
	}
	// A struct reported to a client without symbol kinds is a Class.
	syms = nil
	if err := n.Call(protocol.MethodWorkspaceSymbol, protocol.WorkspaceSymbolParams{Query: "miscdevice"}, &syms); err != nil {
		t.Fatal(err)
	}
	if len(syms) == 0 || syms[0].Name != "miscdevice" || syms[0].Kind != protocol.SymbolKindClass {
		t.Errorf("workspace/symbol miscdevice = %+v, want the struct first, as a Class", syms)
	}
}
