// Package report prints `rivet check` results: compiler-style text, JSON
// and SARIF 2.1.0. It turns byte spans into lines and columns and paths
// into paths relative to where the user ran rivet.
package report

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

// Source gives a file's text, to turn spans into lines and columns.
type Source func(path string) ([]byte, error)

// Position is a 1-based line and column. Columns count bytes (as gcc and
// rustc do, and as editors' quickfix lists expect); CharColumn counts
// Unicode characters, for SARIF.
type Position struct {
	Line, Column, CharColumn int
}

// Locator maps spans to positions and paths to display paths, caching
// each file's line starts.
type Locator struct {
	src  Source
	base string // paths under base are shown relative to it

	mu    sync.Mutex
	files map[string]*lines
}

type lines struct {
	text   []byte
	starts []int
}

// NewLocator returns a locator reading files through src and showing
// paths relative to base (usually the working directory).
func NewLocator(src Source, base string) *Locator {
	return &Locator{src: src, base: filepath.ToSlash(base), files: map[string]*lines{}}
}

// Display is path as the user should see it: relative to base when under
// it, else absolute.
func (l *Locator) Display(path string) string {
	if l.base != "" {
		if rel, ok := strings.CutPrefix(path, strings.TrimSuffix(l.base, "/")+"/"); ok {
			return rel
		}
	}
	return path
}

// Pos returns the position of byte offset off in path. Unreadable files
// give line 1, column off+1.
func (l *Locator) Pos(path string, off uint32) Position {
	f := l.file(path)
	if f == nil {
		return Position{Line: 1, Column: int(off) + 1, CharColumn: int(off) + 1}
	}
	o := min(int(off), len(f.text))
	i := sort.Search(len(f.starts), func(i int) bool { return f.starts[i] > o }) - 1
	col := o - f.starts[i]
	return Position{Line: i + 1, Column: col + 1, CharColumn: utf8.RuneCount(f.text[f.starts[i]:o]) + 1}
}

// Span returns the start and end positions of s in path.
func (l *Locator) Span(path string, s facts.Span) (Position, Position) {
	return l.Pos(path, s.Start), l.Pos(path, s.End)
}

func (l *Locator) file(path string) *lines {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.files[path]; ok {
		return f
	}
	text, err := l.src(path)
	if err != nil {
		l.files[path] = nil
		return nil
	}
	f := &lines{text: text, starts: []int{0}}
	for i := bytes.IndexByte(text, '\n'); i >= 0; {
		f.starts = append(f.starts, i+1)
		j := bytes.IndexByte(text[i+1:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	l.files[path] = f
	return f
}

// Summary counts diagnostics by severity.
type Summary struct {
	Errors, Warnings, Infos, Hints int
}

// Count tallies ds.
func Count(ds []rules.Diagnostic) Summary {
	var s Summary
	for _, d := range ds {
		switch d.Severity {
		case rules.Error:
			s.Errors++
		case rules.Warning:
			s.Warnings++
		case rules.Info:
			s.Infos++
		case rules.Hint:
			s.Hints++
		}
	}
	return s
}
