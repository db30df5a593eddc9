// Package lsptest runs rivet's language server in-process and talks to it
// over a real JSON-RPC connection, as an editor does: header framing over a
// pair of pipes, a jsonrpc2.Conn on the client side. Every LSP test uses it,
// in the manner of gopls's integration tests:
//
//	c := lsptest.Start(t, lsptest.Options{})
//	c.Initialize(lsptest.PositionEncodings(server.PositionEncodingKindUTF8))
//	c.OpenDocument("file:///k/lib.rs", "fn f() {}\n")
//	c.ChangeDocument("file:///k/lib.rs", lsptest.Edit(0, 3, 0, 4, "g"))
//	doc, _ := c.Document("file:///k/lib.rs") // the server's copy
//	c.Shutdown()
//	if err := c.Exit(); err != nil { ... }
//
// Calls return the server's *jsonrpc2.Error (nil on success); anything else
// that goes wrong (a timeout, a broken connection, a result that does not
// decode) fails the test. The harness records every message the server
// sends; WaitFor and WaitForRequest find them. It answers server-to-client
// requests itself (see Options.Replies). The server's log is captured and
// printed when the test fails.
//
// Methods that wait must be called from the test goroutine.
package lsptest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/server"
)

// documentMethod is the request the harness adds to the server under test
// to read its copy of a document (see Client.Document).
const documentMethod = "rivet/lsptest/document"

// Options configures Start.
type Options struct {
	// Server configures the server under test. The harness adds one request
	// method of its own (see Client.Document) and, when Logger is nil,
	// captures the server's log at debug level (see Client.Logs).
	Server server.Options

	// Timeout bounds every wait: a reply, WaitFor, Serve's return. Zero
	// means 10 seconds.
	Timeout time.Duration

	// Replies answers server-to-client requests by method, in place of the
	// defaults: null for window/workDoneProgress/create,
	// client/registerCapability, client/unregisterCapability and
	// window/showMessageRequest; one null per item for
	// workspace/configuration; MethodNotFound for anything else.
	Replies map[string]ReplyFunc
}

// ReplyFunc answers one server-to-client request.
type ReplyFunc func(params json.RawMessage) (result any, err error)

// Message is a message the server sent to the client.
type Message struct {
	Method string
	Params json.RawMessage
	// Request: the server sent it as a request, which the harness answered;
	// otherwise it is a notification.
	Request bool
}

// Decode unmarshals the message's params into v.
func (m Message) Decode(v any) error {
	return json.Unmarshal(m.Params, v)
}

// Client is the client end of a session with an in-process server.
type Client struct {
	t       testing.TB
	timeout time.Duration
	conn    jsonrpc2.Conn
	stream  *clientStream
	replies map[string]ReplyFunc
	logs    *syncBuffer

	sendMu sync.Mutex // one armed call at a time; see clientStream.arm

	serveDone chan struct{}
	serveErr  error // set before serveDone is closed

	mu       sync.Mutex
	received []*received
	changed  chan struct{} // closed and replaced whenever received grows
	versions map[protocol.DocumentURI]int32
}

// received is one recorded message from the server.
type received struct {
	msg Message
	// nullID holds the error of a response whose id was null.
	nullID *jsonrpc2.Error
	taken  bool
}

