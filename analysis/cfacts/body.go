package cfacts

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// sleepCalls are callees whose call is direct evidence that the caller may
// sleep. Names with these prefixes count too (sleepPrefixes); a name
// containing "trylock" never does.
var sleepCalls = map[string]bool{
	"might_sleep": true, "might_sleep_if": true, "might_fault": true,
	"msleep": true, "msleep_interruptible": true, "ssleep": true, "fsleep": true,
	"schedule": true, "schedule_preempt_disabled": true, "io_schedule": true, "io_schedule_timeout": true,
	"down": true, "down_interruptible": true, "down_killable": true, "down_timeout": true,
}

var sleepPrefixes = []string{
	"usleep_range", "schedule_timeout", "schedule_hrtimeout", "wait_event", "wait_for_completion",
	"mutex_lock", "down_read", "down_write", "cond_resched",
}

// sleepGFP are allocation flags that allow direct reclaim: passing one
// means the callee may sleep.
var sleepGFP = map[string]bool{
	"GFP_KERNEL": true, "GFP_KERNEL_ACCOUNT": true, "GFP_USER": true, "GFP_NOIO": true,
	"GFP_NOFS": true, "GFP_HIGHUSER": true, "GFP_HIGHUSER_MOVABLE": true,
}

// sleepGuards are guard classes (`guard(mutex)(&m)`, `scoped_guard(mutex,
// &m)`) that take a sleeping lock.
var sleepGuards = map[string]bool{
	"mutex": true, "mutex_intr": true, "rwsem_read": true, "rwsem_write": true,
	"rwsem_read_intr": true, "rwsem_write_kill": true,
}

