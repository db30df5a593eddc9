// Package cscan is rivet's cheap whole-tree C pass: a hand-written
// lexer-level scanner that finds the file-scope declarations, includes,
// called names and cleanup.h declarations of a C file without a syntax
// tree, fast enough to run over every file of a kernel tree at start-up
// (DESIGN §8). tree-sitter facts (package cfacts) are computed later, only
// for the declarations that matter.
//
// The scanner reads C as the preprocessor sees it, without expanding
// macros: comments, string and character literals and line continuations
// are lexed exactly; kernel annotations (`__must_check`, `__iomem`,
// `__acquires(x)`, `__attribute__((...))`) are recognised by name. Both
// branches of every #if are read and the declarations of either are kept,
// except in dead groups: `#if 0`, the #else of `#if 1`, and assembly
// (`#ifdef __ASSEMBLY__`). After an #endif the brace state is the one at
// the end of the first live branch, as if every condition were true, so
// braces opened in one branch and closed in another do not derail the
// rest of the file.
//
// What facts.Scan holds, precisely:
//   - Decls are sorted by Name0. A function's Span runs from its first
//     token (after the previous `;`, `}`, directive or comment, and after
//     macro invocations written without `;` before it) to the end of its
//     `;` or body; a macro's from its `#` to the end of its last
//     continuation line; a struct, union or enum's to its closing brace;
//     an enumerator's over its name and value. Declarators sharing a
//     statement (`int a, b;`) share its span.
//   - Includes are the `<...>` and `"..."` operands as written, with
//     their delimiters; computed includes (`#include FOO_H`) are left out.
//   - Callees are the names called in function bodies, sorted and
//     distinct.
//   - Cleanups are the cleanup.h invocations at file scope, arguments
//     split at top-level commas, comments dropped and blanks collapsed.
//
// Choices where C and the kernel's macros leave room:
//   - a definition whose only declarator is a macro invocation with no
//     type before it (`SYSCALL_DEFINE3(open, ...) { ... }`,
//     `BPF_CALL_2(...) { ... }`) is recorded as it looks: a function named
//     after the macro; `int FN(name)(args)` reads as the function `name`;
//   - a file-scope macro invocation ended by `;` (`EXPORT_SYMBOL(foo);`,
//     `static DEFINE_MUTEX(m);`) declares nothing, and neither do
//     invocations glued without `;` to the next declaration;
//   - `context_lock_struct(name) { ... }` (Linux 7 context analysis)
//     defines struct name;
//   - K&R parameter declarations are not recognised (the kernel has none);
//   - calls through a member (`ops->open(x)`, `s.fn(x)`) and annotations
//     (`__free(kfree)`) are not callees.
package cscan

