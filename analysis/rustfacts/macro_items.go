package rustfacts

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// Items in macro_rules! bodies. The kernel generates some impls with
// macros (the GEM objects' `unsafe impl AlwaysRefCounted` comes from
// impl_aref_for_gem_obj!), so the body of a macro rule is read for
// `impl ... { ... }` blocks and fns, at the token level. Such an impl's
// Trait and Target are its header text, metavariables included
// ("$crate::sync::aref::AlwaysRefCounted", "$type"); such a fn has a
// name, spans, visibility, `unsafe`, ABI and #[no_mangle] /
// #[export_name = "literal"], but no Params or Ret (its parameter list
// may be made of metavariables). References and calls inside get it as
// their enclosing fn.

// macroImpl records the impl block whose `impl` token is toks[i] and
// scans it; it returns the index after the block, or i+1 when the tokens
// are no impl block (`impl Trait` in a type).
func (x *extractor) macroImpl(toks []token, i int) int {
	body := x.nextBraceTree(toks, i+1)
	if body < 0 || !x.itemStart(toks, i) {
		return i + 1
	}
	h := skipGenerics(toks, i+1, body)
	end, forAt := body, -1
	for j := h; j < body; j++ {
		switch toks[j].kind {
		case tokFor:
			if forAt < 0 {
				forAt = j
			}
		case tokWhere:
			end = min(end, j)
		}
	}
	im := facts.RImpl{Target: x.tokText(toks, h, end), Span: facts.Span{Start: toks[i].start, End: toks[body].end}}
	if forAt >= 0 && forAt < end {
		im.Trait, im.Target = x.tokText(toks, h, forAt), x.tokText(toks, forAt+1, end)
	}
	im.TargetName = facts.LastSegment(im.Target)
	if i > 0 && toks[i-1].kind == tokUnsafe {
		im.Unsafe, im.Span.Start = true, toks[i-1].start
	}
	x.scanTokens(toks[i+1:body], scanCtx{typeArg: noTypeArg})
	saved := x.pos
	x.pos.impl = len(x.out.Impls)
	x.out.Impls = append(x.out.Impls, im)
	x.scanTokenTree(toks[body].tree, scanCtx{typeArg: noTypeArg, items: true, members: true})
	x.pos = saved
	return body + 1
}

// macroFn records the fn whose `fn` token is toks[i] and scans its
// signature and body; it returns the index after the fn, or i+1 when the
// tokens are no fn item (`fn(u32)` as a type).
func (x *extractor) macroFn(toks []token, i int, sc scanCtx) int {
	if i+2 >= len(toks) || !segKind(toks[i+1].kind) || !x.parenTree(toks[i+2]) {
		return i + 1
	}
	end := -1
	for j := i + 3; j < len(toks) && end < 0; j++ {
		if toks[j].kind == tokSemi || x.braceTree(toks[j]) {
			end = j
		}
	}
	if end < 0 {
		return i + 1
	}
	name := toks[i+1]
	f := facts.RFn{
		Name:        string(x.slice(name.start, name.end)),
		NameSpan:    facts.Span{Start: name.start, End: name.end},
		Span:        facts.Span{Start: toks[i].start, End: toks[end].end},
		Impl:        -1,
		Trait:       -1,
		ExternBlock: -1,
	}
	if x.braceTree(toks[end]) {
		f.BodySpan = facts.Span{Start: toks[end].start, End: toks[end].end}
	}
	if sc.members {
		f.Impl = x.pos.impl
	}
	f.Span.Start = x.fnPrefix(toks, i, &f)
	idx := len(x.out.Fns)
	if f.Impl >= 0 {
		x.out.Impls[f.Impl].Fns = append(x.out.Impls[f.Impl].Fns, idx)
	}
	x.out.Fns = append(x.out.Fns, f)
	x.fnNodes = append(x.fnNodes, treesitter.Node{})
	saved := x.pos
	x.pos.fn, x.pos.impl, x.pos.trait, x.pos.extern = idx, -1, -1, -1
	x.scanTokens(toks[i+2:end+1], scanCtx{typeArg: noTypeArg, items: true})
	x.pos = saved
	return end + 1
}

