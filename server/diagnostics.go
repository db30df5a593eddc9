package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
)

func init() {
	registerRequest(MethodTextDocumentDiagnostic, (*Server).documentDiagnostic)
	registerCapability(func(_ *Server, c *ServerCapabilities) {
		c.DiagnosticProvider = &DiagnosticOptions{Identifier: diagnosticSource, InterFileDependencies: true}
	})
	documentHooks = append(documentHooks, (*Server).documentEdited)
	beforeChangeHooks = append(beforeChangeHooks, (*Server).yieldPasses)
	closeHooks = append(closeHooks, (*Server).clearDiagnostics)
	indexChangedHooks = append(indexChangedHooks, (*Server).factsChanged)
	progressHooks = append(progressHooks, (*Server).buildProgressed)
}

// Diagnostics reach the client in one of two ways, never both (a client
// that does both would show every report twice):
//
//   - pushed with textDocument/publishDiagnostics, for every open document,
//     when the client does not declare pull support (Neovim 0.7, eglot):
//     after an edit (at once; a pass on the previous text is cancelled),
//     and again whenever the facts they depend
//     on change — index batches during a build, a build's end, watched
//     files, configuration. Closing a document clears its diagnostics.
//   - pulled with textDocument/diagnostic when the client declares
//     textDocument.diagnostic; when facts change rivet then sends
//     workspace/diagnostic/refresh if the client supports it.
//
// textDocument/diagnostic is answered in both cases, with the same items.

const (
	// editDelay is how long after an edit the other open documents, whose
	// diagnostics may read the edited one's facts, are diagnosed again
	// (the edited document itself is diagnosed at once).
	editDelay = 100 * time.Millisecond
	// factsDelay coalesces the passes that changes of facts ask for.
	factsDelay = 50 * time.Millisecond
	// buildRepublishInterval is the least time between two re-diagnoses
	// of the open documents while a build publishes batches.
	buildRepublishInterval = time.Second
)

// diagnosticsState is the diagnostics part of workspaceState.
type diagnosticsState struct {
	mu        sync.Mutex
	passes    *passScheduler
	republish time.Time // last re-diagnose asked by build progress
	// refreshing: a workspace/diagnostic/refresh is in flight; again: facts
	// changed meanwhile and another is due when it returns.
	refreshing, again bool
	// pushed identifies what was last published for each open document
	// (version and result id), so an identical set is not sent again.
	pushed map[protocol.DocumentURI]string
}

// scheduler returns the session's pass scheduler, made on first use.
func (s *Server) scheduler() *passScheduler {
	d := &s.wsState.diags
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.passes == nil {
		d.passes = newPassScheduler(s.base, s.diagnosePass)
	}
	return d.passes
}

// pushDiagnostics reports whether rivet publishes diagnostics: unless the
// client pulls them.
func (s *Server) pushDiagnostics() bool {
	td := s.clientCaps.TextDocument
	return td == nil || td.Diagnostic == nil
}

// documentEdited schedules a pass of a document opened or changed, and
// of the other open documents, whose diagnostics may depend on its facts.
func (s *Server) documentEdited(d *Document) {
	if !s.pushDiagnostics() {
		return
	}
	sched := s.scheduler()
	sched.edited(d.URI)
	for _, uri := range s.openURIs() {
		if uri != d.URI {
			sched.invalidate(uri, editDelay)
		}
	}
}

// yieldPasses cancels the running passes before an edit publishes its
// facts; each runs again once it has returned (on the new facts).
func (s *Server) yieldPasses() {
	if s.pushDiagnostics() {
		s.scheduler().yield()
	}
}

// clearDiagnostics stops the passes of a closed document and clears what
// was published for it (passes still running publish nothing afterwards),
// then re-diagnoses the others: its facts reverted to the disk's.
func (s *Server) clearDiagnostics(uri protocol.DocumentURI) {
	if s.pushDiagnostics() && s.scheduler().forget(uri) {
		s.changedPush(uri, "")
		s.publish(PublishDiagnosticsParams{URI: uri, Diagnostics: []protocol.Diagnostic{}})
	}
	s.factsChanged()
}

// factsChanged re-diagnoses every open document, or asks a pulling client
// to pull again.
func (s *Server) factsChanged() {
	if !s.pushDiagnostics() {
		s.refreshDiagnostics()
		return
	}
	sched := s.scheduler()
	for _, uri := range s.openURIs() {
		sched.invalidate(uri, factsDelay)
	}
}

// buildProgressed re-diagnoses the open documents while a build publishes
// batches of facts, at most every buildRepublishInterval.
func (s *Server) buildProgressed(p analysis.BuildProgress) {
	if p.Phase != "rust" && p.Phase != "c" {
		return
	}
	d := &s.wsState.diags
	d.mu.Lock()
	due := time.Since(d.republish) >= buildRepublishInterval
	if due {
		d.republish = time.Now()
	}
	d.mu.Unlock()
	if due {
		s.factsChanged()
	}
}

