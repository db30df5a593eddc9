package server

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// The server's one analysis.Workspace is created at initialize from the
// client's roots and indexed in the background after initialized. Open
// documents are forwarded to it from the text synchronization handlers;
// features read it through s.workspace().

// StatusNotification is rivet's own notification of indexing state, sent
// when indexing starts and ends (like rust-analyzer's
// experimental/serverStatus). Clients that do not know it ignore it;
// tests and editor scripts wait for "ready".
const StatusNotification = "rivet/status"

// StatusParams are the params of StatusNotification.
type StatusParams struct {
	State   string  `json:"state"` // "indexing" or "ready"
	Files   int     `json:"files,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
	Message string  `json:"message,omitempty"`
}

// workspaceState is the server's analysis workspace and indexing state.
type workspaceState struct {
	mu      sync.Mutex
	ws      *analysis.Workspace
	cancel  context.CancelFunc // stops the background build
	indexed chan struct{}      // closed when the first build ends
	// uris maps the paths of open documents to the URIs the client used,
	// so results about them use the client's spelling.
	uris map[string]protocol.DocumentURI
}

// workspace returns the session's workspace; nil before initialize.
func (s *Server) workspace() *analysis.Workspace {
	s.wsState.mu.Lock()
	defer s.wsState.mu.Unlock()
	return s.wsState.ws
}

// newWorkspace creates the workspace for the roots initialize names.
func (s *Server) newWorkspace(params *InitializeParams) {
	roots := rootsOf(params)
	opts := analysis.Options{Logf: func(format string, args ...any) {
		s.logger.Debug("index: " + fmt.Sprintf(format, args...))
	}}
	switch s.cacheDir {
	case "":
		if dir, err := index.CacheDir(); err == nil {
			opts.CacheDir = dir
		}
	case CacheOff:
	default:
		opts.CacheDir = s.cacheDir
	}
	ws := analysis.NewWorkspace(roots, opts)
	s.wsState.mu.Lock()
	s.wsState.ws = ws
	s.wsState.indexed = make(chan struct{})
	s.wsState.mu.Unlock()
	s.logger.Info("workspace", "roots", ws.Roots())
}

// startIndexing builds the index in the background. Requests never wait
// for it: they answer from what is known.
func (s *Server) startIndexing() {
	ws := s.workspace()
	if ws == nil {
		return
	}
	ctx, cancel := context.WithCancel(s.base)
	s.wsState.mu.Lock()
	if s.wsState.cancel != nil { // a repeated initialized notification
		s.wsState.mu.Unlock()
		cancel()
		return
	}
	s.wsState.cancel = cancel
	done := s.wsState.indexed
	s.wsState.mu.Unlock()
	go func() {
		defer close(done)
		defer s.recoverBackground("indexing")
		s.Notify(ctx, StatusNotification, StatusParams{State: "indexing"})
		start := time.Now()
		st, err := ws.Build(ctx, s.indexProgress)
		if err != nil {
			s.logger.Warn("indexing stopped", "error", err)
			return
		}
		if st.CacheErr != nil {
			s.logger.Warn("facts cache", "error", st.CacheErr)
		}
		for _, e := range st.WalkErrors {
			s.logger.Warn("index walk", "error", e)
		}
		s.logger.Info("indexed", "files", st.Files, "rust", st.RustFiles, "c", st.CFiles,
			"fromCache", st.FromCache, "skipped", st.Skipped, "declsParsed", st.DeclsParsed,
			"seconds", time.Since(start).Seconds())
		s.Notify(ctx, StatusNotification, StatusParams{State: "ready", Files: st.Files, Seconds: time.Since(start).Seconds()})
		s.indexChanged()
	}()
}

// indexProgress receives the build's progress. Work-done progress
// reporting hooks in here.
func (s *Server) indexProgress(p analysis.BuildProgress) {
	for _, h := range progressHooks {
		h(s, p)
	}
}

// progressHooks and indexChangedHooks let features (progress reporting,
// diagnostics) follow the index without this file knowing them.
var (
	progressHooks     []func(*Server, analysis.BuildProgress)
	indexChangedHooks []func(*Server)
)

// indexChanged tells features that facts changed (a build ended, a file
// changed on disk).
func (s *Server) indexChanged() {
	for _, h := range indexChangedHooks {
		h(s)
	}
}

// stopIndexing cancels a running build (shutdown).
func (s *Server) stopIndexing() {
	s.wsState.mu.Lock()
	cancel := s.wsState.cancel
	s.wsState.mu.Unlock()
	if cancel != nil {
		cancel()
	}
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
	ws := s.workspace()
	path, ok := uriPath(d.URI)
	if ws == nil || !ok || d.Language == LanguageUnknown {
		return
	}
	s.wsState.mu.Lock()
	if s.wsState.uris == nil {
		s.wsState.uris = map[string]protocol.DocumentURI{}
	}
	s.wsState.uris[path] = d.URI
	s.wsState.mu.Unlock()
	if _, err := ws.Change(ctx, path, d.Version, d.Text); err != nil {
		s.logger.Warn("analyse document", "uri", d.URI, "error", err)
		return
	}
	for _, h := range documentHooks {
		h(s, d)
	}
}

// documentHooks run after an open or change reached the workspace (the
// diagnostics scheduler hooks in here).
var documentHooks []func(*Server, *Document)

func (s *Server) documentClosed(ctx context.Context, uri protocol.DocumentURI) {
	ws := s.workspace()
	if path, ok := uriPath(uri); ok && ws != nil {
		s.wsState.mu.Lock()
		delete(s.wsState.uris, path)
		s.wsState.mu.Unlock()
		ws.Close(ctx, path)
	}
	for _, h := range closeHooks {
		h(s, uri)
	}
}

// closeHooks run after a document closed.
var closeHooks []func(*Server, protocol.DocumentURI)

// rootsOf returns the workspace roots of initialize: the workspace
// folders, else rootUri, else rootPath. None gives no roots: rivet then
// indexes nothing and works on open documents alone.
func rootsOf(p *InitializeParams) []string {
	var roots []string
	for _, f := range p.WorkspaceFolders {
		if path, ok := uriPath(protocol.DocumentURI(f.URI)); ok {
			roots = append(roots, path)
		}
	}
	if len(roots) == 0 && p.RootURI != "" {
		if path, ok := uriPath(protocol.DocumentURI(p.RootURI)); ok {
			roots = append(roots, path)
		}
	}
	if len(roots) == 0 && p.RootPath != "" {
		roots = append(roots, filepath.Clean(p.RootPath))
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