// fnPrefix reads the qualifiers and attributes before the `fn` at
// toks[i] (`#[no_mangle] pub(crate) unsafe extern "C"`) into f and
// returns where the fn starts: at its first qualifier.
func (x *extractor) fnPrefix(toks []token, i int, f *facts.RFn) uint32 {
	start := toks[i].start
	for k := i - 1; k >= 0; k-- {
		t := toks[k]
		text := string(x.slice(t.start, t.end))
		switch {
		case t.kind == tokUnsafe:
			f.Unsafe = true
		case text == "extern":
			if f.ABI == "" {
				f.ABI = "C"
			}
		case t.kind == treesitter.RustKindStringLiteral && k > 0 && string(x.slice(toks[k-1].start, toks[k-1].end)) == "extern":
			f.ABI = unquote(text)
		case t.kind == tokPub:
			f.Pub = true
		case t.kind == tokConst, text == "async":
		case x.parenTree(t) && k > 0 && toks[k-1].kind == tokPub: // pub(crate)
		case x.bracketTree(t) && k > 0 && toks[k-1].kind == tokHash:
			// Attributes are not part of a fn's span, as in the tree.
			x.macroAttribute(t.tree, f)
			k--
			continue
		case t.kind == treesitter.RustKindLineComment || t.kind == treesitter.RustKindBlockComment:
			continue
		default:
			return start
		}
		start = t.start
	}
	return start
}

// macroAttribute reads #[no_mangle], #[unsafe(no_mangle)] and
// #[export_name = "x"] from the `[...]` tree of an attribute.
func (x *extractor) macroAttribute(tt treesitter.Node, f *facts.RFn) {
	text := strings.Join(strings.Fields(tt.Text()), "")
	text = strings.TrimSuffix(strings.TrimPrefix(text, "["), "]")
	if inner, ok := strings.CutPrefix(text, "unsafe("); ok {
		text = strings.TrimSuffix(inner, ")")
	}
	switch {
	case text == "no_mangle":
		f.NoMangle = true
	case strings.HasPrefix(text, "export_name="):
		f.ExportName = unquote(strings.TrimPrefix(text, "export_name="))
	}
}

// nextBraceTree is the index of the first `{...}` group at or after j
// and before any `;`, or -1.
func (x *extractor) nextBraceTree(toks []token, j int) int {
	for ; j < len(toks) && toks[j].kind != tokSemi; j++ {
		if x.braceTree(toks[j]) {
			return j
		}
	}
	return -1
}

// skipGenerics returns the index after an impl's generic parameters
// starting at toks[j] (`<T: Ops>`, or a `$( <...> )?` repetition), or j.
func skipGenerics(toks []token, j, end int) int {
	if j < end && toks[j].rep {
		return j + 1
	}
	if j >= end || toks[j].kind != tokLess {
		return j
	}
	depth := 0
	for k := j; k < end; k++ {
		switch toks[k].kind {
		case tokLess:
			depth++
		case tokGreater:
			depth--
			if depth == 0 {
				return k + 1
			}
		}
	}
	return j
}

// itemStart reports whether the `impl` at toks[i] starts an item rather
// than an `impl Trait` type (`-> impl Trait`, `x: impl Trait`): what
// precedes it ends an item, an attribute or a repetition of them.
func (x *extractor) itemStart(toks []token, i int) bool {
	if i == 0 {
		return true
	}
	p := toks[i-1]
	switch {
	case p.kind == tokUnsafe, p.kind == tokSemi, x.braceTree(p), x.bracketTree(p), p.rep,
		p.kind == treesitter.RustKindLineComment, p.kind == treesitter.RustKindBlockComment:
		return true
	}
	return false
}

// bracketTree reports whether t is a `[ ... ]` group.
func (x *extractor) bracketTree(t token) bool {
	return t.kind == treesitter.RustKindTokenTree && !t.rep && int(t.start) < len(x.src) && x.src[t.start] == '['
}

// braceTree reports whether t is a `{ ... }` group.
func (x *extractor) braceTree(t token) bool {
	return t.kind == treesitter.RustKindTokenTree && !t.rep && int(t.start) < len(x.src) && x.src[t.start] == '{'
}

// tokText is the source text from toks[from] to the end of toks[to-1],
// on one line.
func (x *extractor) tokText(toks []token, from, to int) string {
	if from >= to {
		return ""
	}
	return norm(string(x.slice(toks[from].start, toks[to-1].end)))
}
