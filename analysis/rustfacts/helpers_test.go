package rustfacts

import (
	"context"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// extract parses src and returns its facts.
func extract(t testing.TB, src string) *facts.Rust {
	t.Helper()
	tree, err := treesitter.Parse(context.Background(), treesitter.Rust, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	return Extract(tree)
}

// at is the span of the first occurrence of text in src.
func at(t testing.TB, src, text string) facts.Span {
	t.Helper()
	return atNth(t, src, text, 0)
}

// atNth is the span of occurrence n (from 0) of text in src.
func atNth(t testing.TB, src, text string, n int) facts.Span {
	t.Helper()
	off := 0
	for ; n >= 0; n-- {
		i := strings.Index(src[off:], text)
		if i < 0 {
			t.Fatalf("%q not in source", text)
		}
		off += i
		if n > 0 {
			off += len(text)
		}
	}
	return facts.Span{Start: uint32(off), End: uint32(off + len(text))}
}

// inside is the span of the first occurrence of text inside the first
// occurrence of context.
func inside(t testing.TB, src, context, text string) facts.Span {
	t.Helper()
	c := at(t, src, context)
	i := strings.Index(src[c.Start:c.End], text)
	if i < 0 {
		t.Fatalf("%q not in %q", text, context)
	}
	return facts.Span{Start: c.Start + uint32(i), End: c.Start + uint32(i+len(text))}
}

// from is the span from the first occurrence of start to the end of the
// first occurrence of end after it.
func from(t testing.TB, src, start, end string) facts.Span {
	t.Helper()
	s := at(t, src, start)
	e := strings.Index(src[s.Start:], end)
	if e < 0 {
		t.Fatalf("%q not after %q", end, start)
	}
	return facts.Span{Start: s.Start, End: s.Start + uint32(e+len(end))}
}

// refView is a binding reference with its spans shown as the text they
// cover and its enclosing fn by name, so expectations read like code.
type refView struct {
	Name string
	At   string // source text of Span
	Path string // source text of PathSpan
	Kind facts.RefKind
	Fn   string // enclosing fn's name, "" outside one
}

func refViews(src string, r *facts.Rust) []refView {
	var out []refView
	for _, b := range r.BindingRefs {
		out = append(out, refView{
			Name: b.Name,
			At:   src[b.Span.Start:b.Span.End],
			Path: src[b.PathSpan.Start:b.PathSpan.End],
			Kind: b.Kind,
			Fn:   fnName(r, b.Fn),
		})
	}
	return out
}

// callView is a call with its span shown as text and its fn by name.
type callView struct {
	Callee string
	Method bool
	Recv   string
	Text   string
	Fn     string
}

func callViews(src string, r *facts.Rust) []callView {
	var out []callView
	for _, c := range r.Calls {
		out = append(out, callView{
			Callee: c.Callee, Method: c.Method, Recv: c.Recv,
			Text: src[c.Span.Start:c.Span.End], Fn: fnName(r, c.Fn),
		})
	}
	return out
}

func fnName(r *facts.Rust, i int) string {
	if i < 0 {
		return ""
	}
	return r.Fns[i].Name
}

const (
	call  = facts.RefCall
	typ   = facts.RefType
	value = facts.RefValue
)
