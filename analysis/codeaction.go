package analysis

import (
	"context"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

// CodeActions returns the diagnostics of the file at path whose span
// touches a range, each with its fixes (rules.Fix: titled edits, possibly
// in other files). It recomputes the diagnostics as Diagnose does, with
// the same options, rather than trusting a client's copy, which may be
// stale. The range is given by
// rangeOf, called with the text the diagnostics refer to, because the
// caller's positions only become byte offsets against that text. A
// diagnostic touches the range when they overlap or meet, so a cursor at
// either end of a report finds it. Diagnostics without fixes are left out.
func (w *Workspace) CodeActions(ctx context.Context, path string, opts DiagnoseOptions, rangeOf func(text []byte) facts.Span) (FileDiagnostics, error) {
	res, err := w.Diagnose(ctx, path, opts)
	if res.Text == nil {
		return res, err
	}
	span := rangeOf(res.Text)
	kept := res.Diags[:0:0]
	for _, d := range res.Diags {
		if len(d.Fixes) > 0 && touches(d.Span, span) {
			kept = append(kept, d)
		}
	}
	res.Diags = kept
	return res, err
}

// touches reports whether two spans overlap or meet.
func touches(a, b facts.Span) bool {
	return a.Start <= b.End && b.Start <= a.End
}

// FixEdits groups the edits of a fix by file, in their order, files in
// the order they first appear: the shape of a workspace edit.
func FixEdits(fix rules.Fix) (paths []string, edits map[string][]rules.Edit) {
	edits = map[string][]rules.Edit{}
	for _, e := range fix.Edits {
		if _, ok := edits[e.Path]; !ok {
			paths = append(paths, e.Path)
		}
		edits[e.Path] = append(edits[e.Path], e)
	}
	return paths, edits
}
