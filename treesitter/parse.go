package treesitter

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	sitter "github.com/smacker/go-tree-sitter"
)

// A parser is not safe for concurrent use, so each language keeps a pool.
var parserPools = map[Language]*sync.Pool{
	C:    {New: func() any { return newParser(C) }},
	Rust: {New: func() any { return newParser(Rust) }},
}

func newParser(l Language) *sitter.Parser {
	p := sitter.NewParser()
	p.SetLanguage(l.grammar())
	return p
}

// parseText parses text with a pooled parser, reusing old when it is not nil.
//
// go-tree-sitter cancels a parse by setting the parser's cancellation flag
// from a goroutine watching ctx; if ctx ends just as a parse completes, the
// flag can be left set and that parser then fails every later parse with
// ErrOperationLimit (rivet sets no limit). So a parser whose ctx ended is
// never pooled again, and a parse failing that way is retried once on a
// fresh parser.
func parseText(ctx context.Context, l Language, old *sitter.Tree, text []byte) (*sitter.Tree, error) {
	pool := parserPools[l]
	p := pool.Get().(*sitter.Parser)
	t, err := p.ParseCtx(ctx, old, text)
	if errors.Is(err, sitter.ErrOperationLimit) && ctx.Err() == nil {
		p.Close()
		p = newParser(l)
		t, err = p.ParseCtx(ctx, old, text)
	}
	if ctx.Err() != nil {
		p.Close()
	} else {
		pool.Put(p)
	}
	return t, err
}

// Tree is one parsed file: the syntax tree of the masked text, the original
// text, and the annotations the mask removed. A Tree is not safe for
// concurrent use; Close it when done (a finalizer frees it otherwise, late).
type Tree struct {
	lang        Language
	src         []byte // original text; never modified
	masked      []byte // what the grammar saw: src with annotations blanked
	annotations []Annotation
	raw         bool     // parsed without masking (ParseRaw)
	tooDeep     bool     // nested deeper than MaxDepth: the tree is of a blank text
	lineStarts  []uint32 // offsets of line starts, built by the first LineOf
	t           *sitter.Tree
}

// Parse masks and parses src. It fails only when ctx is cancelled: syntax
// errors are ERROR nodes in the tree, not errors. src must not be modified
// while the tree is in use.
func Parse(ctx context.Context, lang Language, src []byte) (*Tree, error) {
	masked, anns := Mask(lang, src)
	return parse(ctx, lang, src, masked, anns, false)
}

// ParseRaw parses src exactly as written, without masking: Masked is
// Source and Annotations is empty, and so are those of the trees Reparse
// derives from it. It is for measuring what the mask buys.
func ParseRaw(ctx context.Context, lang Language, src []byte) (*Tree, error) {
	return parse(ctx, lang, src, src, nil, true)
}

func parse(ctx context.Context, lang Language, src, masked []byte, anns []Annotation, raw bool) (*Tree, error) {
	t, err := parseText(ctx, lang, nil, masked)
	if err != nil {
		return nil, err
	}
	return guardDepth(ctx, &Tree{lang: lang, src: src, masked: masked, annotations: anns, raw: raw, t: t})
}

// guardDepth replaces a tree nesting deeper than MaxDepth by the tree of
// its blank text (see MaxDepth).
func guardDepth(ctx context.Context, t *Tree) (*Tree, error) {
	if !tooDeep(t.t, len(t.masked)) {
		return t, nil
	}
	t.t.Close()
	masked := blank(t.masked)
	bt, err := parseText(ctx, t.lang, nil, masked)
	if err != nil {
		return nil, err
	}
	t.t, t.masked, t.annotations, t.tooDeep = bt, masked, nil, true
	return t, nil
}

