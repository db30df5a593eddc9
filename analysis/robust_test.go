package analysis_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/facts"
)

// TestRefreshRacesReaders runs disk refreshes against requests that read
// under an index snapshot. Found by the stress client: Refresh held the
// workspace's document lock while waiting for the index's write lock,
// and Diagnose took the document lock under a snapshot; the two
// deadlocked, and with them the server's read loop.
func TestRefreshRacesReaders(t *testing.T) {
	dir := analysistest.WriteTxtar(t, `
-- lib.rs --
pub fn f(p: *const u8) -> u8 {
    unsafe { *p }
}
-- a.c --
int a(void);
`)
	ctx := context.Background()
	ws := analysis.NewWorkspace([]string{dir}, analysis.Options{})
	if _, err := ws.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	root := ws.Roots()[0]
	stop := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	loop := func(f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				f()
			}
		}()
	}
	loop(func() { ws.Diagnose(ctx, root+"/lib.rs", analysis.DiagnoseOptions{}) })
	loop(func() { ws.Hover(ctx, root+"/lib.rs", 10) })
	loop(func() { ws.Refresh(ctx, root+"/a.c") })
	loop(func() {
		ws.Open(ctx, root+"/a.c", 1, []byte("int b(void);\n"))
		ws.Close(ctx, root+"/a.c")
	})
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		t.Fatal("refreshes and readers deadlocked")
	}
}

// TestRefreshStaysInsideRoots: a watched-file change on a symbolic link
// out of the roots must not index the file it points to, as the walk
// does not (found by the stress client, whose churn turns a source file
// into such a link); a link inside the roots still is.
func TestRefreshStaysInsideRoots(t *testing.T) {
	root := analysistest.WriteTxtar(t, `
-- a.c --
int in_tree(void);
`)
	outside := analysistest.WriteTxtar(t, `
-- secret.c --
int outside_secret(void);
`)
	ctx := context.Background()
	ws := analysis.NewWorkspace([]string{root}, analysis.Options{})
	if _, err := ws.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	r := ws.Roots()[0]
	for link, target := range map[string]string{"out.c": outside + "/secret.c", "in.c": r + "/a.c"} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
		ws.Refresh(ctx, r+"/"+link)
	}
	snap, release := ws.Index.Snapshot()
	defer release()
	if n := len(snap.CDecls("outside_secret")); n != 0 {
		t.Errorf("a link out of the roots was indexed: %d declarations of outside_secret", n)
	}
	if n := len(snap.CDecls("in_tree")); n != 2 {
		t.Errorf("in_tree has %d declarations, want 2 (a.c and the link in.c)", n)
	}
}

// TestDeepFileDoesNotCrash opens, indexes and queries a Rust file whose
// tree nests 2.5 million levels deep. The recursive walkers of facts,
// ownership and rules ran out of goroutine stack on it, which is fatal
// to the process, at indexing as much as in the editor (found while
// sizing the stress client's hostile files); the syntax layer now gives
// such a text a blank tree (treesitter.MaxDepth).
func TestDeepFileDoesNotCrash(t *testing.T) {
	src := []byte("fn f() {\n    let x = " + strings.Repeat("-", 2_500_000) + "1;\n}\n")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "deep.rs"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ws := analysis.NewWorkspace([]string{dir}, analysis.Options{})
	if _, err := ws.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	path := ws.Roots()[0] + "/deep.rs"
	if _, err := ws.Open(ctx, path, 1, src); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Diagnose(ctx, path, analysis.DiagnoseOptions{}); err != nil {
		t.Error(err)
	}
	ws.DocumentSymbols(ctx, path)
	ws.InlayHints(ctx, path, facts.Span{}, nil)
	ws.Hover(ctx, path, uint32(len(src)/2))
}

// TestReadRefusesLinkOutOfRoots: the workspace's reader, which builds,
// Ensure and requests use, does not read through a symbolic link that
// leads out of the roots (a file swapped for one after the walk), and
// still reads links inside them. Found by the stress client on Linux
// 7.3: its churn swapped files for such links during a 100-second build,
// and the build indexed what they pointed to.
func TestReadRefusesLinkOutOfRoots(t *testing.T) {
	root := analysistest.WriteTxtar(t, `
-- a.c --
int in_tree(void);
`)
	outside := analysistest.WriteTxtar(t, `
-- secret.c --
int outside_secret(void);
`)
	ws := analysis.NewWorkspace([]string{root}, analysis.Options{})
	r := ws.Roots()[0]
	for link, target := range map[string]string{"out.c": outside + "/secret.c", "in.c": r + "/a.c"} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	if src, err := ws.Read(r + "/out.c"); err == nil {
		t.Errorf("read %q through a link out of the roots", src)
	}
	if src, err := ws.Read(r + "/in.c"); err != nil || !strings.Contains(string(src), "in_tree") {
		t.Errorf("a link inside the roots: %q, %v", src, err)
	}
	if src, err := ws.Read(r + "/a.c"); err != nil || !strings.Contains(string(src), "in_tree") {
		t.Errorf("a regular file: %q, %v", src, err)
	}
}
