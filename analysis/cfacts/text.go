package cfacts

import (
	"bytes"
	"unicode/utf8"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// textCap is the cap on argument, initialiser and macro body texts
// (facts.CCall.Args, facts.CGlobal.Init, facts.CMacro.Body).
const textCap = 200

// normalize collapses every run of whitespace and backslash-newline line
// continuations in b into one space and trims both ends, so a type or an
// argument reads the same however it was wrapped.
func normalize(b []byte) string {
	var out []byte
	space := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\\' && i+1 < len(b) && (b[i+1] == '\n' || b[i+1] == '\r') {
			space = true
			continue
		}
		if isSpace(c) {
			space = true
			continue
		}
		if space && len(out) > 0 {
			out = append(out, ' ')
		}
		space = false
		out = append(out, c)
	}
	return string(out)
}

// normalizeCapped is normalize with the result cut to at most textCap
// bytes, never inside a UTF-8 sequence.
func normalizeCapped(b []byte) string {
	return capText(normalize(b))
}

func capText(s string) string {
	if len(s) <= textCap {
		return s
	}
	end := textCap
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end]
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// hasWord reports whether word occurs in b as a whole identifier.
func hasWord(b []byte, word string) bool {
	for i := 0; i+len(word) <= len(b); i++ {
		j := bytes.Index(b[i:], []byte(word))
		if j < 0 {
			return false
		}
		i += j
		end := i + len(word)
		if (i == 0 || !isIdentByte(b[i-1])) && (end == len(b) || !isIdentByte(b[end])) {
			return true
		}
	}
	return false
}

// docLookback bounds how far back from a declaration kernelDoc searches for
// the opening of a comment, so a pathological file cannot make every
// declaration scan the whole text.
const docLookback = 64 << 10

// kernelDoc returns the kernel-doc comment (`/** ... */`) that ends right
// above off in src, with only whitespace between, stripped of its markers
// and leading asterisks, and the comment's span. It works on the text alone
// so that a whole-file parse and a parse of a single declaration agree.
func kernelDoc(src []byte, off uint32) (string, facts.Span) {
	if int(off) > len(src) {
		return "", facts.Span{}
	}
	end := int(off)
	for end > 0 && isSpace(src[end-1]) {
		end--
	}
	if end < 5 || src[end-1] != '/' || src[end-2] != '*' {
		return "", facts.Span{}
	}
	start := commentStart(src, end-2)
	if start < 0 {
		return "", facts.Span{}
	}
	// `/**` followed by whitespace opens kernel-doc; `/**/` and `/*****`
	// banners do not.
	if start+3 >= end-2 || src[start+2] != '*' || !isSpace(src[start+3]) {
		return "", facts.Span{}
	}
	return stripDoc(src[start+3 : end-2]), facts.Span{Start: uint32(start), End: uint32(end)}
}

// commentStart returns the offset of the `/*` opening the comment whose
// `*/` is at close, or -1. It stops at an earlier `*/` (then close ends no
// comment), so scanning a file's declarations stays linear.
func commentStart(src []byte, close int) int {
	for i := close - 2; i >= 0 && i >= close-docLookback; i-- {
		switch {
		case src[i] == '/' && src[i+1] == '*':
			return i
		case src[i] == '*' && src[i+1] == '/':
			return -1
		}
	}
	return -1
}

// stripDoc removes the leading ` * ` of each comment line, trailing
// spaces, and blank lines at both ends.
func stripDoc(body []byte) string {
	lines := bytes.Split(body, []byte("\n"))
	out := make([][]byte, 0, len(lines))
	for _, l := range lines {
		l = bytes.TrimLeft(l, " \t")
		if len(l) > 0 && l[0] == '*' {
			l = l[1:]
			if len(l) > 0 && l[0] == ' ' {
				l = l[1:]
			}
		}
		out = append(out, bytes.TrimRight(l, " \t\r"))
	}
	for len(out) > 0 && len(out[0]) == 0 {
		out = out[1:]
	}
	for len(out) > 0 && len(out[len(out)-1]) == 0 {
		out = out[:len(out)-1]
	}
	return string(bytes.Join(out, []byte("\n")))
}

// splitTopLevel splits a macro argument text at the commas outside
// parentheses, brackets, braces and literals, normalising each piece.
func splitTopLevel(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth = max(0, depth-1)
		case '"', '\'':
			i = skipLiteral(s, i)
		case ',':
			if depth == 0 {
				parts = append(parts, normalize([]byte(s[start:i])))
				start = i + 1
			}
		}
	}
	if last := normalize([]byte(s[start:])); last != "" || len(parts) > 0 {
		parts = append(parts, last)
	}
	return parts
}

// skipLiteral returns the index of the quote closing the string or
// character literal opened at s[i], or the last index of s.
func skipLiteral(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j
		}
	}
	return len(s) - 1
}