// Start runs a server with opts.Server in-process and connects a client to
// it. The session is torn down when the test ends: the client closes the
// connection and the test fails if Serve does not then return.
func Start(t testing.TB, opts Options) *Client {
	t.Helper()
	c := &Client{
		t:         t,
		timeout:   opts.Timeout,
		replies:   opts.Replies,
		logs:      &syncBuffer{},
		serveDone: make(chan struct{}),
		changed:   make(chan struct{}),
		versions:  make(map[protocol.DocumentURI]int32),
	}
	if c.timeout <= 0 {
		c.timeout = 10 * time.Second
	}
	sopts := opts.Server
	if sopts.CacheDir == "" {
		// Tests never touch the user's cache directory.
		sopts.CacheDir = server.CacheOff
	}
	if sopts.Logger == nil {
		sopts.Logger = slog.New(slog.NewTextHandler(c.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	sopts.Requests = maps.Clone(sopts.Requests)
	if sopts.Requests == nil {
		sopts.Requests = make(map[string]server.Handler)
	}
	sopts.Requests[documentMethod] = serveDocument

	toServerR, toServerW := io.Pipe()
	fromServerR, fromServerW := io.Pipe()
	go func() {
		c.serveErr = server.Serve(context.Background(), server.Stdio(toServerR, fromServerW), sopts)
		close(c.serveDone)
	}()
	c.stream = newClientStream(fromServerR, toServerW, c.recordNullID)
	c.conn = jsonrpc2.NewConn(c.stream)
	c.conn.Go(context.Background(), c.handle)
	t.Cleanup(c.cleanup)
	return c
}

func (c *Client) cleanup() {
	c.conn.Close()
	select {
	case <-c.serveDone:
	case <-time.After(c.timeout):
		c.t.Errorf("lsptest: Serve did not return within %v of the connection closing", c.timeout)
	}
	<-c.conn.Done()
	if c.t.Failed() {
		c.t.Logf("lsptest: server log:\n%s", c.logs)
	}
}

// Logs returns the server's log so far, when the harness captures it.
func (c *Client) Logs() string {
	return c.logs.String()
}

// Request is a call sent to the server.
type Request struct {
	c      *Client
	method string
	// ID is the request's id on the wire.
	ID jsonrpc2.ID

	done   chan struct{}
	result json.RawMessage
	err    error
}

// Send sends a request and returns without waiting for the reply. The
// connection numbers it.
func (c *Client) Send(method string, params any) *Request {
	c.t.Helper()
	return c.send("", method, params)
}

// SendWithStringID sends a request whose id is the string id. Replies are
// matched back by id, so id must not be in use by another request in flight.
func (c *Client) SendWithStringID(id, method string, params any) *Request {
	c.t.Helper()
	if id == "" {
		c.t.Fatal("lsptest: SendWithStringID needs a non-empty id")
	}
	return c.send(id, method, params)
}

func (c *Client) send(stringID, method string, params any) *Request {
	c.t.Helper()
	raw := c.marshal(params)
	r := &Request{c: c, method: method, done: make(chan struct{})}

	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	sent := c.stream.arm(stringID)
	go func() {
		defer close(r.done)
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		defer cancel()
		_, r.err = c.conn.Call(ctx, method, raw, &r.result)
	}()
	select {
	case r.ID = <-sent:
	case <-r.done: // answered already, or never written
		select {
		case r.ID = <-sent:
		default:
			c.stream.disarm()
			c.t.Fatalf("lsptest: %s not sent: %v", method, r.err)
		}
	}
	return r
}

// Wait waits for the reply and decodes its result into result (which may be
// nil). It returns the server's error reply, if any.
func (r *Request) Wait(result any) *jsonrpc2.Error {
	r.c.t.Helper()
	<-r.done // the call's context has the harness timeout
	var rpcErr *jsonrpc2.Error
	switch {
	case errors.As(r.err, &rpcErr):
		return rpcErr
	case r.err != nil:
		r.c.t.Fatalf("lsptest: %s (id %v): %v", r.method, r.ID, r.err)
	case result != nil && len(r.result) > 0: // a null result arrives empty
		if err := json.Unmarshal(r.result, result); err != nil {
			r.c.t.Fatalf("lsptest: %s result %s: %v", r.method, r.result, err)
		}
	}
	return nil
}

// Call sends a request, waits for the reply and decodes its result into
// result (which may be nil). It returns the server's error reply, if any.
func (c *Client) Call(method string, params, result any) *jsonrpc2.Error {
	c.t.Helper()
	return c.Send(method, params).Wait(result)
}

// Notify sends a notification.
func (c *Client) Notify(method string, params any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	if err := c.conn.Notify(ctx, method, c.marshal(params)); err != nil {
		c.t.Fatalf("lsptest: notify %s: %v", method, err)
	}
}

// Cancel sends $/cancelRequest for id, numeric or string.
func (c *Client) Cancel(id jsonrpc2.ID) {
	c.t.Helper()
	c.Notify(protocol.MethodCancelRequest, struct {
		ID *jsonrpc2.ID `json:"id"`
	}{&id})
}

// WriteMessage sends body, framed but otherwise as is, for tests of
// malformed messages.
func (c *Client) WriteMessage(body []byte) {
	c.t.Helper()
	if err := c.stream.writeBody(body); err != nil {
		c.t.Fatalf("lsptest: writing a raw message: %v", err)
	}
}

func (c *Client) marshal(params any) json.RawMessage {
	c.t.Helper()
	raw, err := json.Marshal(params)
	if err != nil {
		c.t.Fatalf("lsptest: marshaling params: %v", err)
	}
	return raw
}

// InitOption adjusts the params Initialize sends.
type InitOption func(*server.InitializeParams)

// PositionEncodings offers the given position encodings, in order of
// preference (capabilities.general.positionEncodings).
func PositionEncodings(kinds ...server.PositionEncodingKind) InitOption {
	return func(p *server.InitializeParams) {
		if p.Capabilities.General == nil {
			p.Capabilities.General = &server.GeneralClientCapabilities{}
		}
		p.Capabilities.General.PositionEncodings = kinds
	}
}

// ProcessID names the client process, which the server watches.
func ProcessID(pid int32) InitOption {
	return func(p *server.InitializeParams) { p.ProcessID = pid }
}

// Capabilities sets the client capabilities.
func Capabilities(caps server.ClientCapabilities) InitOption {
	return func(p *server.InitializeParams) { p.Capabilities = caps }
}

// Initialize sends initialize and then initialized, failing the test if
// initialize fails, and returns the initialize result.
func (c *Client) Initialize(opts ...InitOption) server.InitializeResult {
	c.t.Helper()
	var params server.InitializeParams
	params.ClientInfo = &protocol.ClientInfo{Name: "lsptest"}
	for _, opt := range opts {
		opt(&params)
	}
	var res server.InitializeResult
	if err := c.Call(protocol.MethodInitialize, params, &res); err != nil {
		c.t.Fatalf("lsptest: initialize: %v (code %d)", err, err.Code)
	}
	c.Notify(protocol.MethodInitialized, struct{}{})
	return res
}

// Shutdown sends shutdown, failing the test if it fails.
func (c *Client) Shutdown() {
	c.t.Helper()
	if err := c.Call(protocol.MethodShutdown, nil, nil); err != nil {
		c.t.Fatalf("lsptest: shutdown: %v (code %d)", err, err.Code)
	}
}

// Exit sends exit and returns what Serve returned.
func (c *Client) Exit() error {
	c.t.Helper()
	c.Notify(protocol.MethodExit, nil)
	return c.ServeResult()
}

// CloseInput closes the server's input stream, as an editor closing the
// server's stdin does. The server's output stays open.
func (c *Client) CloseInput() {
	c.t.Helper()
	if err := c.stream.closeOutput(); err != nil {
		c.t.Fatalf("lsptest: closing the server's input: %v", err)
	}
}

// ServeResult waits for Serve to return and returns its result.
func (c *Client) ServeResult() error {
	c.t.Helper()
	select {
	case <-c.serveDone:
		return c.serveErr
	case <-time.After(c.timeout):
		c.t.Fatalf("lsptest: Serve did not return within %v", c.timeout)
		return nil
	}
}

// Text is document text that marshals to a JSON string byte for byte,
// invalid UTF-8 included: encoding/json would replace such bytes with U+FFFD,
// but an editor can send them.
type Text string

// MarshalJSON implements json.Marshaler, escaping only what JSON requires.
func (t Text) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, len(t)+2)
	out = append(out, '"')
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c < 0x20:
			out = fmt.Appendf(out, `\u%04x`, c)
		default:
			out = append(out, c)
		}
	}
	return append(out, '"'), nil
}

