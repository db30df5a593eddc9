package treesitter

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unsafe"
)

// The mask (DESIGN §6) rewrites what the bundled grammars cannot read into
// something they can, without moving a byte: a span is either blanked
// (every byte but '\n' becomes a space) or overwritten by a shorter keyword
// padded with spaces (`__always_inline` -> `inline`). Offsets, lines and
// columns of the masked text are those of the source, so nodes, edits and
// annotations all share one coordinate system. What was removed is kept as
// an Annotation, so facts lose nothing.
//
// Each language has a lexer (mask_c.go, mask_rust.go) that turns the text
// into tokens in one linear pass, skipping comments and, in C,
// preprocessor directives; brackets are paired with a stack. The rules
// then look at tokens, their neighbours and the bracket pairs, so every
// rule is local and the whole mask is linear. Nothing inside a comment or
// a literal is ever taken for something to mask, and comments are never
// rewritten, not even inside a blanked span; a string literal is blanked
// only as an argument of a blanked annotation (`__section(".x")`).

// Annotation is a span of source the mask rewrote before parsing, kept as
// a fact: a kernel attribute (`__must_check`, `__acquires(lock)`), an
// attribute list, a cleanup macro, a statement macro renamed to a keyword,
// or a Rust construct the bundled grammar rejects (`&raw const`).
type Annotation struct {
	// Name is the annotation as written ("__acquires", "__attribute__",
	// "list_for_each_entry", or a conditional directive such as "#ifdef"
	// whose group was merged) or, for constructs that are not one
	// identifier, one of the Ann* names below.
	Name string
	// Args is the text between the outer parentheses of the annotation's
	// arguments, or "" when it has none.
	Args string
	// Start and End delimit the rewritten text: Start is the offset of the
	// first rewritten byte, End the offset just past the last. Text in
	// between may be left as it was (the `no_mangle` of
	// `#[unsafe(no_mangle)]`, the name of `SYSCALL_DEFINE1(name,`), and
	// comments always are.
	Start uint32
	End   uint32
}

// Names of annotations that are not a single identifier as written.
const (
	// AnnTypeArgument is a type passed to a macro where the grammar wants
	// an expression: `container_of(p, struct foo, list)` parses as
	// `container_of(p, foo, list)`, and Args holds "struct foo".
	AnnTypeArgument = "type argument"
	// AnnCaseRange is the `... hi` of a GNU case range `case lo ... hi:`;
	// Args holds "hi".
	AnnCaseRange = "case range"
	// AnnOffsetofMember is the member path of an offsetof beyond its first
	// name (`.b[2]` in `offsetof(T, a.b[2])`); Args holds "a.b[2]".
	AnnOffsetofMember = "offsetof member"
	// AnnAssembly is a branch of `#ifdef __ASSEMBLY__` (or the #else of
	// `#ifndef __ASSEMBLY__`): assembler, not C, blanked whole but for
	// comments; Args holds the directive's condition.
	AnnAssembly = "assembly"
	// AnnUnnamedBitfield is a padding member without a name (`u32 :12;`),
	// blanked whole; Args holds "u32 :12".
	AnnUnnamedBitfield = "unnamed bit-field"
	// AnnStraySemicolon is a `;` after a function body at file scope
	// (`};`), which C allows but the grammar does not.
	AnnStraySemicolon = "stray ;"
	// AnnNamedVariadic is the name of a GNU named variadic macro
	// parameter, `args` in `#define pr(fmt, args...)`, which the grammar
	// reads only as `...`; Args holds the name.
	AnnNamedVariadic = "named variadic"
	// AnnRawBorrow is the `raw const` or `raw mut` of a Rust raw borrow
	// (`&raw const x` parses as `&x`, `&raw mut x` as `&mut x`); Args
	// holds "const" or "mut".
	AnnRawBorrow = "&raw"
	// AnnUnsafeExtern is the `unsafe` of `unsafe extern "C" {`.
	AnnUnsafeExtern = "unsafe extern"
	// AnnSafeItem is the `safe` of `safe fn` or `safe static` in an extern
	// block.
	AnnSafeItem = "safe"
	// AnnConstDefault is the ` = value` of a const generic parameter's
	// default (`<const N: usize = 4>`); Args holds "4".
	AnnConstDefault = "const default"
)

