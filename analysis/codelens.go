package analysis

import (
	"context"
	"fmt"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// CodeLens is a count shown above a function whose uses cross the
// boundary, with the places it counts.
type CodeLens struct {
	Span  facts.Span // the function's name
	Title string     // "used from Rust: 3", "called from C: 1"
	Uses  []Location
}

// CodeLenses returns the lenses of the file at path: in C, on every
// function or function-like macro (prototype, definition, helper) that
// Rust uses, "used from Rust: N" counting `bindings::` uses and calls
// of extern items (a helper counts the uses of the name it gives Rust);
// in Rust, on every fn exported to C, "called from C: N" counting the
// calls in C function bodies.
func (w *Workspace) CodeLenses(ctx context.Context, path string) ([]CodeLens, error) {
	snap, release := w.Index.Snapshot()
	defer release()
	_, f, err := w.source(ctx, snap, path)
	if err != nil || f == nil {
		return nil, err
	}
	if f.Rust != nil {
		return w.exportLenses(ctx, snap, f)
	}
	return w.cLenses(snap, f), nil
}

// cLenses are the "used from Rust" lenses of a C file.
func (w *Workspace) cLenses(snap *index.Snapshot, f *index.File) []CodeLens {
	var out []CodeLens
	for _, d := range f.Decls() {
		if d.Kind != facts.DeclFunc && !(d.Kind == facts.DeclMacro && d.Has(facts.FlagFuncLike)) {
			continue
		}
		name := d.Name
		if x, ok := strings.CutPrefix(name, link.HelperPrefix); ok && x != "" {
			name = x
		}
		var uses []Location
		for _, r := range link.RustUses(snap, name) {
			uses = append(uses, Location{Path: r.File.Path, Span: r.Ref.Span})
		}
		for _, c := range w.externCalls(snap, name) {
			uses = append(uses, Location{Path: c.file.Path, Span: c.span})
		}
		if len(uses) == 0 {
			continue
		}
		out = append(out, CodeLens{
			Span:  facts.Span{Start: d.Name0, End: d.Name0 + uint32(len(d.Name))},
			Title: fmt.Sprintf("used from Rust: %d", len(uses)),
			Uses:  uses,
		})
	}
	return out
}

// exportLenses are the "called from C" lenses of a Rust file.
func (w *Workspace) exportLenses(ctx context.Context, snap *index.Snapshot, f *index.File) ([]CodeLens, error) {
	var out []CodeLens
	for i := range f.Rust.Fns {
		fn := &f.Rust.Fns[i]
		sym := fn.Symbol()
		if sym == "" || fn.ExternBlock >= 0 {
			continue
		}
		calls, err := w.cCallSites(ctx, snap, sym)
		if err != nil {
			return nil, err
		}
		l := CodeLens{Span: fn.NameSpan, Title: fmt.Sprintf("called from C: %d", len(calls))}
		for _, c := range calls {
			l.Uses = append(l.Uses, Location{Path: c.path, Span: c.span})
		}
		out = append(out, l)
	}
	return out, nil
}
