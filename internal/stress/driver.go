package stress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options configures Run.
type Options struct {
	// Roots are workspace folders the driver reads and never writes: a
	// kernel tree, testdata/kernel. Requests and edits use their files.
	Roots []string
	// Scratch is a directory the driver owns: it lays out the hostile
	// tree there (and a sibling directory Scratch+".outside" that only
	// links reach), adds it as a workspace folder, and changes its files
	// while the server runs. Empty means no hostile tree.
	Scratch string
	// Duration is how long random traffic runs, from initialize to the
	// start of shutdown. Zero means 10 seconds.
	Duration time.Duration
	// Seed makes the traffic repeatable (as far as the server's timing
	// allows).
	Seed uint64
	// MaxInFlight bounds the requests awaiting an answer (default 16).
	MaxInFlight int
	// ReplyTimeout is the generous bound on any answer (default 60 s).
	ReplyTimeout time.Duration
	// UTF8 negotiates UTF-8 positions; otherwise the client offers only
	// UTF-16, the default every server must speak.
	UTF8 bool
	// Pull declares pull diagnostics (textDocument/diagnostic), so the
	// server does not push them.
	Pull bool
	// DocumentMethod, when set, is a request the server answers with its
	// copy of an open document ({"uri"} -> {"version", "text" (base64)}):
	// the driver then checks that no edit was lost or misapplied.
	DocumentMethod string
	// Memory, when set, samples the server's memory in bytes (the
	// in-process live heap, or a process's RSS) every MemoryEvery.
	Memory func() uint64
	// MemoryEvery is the sampling interval (default 250 ms).
	MemoryEvery time.Duration
	// MemoryLimit, when set, is a failure threshold for Memory.
	MemoryLimit uint64
	// Logf, when set, receives progress lines.
	Logf func(format string, args ...any)
	// Stuck, when set, is called when the server stops reading its input
	// or leaves a request unanswered past the reply timeout; what it
	// returns (goroutine stacks, say) is attached to the failure.
	Stuck func() string
}

// Run drives one session over a server's stdio: initialize, random
// traffic for opts.Duration, then shutdown and exit. It returns an error
// only when the session cannot be set up; everything the server does
// wrong is a Report failure. It closes toServer before returning.
func Run(ctx context.Context, fromServer io.Reader, toServer io.WriteCloser, opts Options) (*Report, error) {
	d, err := newDriver(opts)
	if err != nil {
		toServer.Close()
		return nil, err
	}
	defer toServer.Close()
	if d.scratch != nil {
		defer d.scratch.unlock()
	}
	d.c = newConn(toServer)
	d.c.answer, d.c.notified, d.c.violation = d.answer, d.notified, d.fail
	go d.c.readLoop(fromServer)
	stopSampling := d.sampleMemory()
	defer stopSampling()
	watchdog := d.watchdog(toServer)
	defer watchdog()

	if err := d.initialize(); err != nil {
		return d.finish(), err
	}
	deadline := time.Now().Add(d.opts.Duration)
	for time.Now().Before(deadline) && ctx.Err() == nil && d.alive() {
		d.step()
	}
	d.drain()
	d.checkClosedDiagnostics()
	d.shutdown()
	return d.finish(), nil
}

// driver is the state of one session: the driver goroutine owns every
// field but the ones under mu, which the read loop also touches.
type driver struct {
	opts    Options
	rng     *rand.Rand
	c       *conn
	scratch *scratch
	start   time.Time

	rust, cfiles []string          // real files under the roots
	disk         map[string][]byte // texts of unopened files, bounded
	open         map[string]*doc   // by URI
	items        []json.RawMessage // call hierarchy items the server gave
	resultIDs    map[string]string // pull diagnostics result ids by URI
	outstanding  []*call
	methods      []method

	mu          sync.Mutex
	rep         *Report
	answerRNG   *rand.Rand
	lastPublish map[string]int // URI -> diagnostics in the latest publish
	lastPushAt  time.Time
	progressAt  time.Time // the driver's last step, for the watchdog
	stopping    bool      // shutdown sent: cancellations are expected
	stuckTold   bool      // opts.Stuck was called
}

