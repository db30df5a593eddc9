package analysis

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/rules"
	"github.com/rivet-lsp/rivet/treesitter"
)

// CheckOptions select what Check runs.
type CheckOptions struct {
	Config *config.Config
	// Rules restricts the run to these codes; nil runs every enabled rule.
	Rules []string
	// Progress is called after each checked file.
	Progress func(done, total int)
	// Workers is the number of files checked at once (default 2).
	Workers int
}

// Check runs the rules over every file of the workspace that rules apply
// to: each Rust file, and each C file whose whole text has facts (the
// rust/helpers, bindings_helper.h). It returns the diagnostics sorted by
// path and position, and the errors of files it could not check.
func (w *Workspace) Check(ctx context.Context, opts CheckOptions) ([]rules.Diagnostic, error) {
	snap, release := w.Index.Snapshot()
	defer release()
	// A batch run must not use knowledge of an older generation.
	extra := map[string]any{ExtraLifecycle: w.LifecycleFresh(snap, opts.Config)}
	var files []*index.File
	snap.Files(func(f *index.File) bool {
		if f.Rust != nil || (f.C != nil && fullFacts(f)) {
			files = append(files, f)
		}
		return true
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })

	workers := opts.Workers
	if workers <= 0 {
		workers = 2
	}
	var (
		mu   sync.Mutex
		out  []rules.Diagnostic
		errs []error
		done int
	)
	opt := rules.Options{Config: opts.Config, Rules: opts.Rules, Extra: extra}
	err := forEachFile(ctx, workers, files, func(f *index.File) {
		ds, err := w.checkFile(ctx, snap, f, opt)
		mu.Lock()
		defer mu.Unlock()
		out = append(out, ds...)
		if err != nil {
			errs = append(errs, err)
		}
		done++
		if opts.Progress != nil {
			opts.Progress(done, len(files))
		}
	})
	if err != nil {
		return nil, err
	}
	SortDiagnostics(out)
	return out, errors.Join(errs...)
}

// checkFile parses one file (or uses its open document's tree) and runs
// the rules on it.
func (w *Workspace) checkFile(ctx context.Context, snap *index.Snapshot, f *index.File, opts rules.Options) ([]rules.Diagnostic, error) {
	if d := w.Document(f.Path); d != nil {
		var ds []rules.Diagnostic
		var err error
		d.WithTree(func(tree *treesitter.Tree, df *index.File) {
			ds, err = rules.Run(ctx, snap, df, tree, tree.Source(), opts)
		})
		return ds, err
	}
	src, err := w.Read(f.Path)
	if err != nil {
		return nil, err
	}
	if index.Hash(src) != f.Hash {
		return nil, nil // changed since indexed; the watcher will catch up
	}
	lang := treesitter.C
	if f.Lang == facts.LangRust {
		lang = treesitter.Rust
	}
	tree, err := treesitter.Parse(ctx, lang, src)
	if err != nil {
		return nil, err
	}
	defer tree.Close()
	return rules.Run(ctx, snap, f, tree, src, opts)
}

// fullFacts reports whether a C file's facts cover its whole text.
func fullFacts(f *index.File) bool {
	return len(f.CSpans) == 1 && f.CSpans[0].Start == 0 && int64(f.CSpans[0].End) >= f.Size
}

// extra computes the per-snapshot knowledge rules share.
func (w *Workspace) extra(snap *index.Snapshot, cfg *config.Config) map[string]any {
	return map[string]any{ExtraLifecycle: w.Lifecycle(snap, cfg)}
}

// SortDiagnostics orders diagnostics by path, position and code.
func SortDiagnostics(ds []rules.Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Span.Start != b.Span.Start {
			return a.Span.Start < b.Span.Start
		}
		return a.Code < b.Code
	})
}
