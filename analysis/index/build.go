package index

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/cespare/xxhash/v2"

	"github.com/rivet-lsp/rivet/analysis/cfacts"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/rustfacts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// MaxFileSize is the largest file rivet reads (the biggest generated
// register headers of Linux 7.3 are 24 MB). Larger files are listed as
// known but carry no facts.
const MaxFileSize = 48 << 20

// ErrBinary is returned for files that look binary (a NUL byte in their
// first 8 KiB).
var ErrBinary = errors.New("binary file")

// ErrTooLarge is returned for files over MaxFileSize.
var ErrTooLarge = fmt.Errorf("file larger than %d MiB", MaxFileSize>>20)

// Reader gives file contents. The workspace passes one that prefers open
// editor buffers to disk.
type Reader func(path string) ([]byte, error)

// ReadDisk reads a source file from disk, refusing huge and binary files
// and anything but a regular file. It never blocks on a named pipe: a
// request or a watcher event naming one would otherwise wait forever for
// a writer, holding whatever it holds.
func ReadDisk(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if fi.Size() > MaxFileSize {
		return nil, ErrTooLarge
	}
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + 512)
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxFileSize+1)); err != nil {
		return nil, err
	}
	if buf.Len() > MaxFileSize { // it grew while we read it
		return nil, ErrTooLarge
	}
	data := buf.Bytes()
	if bytes.IndexByte(data[:min(len(data), 8192)], 0) >= 0 {
		return nil, ErrBinary
	}
	return data, nil
}

// Hash is the content hash rivet keys facts by.
func Hash(src []byte) string {
	var b [8]byte
	h := xxhash.Sum64(src)
	for i := range b {
		b[i] = byte(h >> (56 - 8*i))
	}
	return hex.EncodeToString(b[:])
}

// Analyze computes the facts of one file from its text: the cheap scan for
// C (plus full tree-sitter facts when full is set), tree-sitter facts for
// Rust. It never fails on broken code; it fails only when ctx is done.
func Analyze(ctx context.Context, st Stat, src []byte, full bool) (*File, error) {
	return AnalyzeWith(ctx, st, src, full, nil)
}

// AnalyzeWith is Analyze with extra bindgen crates for Rust paths (see
// rustfacts.ExtractWith).
func AnalyzeWith(ctx context.Context, st Stat, src []byte, full bool, crates []string) (*File, error) {
	f := &File{Stat: st, Hash: Hash(src)}
	switch st.Lang {
	case facts.LangC:
		f.Scan = scanC(src)
		f.DenseMacros = splitDense(len(src), f.Scan)
		if full {
			tree, err := treesitter.Parse(ctx, treesitter.C, src)
			if err != nil {
				return nil, err
			}
			f.C = cfacts.Extract(tree)
			tree.Close()
			f.CSpans = []facts.Span{{Start: 0, End: uint32(len(src))}}
		}
	case facts.LangRust:
		tree, err := treesitter.Parse(ctx, treesitter.Rust, src)
		if err != nil {
			return nil, err
		}
		f.Rust = rustfacts.ExtractWith(tree, crates)
		tree.Close()
	}
	return f, nil
}

// Progress reports how far a build is.
type Progress struct {
	Phase string // "walk", "rust", "c", "decls", "save"
	Done  int
	Total int
}

// Builder fills an index from the workspace roots.
type Builder struct {
	Index *Index
	// Cache, when set, supplies facts of unchanged files and receives the
	// new ones.
	Cache *Cache
	// Read gives file contents (default ReadDisk).
	Read Reader
	// Skip leaves paths out of the walk (configuration excludes).
	Skip func(path string, dir bool) bool
	// Progress, when set, is called as work advances (from any goroutine).
	Progress func(Progress)
	// Logf, when set, receives diagnostics about the build.
	Logf func(format string, args ...any)
	// Workers is the number of files analysed at once (default GOMAXPROCS).
	Workers int
	// Crates are bindgen crates besides `bindings` (the ffi_modules
	// setting); a Cache must be opened with them as its variant.
	Crates []string
}

// Stats summarise a build.
type Stats struct {
	Files, RustFiles, CFiles int
	FromCache                int
	Skipped                  int // unreadable, binary or huge files
	Removed                  int // files the index knew that are gone
	Bytes                    int64
	WalkErrors               []WalkError
}

