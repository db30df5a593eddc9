package cscan

import "github.com/rivet-lsp/rivet/analysis/facts"

// tokKind is the kind of a file-scope token.
type tokKind uint8

const (
	tIdent  tokKind = iota + 1
	tString         // a string or character literal
	tNumber
	tOpen   // ( or [
	tClose  // ) or ]
	tBraces // a whole { ... } group, stored in place of its contents
	tComma
	tAssign // =
	tStar   // * or ^
	tColon
	tOther // any other punctuator

	// Never stored in a statement.
	tLBrace
	tRBrace
	tSemi
)

// tok is a token of a file-scope statement.
type tok struct {
	start, end uint32
	match      int32 // tOpen: index of its tClose; tClose: of its tOpen; -1 when unmatched
	kind       tokKind
	w          word // tIdent: what the identifier is
	spliced    bool // tIdent: a line continuation splits it
}

// maxStmtToks bounds the tokens kept for one statement; longer statements
// (huge macro invocations, garbage) are not classified.
const maxStmtToks = 4096

// maxOpen bounds the parentheses paired in one statement; deeper ones are
// counted only.
const maxOpen = 256

// stmt is the file-scope statement being read: everything since the last
// `;`, body or file-scope `}`, with initializers left out.
type stmt struct {
	toks     []tok
	open     []int32 // indices of the unclosed tOpen tokens (-1: not stored), at most maxOpen
	depth    int32   // parentheses and brackets open; len(open) == min(depth, maxOpen)
	inInit   bool    // after a top-level `=`, up to the next top-level `,` or `;`
	initNest int32   // parentheses and brackets open inside the initializer
	overflow bool    // tokens were dropped: do not classify
}

func (st *stmt) reset() {
	st.toks = st.toks[:0]
	st.open = st.open[:0]
	st.depth, st.inInit, st.initNest, st.overflow = 0, false, 0, false
}

// empty reports whether no token of a declaration has been read.
func (st *stmt) empty() bool { return len(st.toks) == 0 && !st.overflow }

// add appends t, pairing parentheses and leaving initializers out.
func (st *stmt) add(t *tok) {
	if st.inInit {
		switch t.kind {
		case tOpen:
			st.initNest++
		case tClose:
			st.initNest = max(st.initNest-1, 0)
		case tComma:
			if st.initNest == 0 {
				st.inInit = false
				st.store(t)
			}
		}
		return
	}
	switch t.kind {
	case tOpen:
		st.depth++
		idx := st.store(t)
		if len(st.open) < maxOpen {
			st.open = append(st.open, idx)
		}
	case tClose:
		if st.depth == 0 {
			t.kind = tOther
			st.store(t)
			return
		}
		if int(st.depth) > len(st.open) {
			st.depth-- // closes a group nested too deep to pair
			st.store(t)
			return
		}
		st.depth--
		opener := st.open[len(st.open)-1]
		st.open = st.open[:len(st.open)-1]
		t.match = opener
		if idx := st.store(t); idx >= 0 && opener >= 0 {
			st.toks[opener].match = idx
		}
	case tAssign:
		st.store(t)
		if st.depth == 0 {
			st.inInit, st.initNest = true, 0
		}
	default:
		st.store(t)
	}
}

// store appends t and returns its index, or -1 once the statement is too
// long.
func (st *stmt) store(t *tok) int32 {
	if len(st.toks) >= maxStmtToks {
		st.overflow = true
		return -1
	}
	st.toks = append(st.toks, *t)
	return int32(len(st.toks) - 1)
}

// lex reads the next token outside frames that skip text into s.tok. It
// returns false at the end of the file or after a preprocessor directive
// (which may have changed the scanner's state).
func (s *scanner) lex() bool {
	src := s.src
	n := len(src)
	i := s.i
	for i < n {
		c := src[i]
		switch class[c] {
		case cSpace, cNewline:
			i++
			continue
		case cBackslash:
			if j := skipSplices(src, i); j > i {
				i = j
				continue
			}
		case cSlash:
			j := skipSplices(src, i+1)
			if j < n && src[j] == '*' {
				i = skipBlockComment(src, j+1)
				continue
			}
			if j < n && src[j] == '/' {
				i = skipLineComment(src, j+1)
				continue
			}
		case cHash:
			if s.atLineStart(i) {
				s.i = i
				s.directive()
				return false
			}
		}
		s.token(i)
		s.i = int(s.tok.end)
		return true
	}
	s.i = n
	return false
}

// token reads the token starting at i, which is no blank or comment,
// into s.tok.
func (s *scanner) token(i int) {
	src := s.src
	n := len(src)
	t := &s.tok
	*t = tok{start: uint32(i), match: -1, end: uint32(i + 1)}
	c := src[i]
	switch class[c] {
	case cIdent:
		end, spliced := scanIdent(src, i)
		t.kind, t.end, t.spliced = tIdent, uint32(end), spliced
		name := src[i:end]
		if spliced {
			name = unsplice(name)
		}
		if end < n && (src[end] == '"' || src[end] == '\'') && isLiteralPrefix(name) {
			t.kind, t.end = tString, uint32(skipQuoted(src, end+1, src[end]))
			return
		}
		t.w = classify(name)
	case cDigit:
		t.kind, t.end = tNumber, uint32(skipNumber(src, i))
	case cDot:
		t.kind = tOther
		if i+1 < n && class[src[i+1]] == cDigit {
			t.kind, t.end = tNumber, uint32(skipNumber(src, i))
		}
	case cQuote, cApos:
		t.kind, t.end = tString, uint32(skipQuoted(src, i+1, c))
	default:
		t.kind = punct(c)
		if i+1 < n && src[i+1] == '=' && isCompoundOp(c) {
			t.kind, t.end = tOther, uint32(i+2)
		}
	}
}

