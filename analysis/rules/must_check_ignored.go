package rules

import (
	"sort"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/link"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// MustCheckIgnored reports Rust code that discards the result of a C
// function declared __must_check.
var MustCheckIgnored = register(&Rule{
	Code:     "must-check-ignored",
	Title:    "The result of a `__must_check` C function discarded in Rust.",
	Severity: Warning,
	Lang:     facts.LangRust,
	Run:      runMustCheckIgnored,
	Doc: `# must-check-ignored

The result of a C function declared ` + "`__must_check`" + ` is discarded in Rust.

## What

A call through ` + "`bindings::NAME`" + ` (or an ` + "`extern \"C\"`" + ` item of the same
file) whose C declaration carries ` + "`__must_check`" + ` (` + "`__attribute__((warn_unused_result))`" + `)
is reported when its value is thrown away:

- the call, or the ` + "`unsafe`" + ` block ending in it, is an expression statement
  (` + "`unsafe { bindings::f(x) };`" + `);
- it is bound with ` + "`let _ = ...`" + ` or passed to ` + "`drop`" + `;
- it is bound to a name that is never used afterwards.

For a static inline function reached through its ` + "`rust_helper_NAME`" + `, the
attribute of the wrapped function counts, whether or not the helper repeats
it. The result is not discarded when it is bound to a name that is used,
passed to a function (` + "`to_result(...)`" + `), compared, returned or matched.

## Why

C marks a function ` + "`__must_check`" + ` when ignoring its result is a bug:
` + "`copy_to_user`" + ` returns how many bytes it could not copy,
` + "`refcount_dec_and_test`" + ` says the caller just dropped the last reference and
must free the object, ` + "`device_register`" + ` says whether the device exists.
bindgen turns the attribute into ` + "`#[must_use]`" + `, but only when the function
bindgen sees carries it: the kernel's helpers for inline functions often
drop it (see helper-attribute-lost), and rustc then warns about nothing.

## Example

` + "```rust" + `
pub fn release(&self) {
    // SAFETY: the object holds a reference.
    unsafe { bindings::refcount_dec_and_test(self.refs.get()) }; // reported
}
` + "```" + `

## Fix

Use the result:

` + "```rust" + `
pub fn release(&self) {
    // SAFETY: the object holds a reference.
    if unsafe { bindings::refcount_dec_and_test(self.refs.get()) } {
        self.free();
    }
}
` + "```" + `

When the function returns an errno ` + "`int`" + ` and the enclosing function returns
` + "`Result`" + `, the quick fix wraps the call in ` + "`to_result(...)?`" + `.

## Silence

Put ` + "`// rivet:allow(must-check-ignored)`" + ` on the line or the line above, or set
` + "`must-check-ignored = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
`,
})

func runMustCheckIgnored(p *Pass) {
	memo := map[cTarget]*mustCheck{}
	of := func(c cCall) *mustCheck {
		mc, ok := memo[c.target()]
		if !ok {
			mc = mustCheckOf(p, c)
			memo[c.target()] = mc
		}
		return mc
	}
	for _, c := range cCallsOf(p, func(c cCall) bool { return of(c) != nil }) {
		mc := of(c)
		site := valueSite(c.Call)
		stmt, how := discardOf(site)
		if stmt.IsNull() {
			continue
		}
		d := p.Report(spanOf(c.Call), "the result of %s is %s, but C declares %s __must_check%s",
			c.RustName, how, c.Name, mc.via)
		d.Related = append(d.Related, mc.related...)
		if fix, ok := toResultFix(p, c, mc.fn, site, stmt); ok {
			d.Fixes = append(d.Fixes, fix)
		}
	}
}

// mustCheck is why a called C function's result must be used.
type mustCheck struct {
	fn      *facts.CFunc // the function whose result is discarded (the wrapped one for helpers)
	via     string       // message suffix naming the helper that lost the attribute
	related []Related
}

// mustCheckOf reports whether the C function c reaches is __must_check:
// the function itself, or for a helper the function it wraps.
func mustCheckOf(p *Pass, c cCall) *mustCheck {
	fn, helper := calledFuncs(p, c)
	switch {
	case fn != nil && fn.HasAttr(facts.AttrMustCheck):
		mc := &mustCheck{fn: fn}
		if loc := declWithAttr(p.Snap, c.Name, facts.AttrMustCheck); loc != nil {
			mc.related = append(mc.related, Related{Path: loc.Path, Span: loc.Span, Message: c.Name + " is declared __must_check here"})
		}
		if helper != nil && !helper.HasAttr(facts.AttrMustCheck) {
			mc.via = " (its helper " + helper.Name + " drops the attribute, so rustc cannot warn)"
			if loc := p.Resolve(c.Name).HelperDef; loc != nil {
				mc.related = append(mc.related, Related{Path: loc.Path, Span: loc.Span, Message: "the helper Rust calls, without __must_check"})
			}
		}
		return mc
	case helper != nil && helper.HasAttr(facts.AttrMustCheck):
		mc := &mustCheck{fn: helper}
		if loc := declWithAttr(p.Snap, helper.Name, facts.AttrMustCheck); loc != nil {
			mc.related = append(mc.related, Related{Path: loc.Path, Span: loc.Span, Message: helper.Name + " is declared __must_check here"})
		}
		return mc
	}
	return nil
}

// discardOf returns the statement that throws away the value of site, and
// how it does so; the null node when the value is used.
func discardOf(site ts.Node) (ts.Node, string) {
	parent := site.Parent()
	switch parent.Kind() {
	case ts.RustKindExpressionStatement:
		if endsStatement(parent) {
			return parent, "discarded"
		}
	case ts.RustKindArguments:
		call := parent.Parent()
		if facts.LastSegment(call.Field(ts.RustFieldFunction).Text()) == "drop" && parent.NamedChildCount() == 1 {
			if stmt := call.Parent(); stmt.Kind() == ts.RustKindExpressionStatement {
				return stmt, "dropped"
			}
		}
	case ts.RustKindLetDeclaration:
		pat := parent.Field(ts.RustFieldPattern)
		if pat.Text() == "_" {
			return parent, "discarded with `let _`"
		}
		if pat.Kind() == ts.RustKindIdentifier && !usedAfter(parent, pat.Text()) {
			return parent, "bound to `" + pat.Text() + "` and never used"
		}
	}
	return ts.Node{}, ""
}

// toResultFix wraps a discarded errno-returning call in `to_result(...)?`,
// when the enclosing function (not a closure) returns Result.
func toResultFix(p *Pass, c cCall, fn *facts.CFunc, site, stmt ts.Node) (Fix, bool) {
	if fn.Return.Kind != facts.CTypeNamed || fn.Return.Name != "int" || !inResultFn(c.Call) {
		return Fix{}, false
	}
	wrapped := qualifiedKernelFn(p, "to_result") + "(" + site.Text() + ")?"
	span := spanOf(site)
	switch expr := stmt.NamedChild(0); {
	case stmt.Kind() == ts.RustKindLetDeclaration:
		span, wrapped = spanOf(stmt), wrapped+";"
	case expr.Kind() == ts.RustKindCallExpression && !expr.Equal(site):
		span = spanOf(expr) // drop(site)
	}
	return Fix{Title: "Check the result with `to_result(...)?`", Edits: []Edit{{Path: p.File.Path, Span: span, NewText: wrapped}}}, true
}

// cCall is a Rust call expression that reaches C: `bindings::NAME(..)`
// (NAME possibly imported by a use) or a call of an extern-block item
// declared in the same file.
type cCall struct {
	Name     string  // the C symbol as bindgen names it (helpers: the wrapped name)
	RustName string  // how the message names it: "bindings::NAME" or the extern item
	Call     ts.Node // the call_expression
	Extern   bool    // an extern-block item, not a bindgen name
}

// cTarget is what a call reaches, whatever the call site.
type cTarget struct {
	name   string
	extern bool
}

func (c cCall) target() cTarget { return cTarget{c.Name, c.Extern} }

// cCallsOf lists the calls of the file that reach C functions for which
// want holds, in source order. want sees each target once, with a null
// Call: only the calls it wants are looked for in the tree. Calls inside
// macro token trees have no call syntax and are left out.
func cCallsOf(p *Pass, want func(cCall) bool) []cCall {
	r := p.File.Rust
	if r == nil {
		return nil
	}
	wanted := map[cTarget]bool{}
	wants := func(c cCall) bool {
		w, ok := wanted[c.target()]
		if !ok {
			w = want(c)
			wanted[c.target()] = w
		}
		return w
	}
	root := p.Tree.Root()
	var out []cCall
	for i := range r.BindingRefs {
		ref := &r.BindingRefs[i]
		if ref.Kind != facts.RefCall {
			continue
		}
		c := cCall{Name: ref.Name, RustName: "bindings::" + ref.Name}
		if !wants(c) {
			continue
		}
		if c.Call = callOfCallee(root, ref.PathSpan); !c.Call.IsNull() {
			out = append(out, c)
		}
	}
	externs := map[string]string{} // wanted item name -> C symbol
	for i := range r.Fns {
		f := &r.Fns[i]
		if f.ExternBlock >= 0 && wants(cCall{Name: f.Symbol(), RustName: f.Name, Extern: true}) {
			externs[f.Name] = f.Symbol()
		}
	}
	if len(externs) == 0 {
		return out
	}
	root.Walk(func(n ts.Node) bool {
		if n.Kind() != ts.RustKindCallExpression {
			return true
		}
		fn := n.Field(ts.RustFieldFunction)
		if fn.Kind() == ts.RustKindIdentifier {
			if sym, ok := externs[fn.Text()]; ok {
				out = append(out, cCall{Name: sym, RustName: fn.Text(), Call: n, Extern: true})
			}
		}
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Call.StartByte() < out[j].Call.StartByte() })
	return out
}

// callOfCallee returns the call expression whose callee is the path at
// span, or the null node.
func callOfCallee(root ts.Node, span facts.Span) ts.Node {
	n := root.DescendantForByteRange(span.Start, span.End)
	for ; !n.IsNull() && n.StartByte() == span.Start; n = n.Parent() {
		if n.Kind() == ts.RustKindCallExpression {
			if n.Field(ts.RustFieldFunction).StartByte() == span.Start {
				return n
			}
			return ts.Node{}
		}
	}
	return ts.Node{}
}

// calledFuncs returns the C facts of what call c reaches: the function
// (for a helper, the inline function or the function the helper wraps)
// and the helper's own facts when a rust_helper_NAME stands in between.
func calledFuncs(p *Pass, c cCall) (fn, helper *facts.CFunc) {
	if c.Extern {
		return link.BestFunc(p.Snap, c.Name), nil
	}
	t := p.Resolve(c.Name)
	switch t.Kind {
	case link.Function:
		return link.BestFunc(p.Snap, c.Name), nil
	case link.Helper:
		helper = link.BestFunc(p.Snap, link.HelperPrefix+c.Name)
		fn = link.BestFunc(p.Snap, c.Name)
		if fn == nil && helper != nil {
			fn = link.BestFunc(p.Snap, wrappedCallee(helper))
		}
		return fn, helper
	}
	return nil, nil
}

// valueSite climbs from expression n through what hands its value on
// unchanged — parentheses, the tail of a block or unsafe block, the
// branches of a match or if, `as` casts, pointer .cast() and .add() — and
// returns the outermost such expression. Its
// parent is where the value is used.
func valueSite(n ts.Node) ts.Node {
	for {
		parent := n.Parent()
		switch parent.Kind() {
		case ts.RustKindParenthesizedExpression, ts.RustKindUnsafeBlock:
		case ts.RustKindTypeCastExpression:
			if !parent.Field(ts.RustFieldValue).Equal(n) {
				return n
			}
		case ts.RustKindBlock:
			if !isTail(parent, n) {
				return n
			}
		case ts.RustKindExpressionStatement:
			// A block-like expression without `;` at the end of a block is
			// that block's value.
			if endsStatement(parent) || !isTail(parent.Parent(), parent) {
				return n
			}
		case ts.RustKindMatchArm:
			// An arm's value is the match's: match_arm < match_block < match_expression.
			if !parent.Field(ts.RustFieldValue).Equal(n) {
				return n
			}
			parent = parent.Parent().Parent()
		case ts.RustKindIfExpression:
			if !parent.Field(ts.RustFieldConsequence).Equal(n) {
				return n // the condition
			}
		case ts.RustKindElseClause:
			parent = parent.Parent()
		case ts.RustKindFieldExpression:
			call := methodCall(parent)
			if !parent.Field(ts.RustFieldValue).Equal(n) || call.IsNull() || !isPtrCast(parent.Field(ts.RustFieldField).Text()) {
				return n
			}
			parent = call
		default:
			return n
		}
		n = parent
	}
}

// methodCall returns the call expression whose callee is the field
// expression field (`x.m(..)`, `x.m::<T>(..)`), or the null node.
func methodCall(field ts.Node) ts.Node {
	callee := field
	if parent := field.Parent(); parent.Kind() == ts.RustKindGenericFunction {
		callee = parent
	}
	call := callee.Parent()
	if call.Kind() != ts.RustKindCallExpression || !call.Field(ts.RustFieldFunction).Equal(callee) {
		return ts.Node{}
	}
	return call
}

// isPtrCast reports whether a raw pointer method returns its receiver as
// another pointer type or offset within the same object.
func isPtrCast(method string) bool {
	switch method {
	case "cast", "cast_mut", "cast_const",
		"add", "sub", "offset", "byte_add", "byte_sub", "byte_offset",
		"wrapping_add", "wrapping_sub", "wrapping_offset", "wrapping_byte_add", "wrapping_byte_sub":
		return true
	}
	return false
}

// isTail reports whether n is the value of block: its last statement,
// comments aside, and not one ended by a semicolon.
func isTail(block, n ts.Node) bool {
	if block.Kind() != ts.RustKindBlock {
		return false
	}
	for i := block.NamedChildCount() - 1; i >= 0; i-- {
		c := block.NamedChild(i)
		switch c.Kind() {
		case ts.RustKindLineComment, ts.RustKindBlockComment:
			continue
		}
		return c.Equal(n) && c.Kind() != ts.RustKindLetDeclaration && c.Kind() != ts.RustKindEmptyStatement
	}
	return false
}

// endsStatement reports whether an expression statement is closed by a
// semicolon: its own, or (for block-like expressions, which the grammar
// ends early) an empty statement right after it.
func endsStatement(stmt ts.Node) bool {
	if last := stmt.Child(stmt.ChildCount() - 1); !last.IsNamed() && last.Text() == ";" {
		return true
	}
	return stmt.NextSibling().Kind() == ts.RustKindEmptyStatement
}

// usedAfter reports whether the name bound by let declaration decl is
// mentioned after it in its block (macro arguments included).
func usedAfter(decl ts.Node, name string) bool {
	used := false
	for s := decl.NextSibling(); !s.IsNull() && !used; s = s.NextSibling() {
		s.Walk(func(n ts.Node) bool {
			if used {
				return false
			}
			if n.Kind() == ts.RustKindIdentifier && n.Text() == name {
				used = true
			}
			return true
		})
	}
	return used
}

// inResultFn reports whether n sits directly in a fn (not a closure) whose
// return type is a Result, so that `?` may be used there.
func inResultFn(n ts.Node) bool {
	fn := n.Ancestor(ts.RustKindFunctionItem, ts.RustKindClosureExpression)
	if fn.Kind() != ts.RustKindFunctionItem {
		return false
	}
	return facts.LastSegment(fn.Field(ts.RustFieldReturnType).Text()) == "Result"
}

// qualifiedKernelFn names a function of the kernel crate's error module
// (to_result, from_err_ptr) as the file can call it: bare when a use
// brings it into scope, through `crate::` inside the kernel crate,
// through `kernel::` elsewhere.
func qualifiedKernelFn(p *Pass, name string) string {
	for _, u := range p.File.Rust.Uses {
		if u.Alias == name {
			return name
		}
		if u.Alias == "*" && strings.HasSuffix(u.Path, "error") {
			return name
		}
	}
	if k := p.Snap.Kernel(); k != nil && strings.HasPrefix(p.File.Path, k.Root+"/rust/kernel/") {
		return "crate::error::" + name
	}
	return "kernel::error::" + name
}

// spanOf is the byte span of a node.
func spanOf(n ts.Node) facts.Span { return facts.Span{Start: n.StartByte(), End: n.EndByte()} }
