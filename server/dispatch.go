package server

import (
	"context"
	"encoding/json"
	"errors"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// method is one entry of the dispatch table.
type method struct {
	name string
	// notification: the method is a notification (no id, no reply).
	notification bool
	// ordered: the request runs in the read loop, like a notification,
	// because it changes the session state the next message must see
	// (initialize, shutdown).
	ordered bool
	handle  Handler
}

// builtinMethods is the production dispatch table. Each LSP feature adds its
// methods from its own file's init function with registerRequest or
// registerNotification.
var builtinMethods = map[string]*method{}

// registerRequest adds a request method whose params decode into P.
func registerRequest[P, R any](name string, h func(*Server, context.Context, *P) (R, error), opts ...requestOption) {
	m := &method{name: name, handle: typed(name, h)}
	for _, opt := range opts {
		opt(m)
	}
	register(m)
}

// requestOption adjusts how a registered request runs.
type requestOption func(*method)

// inReadLoop makes a request run in the read loop, like a notification, so
// the next message sees its effect on the session state (initialize,
// shutdown). Such a request must be quick and must not call the client.
func inReadLoop(m *method) { m.ordered = true }

// registerNotification adds a notification method whose params decode into P.
func registerNotification[P any](name string, h func(*Server, context.Context, *P) error) {
	register(&method{name: name, notification: true, handle: typed(name, func(s *Server, ctx context.Context, p *P) (any, error) {
		return nil, h(s, ctx, p)
	})})
}

func register(m *method) {
	if _, ok := builtinMethods[m.name]; ok {
		panic("server: method registered twice: " + m.name)
	}
	builtinMethods[m.name] = m
}

// typed adapts a handler of decoded params to a Handler. Params that do not
// decode into P are an InvalidParams error naming the method.
func typed[P, R any](name string, h func(*Server, context.Context, *P) (R, error)) Handler {
	return func(ctx context.Context, s *Server, raw json.RawMessage) (any, error) {
		params := new(P)
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, params); err != nil {
				return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params for %s: %v", name, err)
			}
		}
		return h(s, ctx, params)
	}
}

// inflightRequest is a request whose handler is running.
type inflightRequest struct {
	cancel context.CancelFunc
	// cancelled: the client sent $/cancelRequest for it.
	cancelled atomic.Bool
}

// readLoopKey marks the context of handlers that run in the read loop; see
// Server.Call.
type readLoopKey struct{}

// handle is the jsonrpc2.Handler of the connection. It runs in the
// connection's read loop: notifications and ordered requests are handled
// before the next message is read, other requests start a goroutine.
func (s *Server) handle(_ context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	switch req := req.(type) {
	case *jsonrpc2.Call:
		s.handleCall(reply, req)
	case *jsonrpc2.Notification:
		s.handleNotification(req)
	}
	return nil // a handler error would close the connection
}

func (s *Server) handleCall(reply jsonrpc2.Replier, call *jsonrpc2.Call) {
	name, id := call.Method(), call.ID()
	m, rpcErr := s.admitCall(name)
	var (
		ctx    context.Context
		flight *inflightRequest
	)
	if rpcErr == nil {
		ctx, flight, rpcErr = s.startRequest(id)
	}
	if rpcErr != nil {
		s.logger.Debug("request refused", "method", name, "id", id, "code", rpcErr.Code, "error", rpcErr.Message)
		s.reply(reply, nil, rpcErr)
		return
	}
	if m.ordered {
		s.runRequest(context.WithValue(ctx, readLoopKey{}, true), reply, call, m, flight)
		return
	}
	s.requests.Add(1)
	go func() {
		defer s.requests.Done()
		s.runRequest(ctx, reply, call, m, flight)
	}()
}

// admitCall applies the lifecycle rules and finds the method of a request.
func (s *Server) admitCall(name string) (*method, *jsonrpc2.Error) {
	switch state := s.currentState(); {
	case state == stateNew && name != protocol.MethodInitialize:
		return nil, jsonrpc2.Errorf(jsonrpc2.ServerNotInitialized, "%s before initialize", name)
	case state == stateInitialized && name == protocol.MethodInitialize:
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "initialize sent twice")
	case state >= stateShutdown:
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s after shutdown", name)
	}
	m, ok := s.methods[name]
	switch {
	case !ok:
		return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", name)
	case m.notification:
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s is a notification but was sent as a request", name)
	}
	return m, nil
}

