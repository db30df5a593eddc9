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
	snap, release := w.Index.Snapshot()
	defer release()
	ropts := rules.Options{Config: cfg, Extra: w.extra(snap, cfg)}
	res := FileDiagnostics{Path: path}
	if d := w.Document(path); d != nil {
		var err error
		open := false
		d.WithTree(func(tree *treesitter.Tree, f *index.File) {
			open = true
			res.Open, res.Version, res.Text = true, d.version, tree.Source()
			res.Diags, err = rules.Run(ctx, snap, f, tree, res.Text, ropts)
		})
		if open {
			return res, err
		}
	}
	f := snap.File(path)
	if f == nil || !(f.Rust != nil || (f.C != nil && fullFacts(f))) {
		return res, nil
	}
	src, err := index.ReadDisk(path)
	if err != nil || index.Hash(src) != f.Hash {
		return res, err // changed since indexed: the watcher will catch up
	}
	lang := treesitter.C
	if f.Lang == facts.LangRust {
		lang = treesitter.Rust
	}
	tree, err := treesitter.Parse(ctx, lang, src)
	if err != nil {
		return res, err
	}
	defer tree.Close()
	res.Text = src
	res.Diags, err = rules.Run(ctx, snap, f, tree, src, ropts)
	return res, err
}
