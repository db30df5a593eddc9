package cscan

import (
	"bytes"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

func (s *scanner) addDecl(d pdecl) int32 {
	s.decls = append(s.decls, d)
	return int32(len(s.decls) - 1)
}

// endStmt classifies the statement just read and starts a new one. end is
// the offset just past the `;` (or `{` when body is set: a function body
// or block follows). It returns the function whose body follows, or -1.
func (s *scanner) endStmt(end uint32, body bool) int32 {
	defer s.st.reset()
	if s.st.overflow {
		s.stats.overflowed++
		return -1
	}
	if len(s.st.toks) == 0 || isAssembly(s.src, s.st.toks) {
		return -1
	}
	c := classifier{src: s.src, toks: s.st.toks}
	c.cleanups(s)
	return c.declare(s, end, body)
}

// isAssembly reports whether a statement is assembly in a header meant
// for .S files too (`.macro name, reg`, `mov r0, \\reg`): it starts with a
// directive dot or holds a stray backslash.
func isAssembly(src []byte, toks []tok) bool {
	if toks[0].kind == tOther && src[toks[0].start] == '.' {
		return true
	}
	for _, t := range toks {
		if t.kind == tOther && src[t.start] == '\\' {
			return true
		}
	}
	return false
}

// classifier reads the declarations of one file-scope statement. Indices
// are into toks; "top level" means outside the statement's parentheses.
type classifier struct {
	src  []byte
	toks []tok
}

// next returns the index after the token at k, skipping a whole group,
// but never beyond limit.
func (c *classifier) next(k, limit int) int {
	if c.toks[k].kind == tOpen {
		m := int(c.toks[k].match)
		if m < 0 || m >= limit {
			return limit
		}
		return m + 1
	}
	return k + 1
}

// isParen reports whether token k opens a parenthesised group.
func (c *classifier) isParen(k, limit int) bool {
	return k < limit && c.toks[k].kind == tOpen && c.src[c.toks[k].start] == '('
}

func (c *classifier) text(k int) []byte {
	return c.src[c.toks[k].start:c.toks[k].end]
}

var (
	reserved  = []byte("__")
	attribute = []byte("__attribute")
)

// isAnnotation reports whether identifier k is a known annotation.
func (c *classifier) isAnnotation(k int) bool {
	switch c.toks[k].w {
	case wAttrCall, wAttrWord, wMustCheck:
		return true
	}
	return false
}

// isAttrIdent reports whether identifier k reads as an annotation where
// only annotations may follow (after a parameter list): a known one, or an
// unknown name in the reserved `__` namespace (`__sched`, `__cond_lock`).
// Elsewhere `__` names are often types (`__u32`, `__kernel_size_t`).
func (c *classifier) isAttrIdent(k int) bool {
	t := c.toks[k]
	return c.isAnnotation(k) || t.w == wPlain && bytes.HasPrefix(c.src[t.start:t.end], reserved)
}

// declarator is what declName found in one declarator.
type declarator struct {
	name  int  // the declared identifier, or -1
	core  int  // where the declarator proper starts (specifiers end)
	fn    bool // the name is followed by a parameter list
	after int  // tokens after the parameter list start here (fn only)
}

// declName finds the declared name of the declarator in [a, b), after
// the rules of C declarators as the kernel writes them:
//  1. a parenthesised declarator `(*name)`, `(*name[4])`, `(*name(args))`;
//  2. a function: the first `name(...)` followed only by annotations;
//  3. otherwise the last plain identifier before `[`, `:` or `=`, not a
//     struct tag, not an annotation, not a macro call.
func (c *classifier) declName(a, b int) declarator {
	if d, ok := c.starDeclarator(a, b); ok {
		return d
	}
	lastOther := c.lastNonAnnotation(a, b)
	for k := a; k < b; k = c.next(k, b) {
		t := c.toks[k]
		if t.kind != tIdent || t.w != wPlain || !c.isParen(k+1, b) || !c.isParamList(k+1) {
			continue
		}
		if tail := c.next(k+1, b); tail > lastOther {
			return declarator{name: k, core: k, fn: true, after: tail}
		}
	}
	last, tagNext := -1, false
loop:
	for k := a; k < b; k = c.next(k, b) {
		t := c.toks[k]
		switch {
		case t.kind == tOpen && c.src[t.start] == '[', t.kind == tColon, t.kind == tAssign:
			break loop
		case t.kind == tIdent && isTagKeyword(t.w):
			tagNext = true
		case t.kind != tIdent || t.w != wPlain || c.isParen(k+1, b):
			tagNext = tagNext && (t.kind == tIdent || t.kind == tOpen) // `struct __packed tag`
		case tagNext:
			tagNext = false // the tag
		default:
			last = k
		}
	}
	return declarator{name: last, core: max(last, a)}
}

// starDeclarator finds a parenthesised declarator starting with `*`.
func (c *classifier) starDeclarator(a, b int) (declarator, bool) {
	for k := a; k < b; k = c.next(k, b) {
		if !c.isParen(k, b) {
			continue
		}
		// `(*name)`, or `(CALLCONV *name)(args)` as ACPICA writes it.
		starts := k+1 < b && (c.toks[k+1].kind == tStar ||
			c.toks[k+1].kind == tIdent && k+2 < b && c.toks[k+2].kind == tStar && c.isParen(c.next(k, b), b))
		// `(name)(args)`: a function (type) whose name is parenthesised,
		// so that a function-like macro of the same name is not expanded.
		parenName := k+3 < b && c.toks[k+1].kind == tIdent && c.toks[k+1].w == wPlain &&
			c.toks[k].match == int32(k+2) && c.isParen(k+3, b)
		if k > a && c.toks[k-1].kind == tIdent {
			w := c.toks[k-1].w
			macroCall := w == wPlain && !starts && !(parenName && k-1 > a)
			if w == wAttrCall || w == wTypeof || macroCall {
				continue
			}
		}
		if !starts {
			if parenName {
				return declarator{name: k + 1, core: k, fn: true, after: c.next(k+3, b)}, true
			}
			return declarator{}, false
		}
		name, fn := c.starName(k)
		if name < 0 {
			return declarator{}, false
		}
		d := declarator{name: name, core: k, fn: fn}
		if fn {
			d.after = c.next(name+1, len(c.toks))
		}
		return d, true
	}
	return declarator{}, false
}

// starName returns the name inside the group opened at k (`(*name)`) and
// whether it is a function (`(*name(args))`, a function returning a
// pointer to function).
func (c *classifier) starName(k int) (int, bool) {
	end := int(c.toks[k].match)
	if end < 0 {
		end = len(c.toks)
	}
	last := -1
	for j := k + 1; j < end; j = c.next(j, end) {
		t := c.toks[j]
		switch {
		case t.kind == tIdent && t.w == wPlain:
			if c.isParen(j+1, end) {
				return j, true
			}
			last = j
		case t.kind == tOpen && c.src[t.start] == '[':
			return last, false
		case c.isParen(j, end) && j+1 < end && c.toks[j+1].kind == tStar:
			return c.starName(j)
		}
	}
	return last, false
}

func isTagKeyword(w word) bool { return w == wStruct || w == wUnion || w == wEnum }

// lastNonAnnotation returns the index of the last top-level item of
// [a, b) that is not an annotation (`__acquires(x)`,
// `__attribute__((...))`, `asm("name")`), or a-1: a parameter list
// followed only by annotations ends after it.
func (c *classifier) lastNonAnnotation(a, b int) int {
	last := a - 1
	for k := a; k < b; {
		if c.toks[k].kind == tIdent && c.isAttrIdent(k) {
			k++
			if c.isParen(k, b) {
				k = c.next(k, b)
			}
			continue
		}
		last = k
		k = c.next(k, b)
	}
	return last
}

// isParamList reports whether the group opened at k can be a parameter
// list: it does not start with a literal, as macro arguments may
// (`SEC(".maps")`, `CH_PCI_ID_TABLE_FENTRY(0x4000)`).
func (c *classifier) isParamList(k int) bool {
	if k+1 >= len(c.toks) {
		return true
	}
	first := c.toks[k+1].kind
	return first != tString && first != tNumber
}

// isUpper reports whether name has letters, all upper-case.
func isUpper(name []byte) bool {
	letters := false
	for _, ch := range name {
		switch {
		case 'a' <= ch && ch <= 'z':
			return false
		case 'A' <= ch && ch <= 'Z':
			letters = true
		}
	}
	return letters
}

// glueEnd returns where the declaration in [a, core) starts once macro
// invocations written without a `;` before it are left out
// (`DEFINE_FREE(...)` on the line above a prototype).
func (c *classifier) glueEnd(a, core int) int {
	start := a
	for k := a; k < core; k = c.next(k, core) {
		if t := c.toks[k]; t.kind == tIdent && t.w == wPlain && c.isParen(k+1, core) {
			start = c.next(k+1, core)
		}
	}
	return start
}

// specs is what the specifiers of a declaration say.
type specs struct {
	flags   facts.ScanFlags // static, extern, inline, must-check
	typedef bool
	hasType bool // a type is named: a keyword, a typedef name, a tag, a pointer
	// capsType is set when the only type is an upper-case name, as when an
	// object-like macro invocation without `;` precedes the declaration
	// (`SOFTIRQ_NAME_LIST` before `TRACE_EVENT(...)`).
	capsType bool
}

func (c *classifier) specifiers(a, b int) specs {
	var sp specs
	caps := 0 // upper-case names seen; -1 once another type is
	for k := a; k < b; k = c.next(k, b) {
		t := c.toks[k]
		switch t.kind {
		case tStar, tBraces:
			sp.hasType, caps = true, -1
		case tIdent:
			switch t.w {
			case wStatic:
				sp.flags |= facts.FlagStatic
			case wExtern:
				sp.flags |= facts.FlagExtern
			case wInline:
				sp.flags |= facts.FlagInline
			case wTypedef:
				sp.typedef = true
			case wType, wTypeof, wStruct, wUnion, wEnum:
				sp.hasType, caps = true, -1
			case wPlain:
				if c.isParen(k+1, b) {
					break
				}
				sp.hasType = true
				if caps >= 0 && isUpper(c.src[t.start:t.end]) {
					caps++
				} else {
					caps = -1
				}
			}
		}
	}
	sp.capsType = caps > 0
	if c.mustCheck(a, b) {
		sp.flags |= facts.FlagMustCheck
	}
	return sp
}

// mustCheck reports whether [a, b) holds `__must_check` or
// `__attribute__((warn_unused_result))` at top level.
func (c *classifier) mustCheck(a, b int) bool {
	for k := a; k < b; k = c.next(k, b) {
		t := c.toks[k]
		if t.kind != tIdent {
			continue
		}
		if t.w == wMustCheck {
			return true
		}
		if t.w == wAttrCall && c.isParen(k+1, b) && bytes.HasPrefix(c.text(k), attribute) {
			end := c.next(k+1, b)
			for j := k + 2; j < end; j++ {
				if c.toks[j].kind == tIdent {
					switch string(c.text(j)) {
					case "warn_unused_result", "__warn_unused_result__":
						return true
					}
				}
			}
		}
	}
	return false
}

// declare records the declarations of the statement. end is where their
// spans end; with body set, the last declarator must be a function whose
// body follows, and its index is returned (-1 otherwise).
func (c *classifier) declare(s *scanner, end uint32, body bool) int32 {
	n := len(c.toks)
	var (
		sp    specs
		start uint32
		fn    int32 = -1
	)
	for a := 0; a <= n; {
		b := a
		for b < n && c.toks[b].kind != tComma {
			b = c.next(b, n)
		}
		last := b >= n
		d := c.declName(a, b)
		if a == 0 {
			core := d.core
			if d.name < 0 {
				core = b
			}
			g := c.glueEnd(0, core)
			sp = c.specifiers(g, core)
			start = c.toks[min(g, n-1)].start
		}
		if d.name >= 0 {
			nt := c.toks[d.name]
			pd := pdecl{name0: nt.start, nameEnd: nt.end, spliced: nt.spliced, span: facts.Span{Start: start, End: end}}
			switch {
			case sp.typedef:
				if !(body && last) {
					pd.kind = facts.DeclTypedef
					s.addDecl(pd)
				}
			case d.fn && !(body && last) && (!sp.hasType || sp.capsType && isUpper(c.src[nt.start:nt.end])):
				// A macro invocation, maybe glued to another one.
			case d.fn:
				pd.kind = facts.DeclFunc
				pd.flags = sp.flags
				if c.mustCheck(d.after, b) {
					pd.flags |= facts.FlagMustCheck
				}
				if body && last {
					pd.flags |= facts.FlagDefinition
					fn = s.addDecl(pd)
				} else {
					s.addDecl(pd)
				}
			case !d.fn && sp.hasType && !(body && last):
				pd.kind = facts.DeclGlobal
				pd.flags = sp.flags & (facts.FlagStatic | facts.FlagExtern)
				s.addDecl(pd)
			}
		}
		a = b + 1
	}
	return fn
}

// openRecord starts a struct, union or enum body when the statement so
// far ends with `struct tag` (annotations allowed around the tag).
func (s *scanner) openRecord(brace tok) bool {
	c := classifier{src: s.src, toks: s.st.toks}
	kw, tag := -1, -1
	if k, ok := c.recordMacro(); ok {
		kw, tag = k, k+2
	}
	for k := len(c.toks) - 1; k >= 0 && kw < 0; k-- {
		t := c.toks[k]
		switch {
		case t.kind == tClose && t.match > 0 && c.toks[t.match-1].kind == tIdent && c.isAnnotation(int(t.match-1)):
			k = int(t.match - 1) // an annotation with arguments
		case t.kind != tIdent:
			return false
		case isTagKeyword(t.w):
			kw = k
		case t.w == wPlain:
			tag = k
		case c.isAnnotation(k) || t.w == wQual:
		default:
			return false
		}
	}
	if kw < 0 {
		return false
	}
	kind := recordKind(c.toks[kw].w)
	f := frame{kind: fRecord, open: brace.start, decl: -1, cur: -1, fromStmt: true}
	if kind == facts.DeclEnum {
		f.kind, f.expect = fEnum, true
	}
	if tag >= 0 {
		t := c.toks[tag]
		start := c.toks[c.glueEnd(0, kw)].start
		f.decl = s.addDecl(pdecl{kind: kind, flags: facts.FlagDefinition,
			name0: t.start, nameEnd: t.end, spliced: t.spliced,
			span: facts.Span{Start: start, End: brace.end}})
	}
	s.push(f)
	return true
}

// recordMacro reports whether the statement ends with a macro that
// opens a struct definition, `context_lock_struct(name)` (Linux 7.x
// context analysis: it expands to `struct name`), and returns the index of
// the macro name; the tag is two tokens on.
func (c *classifier) recordMacro() (int, bool) {
	n := len(c.toks)
	if n < 4 || c.toks[n-1].kind != tClose {
		return 0, false
	}
	k := int(c.toks[n-1].match) - 1
	if k < 0 || c.toks[k].kind != tIdent || string(c.src[c.toks[k].start:c.toks[k].end]) != "context_lock_struct" {
		return 0, false
	}
	if c.toks[k+2].kind != tIdent || c.toks[k+2].w != wPlain {
		return 0, false
	}
	return k, true
}

// openNestedRecord starts a record defined inside the record body f.
func (s *scanner) openNestedRecord(f *frame, brace tok) {
	nf := frame{kind: fRecord, open: brace.start, decl: -1, cur: -1}
	if f.kw == wEnum {
		nf.kind, nf.expect = fEnum, true
	}
	if f.tag.end != 0 {
		nf.decl = s.addDecl(pdecl{kind: recordKind(f.kw), flags: facts.FlagDefinition,
			name0: f.tag.start, nameEnd: f.tag.end, spliced: f.tag.spliced,
			span: facts.Span{Start: f.kwPos, End: brace.end}})
	}
	f.kw = wPlain
	s.push(nf)
}

func recordKind(w word) facts.DeclKind {
	switch w {
	case wPlain:
		return facts.DeclStruct // context_lock_struct
	case wUnion:
		return facts.DeclUnion
	case wEnum:
		return facts.DeclEnum
	}
	return facts.DeclStruct
}

// cleanups records the cleanup.h declarations invoked at the top level of
// the statement.
func (c *classifier) cleanups(s *scanner) {
	n := len(c.toks)
	for k := 0; k < n; k = c.next(k, n) {
		t := c.toks[k]
		if t.kind != tIdent || t.w != wPlain || !c.isParen(k+1, n) || c.toks[k+1].match < 0 {
			continue
		}
		if !cleanupMacros[string(c.src[t.start:t.end])] {
			continue
		}
		open, close := k+1, int(c.toks[k+1].match)
		var args []pspan
		argStart := open + 1
		for j := open + 1; j <= close; j = c.next(j, close+1) {
			if j == close || c.toks[j].kind == tComma {
				a := pspan{c.toks[argStart].start, c.toks[argStart].start}
				if argStart < j {
					a.end = c.toks[j-1].end
				}
				args = append(args, a)
				argStart = j + 1
			}
		}
		s.cleanups = append(s.cleanups, pcleanup{
			macro: pspan{t.start, t.end},
			args:  args,
			span:  facts.Span{Start: t.start, End: c.toks[close].end},
		})
	}
}
