package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// The server's one analysis.Workspace is created at initialize from the
// client's roots and the configuration, and indexed in the background
// once the client sent initialized. Open documents are forwarded to it
// from the text synchronization handlers; features read it through
// s.workspace(). A change of include/exclude, or a root adopted from the
// first open document, replaces it by a new workspace (carrying the open
// documents over) and indexes that.

// StatusNotification is rivet's own notification of indexing state, sent
// when indexing starts ("indexing"), when the index is complete
// ("ready": every answer is whole from here on) and when the background
// work after it (saving the facts cache, finding the C call sites of what
// Rust calls) has finished ("idle"), like rust-analyzer's
// experimental/serverStatus. Clients that do not know it ignore it; tests
// and editor scripts wait for "ready", benchmarks for "idle".
const StatusNotification = "rivet/status"

// StatusParams are the params of StatusNotification.
type StatusParams struct {
	State   string  `json:"state"` // "indexing", "ready" or "idle"
	Files   int     `json:"files,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
	Message string  `json:"message,omitempty"`
}

// workspaceState is what the server keeps about its workspace: the
// analysis workspace and its build, the configuration, the diagnostics
// scheduler and the queue of watched-file changes.
type workspaceState struct {
	mu          sync.Mutex
	ws          *analysis.Workspace
	roots       []string           // the workspace's roots, slash paths with symlinks resolved
	initialized bool               // initialized arrived
	started     bool               // the first build started: later workspaces are built at once
	cancel      context.CancelFunc // stops the running build
	built       chan struct{}      // closed when the latest build ends
	builds      int                // builds started, for progress tokens
	adopted     bool               // a root was looked for above an open document
	// uris maps the paths of open documents to the URIs the client used,
	// so results about them use the client's spelling.
	uris map[string]protocol.DocumentURI
	// paths maps the URIs of open documents to the path they were opened
	// under. A URI resolves to another path once a link on its way is
	// removed or the file is deleted (symbolic links are resolved only
	// while they exist): changes and the close must still reach the
	// workspace's document.
	paths map[protocol.DocumentURI]string

	// docMu orders the forwarding of open documents with the
	// replacement of the workspace, so a replacement never loses an edit.
	docMu sync.Mutex
	// rebuildMu orders replacements of the workspace with the start of
	// the first build.
	rebuildMu sync.Mutex

	config configState
	diags  diagnosticsState
	watch  watchState
}

// workspace returns the session's workspace; nil before initialize.
func (s *Server) workspace() *analysis.Workspace {
	s.wsState.mu.Lock()
	defer s.wsState.mu.Unlock()
	return s.wsState.ws
}

// workspaceRoots returns the roots of the session's workspace.
func (s *Server) workspaceRoots() []string {
	s.wsState.mu.Lock()
	defer s.wsState.mu.Unlock()
	return s.wsState.roots
}

// newWorkspace reads the configuration and creates the workspace for the
// roots initialize names. It runs in the read loop, so it only stats and
// reads the configuration file.
func (s *Server) newWorkspace(params *InitializeParams) {
	roots := rootsOf(params)
	s.initConfig(roots, params.InitializationOptions)
	ws := s.makeWorkspace(roots)
	s.wsState.mu.Lock()
	s.wsState.ws, s.wsState.roots = ws, roots
	s.wsState.built = make(chan struct{})
	close(s.wsState.built) // no build yet
	s.wsState.mu.Unlock()
	s.logger.Info("workspace", "roots", roots)
}

// makeWorkspace returns an empty workspace over roots, filtered by the
// current configuration's include and exclude.
func (s *Server) makeWorkspace(roots []string) *analysis.Workspace {
	opts := analysis.Options{
		Logf: func(format string, args ...any) {
			s.logger.Debug("index: " + fmt.Sprintf(format, args...))
		},
		Skip:       skipFilter(s.currentConfig(), roots),
		FFIModules: s.currentConfig().FFIModules,
		// Diagnostics and hints made with the previous lifecycle
		// knowledge are refreshed like after any change of facts.
		OnKnowledge: s.indexChanged,
	}
	switch s.cacheDir {
	case "":
		if dir, err := index.CacheDir(); err == nil {
			opts.CacheDir = dir
		}
	case CacheOff:
	default:
		opts.CacheDir = s.cacheDir
	}
	return analysis.NewWorkspace(roots, opts)
}

// skipFilter is the walk filter of cfg over every root: a path is left
// out when the include/exclude patterns of its root say so.
func skipFilter(cfg *config.Config, roots []string) func(path string, dir bool) bool {
	var skips []func(string, bool) bool
	for _, r := range roots {
		if skip := cfg.Skip(r); skip != nil {
			skips = append(skips, skip)
		}
	}
	if len(skips) == 0 {
		return nil
	}
	return func(path string, dir bool) bool {
		for _, skip := range skips {
			if skip(path, dir) {
				return true
			}
		}
		return false
	}
}

// startIndexing starts the session's background work once the client is
// initialized: it shows configuration problems found at initialize,
// pulls the client's settings when it offers workspace/configuration,
// then builds the index. Requests never wait for the build: they answer
// from what is known.
func (s *Server) startIndexing() {
	s.wsState.mu.Lock()
	if s.wsState.initialized || s.wsState.ws == nil { // a repeated initialized notification
		s.wsState.mu.Unlock()
		return
	}
	s.wsState.initialized = true
	s.wsState.mu.Unlock()
	go func() {
		defer s.recoverBackground("start")
		s.startConfiguration(s.base)
		s.wsState.rebuildMu.Lock()
		defer s.wsState.rebuildMu.Unlock()
		s.wsState.mu.Lock()
		s.wsState.started = true
		s.wsState.mu.Unlock()
		s.build()
	}()
}

// build indexes the current workspace in the background, cancelling a
// build still running (of a workspace since replaced). Its end tells
// features that facts changed.
func (s *Server) build() {
	ctx, cancel := context.WithCancel(s.base)
	done := make(chan struct{})
	s.wsState.mu.Lock()
	if s.wsState.cancel != nil {
		s.wsState.cancel()
	}
	s.wsState.cancel, s.wsState.built = cancel, done
	s.wsState.builds++
	ws, n := s.wsState.ws, s.wsState.builds
	s.wsState.mu.Unlock()
	complete := sync.OnceFunc(func() { close(done) })
	go func() {
		defer cancel()
		defer complete() // also when the build fails or panics
		defer s.recoverBackground("indexing")
		s.index(ctx, ws, fmt.Sprintf("rivet/indexing/%d", n), complete)
	}()
}

// index runs one build of ws, reporting it as work-done progress under
// token and as rivet/status notifications. When the index is complete it
// calls complete, tells features that facts changed, then saves the
// facts cache.
func (s *Server) index(ctx context.Context, ws *analysis.Workspace, token string, complete func()) {
	s.Notify(s.base, StatusNotification, StatusParams{State: "indexing"})
	progress := s.beginProgress(ctx, token, "rivet: indexing")
	st, err := ws.Build(ctx, func(p analysis.BuildProgress) {
		progress.report(p)
		s.indexProgress(p)
	})
	if err != nil {
		progress.end("indexing stopped")
		s.logger.Info("indexing stopped", "error", err)
		return
	}
	complete()
	s.indexChanged()
	for _, e := range st.WalkErrors {
		s.logger.Warn("index walk", "error", e)
	}
	s.logger.Info("indexed", "files", st.Files, "rust", st.RustFiles, "c", st.CFiles,
		"fromCache", st.FromCache, "skipped", st.Skipped, "bytes", st.Bytes,
		"declsParsed", st.DeclsParsed, "seconds", st.Duration.Seconds())
	progress.end(buildSummary(st))
	s.Notify(s.base, StatusNotification, StatusParams{State: "ready", Files: st.Files, Seconds: st.Duration.Seconds()})
	// Then, at leisure, work that changes no answer: the facts cache, the
	// C call sites of what Rust calls (so references across the boundary
	// answer at once) and up-to-date lifecycle knowledge (so the first
	// edits do not wait for its rebuild).
	if err := errors.Join(st.CacheErr, ws.SaveCache()); err != nil {
		s.logger.Warn("facts cache", "error", err)
	}
	ws.WarmCallSites(ctx)
	ws.WarmKnowledge(s.currentConfig())
	if ctx.Err() == nil {
		s.Notify(s.base, StatusNotification, StatusParams{State: "idle"})
	}
}

// isOpen reports whether the document at path is open in the client.
func (s *Server) isOpen(path string) bool {
	s.wsState.mu.Lock()
	defer s.wsState.mu.Unlock()
	_, ok := s.wsState.uris[path]
	return ok
}

// waitBuilt waits until the latest build has ended or ctx is done.
func (s *Server) waitBuilt(ctx context.Context) {
	s.wsState.mu.Lock()
	built := s.wsState.built
	s.wsState.mu.Unlock()
	select {
	case <-built:
	case <-ctx.Done():
	}
}

// indexPartial reports whether the index lacks part of the tree: a build
// is running, or there are no roots.
func (s *Server) indexPartial() bool {
	s.wsState.mu.Lock()
	built, roots := s.wsState.built, s.wsState.roots
	s.wsState.mu.Unlock()
	select {
	case <-built:
		return len(roots) == 0
	default:
		return true
	}
}

// reindex replaces the workspace by a new one over roots, made with the
// current configuration, carries the open documents over, and builds it
// once indexing has started.
func (s *Server) reindex(roots []string) {
	s.wsState.rebuildMu.Lock()
	defer s.wsState.rebuildMu.Unlock()
	s.wsState.docMu.Lock()
	ws := s.makeWorkspace(roots)
	s.wsState.mu.Lock()
	uris := make(map[string]protocol.DocumentURI, len(s.wsState.uris))
	for path, uri := range s.wsState.uris {
		uris[path] = uri
	}
	s.wsState.mu.Unlock()
	for path, uri := range uris {
		if d, ok := s.docs.get(uri); ok {
			if _, err := ws.Change(s.base, path, d.Version, d.Text); err != nil {
				s.logger.Warn("analyse document", "uri", uri, "error", err)
			}
		}
	}
	s.wsState.mu.Lock()
	s.wsState.ws, s.wsState.roots = ws, roots
	started := s.wsState.started
	s.wsState.mu.Unlock()
	s.wsState.docMu.Unlock()
	s.logger.Info("workspace replaced", "roots", roots)
	if started {
		s.build() // its progress and end re-diagnose the open documents
		return
	}
	s.indexChanged()
}

// indexProgress receives the build's progress and passes it to the
// features that follow the build.
func (s *Server) indexProgress(p analysis.BuildProgress) {
	for _, h := range progressHooks {
		h(s, p)
	}
}

// progressHooks and indexChangedHooks let features (diagnostics, code
// lenses) follow the index without this file knowing them.
var (
	progressHooks     []func(*Server, analysis.BuildProgress)
	indexChangedHooks []func(*Server)
)

// indexChanged tells features that facts changed: a build ended, files
// changed on disk, the configuration or the workspace changed.
func (s *Server) indexChanged() {
	for _, h := range indexChangedHooks {
		h(s)
	}
}

// stopIndexing cancels a running build and stops the diagnostics passes
// (shutdown).
func (s *Server) stopIndexing() {
	s.wsState.mu.Lock()
	cancel := s.wsState.cancel
	s.wsState.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.stopDiagnostics()
}

// recoverBackground keeps a panic in background work from killing the
// server: it is logged with its stack.
func (s *Server) recoverBackground(what string) {
	if v := recover(); v != nil {
		s.logger.Error("panic in background work", "what", what, "panic", v, "stack", string(debug.Stack()))
	}
}

// documentOpened, documentChanged and documentClosed forward document
// sync to the workspace. Documents outside the file scheme (untitled:)
// and of other languages are not analysed.
func (s *Server) documentOpened(ctx context.Context, d *Document) { s.forward(ctx, d) }

func (s *Server) documentChanged(ctx context.Context, d *Document) { s.forward(ctx, d) }

func (s *Server) forward(ctx context.Context, d *Document) {
	path, ok := s.openPath(d.URI)
	if !ok || d.Language == LanguageUnknown {
		return
	}
	s.wsState.docMu.Lock()
	ws := s.workspace()
	if ws == nil {
		s.wsState.docMu.Unlock()
		return
	}
	s.wsState.mu.Lock()
	if s.wsState.uris == nil {
		s.wsState.uris = map[string]protocol.DocumentURI{}
		s.wsState.paths = map[protocol.DocumentURI]string{}
	}
	s.wsState.uris[path] = d.URI
	s.wsState.paths[d.URI] = path
	s.wsState.mu.Unlock()
	for _, h := range beforeChangeHooks {
		h(s)
	}
	_, err := ws.Change(ctx, path, d.Version, d.Text)
	s.wsState.docMu.Unlock()
	if err != nil {
		s.logger.Warn("analyse document", "uri", d.URI, "error", err)
		return
	}
	s.adoptRoot(path)
	for _, h := range documentHooks {
		h(s, d)
	}
}

// documentHooks run after an open or change reached the workspace (the
// diagnostics scheduler hooks in here).
var documentHooks []func(*Server, *Document)

// beforeChangeHooks run before an open or change publishes its facts,
// which waits for every reader of the index: work holding a read view
// for long (diagnostics passes) yields here, so the edit and the
// requests queued behind it in the read loop do not wait for it.
var beforeChangeHooks []func(*Server)

func (s *Server) documentClosed(ctx context.Context, uri protocol.DocumentURI) {
	if path, ok := s.openPath(uri); ok {
		s.wsState.docMu.Lock()
		s.wsState.mu.Lock()
		delete(s.wsState.uris, path)
		delete(s.wsState.paths, uri)
		ws := s.wsState.ws
		s.wsState.mu.Unlock()
		if ws != nil {
			ws.Close(ctx, path)
		}
		s.wsState.docMu.Unlock()
	}
	for _, h := range closeHooks {
		h(s, uri)
	}
}

// closeHooks run after a document closed.
var closeHooks []func(*Server, protocol.DocumentURI)

// openURIs returns the URIs of the open documents the workspace analyses.
func (s *Server) openURIs() []protocol.DocumentURI {
	s.wsState.mu.Lock()
	defer s.wsState.mu.Unlock()
	uris := make([]protocol.DocumentURI, 0, len(s.wsState.uris))
	for _, uri := range s.wsState.uris {
		uris = append(uris, uri)
	}
	return uris
}

// adoptRoot gives a session without roots one: the first time a document
// is opened, the nearest directory above it that holds a kernel tree
// (rust/bindings/bindings_helper.h or rust/helpers) or a .rivet.toml
// becomes the workspace root, and is indexed. Without such a directory
// rivet stays in single-file mode: only open documents are analysed.
func (s *Server) adoptRoot(path string) {
	s.wsState.mu.Lock()
	if len(s.wsState.roots) > 0 || s.wsState.adopted {
		s.wsState.mu.Unlock()
		return
	}
	s.wsState.adopted = true
	s.wsState.mu.Unlock()
	root := findRoot(filepath.Dir(path))
	if root == "" {
		s.logger.Info("no workspace root; analysing open documents only", "document", path)
		return
	}
	s.logger.Info("workspace root adopted from an open document", "root", root, "document", path)
	go func() {
		defer s.recoverBackground("adopt root")
		roots := []string{root}
		s.setConfigRoot(roots)
		s.reindex(roots)
	}()
}

// findRoot returns the nearest directory at or above dir that looks like
// a workspace root (see adoptRoot), or "".
func findRoot(dir string) string {
	for {
		for _, marker := range []string{config.FileName, "rust/bindings/bindings_helper.h", "rust/helpers"} {
			if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
				return filepath.ToSlash(dir)
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// rootsOf returns the workspace roots of initialize: the workspace
// folders, else rootUri, else rootPath; slash paths with symlinks
// resolved, as the workspace keys files. None gives no roots (see
// adoptRoot).
func rootsOf(p *InitializeParams) []string {
	var roots []string
	for _, f := range p.WorkspaceFolders {
		if path, ok := uriPath(protocol.DocumentURI(f.URI)); ok {
			roots = append(roots, path)
		}
	}
	//lint:ignore SA1019 the specification's fallback for clients without workspace folders
	if uri := p.RootURI; len(roots) == 0 && uri != "" {
		if path, ok := uriPath(protocol.DocumentURI(uri)); ok {
			roots = append(roots, path)
		}
	}
	//lint:ignore SA1019 the fallback for clients older than rootUri
	if dir := p.RootPath; len(roots) == 0 && dir != "" {
		if path, ok := uriPath(pathURI(filepath.ToSlash(dir))); ok {
			roots = append(roots, path)
		}
	}
	return roots
}

// uriPath returns the slash-separated absolute path of a file URI.
func uriPath(uri protocol.DocumentURI) (string, bool) {
	u, err := url.Parse(string(uri))
	if err != nil || u.Scheme != "file" || u.Path == "" {
		return "", false
	}
	p := filepath.Clean(u.Path)
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	return filepath.ToSlash(p), true
}

// openPath is the path of an open document's URI: the one it was opened
// under, else what uriPath makes of the URI now.
func (s *Server) openPath(uri protocol.DocumentURI) (string, bool) {
	s.wsState.mu.Lock()
	path, ok := s.wsState.paths[uri]
	s.wsState.mu.Unlock()
	if ok {
		return path, true
	}
	return uriPath(uri)
}

// uriFor is the URI to use for path in results: the client's own URI
// when the document is open, else the path's file URI.
func (s *Server) uriFor(path string) protocol.DocumentURI {
	s.wsState.mu.Lock()
	uri, ok := s.wsState.uris[path]
	s.wsState.mu.Unlock()
	if ok {
		return uri
	}
	return pathURI(path)
}

// pathURI is the file URI of a path.
func pathURI(path string) protocol.DocumentURI {
	return protocol.DocumentURI((&url.URL{Scheme: "file", Path: path}).String())
}

// buildSummary is the end message of the indexing progress, such as
// "65,047 files in 8.2 s".
func buildSummary(st analysis.BuildStats) string {
	msg := fmt.Sprintf("%s files in %.1f s", thousands(st.Files), st.Duration.Seconds())
	if st.FromCache > 0 {
		msg += fmt.Sprintf(" (%s from cache)", thousands(st.FromCache))
	}
	return msg
}

// thousands formats n with comma separators: 65047 -> "65,047".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
