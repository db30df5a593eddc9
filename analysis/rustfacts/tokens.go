package rustfacts

import (
	"slices"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// Anonymous token kinds of the Rust grammar. treesitter/kinds.go lists
// only named kinds; these are the keywords and punctuation rustfacts reads.
const (
	tokUnsafe   = "unsafe"
	tokColons   = "::"
	tokComma    = ","
	tokDot      = "."
	tokDollar   = "$"
	tokStar     = "*"
	tokConst    = "const"
	tokAs       = "as"
	tokLess     = "<"
	tokGreater  = ">"
	tokArrow    = "->"
	tokQuestion = "?"
	tokFn       = "fn"
	tokImpl     = "impl"
	tokFor      = "for"
	tokWhere    = "where"
	tokPub      = "pub"
	tokSemi     = ";"
	tokHash     = "#"
	tokStruct   = "struct"
	tokEnum     = "enum"
	tokUnion    = "union"
)

const (
	// bindingsCrate is the name of the bindgen crate.
	bindingsCrate = "bindings"
	// opaqueSeg stands for a path part that is no plain segment.
	opaqueSeg = "<>"
	// noTypeArg says no argument of a macro is known to be a type.
	noTypeArg = -1
)

// macroTypeArgs gives, for macros whose arguments the kernel passes as
// `name!(a, b, ...)`, the index of the argument that is a type, so a
// bindings path there is a RefType: `container_of!(ptr, bindings::device,
// kobj)`, `offset_of!(bindings::device, kobj)`.
var macroTypeArgs = map[string]int{
	"container_of": 1,
	"offset_of":    0,
}

// token is one element of a token tree: a leaf token or a nested tree.
type token struct {
	kind       string
	start, end uint32
	tree       treesitter.Node // a nested token tree, else null
	rep        bool            // the tree is a `$( ... )` repetition
}

// visitMacroInvocation scans the invocation's token tree.
func (x *extractor) visitMacroInvocation(n treesitter.Node) {
	typeArg, ok := macroTypeArgs[facts.LastSegment(n.Field(treesitter.RustFieldMacro).Text())]
	if !ok {
		typeArg = noTypeArg
	}
	for _, c := range n.Children() {
		if c.Kind() == treesitter.RustKindTokenTree {
			x.scanTokenTree(c, scanCtx{typeArg: typeArg})
		}
	}
}

// scanCtx says what a token tree is: which top-level argument of the
// macro is a type (typeArg), whether it is (inside) a macro_rules! body
// whose impls and fns become facts (items), and whether it is the body of
// such an impl, whose fns are its members (members).
type scanCtx struct {
	typeArg int
	items   bool
	members bool
}

// scanTokenTree finds bindings paths and calls in an unparsed token tree
// (a macro invocation's arguments, a macro_rules! body).
func (x *extractor) scanTokenTree(tt treesitter.Node, sc scanCtx) {
	x.scanTokens(x.tokens(tt), sc)
}

// scanTokens scans a token list. A path is a run of segments joined by
// `::`; it reaches a binding as a tree path would. Its kind comes from
// the tokens around it: a call when a `(...)` group follows, a type after
// `*mut`, `*const`, `as`, `->`, a generic `<`, in a macro's type
// argument, or when NAME qualifies further segments, and a value
// otherwise. In macro_rules! bodies, `impl` blocks and fns are recorded
// (see macroImpl, macroFn) so what they contain has an enclosing fn.
func (x *extractor) scanTokens(toks []token, sc scanCtx) {
	arg := 0
	for i := 0; i < len(toks); i++ {
		switch toks[i].kind {
		case treesitter.RustKindTokenTree:
			// A repetition `$( ... )*` stays at the level it sits in.
			x.scanTokenTree(toks[i].tree, scanCtx{typeArg: noTypeArg, items: sc.items, members: sc.members && toks[i].rep})
			continue
		case tokComma:
			arg++
			continue
		case tokDot:
			x.tokenMethodCall(toks, i)
			continue
		case tokImpl:
			if sc.items {
				i = x.macroImpl(toks, i) - 1
				continue
			}
		case tokFn:
			if sc.items {
				i = x.macroFn(toks, i, sc) - 1
				continue
			}
		}
		if !pathStart(toks, i) {
			continue
		}
		segs, next := x.tokenPath(toks, i)
		if len(segs) == 0 {
			continue
		}
		called := next < len(toks) && x.parenTree(toks[next])
		if name, k, ok := x.pos.scope.resolve(segs); ok {
			kind := facts.RefValue
			switch {
			case k < len(segs)-1 || next < len(toks) && toks[next].kind == tokColons:
				kind = facts.RefType // NAME qualifies more: `bindings::rb_root::default()`
			case called:
				kind = facts.RefCall
			case arg == sc.typeArg || x.typeContext(toks, i):
				kind = facts.RefType
			}
			x.addRef(name, segs[k].span, facts.Span{Start: segs[0].span.Start, End: segs[k].span.End}, kind)
		}
		if called && !declContext(toks, i) && !hasMetavariable(segs) {
			x.out.Calls = append(x.out.Calls, facts.RCall{
				Callee: joinSegs(segs),
				Span:   facts.Span{Start: toks[i].start, End: toks[next].end},
				Fn:     x.pos.fn,
			})
		}
		i = next - 1
	}
}

// tokens lists the children of a token tree between its delimiters. A
// `$( ... ),*` repetition in a macro_rules! body counts as a nested
// tree: its tokens are those between its parentheses.
func (x *extractor) tokens(tt treesitter.Node) []token {
	n := tt.ChildCount()
	toks := make([]token, 0, n)
	for i := 0; i < n; i++ {
		c := tt.Child(i)
		t := token{kind: c.Kind(), start: c.StartByte(), end: c.EndByte()}
		if t.kind == treesitter.RustKindTokenRepetition {
			t.kind, t.rep = treesitter.RustKindTokenTree, true
		}
		if t.kind == treesitter.RustKindTokenTree {
			t.tree = c
		}
		toks = append(toks, t)
	}
	start, end := 0, len(toks)
	if tt.Kind() == treesitter.RustKindTokenRepetition {
		start = slices.IndexFunc(toks, func(t token) bool { return t.kind == "(" }) + 1
		end = max(start, lastIndexFunc(toks, func(t token) bool { return t.kind == ")" }))
		return toks[start:end]
	}
	if len(toks) > 0 && isOpen(toks[0].kind) {
		start = 1
	}
	if end > start && isClose(toks[end-1].kind) {
		end--
	}
	return toks[start:end]
}

func lastIndexFunc(toks []token, f func(token) bool) int {
	for i := len(toks) - 1; i >= 0; i-- {
		if f(toks[i]) {
			return i
		}
	}
	return -1
}

func isOpen(k string) bool  { return k == "(" || k == "[" || k == "{" }
func isClose(k string) bool { return k == ")" || k == "]" || k == "}" }

// parenTree reports whether t is a `( ... )` group.
func (x *extractor) parenTree(t token) bool {
	return t.kind == treesitter.RustKindTokenTree && int(t.start) < len(x.src) && x.src[t.start] == '('
}

// segKind reports whether a token of this kind can be a path segment.
func segKind(k string) bool {
	switch k {
	case treesitter.RustKindIdentifier, treesitter.RustKindSelf, treesitter.RustKindSuper,
		treesitter.RustKindCrate, treesitter.RustKindMetavariable:
		return true
	}
	return false
}

// pathStart reports whether a path begins at toks[i]: a segment or a
// leading `::` or `$crate`, not continuing a path nor naming a field.
func pathStart(toks []token, i int) bool {
	k := toks[i].kind
	if !segKind(k) && k != tokColons && k != tokDollar {
		return false
	}
	if i == 0 {
		return true
	}
	p := toks[i-1].kind
	return p != tokColons && p != tokDot
}

// tokenPath reads the path starting at toks[i] and returns its segments
// and the index of the first token after it. A turbofish ends the path.
func (x *extractor) tokenPath(toks []token, i int) ([]seg, int) {
	var segs []seg
	j := i
	if toks[j].kind == tokColons {
		segs = append(segs, seg{span: facts.Span{Start: toks[j].start, End: toks[j].start}})
		j++
	}
	for {
		s, k, ok := x.tokenSeg(toks, j)
		if !ok {
			break
		}
		segs, j = append(segs, s), k
		if j+1 < len(toks) && toks[j].kind == tokColons {
			if _, _, ok := x.tokenSeg(toks, j+1); ok {
				j++
				continue
			}
		}
		break
	}
	if len(segs) == 0 || segs[len(segs)-1].text == "" {
		return nil, i + 1
	}
	return segs, j
}

// tokenSeg reads one segment at toks[j]; `$` `crate` (as macro
// invocations tokenise it) is the segment "$crate". After `::` a keyword
// is a segment too (`Foo::default`): token trees lex `default` as one.
func (x *extractor) tokenSeg(toks []token, j int) (seg, int, bool) {
	if j >= len(toks) {
		return seg{}, j, false
	}
	t := toks[j]
	text := x.slice(t.start, t.end)
	if segKind(t.kind) || j > 0 && toks[j-1].kind == tokColons && isWord(text) {
		return seg{text: string(text), span: facts.Span{Start: t.start, End: t.end}}, j + 1, true
	}
	if t.kind == tokDollar && j+1 < len(toks) && toks[j+1].kind == treesitter.RustKindCrate {
		return seg{text: "$crate", span: facts.Span{Start: t.start, End: toks[j+1].end}}, j + 2, true
	}
	return seg{}, j, false
}

// isWord reports whether text is a keyword or identifier.
func isWord(text []byte) bool {
	if len(text) == 0 || text[0] >= '0' && text[0] <= '9' {
		return false
	}
	for _, c := range text {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// typeContext reports whether the tokens before a path put it in type
// position: `*mut P`, `*const P`, `x as P`, `-> P`, `Vec<P`, `f::<P`.
func (x *extractor) typeContext(toks []token, i int) bool {
	if i == 0 {
		return false
	}
	switch toks[i-1].kind {
	case tokAs, tokArrow:
		return true
	case tokLess:
		return x.genericOpen(toks, i-1)
	case treesitter.RustKindMutableSpecifier, tokConst:
		return i >= 2 && toks[i-2].kind == tokStar
	}
	return false
}

// genericOpen reports whether the `<` at toks[lt] opens generic
// arguments rather than comparing: it follows `::` or touches the
// identifier before it (`Vec<`), where a comparison is spaced (`a < b`).
func (x *extractor) genericOpen(toks []token, lt int) bool {
	if lt == 0 {
		return false
	}
	prev := toks[lt-1]
	return prev.kind == tokColons || segKind(prev.kind) && prev.end == toks[lt].start
}

// declContext reports whether a path followed by `(...)` declares rather
// than calls: `fn f(...)`, `struct S(...)`.
func declContext(toks []token, i int) bool {
	if i == 0 {
		return false
	}
	switch toks[i-1].kind {
	case tokFn, tokStruct, tokEnum, tokUnion:
		return true
	}
	return false
}

// hasMetavariable reports whether a path has a macro metavariable other
// than $crate: `$name(...)` calls whatever the macro is given.
func hasMetavariable(segs []seg) bool {
	for _, s := range segs {
		if len(s.text) > 0 && s.text[0] == '$' && s.text != "$crate" {
			return true
		}
	}
	return false
}

// tokenMethodCall records `recv.name(...)` at the dot toks[dot].
func (x *extractor) tokenMethodCall(toks []token, dot int) {
	if dot+2 >= len(toks) || toks[dot+1].kind != treesitter.RustKindIdentifier || !x.parenTree(toks[dot+2]) {
		return
	}
	first := x.tokenRecv(toks, dot)
	c := facts.RCall{
		Callee: string(x.slice(toks[dot+1].start, toks[dot+1].end)),
		Method: true,
		Span:   facts.Span{Start: toks[dot].start, End: toks[dot+2].end},
		Fn:     x.pos.fn,
	}
	if first >= 0 {
		c.Recv = norm(string(x.slice(toks[first].start, toks[dot-1].end)))
		c.Span.Start = toks[first].start
	}
	x.out.Calls = append(x.out.Calls, c)
}

// tokenRecv finds the first token of the receiver ending before the dot:
// a chain of primaries (identifiers, paths, calls, groups, literals)
// joined by dots, each optionally followed by `?`. It returns -1 when the
// token before the dot starts no receiver it can read.
func (x *extractor) tokenRecv(toks []token, dot int) int {
	first := -1
	for j := dot - 1; j >= 0; {
		k := j
		if toks[k].kind == tokQuestion && k > 0 {
			k--
		}
		if toks[k].kind == treesitter.RustKindTokenTree && k > 0 && segKind(toks[k-1].kind) {
			k-- // a call or an index: include what is called
		}
		if !primary(toks[k].kind) {
			break
		}
		for k >= 2 && toks[k-1].kind == tokColons && segKind(toks[k-2].kind) {
			k -= 2
		}
		first = k
		if k >= 2 && toks[k-1].kind == tokDot {
			j = k - 2
			continue
		}
		break
	}
	return first
}

func primary(k string) bool {
	switch k {
	case treesitter.RustKindIdentifier, treesitter.RustKindSelf, treesitter.RustKindMetavariable,
		treesitter.RustKindTokenTree, treesitter.RustKindIntegerLiteral, treesitter.RustKindFloatLiteral,
		treesitter.RustKindStringLiteral, treesitter.RustKindCharLiteral:
		return true
	}
	return false
}
