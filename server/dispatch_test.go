package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// slowServer starts a session with test-only methods: "test/slow" blocks
// until its context is cancelled and reports that on cancelled;
// "test/echo" returns its params.
func slowServer(t *testing.T) (*lsptest.Client, <-chan struct{}) {
	cancelled := make(chan struct{}, 4)
	c := lsptest.Start(t, lsptest.Options{Server: server.Options{Requests: map[string]server.Handler{
		"test/slow": func(ctx context.Context, _ *server.Server, _ json.RawMessage) (any, error) {
			select {
			case <-ctx.Done():
				cancelled <- struct{}{}
				return nil, ctx.Err()
			case <-time.After(time.Minute):
				return "not cancelled", nil
			}
		},
		"test/echo": func(_ context.Context, _ *server.Server, params json.RawMessage) (any, error) {
			return params, nil
		},
	}}})
	c.Initialize()
	return c, cancelled
}

func TestCancelRequest(t *testing.T) {
	for _, tc := range []struct {
		name string
		send func(c *lsptest.Client) *lsptest.Request
	}{
		{"numeric id", func(c *lsptest.Client) *lsptest.Request { return c.Send("test/slow", nil) }},
		{"string id", func(c *lsptest.Client) *lsptest.Request { return c.SendWithStringID("slow-1", "test/slow", nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, cancelled := slowServer(t)
			req := tc.send(c)
			// Another request is answered while the slow one runs.
			var echo string
			if err := c.Call("test/echo", "hi", &echo); err != nil || echo != "hi" {
				t.Fatalf("echo while a request runs: %q, %v", echo, err)
			}
			c.Cancel(req.ID)
			wantCode(t, "cancelled request", req.Wait(nil), protocol.CodeRequestCancelled)
			select {
			case <-cancelled:
			default:
				t.Error("the handler's context was not cancelled")
			}
		})
	}
}

func TestCancelIDKinds(t *testing.T) {
	// The wire carries the id kind the test asked for.
	c, _ := slowServer(t)
	num := c.Send("test/slow", nil)
	str := c.SendWithStringID("7", "test/slow", nil)
	if got := formatID(num.ID); !strings.HasPrefix(got, "#") {
		t.Errorf("Send id %s, want a number", got)
	}
	if got := formatID(str.ID); got != `"7"` {
		t.Errorf("SendWithStringID id %s, want the string \"7\"", got)
	}
	// Cancelling the string "7" must not cancel a numeric id 7 or vice versa;
	// cancel both for real to end them.
	c.Cancel(jsonrpc2.NewNumberID(7))
	c.Cancel(str.ID)
	wantCode(t, "string-id request", str.Wait(nil), protocol.CodeRequestCancelled)
	c.Cancel(num.ID)
	wantCode(t, "numeric-id request", num.Wait(nil), protocol.CodeRequestCancelled)
}

func formatID(id jsonrpc2.ID) string {
	var b strings.Builder
	id.Format(fmtState{&b}, 'q')
	return b.String()
}

func TestCancelUnknownAndMalformed(t *testing.T) {
	c, _ := slowServer(t)
	c.Cancel(jsonrpc2.NewNumberID(999))
	c.Notify(protocol.MethodCancelRequest, map[string]any{"id": 1.5})
	c.Notify(protocol.MethodCancelRequest, map[string]any{"id": []int{1}})
	c.Notify(protocol.MethodCancelRequest, nil)
	var echo string
	if err := c.Call("test/echo", "still here", &echo); err != nil || echo != "still here" {
		t.Fatalf("server after odd cancels: %q, %v", echo, err)
	}
}

func TestDuplicateRequestID(t *testing.T) {
	c, cancelled := slowServer(t)
	first := c.Send("test/slow", nil)
	// A second request with the same id, written by hand: the harness keeps
	// ids unique. Its error reply carries the shared id, so it reaches
	// first's waiter.
	id, _ := json.Marshal(&first.ID)
	c.WriteMessage([]byte(`{"jsonrpc":"2.0","id":` + string(id) + `,"method":"test/echo","params":"x"}`))
	err := first.Wait(nil)
	wantCode(t, "second request with an id in use", err, jsonrpc2.InvalidRequest)
	if err != nil && !strings.Contains(err.Message, "already in use") {
		t.Errorf("duplicate id error %q does not say why", err.Message)
	}
	// The first request still runs and can be cancelled.
	c.Cancel(first.ID)
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the first request was not cancelled")
	}
}

