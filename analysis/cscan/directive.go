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
	s.i = end
	pos := uint32(start)
	switch string(src[j:k]) {
	case "define":
		s.define(start, k, end)
	case "include", "include_next", "import":
		s.include(k, end)
	case "if":
		s.condIf(condValue(src, k, end))
	case "ifdef":
		s.condIf(assemblyCond(src, k, end, condFalse))
	case "ifndef":
		s.condIf(assemblyCond(src, k, end, condTrue))
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

// assemblyCond returns v for `#ifdef __ASSEMBLY__` (or `#ifndef`): kernel
// headers shared with .S files keep assembly there, and C code is never
// compiled with __ASSEMBLY__ defined.
func assemblyCond(src []byte, k, end int, v condState) condState {
	p := skipBlank(src, k)
	if p < end && class[src[p]] == cIdent {
		e, _ := scanIdent(src, p)
		if isAssemblyMacro(src[p:e]) && skipBlank(src, e) >= end {
			return v
		}
	}
	return condUnknown
}

func isAssemblyMacro(name []byte) bool {
	return string(name) == "__ASSEMBLY__" || string(name) == "__ASSEMBLER__"
}

// condValue reads an #if or #elif condition that is a literal 0 or 1, or
// `defined(__ASSEMBLY__)` and its negation (see assemblyCond).
func condValue(src []byte, k, end int) condState {
	if v := definedAssembly(src, k, end); v != condUnknown {
		return v
	}
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

// definedAssembly reads `defined(__ASSEMBLY__)`, `defined __ASSEMBLY__`
// and their negations with `!`.
func definedAssembly(src []byte, k, end int) condState {
	p := skipBlank(src, k)
	v := condFalse
	if p < end && src[p] == '!' {
		v = condTrue
		p = skipBlank(src, p+1)
	}
	if p >= end || class[src[p]] != cIdent {
		return condUnknown
	}
	e, _ := scanIdent(src, p)
	if string(src[p:e]) != "defined" {
		return condUnknown
	}
	p = skipBlank(src, e)
	paren := p < end && src[p] == '('
	if paren {
		p = skipBlank(src, p+1)
	}
	if p >= end || class[src[p]] != cIdent {
		return condUnknown
	}
	e, _ = scanIdent(src, p)
	if !isAssemblyMacro(src[p:e]) {
		return condUnknown
	}
	p = skipBlank(src, e)
	if paren {
		if p >= end || src[p] != ')' {
			return condUnknown
		}
		p = skipBlank(src, p+1)
	}
	if p < end {
		return condUnknown // a longer condition
	}
	return v
}

// skipGroup skips a dead conditional group (`#if 0`) from s.i up to the
// `#` of the #elif, #else or #endif that ends it, nested groups included.
func (s *scanner) skipGroup() {
	src := s.src
	n := len(src)
	i, level := s.i, 0
	for i < n {
		c := src[i]
		switch class[c] {
		case cSlash:
			j := skipSplices(src, i+1)
			switch {
			case j < n && src[j] == '*':
				i = skipBlockComment(src, j+1)
			case j < n && src[j] == '/':
				i = skipLineComment(src, j+1)
			default:
				i++
			}
		case cQuote, cApos:
			i = skipQuoted(src, i+1, c)
		case cHash:
			if !s.atLineStart(i) {
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
					s.i = i
					return
				}
				level--
			case "else", "elif", "elifdef", "elifndef":
				if level == 0 {
					s.i = i
					return
				}
			}
			i = lineEnd(src, k)
		default:
			i++
		}
	}
	s.i = n
}