// refreshDiagnostics sends workspace/diagnostic/refresh when the client
// supports it, one at a time: changes while one is in flight ask for one
// more.
func (s *Server) refreshDiagnostics() {
	if w := s.clientCaps.Workspace; w == nil || w.Diagnostics == nil || !w.Diagnostics.RefreshSupport {
		return
	}
	d := &s.wsState.diags
	d.mu.Lock()
	if d.refreshing {
		d.again = true
		d.mu.Unlock()
		return
	}
	d.refreshing = true
	d.mu.Unlock()
	go func() {
		defer s.recoverBackground("diagnostic refresh")
		for {
			if err := s.Call(s.base, MethodWorkspaceDiagnosticRefresh, nil, nil); err != nil {
				s.logger.Debug("diagnostic refresh", "error", err)
			}
			d.mu.Lock()
			again := d.again && s.base.Err() == nil
			d.refreshing, d.again = again, false
			d.mu.Unlock()
			if !again {
				return
			}
		}
	}()
}

// stopDiagnostics stops every pass (shutdown).
func (s *Server) stopDiagnostics() {
	s.scheduler().stop()
}

// diagnosePass is one pass over the open document at uri. It returns the
// publication of its result, which the scheduler runs unless the pass was
// cancelled meanwhile, or nil when there is nothing to publish.
func (s *Server) diagnosePass(ctx context.Context, uri protocol.DocumentURI) (publish func()) {
	defer s.recoverBackground("diagnostics pass")
	res, items, err := s.fileDiagnostics(ctx, uri)
	if err != nil || !res.Open {
		return nil // cancelled, or closed since
	}
	version := res.Version
	return func() {
		if s.changedPush(uri, fmt.Sprint(version, " ", resultID(items))) {
			s.publish(PublishDiagnosticsParams{URI: uri, Version: &version, Diagnostics: items})
		}
	}
}

// changedPush records id as the latest diagnostics of uri and reports
// whether it differs from the previous ones; id "" forgets uri.
func (s *Server) changedPush(uri protocol.DocumentURI, id string) bool {
	d := &s.wsState.diags
	d.mu.Lock()
	defer d.mu.Unlock()
	if id == "" {
		delete(d.pushed, uri)
		return true
	}
	if d.pushed == nil {
		d.pushed = map[protocol.DocumentURI]string{}
	}
	changed := d.pushed[uri] != id
	d.pushed[uri] = id
	return changed
}

func (s *Server) publish(params PublishDiagnosticsParams) {
	if err := s.Notify(s.base, protocol.MethodTextDocumentPublishDiagnostics, params); err != nil {
		s.logger.Debug("diagnostics not published", "uri", params.URI, "error", err)
	}
}

// fileDiagnostics computes the diagnostics of the file at uri from what
// the workspace knows now. A rule that fails loses its own reports only
// (the failure is logged); the error is ctx's.
func (s *Server) fileDiagnostics(ctx context.Context, uri protocol.DocumentURI) (analysis.FileDiagnostics, []protocol.Diagnostic, error) {
	ws := s.workspace()
	path, ok := uriPath(uri)
	if ws == nil || !ok || languageOf(uri) == LanguageUnknown {
		return analysis.FileDiagnostics{}, []protocol.Diagnostic{}, nil
	}
	start := time.Now()
	res, err := ws.Diagnose(ctx, path, analysis.DiagnoseOptions{Config: s.currentConfig(), Partial: s.indexPartial()})
	if ctx.Err() != nil {
		return res, nil, ctx.Err()
	}
	if err != nil {
		s.logger.Warn("diagnostics", "uri", uri, "error", err)
	}
	conv := s.newConverter(ws)
	conv.pin(path, res.Text)
	items := conv.diagnostics(res.Diags)
	s.logger.Debug("diagnosed", "uri", uri, "version", res.Version, "diagnostics", len(items), "duration", time.Since(start))
	return res, items, nil
}

// documentDiagnostic answers textDocument/diagnostic with the same
// diagnostics a push would carry. The result id is a hash of the items,
// so an unchanged set is reported as unchanged.
func (s *Server) documentDiagnostic(ctx context.Context, params *DocumentDiagnosticParams) (any, error) {
	_, items, err := s.fileDiagnostics(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	id := resultID(items)
	if params.PreviousResultID == id {
		return UnchangedDocumentDiagnosticReport{Kind: DocumentDiagnosticReportKindUnchanged, ResultID: id}, nil
	}
	return FullDocumentDiagnosticReport{Kind: DocumentDiagnosticReportKindFull, ResultID: id, Items: items}, nil
}

// resultID identifies a set of diagnostics by content.
func resultID(items []protocol.Diagnostic) string {
	raw, _ := json.Marshal(items) // plain data: cannot fail
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:12])
}

// passScheduler runs passes over documents, keyed by URI: at most one
// pass per document at a time, and at most one more waiting. An edit
// cancels the running pass and runs a new one once it returns; a change of
// facts asks for a pass without delaying one already waiting, and lets a
// running pass finish, then runs once more. A pass's publication runs
// only if the pass was not cancelled, under a per-document lock that
// forget also takes, so nothing is published for a document after forget
// returns.
type passScheduler struct {
	base context.Context
	run  func(ctx context.Context, uri protocol.DocumentURI) (publish func())

	mu      sync.Mutex
	docs    map[protocol.DocumentURI]*docPasses
	stopped bool
}

