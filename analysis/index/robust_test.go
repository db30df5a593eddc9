package index_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rivet-lsp/rivet/analysis/index"
)

// TestReadDiskNeverBlocksOnPipe: a named pipe with a source file's name
// (found by the stress client: an inlay hint request on one held the
// index's read lock forever, and every edit after it waited).
func TestReadDiskNeverBlocksOnPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.rs")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := index.ReadDisk(fifo)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("ReadDisk read a named pipe without error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadDisk blocked on a named pipe")
	}
}

// TestWalkNeverLeavesTheRoots: links to /, to the root's parent and to a
// sibling tree whose name extends the root's (a prefix check without a
// separator would take it for the root) are never followed, and neither
// is a file link into that sibling.
func TestWalkNeverLeavesTheRoots(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "tree")
	sibling := filepath.Join(parent, "tree-sibling")
	for _, f := range []struct{ path, text string }{
		{filepath.Join(root, "in.c"), "int in(void);\n"},
		{filepath.Join(sibling, "secret.c"), "int secret(void);\n"},
		{filepath.Join(sibling, "secret.rs"), "fn secret() {}\n"},
	} {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.path, []byte(f.text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"slash":      "/",
		"parent":     "..",
		"sibling":    sibling,
		"sibling2":   "../tree-sibling",
		"secret.c":   filepath.Join(sibling, "secret.c"),
		"secret2.rs": "../tree-sibling/secret.rs",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan []index.Stat, 1)
	go func() {
		files, _ := index.Walk(context.Background(), []string{root}, index.WalkOptions{})
		done <- files
	}()
	select {
	case files := <-done:
		if len(files) != 1 || files[0].Path != filepath.ToSlash(filepath.Join(root, "in.c")) {
			t.Errorf("walk found %v, want only in.c", files)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the walk followed a link out of the root (it is still walking)")
	}
}
