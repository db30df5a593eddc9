package cscan

import "strings"

// textBuf gathers every string a result keeps into one buffer, so a file's
// names cost one allocation rather than one each, and no copy.
type textBuf struct {
	src  []byte
	buf  strings.Builder
	refs []uint32 // start, end pairs into buf, in the order kept
	all  string
	next int
}

// reset starts a new text of at most size bytes.
func (tb *textBuf) reset(src []byte, size int) {
	tb.src, tb.refs, tb.all, tb.next = src, tb.refs[:0], "", 0
	tb.buf = strings.Builder{}
	tb.buf.Grow(size)
}

func (tb *textBuf) mark(start int) {
	tb.refs = append(tb.refs, uint32(start), uint32(tb.buf.Len()))
}

// raw keeps src[p.start:p.end] as written.
func (tb *textBuf) raw(p pspan) {
	start := tb.buf.Len()
	tb.buf.Write(tb.src[p.start:p.end])
	tb.mark(start)
}

// name keeps an identifier, without the line continuations that split it.
func (tb *textBuf) name(start, end uint32, spliced bool) {
	if !spliced {
		tb.raw(pspan{start, end})
		return
	}
	from := tb.buf.Len()
	b := tb.src[start:end]
	for i := 0; i < len(b); {
		if j := skipSplices(b, i); j > i {
			i = j
			continue
		}
		tb.buf.WriteByte(b[i])
		i++
	}
	tb.mark(from)
}

// normalized keeps src[p.start:p.end] with comments and continuations
// removed and every run of blanks turned into one space, trimmed.
func (tb *textBuf) normalized(p pspan) {
	src := tb.src[:p.end]
	from := tb.buf.Len()
	blank := false
	emit := func(b []byte) {
		if blank && tb.buf.Len() > from {
			tb.buf.WriteByte(' ')
		}
		blank = false
		tb.buf.Write(b)
	}
	for i := int(p.start); i < len(src); {
		c := src[i]
		switch class[c] {
		case cSpace, cNewline:
			blank = true
			i++
		case cBackslash:
			if j := skipSplices(src, i); j > i {
				i = j
				continue
			}
			emit(src[i : i+1])
			i++
		case cSlash:
			j := skipSplices(src, i+1)
			switch {
			case j < len(src) && src[j] == '*':
				i, blank = skipBlockComment(src, j+1), true
			case j < len(src) && src[j] == '/':
				i, blank = skipLineComment(src, j+1), true
			default:
				emit(src[i : i+1])
				i++
			}
		case cQuote, cApos:
			j := skipQuoted(src, i+1, c)
			emit(src[i:j])
			i = j
		default:
			emit(src[i : i+1])
			i++
		}
	}
	tb.mark(from)
}

// done converts the buffer; take then returns the kept strings in order.
func (tb *textBuf) done() {
	tb.all = tb.buf.String()
	tb.buf = strings.Builder{}
}

func (tb *textBuf) take() string {
	s := tb.all[tb.refs[2*tb.next]:tb.refs[2*tb.next+1]]
	tb.next++
	return s
}