// docPasses is the scheduling state of one document.
type docPasses struct {
	waiting uint64             // generation of the waiting timer; 0: none
	timer   *time.Timer        // the waiting timer
	gen     uint64             // timers made so far
	cancel  context.CancelFunc // of the running pass; nil: none runs
	again   bool               // run once more when the running pass ends

	pubMu     sync.Mutex // held while publishing
	forgotten bool       // forget ran: publish nothing more; guarded by pubMu
}

func newPassScheduler(base context.Context, run func(context.Context, protocol.DocumentURI) func()) *passScheduler {
	return &passScheduler{base: base, run: run, docs: map[protocol.DocumentURI]*docPasses{}}
}

// edited asks for a pass of uri after an edit, at once: a keystroke costs
// no waiting. A pass still running on the previous text is cancelled and
// the new one starts as soon as it has returned (one pass per document at
// a time); edits faster than the passes thus cost one pass after the last
// of them, besides the cancelled ones.
func (p *passScheduler) edited(uri protocol.DocumentURI) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	d := p.doc(uri)
	if d.timer != nil {
		d.timer.Stop()
	}
	d.waiting = 0
	if d.cancel != nil {
		d.cancel()
		d.again = true // finished starts it
		return
	}
	p.start(uri, d)
}

// yield cancels every running pass and runs each again once it has
// returned: a pass holds a read view of the index, and an edit's
// publication waits for it.
func (p *passScheduler) yield() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range p.docs {
		if d.cancel != nil {
			d.cancel()
			d.again = true
		}
	}
}

// invalidate asks for a pass of uri after delay, unless one is waiting
// already; a running pass is not cancelled but followed by one more.
func (p *passScheduler) invalidate(uri protocol.DocumentURI, delay time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	d := p.doc(uri)
	switch {
	case d.waiting != 0:
	case d.cancel != nil:
		d.again = true
	default:
		p.wait(uri, d, delay)
	}
}

// forget drops uri: its waiting pass never runs, its running pass is
// cancelled and publishes nothing. It reports whether uri was known.
func (p *passScheduler) forget(uri protocol.DocumentURI) bool {
	p.mu.Lock()
	d, ok := p.docs[uri]
	delete(p.docs, uri)
	if ok {
		p.halt(d)
	}
	p.mu.Unlock()
	if ok {
		d.pubMu.Lock() // after a publication in progress, if any
		d.forgotten = true
		d.pubMu.Unlock()
	}
	return ok
}

// stop cancels every pass for good.
func (p *passScheduler) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	for _, d := range p.docs {
		p.halt(d)
	}
}

// halt stops d's timer and cancels its pass; callers hold mu.
func (p *passScheduler) halt(d *docPasses) {
	if d.timer != nil {
		d.timer.Stop()
	}
	d.waiting, d.again = 0, false
	if d.cancel != nil {
		d.cancel()
	}
}

// doc returns the state of uri, made on first use; callers hold mu.
func (p *passScheduler) doc(uri protocol.DocumentURI) *docPasses {
	d, ok := p.docs[uri]
	if !ok {
		d = &docPasses{}
		p.docs[uri] = d
	}
	return d
}

// wait (re)starts d's timer; callers hold mu.
func (p *passScheduler) wait(uri protocol.DocumentURI, d *docPasses, delay time.Duration) {
	if d.timer != nil {
		d.timer.Stop()
	}
	d.gen++
	gen := d.gen
	d.waiting = gen
	d.timer = time.AfterFunc(delay, func() { p.fire(uri, d, gen) })
}

// fire starts the pass timer gen was waiting for, or marks it to run
// after the running one.
func (p *passScheduler) fire(uri protocol.DocumentURI, d *docPasses, gen uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped || p.docs[uri] != d || d.waiting != gen {
		return // forgotten, stopped, or superseded by a later timer
	}
	d.waiting = 0
	if d.cancel != nil {
		d.again = true
		return
	}
	p.start(uri, d)
}

// start runs a pass of uri; callers hold mu.
func (p *passScheduler) start(uri protocol.DocumentURI, d *docPasses) {
	ctx, cancel := context.WithCancel(p.base)
	d.cancel = cancel
	go func() {
		defer cancel()
		publish := p.run(ctx, uri)
		d.pubMu.Lock()
		if publish != nil && ctx.Err() == nil && !d.forgotten {
			publish()
		}
		d.pubMu.Unlock()
		p.finished(uri, d)
	}()
}

// finished records the end of d's pass and starts the one asked for
// meanwhile.
func (p *passScheduler) finished(uri protocol.DocumentURI, d *docPasses) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d.cancel = nil
	if d.again && !p.stopped && p.docs[uri] == d {
		d.again = false
		p.start(uri, d)
	}
}
