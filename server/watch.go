package server

import (
	"context"
	"path"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/index"
)

func init() {
	initializedHooks = append(initializedHooks, (*Server).registerWatchers)
	registerNotification(protocol.MethodWorkspaceDidChangeWatchedFiles, (*Server).didChangeWatchedFiles)
}

// watchRegistrationID is the id of rivet's file watcher registration.
const watchRegistrationID = "rivet/watchedFiles"

// fileWatchers are the files whose changes on disk rivet follows: the
// sources, the configuration, and the bindgen blocklist.
var fileWatchers = []protocol.FileSystemWatcher{
	{GlobPattern: "**/*.{c,h,rs}"},
	{GlobPattern: "**/" + config.FileName},
	{GlobPattern: "**/rust/bindgen_parameters"},
}

// watchState queues the changes the client reported until a worker
// applies them.
type watchState struct {
	mu      sync.Mutex
	pending map[string]protocol.FileChangeType // path -> latest change
	running bool                               // a worker drains pending
}

// registerWatchers asks the client to watch fileWatchers, when it allows
// dynamic registration of workspace/didChangeWatchedFiles. It runs in the
// read loop, so the request goes from a goroutine.
func (s *Server) registerWatchers() {
	w := s.clientCaps.Workspace
	if w == nil || w.DidChangeWatchedFiles == nil || !w.DidChangeWatchedFiles.DynamicRegistration {
		s.logger.Info("client cannot watch files for rivet; changes on disk are seen when a document is opened or closed")
		return
	}
	params := protocol.RegistrationParams{Registrations: []protocol.Registration{{
		ID:              watchRegistrationID,
		Method:          protocol.MethodWorkspaceDidChangeWatchedFiles,
		RegisterOptions: protocol.DidChangeWatchedFilesRegistrationOptions{Watchers: fileWatchers},
	}}}
	go func() {
		if err := s.Call(s.base, protocol.MethodClientRegisterCapability, params, nil); err != nil {
			s.logger.Warn("registering file watchers", "error", err)
		}
	}()
}

// didChangeWatchedFiles queues the reported changes for the worker; the
// read loop does no file work.
func (s *Server) didChangeWatchedFiles(_ context.Context, params *protocol.DidChangeWatchedFilesParams) error {
	w := &s.wsState.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pending == nil {
		w.pending = map[string]protocol.FileChangeType{}
	}
	for _, ev := range params.Changes {
		if ev == nil {
			continue
		}
		if p, ok := uriPath(protocol.DocumentURI(ev.URI)); ok {
			w.pending[p] = ev.Type
		}
	}
	if !w.running && len(w.pending) > 0 {
		w.running = true
		go s.drainWatched()
	}
	return nil
}

// drainWatched applies queued changes in batches until none is left. It
// first waits for a running build, whose results would otherwise
// overwrite the fresher facts.
func (s *Server) drainWatched() {
	w := &s.wsState.watch
	defer func() {
		w.mu.Lock()
		w.running = false
		w.mu.Unlock()
	}()
	defer s.recoverBackground("watched files")
	for {
		s.waitBuilt(s.base)
		w.mu.Lock()
		batch := w.pending
		w.pending = nil
		if len(batch) == 0 || s.base.Err() != nil {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		s.applyWatched(s.base, batch)
	}
}

// applyWatched brings the workspace up to date with changed files:
// sources are re-read (open documents keep their text), a changed
// .rivet.toml of the first root reloads the configuration, a changed
// rust/bindgen_parameters or kernel layout reloads the bindgen rules.
// Then the C declarations Rust needs are parsed again where they
// changed, and the open documents re-diagnosed.
func (s *Server) applyWatched(ctx context.Context, batch map[string]protocol.FileChangeType) {
	ws, roots := s.workspace(), s.workspaceRoots()
	if ws == nil {
		return
	}
	start := time.Now()
	skip := skipFilter(s.currentConfig(), roots)
	var configChanged, kernelChanged, factsChanged bool
	for p, typ := range batch {
		root := rootOf(p, roots)
		switch {
		case root == "":
			continue // outside the workspace
		case p == path.Join(roots[0], config.FileName):
			configChanged = true
			continue
		case isKernelInput(p, root):
			kernelChanged = true
		}
		if _, ok := index.LangOf(p); !ok {
			if typ == protocol.FileChangeTypeDeleted {
				factsChanged = removeUnder(ws, p) || factsChanged
			}
			continue
		}
		if skip != nil && skip(p, false) {
			ws.Index.Remove(p)
		} else {
			ws.Refresh(ctx, p)
		}
		factsChanged = true
	}
	if kernelChanged {
		ws.Index.SetKernel(detectKernel(roots))
	}
	if factsChanged || kernelChanged {
		if _, err := ws.EnsureNeeded(ctx, nil); err != nil {
			s.logger.Info("parsing declarations after file changes", "error", err)
		}
	}
	s.logger.Info("watched files applied", "files", len(batch), "config", configChanged, "kernel", kernelChanged, "duration", time.Since(start))
	if configChanged {
		s.reloadConfigFile() // re-diagnoses or re-indexes by itself
		return
	}
	if factsChanged || kernelChanged {
		s.indexChanged()
	}
}

// rootOf returns the root p lies under, or "".
func rootOf(p string, roots []string) string {
	for _, r := range roots {
		if strings.HasPrefix(p, strings.TrimSuffix(r, "/")+"/") {
			return r
		}
	}
	return ""
}

// isKernelInput reports whether p is one of the files DetectKernel reads
// or looks for: a change may change the bindgen configuration.
func isKernelInput(p, root string) bool {
	switch strings.TrimPrefix(p, strings.TrimSuffix(root, "/")+"/") {
	case "rust/bindgen_parameters", "rust/bindings/bindings_helper.h", "rust/helpers.c", "rust/helpers":
		return true
	}
	return false
}

// detectKernel is the kernel description of the first root that is a
// kernel tree, as a build finds it.
func detectKernel(roots []string) *index.Kernel {
	for _, r := range roots {
		if k := index.DetectKernel(r); k != nil {
			return k
		}
	}
	return nil
}

// removeUnder forgets the indexed files under dir, a deleted directory
// (clients report a deleted directory, not the files in it). It reports
// whether there were any.
func removeUnder(ws *analysis.Workspace, dir string) bool {
	prefix := strings.TrimSuffix(dir, "/") + "/"
	var gone []string
	snap, release := ws.Index.Snapshot()
	snap.Files(func(f *index.File) bool {
		if strings.HasPrefix(f.Path, prefix) && !f.Open {
			gone = append(gone, f.Path)
		}
		return true
	})
	release()
	ws.Index.Remove(gone...)
	return len(gone) > 0
}
