package index_test

import (
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