func newDriver(opts Options) (*driver, error) {
	if opts.Duration <= 0 {
		opts.Duration = 10 * time.Second
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = 16
	}
	if opts.ReplyTimeout <= 0 {
		opts.ReplyTimeout = 60 * time.Second
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	d := &driver{
		opts:        opts,
		rng:         rand.New(rand.NewPCG(opts.Seed, 1)),
		answerRNG:   rand.New(rand.NewPCG(opts.Seed, 2)),
		disk:        map[string][]byte{},
		open:        map[string]*doc{},
		resultIDs:   map[string]string{},
		lastPublish: map[string]int{},
		rep:         newReport(opts.Seed),
		start:       time.Now(),
		progressAt:  time.Now(),
	}
	for _, root := range opts.Roots {
		if err := d.listFiles(root); err != nil {
			return nil, err
		}
	}
	if opts.Scratch != "" {
		s, err := newScratch(opts.Scratch, rand.New(rand.NewPCG(opts.Seed, 3)))
		if err != nil {
			return nil, fmt.Errorf("stress: hostile tree: %w", err)
		}
		d.scratch = s
	}
	if len(d.rust)+len(d.cfiles) == 0 && d.scratch == nil {
		return nil, errors.New("stress: no C or Rust file under the roots")
	}
	return d, nil
}

// listFiles collects the C and Rust files under root.
func (d *driver) listFiles(root string) error {
	return filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil // unreadable: the server will meet it too
		case e.IsDir() && strings.HasPrefix(e.Name(), ".") && p != root:
			return filepath.SkipDir
		case !e.Type().IsRegular():
		case strings.HasSuffix(p, ".rs"):
			d.rust = append(d.rust, p)
		case strings.HasSuffix(p, ".c"), strings.HasSuffix(p, ".h"):
			d.cfiles = append(d.cfiles, p)
		}
		return nil
	})
}

// step does one random thing.
func (d *driver) step() {
	d.sweep()
	d.mu.Lock()
	d.progressAt = time.Now()
	d.mu.Unlock()
	if len(d.outstanding) >= d.opts.MaxInFlight {
		d.waitAny(5 * time.Millisecond)
		return
	}
	r := d.rng.IntN(1000)
	for _, a := range actions {
		if r < a.weight {
			start := time.Now()
			a.do(d)
			d.mu.Lock()
			d.rep.ActionTime[a.name] += time.Since(start)
			d.mu.Unlock()
			return
		}
		r -= a.weight
	}
}

// actions are what a step may do, with their weights in thousandths.
var actions = []struct {
	name   string
	weight int
	do     func(*driver)
}{
	{"request", 560, (*driver).request},
	{"edit", 200, (*driver).edit},
	{"open", 50, (*driver).openDocument},
	{"close", 30, (*driver).closeDocument},
	{"save", 10, (*driver).save},
	{"cancel", 50, (*driver).cancel},
	{"watch storm", 10, (*driver).watchStorm},
	{"disk change", 30, (*driver).diskChange},
	{"configure", 5, (*driver).configure},
	{"garbage", 20, (*driver).garbage},
	{"check document", 20, (*driver).checkDocument},
	{"probe outside", 15, (*driver).probeOutside},
}

// alive reports whether the server's output is still open.
func (d *driver) alive() bool {
	select {
	case <-d.c.finished:
		d.fail("the server closed its output in the middle of the session: %v", d.c.readErr)
		return false
	default:
		return true
	}
}

// watchdog closes the server's input when the driver has not taken a step
// for the reply timeout: a server that stops reading would otherwise
// block the driver's writes forever.
func (d *driver) watchdog(toServer io.Closer) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			d.mu.Lock()
			stuck := time.Since(d.progressAt)
			d.mu.Unlock()
			if stuck > d.opts.ReplyTimeout {
				d.fail("the driver was blocked for %v writing to the server: the server stopped reading its input%s", stuck.Round(time.Second), d.stuck())
				toServer.Close()
				return
			}
		}
	}()
	return func() { close(done) }
}