// Mask returns src with the constructs of lang that the bundled grammar
// cannot read rewritten (same length, same newlines) and the annotations
// it removed, in source order and without overlap; every rewritten byte
// lies in an annotation. Nothing inside a comment, string or character
// literal is taken for something to mask; comments are never rewritten,
// and literals only as part of a blanked annotation (`__section(".x")`,
// an assembler branch). When nothing needs masking the result is src
// itself, not a copy. Mask never fails: any bytes in, a text of the same
// length out, in time linear in its length.
func Mask(lang Language, src []byte) ([]byte, []Annotation) {
	switch lang {
	case C:
		return maskC(src)
	case Rust:
		return maskRust(src)
	}
	return src, nil
}

// tokKind classifies a token of the masking lexers.
type tokKind uint8

const (
	tokIdent   tokKind = iota + 1 // identifier or keyword
	tokPunct                      // one byte of punctuation: src[start]
	tokLiteral                    // number, string, character literal, lifetime
)

// token is a lexeme of the masking lexers. Comments and (in C)
// preprocessor directives produce none.
type token struct {
	start, end uint32
	kind       tokKind
	brace      braceKind // for `{`: what it opens
	// pair is, for an opening bracket, the index of its closing bracket
	// and, for a closing one, the index of its opener; -1 when unpaired.
	pair int32
}

// tokenBuffers recycles token slices between Mask calls: the lexers
// allocate about three bytes of tokens per byte of source.
var tokenBuffers = sync.Pool{New: func() any { return new([]token) }}

// maxPooledTokens keeps one huge file from pinning its buffer.
const maxPooledTokens = 1 << 20

func getTokens() *[]token { return tokenBuffers.Get().(*[]token) }

func putTokens(buf *[]token, toks []token) {
	if cap(toks) <= maxPooledTokens {
		*buf = toks[:0]
		tokenBuffers.Put(buf)
	}
}

// span is a byte range [start, end) of the source.
type span struct{ start, end uint32 }

// masker holds one Mask call: the source, its tokens and comments, and the
// output, copied from src on the first rewrite.
type masker struct {
	src      []byte
	toks     []token
	comments []span // in order; never rewritten
	out      []byte
	anns     []Annotation   // the current run, in source order
	runs     [][]Annotation // finished runs, each in source order
}

// text is the source text of token i. It aliases the source, so it is
// valid only during the Mask call: note copies what it keeps.
func (m *masker) text(i int) string {
	t := m.toks[i]
	return unsafe.String(&m.src[t.start], t.end-t.start)
}

// is reports whether token i exists and is the punctuation byte c.
func (m *masker) is(i int, c byte) bool {
	return i >= 0 && i < len(m.toks) && m.toks[i].kind == tokPunct && m.src[m.toks[i].start] == c
}

// isIdent reports whether token i exists and is the identifier or keyword s.
func (m *masker) isIdent(i int, s string) bool {
	if i < 0 || i >= len(m.toks) || m.toks[i].kind != tokIdent {
		return false
	}
	t := m.toks[i]
	return string(m.src[t.start:t.end]) == s
}

// closer returns the index of the bracket closing the opener at i, or -1.
func (m *masker) closer(i int) int {
	if i < 0 || i >= len(m.toks) || m.toks[i].kind != tokPunct {
		return -1
	}
	p := int(m.toks[i].pair)
	if p <= i {
		return -1
	}
	return p
}

// inner is the source text strictly between tokens open and close,
// aliasing the source like text.
func (m *masker) inner(open, close int) string {
	return m.str(m.toks[open].end, m.toks[close].start)
}

// str is src[start:end] as a string aliasing the source, like text.
func (m *masker) str(start, end uint32) string {
	if start >= end {
		return ""
	}
	return unsafe.String(&m.src[start], end-start)
}

// blank turns every byte of src[start:end] but newlines and comments into
// a space.
func (m *masker) blank(start, end uint32) {
	if m.out == nil {
		m.out = append([]byte(nil), m.src...)
	}
	c := sort.Search(len(m.comments), func(k int) bool { return m.comments[k].end > start })
	for i := start; i < end; i++ {
		if c < len(m.comments) && i >= m.comments[c].start {
			i = m.comments[c].end - 1
			c++
			continue
		}
		if m.out[i] != '\n' {
			m.out[i] = ' '
		}
	}
}

// replace blanks src[start:end] and writes kw, which must be no longer
// than the span, at its start.
func (m *masker) replace(start, end uint32, kw string) {
	m.blank(start, end)
	copy(m.out[start:end], kw)
}

