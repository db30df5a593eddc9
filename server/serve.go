package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// Options configures Serve.
type Options struct {
	// Logger receives the server's log; nil discards it. Every request is
	// logged at debug level with its method, id and duration. Under
	// `rivet serve` the logger must not write to stdout, which carries the
	// protocol.
	Logger *slog.Logger

	// Version is announced as serverInfo.version in the initialize result.
	Version string

	// ProcessPollInterval is how often Serve checks that the client process
	// named by initialize's processId is still alive. Zero means 3 seconds.
	ProcessPollInterval time.Duration

	// CacheDir is where the persistent facts cache lives: "" means the
	// user cache directory, CacheOff disables the cache (tests).
	CacheDir string

	// Requests adds request methods to the dispatch table, for tests and
	// experiments; production features register themselves in their own
	// file instead. They run like built-in requests: after initialize, in
	// their own goroutine, cancellable, with panics recovered. Naming a
	// method the table already has makes Serve fail.
	Requests map[string]Handler

	// Notifications adds notification methods the same way; they run in
	// arrival order in the read loop, and their result is discarded.
	Notifications map[string]Handler
}

// Handler handles one request or notification added through Options.
// params is the raw JSON of the message's params (empty when absent). The
// result is marshalled with encoding/json. An error that is a
// *jsonrpc2.Error is sent as is; any other error is sent as
// CodeRequestFailed with its message.
type Handler func(ctx context.Context, s *Server, params json.RawMessage) (result any, err error)

// CacheOff as Options.CacheDir disables the facts cache.
const CacheOff = "off"

// Errors that end Serve. ExitCode maps them to a process exit code.
var (
	// ErrExitWithoutShutdown: the client sent exit without shutdown first.
	ErrExitWithoutShutdown = errors.New("exit without shutdown")
	// ErrConnectionClosed: the stream ended (stdin EOF) or broke before
	// shutdown.
	ErrConnectionClosed = errors.New("connection closed before shutdown")
	// ErrClientExited: the process named by initialize's processId died.
	ErrClientExited = errors.New("client process exited")
)

// ExitCode is the process exit code for the error Serve returned: 0 for nil
// (exit after shutdown, or the stream closed after shutdown) and 1 for
// anything else, as the specification asks of exit without shutdown.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	return 1
}

// Stdio joins in and out into the stream Serve reads and writes. `rivet
// serve` runs, in main:
//
//	err := server.Serve(ctx, server.Stdio(os.Stdin, os.Stdout), opts)
//	os.Exit(server.ExitCode(err))
//
// Close closes both. Serve does not wait for a read blocked on in to return
// after exit, so main must exit the process rather than rely on it.
func Stdio(in io.ReadCloser, out io.WriteCloser) io.ReadWriteCloser {
	return stdio{in, out}
}

type stdio struct {
	io.ReadCloser
	out io.WriteCloser
}

func (s stdio) Write(p []byte) (int, error) { return s.out.Write(p) }

func (s stdio) Close() error { return errors.Join(s.ReadCloser.Close(), s.out.Close()) }

// requestDrainTimeout bounds how long Serve waits for running requests to
// honour the cancellation of their context once the session has ended.
const requestDrainTimeout = 5 * time.Second

// Serve runs one LSP session over rwc (header-framed JSON-RPC 2.0) until the
// client sends exit, the stream closes, the client process dies or ctx is
// cancelled; it closes rwc before returning. It returns nil after a clean
// shutdown and exit (or shutdown and end of stream),
// ErrExitWithoutShutdown, an error wrapping ErrConnectionClosed or
// ErrClientExited, ctx's error, or an error in opts.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	s, err := newServer(opts)
	if err != nil {
		rwc.Close()
		return err
	}
	return s.serve(ctx, rwc)
}

