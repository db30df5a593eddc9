package analysis

import (
	"context"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/cfacts"
	"github.com/rivet-lsp/rivet/analysis/cscan"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/rustfacts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// Document is an open editor buffer: its text, its syntax tree (re-parsed
// incrementally on every change) and the facts derived from them.
type Document struct {
	Path string
	Lang facts.Lang

	mu      sync.Mutex
	version int32
	text    []byte
	tree    *treesitter.Tree
	file    *index.File
}

// Version is the editor's version of the text.
func (d *Document) Version() int32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.version
}

// Text is the current text. Callers must not modify it.
func (d *Document) Text() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.text
}

// File is the document's facts as an index file.
func (d *Document) File() *index.File {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.file
}

// WithTree calls fn with the document's current tree and text, holding
// the document so the tree cannot change or be freed meanwhile.
func (d *Document) WithTree(fn func(tree *treesitter.Tree, f *index.File)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tree != nil {
		fn(d.tree, d.file)
	}
}

func (d *Document) update(ctx context.Context, version int32, text []byte, crates []string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	lang := treesitter.C
	if d.Lang == facts.LangRust {
		lang = treesitter.Rust
	}
	var tree *treesitter.Tree
	var err error
	if d.tree != nil {
		tree, err = d.tree.Reparse(ctx, text)
	} else {
		tree, err = treesitter.Parse(ctx, lang, text)
	}
	if err != nil {
		return err
	}
	f := &index.File{Stat: index.Stat{Path: d.Path, Lang: d.Lang, Size: int64(len(text))}, Hash: index.Hash(text), Open: true}
	switch d.Lang {
	case facts.LangC:
		f.Scan = cscan.Scan(text)
		f.C = cfacts.Extract(tree)
		f.CSpans = []facts.Span{{Start: 0, End: uint32(len(text))}}
	case facts.LangRust:
		f.Rust = rustfacts.ExtractWith(tree, crates)
	}
	if d.tree != nil {
		d.tree.Close()
	}
	d.tree, d.text, d.version, d.file = tree, text, version, f
	return nil
}

func (d *Document) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tree != nil {
		d.tree.Close()
		d.tree = nil
	}
}
