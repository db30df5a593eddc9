// Package analysis is rivet's semantic layer: the workspace (index, open
// documents, configuration) and the features the server and `rivet check`
// offer on it — navigation, hover, symbols, diagnostics, fixes. It speaks
// in paths and byte offsets and returns plain structs; it never imports an
// LSP type.
package analysis

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rivet-lsp/rivet/analysis/ctype"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// Workspace is one set of workspace roots with its index and open
// documents. Its methods are safe for concurrent use.
type Workspace struct {
	Index *index.Index
	roots []string
	opts  Options

	// pubMu orders the publication of a path's facts with the opening of
	// a buffer for it, so a disk refresh never lands after a buffer
	// opened meanwhile. It is taken before mu and never while holding an
	// index snapshot: readers take mu under a snapshot, so waiting for
	// the index's write lock while holding mu would deadlock with them.
	pubMu sync.Mutex

	mu   sync.Mutex
	docs map[string]*Document
	// cache is the facts cache of the last Build; cacheDirty says it
	// lacks something that Build learnt.
	cache      *index.Cache
	cacheDirty bool

	// kb is the lifecycle knowledge of the latest generation (knowledge.go).
	kb kbCache
	// calls caches C call sites found for references (references.go).
	calls callSiteCache
}

// Options configure a workspace.
type Options struct {
	// CacheDir is where the persistent facts cache lives; "" disables it.
	CacheDir string
	// FFIModules are bindgen crates besides `bindings` (the ffi_modules
	// setting): "uapi" makes `uapi::NAME` and `kernel::uapi::NAME` FFI
	// references too.
	FFIModules []string
	// OnKnowledge, when set, is called after the lifecycle knowledge was
	// rebuilt in the background (see Lifecycle): diagnostics and hints
	// computed meanwhile may have used the previous one.
	OnKnowledge func()
	// Logf receives diagnostics about indexing.
	Logf func(format string, args ...any)
	// Skip leaves paths out of indexing (configuration excludes).
	Skip func(path string, dir bool) bool
}

// NewWorkspace returns a workspace over roots. Nothing is read until Build.
func NewWorkspace(roots []string, opts Options) *Workspace {
	var clean []string
	for _, r := range roots {
		if abs, err := filepath.Abs(r); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				abs = real
			}
			clean = append(clean, filepath.ToSlash(abs))
		}
	}
	return &Workspace{Index: index.New(), roots: clean, opts: opts, docs: map[string]*Document{}}
}

// Roots are the workspace roots, absolute and slash-separated.
func (w *Workspace) Roots() []string { return w.roots }

// BuildProgress reports indexing progress.
type BuildProgress = index.Progress

// BuildStats summarise an indexing run.
type BuildStats struct {
	index.Stats
	DeclsParsed int
	Duration    time.Duration
	CacheErr    error
}

// Build indexes the roots: every C and Rust file, then the C declarations
// Rust depends on (two rounds: what Rust names, then the types and callees
// those declarations mention). Requests may run meanwhile and answer from
// what is known. Call SaveCache afterwards to persist the facts.
func (w *Workspace) Build(ctx context.Context, progress func(BuildProgress)) (BuildStats, error) {
	start := time.Now()
	var st BuildStats
	b := &index.Builder{Index: w.Index, Read: w.Read, Skip: w.opts.Skip, Progress: progress, Logf: w.opts.Logf, Crates: w.crates()}
	if w.opts.CacheDir != "" && len(w.roots) > 0 {
		c, err := index.OpenCache(w.opts.CacheDir, w.roots, w.crates()...)
		if err != nil {
			st.CacheErr = err
		} else {
			b.Cache = c
		}
	}
	s, err := b.Build(ctx, w.roots)
	st.Stats = s
	if err != nil {
		return st, err
	}
	n, err := w.EnsureNeeded(ctx, progress)
	st.DeclsParsed = n
	if err != nil {
		return st, err
	}
	m, err := w.EnsureLifecycle(ctx)
	st.DeclsParsed += m
	if err != nil {
		return st, err
	}
	w.mu.Lock()
	w.cache = b.Cache
	w.cacheDirty = b.Cache != nil && (s.FromCache < s.Files || s.Removed > 0 || st.DeclsParsed > 0)
	w.mu.Unlock()
	st.Duration = time.Since(start)
	return st, nil
}

// SaveCache writes the facts to the persistent cache when the last Build
// learnt anything the cache did not hold.
func (w *Workspace) SaveCache() error {
	w.mu.Lock()
	c, dirty := w.cache, w.cacheDirty
	w.cacheDirty = false
	w.mu.Unlock()
	if c == nil || !dirty {
		return nil
	}
	return c.Save(w.Index)
}

// EnsureNeeded parses the C declarations Rust depends on that lack facts.
func (w *Workspace) EnsureNeeded(ctx context.Context, progress func(BuildProgress)) (int, error) {
	snap, release := w.Index.Snapshot()
	names := link.NeededNames(snap)
	release()
	if progress != nil {
		progress(BuildProgress{Phase: "decls", Total: len(names)})
	}
	n, err := w.Index.Ensure(ctx, names, w.Read)
	if err != nil {
		return n, err
	}
	// Second round: the types and callees of what the first round parsed.
	snap, release = w.Index.Snapshot()
	var fns []*facts.CFunc
	more := map[string]bool{}
	for _, name := range names {
		if f := link.BestFunc(snap, name); f != nil {
			fns = append(fns, f)
			for _, c := range f.Calls {
				more[c.Name] = true
			}
		}
	}
	release()
	for _, t := range link.TypeNames(fns) {
		more[t] = true
	}
	second := make([]string, 0, len(more))
	for m := range more {
		if m != "" {
			second = append(second, m)
		}
	}
	m, err := w.Index.Ensure(ctx, second, w.Read)
	n += m
	// Typedef chains (gfp_t -> unsigned int, but also chains of three or
	// four) need a round per link for signatures to resolve.
	for round := 0; round < maxTypedefRounds && err == nil; round++ {
		snap, release := w.Index.Snapshot()
		missing := ctype.MissingTypedefs(snap, fns)
		release()
		if len(missing) == 0 {
			break
		}
		m, err = w.Index.Ensure(ctx, missing, w.Read)
		n += m
		if m == 0 {
			break
		}
	}
	return n, err
}