// Server is the state of one LSP session. Feature handlers in this package
// are its methods; code outside it meets a Server only in an Options
// Handler.
type Server struct {
	logger       *slog.Logger
	version      string
	pollInterval time.Duration
	methods      map[string]*method

	conn     jsonrpc2.Conn
	base     context.Context // cancelled when the session ends
	requests sync.WaitGroup  // request goroutines

	ended   chan struct{} // closed by end
	endOnce sync.Once
	endErr  error

	docs     documentStore
	wsState  workspaceState
	cacheDir string
	// clientCaps are the client's capabilities from initialize; written
	// once in the read loop before any feature runs.
	clientCaps ClientCapabilities

	mu       sync.Mutex
	state    sessionState
	encoding PositionEncodingKind
	inflight map[jsonrpc2.ID]*inflightRequest
}

// sessionState is where the session is in the LSP lifecycle.
type sessionState uint8

const (
	stateNew         sessionState = iota // before initialize
	stateInitialized                     // initialize answered
	stateShutdown                        // shutdown received
	stateExited                          // exit received or session ended
)

func newServer(opts Options) (*Server, error) {
	s := &Server{
		logger:       opts.Logger,
		version:      opts.Version,
		pollInterval: opts.ProcessPollInterval,
		cacheDir:     opts.CacheDir,
		methods:      make(map[string]*method, len(builtinMethods)),
		ended:        make(chan struct{}),
		encoding:     PositionEncodingKindUTF16,
		inflight:     make(map[jsonrpc2.ID]*inflightRequest),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.pollInterval <= 0 {
		s.pollInterval = 3 * time.Second
	}
	for name, m := range builtinMethods {
		s.methods[name] = m
	}
	for name, h := range opts.Requests {
		if err := s.addMethod(&method{name: name, handle: h}); err != nil {
			return nil, err
		}
	}
	for name, h := range opts.Notifications {
		if err := s.addMethod(&method{name: name, notification: true, handle: h}); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Server) addMethod(m *method) error {
	if _, ok := s.methods[m.name]; ok {
		return fmt.Errorf("server options: method %q is already handled", m.name)
	}
	s.methods[m.name] = m
	return nil
}

func (s *Server) serve(ctx context.Context, rwc io.ReadWriteCloser) error {
	base, stop := context.WithCancel(ctx)
	defer stop()
	s.base = base
	s.conn = jsonrpc2.NewConn(newStream(rwc, s.logger))
	s.conn.Go(base, s.handle)
	s.logger.Info("serving", "version", s.version)

	select {
	case <-s.ended:
	case <-s.conn.Done():
		s.endAfterStreamClosed()
	case <-ctx.Done():
		s.end(ctx.Err())
	}
	s.setState(stateExited)
	s.conn.Close()
	stop()
	s.drainRequests()
	s.logger.Info("session ended", "error", s.endErr)
	return s.endErr
}

// endAfterStreamClosed ends the session once the stream is gone: cleanly if
// shutdown came first.
func (s *Server) endAfterStreamClosed() {
	if s.currentState() == stateShutdown {
		s.end(nil)
		return
	}
	cause := s.conn.Err()
	if cause == nil || errors.Is(cause, io.EOF) {
		s.end(ErrConnectionClosed)
		return
	}
	s.end(fmt.Errorf("%w: %v", ErrConnectionClosed, cause))
}

// end records why the session ends and wakes serve; the first call wins.
func (s *Server) end(err error) {
	s.endOnce.Do(func() {
		s.endErr = err
		close(s.ended)
	})
}

// drainRequests waits, within a bound, for request goroutines to return.
func (s *Server) drainRequests() {
	done := make(chan struct{})
	go func() {
		s.requests.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(requestDrainTimeout):
		s.logger.Warn("requests still running after the session ended")
	}
}

func (s *Server) currentState() sessionState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *Server) setState(st sessionState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = st
}

// positionEncoding returns the encoding negotiated by initialize.
func (s *Server) positionEncoding() PositionEncodingKind {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.encoding
}

// Document returns the current snapshot of the open document at uri, or
// false when the client has not opened it.
func (s *Server) Document(uri protocol.DocumentURI) (*Document, bool) {
	return s.docs.get(uri)
}
