package cfacts

import (
	"bytes"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// macroAt reads the #define directive whose `#` is at text[off], from the
// text rather than the tree: the bundled grammar ends a macro body at the
// first comment inside it and turns the rest into an ERROR, while the
// preprocessor treats comments as spaces. end is where the directive's
// logical line ends (before its newline).
func macroAt(text []byte, off int) (m facts.CMacro, end int, ok bool) {
	if off < 0 || off >= len(text) || text[off] != '#' {
		return m, 0, false
	}
	i := skipBlanks(text, off+1)
	if !bytes.HasPrefix(text[i:], []byte("define")) {
		return m, 0, false
	}
	i = skipBlanks(text, i+len("define"))
	nameStart := i
	for i < len(text) && isIdentByte(text[i]) {
		i++
	}
	if i == nameStart {
		return m, 0, false
	}
	end = logicalLineEnd(text, i)
	m.Name = string(text[nameStart:i])
	m.NameSpan = facts.Span{Start: uint32(nameStart), End: uint32(i)}
	m.Span = facts.Span{Start: uint32(off), End: uint32(end)}
	if i < end && text[i] == '(' {
		close := bytes.IndexByte(text[i:end], ')')
		if close < 0 {
			close = end - i
		}
		m.FuncLike = true
		m.Params = splitTopLevel(string(text[i+1 : i+close]))
		i = min(end, i+close+1)
	}
	m.Body = capText(normalize(blankComments(text[i:end])))
	return m, end, true
}

// skipBlanks skips spaces and tabs (not newlines) from i.
func skipBlanks(text []byte, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return i
}

// logicalLineEnd returns the offset of the newline ending the preprocessor
// line that contains i, following backslash continuations and block
// comments that span lines; trailing carriage returns are left out.
func logicalLineEnd(text []byte, i int) int {
	for i < len(text) {
		switch {
		case text[i] == '\n':
			return trimCR(text, i)
		case text[i] == '\\' && i+1 < len(text) && text[i+1] == '\n':
			i += 2
		case text[i] == '\\' && i+2 < len(text) && text[i+1] == '\r' && text[i+2] == '\n':
			i += 3
		case text[i] == '/' && i+1 < len(text) && text[i+1] == '*':
			close := bytes.Index(text[i+2:], []byte("*/"))
			if close < 0 {
				return trimCR(text, len(text))
			}
			i += 2 + close + 2
		case text[i] == '/' && i+1 < len(text) && text[i+1] == '/':
			i = lineCommentEnd(text, i)
		case text[i] == '"' || text[i] == '\'':
			i = skipLineLiteral(text, i)
		default:
			i++
		}
	}
	return trimCR(text, len(text))
}

// lineCommentEnd returns the offset of the newline ending the `//`
// comment at i; a backslash before the newline continues the comment.
func lineCommentEnd(text []byte, i int) int {
	for j := i + 2; j < len(text); j++ {
		if text[j] == '\n' && text[j-1] != '\\' && !(text[j-1] == '\r' && text[j-2] == '\\') {
			return j
		}
	}
	return len(text)
}

func trimCR(text []byte, i int) int {
	for i > 0 && text[i-1] == '\r' {
		i--
	}
	return i
}

// skipLineLiteral returns the offset just past the string or character
// literal opened at text[i], stopping at an unescaped newline.
func skipLineLiteral(text []byte, i int) int {
	q := text[i]
	for j := i + 1; j < len(text); j++ {
		switch text[j] {
		case '\\':
			j++
		case '\n':
			return j
		case q:
			return j + 1
		}
	}
	return len(text)
}

// blankComments returns b with its comments replaced by spaces, as the
// preprocessor sees a macro body.
func blankComments(b []byte) []byte {
	if !bytes.Contains(b, []byte("/*")) && !bytes.Contains(b, []byte("//")) {
		return b
	}
	out := bytes.Clone(b)
	for i := 0; i < len(out); i++ {
		switch {
		case out[i] == '"' || out[i] == '\'':
			i = skipLineLiteral(out, i) - 1
		case out[i] == '/' && i+1 < len(out) && out[i+1] == '*':
			j := bytes.Index(out[i+2:], []byte("*/"))
			end := len(out)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			fill(out[i:end])
			i = end - 1
		case out[i] == '/' && i+1 < len(out) && out[i+1] == '/':
			j := bytes.IndexByte(out[i:], '\n')
			end := len(out)
			if j >= 0 {
				end = i + j
			}
			fill(out[i:end])
			i = end - 1
		}
	}
	return out
}

func fill(b []byte) {
	for i := range b {
		b[i] = ' '
	}
}