// sampleMemory samples opts.Memory until the returned function is called.
func (d *driver) sampleMemory() (stop func()) {
	if d.opts.Memory == nil {
		return func() {}
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		every := d.opts.MemoryEvery
		if every <= 0 {
			every = 250 * time.Millisecond
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			m := d.opts.Memory()
			d.mu.Lock()
			d.rep.Memory.add(m)
			d.mu.Unlock()
			if d.opts.MemoryLimit > 0 && m > d.opts.MemoryLimit {
				d.fail("memory %d MiB exceeds the limit of %d MiB", m>>20, d.opts.MemoryLimit>>20)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// stuck returns what opts.Stuck tells, once per session.
func (d *driver) stuck() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.opts.Stuck == nil || d.stuckTold {
		return ""
	}
	d.stuckTold = true
	return "\n" + d.opts.Stuck()
}

// fail records a broken guarantee.
func (d *driver) fail(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rep.fail(fmt.Sprintf(format, args...))
}

// ---- the session's ends ----

func (d *driver) initialize() error {
	folders := []map[string]string{}
	roots := slices.Clone(d.opts.Roots)
	if d.scratch != nil {
		roots = append(roots, d.scratch.root)
	}
	for _, r := range roots {
		folders = append(folders, map[string]string{"uri": fileURI(r), "name": filepath.Base(r)})
	}
	encodings := []string{"utf-16"}
	if d.opts.UTF8 {
		encodings = []string{"utf-8", "utf-16"}
	}
	caps := map[string]any{
		"general": map[string]any{"positionEncodings": encodings},
		"window":  map[string]any{"workDoneProgress": true},
		"workspace": map[string]any{
			"configuration":          true,
			"didChangeConfiguration": map[string]any{"dynamicRegistration": true},
			"didChangeWatchedFiles":  map[string]any{"dynamicRegistration": true},
			"workspaceFolders":       true,
			"symbol":                 map[string]any{},
			"codeLens":               map[string]any{"refreshSupport": true},
			"inlayHint":              map[string]any{"refreshSupport": true},
			"diagnostics":            map[string]any{"refreshSupport": true},
		},
		"textDocument": map[string]any{
			"synchronization":    map[string]any{"didSave": true},
			"hover":              map[string]any{"contentFormat": []string{"markdown", "plaintext"}},
			"documentSymbol":     map[string]any{"hierarchicalDocumentSymbolSupport": d.rng.IntN(2) == 0},
			"publishDiagnostics": map[string]any{"relatedInformation": true, "versionSupport": true},
			"codeAction":         map[string]any{"codeActionLiteralSupport": map[string]any{"codeActionKind": map[string]any{"valueSet": []string{"quickfix"}}}},
			"inlayHint":          map[string]any{},
			"callHierarchy":      map[string]any{},
		},
	}
	if d.opts.Pull {
		caps["textDocument"].(map[string]any)["diagnostic"] = map[string]any{"relatedDocumentSupport": false}
	}
	params := map[string]any{
		"processId":        os.Getpid(),
		"clientInfo":       map[string]string{"name": "rivet-stress"},
		"rootUri":          folders[0]["uri"],
		"workspaceFolders": folders,
		"capabilities":     caps,
	}
	cl, err := d.c.send("initialize", mustJSON(params), false, expectResult)
	if err != nil {
		return fmt.Errorf("stress: initialize: %w", err)
	}
	if !d.await(cl, d.opts.ReplyTimeout) {
		return errors.New("stress: initialize was not answered")
	}
	if cl.err != nil {
		return fmt.Errorf("stress: initialize failed: %d %s", cl.err.Code, cl.err.Message)
	}
	var res struct {
		Capabilities map[string]json.RawMessage `json:"capabilities"`
	}
	if err := json.Unmarshal(cl.result, &res); err != nil {
		return fmt.Errorf("stress: initialize result: %w", err)
	}
	var enc string
	json.Unmarshal(res.Capabilities["positionEncoding"], &enc)
	if want := encodings[0]; enc != want && !(enc == "" && want == "utf-16") {
		d.fail("the server chose position encoding %q, the client preferred %q", enc, want)
	}
	d.opts.UTF8 = enc == "utf-8"
	for _, m := range allMethods {
		if m.capability == "" || advertised(res.Capabilities[m.capability]) {
			d.methods = append(d.methods, m)
		}
	}
	d.opts.Logf("stress: initialized in %v; %d request kinds; %d Rust and %d C files",
		time.Since(d.start).Round(time.Millisecond), len(d.methods), len(d.rust), len(d.cfiles))
	return d.c.notify("initialized", json.RawMessage(`{}`))
}

// advertised reports whether a capability is present and not false.
func advertised(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null" && s != "false"
}

// drain waits for the answers still due.
func (d *driver) drain() {
	deadline := time.Now().Add(d.opts.ReplyTimeout)
	for len(d.outstanding) > 0 && time.Now().Before(deadline) {
		d.waitAny(50 * time.Millisecond)
		d.sweep()
	}
	for _, cl := range d.outstanding {
		d.fail("%s (id %s) unanswered after %v", cl.method, cl.id, time.Since(cl.sent).Round(time.Millisecond))
	}
	d.outstanding = nil
}

// checkClosedDiagnostics waits for pushed diagnostics to settle, then
// checks that every document the driver closed was left without
// diagnostics: a pass racing with didClose must not leave stale ones.
func (d *driver) checkClosedDiagnostics() {
	if d.opts.Pull {
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		d.mu.Lock()
		quiet := time.Since(d.lastPushAt) > 1500*time.Millisecond
		d.mu.Unlock()
		if quiet {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for uri, n := range d.lastPublish {
		if _, open := d.open[uri]; !open && n > 0 {
			d.rep.fail(fmt.Sprintf("%s was closed but its last publishDiagnostics holds %d diagnostics", uri, n))
		}
	}
}

// shutdown ends the session as an editor does and waits for the server
// to close its output.
func (d *driver) shutdown() {
	d.mu.Lock()
	d.stopping = true
	d.mu.Unlock()
	cl, err := d.c.send("shutdown", nil, false, expectResult)
	if err != nil {
		d.fail("sending shutdown: %v", err)
		return
	}
	switch {
	case !d.await(cl, d.opts.ReplyTimeout):
		d.fail("shutdown unanswered after %v", d.opts.ReplyTimeout)
		return
	case cl.err != nil:
		d.fail("shutdown failed: %d %s", cl.err.Code, cl.err.Message)
	case string(cl.result) != "null":
		d.fail("shutdown answered %.100s, want null", cl.result)
	}
	if err := d.c.notify("exit", nil); err != nil {
		d.fail("sending exit: %v", err)
		return
	}
	select {
	case <-d.c.finished:
		if d.c.readErr != nil {
			d.fail("the server's output ended badly: %v", d.c.readErr)
		}
	case <-time.After(15 * time.Second):
		d.fail("the server did not close its output within 15 s of exit")
	}
}

func (d *driver) finish() *Report {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rep.Duration = time.Since(d.start)
	d.rep.summarize()
	return d.rep
}

// ---- answers ----

// await waits for cl's answer, up to timeout.
func (d *driver) await(cl *call, timeout time.Duration) bool {
	select {
	case <-cl.done:
		return true
	case <-time.After(timeout):
		return false
	case <-d.c.finished:
		select {
		case <-cl.done:
			return true
		default:
			return false
		}
	}
}

// waitAny waits up to timeout for any outstanding call to be answered.
func (d *driver) waitAny(timeout time.Duration) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for _, cl := range d.outstanding {
		select {
		case <-cl.done:
			return
		default:
		}
	}
	if len(d.outstanding) == 0 {
		<-t.C
		return
	}
	// Waiting on the oldest is enough: answers mostly come in order.
	select {
	case <-d.outstanding[0].done:
	case <-t.C:
	case <-d.c.finished:
	}
}

// sweep classifies the answered calls and flags overdue ones.
func (d *driver) sweep() {
	kept := d.outstanding[:0]
	for _, cl := range d.outstanding {
		select {
		case <-cl.done:
			d.classify(cl)
			continue
		default:
		}
		if !cl.overdue && time.Since(cl.sent) > d.opts.ReplyTimeout {
			cl.overdue = true
			d.fail("%s (id %s) unanswered after %v%s", cl.method, cl.id, d.opts.ReplyTimeout, d.stuck())
		}
		kept = append(kept, cl)
	}
	d.outstanding = kept
}

// classify checks one answer against what the request deserved.
func (d *driver) classify(cl *call) {
	d.mu.Lock()
	stopping := d.stopping
	d.rep.latency(cl.method, cl.took)
	d.mu.Unlock()
	if cl.err == nil {
		d.count("answer: result")
		if cl.expect == expectUnknownMethod {
			d.fail("%s answered with a result; it is no method of the server's", cl.method)
		}
		checkResult(d, cl)
		if cl.after != nil {
			cl.after(cl.result)
		}
		return
	}
	code := cl.err.Code
	d.count(fmt.Sprintf("answer: error %d %s", code, codeName(code)))
	ok := false
	switch code {
	case codeRequestCancelled:
		ok = cl.canceled || stopping
	case codeRequestFailed, codeContentModified:
		ok = cl.expect != expectUnknownMethod
	case codeInvalidParams:
		ok = cl.expect == expectInvalidParams
	case codeMethodNotFound:
		ok = cl.expect == expectUnknownMethod
	case codeInvalidRequest:
		ok = cl.expect == expectInvalidRequest
	}
	if !ok {
		d.fail("%s (id %s) answered with error %d %s: %s", cl.method, cl.id, code, codeName(code), cl.err.Message)
	}
	if code == codeRequestFailed {
		d.count("failed: " + cl.method + ": " + firstWords(cl.err.Message, 6))
	}
}

func (d *driver) count(key string) {
	d.mu.Lock()
	d.rep.Counts[key]++
	d.mu.Unlock()
}

// answer replies to the server's requests, now and then with an error or
// late, as a busy editor might.
func (d *driver) answer(method string, params json.RawMessage) (any, *rpcError) {
	d.mu.Lock()
	d.rep.Received["request "+method]++
	roll := d.answerRNG.IntN(100)
	settings := randomSettings(d.answerRNG)
	d.mu.Unlock()
	switch {
	case roll < 3:
		return nil, &rpcError{Code: codeInternalError, Message: "the editor is having a bad day"}
	case roll < 8:
		time.Sleep(time.Duration(roll) * 200 * time.Millisecond)
	}
	switch method {
	case "workspace/configuration":
		var p struct {
			Items []json.RawMessage `json:"items"`
		}
		json.Unmarshal(params, &p)
		out := make([]any, len(p.Items))
		if roll%3 == 0 && len(out) > 0 {
			out[0] = settings
		}
		return out, nil
	case "window/workDoneProgress/create", "client/registerCapability", "client/unregisterCapability",
		"workspace/diagnostic/refresh", "workspace/inlayHint/refresh", "workspace/codeLens/refresh",
		"window/showMessageRequest", "window/showDocument":
		return nil, nil
	}
	return nil, &rpcError{Code: codeMethodNotFound, Message: "stress client: no " + method}
}

// notified records the server's notifications and checks pushed
// diagnostics.
func (d *driver) notified(method string, params json.RawMessage) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rep.Received[method]++
	switch method {
	case "textDocument/publishDiagnostics":
		var p struct {
			URI         string            `json:"uri"`
			Diagnostics []json.RawMessage `json:"diagnostics"`
		}
		if err := json.Unmarshal(params, &p); err != nil {
			d.rep.fail(fmt.Sprintf("publishDiagnostics params do not decode: %v", err))
			return
		}
		d.lastPublish[p.URI] = len(p.Diagnostics)
		d.lastPushAt = time.Now()
		for _, raw := range p.Diagnostics {
			if msg := checkDiagnostic(raw); msg != "" {
				d.rep.fail(fmt.Sprintf("publishDiagnostics for %s: %s", p.URI, msg))
			}
		}
	case "rivet/status":
		var p struct {
			State   string  `json:"state"`
			Seconds float64 `json:"seconds"`
			Files   int     `json:"files"`
		}
		if json.Unmarshal(params, &p) == nil && p.State == "ready" {
			d.rep.Builds = append(d.rep.Builds, fmt.Sprintf("%d files in %.1fs (at %.0fs)", p.Files, p.Seconds, time.Since(d.start).Seconds()))
		}
	}
}

// ---- helpers ----

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the driver's own values always marshal
	}
	return b
}

// fileURI is the file URI of an absolute path.
func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// readSource reads a file the way a careful server must: never blocking
// on a pipe, never more than 8 MB, and only regular files.
func readSource(path string) ([]byte, bool) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	data, err := io.ReadAll(io.LimitReader(f, 8<<20))
	return data, err == nil
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

func codeName(code int64) string {
	switch code {
	case codeParseError:
		return "ParseError"
	case codeInvalidRequest:
		return "InvalidRequest"
	case codeMethodNotFound:
		return "MethodNotFound"
	case codeInvalidParams:
		return "InvalidParams"
	case codeInternalError:
		return "InternalError"
	case codeNotInitialized:
		return "ServerNotInitialized"
	case codeRequestFailed:
		return "RequestFailed"
	case codeRequestCancelled:
		return "RequestCancelled"
	case codeContentModified:
		return "ContentModified"
	}
	return "unknown"
}