// Change is one entry of didChange's contentChanges.
type Change struct {
	// Range is the replaced range; nil replaces the whole text.
	Range *protocol.Range `json:"range,omitempty"`
	Text  Text            `json:"text"`
}

// Replace is a change that replaces the whole text.
func Replace(text string) Change {
	return Change{Text: Text(text)}
}

// Edit is a change that replaces the range from (startLine, startChar) to
// (endLine, endChar), in the negotiated encoding, with text.
func Edit(startLine, startChar, endLine, endChar uint32, text string) Change {
	return Change{
		Range: &protocol.Range{
			Start: protocol.Position{Line: startLine, Character: startChar},
			End:   protocol.Position{Line: endLine, Character: endChar},
		},
		Text: Text(text),
	}
}

// OpenDocument sends didOpen for uri at version 1, with a languageId
// guessed from the extension as an editor would ("c", "rust", "plaintext").
func (c *Client) OpenDocument(uri protocol.DocumentURI, text string) {
	c.t.Helper()
	languageID := "plaintext"
	switch path.Ext(string(uri)) {
	case ".c", ".h":
		languageID = "c"
	case ".rs":
		languageID = "rust"
	}
	c.mu.Lock()
	c.versions[uri] = 1
	c.mu.Unlock()
	c.Notify(protocol.MethodTextDocumentDidOpen, map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": languageID, "version": 1, "text": Text(text)},
	})
}