// Reparse returns a tree for newSrc, reusing the unchanged parts of t.
// The edit is found by comparing the old and new masked texts, so it is
// exact even when an edit changes how text far from it is masked (opening
// a comment, say), and several LSP content changes fold into one edit.
// t stays valid and must still be closed by its owner.
func (t *Tree) Reparse(ctx context.Context, newSrc []byte) (*Tree, error) {
	masked, anns := newSrc, []Annotation(nil)
	if !t.raw {
		masked, anns = Mask(t.lang, newSrc)
	}
	old := t.t.Copy()
	defer old.Close()
	if e, changed := diffEdit(t.masked, masked); changed {
		old.Edit(e)
	}
	nt, err := parseText(ctx, t.lang, old, masked)
	if err != nil {
		return nil, err
	}
	return guardDepth(ctx, &Tree{lang: t.lang, src: newSrc, masked: masked, annotations: anns, raw: t.raw, t: nt})
}

// diffEdit describes the change from a to b as one tree-sitter edit: the
// common prefix and suffix stay, the middle is replaced.
//
// go-tree-sitter's EditInput passes OldEndPoint where tree-sitter expects
// the new end point. Only nodes the edit touches get a wrong point, and
// those are marked changed and re-lexed, so reparsed trees still match
// full parses position for position (TestReparseMatchesFullParse and
// FuzzReparse check exactly that).
func diffEdit(a, b []byte) (sitter.EditInput, bool) {
	if bytes.Equal(a, b) {
		return sitter.EditInput{}, false
	}
	n := min(len(a), len(b))
	pre := 0
	for pre < n && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < n-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	return sitter.EditInput{
		StartIndex:  uint32(pre),
		OldEndIndex: uint32(len(a) - suf),
		NewEndIndex: uint32(len(b) - suf),
		StartPoint:  pointAt(a, pre),
		OldEndPoint: pointAt(a, len(a)-suf),
		NewEndPoint: pointAt(b, len(b)-suf),
	}, true
}

// pointAt is the row and byte column of offset off in text.
func pointAt(text []byte, off int) sitter.Point {
	row := bytes.Count(text[:off], []byte{'\n'})
	col := off
	if i := bytes.LastIndexByte(text[:off], '\n'); i >= 0 {
		col = off - i - 1
	}
	return sitter.Point{Row: uint32(row), Column: uint32(col)}
}

// Root is the root node of the tree.
func (t *Tree) Root() Node { return wrap(t.t.RootNode(), t.src) }

// Language is the grammar the tree was parsed with.
func (t *Tree) Language() Language { return t.lang }

// Source is the original text.
func (t *Tree) Source() []byte { return t.src }

// Masked is the text the grammar parsed: Source with annotations blanked.
// It has the same length and line structure as Source.
func (t *Tree) Masked() []byte { return t.masked }

// Annotations are the spans the mask blanked, in source order.
func (t *Tree) Annotations() []Annotation { return t.annotations }

// LineOf returns the zero-based line of byte offset off in Source; an
// offset past the end is on the last line. The first call indexes the
// line starts, so later calls cost a binary search.
func (t *Tree) LineOf(off uint32) uint32 {
	if t.lineStarts == nil {
		t.lineStarts = append(t.lineStarts, 0)
		for i, b := range t.src {
			if b == '\n' {
				t.lineStarts = append(t.lineStarts, uint32(i+1))
			}
		}
	}
	return uint32(sort.Search(len(t.lineStarts), func(i int) bool { return t.lineStarts[i] > off }) - 1)
}

// TooDeep reports whether the text nested deeper than MaxDepth, so the
// tree is that of a blank text of the same length.
func (t *Tree) TooDeep() bool { return t.tooDeep }

// HasError reports whether the tree holds any ERROR or MISSING node.
func (t *Tree) HasError() bool { return t.Root().HasError() }

// Close frees the tree's C memory. Nodes of a closed tree must not be used.
func (t *Tree) Close() {
	if t != nil && t.t != nil {
		t.t.Close()
		if len(t.src) >= trimAfter {
			trimSoon()
		}
	}
}

// trimAfter is the text size from which closing a tree gives the C heap's
// free pages back: a large tree's nodes leave holes malloc keeps.
const trimAfter = 1 << 20

var trimming atomic.Bool

// trimSoon releases the C heap's free pages in the background, once for
// any number of trees closed meanwhile.
func trimSoon() {
	if trimming.Swap(true) {
		return
	}
	time.AfterFunc(time.Second, func() {
		trimming.Store(false)
		releaseFreed()
	})
}
