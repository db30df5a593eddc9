package cscan

import "bytes"

// Byte classes for the scanning loops.
const (
	cOther     uint8 = iota
	cIdent           // A-Z a-z _ $
	cDigit           // 0-9
	cSpace           // blank other than newline
	cNewline         // \n
	cQuote           // "
	cApos            // '
	cSlash           // /
	cBackslash       // \
	cHash            // #
	cLBrace          // {
	cRBrace          // }
	cDot             // .
)

var (
	class     [256]uint8
	identCont [256]bool // may continue an identifier or a pp-number
	// lineSpecial are the bytes that can end or extend a logical line.
	lineSpecial [256]bool
	// bodyBoring are the bytes a body is skipped over without a look.
	bodyBoring [256]bool
)

func init() {
	for c := 'a'; c <= 'z'; c++ {
		class[c], class[c-'a'+'A'] = cIdent, cIdent
	}
	class['_'], class['$'] = cIdent, cIdent
	for c := '0'; c <= '9'; c++ {
		class[c] = cDigit
	}
	for _, c := range " \t\r\f\v" {
		class[c] = cSpace
	}
	class['\n'] = cNewline
	class['"'] = cQuote
	class['\''] = cApos
	class['/'] = cSlash
	class['\\'] = cBackslash
	class['#'] = cHash
	class['{'] = cLBrace
	class['}'] = cRBrace
	class['.'] = cDot
	for _, c := range "\n\\/\"'" {
		lineSpecial[c] = true
	}
	for c := range identCont {
		identCont[c] = class[c] == cIdent || class[c] == cDigit
		switch class[c] {
		case cOther, cSpace, cNewline, cBackslash:
			bodyBoring[c] = true
		}
	}
}

// skipSplices returns the index after any line continuations (backslash
// newline, backslash CR LF) starting at i, or i when there is none.
func skipSplices(src []byte, i int) int {
	for i < len(src) && src[i] == '\\' {
		switch {
		case i+1 < len(src) && src[i+1] == '\n':
			i += 2
		case i+2 < len(src) && src[i+1] == '\r' && src[i+2] == '\n':
			i += 3
		default:
			return i
		}
	}
	return i
}

// skipBlockComment returns the index after the `*/` closing a comment
// whose body starts at i, or len(src). A continuation may split the `*/`.
func skipBlockComment(src []byte, i int) int {
	from := i
	for {
		k := bytes.IndexByte(src[i:], '/')
		if k < 0 {
			return len(src)
		}
		k += i
		if p := prevChar(src, from, k); p >= from && src[p] == '*' {
			return k + 1
		}
		i = k + 1
	}
}

// prevChar returns the index of the last character before k and not
// before from once line continuations are removed, or from-1.
func prevChar(src []byte, from, k int) int {
	p := k - 1
	for p >= from && src[p] == '\n' {
		q := p - 1
		if q >= from && src[q] == '\r' {
			q--
		}
		if q < from || src[q] != '\\' {
			break
		}
		p = q - 1
	}
	return p
}

// skipLineComment returns the index of the newline ending a `//` comment
// whose body starts at i (continuations extend it), or len(src).
func skipLineComment(src []byte, i int) int {
	from := i
	for {
		k := bytes.IndexByte(src[i:], '\n')
		if k < 0 {
			return len(src)
		}
		k += i
		p := k - 1
		if p >= from && src[p] == '\r' {
			p--
		}
		if p >= from && src[p] == '\\' {
			i = k + 1
			continue
		}
		return k
	}
}

// skipQuoted returns the index after the quote q closing a string or
// character literal whose body starts at i. An unescaped newline ends an
// unterminated literal (its index is returned, the newline not consumed).
func skipQuoted(src []byte, i int, q byte) int {
	for i < len(src) {
		switch src[i] {
		case q:
			return i + 1
		case '\\':
			if i+2 < len(src) && src[i+1] == '\r' && src[i+2] == '\n' {
				i += 3
			} else {
				i += 2
			}
		case '\n':
			return i
		default:
			i++
		}
	}
	return len(src)
}

