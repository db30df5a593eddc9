package analysis_test

import (
	"context"
	"os"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/analysistest"
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
