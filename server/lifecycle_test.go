package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// wantCode fails the test unless err is a reply with code want.
func wantCode(t *testing.T, what string, err *jsonrpc2.Error, want jsonrpc2.Code) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: succeeded, want error code %d", what, want)
	case err.Code != want:
		t.Errorf("%s: error %d %q, want code %d", what, err.Code, err.Message, want)
	}
}

func TestRequestsBeforeInitialize(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{})
	wantCode(t, "shutdown before initialize", c.Call(protocol.MethodShutdown, nil, nil), jsonrpc2.ServerNotInitialized)
	wantCode(t, "hover before initialize", c.Call(protocol.MethodTextDocumentHover, map[string]any{}, nil), jsonrpc2.ServerNotInitialized)
	wantCode(t, "unknown method before initialize", c.Call("rivet/nonsense", nil, nil), jsonrpc2.ServerNotInitialized)

	// A notification before initialize is dropped.
	c.OpenDocument("file:///early.c", "int x;\n")
	c.Initialize()
	if _, ok := c.Document("file:///early.c"); ok {
		t.Error("didOpen before initialize was applied, want it dropped")
	}
	c.OpenDocument("file:///late.c", "int y;\n")
	if _, ok := c.Document("file:///late.c"); !ok {
		t.Error("didOpen after initialize was not applied")
	}
}

func TestInitializeResult(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offered []server.PositionEncodingKind
		want    server.PositionEncodingKind
	}{
		{"nothing offered", nil, server.PositionEncodingKindUTF16},
		{"utf-16 only", []server.PositionEncodingKind{server.PositionEncodingKindUTF16}, server.PositionEncodingKindUTF16},
		{"utf-8 offered second", []server.PositionEncodingKind{server.PositionEncodingKindUTF16, server.PositionEncodingKindUTF8}, server.PositionEncodingKindUTF8},
		{"utf-32 only", []server.PositionEncodingKind{"utf-32"}, server.PositionEncodingKindUTF16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := lsptest.Start(t, lsptest.Options{Server: server.Options{Version: "1.2.3"}})
			res := c.Initialize(lsptest.PositionEncodings(tc.offered...))
			if got := res.Capabilities.PositionEncoding; got != tc.want {
				t.Errorf("positionEncoding = %q, want %q", got, tc.want)
			}
			if res.ServerInfo == nil || res.ServerInfo.Name != "rivet" || res.ServerInfo.Version != "1.2.3" {
				t.Errorf("serverInfo = %+v, want rivet 1.2.3", res.ServerInfo)
			}
		})
	}
}

