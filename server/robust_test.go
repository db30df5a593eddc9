package server_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/internal/lsptest"
)

// TestCloseAfterLinkRemoved opens a document through a symbolic link,
// removes the link, and closes the document: the server must close the
// buffer it opened, although the URI no longer resolves to the same path.
// Before, the close went to the unresolved path and the buffer stayed
// open in the workspace for good, its text winning over the disk's (found
// by the stress client). A file deleted while open under a symlinked
// directory did the same.
func TestCloseAfterLinkRemoved(t *testing.T) {
	dir := analysistest.WriteTxtar(t, `
-- real.rs --
pub fn on_disk() {}
`)
	link := filepath.Join(dir, "link.rs")
	if err := os.Symlink(filepath.Join(dir, "real.rs"), link); err != nil {
		t.Fatal(err)
	}
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(dir), lsptest.Capabilities(watchingClient()))
	c.WaitIndexed(0)
	uri := lsptest.FileURI(link)
	c.OpenDocument(uri, "pub fn in_buffer() {}\n")
	if n := symbols(t, c, "in_buffer"); n != 1 {
		t.Fatalf("the open buffer's fn: %d symbols, want 1", n)
	}
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	c.CloseDocument(uri)
	writeFile(t, filepath.Join(dir, "real.rs"), "pub fn on_disk_now() {}\n")
	c.Notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{"changes": []any{
		fileEvent(filepath.Join(dir, "real.rs"), protocol.FileChangeTypeChanged)}})
	deadline := time.Now().Add(5 * time.Second)
	for symbols(t, c, "on_disk_now") == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := symbols(t, c, "in_buffer"); n != 0 {
		t.Errorf("after close: %d symbols named in_buffer, want 0: the closed buffer still wins over the disk", n)
	}
	if n := symbols(t, c, "on_disk_now"); n != 1 {
		t.Errorf("after close and a change on disk: %d symbols named on_disk_now, want 1", n)
	}
}

// symbols counts the workspace symbols named exactly name.
func symbols(t *testing.T, c *lsptest.Client, name string) int {
	t.Helper()
	var res []protocol.SymbolInformation
	if err := c.Call(protocol.MethodWorkspaceSymbol, map[string]any{"query": name}, &res); err != nil {
		t.Fatalf("workspace/symbol: %v", err)
	}
	n := 0
	for _, s := range res {
		if s.Name == name {
			n++
		}
	}
	return n
}