func isLiteralPrefix(b []byte) bool {
	switch string(b) {
	case "L", "u", "U", "u8":
		return true
	}
	return false
}

func isCompoundOp(c byte) bool {
	switch c {
	case '=', '<', '>', '!', '+', '-', '*', '/', '%', '&', '|', '^':
		return true
	}
	return false
}

func punct(c byte) tokKind {
	switch c {
	case '(', '[':
		return tOpen
	case ')', ']':
		return tClose
	case '{':
		return tLBrace
	case '}':
		return tRBrace
	case ';':
		return tSemi
	case ',':
		return tComma
	case '=':
		return tAssign
	case '*', '^':
		return tStar
	case ':':
		return tColon
	}
	return tOther
}

// fileScope reads file-scope tokens until a brace changes the frames, a
// directive was handled or the file ends.
func (s *scanner) fileScope() {
	for s.lex() {
		t := &s.tok
		switch t.kind {
		case tLBrace:
			s.openBrace(*t)
			return
		case tRBrace:
			s.closeBrace(*t)
			return
		case tSemi:
			if s.st.depth > 0 || s.st.initNest > 0 {
				// Statements inside macro arguments: TRACE_EVENT's
				// TP_fast_assign(a = b; c = d;).
				continue
			}
			s.endStmt(t.end, false)
		default:
			if s.st.depth > 0 && s.startsLine(*t) {
				// Parentheses left open (broken code): a declaration
				// keyword in column 0 starts afresh.
				s.stats.brokenStmt++
				s.st.reset()
			}
			s.st.add(t)
		}
	}
}

// startsLine reports whether t is a keyword that starts file-scope
// declarations and cannot be in a parameter list, written in column 0.
// (`struct` can: parameter lines are sometimes not indented.)
func (s *scanner) startsLine(t tok) bool {
	switch t.w {
	case wStatic, wExtern, wTypedef:
		return t.kind == tIdent && (t.start == 0 || s.src[t.start-1] == '\n')
	}
	return false
}

// openBrace handles a `{` at file scope.
func (s *scanner) openBrace(t tok) {
	st := &s.st
	switch {
	case st.inInit:
		s.push(frame{kind: fInit, open: t.start, decl: -1})
	case st.depth > 0:
		s.push(frame{kind: fInit, open: t.start, decl: -1, fromStmt: true})
	case s.isExternC():
		st.reset()
		s.push(frame{kind: fLinkage, open: t.start, decl: -1})
	default:
		if s.openRecord(t) {
			return
		}
		d := s.endStmt(t.end, true)
		kind := fBlock
		if d >= 0 {
			kind = fBody
		}
		s.push(frame{kind: kind, open: t.start, decl: d})
	}
}

// closeBrace handles a `}` at file scope: the end of an extern "C" block,
// or a stray brace (unbalanced conditionals, broken code).
func (s *scanner) closeBrace(t tok) {
	if f := s.top(); f != nil && f.kind == fLinkage {
		if len(s.st.toks) > 0 {
			s.endStmt(s.st.toks[len(s.st.toks)-1].end, false)
		}
		s.pop(t.end)
		return
	}
	s.stats.strayClose++
	s.st.reset()
}

// isExternC reports whether the statement is `extern "C"`.
func (s *scanner) isExternC() bool {
	toks := s.st.toks
	return len(toks) == 2 && toks[0].w == wExtern && toks[1].kind == tString
}

// recordBody reads the body of a struct, union or enum: nested tagged
// records and enumerators are declarations.
func (s *scanner) recordBody() {
	for s.lex() {
		t := s.tok
		f := s.top()
		switch t.kind {
		case tRBrace:
			s.pop(t.end)
			return
		case tLBrace:
			if f.kw != wPlain {
				s.openNestedRecord(f, t)
			} else {
				s.push(frame{kind: fInit, open: t.start, decl: -1})
			}
			return
		case tSemi:
			f.kw = wPlain
		case tComma:
			if f.kind == fEnum && f.nest == 0 {
				s.endEnumerator(f)
				f.expect = true
			}
		case tOpen:
			f.nest++
		case tClose:
			f.nest = max(f.nest-1, 0)
		case tIdent:
			switch t.w {
			case wStruct, wUnion, wEnum:
				f.kw, f.kwNest, f.kwPos, f.tag = t.w, f.nest, t.start, tok{}
			case wPlain:
				if f.kw != wPlain && f.tag.end == 0 && f.nest == f.kwNest {
					f.tag = t
				}
				if f.kind == fEnum && f.expect && f.nest == 0 {
					f.cur = s.addDecl(pdecl{kind: facts.DeclEnumerator, name0: t.start, nameEnd: t.end,
						spliced: t.spliced, span: facts.Span{Start: t.start, End: t.end}})
					f.expect = false
				}
			}
		}
		f.lastEnd = t.end
	}
}

// endEnumerator ends the span of the enumerator being read in f.
func (s *scanner) endEnumerator(f *frame) {
	if f.cur >= 0 {
		s.endDecl(f.cur, f.lastEnd)
		f.cur = -1
	}
}
