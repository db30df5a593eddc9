package stress

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/rivet-lsp/rivet/server"
)

// documentMethod is the request InProcess adds to the server so Run can
// compare the server's copy of a document with its own.
const documentMethod = "rivet/stress/document"

// InProcess runs rivet's server in this process over a pair of pipes and
// drives it with Run. Besides Run's checks it fails the report when the
// server logs a recovered panic (a panic answered as an error is still a
// bug) or when Serve does not return nil after shutdown and exit. Unless
// opts.Memory is set, memory is the live Go heap, sampled after a
// collection every opts.MemoryEvery (default a second); it counts the driver's own small state too, and
// not the syntax trees tree-sitter allocates in C.
func InProcess(ctx context.Context, opts Options, sopts server.Options) (*Report, error) {
	panics := &panicLog{}
	var base slog.Handler = slog.DiscardHandler
	if sopts.Logger != nil {
		base = sopts.Logger.Handler()
	}
	sopts.Logger = slog.New(&panicHandler{Handler: base, log: panics})
	if opts.DocumentMethod == "" {
		opts.DocumentMethod = documentMethod
		requests := map[string]server.Handler{documentMethod: serveDocument}
		for k, v := range sopts.Requests {
			requests[k] = v
		}
		sopts.Requests = requests
	}
	if opts.Memory == nil {
		opts.Memory = liveHeap
		if opts.MemoryEvery == 0 {
			opts.MemoryEvery = time.Second
		}
	}
	if opts.Stuck == nil {
		opts.Stuck = goroutines
	}

	toServerR, toServerW := io.Pipe()
	fromServerR, fromServerW := io.Pipe()
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, server.Stdio(toServerR, fromServerW), sopts) }()
	rep, err := Run(ctx, fromServerR, toServerW, opts)
	// Serve must return by itself after exit; closing the pipe would only
	// hide a session that never ends.
	select {
	case serr := <-served:
		if serr != nil && rep != nil {
			rep.fail(fmt.Sprintf("Serve returned %v after shutdown and exit, want nil", serr))
		}
	case <-time.After(15 * time.Second):
		if rep != nil {
			rep.fail("Serve did not return within 15 s of exit")
		}
		fromServerR.Close()
	}
	if rep != nil {
		for _, p := range panics.take() {
			rep.fail(p)
		}
		if left := leftovers(10 * time.Second); left != "" {
			rep.fail("goroutines of the server still run 10 s after Serve returned:\n" + left)
		}
	}
	return rep, err
}

// leftovers waits up to grace for the goroutines running rivet's server
// or analysis code to end, and returns the stacks of those that did not.
func leftovers(grace time.Duration) string {
	deadline := time.Now().Add(grace)
	for {
		var left []string
		for _, g := range strings.Split(allStacks(), "\n\n") {
			if strings.Contains(g, "rivet/server.") || strings.Contains(g, "rivet/analysis") {
				left = append(left, g)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return strings.Join(left, "\n\n")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// allStacks returns every goroutine's full stack.
func allStacks() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// goroutines returns every goroutine's stack, grouped.
func goroutines() string {
	var b strings.Builder
	pprof.Lookup("goroutine").WriteTo(&b, 1)
	return b.String()
}

// liveHeap is the heap that survives a collection: what the process
// holds, rather than what the collector has yet to free.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// serveDocument answers documentMethod with the server's copy of an open
// document, or null.
func serveDocument(_ context.Context, s *server.Server, params json.RawMessage) (any, error) {
	var p struct {
		URI string `json:"uri"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	d, ok := lookup(s.Document, p.URI)
	if !ok {
		return nil, nil
	}
	return struct {
		Version int32  `json:"version"`
		Text    []byte `json:"text"` // base64, so every byte survives
	}{d.Version, d.Text}, nil
}

// lookup calls get with uri converted to get's URI type, which this
// package does not import (only server/ imports the protocol types).
func lookup[U ~string](get func(U) (*server.Document, bool), uri string) (*server.Document, bool) {
	return get(U(uri))
}

// panicLog collects the recovered panics the server logs.
type panicLog struct {
	mu     sync.Mutex
	panics []string
}

func (l *panicLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.panics = append(l.panics, s)
}

func (l *panicLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.panics
}

// panicHandler passes records on to Handler and keeps the ones that
// report a recovered panic ("handler panicked", "panic in background
// work"), with the top of their stack.
type panicHandler struct {
	slog.Handler
	log *panicLog
}

func (h *panicHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError || h.Handler.Enabled(ctx, l)
}

func (h *panicHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError && strings.Contains(r.Message, "panic") {
		var b strings.Builder
		b.WriteString("server log: " + r.Message)
		r.Attrs(func(a slog.Attr) bool {
			v := a.Value.String()
			if a.Key == "stack" {
				v = stackTop(v)
			}
			fmt.Fprintf(&b, " %s=%s", a.Key, v)
			return true
		})
		h.log.add(b.String())
	}
	if h.Handler.Enabled(ctx, r.Level) {
		return h.Handler.Handle(ctx, r)
	}
	return nil
}

func (h *panicHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &panicHandler{Handler: h.Handler.WithAttrs(as), log: h.log}
}

func (h *panicHandler) WithGroup(name string) slog.Handler {
	return &panicHandler{Handler: h.Handler.WithGroup(name), log: h.log}
}

// stackTop keeps the frames of a stack that explain a panic: the ones
// after runtime's panic machinery, at most eight lines.
func stackTop(stack string) string {
	lines := strings.Split(stack, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			lines = lines[i:]
			break
		}
	}
	return strings.Join(lines[:min(len(lines), 8)], " | ")
}
