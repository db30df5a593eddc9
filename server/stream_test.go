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
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// memConn is an in-memory stream for Serve: reads come from in, writes
// collect in out, and after Close both fail as a closed pipe's would.
type memConn struct {
	mu     sync.Mutex
	in     io.Reader
	out    bytes.Buffer
	closed bool
}

func (c *memConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, io.EOF
	}
	return c.in.Read(p)
}

func (c *memConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, io.ErrClosedPipe
	}
	return c.out.Write(p)
}

func (c *memConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

func (c *memConn) output() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.out.Bytes())
}

func frame(body string) string {
	return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
}

func TestReadFrame(t *testing.T) {
	body := `{"jsonrpc":"2.0","method":"initialized","params":{}}`
	for _, tc := range []struct {
		name, input string
		wantErr     string // empty: the body is read
	}{
		{"canonical", frame(body), ""},
		{"LF line ends, other headers, any case", fmt.Sprintf("content-type: application/vscode-jsonrpc; charset=utf-8\ncontent-length:%d\n\n%s", len(body), body), ""},
		{"no Content-Length", "Content-Type: x\r\n\r\n" + body, "without Content-Length"},
		{"header without colon", "Content-Length 5\r\n\r\n", "malformed header"},
		{"negative length", "Content-Length: -1\r\n\r\n", "bad Content-Length"},
		{"too long", fmt.Sprintf("Content-Length: %d\r\n\r\n", maxMessageSize+1), "bad Content-Length"},
		{"body shorter than announced", "Content-Length: 1000000000\r\n\r\n{}", "reading 1000000000-byte body"},
		{"end inside headers", "Content-Length: 5\r\n", "reading header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStream(&memConn{in: strings.NewReader(tc.input)}, slog.New(slog.DiscardHandler))
			got, _, err := s.readFrame()
			switch {
			case tc.wantErr == "" && (err != nil || string(got) != body):
				t.Errorf("readFrame = %q, %v; want the body", got, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("readFrame error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	s := newStream(&memConn{in: strings.NewReader("")}, slog.New(slog.DiscardHandler))
	if _, _, err := s.readFrame(); !errors.Is(err, io.EOF) {
		t.Errorf("readFrame at the end of the stream: %v, want io.EOF", err)
	}
}

// decodeFrames splits the server's output into message bodies, failing the
// test if it is not a sequence of well-framed JSON-RPC 2.0 objects.
func decodeFrames(t *testing.T, out []byte) []map[string]any {
	t.Helper()
	s := &stream{in: bufio.NewReader(bytes.NewReader(out))}
	var msgs []map[string]any
	for {
		body, _, err := s.readFrame()
		if errors.Is(err, io.EOF) {
			return msgs
		}
		if err != nil {
			t.Fatalf("server output is badly framed: %v\n%q", err, out)
		}
		var msg map[string]any
		if err := json.Unmarshal(body, &msg); err != nil || msg["jsonrpc"] != "2.0" {
			t.Fatalf("server wrote a message that is not JSON-RPC 2.0: %q", body)
		}
		msgs = append(msgs, msg)
	}
}

// responses drops the notifications (rivet/status, ...) from msgs.
func responses(msgs []map[string]any) []map[string]any {
	var out []map[string]any
	for _, m := range msgs {
		if _, ok := m["id"]; ok {
			out = append(out, m)
		}
	}
	return out
}

// framingSeeds are whole sessions and broken streams; FuzzFraming mutates
// them and testdata/fuzz/FuzzFraming holds more.
var framingSeeds = []string{
	frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{"general":{"positionEncodings":["utf-8"]}}}}`) +
		frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`) +
		frame(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.c","languageId":"c","version":1,"text":"int x;\n"}}}`) +
		frame(`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a.c","version":2},"contentChanges":[{"range":{"start":{"line":0,"character":4},"end":{"line":0,"character":5}},"text":"y"}]}}`) +
		frame(`{"jsonrpc":"2.0","id":"s","method":"shutdown"}`) +
		frame(`{"jsonrpc":"2.0","method":"exit"}`),
	frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`) + frame(`{"jsonrpc":"2.0","id":2,"method":`) + frame(`[]`),
	frame(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}`) + "garbage\r\n\r\n",
	"Content-Length: 99999999\r\n\r\n{",
	"\r\n\r\n\r\n",
}

func TestServeOutputIsWellFramed(t *testing.T) {
	conn := &memConn{in: strings.NewReader(framingSeeds[0])}
	if err := Serve(context.Background(), conn, Options{CacheDir: CacheOff}); err != nil {
		t.Fatalf("Serve of a clean session: %v", err)
	}
	msgs := responses(decodeFrames(t, conn.output()))
	if len(msgs) != 2 || msgs[0]["id"] != 1.0 || msgs[1]["id"] != "s" {
		t.Errorf("replies %v, want initialize's (id 1) and shutdown's (id \"s\")", msgs)
	}

	conn = &memConn{in: strings.NewReader(framingSeeds[1])}
	Serve(context.Background(), conn, Options{})
	msgs = decodeFrames(t, conn.output())
	var codes []any
	for _, m := range msgs[1:] {
		codes = append(codes, m["error"].(map[string]any)["code"])
	}
	if len(msgs) != 3 || msgs[1]["id"] != nil || fmt.Sprint(codes) != fmt.Sprint([]any{float64(jsonrpc2.ParseError), float64(jsonrpc2.InvalidRequest)}) {
		t.Errorf("replies %v, want initialize's then ParseError and InvalidRequest with null ids", msgs)
	}
}

// FuzzFraming feeds random bytes to Serve as its input stream: it must not
// panic, must return once the input ends, and must write only well-framed
// JSON-RPC messages.
func FuzzFraming(f *testing.F) {
	for _, s := range framingSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		conn := &memConn{in: bytes.NewReader(input)}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		Serve(ctx, conn, Options{ProcessPollInterval: time.Hour})
		if ctx.Err() != nil {
			t.Fatalf("Serve did not return after its input ended: %q", input)
		}
		decodeFrames(t, conn.output())
	})
}
