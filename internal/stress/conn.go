package stress

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// JSON-RPC error codes the driver tells apart.
const (
	codeParseError       = -32700
	codeInvalidRequest   = -32600
	codeMethodNotFound   = -32601
	codeInvalidParams    = -32602
	codeInternalError    = -32603
	codeNotInitialized   = -32002
	codeRequestFailed    = -32803
	codeRequestCancelled = -32800
	codeContentModified  = -32801
)

// rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int64           `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// call is one request the driver sent.
type call struct {
	method string
	// id is the id's JSON text on the wire: a number or a quoted string.
	id   string
	sent time.Time
	// expect is what the driver deliberately broke in the request, so
	// the error it earns is not a failure.
	expect expectation
	// after, when set, learns from a result (the driver goroutine runs it).
	after func(result json.RawMessage)

	done     chan struct{}
	result   json.RawMessage // "null" for a null result
	err      *rpcError
	took     time.Duration
	canceled bool // $/cancelRequest was sent for it
	// outsideOK: the request is about a document a link leads out of
	// the roots, so places there may be in its answer.
	outsideOK bool
	overdue   bool // reported as overdue once
}

// expectation says which error a deliberately broken request may earn.
type expectation uint8

const (
	expectResult         expectation = iota // a result, or RequestFailed
	expectInvalidParams                     // params that do not decode
	expectUnknownMethod                     // a method the server does not have
	expectInvalidRequest                    // a request the lifecycle forbids (a second initialize)
)

// conn is the client end of one session over the LSP base protocol's
// header framing. Unlike jsonrpc2.Conn it puts any bytes on the wire
// (invalid UTF-8 in strings, bodies that are not JSON, numeric and string
// ids of its choosing), and it records what the server does wrong rather
// than failing: a malformed frame or message, a response to no request,
// a second response to one.
type conn struct {
	w  io.Writer
	wm sync.Mutex // serialises whole frames on w

	// answer replies to a server-to-client request; the reply is written
	// from its own goroutine, so the read loop never blocks on the
	// server's input while the server blocks on its output.
	answer func(method string, params json.RawMessage) (any, *rpcError)
	// notified sees every server notification.
	notified func(method string, params json.RawMessage)
	// violation records what the server did wrong.
	violation func(format string, args ...any)

	mu       sync.Mutex
	pending  map[string]*call
	nextID   int64
	nullIDs  []rpcError // error responses whose id is null
	finished chan struct{}
	readErr  error // why the read loop ended; set before finished closes
}

func newConn(w io.Writer) *conn {
	return &conn{w: w, pending: make(map[string]*call), finished: make(chan struct{})}
}

// send writes a request whose params are raw JSON and returns at once.
// A string id is used when stringID is true.
func (c *conn) send(method string, params json.RawMessage, stringID bool, expect expectation) (*call, error) {
	c.mu.Lock()
	c.nextID++
	id := strconv.FormatInt(c.nextID, 10)
	if stringID {
		id = strconv.Quote("s" + id)
	}
	cl := &call{method: method, id: id, expect: expect, done: make(chan struct{}), sent: time.Now()}
	c.pending[id] = cl
	c.mu.Unlock()
	body := message(id, method, params)
	if err := c.writeBody(body); err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return nil, err
	}
	return cl, nil
}

// notify writes a notification whose params are raw JSON.
func (c *conn) notify(method string, params json.RawMessage) error {
	return c.writeBody(message("", method, params))
}

// message builds a request (id set) or notification body by hand, so
// params reach the wire byte for byte.
func message(id, method string, params json.RawMessage) []byte {
	var b bytes.Buffer
	b.WriteString(`{"jsonrpc":"2.0",`)
	if id != "" {
		b.WriteString(`"id":`)
		b.WriteString(id)
		b.WriteByte(',')
	}
	b.WriteString(`"method":`)
	b.WriteString(strconv.Quote(method))
	if params != nil {
		b.WriteString(`,"params":`)
		b.Write(params)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// writeBody frames body and writes it whole.
func (c *conn) writeBody(body []byte) error {
	frame := make([]byte, 0, len(body)+32)
	frame = fmt.Appendf(frame, "Content-Length: %d\r\n\r\n", len(body))
	frame = append(frame, body...)
	c.wm.Lock()
	defer c.wm.Unlock()
	_, err := c.w.Write(frame)
	return err
}

// inFlight returns the requests not answered yet.
func (c *conn) inFlight() []*call {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*call, 0, len(c.pending))
	for _, cl := range c.pending {
		out = append(out, cl)
	}
	return out
}

// takeNullIDs returns the null-id error responses received since the
// last call.
func (c *conn) takeNullIDs() []rpcError {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.nullIDs
	c.nullIDs = nil
	return out
}

// incoming is any message the server sends.
type incoming struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  *string         `json:"method"`
	Params  json.RawMessage `json:"params"`
	Result  json.RawMessage `json:"result"`
	Error   *rpcError       `json:"error"`
}

