package index

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// Stat is what the walk learns of a file without reading it: enough to
// tell whether cached facts still describe it.
type Stat struct {
	Path    string // absolute, cleaned
	Lang    facts.Lang
	Size    int64
	ModTime int64 // nanoseconds
	Inode   uint64
}

// Same reports whether two stats describe the same file version.
func (s Stat) Same(o Stat) bool {
	return s.Size == o.Size && s.ModTime == o.ModTime && s.Inode == o.Inode
}

// WalkOptions tune a walk.
type WalkOptions struct {
	// Skip, when set, is asked about every directory and file path
	// (absolute, slash-separated); true leaves it out.
	Skip func(path string, dir bool) bool
	// Workers is the number of directories read at once (default 2).
	Workers int
}

// WalkError is a path the walk could not read; it never stops the walk.
type WalkError struct {
	Path string
	Err  error
}

func (e WalkError) Error() string { return e.Path + ": " + e.Err.Error() }

// LangOf returns the language of a source file by extension.
func LangOf(path string) (facts.Lang, bool) {
	switch filepath.Ext(path) {
	case ".c", ".h":
		return facts.LangC, true
	case ".rs":
		return facts.LangRust, true
	}
	return 0, false
}

// Walk lists the C and Rust files under roots, sorted by path. It never
// leaves the roots: symbolic links to directories are not followed (so a
// link loop cannot trap it), and a symbolic link to a file is kept only
// when its target lies inside a root. Hidden directories (.git) are
// skipped. Unreadable directories are reported and skipped.
func Walk(ctx context.Context, roots []string, opts WalkOptions) ([]Stat, []WalkError) {
	workers := opts.Workers
	if workers <= 0 {
		workers = 2
	}
	var clean []string
	for _, r := range roots {
		if abs, err := filepath.Abs(r); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				abs = real
			}
			clean = append(clean, filepath.Clean(abs))
		}
	}
	w := &walker{ctx: ctx, roots: clean, opts: opts}
	dirs := make(chan string, 1024)
	var pending sync.WaitGroup
	var workersDone sync.WaitGroup
	for i := 0; i < workers; i++ {
		workersDone.Add(1)
		go func() {
			defer workersDone.Done()
			for d := range dirs {
				for _, sub := range w.readDir(d) {
					pending.Add(1)
					select {
					case dirs <- sub:
					default:
						// The queue is full: read it here, depth first,
						// rather than block every worker.
						w.drain(sub, &pending)
					}
				}
				pending.Done()
			}
		}()
	}
	for _, r := range clean {
		fi, err := os.Stat(r)
		switch {
		case err != nil:
			w.fail(r, err)
		case fi.IsDir():
			pending.Add(1)
			dirs <- r
		default:
			w.addFile(r, fi)
		}
	}
	pending.Wait()
	close(dirs)
	workersDone.Wait()
	sort.Slice(w.files, func(i, j int) bool { return w.files[i].Path < w.files[j].Path })
	// A file under two overlapping roots is listed once.
	out := w.files[:0]
	for i, f := range w.files {
		if i == 0 || f.Path != w.files[i-1].Path {
			out = append(out, f)
		}
	}
	return out, w.errs
}

type walker struct {
	ctx   context.Context
	roots []string
	opts  WalkOptions

	mu    sync.Mutex
	files []Stat
	errs  []WalkError
}

func (w *walker) drain(dir string, pending *sync.WaitGroup) {
	for _, sub := range w.readDir(dir) {
		pending.Add(1)
		w.drain(sub, pending)
	}
	pending.Done()
}

// readDir records the files of dir and returns its subdirectories.
func (w *walker) readDir(dir string) []string {
	if w.ctx.Err() != nil {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		w.fail(dir, err)
	}
	var subs []string
	for _, e := range ents {
		name := e.Name()
		p := filepath.Join(dir, name)
		switch {
		case e.IsDir():
			if strings.HasPrefix(name, ".") || w.skip(p, true) {
				continue
			}
			subs = append(subs, p)
		case e.Type()&fs.ModeSymlink != 0:
			w.addLink(p)
		case e.Type().IsRegular():
			if _, ok := LangOf(name); !ok || w.skip(p, false) {
				continue
			}
			fi, err := e.Info()
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) { // vanished since ReadDir: not an error
					w.fail(p, err)
				}
				continue
			}
			w.addFile(p, fi)
		}
	}
	return subs
}

func (w *walker) skip(path string, dir bool) bool {
	return w.opts.Skip != nil && w.opts.Skip(filepath.ToSlash(path), dir)
}

// addLink keeps a symbolic link to a regular source file inside a root.
func (w *walker) addLink(p string) {
	if _, ok := LangOf(p); !ok || w.skip(p, false) {
		return
	}
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return // dangling or looping: nothing to index
	}
	if !w.inRoots(target) {
		return
	}
	fi, err := os.Stat(target)
	if err != nil || !fi.Mode().IsRegular() {
		return
	}
	w.addFile(p, fi)
}

func (w *walker) inRoots(p string) bool {
	for _, r := range w.roots {
		if p == r || strings.HasPrefix(p, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

func (w *walker) addFile(p string, fi fs.FileInfo) {
	lang, ok := LangOf(p)
	if !ok {
		return
	}
	st := Stat{Path: filepath.ToSlash(p), Lang: lang, Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.Inode = sys.Ino
	}
	w.mu.Lock()
	w.files = append(w.files, st)
	w.mu.Unlock()
}

func (w *walker) fail(p string, err error) {
	w.mu.Lock()
	w.errs = append(w.errs, WalkError{Path: filepath.ToSlash(p), Err: err})
	w.mu.Unlock()
}
