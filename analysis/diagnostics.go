package analysis

import (
	"context"
	"slices"

	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/rules"
	"github.com/rivet-lsp/rivet/treesitter"
)

// FileDiagnostics are the reports of one file at one version of its text.
type FileDiagnostics struct {
	Path string
	// Open is set when the text is an open document's; Version is then
	// the editor's version of it.
	Open    bool
	Version int32
	// Text is the text the spans of Diags refer to. It must not be
	// modified.
	Text  []byte
	Diags []rules.Diagnostic
}

// DiagnoseOptions configure Diagnose.
type DiagnoseOptions struct {
	// Config is the configuration in force; nil means the defaults.
	Config *config.Config
	// Partial says the index does not hold the whole tree yet (a build is
	// running, or there are no roots): reports that claim something is
	// absent from the tree are held back, since it may only be not yet
	// indexed.
	Partial bool
}

// Diagnose runs the enabled rules on one file, as Check does on every
// file: on the open document's current text and tree when the file is
// open, else on the disk's text when the index knows the file and rules
// apply to it (Rust files, C files with whole-file facts). Other files
// have no diagnostics. It answers from what the index knows now, even
// while a build runs.
func (w *Workspace) Diagnose(ctx context.Context, path string, opts DiagnoseOptions) (FileDiagnostics, error) {
	res, err := w.diagnose(ctx, path, opts.Config)
	if opts.Partial {
		res.Diags = slices.DeleteFunc(res.Diags, func(d rules.Diagnostic) bool {
			r := rules.ByCode(d.Code)
			return r != nil && r.ReportsAbsence
		})
	}
	return res, err
}

func (w *Workspace) diagnose(ctx context.Context, path string, cfg *config.Config) (FileDiagnostics, error) {
	res := FileDiagnostics{Path: path}
	if d := w.Document(path); d != nil {
		if open, err := w.diagnoseOpen(ctx, d, cfg, &res); open {
			return res, err
		}
	}
	// A file on disk is read and parsed without a read view of the index
	// held, so an edit's publication does not wait for it; if the file is
	// republished meanwhile, the pass starts over.
	for range diskAttempts {
		diags, text, stale, err := w.diagnoseDisk(ctx, path, cfg)
		if !stale {
			res.Diags, res.Text = diags, text
			return res, err
		}
	}
	return res, nil
}

// diagnoseOpen runs the rules over an open document's tree into res;
// open is false when the document was closed meanwhile. The read view it
// takes is released before it returns: a second one taken while it is
// held would deadlock behind a waiting writer.
func (w *Workspace) diagnoseOpen(ctx context.Context, d *Document, cfg *config.Config, res *FileDiagnostics) (open bool, err error) {
	snap, release := w.Index.Snapshot()
	defer release()
	ropts := rules.Options{Config: cfg, Extra: w.extra(snap, cfg)}
	d.WithTree(func(tree *treesitter.Tree, f *index.File) {
		open = true
		res.Open, res.Version, res.Text = true, d.version, tree.Source()
		res.Diags, err = rules.Run(ctx, snap, f, tree, res.Text, ropts)
	})
	return open, err
}

// diskAttempts bounds the passes over a file on disk republished during
// each of them.
const diskAttempts = 3

// diagnoseDisk runs the rules over the disk's text of path; stale: the
// index published another version of it during the pass.
func (w *Workspace) diagnoseDisk(ctx context.Context, path string, cfg *config.Config) (diags []rules.Diagnostic, src []byte, stale bool, err error) {
	snap, release := w.Index.Snapshot()
	f := snap.File(path)
	release()
	if f == nil || !(f.Rust != nil || (f.C != nil && fullFacts(f))) {
		return nil, nil, false, nil
	}
	src, err = index.ReadDisk(path)
	if err != nil || index.Hash(src) != f.Hash {
		return nil, nil, false, err // changed since indexed: the watcher will catch up
	}
	lang := treesitter.C
	if f.Lang == facts.LangRust {
		lang = treesitter.Rust
	}
	tree, err := treesitter.Parse(ctx, lang, src)
	if err != nil {
		return nil, nil, false, err
	}
	defer tree.Close()
	snap, release = w.Index.Snapshot()
	defer release()
	if snap.File(path) != f {
		return nil, nil, true, nil
	}
	diags, err = rules.Run(ctx, snap, f, tree, src, rules.Options{Config: cfg, Extra: w.extra(snap, cfg)})
	return diags, src, false, err
}