func TestInitializeResultJSON(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{})
	var raw json.RawMessage
	if err := c.Call(protocol.MethodInitialize, map[string]any{"processId": nil, "capabilities": map[string]any{}}, &raw); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Capabilities struct {
			PositionEncoding string `json:"positionEncoding"`
			TextDocumentSync struct {
				OpenClose bool            `json:"openClose"`
				Change    int             `json:"change"`
				Save      json.RawMessage `json:"save"`
			} `json:"textDocumentSync"`
		} `json:"capabilities"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	sync := res.Capabilities.TextDocumentSync
	if res.Capabilities.PositionEncoding != "utf-16" || !sync.OpenClose || sync.Change != 2 || sync.Save == nil {
		t.Errorf("initialize result %s: want positionEncoding utf-16, openClose, incremental change (2) and save", raw)
	}
}

func TestInitializeTwice(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize()
	wantCode(t, "second initialize", c.Call(protocol.MethodInitialize, map[string]any{"capabilities": map[string]any{}}, nil), jsonrpc2.InvalidRequest)
}

func TestInitializeToleratesUnknownCapabilityTypes(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{})
	// "general" must be an object and "synchronization" too; a client that
	// sends something else still gets a server.
	params := `{"processId":null,"capabilities":{"general":{"positionEncodings":["utf-8"]},"textDocument":{"synchronization":7}}}`
	var res server.InitializeResult
	if err := c.Call(protocol.MethodInitialize, json.RawMessage(params), &res); err != nil {
		t.Fatalf("initialize with an odd capability: %v", err)
	}
	if res.Capabilities.PositionEncoding != server.PositionEncodingKindUTF8 {
		t.Errorf("positionEncoding = %q, want utf-8 (decoded around the odd field)", res.Capabilities.PositionEncoding)
	}
	if !strings.Contains(c.Logs(), "not understood") {
		t.Error("the skipped capability was not logged")
	}
}

func TestMalformedParams(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{})
	wantCode(t, "initialize with a string", c.Call(protocol.MethodInitialize, "x", nil), jsonrpc2.InvalidParams)
	wantCode(t, "initialize with an array", c.Call(protocol.MethodInitialize, []int{1}, nil), jsonrpc2.InvalidParams)
	c.Initialize() // the failures left the session uninitialized
	err := c.Call(protocol.MethodShutdown, []int{1}, nil)
	wantCode(t, "shutdown with an array", err, jsonrpc2.InvalidParams)
	if err != nil && !strings.Contains(err.Message, "shutdown") {
		t.Errorf("error %q does not name the method", err.Message)
	}
	// The failed shutdown did not shut the server down.
	if err := c.Call(protocol.MethodShutdown, nil, nil); err != nil {
		t.Errorf("shutdown after a malformed one: %v", err)
	}
}

func TestUnknownMethods(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize()
	wantCode(t, "unknown request", c.Call("rivet/nonsense", nil, nil), jsonrpc2.MethodNotFound)
	wantCode(t, "unknown $/ request", c.Call("$/nonsense", nil, nil), jsonrpc2.MethodNotFound)
	wantCode(t, "notification sent as a request", c.Call(protocol.MethodTextDocumentDidClose, map[string]any{}, nil), jsonrpc2.InvalidRequest)

	c.Notify("rivet/nonsense", nil)
	c.Notify("$/nonsense", nil)
	c.Notify(protocol.MethodShutdown, nil) // a request sent as a notification
	// The server is still there and did not shut down.
	c.OpenDocument("file:///a.rs", "fn f() {}\n")
	if _, ok := c.Document("file:///a.rs"); !ok {
		t.Fatal("server stopped handling messages after unknown notifications")
	}
	var loggedPlain, loggedDollar bool
	for line := range strings.Lines(c.Logs()) {
		if strings.Contains(line, "notification") {
			loggedPlain = loggedPlain || strings.Contains(line, "rivet/nonsense")
			loggedDollar = loggedDollar || strings.Contains(line, "$/nonsense")
		}
	}
	if !loggedPlain {
		t.Error("unknown notification was not logged")
	}
	if loggedDollar {
		t.Error("unknown $/ notification was logged, want it ignored silently")
	}
}

func TestShutdownAndExit(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize()
	c.Shutdown()
	wantCode(t, "request after shutdown", c.Call("rivet/nonsense", nil, nil), jsonrpc2.InvalidRequest)
	wantCode(t, "shutdown after shutdown", c.Call(protocol.MethodShutdown, nil, nil), jsonrpc2.InvalidRequest)
	wantCode(t, "initialize after shutdown", c.Call(protocol.MethodInitialize, map[string]any{}, nil), jsonrpc2.InvalidRequest)
	err := c.Exit()
	if err != nil || server.ExitCode(err) != 0 {
		t.Errorf("exit after shutdown: Serve returned %v (exit code %d), want nil (0)", err, server.ExitCode(err))
	}
}

func TestExitWithoutShutdown(t *testing.T) {
	for _, initialize := range []bool{false, true} {
		c := lsptest.Start(t, lsptest.Options{})
		if initialize {
			c.Initialize()
		}
		err := c.Exit()
		if !errors.Is(err, server.ErrExitWithoutShutdown) || server.ExitCode(err) != 1 {
			t.Errorf("exit without shutdown (initialized %v): Serve returned %v (exit code %d), want ErrExitWithoutShutdown (1)",
				initialize, err, server.ExitCode(err))
		}
	}
}

func TestInputClosed(t *testing.T) {
	t.Run("before shutdown", func(t *testing.T) {
		c := lsptest.Start(t, lsptest.Options{})
		c.Initialize()
		c.CloseInput()
		if err := c.ServeResult(); !errors.Is(err, server.ErrConnectionClosed) {
			t.Errorf("Serve returned %v after stdin closed, want ErrConnectionClosed", err)
		}
	})
	t.Run("after shutdown", func(t *testing.T) {
		c := lsptest.Start(t, lsptest.Options{})
		c.Initialize()
		c.Shutdown()
		c.CloseInput()
		if err := c.ServeResult(); err != nil {
			t.Errorf("Serve returned %v after shutdown and stdin closed, want nil", err)
		}
	})
	t.Run("before initialize", func(t *testing.T) {
		c := lsptest.Start(t, lsptest.Options{})
		c.CloseInput()
		if err := c.ServeResult(); !errors.Is(err, server.ErrConnectionClosed) {
			t.Errorf("Serve returned %v after stdin closed, want ErrConnectionClosed", err)
		}
	})
}

// startProcess starts a process that waits for its stdin to close.
func startProcess(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("cat")
	if _, err := cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start a child process: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

func TestClientProcessExit(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{Server: server.Options{ProcessPollInterval: 20 * time.Millisecond}})
	client := startProcess(t)
	c.Initialize(lsptest.ProcessID(int32(client.Process.Pid)))
	c.OpenDocument("file:///a.c", "int x;\n")
	if _, ok := c.Document("file:///a.c"); !ok {
		t.Fatal("the session ended while the client process was alive")
	}
	client.Process.Kill()
	client.Wait() // reap it, or the zombie still answers kill(pid, 0)
	if err := c.ServeResult(); !errors.Is(err, server.ErrClientExited) {
		t.Errorf("Serve returned %v after the client process died, want ErrClientExited", err)
	}
}

func TestClientProcessNotVisible(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{Server: server.Options{ProcessPollInterval: 10 * time.Millisecond}})
	gone := startProcess(t)
	gone.Process.Kill()
	gone.Wait()
	c.Initialize(lsptest.ProcessID(int32(gone.Process.Pid)))
	time.Sleep(50 * time.Millisecond) // several poll intervals
	c.OpenDocument("file:///a.c", "int x;\n")
	if _, ok := c.Document("file:///a.c"); !ok {
		t.Fatal("the session ended although the client pid was never visible")
	}
	if !strings.Contains(c.Logs(), "not visible") {
		t.Error("the unwatched pid was not logged")
	}
}

func TestContextCancelled(t *testing.T) {
	toServer, _ := io.Pipe() // input that never ends
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, server.Stdio(toServer, nopWriteCloser{}), server.Options{}) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Serve returned %v after its context was cancelled, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
	if _, err := toServer.Read(make([]byte, 1)); err == nil {
		t.Error("Serve returned without closing its input")
	}
}
