// Package cfacts extracts what a C file declares and does (facts.C) from a
// tree-sitter parse: functions with structured types, annotations and
// kernel-doc, records, typedefs, macros, globals, enumerators, includes,
// cleanup.h declarations, and for each function body its calls and a
// summary of what matters to lifecycles (ERR_PTR returns, sleeping,
// parameters kept beyond the call, kref releases).
//
// Kernel C often parses with ERROR nodes (see DESIGN §6). Extraction never
// fails on them: it reads the declarations around and inside them, and
// reads macros from the text, because the grammar loses a macro body at
// its first comment.
package cfacts

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/rivet-lsp/rivet/analysis/facts"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// Extract returns the facts of a whole C file. Spans are byte offsets into
// tree.Source(). A nil tree or a tree of another language has no facts.
func Extract(tree *ts.Tree) *facts.C {
	out := &facts.C{}
	if tree == nil || tree.Language() != ts.C {
		return out
	}
	x := &extractor{text: tree.Source(), full: tree.Source(), anns: tree.Annotations(), out: out}
	x.run(tree.Root())
	return out
}

// ExtractSpans returns the facts of the declarations of src at spans, each
// parsed on its own, so that the facts of a few functions of a large file
// cost only their own size. Each span must be a complete file-scope
// declaration (a prototype, a function definition, a struct, a typedef, a
// macro) as the cheap scanner finds them; the facts are those Extract gives
// for the same declarations, in src's coordinates and source order. The
// error is ctx's, or a span outside src.
func ExtractSpans(ctx context.Context, src []byte, spans []facts.Span) (*facts.C, error) {
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(a, b facts.Span) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	for _, s := range sorted {
		if s.Start > s.End || int(s.End) > len(src) {
			return nil, fmt.Errorf("cfacts: span [%d, %d) outside a %d-byte file", s.Start, s.End, len(src))
		}
	}
	out := &facts.C{}
	for _, s := range sorted {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		text := src[s.Start:s.End]
		tree, err := ts.Parse(ctx, ts.C, text)
		if err != nil {
			return nil, fmt.Errorf("cfacts: parse [%d, %d): %w", s.Start, s.End, err)
		}
		x := &extractor{text: text, full: src, base: s.Start, anns: tree.Annotations(), out: out}
		x.run(tree.Root())
		tree.Close()
	}
	return out, nil
}

// extractor accumulates the facts of one parsed text: a whole file, or one
// declaration cut from it. Node offsets are in the parsed text; facts are
// in the file's (base added).
type extractor struct {
	text []byte      // the parsed text, unmasked
	full []byte      // the whole file, for kernel-doc above a cut declaration
	base uint32      // offset of text in full
	anns annotations // what the mask blanked in text, in text coordinates
	out  *facts.C

	// skipUntil: top-level nodes starting before it lie inside a macro
	// already read from the text.
	skipUntil uint32
	// excluded are macro definitions and function bodies: a cleanup macro
	// named there is not a file-scope declaration.
	excluded []facts.Span
	nesting  int // function types being read inside one another
}

func (x *extractor) run(root ts.Node) {
	for _, a := range x.anns {
		x.out.Annotations = append(x.out.Annotations, facts.Annotation{Name: a.Name, Args: a.Args, Span: x.spanOf(a.Start, a.End)})
	}
	x.items(root, 0)
	slices.SortFunc(x.excluded, func(a, b facts.Span) int { return cmp.Compare(a.Start, b.Start) })
	for _, a := range x.anns {
		if isCleanup(a.Name) && !x.isExcluded(a.Start) {
			x.out.Cleanups = append(x.out.Cleanups, cleanup(facts.Annotation{Name: a.Name, Args: a.Args, Span: x.spanOf(a.Start, a.End)}))
		}
	}
}

// items reads the file-scope items among parent's children. lead is where
// the first child's leading region starts: annotations the mask blanked
// between one item and the next belong to the next (`__rust_helper int
// f(void)` parses as a declaration starting at `int`).
func (x *extractor) items(parent ts.Node, lead uint32) {
	for _, c := range children(parent) {
		if c.StartByte() >= x.skipUntil {
			x.item(c, lead)
		}
		lead = c.EndByte()
	}
}

func (x *extractor) item(n ts.Node, lead uint32) {
	switch n.Kind() {
	case ts.CKindFunctionDefinition, ts.CKindDeclaration:
		x.declaration(n, lead)
	case ts.CKindTypeDefinition:
		x.typedef(n)
	case ts.CKindStructSpecifier, ts.CKindUnionSpecifier, ts.CKindEnumSpecifier:
		x.record(n, n.StartByte())
	case ts.CKindPreprocDef, ts.CKindPreprocFunctionDef:
		x.macro(n)
	case ts.CKindPreprocInclude:
		x.include(n)
	case ts.CKindPreprocIf, ts.CKindPreprocIfdef, ts.CKindPreprocElse, ts.CKindPreprocElif,
		ts.CKindPreprocElifdef, ts.CKindLinkageSpecification, ts.CKindDeclarationList:
		x.items(n, n.StartByte())
	default:
		switch {
		case n.IsError():
			x.items(n, lead)
		case !n.IsNamed() && n.StartByte() < uint32(len(x.text)) && x.text[n.StartByte()] == '#':
			// A `#define` token the grammar left inside an ERROR.
			x.macro(n)
		}
	}
}

// isExcluded reports whether off lies in a macro definition or a function
// body. x.excluded must be sorted; its spans do not overlap.
func (x *extractor) isExcluded(off uint32) bool {
	i, _ := slices.BinarySearchFunc(x.excluded, off, func(s facts.Span, off uint32) int { return cmp.Compare(s.Start, off+1) })
	return i > 0 && x.excluded[i-1].Contains(off)
}

// span is n's span in the file.
func (x *extractor) span(n ts.Node) facts.Span {
	if n.IsNull() {
		return facts.Span{}
	}
	return x.spanOf(n.StartByte(), n.EndByte())
}

func (x *extractor) spanOf(start, end uint32) facts.Span {
	return facts.Span{Start: x.base + start, End: x.base + end}
}

// bytes is n's original text without copying it.
func (x *extractor) bytes(n ts.Node) []byte {
	s, e := n.StartByte(), n.EndByte()
	if n.IsNull() || s > e || int(e) > len(x.text) {
		return nil
	}
	return x.text[s:e]
}

// doc is the kernel-doc comment right above text offset off.
func (x *extractor) doc(off uint32) (string, facts.Span) {
	return kernelDoc(x.full, x.base+off)
}