// ChangeDocument sends one didChange carrying changes, applied in order,
// with the document's next version, which it returns.
func (c *Client) ChangeDocument(uri protocol.DocumentURI, changes ...Change) int32 {
	c.t.Helper()
	c.mu.Lock()
	c.versions[uri]++
	version := c.versions[uri]
	c.mu.Unlock()
	c.Notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": changes,
	})
	return version
}

// CloseDocument sends didClose.
func (c *Client) CloseDocument(uri protocol.DocumentURI) {
	c.t.Helper()
	c.Notify(protocol.MethodTextDocumentDidClose, map[string]any{"textDocument": map[string]any{"uri": uri}})
}

// DocumentState is the server's copy of an open document.
type DocumentState struct {
	Version  int32  `json:"version"`
	Language string `json:"language"`
	Text     []byte `json:"text"` // base64 on the wire, so every byte survives
}

// Document returns the server's copy of the document at uri, or false if
// the server does not have it open. Notifications sent before it have been
// applied: the server handles them before reading the next message.
func (c *Client) Document(uri protocol.DocumentURI) (DocumentState, bool) {
	c.t.Helper()
	var doc *DocumentState
	if err := c.Call(documentMethod, map[string]any{"uri": uri}, &doc); err != nil {
		c.t.Fatalf("lsptest: reading document %s: %v", uri, err)
	}
	if doc == nil {
		return DocumentState{}, false
	}
	return *doc, true
}

