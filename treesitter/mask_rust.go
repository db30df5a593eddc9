package treesitter

import "unicode/utf8"

// What the Rust mask does (tree-sitter-rust 0.21 predates these):
//
//   - `&raw const x` reads `&x` and `&raw mut x` reads `&mut x`;
//   - `unsafe extern "C" {` reads `extern "C" {`, and `safe fn` / `safe
//     static` in it read `fn` / `static`;
//   - `#[unsafe(no_mangle)]` reads `#[no_mangle]` (any attribute inside
//     `unsafe(...)`);
//   - const generic defaults go: `<T, const ID: u64 = 0>` reads
//     `<T, const ID: u64>`.
//
// C string literals (`c"name"`, `cr#"x"#`) need nothing: the grammar
// already reads them.

func maskRust(src []byte) ([]byte, []Annotation) {
	buf := getTokens()
	m := masker{src: src, toks: lexRust(src, (*buf)[:0])}
	defer func() { putTokens(buf, m.toks) }()
	pairBrackets(src, m.toks)
	m.rulesRust()
	return m.result()
}

// lexRust appends the tokens of Rust source to toks; comments produce
// none.
func lexRust(src []byte, toks []token) []token {
	for i := 0; i < len(src); {
		c := src[i]
		start := i
		kind := tokPunct
		switch {
		case isSpace(c):
			i++
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			i = skipNestedComment(src, i)
			continue
		case c == '"':
			i = skipRustString(src, i)
			kind = tokLiteral
		case c == '\'':
			i = skipCharOrLifetime(src, i)
			kind = tokLiteral
		case isIdentStart(c):
			for i++; i < len(src) && isIdentByte(src[i]); i++ {
			}
			kind = tokIdent
			if end, ok := skipPrefixedLiteral(src, start, i); ok {
				i, kind = end, tokLiteral
			}
		case c >= '0' && c <= '9':
			i = skipRustNumber(src, i)
			kind = tokLiteral
		default:
			i++
		}
		toks = append(toks, token{start: uint32(start), end: uint32(i), kind: kind})
	}
	return toks
}

