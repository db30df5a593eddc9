package treesitter

import (
	"cmp"
	"slices"
	"sort"
)

// Directives. tree-sitter-c reads `#if ... #endif` only around whole
// declarations, statements or members, and other directives only where a
// declaration or statement could be; kernel code also puts them inside
// initializer and argument lists (`.pm = &foo_pm_ops,` under
// `#ifdef CONFIG_PM`, an `#include` of table rows, an `#undef` between
// enumerators) and around parts of statements (an `else if` arm). Such
// conditional groups are merged: their directive lines are blanked, so
// every branch stays in the tree and is read as if all were compiled.
// Other directives in lists are blanked too. Groups the grammar can read
// are left alone, and no code is ever dropped.

// cDirective is a preprocessor directive line.
type cDirective struct {
	start, end uint32 // the directive's bytes, continuation lines included
	tok        int32  // index of the first token after it
	name       string // "#if", "#ifdef", ..., "#endif", "#define", ...
	args       span   // the rest of the directive
	// ctx is the index of the innermost bracket open at the directive,
	// or -1 at file scope.
	ctx int32
	// assembly marks the #if of a group with an assembler branch, which
	// assemblyBranches has handled.
	assembly bool
}

func (d cDirective) opens() bool {
	return d.name == "#if" || d.name == "#ifdef" || d.name == "#ifndef"
}

func (d cDirective) closes() bool { return d.name == "#endif" }

func (d cDirective) conditional() bool {
	switch d.name {
	case "#if", "#ifdef", "#ifndef", "#elif", "#elifdef", "#elifndef", "#else", "#endif":
		return true
	}
	return false
}

// inList reports whether the bracket at ctx opens a list: parentheses,
// brackets, an initializer or an enumerator list.
func (m *masker) inList(ctx int32) bool {
	if ctx < 0 {
		return false
	}
	t := m.toks[ctx]
	return m.src[t.start] != '{' || t.brace == braceInit || t.brace == braceEnum
}

// directivesC merges the conditional groups the grammar cannot read and
// blanks the other directives it cannot read.
func (m *masker) directivesC(dirs []cDirective) {
	if len(dirs) == 0 {
		return
	}
	m.directiveContexts(dirs)
	for i, d := range dirs {
		if !d.conditional() && m.inList(d.ctx) {
			m.merge(dirs, []int{i})
		}
	}
	for _, g := range conditionalGroups(dirs) {
		if !dirs[g[0]].assembly && !m.annotated(dirs[g[0]].start) && m.unreadable(dirs, g) {
			m.merge(dirs, g)
		}
	}
	// Groups end inner first, so their notes are out of order; nextRun
	// sorts them.
	m.nextRun()
}

// conditionalGroups returns the complete #if ... #endif groups of dirs as
// the indexes of their directives, inner groups before the groups holding
// them. Directives whose #if or #endif is not in the file are left out.
func conditionalGroups(dirs []cDirective) [][]int {
	var out, open [][]int
	for i, d := range dirs {
		switch {
		case !d.conditional():
		case d.opens():
			open = append(open, []int{i})
		case len(open) == 0:
		case d.closes():
			out = append(out, append(open[len(open)-1], i))
			open = open[:len(open)-1]
		default:
			open[len(open)-1] = append(open[len(open)-1], i)
		}
	}
	return out
}