// Build walks roots and publishes facts for every C and Rust file. Rust
// files and rust/helpers come first, then every C file, in batches, so
// requests can answer from what is known while the build runs. Files open
// in the editor keep their editor facts.
func (b *Builder) Build(ctx context.Context, roots []string) (Stats, error) {
	var st Stats
	for _, r := range roots {
		if k := DetectKernel(r); k != nil {
			b.Index.SetKernel(k)
			break
		}
	}
	b.progress(Progress{Phase: "walk"})
	// Read the cache while the walk lists the tree: both wait on the disk.
	loaded := make(chan map[string]*File, 1)
	go func() {
		if b.Cache == nil {
			loaded <- nil
			return
		}
		cached, err := b.Cache.Load()
		if err != nil {
			b.logf("cache: %v (starting cold)", err)
		}
		loaded <- cached
	}()
	files, werrs := Walk(ctx, roots, WalkOptions{Skip: b.Skip})
	st.WalkErrors = werrs
	cached := <-loaded
	if err := ctx.Err(); err != nil {
		return st, err
	}
	b.Index.reserve(cached)
	snap, release := b.Index.Snapshot()
	kernel := snap.Kernel()
	release()

	// Rust and helper files first: diagnostics on Rust files need them.
	sort.SliceStable(files, func(i, j int) bool {
		return priority(files[i], kernel) < priority(files[j], kernel)
	})
	st.Files = len(files)
	for _, f := range files {
		if f.Lang == facts.LangRust {
			st.RustFiles++
		} else {
			st.CFiles++
		}
	}

	var done, fromCache, skipped, nbytes atomic.Int64
	workers := b.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan Stat)
	out := make(chan *File, 256)
	go func() {
		defer close(jobs)
		for _, s := range files {
			select {
			case jobs <- s:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				f, hit := b.fileFor(ctx, s, cached[s.Path], kernel, &skipped)
				if hit {
					fromCache.Add(1)
				}
				nbytes.Add(s.Size)
				if n := done.Add(1); n%512 == 0 {
					b.progress(Progress{Phase: phaseOf(s), Done: int(n), Total: len(files)})
				}
				out <- f
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()
	// Publish in batches so requests see files as they are analysed.
	var pending []*File
	for f := range out {
		pending = append(pending, f)
		if len(pending) >= 1024 {
			b.Index.PutDisk(pending...)
			pending = nil
		}
	}
	b.Index.PutDisk(pending...)
	if err := ctx.Err(); err != nil {
		return st, err
	}
	b.progress(Progress{Phase: "c", Done: len(files), Total: len(files)})
	st.FromCache = int(fromCache.Load())
	st.Skipped = int(skipped.Load())
	st.Bytes = nbytes.Load()

	// Files the index knew but the walk no longer finds are gone.
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		seen[f.Path] = true
	}
	var gone []string
	snap, release = b.Index.Snapshot()
	snap.Files(func(f *File) bool {
		if !seen[f.Path] && !f.Open {
			gone = append(gone, f.Path)
		}
		return true
	})
	release()
	b.Index.Remove(gone...)
	st.Removed = len(gone)
	return st, nil
}

// fileFor returns the facts of s: the cached ones when s is unchanged,
// otherwise fresh ones. hit reports a cache hit. A file that cannot be
// read is still returned, known but without facts.
func (b *Builder) fileFor(ctx context.Context, s Stat, old *File, kernel *Kernel, skipped *atomic.Int64) (f *File, hit bool) {
	if old != nil && old.Stat.Same(s) {
		return old, true
	}
	f, hit, err := b.analyzeFile(ctx, s, old, kernel)
	if err != nil {
		if ctx.Err() == nil {
			skipped.Add(1)
			b.logf("index %s: %v", s.Path, err)
		}
		return &File{Stat: s}, false
	}
	return f, hit
}

func (b *Builder) analyzeFile(ctx context.Context, s Stat, old *File, kernel *Kernel) (*File, bool, error) {
	read := b.Read
	if read == nil {
		read = ReadDisk
	}
	src, err := read(s.Path)
	if err != nil {
		return nil, false, err
	}
	if old != nil && old.Hash == Hash(src) && old.Size == int64(len(src)) {
		// Same content, new stat (touched, copied): the facts still hold.
		// The size must agree too: the cache validated the facts' spans
		// against the size it recorded, not against this text.
		cp := *old
		cp.Stat = s
		return &cp, true, nil
	}
	f, err := AnalyzeWith(ctx, s, src, WantsFullFacts(s.Path, kernel), b.Crates)
	return f, false, err
}

// WantsFullFacts reports whether a C file is parsed whole rather than by
// declaration: the helpers and bindings_helper.h, small and all relevant.
func WantsFullFacts(path string, k *Kernel) bool {
	return k.IsHelper(path) || (k != nil && path == k.BindingsHelper)
}

func priority(s Stat, k *Kernel) int {
	switch {
	case s.Lang == facts.LangRust:
		return 0
	case WantsFullFacts(s.Path, k):
		return 1
	case strings.Contains(s.Path, "/include/"):
		return 2
	}
	return 3
}

func phaseOf(s Stat) string {
	if s.Lang == facts.LangRust {
		return "rust"
	}
	return "c"
}

func (b *Builder) progress(p Progress) {
	if b.Progress != nil {
		b.Progress(p)
	}
}

func (b *Builder) logf(format string, args ...any) {
	if b.Logf != nil {
		b.Logf(format, args...)
	}
}

// PutDisk publishes files read from disk, except where an editor buffer
// for the same path is open: the buffer's text wins.
func (ix *Index) PutDisk(files ...*File) { ix.put(files, true) }

// StatFile stats one source file as Walk would.
func StatFile(path string) (Stat, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Stat{}, err
	}
	lang, ok := LangOf(path)
	if !ok || !fi.Mode().IsRegular() {
		return Stat{}, fmt.Errorf("%s: not a C or Rust source file", path)
	}
	st := Stat{Path: filepath.ToSlash(path), Lang: lang, Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.Inode = sys.Ino
	}
	return st, nil
}
