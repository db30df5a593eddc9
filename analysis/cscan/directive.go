package cscan

import (
	"bytes"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// directive handles the preprocessor line whose `#` is at s.i. It leaves
// s.i at the newline ending the line, or, after a dead group was skipped,
// at the `#` of the directive that ends the group.
func (s *scanner) directive() {
	src := s.src
	start := s.i
	j := skipBlank(src, start+1)
	k := j
	if j < len(src) && class[src[j]] == cIdent {
		k, _ = scanIdent(src, j)
	}
	end := lineEnd(src, k)
	s.i, s.lineStart = end, false
	pos := uint32(start)
	switch string(src[j:k]) {
	case "define":
		s.define(start, k, end)
	case "include", "include_next", "import":
		s.include(k, end)
	case "if":
		s.condIf(condValue(src, k, end))
	case "ifdef", "ifndef":
		s.condIf(condUnknown)
	case "elif":
		s.condElse(pos, condValue(src, k, end))
	case "elifdef", "elifndef", "else":
		s.condElse(pos, condUnknown)
	case "endif":
		s.condEnd(pos)
	}
}

// define records `#define NAME` or `#define NAME(` over the logical line
// [start, end).
func (s *scanner) define(start, k, end int) {
	src := s.src
	p := skipBlank(src, k)
	if p >= end || class[src[p]] != cIdent {
		return
	}
	e, spliced := scanIdent(src, p)
	d := pdecl{kind: facts.DeclMacro, name0: uint32(p), nameEnd: uint32(e), spliced: spliced,
		span: facts.Span{Start: uint32(start), End: uint32(end)}}
	if q := skipSplices(src, e); q < len(src) && src[q] == '(' {
		d.flags = facts.FlagFuncLike
	}
	s.addDecl(d)
}

// include records the `<...>` or `"..."` operand of an #include, with its
// delimiters. Computed includes (`#include FOO_H`) are left out.
func (s *scanner) include(k, end int) {
	src := s.src
	p := skipBlank(src, k)
	if p >= end {
		return
	}
	closing := byte('>')
	switch src[p] {
	case '<':
	case '"':
		closing = '"'
	default:
		return
	}
	if q := bytes.IndexByte(src[p+1:end], closing); q >= 0 {
		s.includes = append(s.includes, pspan{uint32(p), uint32(p + 1 + q + 1)})
	}
}

// condValue reads an #if or #elif condition that is a literal 0 or 1.
func condValue(src []byte, k, end int) condState {
	p := skipBlank(src, k)
	if p >= end || (src[p] != '0' && src[p] != '1') {
		return condUnknown
	}
	q := skipNumber(src, p)
	if q != p+1 {
		return condUnknown
	}
	if r := skipBlank(src, q); r < end && src[r] != '/' {
		return condUnknown // more expression; a `/` here starts a // comment
	}
	if src[p] == '0' {
		return condFalse
	}
	return condTrue
}

// skipGroup skips a dead conditional group (`#if 0`) from s.i up to the
// `#` of the #elif, #else or #endif that ends it, nested groups included.
func (s *scanner) skipGroup() {
	src := s.src
	n := len(src)
	i, ls, level := s.i, false, 0
	for i < n {
		c := src[i]
		switch class[c] {
		case cNewline:
			i, ls = i+1, true
		case cSpace:
			i++
		case cBackslash:
			if j := skipSplices(src, i); j > i {
				i = j
			} else {
				i, ls = i+1, false
			}
		case cSlash:
			j := skipSplices(src, i+1)
			switch {
			case j < n && src[j] == '*':
				i = skipBlockComment(src, j+1)
			case j < n && src[j] == '/':
				i = skipLineComment(src, j+1)
			default:
				i, ls = i+1, false
			}
		case cQuote, cApos:
			i, ls = skipQuoted(src, i+1, c), false
		case cHash:
			if !ls {
				i++
				continue
			}
			j := skipBlank(src, i+1)
			k := j
			if j < n && class[src[j]] == cIdent {
				k, _ = scanIdent(src, j)
			}
			switch string(src[j:k]) {
			case "if", "ifdef", "ifndef":
				level++
			case "endif":
				if level == 0 {
					s.i, s.lineStart = i, true
					return
				}
				level--
			case "else", "elif", "elifdef", "elifndef":
				if level == 0 {
					s.i, s.lineStart = i, true
					return
				}
			}
			i, ls = lineEnd(src, k), false
		default:
			i, ls = i+1, false
		}
	}
	s.i = n
}
