package server_test

import (
	"path/filepath"
	"testing"

	"github.com/rivet-lsp/rivet/internal/lsptest"
)

// TestWorkspaceIndexesRoot checks the session's life with a workspace:
// initialize names a root, indexing runs in the background and reports
// ready, and an open document of the tree is analysed without errors.
func TestWorkspaceIndexesRoot(t *testing.T) {
	root, err := filepath.Abs("../testdata/kernel")
	if err != nil {
		t.Fatal(err)
	}
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(root))
	c.WaitIndexed(0)
	c.OpenDocument(lsptest.FileURI(filepath.Join(root, "drivers/demo/checks.rs")), "fn main() {}\n")
	c.Shutdown()
	if err := c.Exit(); err != nil {
		t.Fatalf("exit: %v", err)
	}
}
