// Command lspbench drives a real `rivet serve` process over stdio and
// measures what a kernel developer feels: time to the first diagnostics of
// a Rust file in a cold server, time until indexing ends, edit ->
// publishDiagnostics latency, warm hover / definition / references
// latency, and the server's peak RSS. It prints one JSON object.
//
//	go run ./internal/tools/lspbench -rivet /tmp/rivet -root $KERNEL \
//	    -open drivers/block/rnull/rnull.rs -edit rust/kernel/device.rs -n 200
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

type result struct {
	FirstDiagnosticsMS float64            `json:"first_diagnostics_ms"`
	IndexedMS          float64            `json:"indexed_ms"`
	IdleMS             float64            `json:"idle_ms"`
	FirstDiagCount     int                `json:"first_diagnostics_count"`
	FullDiagCount      int                `json:"full_diagnostics_count"`
	Edit               latency            `json:"edit_to_diagnostics"`
	SlowEdits          []string           `json:"slow_edits,omitempty"`
	SlowRequests       []string           `json:"slow_requests,omitempty"`
	Requests           map[string]latency `json:"requests"`
	PeakRSSMB          float64            `json:"peak_rss_mb"`
	Errors             []string           `json:"errors,omitempty"`
}

type latency struct {
	N     int     `json:"n"`
	P50MS float64 `json:"p50_ms"`
	P99MS float64 `json:"p99_ms"`
	MaxMS float64 `json:"max_ms"`
}

func main() {
	rivet := flag.String("rivet", "rivet", "the rivet binary")
	root := flag.String("root", "", "workspace root (a kernel tree)")
	open := flag.String("open", "drivers/block/rnull/rnull.rs", "file opened in the cold server (relative to root)")
	edit := flag.String("edit", "rust/kernel/device.rs", "file edited to time diagnostics (relative to root)")
	n := flag.Int("n", 100, "samples per measurement")
	cache := flag.String("cache", "", "XDG_CACHE_HOME for the server (\"\" keeps the environment's)")
	serveArgs := flag.String("serve-args", "", "extra arguments for rivet serve, space-separated (e.g. -cpuprofile /tmp/cpu.prof)")
	flag.Parse()
	if *root == "" {
		fmt.Fprintln(os.Stderr, "lspbench: -root is required")
		os.Exit(2)
	}
	res, err := run(*rivet, *root, *open, *edit, *n, *cache, strings.Fields(*serveArgs))
	if err != nil {
		fmt.Fprintln(os.Stderr, "lspbench:", err)
		os.Exit(1)
	}
	out, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(out))
}

// session is a client connection to one server process.
type session struct {
	conn jsonrpc2.Conn
	cmd  *exec.Cmd

	mu      sync.Mutex
	diags   map[protocol.DocumentURI][]chan diagEvent
	ready   chan struct{}
	readyMu sync.Once
	idle    chan struct{}
	idleMu  sync.Once
}

type diagEvent struct {
	at      time.Time
	version int32
	count   int
}