// note records an annotation, copying name and args (which may alias the
// source). Each pass notes in source order; passes start a new run with
// nextRun, and result merges the runs.
func (m *masker) note(name, args string, start, end uint32) {
	start, end = m.absorb(start, end)
	m.anns = append(m.anns, Annotation{Name: strings.Clone(name), Args: strings.Clone(args), Start: start, End: end})
}

// absorb drops the annotations of finished runs that overlap [start, end)
// (a named variadic in a #define that a rule now blanks as part of a
// macro's arguments) and returns the span widened to cover them, so
// spans stay disjoint and every rewritten byte stays in one.
func (m *masker) absorb(start, end uint32) (uint32, uint32) {
	for k, r := range m.runs {
		lo := sort.Search(len(r), func(j int) bool { return r[j].End > start })
		hi := lo
		for hi < len(r) && r[hi].Start < end {
			start, end = min(start, r[hi].Start), max(end, r[hi].End)
			hi++
		}
		if hi > lo {
			m.runs[k] = append(r[:lo], r[hi:]...)
		}
	}
	return start, end
}

// nextRun ends the current run of annotations, sorting it (a rule can
// note a span after the spans of tokens it leaves to later rules: the
// type arguments of a call before its other arguments); the next note
// starts a new run.
func (m *masker) nextRun() {
	if len(m.anns) == 0 {
		return
	}
	byStart := func(a, b Annotation) int { return cmp.Compare(a.Start, b.Start) }
	if !slices.IsSortedFunc(m.anns, byStart) {
		slices.SortFunc(m.anns, byStart)
	}
	m.runs = append(m.runs, m.anns)
	m.anns = nil
}

// annotated reports whether offset off lies in the span of an annotation
// of a finished run.
func (m *masker) annotated(off uint32) bool {
	for _, r := range m.runs {
		k := sort.Search(len(r), func(k int) bool { return r[k].End > off })
		if k < len(r) && r[k].Start <= off {
			return true
		}
	}
	return false
}

// merged returns the annotations of all runs in source order. Runs are
// few (one per pass) and each sorted, so this is a k-way merge.
func (m *masker) merged() []Annotation {
	m.nextRun()
	switch len(m.runs) {
	case 0:
		return nil
	case 1:
		return m.runs[0]
	}
	n := 0
	for _, r := range m.runs {
		n += len(r)
	}
	out := make([]Annotation, 0, n)
	heads := make([]int, len(m.runs))
	for len(out) < n {
		best := -1
		for k, r := range m.runs {
			if heads[k] < len(r) && (best < 0 || r[heads[k]].Start < m.runs[best][heads[best]].Start) {
				best = k
			}
		}
		out = append(out, m.runs[best][heads[best]])
		heads[best]++
	}
	return out
}

func (m *masker) result() ([]byte, []Annotation) {
	anns := m.merged()
	if m.out == nil {
		return m.src, anns
	}
	return m.out, anns
}

// pairBrackets fills token.pair for (), [] and {}. A closer that matches
// the innermost open bracket pairs with it; one that matches an outer
// bracket closes the brackets opened since, which stay unpaired; one that
// matches nothing open stays unpaired. Each token is pushed and popped at
// most once, so this is linear.
func pairBrackets(src []byte, toks []token) {
	var stack []int32
	var open [3]int // open brackets on the stack, per kind
	for i := range toks {
		t := &toks[i]
		t.pair = -1
		if t.kind != tokPunct {
			continue
		}
		c := src[t.start]
		if k := bracketKind(c, "([{"); k >= 0 {
			stack = append(stack, int32(i))
			open[k]++
			continue
		}
		k := bracketKind(c, ")]}")
		if k < 0 || open[k] == 0 {
			continue
		}
		for {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			jk := bracketKind(src[toks[j].start], "([{")
			open[jk]--
			if jk == k {
				toks[j].pair = int32(i)
				t.pair = j
				break
			}
		}
	}
}

func bracketKind(c byte, set string) int {
	for k := 0; k < len(set); k++ {
		if set[k] == c {
			return k
		}
	}
	return -1
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9'
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// skipQuoted returns the offset just past the literal opened by the quote
// at src[i]: the closing quote, or the end of the line or text when it is
// unterminated. Backslash escapes the next byte.
func skipQuoted(src []byte, i int) int {
	q := src[i]
	for i++; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case q:
			return i + 1
		case '\n':
			return i
		}
	}
	return len(src)
}