// skipNumber returns the index after the preprocessing number starting at
// i (digits, letters, dots, and signs after an exponent letter).
func skipNumber(src []byte, i int) int {
	i++
	for i < len(src) {
		c := src[i]
		switch {
		case (c == 'e' || c == 'E' || c == 'p' || c == 'P') && i+1 < len(src) && (src[i+1] == '+' || src[i+1] == '-'):
			i += 2
		case identCont[c] || c == '.':
			i++
		default:
			return i
		}
	}
	return i
}

// scanIdent returns the end of the identifier starting at i and whether a
// line continuation splits it.
func scanIdent(src []byte, i int) (end int, spliced bool) {
	j := i + 1
	for {
		for j < len(src) && identCont[src[j]] {
			j++
		}
		if j < len(src) && src[j] == '\\' {
			if k := skipSplices(src, j); k > j && k < len(src) && identCont[src[k]] {
				j, spliced = k, true
				continue
			}
		}
		return j, spliced
	}
}

// skipBlank returns the index of the next character at or after i that
// is not a blank, a continuation or a comment, without crossing a newline
// outside a comment.
func skipBlank(src []byte, i int) int {
	for i < len(src) {
		switch c := src[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '\\':
			j := skipSplices(src, i)
			if j == i {
				return i
			}
			i = j
		case c == '/':
			j := skipSplices(src, i+1)
			if j >= len(src) || src[j] != '*' {
				return i
			}
			i = skipBlockComment(src, j+1)
		default:
			return i
		}
	}
	return i
}

// lineEnd returns the index of the newline ending the logical line that
// contains i (continuations and multi-line comments extend it), or
// len(src).
func lineEnd(src []byte, i int) int {
	for i < len(src) {
		for i < len(src) && !lineSpecial[src[i]] {
			i++
		}
		if i >= len(src) {
			break
		}
		switch c := src[i]; c {
		case '\n':
			return i
		case '\\':
			if j := skipSplices(src, i); j > i {
				i = j
			} else {
				i++
			}
		case '/':
			j := skipSplices(src, i+1)
			switch {
			case j < len(src) && src[j] == '*':
				i = skipBlockComment(src, j+1)
			case j < len(src) && src[j] == '/':
				return skipLineComment(src, j+1)
			default:
				i++
			}
		case '"', '\'':
			i = skipQuoted(src, i+1, c)
		default:
			i++
		}
	}
	return len(src)
}

// atLineStart reports whether the `#` at i is the first token of its
// logical line: only blanks, comments and continuations precede it.
func (s *scanner) atLineStart(i int) bool {
	src := s.src
	p := i - 1
	for p >= 0 {
		switch src[p] {
		case ' ', '\t', '\r', '\f', '\v':
			p--
		case '\n':
			q := p - 1
			if q >= 0 && src[q] == '\r' {
				q--
			}
			if q < 0 || src[q] != '\\' {
				return true
			}
			p = q - 1 // a continuation: the logical line goes on before it
		case '/':
			if p == 0 || src[p-1] != '*' {
				return false
			}
			p = s.commentStart(p-1) - 1
			if p < -1 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// commentStart returns the offset of the last `/*` that ends before e
// (the start of the comment whose `*/` is at e), or -1. Queries mostly
// move forward, so the last answer is kept: a scan never re-reads text.
func (s *scanner) commentStart(e int) int {
	if e < s.csUpTo {
		return bytes.LastIndex(s.src[:e], commentStart)
	}
	from := max(s.csUpTo-1, 0)
	if k := bytes.LastIndex(s.src[from:e], commentStart); k >= 0 {
		s.csFound = from + k
	}
	s.csUpTo = e
	return s.csFound
}

var commentStart = []byte("/*")

// unsplice returns b without its line continuations.
func unsplice(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if j := skipSplices(b, i); j > i {
			i = j
			continue
		}
		out = append(out, b[i])
		i++
	}
	return out
}
