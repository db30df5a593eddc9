package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
)

// maxMessageSize bounds the Content-Length the server accepts. The body is
// read as it arrives, so a large bogus header costs nothing until the bytes
// come; the bound only stops one message from holding gigabytes.
const maxMessageSize = 1 << 30

// stream implements jsonrpc2.Stream with the LSP base protocol's header
// framing. Unlike jsonrpc2.NewStream it survives a message whose body is not
// a valid JSON-RPC message: it answers with a -32700 ParseError or -32600
// InvalidRequest error whose id is null (as JSON-RPC requires when the id
// cannot be read) and goes on with the next message. Only a framing error,
// after which message boundaries are lost, ends the stream.
type stream struct {
	in     *bufio.Reader
	out    io.Writer
	closer io.Closer
	logger *slog.Logger

	writeMu sync.Mutex // serialises whole messages on out
}

func newStream(rwc io.ReadWriteCloser, logger *slog.Logger) *stream {
	return &stream{in: bufio.NewReader(rwc), out: rwc, closer: rwc, logger: logger}
}

// Read implements jsonrpc2.Stream.
func (s *stream) Read(context.Context) (jsonrpc2.Message, int64, error) {
	var total int64
	for {
		body, n, err := s.readFrame()
		total += n
		if err != nil {
			return nil, total, err
		}
		msg, err := jsonrpc2.DecodeMessage(body)
		if err == nil {
			return msg, total, nil
		}
		s.rejectMessage(body, err)
	}
}

// readFrame reads the headers and the body of one message.
func (s *stream) readFrame() (body []byte, n int64, err error) {
	length := int64(-1)
	for {
		line, err := s.in.ReadString('\n')
		n += int64(len(line))
		if err != nil {
			if err == io.EOF && n == 0 {
				return nil, n, io.EOF // a clean end between messages
			}
			return nil, n, fmt.Errorf("reading header: %w", err)
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, n, fmt.Errorf("malformed header line %q", line)
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			length, err = strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || length < 0 || length > maxMessageSize {
				return nil, n, fmt.Errorf("bad Content-Length %q", value)
			}
		}
	}
	if length < 0 {
		return nil, n, errors.New("message without Content-Length")
	}
	var buf bytes.Buffer
	m, err := io.CopyN(&buf, s.in, length)
	n += m
	if err != nil {
		return nil, n, fmt.Errorf("reading %d-byte body: %w", length, err)
	}
	return buf.Bytes(), n, nil
}

// rejectMessage answers a well-framed body that is not a JSON-RPC message.
func (s *stream) rejectMessage(body []byte, cause error) {
	rpcErr := &jsonrpc2.Error{Code: jsonrpc2.InvalidRequest, Message: "invalid JSON-RPC message: " + cause.Error()}
	if !json.Valid(body) {
		rpcErr = &jsonrpc2.Error{Code: jsonrpc2.ParseError, Message: "message is not valid JSON"}
	}
	s.logger.Warn("rejected message", "code", rpcErr.Code, "error", cause, "body", truncate(body, 200))
	reply, err := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      *int            `json:"id"` // always null
		Error   *jsonrpc2.Error `json:"error"`
	}{JSONRPC: jsonrpc2.Version, Error: rpcErr})
	if err == nil {
		err = s.writeFrame(reply)
	}
	if err != nil {
		s.logger.Warn("answering a rejected message", "error", err)
	}
}

// Write implements jsonrpc2.Stream.
func (s *stream) Write(_ context.Context, msg jsonrpc2.Message) (int64, error) {
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	return int64(len(data)), s.writeFrame(data)
}

// writeFrame writes one message, header and body in a single Write.
func (s *stream) writeFrame(body []byte) error {
	frame := make([]byte, 0, len(body)+32)
	frame = fmt.Appendf(frame, "Content-Length: %d\r\n\r\n", len(body))
	frame = append(frame, body...)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err := s.out.Write(frame)
	return err
}

// Close implements jsonrpc2.Stream.
func (s *stream) Close() error {
	return s.closer.Close()
}

// truncate returns at most n bytes of b as a string, for logs.
func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}