func run(rivet, root, openRel, editRel string, n int, cacheHome string, serveArgs []string) (*result, error) {
	root, _ = filepath.Abs(root)
	cmd := exec.Command(rivet, append([]string{"serve", "--log-level", "warn"}, serveArgs...)...)
	cmd.Stderr = os.Stderr
	if cacheHome != "" {
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cacheHome)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &session{cmd: cmd, diags: map[protocol.DocumentURI][]chan diagEvent{}, ready: make(chan struct{}), idle: make(chan struct{})}
	s.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(rwc{stdout, stdin}))
	s.conn.Go(context.Background(), s.handle)
	peak := watchRSS(cmd.Process.Pid)

	res := &result{Requests: map[string]latency{}}
	ctx := context.Background()
	start := time.Now()
	rootURI := fileURI(root)
	var initRes json.RawMessage
	initParams := map[string]any{
		"processId":        os.Getpid(),
		"rootUri":          rootURI,
		"workspaceFolders": []map[string]string{{"uri": string(rootURI), "name": filepath.Base(root)}},
		"capabilities": map[string]any{
			"general":   map[string]any{"positionEncodings": []string{"utf-16"}},
			"window":    map[string]any{"workDoneProgress": true},
			"workspace": map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}},
		},
	}
	if _, err := s.conn.Call(ctx, "initialize", initParams, &initRes); err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	s.conn.Notify(ctx, "initialized", struct{}{})

	// Cold: open a Rust file at once and wait for its first diagnostics.
	openPath := filepath.Join(root, openRel)
	openText, err := os.ReadFile(openPath)
	if err != nil {
		return nil, err
	}
	openURI := fileURI(openPath)
	first := s.expectDiagnostics(openURI)
	s.conn.Notify(ctx, "textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": openURI, "languageId": "rust", "version": 1, "text": string(openText)}})
	select {
	case ev := <-first:
		res.FirstDiagnosticsMS = ms(ev.at.Sub(start))
		res.FirstDiagCount = ev.count
	case <-time.After(5 * time.Minute):
		res.Errors = append(res.Errors, "no diagnostics for the opened file within 5 minutes")
	}
	select {
	case <-s.ready:
		res.IndexedMS = ms(time.Since(start))
	case <-time.After(10 * time.Minute):
		return nil, fmt.Errorf("indexing did not end within 10 minutes")
	}
	// The complete set, as after full indexing: the next publication.
	after := s.expectDiagnostics(openURI)
	s.conn.Notify(ctx, "textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": openURI, "version": 2},
		"contentChanges": []map[string]any{{"text": string(openText)}}})
	select {
	case ev := <-after:
		res.FullDiagCount = ev.count
	case <-time.After(time.Minute):
		res.Errors = append(res.Errors, "no diagnostics after indexing")
	}

	// Warm measurements start once the server's background work after
	// indexing (cache save, call-site warm-up) is done.
	select {
	case <-s.idle:
		res.IdleMS = ms(time.Since(start))
	case <-time.After(5 * time.Minute):
		res.Errors = append(res.Errors, "no rivet/status idle within 5 minutes of ready")
	}

	// Edit -> diagnostics: append and remove a comment line in a big
	// kernel-crate file, alternately, timing each publication.
	editPath := filepath.Join(root, editRel)
	editText, err := os.ReadFile(editPath)
	if err != nil {
		return nil, err
	}
	editURI := fileURI(editPath)
	ready := s.expectDiagnostics(editURI)
	s.conn.Notify(ctx, "textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": editURI, "languageId": "rust", "version": 1, "text": string(editText)}})
	<-ready
	lines := strings.Count(string(editText), "\n")
	var edits []time.Duration
	for i := 0; i < n; i++ {
		version := int32(i + 2)
		text := "// lspbench edit\n"
		rng := map[string]any{"start": pos(lines, 0), "end": pos(lines, 0)}
		if i%2 == 1 {
			rng = map[string]any{"start": pos(lines, 0), "end": pos(lines+1, 0)}
			text = ""
		}
		ch := s.expectVersion(editURI, version)
		t0 := time.Now()
		s.conn.Notify(ctx, "textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": editURI, "version": version},
			"contentChanges": []map[string]any{{"range": rng, "text": text}}})
		select {
		case ev := <-ch:
			edits = append(edits, ev.at.Sub(t0))
		case <-time.After(10 * time.Second):
			res.Errors = append(res.Errors, fmt.Sprintf("edit %d: no diagnostics in 10 s", i))
		}
	}
	res.Edit = summarize(append([]time.Duration(nil), edits...))
	for i, d := range edits {
		if d > 50*time.Millisecond {
			res.SlowEdits = append(res.SlowEdits, fmt.Sprintf("#%d: %.1f ms", i, ms(d)))
		}
	}

	// Warm requests at every bindings:: use in the edited file.
	targets := bindingPositions(string(editText))
	if len(targets) == 0 {
		res.Errors = append(res.Errors, "no bindings:: use in "+editRel)
	}
	for _, method := range []string{"textDocument/hover", "textDocument/definition", "textDocument/references"} {
		var ds []time.Duration
		for i := 0; i < n && len(targets) > 0; i++ {
			p := targets[i%len(targets)]
			params := map[string]any{"textDocument": map[string]any{"uri": editURI}, "position": p}
			if method == "textDocument/references" {
				params["context"] = map[string]any{"includeDeclaration": true}
			}
			var out json.RawMessage
			t0 := time.Now()
			if _, err := s.conn.Call(ctx, method, params, &out); err != nil {
				res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", method, err))
				break
			}
			d := time.Since(t0)
			ds = append(ds, d)
			if d > 10*time.Millisecond {
				res.SlowRequests = append(res.SlowRequests, fmt.Sprintf("%s %s:%d:%d %.1f ms", method, editRel, p["line"]+1, p["character"]+1, ms(d)))
			}
		}
		res.Requests[method] = summarize(ds)
	}

	s.conn.Call(ctx, "shutdown", nil, nil)
	s.conn.Notify(ctx, "exit", nil)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		res.Errors = append(res.Errors, "server did not exit within 10 s of exit")
	}
	res.PeakRSSMB = float64(peak()) / 1024
	return res, nil
}