// readLoop reads the server's messages until the stream ends, then
// closes finished.
func (c *conn) readLoop(r io.Reader) {
	in := bufio.NewReaderSize(r, 1<<16)
	var err error
	for {
		var body []byte
		if body, err = readFrame(in); err != nil {
			break
		}
		c.dispatch(body)
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	c.mu.Lock()
	c.readErr = err
	c.mu.Unlock()
	close(c.finished)
}

// readFrame reads one header-framed body.
func readFrame(in *bufio.Reader) ([]byte, error) {
	length, n := -1, 0
	for {
		line, err := in.ReadString('\n')
		n += len(line)
		if err != nil {
			if err == io.EOF && n == 0 {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("reading a header: %w", err)
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("malformed header %q", line)
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			if length, err = strconv.Atoi(strings.TrimSpace(value)); err != nil || length < 0 {
				return nil, fmt.Errorf("bad Content-Length %q", value)
			}
		}
	}
	if length < 0 {
		return nil, errors.New("a message without Content-Length")
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(in, body); err != nil {
		return nil, fmt.Errorf("reading a %d-byte body: %w", length, err)
	}
	return body, nil
}

// dispatch handles one message from the server.
func (c *conn) dispatch(body []byte) {
	var m incoming
	if err := json.Unmarshal(body, &m); err != nil {
		c.violation("server sent a body that is not a JSON-RPC object (%v): %.200q", err, body)
		return
	}
	if m.JSONRPC != "2.0" {
		c.violation("server sent jsonrpc %q: %.200q", m.JSONRPC, body)
	}
	switch {
	case m.Method != nil && len(m.ID) > 0 && string(m.ID) != "null":
		method, params, id := *m.Method, m.Params, m.ID
		go func() { // never block the read loop on the server's input
			result, rerr := c.answer(method, params)
			c.reply(id, result, rerr)
		}()
	case m.Method != nil:
		c.notified(*m.Method, m.Params)
	default:
		c.response(&m, body)
	}
}

// reply answers a server-to-client request.
func (c *conn) reply(id json.RawMessage, result any, rerr *rpcError) {
	msg := map[string]any{"jsonrpc": "2.0", "id": id}
	if rerr != nil {
		msg["error"] = rerr
	} else {
		msg["result"] = result
	}
	body, err := json.Marshal(msg)
	if err == nil {
		err = c.writeBody(body)
	}
	if err != nil && !errors.Is(err, io.ErrClosedPipe) {
		c.violation("answering the server's request %s: %v", id, err)
	}
}

// response matches a response to its request.
func (c *conn) response(m *incoming, body []byte) {
	hasResult := len(m.Result) > 0
	if hasResult == (m.Error != nil) {
		c.violation("a response needs exactly one of result and error: %.200q", body)
	}
	if len(m.ID) == 0 || string(m.ID) == "null" {
		c.mu.Lock()
		if m.Error != nil {
			c.nullIDs = append(c.nullIDs, *m.Error)
		}
		c.mu.Unlock()
		if m.Error == nil {
			c.violation("a result with a null id: %.200q", body)
		}
		return
	}
	id := canonicalID(m.ID)
	c.mu.Lock()
	cl, ok := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if !ok {
		c.violation("a response to no request in flight (id %s): %.200q", m.ID, body)
		return
	}
	cl.took = time.Since(cl.sent)
	cl.result, cl.err = m.Result, m.Error
	close(cl.done)
}

// canonicalID spells an id as send does: integers without a fraction,
// strings quoted by strconv.Quote.
func canonicalID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strconv.Quote(s)
	}
	var f float64
	if json.Unmarshal(raw, &f) == nil && f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return string(raw)
}