func sleeps(name string) bool {
	if strings.Contains(name, "trylock") {
		return false
	}
	if sleepCalls[name] {
		return true
	}
	for _, p := range sleepPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// insertArg is, for calls that insert an object into a container the
// object outlives the call in, the index of the argument inserted.
var insertArg = map[string]int{
	"llist_add": 0, "rb_link_node": 0, "klist_add_head": 0, "klist_add_tail": 0,
	"xa_store": 2, "__xa_store": 2, "xa_insert": 2, "__xa_insert": 2, "xa_alloc": 2, "__xa_alloc": 2,
	"xa_alloc_cyclic": 2, "__xa_alloc_cyclic": 2, "xa_cmpxchg": 3, "radix_tree_insert": 2,
	"idr_alloc": 1, "idr_alloc_cyclic": 1, "idr_alloc_u32": 1, "idr_replace": 1,
}

func insertedArg(name string) (int, bool) {
	if i, ok := insertArg[name]; ok {
		return i, true
	}
	if strings.HasPrefix(name, "list_add") || strings.HasPrefix(name, "hlist_add") || strings.HasPrefix(name, "hlist_nulls_add") {
		return 0, true
	}
	return 0, false
}

// krefPuts release a kref; argument 1 is the release callback.
var krefPuts = map[string]bool{"kref_put": true, "kref_put_mutex": true, "kref_put_lock": true}

// maxExprDepth bounds the unwrapping of parentheses, casts and conditional
// branches when reading an expression.
const maxExprDepth = 64

// bodyScan collects what one function body does.
type bodyScan struct {
	x      *extractor
	params map[string]int  // parameter name -> index
	locals map[string]bool // local name -> declared static (outlives the call)
	calls  []facts.CCall
	sum    facts.CBody

	errPtrs    []ts.Node          // ERR_PTR calls returned directly
	errVars    map[string]ts.Node // variable -> the ERR_PTR call first assigned to it
	returned   []ts.Node          // identifiers returned
	assigns    []ts.Node          // assignment expressions
	storeSeen  map[facts.ParamStore]bool
	evidenceOf map[string]bool
}

// body returns the calls a function body makes, in order, and its summary.
func (x *extractor) body(body ts.Node, f facts.CFunc) ([]facts.CCall, *facts.CBody) {
	b := &bodyScan{
		x:          x,
		params:     map[string]int{},
		locals:     map[string]bool{},
		errVars:    map[string]ts.Node{},
		storeSeen:  map[facts.ParamStore]bool{},
		evidenceOf: map[string]bool{},
	}
	for i, p := range f.Params {
		if p.Name != "" {
			b.params[p.Name] = i
		}
	}
	pointerReturn := f.Return.Kind == facts.CTypePointer
	body.Walk(func(n ts.Node) bool {
		switch kind := n.Kind(); kind {
		case ts.CKindCallExpression:
			b.call(n)
		case ts.CKindReturnStatement:
			b.ret(n, pointerReturn)
		case ts.CKindAssignmentExpression:
			b.assigns = append(b.assigns, n)
			b.errVar(n.Field(ts.CFieldLeft), n.Field(ts.CFieldRight))
		case ts.CKindDeclaration:
			b.local(n)
		default:
			return !isLeaf(kind)
		}
		return true
	})
	for _, a := range x.anns.in(body.StartByte(), body.EndByte()) {
		if args := splitTopLevel(a.Args); strings.HasPrefix(a.Name, "scoped_") && strings.HasSuffix(a.Name, "guard") && len(args) > 0 && sleepGuards[args[0]] {
			b.sleep(a.Name+"("+args[0]+")", x.spanOf(a.Start, a.End))
		}
	}
	b.finish()
	// A copy: a pointer into b would keep all of b alive with the facts,
	// and b holds nodes of the tree (so the tree and the file's text).
	sum := b.sum
	return b.calls, &sum
}

func (b *bodyScan) call(n ts.Node) {
	fn := n.Field(ts.CFieldFunction)
	c := facts.CCall{Span: b.x.span(fn)}
	if fn.Kind() == ts.CKindIdentifier {
		c.Name = fn.Text()
	}
	var args []ts.Node
	for _, a := range namedChildren(n.Field(ts.CFieldArguments)) {
		args = append(args, a)
		text := b.x.bytes(a)
		c.Args = append(c.Args, normalizeCapped(text))
		if bytes.Contains(text, []byte("GFP_")) {
			b.gfp(a)
		}
	}
	b.calls = append(b.calls, c)
	switch {
	case c.Name == "":
	case sleeps(c.Name):
		b.sleep(c.Name, c.Span)
	case c.Name == "guard" && len(c.Args) == 1 && sleepGuards[c.Args[0]]:
		b.sleep("guard("+c.Args[0]+")", c.Span)
	case krefPuts[c.Name] && len(args) >= 2:
		b.sum.KrefPuts = append(b.sum.KrefPuts, facts.Evidence{What: c.Args[1], Span: b.x.span(args[1])})
	}
	if i, ok := insertedArg(c.Name); ok && i < len(args) {
		if p := b.paramRef(args[i]); p >= 0 {
			b.store(p, "list", n)
		}
	}
}

func (b *bodyScan) sleep(what string, at facts.Span) {
	if !b.evidenceOf[what] {
		b.evidenceOf[what] = true
		b.sum.Sleeps = append(b.sum.Sleeps, facts.Evidence{What: what, Span: at})
	}
}

// gfp records the sleeping allocation flags named in argument arg.
func (b *bodyScan) gfp(arg ts.Node) {
	arg.Walk(func(n ts.Node) bool {
		if n.Kind() != ts.CKindIdentifier {
			return true
		}
		if name := string(b.x.bytes(n)); sleepGFP[name] {
			b.sleep(name, b.x.span(n))
		}
		return false
	})
}

// isLeaf reports whether nodes of a kind hold nothing a body scan looks
// for, so the walk need not descend: names, literals, comments, types, and
// punctuation and keywords (kinds not starting with a letter, or keywords,
// which have no children anyway).
func isLeaf(kind string) bool {
	switch kind {
	case ts.CKindIdentifier, ts.CKindFieldIdentifier, ts.CKindNumberLiteral, ts.CKindStringLiteral,
		ts.CKindConcatenatedString, ts.CKindCharLiteral, ts.CKindComment, ts.CKindPrimitiveType,
		ts.CKindTypeIdentifier, ts.CKindTypeDescriptor, ts.CKindNull, ts.CKindTrue, ts.CKindFalse,
		ts.CKindSizeofExpression, ts.CKindAlignofExpression, ts.CKindOffsetofExpression,
		ts.CKindStatementIdentifier, ts.CKindGnuAsmExpression:
		return true
	}
	return kind == "" || kind[0] < 'a' || kind[0] > 'z'
}

// ret reads what a return statement can return: both branches of a
// conditional, through parentheses and casts.
func (b *bodyScan) ret(n ts.Node, pointerReturn bool) {
	pending := []ts.Node{firstNamed(n)}
	for steps := 0; len(pending) > 0 && steps < maxExprDepth; steps++ {
		e := strip(pending[len(pending)-1])
		pending = pending[:len(pending)-1]
		switch e.Kind() {
		case ts.CKindConditionalExpression:
			pending = append(pending, e.Field(ts.CFieldAlternative), e.Field(ts.CFieldConsequence))
		case ts.CKindCommaExpression:
			pending = append(pending, e.Field(ts.CFieldRight))
		case ts.CKindCallExpression:
			name := calleeName(e)
			if isErrPtr(name) {
				b.errPtrs = append(b.errPtrs, e)
			}
			if name != "" && !contains(b.sum.ReturnedCalls, name) {
				b.sum.ReturnedCalls = append(b.sum.ReturnedCalls, name)
			}
		case ts.CKindNull:
			b.sum.ReturnsNull = true
		case ts.CKindNumberLiteral:
			b.sum.ReturnsNull = b.sum.ReturnsNull || pointerReturn && e.Text() == "0"
		case ts.CKindIdentifier:
			b.returned = append(b.returned, e)
		}
	}
}

// local records the names a declaration in the body introduces, and
// variables initialised with ERR_PTR.
func (b *bodyScan) local(n ts.Node) {
	s, decls := b.x.specifiers(n, n.StartByte())
	static := s.static
	for _, d := range decls {
		name := declaredName(d)
		if name.IsNull() {
			continue
		}
		b.locals[name.Text()] = static
		if d.Kind() == ts.CKindInitDeclarator {
			b.errVar(name, d.Field(ts.CFieldValue))
		}
	}
}

// errVar remembers that variable left was assigned an ERR_PTR.
func (b *bodyScan) errVar(left, right ts.Node) {
	right = strip(right)
	if left.Kind() != ts.CKindIdentifier || !isErrPtr(calleeName(right)) {
		return
	}
	if _, seen := b.errVars[left.Text()]; !seen {
		b.errVars[left.Text()] = right
	}
}

// finish resolves what needed the whole body: returned ERR_PTR variables
// and stores whose target might be a local declared later.
func (b *bodyScan) finish() {
	for _, id := range b.returned {
		if call, ok := b.errVars[id.Text()]; ok {
			b.errPtrs = append(b.errPtrs, call)
		}
	}
	for _, e := range b.errPtrs {
		if !b.sum.ReturnsErrPtr || e.StartByte() < b.sum.ErrPtrSpan.Start-b.x.base {
			b.sum.ReturnsErrPtr = true
			b.sum.ErrPtrSpan = b.x.span(e)
		}
	}
	for _, a := range b.assigns {
		b.assignStore(a)
	}
	slices.SortStableFunc(b.sum.Stores, func(p, q facts.ParamStore) int { return cmp.Compare(p.Span.Start, q.Span.Start) })
	slices.SortStableFunc(b.sum.Sleeps, func(p, q facts.Evidence) int { return cmp.Compare(p.Span.Start, q.Span.Start) })
}

// assignStore records `target = param` when target outlives the call: a
// global (or a static local), or a field of another object.
func (b *bodyScan) assignStore(a ts.Node) {
	if a.Field(ts.CFieldOperator).Text() != "=" {
		return
	}
	p := b.paramRef(a.Field(ts.CFieldRight))
	if p < 0 {
		return
	}
	left := strip(a.Field(ts.CFieldLeft))
	switch left.Kind() {
	case ts.CKindIdentifier:
		name := left.Text()
		if _, isParam := b.params[name]; isParam {
			return
		}
		if static, isLocal := b.locals[name]; !isLocal || static {
			b.store(p, "global", a)
		}
	case ts.CKindFieldExpression, ts.CKindSubscriptExpression:
		base := objectBase(left)
		if base.Kind() != ts.CKindIdentifier {
			b.store(p, "field", a)
			return
		}
		name := base.Text()
		if i, isParam := b.params[name]; isParam {
			if i != p {
				b.store(p, "field", a)
			}
			return
		}
		static, isLocal := b.locals[name]
		switch {
		case left.Kind() == ts.CKindFieldExpression:
			b.store(p, "field", a)
		case !isLocal || static: // global_array[i] = param
			b.store(p, "global", a)
		}
	}
}

func (b *bodyScan) store(param int, into string, at ts.Node) {
	s := facts.ParamStore{Param: param, Into: into}
	if b.storeSeen[s] {
		return
	}
	b.storeSeen[s] = true
	s.Span = b.x.span(at)
	b.sum.Stores = append(b.sum.Stores, s)
}

// paramRef returns the index of the parameter e hands over as an object:
// the parameter itself, or the address of a member of it (`&p->node`), or
// -1.
func (b *bodyScan) paramRef(e ts.Node) int {
	e = strip(e)
	if e.Kind() == ts.CKindPointerExpression && e.Field(ts.CFieldOperator).Text() == "&" {
		member := strip(e.Field(ts.CFieldArgument))
		if member.Kind() != ts.CKindFieldExpression {
			return -1
		}
		e = objectBase(member)
	}
	if e.Kind() != ts.CKindIdentifier {
		return -1
	}
	if i, ok := b.params[e.Text()]; ok {
		return i
	}
	return -1
}

// strip removes parentheses and casts around an expression.
func strip(e ts.Node) ts.Node {
	for depth := 0; depth < maxExprDepth; depth++ {
		switch e.Kind() {
		case ts.CKindParenthesizedExpression:
			e = firstNamed(e)
		case ts.CKindCastExpression:
			e = e.Field(ts.CFieldValue)
		default:
			return e
		}
	}
	return e
}

// objectBase is the variable a member or element access starts from:
// `a` in `a->b.c[2]`.
func objectBase(e ts.Node) ts.Node {
	for depth := 0; depth < maxExprDepth; depth++ {
		switch e.Kind() {
		case ts.CKindFieldExpression, ts.CKindSubscriptExpression:
			e = e.Field(ts.CFieldArgument)
		case ts.CKindParenthesizedExpression, ts.CKindCastExpression:
			e = strip(e)
		default:
			return e
		}
	}
	return e
}

// declaredName is the identifier a local declarator declares.
func declaredName(d ts.Node) ts.Node {
	for depth := 0; depth < maxDeclaratorDepth; depth++ {
		switch d.Kind() {
		case ts.CKindIdentifier:
			return d
		case ts.CKindPointerDeclarator, ts.CKindArrayDeclarator, ts.CKindFunctionDeclarator, ts.CKindInitDeclarator:
			d = d.Field(ts.CFieldDeclarator)
		case ts.CKindParenthesizedDeclarator, ts.CKindAttributedDeclarator:
			d = firstDeclarator(d)
		default:
			return ts.Node{}
		}
	}
	return ts.Node{}
}

// firstNamed is n's first named child other than a comment.
func firstNamed(n ts.Node) ts.Node {
	for i := 0; i < n.NamedChildCount(); i++ {
		if c := n.NamedChild(i); c.Kind() != ts.CKindComment {
			return c
		}
	}
	return ts.Node{}
}

func calleeName(call ts.Node) string {
	if call.Kind() != ts.CKindCallExpression {
		return ""
	}
	if fn := call.Field(ts.CFieldFunction); fn.Kind() == ts.CKindIdentifier {
		return fn.Text()
	}
	return ""
}

func isErrPtr(name string) bool { return name == "ERR_PTR" || name == "ERR_CAST" }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