// handle receives the server's notifications and requests.
func (s *session) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	switch req.Method() {
	case "textDocument/publishDiagnostics":
		var p struct {
			URI         protocol.DocumentURI `json:"uri"`
			Version     int32                `json:"version"`
			Diagnostics []json.RawMessage    `json:"diagnostics"`
		}
		if json.Unmarshal(req.Params(), &p) == nil {
			ev := diagEvent{at: time.Now(), version: p.Version, count: len(p.Diagnostics)}
			s.mu.Lock()
			waiters := s.diags[p.URI]
			s.diags[p.URI] = nil
			s.mu.Unlock()
			for _, w := range waiters {
				w <- ev
			}
		}
	case "rivet/status":
		var p struct{ State string }
		if json.Unmarshal(req.Params(), &p) == nil {
			switch p.State {
			case "ready":
				s.readyMu.Do(func() { close(s.ready) })
			case "idle":
				s.idleMu.Do(func() { close(s.idle) })
			}
		}
	case "$/progress":
		var p struct {
			Value struct{ Kind string } `json:"value"`
		}
		if json.Unmarshal(req.Params(), &p) == nil && p.Value.Kind == "end" {
			s.readyMu.Do(func() { close(s.ready) })
		}
	}
	if _, isCall := req.(*jsonrpc2.Call); isCall {
		// Never return a failed reply's error: jsonrpc2.Conn (v0.10.0)
		// would store it, and the read error that follows, of another
		// type, panics in its atomic.Value.
		reply(ctx, nil, nil)
	}
	return nil
}

// expectDiagnostics returns a channel receiving the next publication for uri.
func (s *session) expectDiagnostics(uri protocol.DocumentURI) chan diagEvent {
	ch := make(chan diagEvent, 1)
	s.mu.Lock()
	s.diags[uri] = append(s.diags[uri], ch)
	s.mu.Unlock()
	return ch
}

// expectVersion returns a channel receiving the first publication for uri
// at version or later.
func (s *session) expectVersion(uri protocol.DocumentURI, version int32) chan diagEvent {
	out := make(chan diagEvent, 1)
	go func() {
		for {
			ev := <-s.expectDiagnostics(uri)
			if ev.version >= version || ev.version == 0 {
				out <- ev
				return
			}
		}
	}()
	return out
}

var bindingRE = regexp.MustCompile(`bindings::([A-Za-z_][A-Za-z0-9_]*)`)

// bindingPositions returns the LSP positions of the names after
// bindings:: in text (ASCII kernel sources: UTF-16 = bytes).
func bindingPositions(text string) []map[string]int {
	var out []map[string]int
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			continue
		}
		for _, m := range bindingRE.FindAllStringSubmatchIndex(line, -1) {
			out = append(out, map[string]int{"line": i, "character": m[2] + 1})
		}
	}
	return out
}

func pos(line, char int) map[string]int { return map[string]int{"line": line, "character": char} }

func summarize(ds []time.Duration) latency {
	if len(ds) == 0 {
		return latency{}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	at := func(q float64) float64 { return ms(ds[min(len(ds)-1, int(q*float64(len(ds))))]) }
	return latency{N: len(ds), P50MS: at(0.5), P99MS: at(0.99), MaxMS: ms(ds[len(ds)-1])}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fileURI(path string) protocol.DocumentURI {
	return protocol.DocumentURI((&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String())
}

// watchRSS samples /proc/PID/status every 50 ms and returns a function
// giving the peak VmHWM/VmRSS seen, in KiB.
func watchRSS(pid int) func() int {
	var mu sync.Mutex
	peak := 0
	stop := make(chan struct{})
	read := func() {
		f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "VmHWM:") || strings.HasPrefix(line, "VmRSS:") {
				fields := strings.Fields(line)
				if len(fields) >= 2 {
					if kb, err := strconv.Atoi(fields[1]); err == nil {
						mu.Lock()
						peak = max(peak, kb)
						mu.Unlock()
					}
				}
			}
		}
	}
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() int {
		read()
		close(stop)
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

type rwc struct {
	io.ReadCloser
	w io.WriteCloser
}

func (r rwc) Write(p []byte) (int, error) { return r.w.Write(p) }
func (r rwc) Close() error                { r.w.Close(); return r.ReadCloser.Close() }
