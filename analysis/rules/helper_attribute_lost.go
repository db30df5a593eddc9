package rules

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// HelperAttributeLost reports rust_helper_NAME wrappers that drop an
// attribute of the function they wrap, hiding it from bindgen.
var HelperAttributeLost = register(&Rule{
	Code:     "helper-attribute-lost",
	Title:    "A `rust_helper_NAME` that drops the `__must_check`, `__noreturn` or `__malloc` of the C function it wraps.",
	Severity: Warning,
	Lang:     facts.LangC,
	Run:      runHelperAttributeLost,
	Doc: `# helper-attribute-lost

A ` + "`rust_helper_NAME`" + ` in rust/helpers whose wrapped C function is
` + "`__must_check`" + `, ` + "`__noreturn`" + ` or ` + "`__malloc`" + ` while the helper is not.

## What

bindgen cannot bind static inline functions and function-like macros, so
rust/helpers/*.c wraps each in an out-of-line ` + "`rust_helper_NAME`" + `, and Rust
calls the helper as ` + "`bindings::NAME`" + `. bindgen reads the helper's prototype,
not the wrapped function's. The rule looks at every helper that returns
what it wraps (` + "`return NAME(...)`" + `) or calls it, and reports each of these
attributes the wrapped declaration carries and the helper does not:

- ` + "`__must_check`" + ` (` + "`warn_unused_result`" + `), for a helper that returns the wrapped
  function's result;
- ` + "`__noreturn`" + `;
- ` + "`__malloc`" + `, for a helper that returns the wrapped function's pointer.

## Why

bindgen turns ` + "`__must_check`" + ` into ` + "`#[must_use]`" + ` and ` + "`__noreturn`" + ` into a ` + "`-> !`" + `
return type. A helper without them gives Rust a function whose result may be
dropped without a warning: Linux 7.3's ` + "`rust_helper_refcount_dec_and_test`" + `
loses the only signal that the caller dropped the last reference and must
free the object, and ` + "`rust_helper_IS_ERR`" + ` and ` + "`rust_helper_PTR_ERR`" + ` lose theirs.
The C side is where the fix belongs: every Rust caller benefits at once.

## Example

` + "```c" + `
__rust_helper bool rust_helper_refcount_dec_and_test(refcount_t *r) // reported
{
	return refcount_dec_and_test(r);
}
` + "```" + `

## Fix

Repeat the attribute on the helper:

` + "```c" + `
__rust_helper bool __must_check rust_helper_refcount_dec_and_test(refcount_t *r)
{
	return refcount_dec_and_test(r);
}
` + "```" + `

The quick fix inserts the missing attributes before the helper's name.

## Silence

Put ` + "`// rivet:allow(helper-attribute-lost)`" + ` on the line or the line above, or set
` + "`helper-attribute-lost = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
`,
})

// keptAttrs are the attributes a helper must repeat, in report order.
var keptAttrs = []string{facts.AttrMustCheck, facts.AttrNoreturn, facts.AttrMalloc}

func runHelperAttributeLost(p *Pass) {
	k := p.Snap.Kernel()
	if k == nil || !k.IsHelper(p.File.Path) || p.File.C == nil {
		return
	}
	for i := range p.File.C.Funcs {
		h := &p.File.C.Funcs[i]
		if !h.Definition || !strings.HasPrefix(h.Name, link.HelperPrefix) {
			continue
		}
		wrapped := wrappedCallee(h)
		if wrapped == "" {
			continue
		}
		decls := wrappedDecls(p.Snap, wrapped)
		lost := lostAttrs(h, decls, wrapped)
		if len(lost) == 0 {
			continue
		}
		d := p.Report(h.NameSpan, "%s wraps %s, which is %s, but does not repeat %s: bindgen gives bindings::%s no %s, so Rust callers get no warning",
			h.Name, wrapped, strings.Join(lost, " and "), pronoun(lost), strings.TrimPrefix(h.Name, link.HelperPrefix), rustEffects(lost))
		for _, a := range lost {
			if dc := withAttr(decls, a); dc != nil {
				d.Related = append(d.Related, Related{Path: dc.Path, Span: dc.Fn.NameSpan, Message: wrapped + " is declared " + a + " here"})
			}
		}
		d.Fixes = append(d.Fixes, Fix{
			Title: "Add " + strings.Join(lost, " ") + " to " + h.Name,
			Edits: []Edit{{Path: p.File.Path, Span: facts.Span{Start: h.NameSpan.Start, End: h.NameSpan.Start}, NewText: strings.Join(lost, " ") + " "}},
		})
	}
}

// lostAttrs lists the attributes of the wrapped function's declarations
// that helper h should carry and does not.
func lostAttrs(h *facts.CFunc, decls []cDecl, wrapped string) []string {
	returnsIt := h.Body != nil && contains(h.Body.ReturnedCalls, wrapped)
	var lost []string
	for _, a := range keptAttrs {
		if withAttr(decls, a) == nil || h.HasAttr(a) {
			continue
		}
		switch a {
		case facts.AttrMustCheck:
			if !returnsIt || h.Return.Kind == facts.CTypeVoid {
				continue
			}
		case facts.AttrMalloc:
			if !returnsIt || h.Return.Kind != facts.CTypePointer {
				continue
			}
		}
		lost = append(lost, a)
	}
	return lost
}

func pronoun(attrs []string) string {
	if len(attrs) > 1 {
		return "them"
	}
	return "it"
}

// rustEffects says what bindgen would have made of the attributes.
func rustEffects(attrs []string) string {
	var out []string
	for _, a := range attrs {
		switch a {
		case facts.AttrMustCheck:
			out = append(out, "#[must_use]")
		case facts.AttrNoreturn:
			out = append(out, "`-> !`")
		case facts.AttrMalloc:
			out = append(out, "allocation marker")
		}
	}
	return strings.Join(out, " and ")
}

// wrappedCallee names the function a helper wraps: the call named like the
// helper without its prefix, else the only function whose result it
// returns, else its only call; "" when there is no telling.
func wrappedCallee(h *facts.CFunc) string {
	name := strings.TrimPrefix(h.Name, link.HelperPrefix)
	for _, c := range h.Calls {
		if c.Name == name {
			return name
		}
	}
	if h.Body != nil && len(h.Body.ReturnedCalls) == 1 {
		return h.Body.ReturnedCalls[0]
	}
	if len(h.Calls) == 1 {
		return h.Calls[0].Name
	}
	return ""
}

// cDecl is the tree-sitter facts of one declaration of a C function.
type cDecl struct {
	Path string
	Fn   *facts.CFunc
}

// funcDecls returns the declarations of C function name that have facts,
// most relevant first.
func funcDecls(snap *index.Snapshot, name string) []cDecl {
	var out []cDecl
	for _, d := range link.CPrototypes(snap, name) {
		if f := link.FuncFacts(d); f != nil {
			out = append(out, cDecl{Path: d.File.Path, Fn: f})
		}
	}
	return out
}

// wrappedDecls returns the declarations of C function name that a helper
// can be wrapping: its static and inline declarations when it has any (an
// extern prototype beside them belongs to another configuration, in which
// bindgen binds the function itself and no helper is built), else all of
// them.
func wrappedDecls(snap *index.Snapshot, name string) []cDecl {
	all := funcDecls(snap, name)
	var static []cDecl
	for _, d := range all {
		if d.Fn.Static || d.Fn.Inline {
			static = append(static, d)
		}
	}
	if len(static) > 0 {
		return static
	}
	return all
}

// withAttr returns the first declaration carrying attr, or nil.
func withAttr(decls []cDecl, attr string) *cDecl {
	for i := range decls {
		if decls[i].Fn.HasAttr(attr) {
			return &decls[i]
		}
	}
	return nil
}

// declWithAttr returns the location of the name of the first declaration
// of C function name that carries attr, or nil.
func declWithAttr(snap *index.Snapshot, name, attr string) *link.Loc {
	if d := withAttr(funcDecls(snap, name), attr); d != nil {
		return &link.Loc{Path: d.Path, Span: d.Fn.NameSpan}
	}
	return nil
}
