package server_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// TestKernelSession runs a session on the kernel tree at $RIVET_KERNEL
// with a cold index and logs its timeline: a Rust document opened at
// once is diagnosed before the build ends and again as it progresses;
// the build reports progress; a watched change of a header is applied and
// re-diagnoses the document; pulls answer in the time of one pass.
func TestKernelSession(t *testing.T) {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("set RIVET_KERNEL to a kernel source tree")
	}
	var caps server.ClientCapabilities
	caps.Window = &protocol.WindowClientCapabilities{WorkDoneProgress: true}
	caps.Workspace = &server.WorkspaceClientCapabilities{}
	caps.Workspace.DidChangeWatchedFiles = &protocol.DidChangeWatchedFilesWorkspaceClientCapabilities{DynamicRegistration: true}
	c := lsptest.Start(t, lsptest.Options{Timeout: 10 * time.Minute})
	start := time.Now()
	c.Initialize(lsptest.Root(root), lsptest.Capabilities(caps))
	rs := filepath.Join(root, "rust/kernel/devres.rs")
	uri := lsptest.FileURI(rs)
	c.OpenDocument(uri, readFile(t, rs))
	first := waitPublished(t, c, uri, atVersion(1))
	t.Logf("first diagnostics of devres.rs after %.2f s: %d", time.Since(start).Seconds(), len(first.Diagnostics))
	c.WaitIndexed(0)
	ready := time.Since(start)

	reports := 0
	for _, m := range c.Messages() {
		if m.Method == protocol.MethodProgress {
			reports++
		}
	}
	during := len(published(t, c, uri))
	final := settled(t, c, uri)
	t.Logf("ready after %.1f s; %d $/progress notifications; %d publications of devres.rs by then", ready.Seconds(), reports, during)
	t.Logf("codes before the build: %v; after: %v", codeCounts(first.Diagnostics), codeCounts(final.Diagnostics))

	var passes []time.Duration
	for _, m := range regexp.MustCompile(`msg=diagnosed .* duration=(\S+)`).FindAllStringSubmatch(c.Logs(), -1) {
		if d, err := time.ParseDuration(m[1]); err == nil {
			passes = append(passes, d)
		}
	}
	slices.Sort(passes)
	if len(passes) > 0 {
		t.Logf("%d diagnostics passes during and right after the build: median %v, max %v", len(passes), passes[len(passes)/2], passes[len(passes)-1])
	}

	hdr := filepath.Join(root, "include/linux/device.h")
	c.Notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{"changes": []any{fileEvent(hdr, protocol.FileChangeTypeChanged)}})
	applied := regexp.MustCompile(`msg="watched files applied".* duration=(\S+)`)
	for !applied.MatchString(c.Logs()) {
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("watched change of include/linux/device.h applied in %s", applied.FindStringSubmatch(c.Logs())[1])

	var times []time.Duration
	for range 7 {
		t0 := time.Now()
		pull(t, c, uri, "")
		times = append(times, time.Since(t0))
	}
	slices.Sort(times)
	t.Logf("pull of devres.rs: median %v (min %v, max %v)", times[3], times[0], times[6])
	c.Shutdown()
}

// published returns every publication of uri so far.
func published(t *testing.T, c *lsptest.Client, uri protocol.DocumentURI) []server.PublishDiagnosticsParams {
	t.Helper()
	var out []server.PublishDiagnosticsParams
	for _, m := range c.Messages() {
		var p server.PublishDiagnosticsParams
		if m.Method == protocol.MethodTextDocumentPublishDiagnostics && m.Decode(&p) == nil && p.URI == uri {
			out = append(out, p)
		}
	}
	return out
}

// settled waits until no publication of uri came for a second and
// returns the last.
func settled(t *testing.T, c *lsptest.Client, uri protocol.DocumentURI) server.PublishDiagnosticsParams {
	t.Helper()
	for {
		n := len(published(t, c, uri))
		time.Sleep(time.Second)
		if ps := published(t, c, uri); len(ps) == n {
			return ps[n-1]
		}
	}
}

func codeCounts(ds []protocol.Diagnostic) map[string]int {
	m := map[string]int{}
	for _, d := range ds {
		m[d.Code.(string)]++
	}
	return m
}
