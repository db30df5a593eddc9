package lsptest_test

import (
	"encoding/json"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// TestReplyAfterServerEnded answers a server-to-client request after the
// server has ended. The reply cannot be written; jsonrpc2.Conn must not be
// told so by the handler: it records the handler's error in an
// atomic.Value, and the read error that follows, of another type, would
// then panic ("store of inconsistently typed value"), taking the whole
// test binary down (seen once under `go test -race ./...`).
func TestReplyAfterServerEnded(t *testing.T) {
	asked := make(chan struct{})
	c := lsptest.Start(t, lsptest.Options{Replies: map[string]lsptest.ReplyFunc{
		protocol.MethodWorkDoneProgressCreate: func(json.RawMessage) (any, error) {
			close(asked)
			time.Sleep(300 * time.Millisecond) // the server ends meanwhile
			return nil, nil
		},
	}})
	var caps server.ClientCapabilities
	caps.Window = &protocol.WindowClientCapabilities{WorkDoneProgress: true}
	c.Initialize(lsptest.Root(t.TempDir()), lsptest.Capabilities(caps))
	select {
	case <-asked:
	case <-time.After(10 * time.Second):
		t.Fatal("the server never asked for a progress token")
	}
	c.CloseInput()
	c.ServeResult()
	time.Sleep(600 * time.Millisecond) // the late reply fails, then the read loop ends
}

// TestReplyWhileServerWrites: the client answers a server request (here
// client/registerCapability, held back until the server is busy) while
// the server's read loop is writing a notification to it (the showMessage
// of invalid settings). The pipes have no buffer: with the reply written
// from the client's read loop, each side waited for the other to read
// (TestOddNotifications hung in CI once that way).
func TestReplyWhileServerWrites(t *testing.T) {
	release := make(chan struct{})
	c := lsptest.Start(t, lsptest.Options{Replies: map[string]lsptest.ReplyFunc{
		protocol.MethodClientRegisterCapability: func(json.RawMessage) (any, error) {
			<-release
			return nil, nil
		},
	}})
	var caps server.ClientCapabilities
	caps.Workspace = &server.WorkspaceClientCapabilities{}
	caps.Workspace.DidChangeWatchedFiles = &protocol.DidChangeWatchedFilesWorkspaceClientCapabilities{DynamicRegistration: true}
	c.Initialize(lsptest.Root(t.TempDir()), lsptest.Capabilities(caps))
	c.WaitForRequest(protocol.MethodClientRegisterCapability, nil, 0)
	// The server's read loop now writes a showMessage the client's read
	// loop, held in the reply function, cannot read yet.
	c.Notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": 42})
	time.Sleep(100 * time.Millisecond)
	close(release)
	c.WaitFor(protocol.MethodWindowShowMessage, nil, 5*time.Second)
	c.Shutdown()
}