func TestHandlerPanic(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{Server: server.Options{
		Requests: map[string]server.Handler{
			"test/panic": func(_ context.Context, _ *server.Server, params json.RawMessage) (any, error) {
				return []int{1}[len(params)+1], nil // a real runtime panic: index out of range
			},
		},
		Notifications: map[string]server.Handler{
			"test/panicNotification": func(context.Context, *server.Server, json.RawMessage) (any, error) {
				panic("notification boom")
			},
		},
	}})
	c.Initialize()
	err := c.Call("test/panic", nil, nil)
	wantCode(t, "panicking request", err, jsonrpc2.InternalError)
	if err != nil && !strings.Contains(err.Message, "test/panic") {
		t.Errorf("panic reply %q does not name the method", err.Message)
	}
	c.Notify("test/panicNotification", nil)

	// The session lives on.
	c.OpenDocument("file:///a.c", "int x;\n")
	if _, ok := c.Document("file:///a.c"); !ok {
		t.Fatal("server stopped working after handler panics")
	}
	logs := c.Logs()
	if strings.Count(logs, "handler panicked") != 2 || !strings.Contains(logs, "runtime/debug.Stack") {
		t.Errorf("want both panics logged with their stacks; log:\n%s", logs)
	}
}

func TestHandlerErrors(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{Server: server.Options{Requests: map[string]server.Handler{
		"test/fail": func(context.Context, *server.Server, json.RawMessage) (any, error) {
			return nil, errors.New("no such symbol")
		},
		"test/rpcError": func(context.Context, *server.Server, json.RawMessage) (any, error) {
			return nil, jsonrpc2.Errorf(protocol.CodeContentModified, "stale")
		},
		"test/unmarshalable": func(context.Context, *server.Server, json.RawMessage) (any, error) {
			return make(chan int), nil
		},
	}}})
	c.Initialize()
	err := c.Call("test/fail", nil, nil)
	wantCode(t, "plain error", err, server.CodeRequestFailed)
	if err != nil && !strings.Contains(err.Message, "no such symbol") {
		t.Errorf("plain error message %q lost the cause", err.Message)
	}
	wantCode(t, "jsonrpc2 error", c.Call("test/rpcError", nil, nil), protocol.CodeContentModified)
	wantCode(t, "unmarshalable result", c.Call("test/unmarshalable", nil, nil), jsonrpc2.InternalError)
}

func TestOptionsMethodClash(t *testing.T) {
	err := server.Serve(context.Background(), nopStream{}, server.Options{Requests: map[string]server.Handler{
		protocol.MethodShutdown: func(context.Context, *server.Server, json.RawMessage) (any, error) { return nil, nil },
	}})
	if err == nil || !strings.Contains(err.Error(), "shutdown") {
		t.Errorf("Serve with a request hook named shutdown returned %v, want an error naming it", err)
	}
}

func TestUnreadableMessages(t *testing.T) {
	c, _ := slowServer(t)
	for _, tc := range []struct {
		body string
		want jsonrpc2.Code
	}{
		{`{"jsonrpc":"2.0","id":9,"method":`, jsonrpc2.ParseError},
		{`not json at all`, jsonrpc2.ParseError},
		{``, jsonrpc2.ParseError},
		{`[{"jsonrpc":"2.0","id":1,"method":"test/echo"}]`, jsonrpc2.InvalidRequest}, // batches are not LSP
		{`{"jsonrpc":"1.0","id":1,"method":"test/echo"}`, jsonrpc2.InvalidRequest},
		{`{"jsonrpc":"2.0","id":1.5,"method":"test/echo"}`, jsonrpc2.InvalidRequest},
		{`{"jsonrpc":"2.0"}`, jsonrpc2.InvalidRequest},
	} {
		c.WriteMessage([]byte(tc.body))
		err := c.WaitForNullIDError(0)
		if err.Code != tc.want {
			t.Errorf("message %q: error %d %q, want code %d", tc.body, err.Code, err.Message, tc.want)
		}
	}
	var echo string
	if err := c.Call("test/echo", "alive", &echo); err != nil || echo != "alive" {
		t.Fatalf("server after unreadable messages: %q, %v", echo, err)
	}
}