// startRequest registers a cancellable context for request id. It runs in
// the read loop, so a $/cancelRequest that follows the request finds it.
func (s *Server) startRequest(id jsonrpc2.ID) (context.Context, *inflightRequest, *jsonrpc2.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.inflight[id]; dup {
		return nil, nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "request id %v is already in use", id)
	}
	ctx, cancel := context.WithCancel(s.base)
	flight := &inflightRequest{cancel: cancel}
	s.inflight[id] = flight
	return ctx, flight, nil
}

// runRequest runs the handler of one request and replies to it.
func (s *Server) runRequest(ctx context.Context, reply jsonrpc2.Replier, call *jsonrpc2.Call, m *method, flight *inflightRequest) {
	start := time.Now()
	result, err := s.invoke(ctx, m, call.Params())
	handled := time.Since(start)
	rpcErr := s.replyError(m.name, err, flight.cancelled.Load())

	s.mu.Lock()
	delete(s.inflight, call.ID())
	s.mu.Unlock()
	flight.cancel()

	s.reply(reply, result, rpcErr)
	// duration includes writing the reply; handled does not.
	attrs := []any{"method", m.name, "id", call.ID(), "duration", time.Since(start), "handled", handled}
	if rpcErr != nil {
		attrs = append(attrs, "code", rpcErr.Code, "error", rpcErr.Message)
	}
	s.logger.Debug("request", attrs...)
}

// cancelRequest cancels the context of request id, if it is still running.
func (s *Server) cancelRequest(id jsonrpc2.ID) {
	s.mu.Lock()
	flight, ok := s.inflight[id]
	s.mu.Unlock()
	if !ok {
		s.logger.Debug("cancel of a request not running", "id", id)
		return
	}
	flight.cancelled.Store(true)
	flight.cancel()
}

// replyError turns a handler error into the error sent to the client.
func (s *Server) replyError(name string, err error, cancelled bool) *jsonrpc2.Error {
	var rpcErr *jsonrpc2.Error
	switch {
	case err == nil:
		return nil
	case cancelled:
		return jsonrpc2.Errorf(protocol.CodeRequestCancelled, "%s cancelled", name)
	case errors.As(err, &rpcErr):
		return rpcErr
	}
	return jsonrpc2.Errorf(CodeRequestFailed, "%s: %v", name, err)
}

// reply sends a response. A failed write means the stream is going away;
// the read loop will notice.
func (s *Server) reply(reply jsonrpc2.Replier, result json.RawMessage, rpcErr *jsonrpc2.Error) {
	var err error
	if rpcErr != nil {
		err = rpcErr // keep the interface nil when there is no error
	}
	if werr := reply(context.Background(), result, err); werr != nil {
		s.logger.Debug("reply not sent", "error", werr)
	}
}

func (s *Server) handleNotification(n *jsonrpc2.Notification) {
	name := n.Method()
	state := s.currentState()
	if name == protocol.MethodExit {
		s.exit(state)
		return
	}
	m, ok := s.methods[name]
	switch {
	case state != stateInitialized:
		s.logger.Debug("notification dropped outside the initialized state", "method", name)
		return
	case !ok && strings.HasPrefix(name, "$/"):
		return // optional protocol notifications may be ignored silently
	case !ok:
		s.logger.Info("unknown notification ignored", "method", name)
		return
	case !m.notification:
		s.logger.Warn("request sent as a notification ignored", "method", name)
		return
	}
	start := time.Now()
	ctx := context.WithValue(s.base, readLoopKey{}, true)
	if _, err := s.invoke(ctx, m, n.Params()); err != nil {
		s.logger.Warn("notification failed", "method", name, "error", err)
	}
	s.logger.Debug("notification", "method", name, "duration", time.Since(start))
}

// invoke runs a handler and marshals its result. A panic is recovered,
// logged with its stack and returned as an InternalError: one broken
// handler must not take the session down.
func (s *Server) invoke(ctx context.Context, m *method, params json.RawMessage) (result json.RawMessage, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.logger.Error("handler panicked", "method", m.name, "panic", p, "stack", string(debug.Stack()))
			result, err = nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: %v", m.name, p)
		}
	}()
	res, err := m.handle(ctx, s, params)
	if err != nil || m.notification {
		return nil, err
	}
	if result, err = json.Marshal(res); err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "marshaling %s result: %v", m.name, err)
	}
	return result, nil
}