import (
	"bytes"
	"slices"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// Scan returns the declarations, includes, callees and cleanups of the C
// source src. It never fails and never panics: any bytes give a result,
// broken code gives what could be recognised. Scan is safe for concurrent
// use.
func Scan(src []byte) *facts.Scan {
	res, _ := scan(src)
	return res
}

// stats counts the places where a file's structure had to be guessed.
type stats struct {
	strayClose  int // a `}` with nothing open at file scope
	brokenStmt  int // a file-scope statement cut short: parentheses left open
	openAtEOF   int // braces still open at the end of the file
	overflowed  int // file-scope statements too long to classify
	condRestore int // #else/#endif that changed the brace state
}

func (st stats) recoveries() int { return st.strayClose + st.brokenStmt + st.openAtEOF }

var scanners = sync.Pool{New: func() any { return new(scanner) }}

func scan(src []byte) (*facts.Scan, stats) {
	s := scanners.Get().(*scanner)
	s.reset(src)
	s.run()
	res := s.result()
	st := s.stats
	s.reset(nil)
	scanners.Put(s)
	return res, st
}

// frameKind says what an open `{` started.
type frameKind uint8

const (
	fLinkage frameKind = iota + 1 // extern "C" { ... }: file scope goes on inside
	fBody                         // a function body
	fBlock                        // a brace block at file scope that is no function body
	fInit                         // an initializer or a brace group in macro arguments
	fRecord                       // a struct or union body
	fEnum                         // an enum body
)

// frame is one open brace outside file scope.
type frame struct {
	kind     frameKind
	fromStmt bool   // opened inside a file-scope statement, which goes on after it
	id       uint32 // identity across conditional snapshots
	open     uint32 // offset of the `{`
	braces   int32  // braces open in this frame, its own included
	decl     int32  // the declaration the frame ends, or -1

	// Inside record and enum bodies.
	nest    int32  // parentheses and brackets open
	expect  bool   // enum: the next identifier is an enumerator
	cur     int32  // enum: the enumerator being read, or -1
	lastEnd uint32 // end of the last token
	kw      word   // struct/union/enum keyword seen since the last `;`, or wPlain
	kwNest  int32  // nest at kw
	kwPos   uint32 // offset of kw
	tag     tok    // the tag after kw (tag.end == 0: none yet)
}

// pdecl is a declaration being collected; its name is resolved at the end.
type pdecl struct {
	kind    facts.DeclKind
	flags   facts.ScanFlags
	spliced bool
	name0   uint32
	nameEnd uint32
	span    facts.Span
}

// pspan is a source range whose text is kept (an include, a callee).
type pspan struct{ start, end uint32 }

// pcleanup is a cleanup.h declaration being collected.
type pcleanup struct {
	macro pspan
	args  []pspan
	span  facts.Span
}

// scanner is the state of one Scan. Its buffers are reused across scans.
type scanner struct {
	src []byte
	i   int

	// The last commentStart query: the last `/*` in src[:csUpTo] is at
	// csFound (-1: none).
	csUpTo, csFound int

	frames  []frame
	nextID  uint32
	st      stmt
	tok     tok // the token lex read last
	conds   []cond
	condLvl int // #if nesting, including levels beyond len(conds)

	decls    []pdecl
	includes []pspan
	cleanups []pcleanup
	callees  calleeSet
	text     textBuf
	stats    stats
}

func (s *scanner) reset(src []byte) {
	s.src, s.i = src, 0
	s.csUpTo, s.csFound = 0, -1
	s.frames = s.frames[:0]
	s.nextID = 0
	s.st.reset()
	s.conds = s.conds[:0]
	s.condLvl = 0
	s.decls = s.decls[:0]
	s.includes = s.includes[:0]
	s.cleanups = s.cleanups[:0]
	s.callees.reset(src)
	s.stats = stats{}
}

// top returns the innermost open frame, or nil at file scope.
func (s *scanner) top() *frame {
	if len(s.frames) == 0 {
		return nil
	}
	return &s.frames[len(s.frames)-1]
}

func (s *scanner) push(f frame) {
	s.nextID++
	f.id = s.nextID
	if f.braces == 0 {
		f.braces = 1
	}
	s.frames = append(s.frames, f)
}

// pop closes the innermost frame at offset end (just past its `}`).
func (s *scanner) pop(end uint32) {
	f := s.frames[len(s.frames)-1]
	s.frames = s.frames[:len(s.frames)-1]
	s.endDecl(f.decl, end)
	if f.kind == fEnum {
		s.endEnumerator(&f)
	}
	if f.fromStmt {
		s.st.add(&tok{kind: tBraces, start: f.open, end: end, match: -1})
	}
}

// endDecl extends the span of declaration d to end.
func (s *scanner) endDecl(d int32, end uint32) {
	if d >= 0 && s.decls[d].span.End < end {
		s.decls[d].span.End = end
	}
}

func (s *scanner) run() {
	for s.i < len(s.src) {
		f := s.top()
		switch {
		case f == nil || f.kind == fLinkage:
			s.fileScope()
		case f.kind == fBody || f.kind == fBlock:
			s.body(true)
		case f.kind == fInit:
			s.body(false)
		default:
			s.recordBody()
		}
	}
	s.finish()
}

// finish closes what the end of the file left open.
func (s *scanner) finish() {
	end := uint32(len(s.src))
	if len(s.frames) > 0 {
		s.stats.openAtEOF++
	}
	for len(s.frames) > 0 {
		s.pop(end)
	}
	if len(s.st.toks) > 0 {
		s.endStmt(s.st.toks[len(s.st.toks)-1].end, false)
	}
}

// body skips a function body, a file-scope block or an initializer up to
// its closing brace, collecting callees when calls is set. It returns
// early after a preprocessor directive, which may change the frames.
func (s *scanner) body(calls bool) {
	src := s.src
	n := len(src)
	f := &s.frames[len(s.frames)-1]
	i := s.i
	for i < n {
		c := src[i]
		switch class[c] {
		case cIdent:
			j, spliced := i+1, false
			for j < n && identCont[src[j]] {
				j++
			}
			if j < n && src[j] == '\\' {
				j, spliced = scanIdent(src, i)
			}
			if calls && !spliced {
				k := j
				for k < n && (src[k] == ' ' || src[k] == '\t') {
					k++
				}
				if k < n && src[k] == '(' && !afterMember(src, i) {
					s.callees.add(i, j)
				}
			}
			i = j
		case cDigit:
			i = skipNumber(src, i)
		case cDot:
			if i+1 < n && class[src[i+1]] == cDigit {
				i = skipNumber(src, i)
			} else {
				i++
			}
		case cQuote, cApos:
			i = skipQuoted(src, i+1, c)
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
		case cLBrace:
			f.braces++
			i++
		case cRBrace:
			f.braces--
			i++
			if f.braces == 0 {
				s.i = i
				s.pop(uint32(i))
				return
			}
		case cHash:
			if s.atLineStart(i) {
				s.i = i
				s.directive()
				return
			}
			i++
		default:
			// Blanks, newlines, continuations and operators.
			i++
			for i < n && bodyBoring[src[i]] {
				i++
			}
		}
	}
	s.i = n
}

// afterMember reports whether the identifier at i follows `.` or `->`.
func afterMember(src []byte, i int) bool {
	p := i - 1
	for p >= 0 && (src[p] == ' ' || src[p] == '\t') {
		p--
	}
	return p >= 0 && (src[p] == '.' || src[p] == '>' && p > 0 && src[p-1] == '-')
}

// result converts the collected declarations into facts, with all kept
// text in one string.
func (s *scanner) result() *facts.Scan {
	s.sortDecls()
	s.sortCleanups()
	callees := s.callees.sorted()
	tb := &s.text
	tb.reset(s.src, s.textSize(callees))
	for _, d := range s.decls {
		tb.name(d.name0, d.nameEnd, d.spliced)
	}
	for _, p := range s.includes {
		tb.raw(p)
	}
	for _, p := range callees {
		tb.raw(p)
	}
	for _, c := range s.cleanups {
		tb.raw(c.macro)
		for _, a := range c.args {
			tb.normalized(a)
		}
	}
	tb.done()

	res := &facts.Scan{}
	if len(s.decls) > 0 {
		res.Decls = make([]facts.ScanDecl, len(s.decls))
		lc := lineCounter{src: s.src}
		for k, d := range s.decls {
			res.Decls[k] = facts.ScanDecl{Name: tb.take(), Kind: d.kind, Flags: d.flags,
				Name0: d.name0, Span: d.span, Line: lc.line(d.name0)}
		}
	}
	res.Includes = takeN(tb, len(s.includes))
	res.Callees = takeN(tb, len(callees))
	if len(s.cleanups) > 0 {
		res.Cleanups = make([]facts.CCleanup, len(s.cleanups))
		for k, c := range s.cleanups {
			res.Cleanups[k] = facts.CCleanup{Macro: tb.take(), Args: takeN(tb, len(c.args)), Span: c.span}
		}
	}
	tb.reset(nil, 0)
	return res
}

// textSize bounds the bytes of text the result keeps.
func (s *scanner) textSize(callees []pspan) int {
	n := 0
	for _, d := range s.decls {
		n += int(d.nameEnd - d.name0)
	}
	for _, p := range s.includes {
		n += int(p.end - p.start)
	}
	for _, p := range callees {
		n += int(p.end - p.start)
	}
	for _, c := range s.cleanups {
		n += int(c.macro.end - c.macro.start)
		for _, a := range c.args {
			n += int(a.end - a.start)
		}
	}
	return n
}

func takeN(tb *textBuf, n int) []string {
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for k := range out {
		out[k] = tb.take()
	}
	return out
}

// sortDecls puts the declarations in name order and drops exact
// duplicates, which re-reading a statement after an #else can produce.
func (s *scanner) sortDecls() {
	cmp := func(a, b pdecl) int {
		if a.name0 != b.name0 {
			return int(a.name0) - int(b.name0)
		}
		if a.kind != b.kind {
			return int(a.kind) - int(b.kind)
		}
		return int(a.flags) - int(b.flags)
	}
	if !slices.IsSortedFunc(s.decls, cmp) {
		slices.SortStableFunc(s.decls, cmp)
	}
	kept := 0
	for k, d := range s.decls {
		if k > 0 && cmp(s.decls[kept-1], d) == 0 {
			last := &s.decls[kept-1]
			last.span.Start = min(last.span.Start, d.span.Start)
			last.span.End = max(last.span.End, d.span.End)
			continue
		}
		s.decls[kept] = d
		kept++
	}
	s.decls = s.decls[:kept]
}

// sortCleanups puts the cleanups in source order and drops the copies a
// statement read again after an #else produces.
func (s *scanner) sortCleanups() {
	cmp := func(a, b pcleanup) int { return int(a.span.Start) - int(b.span.Start) }
	if !slices.IsSortedFunc(s.cleanups, cmp) {
		slices.SortStableFunc(s.cleanups, cmp)
	}
	s.cleanups = slices.CompactFunc(s.cleanups, func(a, b pcleanup) bool { return a.span == b.span })
}

// lineCounter converts increasing offsets to zero-based line numbers.
type lineCounter struct {
	src []byte
	off uint32 // offset of the last query
	n   uint32 // its line
}

func (lc *lineCounter) line(off uint32) uint32 {
	if off < lc.off {
		lc.off, lc.n = 0, 0
	}
	lc.n += uint32(bytes.Count(lc.src[lc.off:off], newline))
	lc.off = off
	return lc.n
}

var newline = []byte{'\n'}