func TestServerToClient(t *testing.T) {
	callErr := make(chan error, 1)
	c := lsptest.Start(t, lsptest.Options{
		Server: server.Options{
			Requests: map[string]server.Handler{
				"test/log": func(ctx context.Context, s *server.Server, params json.RawMessage) (any, error) {
					return nil, s.Notify(ctx, protocol.MethodWindowLogMessage, protocol.LogMessageParams{Type: protocol.MessageTypeInfo, Message: string(params)})
				},
				"test/configuration": func(ctx context.Context, s *server.Server, _ json.RawMessage) (any, error) {
					var res []any
					err := s.Call(ctx, protocol.MethodWorkspaceConfiguration, protocol.ConfigurationParams{
						Items: []protocol.ConfigurationItem{{Section: "rivet"}, {Section: "other"}},
					}, &res)
					return res, err
				},
				"test/progress": func(ctx context.Context, s *server.Server, _ json.RawMessage) (any, error) {
					err := s.Call(ctx, protocol.MethodWorkDoneProgressCreate, map[string]any{"token": "t1"}, nil)
					var clientErr *server.ClientError
					if !errors.As(err, &clientErr) || clientErr.Err.Code != jsonrpc2.InternalError {
						return nil, fmt.Errorf("want a ClientError with the client's code, got %v", err)
					}
					return nil, err
				},
				"test/unanswerable": func(ctx context.Context, s *server.Server, _ json.RawMessage) (any, error) {
					return nil, s.Call(ctx, "client/nonsense", nil, nil)
				},
			},
			Notifications: map[string]server.Handler{
				"test/callFromNotification": func(ctx context.Context, s *server.Server, _ json.RawMessage) (any, error) {
					callErr <- s.Call(ctx, protocol.MethodWorkspaceConfiguration, protocol.ConfigurationParams{}, nil)
					return nil, nil
				},
			},
		},
		Replies: map[string]lsptest.ReplyFunc{
			protocol.MethodWorkDoneProgressCreate: func(json.RawMessage) (any, error) {
				return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "progress refused")
			},
		},
	})
	c.Initialize()

	if err := c.Call("test/log", "hello", nil); err != nil {
		t.Fatal(err)
	}
	msg := c.WaitFor(protocol.MethodWindowLogMessage, func(m lsptest.Message) bool {
		var p protocol.LogMessageParams
		return m.Decode(&p) == nil && p.Message == `"hello"`
	}, 0)
	if msg.Request {
		t.Error("window/logMessage recorded as a request")
	}

	var config []any
	if err := c.Call("test/configuration", nil, &config); err != nil {
		t.Fatal(err)
	}
	if len(config) != 2 || config[0] != nil || config[1] != nil {
		t.Errorf("workspace/configuration default reply = %v, want [null null]", config)
	}
	c.WaitForRequest(protocol.MethodWorkspaceConfiguration, nil, 0)

	err := c.Call("test/progress", nil, nil)
	wantCode(t, "server call answered with an error", err, server.CodeRequestFailed)
	if err != nil && !strings.Contains(err.Message, "progress refused") {
		t.Errorf("client error not passed through: %q", err.Message)
	}
	wantCode(t, "server call the client cannot answer", c.Call("test/unanswerable", nil, nil), server.CodeRequestFailed)

	c.Notify("test/callFromNotification", nil)
	select {
	case err := <-callErr:
		if err == nil || !strings.Contains(err.Error(), "read loop") {
			t.Errorf("Call from a notification handler returned %v, want the read-loop error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Call from a notification handler hung")
	}
}
