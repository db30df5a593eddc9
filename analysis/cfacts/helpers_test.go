package cfacts

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// extract parses src as a whole C file and returns its facts.
func extract(t testing.TB, src string) *facts.C {
	t.Helper()
	tree, err := treesitter.Parse(context.Background(), treesitter.C, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	return Extract(tree)
}

// at is the span of the n-th (from 1) occurrence of needle in src.
func at(t testing.TB, src, needle string, n int) facts.Span {
	t.Helper()
	off := 0
	for i := 0; ; i++ {
		j := strings.Index(src[off:], needle)
		if j < 0 {
			t.Fatalf("occurrence %d of %q not in source", n, needle)
		}
		if i == n-1 {
			return facts.Span{Start: uint32(off + j), End: uint32(off + j + len(needle))}
		}
		off += j + len(needle)
	}
}

// first is the span of the first occurrence of needle in src.
func first(t testing.TB, src, needle string) facts.Span { return at(t, src, needle, 1) }

// between spans from the start of from's first occurrence to the end of the
// first occurrence of to after it.
func between(t testing.TB, src, from, to string) facts.Span {
	t.Helper()
	s := first(t, src, from)
	e := strings.Index(src[s.Start:], to)
	if e < 0 {
		t.Fatalf("%q not after %q", to, from)
	}
	return facts.Span{Start: s.Start, End: s.Start + uint32(e+len(to))}
}

// within is the span of name inside the first occurrence of context.
func within(t testing.TB, src, context, name string) facts.Span {
	t.Helper()
	c := first(t, src, context)
	i := strings.Index(context, name)
	if i < 0 {
		t.Fatalf("%q not in %q", name, context)
	}
	return facts.Span{Start: c.Start + uint32(i), End: c.Start + uint32(i+len(name))}
}

func diff(t testing.TB, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// Type constructors: each level carries the Text rivet renders for it.

func named(name string) facts.CType {
	return facts.CType{Kind: facts.CTypeNamed, Name: name, Text: name}
}

func namedAs(name, text string) facts.CType {
	return facts.CType{Kind: facts.CTypeNamed, Name: name, Text: text}
}

func constNamed(name string) facts.CType {
	return facts.CType{Kind: facts.CTypeNamed, Name: name, Const: true, Text: "const " + name}
}

func void() facts.CType { return facts.CType{Kind: facts.CTypeVoid, Text: "void"} }

func constVoid() facts.CType {
	return facts.CType{Kind: facts.CTypeVoid, Const: true, Text: "const void"}
}

func strct(tag string) facts.CType {
	return facts.CType{Kind: facts.CTypeRecord, Name: tag, Text: "struct " + tag}
}

func constStruct(tag string) facts.CType {
	return facts.CType{Kind: facts.CTypeRecord, Name: tag, Const: true, Text: "const struct " + tag}
}

func enum(tag string) facts.CType {
	return facts.CType{Kind: facts.CTypeEnum, Name: tag, Text: "enum " + tag}
}

func ptr(elem facts.CType, text string) facts.CType {
	return facts.CType{Kind: facts.CTypePointer, Elem: &elem, Text: text}
}

func array(elem facts.CType, n, text string) facts.CType {
	return facts.CType{Kind: facts.CTypeArray, Elem: &elem, Len: n, Text: text}
}

func fn(ret facts.CType, text string, params ...facts.CType) facts.CType {
	return facts.CType{Kind: facts.CTypeFunc, Func: &facts.CFuncType{Return: ret, Params: params}, Text: text}
}

// param is a parameter whose declaration is the first occurrence of decl,
// or of its part before a `|` (decl|context: the part inside context).
func param(t testing.TB, src, decl, name string, typ facts.CType) facts.CParam {
	t.Helper()
	var span facts.Span
	if d, context, ok := strings.Cut(decl, "|"); ok {
		span = within(t, src, context, d)
	} else {
		span = first(t, src, decl)
	}
	return facts.CParam{Name: name, Type: typ, Span: span}
}