// assemblyBranches blanks the assembler branches of `#ifdef __ASSEMBLY__`
// groups (the first branch, or the #else of `#ifndef __ASSEMBLY__`) and
// marks their tokens done: they are not C. An assembler branch inside
// another is covered by the outer one.
func (m *masker) assemblyBranches(dirs []cDirective, done []bool) {
	type branch struct{ from, to uint32 }
	var bs []branch
	for _, g := range conditionalGroups(dirs) {
		first := dirs[g[0]]
		cond := m.condition(first)
		asm := -1 // the index in g of the directive opening the branch
		switch {
		case first.name == "#ifdef" && cond == "__ASSEMBLY__", first.name == "#if" && cond == "defined(__ASSEMBLY__)":
			asm = 0
		case first.name == "#ifndef" && cond == "__ASSEMBLY__", first.name == "#if" && cond == "!defined(__ASSEMBLY__)":
			if len(g) == 3 && dirs[g[1]].name == "#else" {
				asm = 1
			}
		}
		if asm >= 0 {
			dirs[g[0]].assembly = true
			bs = append(bs, branch{dirs[g[asm]].end, dirs[g[asm+1]].start})
		}
	}
	slices.SortFunc(bs, func(a, b branch) int { return cmp.Compare(a.from, b.from) })
	covered := uint32(0)
	for _, b := range bs {
		if b.from < covered || b.from >= b.to {
			continue
		}
		covered = b.to
		m.blank(b.from, b.to)
		m.note(AnnAssembly, "__ASSEMBLY__", b.from, b.to)
		k := sort.Search(len(m.toks), func(k int) bool { return m.toks[k].start >= b.from })
		for ; k < len(m.toks) && m.toks[k].start < b.to; k++ {
			done[k] = true
		}
	}
}

// condition is a directive's condition without comments or blanks.
func (m *masker) condition(d cDirective) string {
	args := m.src[d.args.start:d.args.end]
	var b []byte
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == '/' && i+1 < len(args) && (args[i+1] == '*' || args[i+1] == '/'):
			return string(b)
		case !isSpace(args[i]) && args[i] != '\\':
			b = append(b, args[i])
		}
	}
	return string(b)
}

// directiveContexts sets each directive's ctx with one pass of a bracket
// stack over the tokens.
func (m *masker) directiveContexts(dirs []cDirective) {
	var stack []int32
	d := 0
	for i := 0; i <= len(m.toks) && d < len(dirs); i++ {
		for d < len(dirs) && int(dirs[d].tok) == i {
			dirs[d].ctx = -1
			if len(stack) > 0 {
				dirs[d].ctx = stack[len(stack)-1]
			}
			d++
		}
		if i == len(m.toks) || m.toks[i].kind != tokPunct {
			continue
		}
		switch c := m.src[m.toks[i].start]; {
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, int32(i))
		case (c == ')' || c == ']' || c == '}') && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
	}
}

// unreadable reports whether the grammar cannot read the group g as a
// preprocessor node: its directives are not all inside the same brackets,
// it sits in a list other than an enumerator list (parentheses, brackets,
// an initializer), it follows something that needs a statement (`if (x)`,
// `else`, a label), or a branch starts with `else` or stops inside a
// statement.
func (m *masker) unreadable(dirs []cDirective, g []int) bool {
	ctx := dirs[g[0]].ctx
	for _, k := range g {
		if dirs[k].ctx != ctx {
			return true
		}
	}
	switch {
	case m.is(int(ctx), '{') && m.toks[ctx].brace == braceEnum:
		return false // the grammar reads groups of whole enumerators
	case m.inList(ctx):
		return true
	}
	if before := int(dirs[g[0]].tok) - 1; before >= 0 && !m.is(before, ';') && !m.is(before, '{') && !m.is(before, '}') {
		return true
	}
	// A member list copes with a branch ending in a macro that expands to
	// members (`__ARCH_FLOCK_PAD`); a statement list does not.
	record := m.is(int(ctx), '{') && m.toks[ctx].brace == braceRecord
	for b := 0; b+1 < len(g); b++ {
		first, last := int(dirs[g[b]].tok), int(dirs[g[b+1]].tok)-1
		if first > last {
			continue // an empty branch
		}
		if m.isIdent(first, "else") || !record && !m.is(last, ';') && !m.is(last, '}') {
			return true
		}
	}
	return false
}

// merge blanks the directives of group g, but not those already inside an
// annotation (an #ifdef in the arguments of a blanked macro).
func (m *masker) merge(dirs []cDirective, g []int) {
	for _, k := range g {
		d := dirs[k]
		if m.annotated(d.start) {
			continue
		}
		m.blank(d.start, d.end)
		m.note(d.name, string(trimSpace(m.src[d.args.start:d.args.end])), d.start, d.end)
	}
}
