package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// BenchmarkRequestRoundTrip is one request and its reply through the real
// connection: framing, dispatch, a goroutine, JSON both ways.
func BenchmarkRequestRoundTrip(b *testing.B) {
	c := lsptest.Start(b, lsptest.Options{Server: server.Options{
		Requests: map[string]server.Handler{
			"test/echo": func(_ context.Context, _ *server.Server, params json.RawMessage) (any, error) { return params, nil },
		},
	}})
	c.Initialize()
	for b.Loop() {
		if err := c.Call("test/echo", 1, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKeystroke is one single-character didChange into a 1 MiB C
// document, the server applying it before the next message.
func BenchmarkKeystroke(b *testing.B) {
	c := lsptest.Start(b, lsptest.Options{})
	c.Initialize()
	line := "static int rivet_probe(struct device *dev) /* café — 设备 */ { return 0; }\n"
	text := strings.Repeat(line, (1<<20)/len(line))
	const uri = "file:///k/drivers/big.c"
	c.OpenDocument(uri, text)
	b.SetBytes(int64(len(text)))
	n := 0
	for b.Loop() {
		c.ChangeDocument(uri, lsptest.Edit(uint32(n%10000), 40, uint32(n%10000), 40, "x"))
		n++
	}
	doc, _ := c.Document(uri) // wait for the last change
	if len(doc.Text) != len(text)+n {
		b.Fatalf("document has %d bytes, want %d", len(doc.Text), len(text)+n)
	}
}

// BenchmarkEditToDiagnostics is one didChange of a Rust file of the
// sample kernel until its publishDiagnostics for that version arrives:
// incremental re-parse, facts, the rules, conversion and the connection.
// scripts/bench-kernel.sh measures the same on rust/kernel/device.rs of a
// real kernel.
func BenchmarkEditToDiagnostics(b *testing.B) {
	root := kernelRoot(b)
	c, uri, text := openSession(b, root, "drivers/demo/checks.rs")
	end := uint32(strings.Count(string(text), "\n"))
	n := 0
	for b.Loop() {
		// Alternately add and remove a comment line at the end.
		change := lsptest.Edit(end, 0, end, 0, "// edit\n")
		if n%2 == 1 {
			change = lsptest.Edit(end, 0, end+1, 0, "")
		}
		v := c.ChangeDocument(uri, change)
		c.WaitFor(protocol.MethodTextDocumentPublishDiagnostics, func(m lsptest.Message) bool {
			var p server.PublishDiagnosticsParams
			return m.Decode(&p) == nil && p.URI == uri && p.Version != nil && *p.Version == v
		}, 0)
		n++
	}
}