// maxTypedefRounds bounds the typedef chains EnsureNeeded follows.
const maxTypedefRounds = 4

// crates are the extra bindgen crates' names: the last segment of each
// configured module path ("kernel::uapi" gives "uapi"), sorted.
func (w *Workspace) crates() []string {
	var out []string
	for _, m := range w.opts.FFIModules {
		if i := strings.LastIndex(m, "::"); i >= 0 {
			m = m[i+2:]
		}
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

// Read returns a file's text: the open document's when there is one,
// otherwise the disk's. A path that is a symbolic link out of the roots
// is not read from disk: the walk lists no such link, but a file can be
// swapped for one after the walk, and a build, Ensure or a request would
// then read through it.
func (w *Workspace) Read(path string) ([]byte, error) {
	w.mu.Lock()
	d := w.docs[path]
	w.mu.Unlock()
	if d != nil {
		return d.Text(), nil
	}
	src, err := index.ReadDisk(path)
	if err == nil && !w.readable(path) {
		return nil, fmt.Errorf("%s: a link out of the workspace", path)
	}
	return src, err
}

// readable reports whether path, just read, may be trusted to lie in the
// workspace: a regular file (one lstat, the common case) or a link that
// resolves inside a root. Checked after the read, so a swap before it is
// seen.
func (w *Workspace) readable(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeSymlink == 0 || w.within(path)
}

// Document returns the open document at path, or nil.
func (w *Workspace) Document(path string) *Document {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.docs[path]
}

// Open starts tracking an editor buffer: its text wins over the disk's
// until Close.
func (w *Workspace) Open(ctx context.Context, path string, version int32, text []byte) (*Document, error) {
	lang, ok := index.LangOf(path)
	if !ok {
		return nil, fmt.Errorf("open %s: not a C or Rust file", path)
	}
	d := &Document{Path: path, Lang: lang}
	if err := d.update(ctx, version, text, w.crates()); err != nil {
		return nil, err
	}
	w.pubMu.Lock()
	defer w.pubMu.Unlock()
	w.mu.Lock()
	if old := w.docs[path]; old != nil {
		old.close()
	}
	w.docs[path] = d
	w.mu.Unlock()
	w.publish(ctx, d)
	return d, nil
}

// Change replaces an open document's text (the server applies LSP edits
// and passes the result). The syntax tree is re-parsed incrementally.
func (w *Workspace) Change(ctx context.Context, path string, version int32, text []byte) (*Document, error) {
	d := w.Document(path)
	if d == nil {
		return w.Open(ctx, path, version, text)
	}
	if err := d.update(ctx, version, text, w.crates()); err != nil {
		return nil, err
	}
	w.publish(ctx, d)
	return d, nil
}

// Close stops tracking a buffer; the file's facts revert to the disk's.
func (w *Workspace) Close(ctx context.Context, path string) {
	w.mu.Lock()
	d := w.docs[path]
	delete(w.docs, path)
	w.mu.Unlock()
	if d == nil {
		return
	}
	d.close()
	w.Refresh(ctx, path)
}

// Refresh re-reads a file from disk (a watched-file change, a closed
// buffer) and republishes its facts, or forgets it when it is gone.
func (w *Workspace) Refresh(ctx context.Context, path string) {
	if w.Document(path) != nil {
		return // the buffer wins
	}
	if !w.within(path) {
		w.putUnlessOpen(path, nil) // a link out of the roots is never indexed, as in the walk
		return
	}
	st, err := index.StatFile(path)
	if err != nil {
		w.putUnlessOpen(path, nil)
		return
	}
	src, err := index.ReadDisk(path)
	if err != nil {
		w.putUnlessOpen(path, &index.File{Stat: st}) // known, without facts
		return
	}
	snap, release := w.Index.Snapshot()
	full := index.WantsFullFacts(path, snap.Kernel())
	release()
	f, err := index.AnalyzeWith(ctx, st, src, full, w.crates())
	if err != nil {
		return
	}
	w.putUnlessOpen(path, f)
}

// within reports whether path, symbolic links resolved, lies inside a
// root. A path that does not resolve is not.
func (w *Workspace) within(path string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	real = filepath.ToSlash(real)
	for _, r := range w.roots {
		if strings.HasPrefix(real, strings.TrimSuffix(r, "/")+"/") {
			return true
		}
	}
	return false
}

// putUnlessOpen publishes the disk's facts of path (nil: the file is
// gone), replacing those of a buffer that was closed, unless a buffer is
// open again: under w.pubMu, so an Open racing with it publishes after.
func (w *Workspace) putUnlessOpen(path string, f *index.File) {
	w.pubMu.Lock()
	defer w.pubMu.Unlock()
	if w.Document(path) != nil {
		return
	}
	if f == nil {
		w.Index.Remove(path)
		return
	}
	w.Index.Put(f)
}

// publish puts an open document's facts into the index.
func (w *Workspace) publish(ctx context.Context, d *Document) {
	f := d.File()
	if f != nil {
		w.Index.Put(f)
	}
}