// serveDocument is the server side of Document.
func serveDocument(_ context.Context, s *server.Server, params json.RawMessage) (any, error) {
	var p struct {
		URI protocol.DocumentURI `json:"uri"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	doc, ok := s.Document(p.URI)
	if !ok {
		return nil, nil
	}
	return DocumentState{Version: doc.Version, Language: doc.Language.String(), Text: doc.Text}, nil
}

// handle receives the server's requests and notifications.
func (c *Client) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	_, isCall := req.(*jsonrpc2.Call)
	msg := Message{Method: req.Method(), Params: bytes.Clone(req.Params()), Request: isCall}
	c.record(&received{msg: msg})
	if !isCall {
		return nil
	}
	result, err := c.replyTo(msg)
	// The reply is written from its own goroutine: the pipes to the server
	// have no buffer, so writing it here, in the client's read loop, while
	// the server's read loop writes to us (a showMessage from a
	// notification handler) would deadlock both; a real client's pipe has
	// room for both. A reply that cannot be written means the session is
	// ending; the read loop will see it. Returning the error would make
	// jsonrpc2.Conn store it in an atomic.Value that the read error, of
	// another type, then panics on (TestReplyAfterServerEnded).
	go reply(ctx, result, err)
	return nil
}

// replyTo answers a server-to-client request; see Options.Replies.
func (c *Client) replyTo(msg Message) (any, error) {
	if f, ok := c.replies[msg.Method]; ok {
		return f(msg.Params)
	}
	switch msg.Method {
	case protocol.MethodWorkDoneProgressCreate, protocol.MethodClientRegisterCapability,
		protocol.MethodClientUnregisterCapability, protocol.MethodWindowShowMessageRequest:
		return nil, nil
	case protocol.MethodWorkspaceConfiguration:
		var p protocol.ConfigurationParams
		if err := msg.Decode(&p); err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "lsptest: %v", err)
		}
		return make([]any, len(p.Items)), nil
	}
	return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "lsptest: no reply for %s", msg.Method)
}

func (c *Client) recordNullID(errJSON json.RawMessage) {
	rpcErr := &jsonrpc2.Error{}
	if err := json.Unmarshal(errJSON, rpcErr); err != nil {
		rpcErr = &jsonrpc2.Error{Message: fmt.Sprintf("lsptest: undecodable error %s: %v", errJSON, err)}
	}
	c.record(&received{nullID: rpcErr})
}

func (c *Client) record(r *received) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.received = append(c.received, r)
	close(c.changed)
	c.changed = make(chan struct{})
}

// WaitFor waits for a notification with the given method for which match
// (nil matches all) returns true, and returns it. Each notification is
// returned by at most one WaitFor, the earliest matching one first; ones
// received before the call count. timeout zero means the harness timeout.
func (c *Client) WaitFor(method string, match func(Message) bool, timeout time.Duration) Message {
	c.t.Helper()
	r := c.wait(fmt.Sprintf("notification %s", method), timeout, func(r *received) bool {
		return r.nullID == nil && !r.msg.Request && r.msg.Method == method && (match == nil || match(r.msg))
	})
	return r.msg
}

// WaitForRequest is WaitFor for server-to-client requests, which the
// harness has already answered.
func (c *Client) WaitForRequest(method string, match func(Message) bool, timeout time.Duration) Message {
	c.t.Helper()
	r := c.wait(fmt.Sprintf("request %s", method), timeout, func(r *received) bool {
		return r.msg.Request && r.msg.Method == method && (match == nil || match(r.msg))
	})
	return r.msg
}

// WaitForNullIDError waits for an error response whose id is null: the
// server's answer to a message it could not read (see WriteMessage).
func (c *Client) WaitForNullIDError(timeout time.Duration) *jsonrpc2.Error {
	c.t.Helper()
	return c.wait("error response with a null id", timeout, func(r *received) bool { return r.nullID != nil }).nullID
}

// Messages returns every request and notification the server has sent so
// far, in order, whether or not a wait returned it.
func (c *Client) Messages() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	var msgs []Message
	for _, r := range c.received {
		if r.nullID == nil {
			msgs = append(msgs, r.msg)
		}
	}
	return msgs
}

func (c *Client) wait(what string, timeout time.Duration, match func(*received) bool) *received {
	c.t.Helper()
	if timeout <= 0 {
		timeout = c.timeout
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		for _, r := range c.received {
			if !r.taken && match(r) {
				r.taken = true
				c.mu.Unlock()
				return r
			}
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			c.t.Fatalf("lsptest: no %s within %v; received: %s", what, timeout, c.summary())
			return nil
		}
	}
}

// summary lists the methods received, for failure messages.
func (c *Client) summary() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var names []string
	for _, r := range c.received {
		switch {
		case r.nullID != nil:
			names = append(names, "(null-id error)")
		default:
			names = append(names, r.msg.Method)
		}
	}
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Root names dir (a local directory) as the workspace root: rootUri and
// one workspace folder.
func Root(dir string) InitOption {
	return func(p *server.InitializeParams) {
		abs, err := filepath.Abs(dir)
		if err != nil {
			abs = dir
		}
		uri := FileURI(abs)
		p.RootURI = uri
		p.WorkspaceFolders = []protocol.WorkspaceFolder{{URI: string(uri), Name: filepath.Base(abs)}}
	}
}

// FileURI is the file URI of an absolute path.
func FileURI(path string) protocol.DocumentURI {
	return protocol.DocumentURI((&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String())
}

// WaitIndexed waits until the server reports that its first indexing run
// ended (the rivet/status notification with state "ready"); timeout 0
// means the client's default.
func (c *Client) WaitIndexed(timeout time.Duration) {
	c.t.Helper()
	c.WaitFor(server.StatusNotification, func(m Message) bool {
		var st server.StatusParams
		return m.Decode(&st) == nil && st.State == "ready"
	}, timeout)
}
