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