// skipNestedComment returns the offset past the block comment at src[i];
// Rust block comments nest.
func skipNestedComment(src []byte, i int) int {
	depth := 0
	for i < len(src) {
		switch {
		case src[i] == '/' && i+1 < len(src) && src[i+1] == '*':
			depth++
			i += 2
		case src[i] == '*' && i+1 < len(src) && src[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(src)
}

// skipRustString returns the offset past the string literal whose opening
// quote is src[i]; Rust strings may span lines.
func skipRustString(src []byte, i int) int {
	for i++; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(src)
}

// skipRawString returns the offset past the raw string whose `#`s or
// opening quote start at src[i] (after the r).
func skipRawString(src []byte, i int) int {
	hashes := 0
	for i < len(src) && src[i] == '#' {
		hashes++
		i++
	}
	if i >= len(src) || src[i] != '"' {
		return i
	}
	for i++; i < len(src); i++ {
		if src[i] != '"' {
			continue
		}
		n := 0
		for n < hashes && i+1+n < len(src) && src[i+1+n] == '#' {
			n++
		}
		if n == hashes {
			return i + 1 + n
		}
	}
	return len(src)
}

// skipPrefixedLiteral reports whether the identifier src[start:end] is the
// prefix of a literal (b'x', b"..", c"..", r"..", br#".."#, cr"..", r#ident
// is not one) and returns the offset past the literal.
func skipPrefixedLiteral(src []byte, start, end int) (int, bool) {
	if end >= len(src) {
		return end, false
	}
	next := src[end]
	switch string(src[start:end]) {
	case "b":
		if next == '\'' {
			return skipQuoted(src, end), true
		}
		fallthrough
	case "c":
		if next == '"' {
			return skipRustString(src, end), true
		}
	case "r", "br", "cr":
		if next == '"' || next == '#' && end+1 < len(src) && (src[end+1] == '"' || src[end+1] == '#') {
			return skipRawString(src, end), true
		}
	}
	return end, false
}

// skipCharOrLifetime returns the offset past the character literal or the
// lifetime (or label) starting with the quote at src[i].
func skipCharOrLifetime(src []byte, i int) int {
	if i+1 >= len(src) {
		return len(src)
	}
	if src[i+1] == '\\' {
		return skipQuoted(src, i)
	}
	_, n := utf8.DecodeRune(src[i+1:])
	if i+1+n < len(src) && src[i+1+n] == '\'' {
		return i + 2 + n
	}
	j := i + 1
	for j < len(src) && isIdentByte(src[j]) {
		j++
	}
	return max(j, i+1)
}

// skipRustNumber returns the offset past the number literal at src[i],
// leaving `..` of a range and a method call's `.` alone.
func skipRustNumber(src []byte, i int) int {
	hex := i+1 < len(src) && src[i] == '0' && (src[i+1] == 'x' || src[i+1] == 'X')
	for i++; i < len(src); i++ {
		c := src[i]
		switch {
		case isIdentByte(c):
		case c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
		case (c == '+' || c == '-') && !hex && (src[i-1] == 'e' || src[i-1] == 'E'):
		default:
			return i
		}
	}
	return i
}

// rulesRust applies the Rust rules to the tokens, left to right.
func (m *masker) rulesRust() {
	for i := 0; i < len(m.toks); i++ {
		t := m.toks[i]
		switch {
		case t.kind != tokIdent:
		case m.isIdent(i, "raw") && m.is(i-1, '&') && (m.isIdent(i+1, "const") || m.isIdent(i+1, "mut")):
			end := t.end
			if m.isIdent(i+1, "const") {
				end = m.toks[i+1].end
			}
			m.blank(t.start, end)
			m.note(AnnRawBorrow, m.text(i+1), t.start, end)
			i++
		case m.isIdent(i, "unsafe") && m.isIdent(i+1, "extern") && (m.is(i+2, '{') || m.toks[min(i+2, len(m.toks)-1)].kind == tokLiteral && m.is(i+3, '{')):
			m.blank(t.start, t.end)
			m.note(AnnUnsafeExtern, "", t.start, t.end)
		case m.isIdent(i, "safe") && (m.isIdent(i+1, "fn") || m.isIdent(i+1, "static")):
			m.blank(t.start, t.end)
			m.note(AnnSafeItem, "", t.start, t.end)
		case m.isIdent(i, "unsafe") && m.is(i-1, '[') && m.is(i-2, '#') && m.is(i+1, '('):
			i = m.unsafeAttribute(i)
		case m.isIdent(i, "const") && (m.is(i-1, '<') || m.is(i-1, ',')):
			i = m.constDefault(i)
		}
	}
}

// unsafeAttribute turns `#[unsafe(attr)]`, whose `unsafe` is at i, into
// `#[attr]` and returns the index of the `)`.
func (m *masker) unsafeAttribute(i int) int {
	c := m.closer(i + 1)
	if c < 0 || !m.is(c+1, ']') {
		return i
	}
	t := m.toks[i]
	m.blank(t.start, m.toks[i+1].end)
	m.blank(m.toks[c].start, m.toks[c].end)
	inner := ""
	if m.toks[i+2].kind == tokIdent {
		inner = m.text(i + 2)
	}
	m.note("unsafe("+inner+")", m.inner(i+1, c), t.start, m.toks[c].end)
	return c
}

// constDefault blanks the default of the const generic parameter whose
// `const` is at i (`const N: usize = 4`) and returns the index of the
// last token it examined.
func (m *masker) constDefault(i int) int {
	if i+3 >= len(m.toks) || m.toks[i+1].kind != tokIdent || !m.is(i+2, ':') {
		return i
	}
	// A parameter's type is one word and its default a literal, a name
	// or a block, so a few tokens reach the `,` or `>` that ends it.
	const maxTokens = 32
	eq := -1
	j := i + 3
	for ; j < len(m.toks) && !m.is(j, ',') && !m.is(j, '>'); j++ {
		if c := m.closer(j); c > j {
			j = c
			continue
		}
		if j > i+maxTokens || m.is(j, ';') || m.is(j, '}') || m.is(j, ')') || m.is(j, '<') {
			return i
		}
		if m.is(j, '=') && eq < 0 {
			eq = j
		}
	}
	if eq < 0 || eq+1 == j || j == len(m.toks) {
		return i
	}
	start, end := m.toks[eq].start, m.toks[j-1].end
	m.blank(start, end)
	m.note(AnnConstDefault, string(trimSpace(m.src[m.toks[eq].end:end])), start, end)
	return j - 1
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
