package cfacts

import (
	"sort"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// typeAnnots are the annotations that qualify one level of a type
// (facts.CType.Annots) rather than a declaration.
var typeAnnots = map[string]bool{
	facts.AttrUser:   true,
	facts.AttrIomem:  true,
	facts.AttrRCU:    true,
	facts.AttrPercpu: true,
	"__force":        true,
	"__bitwise":      true,
	"__kernel":       true,
	"__nocast":       true,
	"__private":      true,
}

// cleanupPrefixes name the cleanup.h declaration macros (facts.CCleanup),
// with their _COND, _COND_3, _IS_GUARD ... variants.
var cleanupPrefixes = []string{"DEFINE_FREE", "DEFINE_GUARD", "DEFINE_CLASS", "EXTEND_CLASS", "DEFINE_LOCK_GUARD_"}

func isCleanup(name string) bool {
	for _, p := range cleanupPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// isDeclAttr reports whether an annotation can qualify a declaration: a
// lowercase attribute such as `__must_check`, `__acquires`, `notrace` or
// `__attribute__`. File-scope macros the mask blanks (DEFINE_FREE,
// EXPORT_SYMBOL, module_init, ...) and statement macros (iterators,
// scoped_guard) sit next to declarations without belonging to them.
func isDeclAttr(name string) bool {
	if name == "" || strings.Contains(name, "for_each") || strings.HasSuffix(name, "guard") ||
		strings.HasPrefix(name, "module_") || strings.HasSuffix(name, "initcall") {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// attrs normalises one declaration annotation to the facts.Attr* names:
// `__attribute__((warn_unused_result, malloc))` gives __must_check and
// __malloc. Attributes rivet has no name for keep their spelling; items of
// an attribute list rivet does not know stay {__attribute__, item}.
func attrs(name, args string, span facts.Span) []facts.Annotation {
	if name != "__attribute__" && name != "__attribute" {
		return []facts.Annotation{{Name: name, Args: args, Span: span}}
	}
	var out []facts.Annotation
	for _, item := range splitTopLevel(unparen(args)) {
		if item == "" {
			continue
		}
		iname, iargs := item, ""
		if open := strings.IndexByte(item, '('); open > 0 && strings.HasSuffix(item, ")") {
			iname, iargs = strings.TrimSpace(item[:open]), strings.TrimSpace(item[open+1:len(item)-1])
		}
		a := facts.Annotation{Name: "__attribute__", Args: item, Span: span}
		switch strings.Trim(iname, "_") {
		case "warn_unused_result":
			a = facts.Annotation{Name: facts.AttrMustCheck, Args: iargs, Span: span}
		case "malloc":
			a = facts.Annotation{Name: facts.AttrMalloc, Args: iargs, Span: span}
		case "noreturn":
			a = facts.Annotation{Name: facts.AttrNoreturn, Args: iargs, Span: span}
		case "always_inline":
			a = facts.Annotation{Name: "__always_inline", Span: span}
		}
		out = append(out, a)
	}
	return out
}

// unparen strips one pair of parentheses enclosing all of s.
func unparen(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		return s[1 : len(s)-1]
	}
	return s
}

// cleanup turns a cleanup.h macro annotation into a facts.CCleanup.
func cleanup(a facts.Annotation) facts.CCleanup {
	return facts.CCleanup{Macro: a.Name, Args: splitTopLevel(a.Args), Span: a.Span}
}

// annotations is a file's masked annotations in source order, in the
// coordinates of the parsed text.
type annotations []treesitter.Annotation

// in returns the annotations lying entirely inside [start, end).
func (as annotations) in(start, end uint32) []treesitter.Annotation {
	i := sort.Search(len(as), func(i int) bool { return as[i].Start >= start })
	j := i
	for j < len(as) && as[j].End <= end {
		j++
	}
	return as[i:j]
}
