package rules

import (
	"regexp"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// ErrPtrUnchecked reports pointers from C functions that can return
// ERR_PTR used without an ERR_PTR-aware check.
var ErrPtrUnchecked = register(&Rule{
	Code:     "err-ptr-unchecked",
	Title:    "A C function that can return ERR_PTR used without from_err_ptr / IS_ERR (a null check alone does not catch it).",
	Severity: Warning,
	Lang:     facts.LangRust,
	Run:      runErrPtrUnchecked,
	Doc: `# err-ptr-unchecked

The pointer returned by a C function that can return ` + "`ERR_PTR(...)`" + ` is used
without ` + "`from_err_ptr`" + ` or ` + "`IS_ERR`" + `.

## What

A C function can return ` + "`ERR_PTR`" + ` when its body says ` + "`return ERR_PTR(...)`" + `
(or ` + "`ERR_CAST`" + `), or returns the result of a function that does (followed a
few calls deep). The rule follows the pointer such a call returns through
the Rust function — ` + "`let`" + ` bindings, reassignments, casts — and reports the
call when the pointer is dereferenced, passed on to another function, or
checked only against null (` + "`.is_null()`" + `, ` + "`== ptr::null_mut()`" + `,
` + "`NonNull::new`" + `), and never goes through an ERR_PTR-aware check:
` + "`from_err_ptr(...)`" + ` (` + "`kernel::error::from_err_ptr`" + `), ` + "`bindings::IS_ERR`" + `,
` + "`IS_ERR_OR_NULL`" + `, ` + "`PTR_ERR_OR_ZERO`" + `, or any function whose name says it
handles error pointers (` + "`*err_ptr*`" + `, ` + "`*is_err*`" + `, ` + "`*ptr_err*`" + `). Returning the raw
pointer to the caller is not reported: the caller has to check it. Nor is
storing it in a struct: the struct's invariant says what the field may hold
(debugfs's ` + "`Entry`" + ` keeps error pointers on purpose, and ` + "`debugfs_remove`" + `
accepts them). Nor is a function whose kernel-doc tells callers to ignore
the errors it returns (debugfs_create_dir: every debugfs function accepts
an error pointer).

## Why

An error pointer is a small negative number cast to a pointer: it is not
null, so a null check lets it through, and the next dereference or C call
that trusts it faults at an address near the top of memory. C code catches
it with ` + "`IS_ERR()`" + `; Rust code with ` + "`from_err_ptr`" + `, which turns it into ` + "`Err`" + `.

## Example

` + "```rust" + `
// drivers/clk/clk.c: clk_get() returns ERR_PTR(-ENOENT), never NULL
let clk = unsafe { bindings::clk_get(dev.as_raw(), ptr::null()) }; // reported
if clk.is_null() {
    return Err(ENODEV);
}
` + "```" + `

## Fix

` + "```rust" + `
let clk = from_err_ptr(unsafe { bindings::clk_get(dev.as_raw(), ptr::null()) })?;
` + "```" + `

When the enclosing function returns ` + "`Result`" + ` and the pointer is bound with
` + "`let`" + `, the quick fix wraps the call in ` + "`from_err_ptr(...)?`" + ` and, when the C
function never returns NULL, removes an ` + "`if p.is_null() { ... }`" + ` that follows.

## Silence

Put ` + "`// rivet:allow(err-ptr-unchecked)`" + ` on the line or the line above, or set
` + "`err-ptr-unchecked = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
`,
})

func runErrPtrUnchecked(p *Pass) {
	memo := map[cTarget]*errPtrWhy{}
	of := func(c cCall) *errPtrWhy {
		why, ok := memo[c.target()]
		if !ok {
			why = errPtrOf(p, c)
			memo[c.target()] = why
		}
		return why
	}
	for _, c := range cCallsOf(p, func(c cCall) bool { return of(c) != nil }) {
		why := of(c)
		body := c.Call.Ancestor(ts.RustKindFunctionItem).Field(ts.RustFieldBody)
		if body.IsNull() {
			continue
		}
		call := c.Call
		fl := trackPtr(p, body, nil, func(n ts.Node) bool { return n.Equal(call) })
		if fl.has(useChecked) {
			continue
		}
		var how string
		switch {
		case fl.has(useNullCheck):
			how = "checked only against null, which an error pointer is not"
		case fl.has(useDeref):
			how = "dereferenced without a check"
		case fl.has(usePassed):
			how = "passed on without a check"
		default:
			continue // unused, discarded or returned: not this rule's business
		}
		d := p.Report(spanOf(c.Call), "%s can return an ERR_PTR (%s), but its result is %s: use from_err_ptr or IS_ERR",
			c.RustName, why.describe(), how)
		if why.path != "" {
			d.Related = append(d.Related, Related{Path: why.path, Span: why.span, Message: why.chain[len(why.chain)-1] + " returns an error pointer here"})
		}
		if fix, ok := fromErrPtrFix(p, c, why); ok {
			d.Fixes = append(d.Fixes, fix)
		}
	}
}

// errPtrWhy is the evidence that a C function can return ERR_PTR.
type errPtrWhy struct {
	chain []string // the called function, then each function it returns the result of
	path  string   // where the last of chain returns ERR_PTR
	span  facts.Span
	null  bool // some function of chain may also return NULL
}

// describe says how the chain reaches ERR_PTR: "f returns g(...), which
// returns ERR_PTR(...)".
func (w *errPtrWhy) describe() string {
	var b strings.Builder
	b.WriteString(w.chain[0])
	for _, f := range w.chain[1:] {
		b.WriteString(" returns " + f + "(...), which")
	}
	b.WriteString(" returns ERR_PTR(...)")
	return b.String()
}

// maxErrPtrDepth bounds how many `return f(...)` steps errPtrOf follows.
const maxErrPtrDepth = 3

// errPtrOf returns why the C function call c reaches can return ERR_PTR,
// or nil when nothing says it can. The lifecycle knowledge base decides
// when the workspace provides one; the facts of the C bodies then show
// the evidence.
func errPtrOf(p *Pass, c cCall) *errPtrWhy {
	fn, _ := calledFuncs(p, c)
	if fn == nil || fn.Return.Kind != facts.CTypePointer || errorsIgnorable(p, c.Name) {
		return nil
	}
	kb := lifecycleKB(p)
	if kb == nil {
		return errPtrChain(p, c.Name, maxErrPtrDepth, map[string]bool{})
	}
	e := kb.Effect(c.Name)
	if !e.ReturnsErrPtr {
		return nil
	}
	w := errPtrChain(p, c.Name, maxErrPtrDepth, map[string]bool{})
	if w == nil {
		w = &errPtrWhy{chain: []string{c.Name}}
		for _, src := range e.Sources {
			if strings.Contains(src.Desc, "ERR_PTR") {
				w.path, w.span = src.Path, src.Span
				break
			}
		}
	}
	w.null = e.ReturnsNull
	return w
}

// lifecycleKB is the lifecycle knowledge base the workspace passes in
// Pass.Extra (under analysis.ExtraLifecycle), or nil.
func lifecycleKB(p *Pass) *lifecycle.KB {
	kb, _ := p.Extra["lifecycle"].(*lifecycle.KB)
	return kb
}

// ignoreErrorsDoc matches kernel-doc telling callers to ignore the errors
// a function returns, as debugfs_create_dir's does: every debugfs
// function accepts the error pointer as a parent and does nothing.
var ignoreErrorsDoc = regexp.MustCompile(`(?i)ignore_?\s+the\s+errors?\s+returned`)

// errorsIgnorable reports whether the documentation of C function name
// says its errors may go unchecked.
func errorsIgnorable(p *Pass, name string) bool {
	for _, d := range funcDecls(p.Snap, name) {
		if ignoreErrorsDoc.MatchString(d.Fn.Doc) {
			return true
		}
	}
	return false
}

// errPtrChain looks for a `return ERR_PTR(...)` in the definitions of
// name and, depth permitting, of the functions whose result it returns.
func errPtrChain(p *Pass, name string, depth int, seen map[string]bool) *errPtrWhy {
	if depth == 0 || seen[name] {
		return nil
	}
	seen[name] = true
	decls := funcDecls(p.Snap, name)
	null := false
	for _, d := range decls {
		if b := d.Fn.Body; b != nil {
			null = null || b.ReturnsNull
			if b.ReturnsErrPtr {
				return &errPtrWhy{chain: []string{name}, path: d.Path, span: b.ErrPtrSpan, null: b.ReturnsNull}
			}
		}
	}
	for _, d := range decls {
		if d.Fn.Body == nil {
			continue
		}
		for _, callee := range d.Fn.Body.ReturnedCalls {
			if w := errPtrChain(p, callee, depth-1, seen); w != nil {
				w.chain = append([]string{name}, w.chain...)
				w.null = w.null || null
				return w
			}
		}
	}
	return nil
}

// fromErrPtrFix turns `let p = <call>;` into `let p =
// from_err_ptr(<call>)?;` and drops a following `if p.is_null() { .. }`
// when the C function never returns NULL.
func fromErrPtrFix(p *Pass, c cCall, why *errPtrWhy) (Fix, bool) {
	site := valueSite(c.Call)
	let := site.Parent()
	if let.Kind() != ts.RustKindLetDeclaration || !inResultFn(c.Call) {
		return Fix{}, false
	}
	name := patternName(let.Field(ts.RustFieldPattern))
	if name == "" {
		return Fix{}, false
	}
	edits := []Edit{{Path: p.File.Path, Span: spanOf(site), NewText: qualifiedKernelFn(p, "from_err_ptr") + "(" + site.Text() + ")?"}}
	if next := nextStatement(let); !why.null && isNullGuard(next, name) {
		start := lineStart(p.Src, next.StartByte())
		end := next.EndByte()
		if n := next.NextSibling(); n.Kind() == ts.RustKindEmptyStatement {
			end = n.EndByte()
		}
		if end < uint32(len(p.Src)) && p.Src[end] == '\n' {
			end++
		}
		edits = append(edits, Edit{Path: p.File.Path, Span: facts.Span{Start: start, End: end}})
	}
	return Fix{Title: "Check for an error pointer with `from_err_ptr(...)?`", Edits: edits}, true
}

// nextStatement returns the statement after stmt, comments skipped.
func nextStatement(stmt ts.Node) ts.Node {
	n := stmt.NextNamedSibling()
	for n.Kind() == ts.RustKindLineComment || n.Kind() == ts.RustKindBlockComment {
		n = n.NextNamedSibling()
	}
	return n
}

// isNullGuard reports whether stmt is `if NAME.is_null() { ... }` with
// no else branch.
func isNullGuard(stmt ts.Node, name string) bool {
	if stmt.Kind() != ts.RustKindExpressionStatement {
		return false
	}
	ife := stmt.NamedChild(0)
	return ife.Kind() == ts.RustKindIfExpression && ife.Field(ts.RustFieldAlternative).IsNull() &&
		ife.Field(ts.RustFieldCondition).Text() == name+".is_null()"
}

// lineStart is the offset of the start of the line holding off.
func lineStart(src []byte, off uint32) uint32 {
	i := min(int(off), len(src))
	for i > 0 && src[i-1] != '\n' {
		i--
	}
	return uint32(i)
}

// useKind is how a tracked pointer is used.
type useKind uint8

const (
	useChecked   useKind = iota + 1 // given to an ERR_PTR-aware check
	useNullCheck                    // compared with null: .is_null(), == null, NonNull::new
	useDeref                        // read or written as memory: *p, p.read(), slice::from_raw_parts(p, n)
	usePassed                       // passed to a function
)

// ptrUse is one use of a tracked pointer.
type ptrUse struct {
	kind useKind
	at   ts.Node // the expression that uses it: the deref, the call
	from ts.Node // where the pointer came from: a parameter or a seed expression
}

// ptrFlow follows pointer values through one function body: the values
// of seed expressions and of the names bound to them.
type ptrFlow struct {
	p      *Pass
	isSeed func(ts.Node) bool
	// aliases maps each tracked name to where its pointer came from.
	aliases map[string]ts.Node
	// bound holds the starts of the lets and assignments a tracked value
	// flowed into while their value was visited.
	bound map[uint32]bool
	uses  []ptrUse
}

// trackPtr follows through body the pointers named by names (parameters,
// each mapped to its declaration) and those produced by expressions for
// which isSeed holds, in source order: a `let` or assignment whose value
// is a tracked pointer (through casts, offsets, blocks and branches)
// tracks the name it binds, and rebinding the name to anything else stops
// tracking it.
func trackPtr(p *Pass, body ts.Node, names map[string]ts.Node, isSeed func(ts.Node) bool) *ptrFlow {
	fl := &ptrFlow{p: p, isSeed: isSeed, aliases: map[string]ts.Node{}, bound: map[uint32]bool{}}
	for n, from := range names {
		fl.aliases[n] = from
	}
	fl.visit(body)
	return fl
}

// has reports whether some use is of kind k.
func (fl *ptrFlow) has(k useKind) bool {
	for _, u := range fl.uses {
		if u.kind == k {
			return true
		}
	}
	return false
}

func (fl *ptrFlow) visit(n ts.Node) {
	switch n.Kind() {
	case ts.RustKindLetDeclaration:
		fl.visit(n.Field(ts.RustFieldValue))
		fl.visit(n.Field(ts.RustFieldAlternative)) // let-else
		if name := patternName(n.Field(ts.RustFieldPattern)); name != "" && !fl.bound[n.StartByte()] {
			delete(fl.aliases, name)
		}
		return
	case ts.RustKindAssignmentExpression:
		fl.visit(n.Field(ts.RustFieldRight))
		if left := n.Field(ts.RustFieldLeft); left.Kind() != ts.RustKindIdentifier {
			fl.visit(left)
		} else if !fl.bound[n.StartByte()] {
			delete(fl.aliases, left.Text())
		}
		return
	case ts.RustKindIdentifier:
		if from, ok := fl.aliases[n.Text()]; ok {
			fl.use(n, from)
		}
		return
	case ts.RustKindFunctionItem, ts.RustKindTokenTree:
		return // a nested fn has its own scope; macro arguments have no syntax
	}
	if !n.IsNull() && fl.isSeed(n) {
		fl.use(n, n)
	}
	for i, cnt := 0, n.NamedChildCount(); i < cnt; i++ {
		fl.visit(n.NamedChild(i))
	}
}

// bind tracks the name that let or assignment stmt binds to a tracked
// value from from.
func (fl *ptrFlow) bind(stmt ts.Node, from ts.Node) {
	var name string
	if stmt.Kind() == ts.RustKindLetDeclaration {
		name = patternName(stmt.Field(ts.RustFieldPattern))
	} else if left := stmt.Field(ts.RustFieldLeft); left.Kind() == ts.RustKindIdentifier {
		name = left.Text()
	}
	if name != "" {
		fl.aliases[name] = from
		fl.bound[stmt.StartByte()] = true
	}
}

// use classifies the use of a tracked value at expression n, which came
// from from.
func (fl *ptrFlow) use(n, from ts.Node) {
	site := valueSite(n)
	parent := site.Parent()
	kind := useKind(0)
	at := parent
	switch parent.Kind() {
	case ts.RustKindUnaryExpression:
		if parent.Child(0).Text() == "*" {
			kind = useDeref
		}
	case ts.RustKindFieldExpression:
		call := methodCall(parent)
		if call.IsNull() {
			break
		}
		at = call
		switch m := parent.Field(ts.RustFieldField).Text(); {
		case m == "is_null":
			kind = useNullCheck
		case derefMethods[m]:
			kind = useDeref
		}
	case ts.RustKindArguments:
		call := parent.Parent()
		at = call
		kind = fl.argUse(call.Field(ts.RustFieldFunction))
	case ts.RustKindLetDeclaration:
		if parent.Field(ts.RustFieldValue).Equal(site) {
			fl.bind(parent, from)
		}
	case ts.RustKindAssignmentExpression:
		if parent.Field(ts.RustFieldRight).Equal(site) {
			fl.bind(parent, from)
		}
	case ts.RustKindBinaryExpression:
		if op := parent.Child(1).Text(); op == "==" || op == "!=" {
			other := parent.Field(ts.RustFieldRight)
			if other.Equal(site) {
				other = parent.Field(ts.RustFieldLeft)
			}
			if strings.Contains(other.Text(), "null") {
				kind = useNullCheck
			}
		}
	}
	if kind != 0 {
		fl.uses = append(fl.uses, ptrUse{kind: kind, at: at, from: from})
	}
}

// argUse classifies passing a tracked pointer to the function callee.
func (fl *ptrFlow) argUse(callee ts.Node) useKind {
	if callee.Kind() == ts.RustKindFieldExpression {
		return usePassed // a method taking the pointer as an argument
	}
	path := qualifiedPath(fl.p, callee.Text())
	last := strings.ToLower(facts.LastSegment(path))
	switch {
	case strings.Contains(last, "err_ptr") || strings.Contains(last, "is_err") || strings.Contains(last, "ptr_err"):
		return useChecked
	case last == "ok" || last == "some" || last == "err":
		return 0 // wrapped for the caller: returned, as far as this function goes
	case strings.HasSuffix(path, "NonNull::new"):
		return useNullCheck
	case isDerefFn(path):
		return useDeref
	}
	return usePassed
}

// derefMethods are raw pointer methods that read or write the memory.
var derefMethods = map[string]bool{
	"read": true, "read_volatile": true, "read_unaligned": true,
	"write": true, "write_volatile": true, "write_unaligned": true, "write_bytes": true,
	"replace": true, "swap": true, "as_ref": true, "as_mut": true, "as_uninit_ref": true,
	"copy_to": true, "copy_to_nonoverlapping": true, "copy_from": true, "copy_from_nonoverlapping": true,
	"drop_in_place": true,
}

// derefFns are functions that read or write the memory a pointer argument
// points to, by path suffix.
var derefFns = []string{
	"ptr::read", "ptr::read_volatile", "ptr::read_unaligned",
	"ptr::write", "ptr::write_volatile", "ptr::write_unaligned", "ptr::write_bytes",
	"ptr::copy", "ptr::copy_nonoverlapping", "ptr::swap", "ptr::replace", "ptr::drop_in_place",
	"slice::from_raw_parts", "slice::from_raw_parts_mut", "CStr::from_ptr", "CStr::from_char_ptr",
}

func isDerefFn(path string) bool {
	for _, f := range derefFns {
		if path == f || strings.HasSuffix(path, "::"+f) {
			return true
		}
	}
	return false
}

// qualifiedPath expands the first segment of a path through the file's
// use declarations: `from_raw_parts` after `use core::slice::from_raw_parts`
// is "core::slice::from_raw_parts", `slice::from_raw_parts` after `use
// core::slice` is "core::slice::from_raw_parts".
func qualifiedPath(p *Pass, path string) string {
	first, rest, _ := strings.Cut(path, "::")
	for _, u := range p.File.Rust.Uses {
		if u.Alias == first && u.Alias != "*" {
			if rest == "" {
				return u.Path
			}
			return u.Path + "::" + rest
		}
	}
	return path
}

// patternName is the name a simple pattern binds (`p`, `mut p`), or "".
func patternName(pat ts.Node) string {
	switch pat.Kind() {
	case ts.RustKindIdentifier:
		return pat.Text()
	case ts.RustKindMutPattern:
		if id := pat.FirstChildOfKind(ts.RustKindIdentifier); !id.IsNull() {
			return id.Text()
		}
	}
	return ""
}
