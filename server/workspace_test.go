package server_test

import (
	"path/filepath"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// TestWorkspaceIndexesRoot checks the session's life with a workspace:
// initialize names a root, indexing runs in the background and reports
// ready, and an open document of the tree is analysed without errors.
func TestWorkspaceIndexesRoot(t *testing.T) {
	root := kernelRoot(t)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(root))
	c.WaitIndexed(0)
	c.OpenDocument(lsptest.FileURI(filepath.Join(root, "drivers/demo/checks.rs")), "fn main() {}\n")
	c.Shutdown()
	if err := c.Exit(); err != nil {
		t.Fatalf("exit: %v", err)
	}
}

// TestRootAdoptedFromOpenDocument: without roots, the first open document
// below a directory holding .rivet.toml (or a kernel tree) makes that
// directory the root, which is indexed: the C file that defines what the
// document imports is found.
func TestRootAdoptedFromOpenDocument(t *testing.T) {
	dir := analysistest.WriteTxtar(t, externTree+`
-- .rivet.toml --
-- drivers/x/foo.c --
int foo_init(void) { return 0; }
`)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize()
	c.WaitIndexed(0) // nothing to index
	rs := filepath.Join(dir, "drivers/x/x.rs")
	uri := lsptest.FileURI(rs)
	c.OpenDocument(uri, readFile(t, rs))
	c.WaitIndexed(0) // the adopted root
	// The complete set arrives once the adopted root is indexed (reports
	// of absence are held back until then).
	got := waitPublished(t, c, uri, func(p server.PublishDiagnosticsParams) bool {
		return len(mentioning(withCode(p.Diagnostics, "ffi-unresolved"), "bar_init")) == 1
	})
	if n := len(mentioning(got.Diagnostics, "foo_init")); n != 0 {
		t.Errorf("foo_init, defined in the adopted root, still reported: %+v", got.Diagnostics)
	}
}

// TestSingleFileMode: without roots and without a root marker above the
// document, only the open document is analysed.
func TestSingleFileMode(t *testing.T) {
	dir := analysistest.WriteTxtar(t, unsafeTree)
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize()
	c.WaitIndexed(0)
	uri := openLib(t, c, dir)
	waitSeverity(t, c, uri, protocol.DiagnosticSeverityWarning)
	for _, m := range c.Messages() {
		var st server.StatusParams
		if m.Method == server.StatusNotification && m.Decode(&st) == nil && st.Files > 0 {
			t.Errorf("indexed %d files without a root", st.Files)
		}
	}
}

// TestRootsOfInitialize checks which initialize field names the root:
// workspace folders, else rootUri, else rootPath.
func TestRootsOfInitialize(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for name, tc := range map[string]struct {
		opt  lsptest.InitOption
		want string
	}{
		"folders": {func(p *server.InitializeParams) {
			p.WorkspaceFolders = []protocol.WorkspaceFolder{{URI: string(lsptest.FileURI(a))}}
			p.RootURI = lsptest.FileURI(b) //lint:ignore SA1019 testing the fallback
		}, a},
		"rootUri": {func(p *server.InitializeParams) {
			p.RootURI = lsptest.FileURI(a) //lint:ignore SA1019 testing the fallback
			p.RootPath = b                 //lint:ignore SA1019 testing the fallback
		}, a},
		"rootPath": {func(p *server.InitializeParams) {
			p.RootPath = b //lint:ignore SA1019 testing the fallback
		}, b},
	} {
		t.Run(name, func(t *testing.T) {
			writeFile(t, filepath.Join(tc.want, "only.rs"), "fn f() {}\n")
			defer removeFile(t, filepath.Join(tc.want, "only.rs"))
			c := lsptest.Start(t, lsptest.Options{})
			c.Initialize(tc.opt)
			var st server.StatusParams
			c.WaitFor(server.StatusNotification, func(m lsptest.Message) bool {
				return m.Decode(&st) == nil && st.State == "ready"
			}, 0)
			if st.Files != 1 {
				t.Errorf("indexed %d files, want the 1 of %s", st.Files, tc.want)
			}
		})
	}
}
