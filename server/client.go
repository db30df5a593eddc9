package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.lsp.dev/jsonrpc2"
)

// errCallFromReadLoop is returned by Server.Call made from the read loop.
var errCallFromReadLoop = errors.New("a call to the client from a notification handler would block the read loop forever")

// Notify sends a notification to the client (textDocument/publishDiagnostics,
// $/progress, window/logMessage, ...). params is marshalled with
// encoding/json.
func (s *Server) Notify(ctx context.Context, method string, params any) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("notify %s: %w", method, err)
	}
	if err := s.conn.Notify(ctx, method, json.RawMessage(raw)); err != nil {
		return fmt.Errorf("notify %s: %w", method, err)
	}
	return nil
}

// ClientError is the client's error reply to Server.Call. It deliberately
// does not unwrap to the *jsonrpc2.Error: a handler that returns it fails
// with CodeRequestFailed, not with the client's code.
type ClientError struct {
	Method string
	Err    *jsonrpc2.Error
}

func (e *ClientError) Error() string {
	return fmt.Sprintf("client answered %s with error %d: %s", e.Method, e.Err.Code, e.Err.Message)
}

// Call sends a request to the client (workspace/configuration,
// window/workDoneProgress/create, ...) and decodes its result into result,
// which may be nil. An error reply is returned as a *ClientError.
//
// Call must not be used from a notification handler or a request registered
// with inReadLoop: those run in the read loop, which is then not reading, so
// the reply could never arrive. Such a call fails at once instead of hanging.
func (s *Server) Call(ctx context.Context, method string, params, result any) error {
	if ctx.Value(readLoopKey{}) != nil {
		return fmt.Errorf("call %s: %w", method, errCallFromReadLoop)
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("call %s: %w", method, err)
	}
	var res json.RawMessage
	if _, err := s.conn.Call(ctx, method, json.RawMessage(raw), &res); err != nil {
		var rpcErr *jsonrpc2.Error
		if errors.As(err, &rpcErr) {
			return &ClientError{Method: method, Err: rpcErr}
		}
		return fmt.Errorf("call %s: %w", method, err)
	}
	if result == nil || len(res) == 0 {
		return nil
	}
	if err := json.Unmarshal(res, result); err != nil {
		return fmt.Errorf("call %s: decoding result: %w", method, err)
	}
	return nil
}
