package lsptest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
)

// clientStream is the client side's jsonrpc2.Stream: LSP header framing plus
// two things jsonrpc2.Conn cannot do on its own. It can put a string id on
// the wire in place of the numeric id Conn chose (and map the response
// back), and it takes error responses whose id is null (the server's answer
// to a message it could not read) out of the stream, where Conn would choke
// on them, and hands them to onNullID.
type clientStream struct {
	in       *bufio.Reader
	inCloser io.Closer
	out      io.WriteCloser
	onNullID func(errJSON json.RawMessage)

	writeMu sync.Mutex // serialises whole messages on out

	mu      sync.Mutex
	armed   *armedCall
	renamed map[jsonrpc2.ID]jsonrpc2.ID // wire id -> Conn's id
}

// armedCall asks Write to report the id of the next call it writes, and to
// replace it with stringID when that is set.
type armedCall struct {
	stringID string
	sent     chan jsonrpc2.ID
}

func newClientStream(in io.ReadCloser, out io.WriteCloser, onNullID func(json.RawMessage)) *clientStream {
	return &clientStream{
		in:       bufio.NewReader(in),
		inCloser: in,
		out:      out,
		onNullID: onNullID,
		renamed:  make(map[jsonrpc2.ID]jsonrpc2.ID),
	}
}

// arm makes the next call written report its wire id on the returned
// channel; see armedCall.
func (s *clientStream) arm(stringID string) <-chan jsonrpc2.ID {
	a := &armedCall{stringID: stringID, sent: make(chan jsonrpc2.ID, 1)}
	s.mu.Lock()
	s.armed = a
	s.mu.Unlock()
	return a.sent
}

// disarm withdraws an arm whose call was never written.
func (s *clientStream) disarm() {
	s.mu.Lock()
	s.armed = nil
	s.mu.Unlock()
}

// Read implements jsonrpc2.Stream.
func (s *clientStream) Read(context.Context) (jsonrpc2.Message, int64, error) {
	for {
		body, err := s.readFrame()
		if err != nil {
			return nil, 0, err
		}
		var probe struct {
			ID     json.RawMessage `json:"id"`
			Method *string         `json:"method"`
			Error  json.RawMessage `json:"error"`
		}
		if json.Unmarshal(body, &probe) == nil && probe.Method == nil && string(probe.ID) == "null" {
			s.onNullID(probe.Error)
			continue
		}
		msg, err := jsonrpc2.DecodeMessage(body)
		if err != nil {
			return nil, 0, fmt.Errorf("server sent an unreadable message %q: %w", body, err)
		}
		if resp, ok := msg.(*jsonrpc2.Response); ok {
			msg, err = s.restoreID(resp)
		}
		return msg, int64(len(body)), err
	}
}

// restoreID gives a response to a renamed call the id Conn is waiting for.
func (s *clientStream) restoreID(resp *jsonrpc2.Response) (jsonrpc2.Message, error) {
	s.mu.Lock()
	id, ok := s.renamed[resp.ID()]
	delete(s.renamed, resp.ID())
	s.mu.Unlock()
	if !ok {
		return resp, nil
	}
	return jsonrpc2.NewResponse(id, resp.Result(), resp.Err())
}

func (s *clientStream) readFrame() ([]byte, error) {
	length := -1
	for {
		line, err := s.in.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("server sent a malformed header %q", line)
		}
		if strings.EqualFold(name, "Content-Length") {
			if length, err = strconv.Atoi(strings.TrimSpace(value)); err != nil {
				return nil, fmt.Errorf("server sent a bad Content-Length %q", value)
			}
		}
	}
	if length < 0 {
		return nil, errors.New("server sent a message without Content-Length")
	}
	body := make([]byte, length)
	_, err := io.ReadFull(s.in, body)
	return body, err
}

// Write implements jsonrpc2.Stream.
func (s *clientStream) Write(_ context.Context, msg jsonrpc2.Message) (int64, error) {
	if call, ok := msg.(*jsonrpc2.Call); ok {
		var err error
		if msg, err = s.takeArmed(call); err != nil {
			return 0, err
		}
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, err
	}
	return int64(len(data)), s.writeBody(data)
}

// takeArmed reports the wire id of call to an armed sender, renaming it
// first if asked to.
func (s *clientStream) takeArmed(call *jsonrpc2.Call) (jsonrpc2.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.armed
	if a == nil {
		return call, nil
	}
	s.armed = nil
	if a.stringID == "" {
		a.sent <- call.ID()
		return call, nil
	}
	wireID := jsonrpc2.NewStringID(a.stringID)
	s.renamed[wireID] = call.ID()
	a.sent <- wireID
	return jsonrpc2.NewCall(wireID, call.Method(), call.Params())
}

// writeBody frames body and writes it whole.
func (s *clientStream) writeBody(body []byte) error {
	var frame bytes.Buffer
	fmt.Fprintf(&frame, "Content-Length: %d\r\n\r\n", len(body))
	frame.Write(body)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err := s.out.Write(frame.Bytes())
	return err
}

// closeOutput closes the server's input, as an editor closing stdin does.
// It takes no lock: closing a pipe unblocks a write stuck on it.
func (s *clientStream) closeOutput() error {
	return s.out.Close()
}

// Close implements jsonrpc2.Stream.
func (s *clientStream) Close() error {
	return errors.Join(s.closeOutput(), s.inCloser.Close())
}
