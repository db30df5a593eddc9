package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// Call sends a request to the client (workspace/configuration,
// window/workDoneProgress/create, ...) and decodes its result into result,
// which may be nil. An error reply comes back wrapping its *jsonrpc2.Error.
//
// Call must not be used from a notification handler or an ordered request:
// those run in the read loop, which is then not reading, so the reply could
// never arrive. Such a call fails at once instead of hanging.
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
