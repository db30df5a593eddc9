package ownership

import (
	"slices"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// receiver is how a method takes self.
type receiver uint8

const (
	noSelf receiver = iota
	selfRef
	selfMutRef
	selfValue
	selfPinned // self: Pin<&mut Self> and friends
)

// local is a variable bound in the function: a let binding or a
// by-value parameter (both live on the stack).
type local struct {
	decl  facts.Span
	typ   string // declared type text, "" when inferred
	init  string // initialiser text
	param bool
}

// scope is one block's bindings: what each name it shadows held before,
// and the guards it owns until it ends.
type scope struct {
	prevVars   map[string]*val // nil entry: the name was unbound
	prevLocals map[string]*local
	guards     []int
}

// loopCtx collects the states that leave a loop by break and that reach
// its next iteration by continue.
type loopCtx struct {
	label  string
	breaks []*state
	conts  []*state
	value  val
}

// lockExit remembers, for one lock, an exit that leaves it held and one
// that leaves it released.
type lockExit struct {
	held, released *Exit
	releasedCall   facts.Span
	// mayRelease: some exit may have released it (on merged paths).
	mayRelease bool
}

// walker interprets one function or closure body.
type walker struct {
	file     *fileEnv
	fn       *Fn
	self     receiver
	selfSpan facts.Span
	params   map[string]string // parameter name -> type text

	scopes    []*scope
	locals    map[string]*local
	loops     []*loopCtx
	leaked    map[int]bool
	lockExits map[int]*lockExit
	fieldRes  map[string]int // borrowed field pseudo-resources by text
	// nested are the closures and functions met in the body, to be
	// analysed on their own.
	nested []ts.Node
}

func (w *walker) newRes(r *Resource) int {
	r.ID = len(w.fn.Resources)
	w.fn.Resources = append(w.fn.Resources, r)
	return r.ID
}

func (w *walker) pushScope() {
	w.scopes = append(w.scopes, &scope{prevVars: map[string]*val{}, prevLocals: map[string]*local{}})
}

// popScope ends the innermost scope on path st: its guards are dropped
// and the names it bound return to what they named before.
func (w *walker) popScope(st *state) {
	sc := w.scopes[len(w.scopes)-1]
	w.scopes = w.scopes[:len(w.scopes)-1]
	if !st.dead {
		for _, g := range sc.guards {
			if r := st.get(g); r.st.Has(Owned) {
				r.st = r.st&^Owned | Released
				st.set(g, r)
			}
		}
	}
	for name, prev := range sc.prevVars {
		if prev == nil {
			delete(st.vars, name)
		} else {
			st.vars[name] = *prev
		}
	}
	for name, prev := range sc.prevLocals {
		if prev == nil {
			delete(w.locals, name)
		} else {
			w.locals[name] = prev
		}
	}
}

// bindName binds name to v in the innermost scope, remembering what it
// shadowed.
func (w *walker) bindName(name string, v val, st *state, loc *local) {
	if len(w.scopes) > 0 {
		sc := w.scopes[len(w.scopes)-1]
		if _, seen := sc.prevVars[name]; !seen {
			if old, ok := st.vars[name]; ok {
				sc.prevVars[name] = &old
			} else {
				sc.prevVars[name] = nil
			}
			sc.prevLocals[name] = w.locals[name]
		}
	}
	st.vars[name] = v
	if loc != nil {
		w.locals[name] = loc
	} else {
		delete(w.locals, name)
	}
}

// ownGuards makes the innermost scope drop the guards in v when it ends.
func (w *walker) ownGuards(v val) {
	if len(w.scopes) == 0 {
		return
	}
	sc := w.scopes[len(w.scopes)-1]
	for _, id := range v {
		if w.fn.Resources[id].Kind == Guard {
			sc.guards = append(sc.guards, id)
		}
	}
}

// run interprets the body and checks the exit at its end.
func (w *walker) run(body ts.Node, st *state) {
	var v val
	endSpan := facts.Span{Start: body.EndByte(), End: body.EndByte()}
	if body.Kind() == ts.RustKindBlock {
		v = w.block(body, st)
		if end := body.EndByte(); end > body.StartByte() {
			endSpan = facts.Span{Start: end - 1, End: end}
		}
	} else {
		v = w.expr(body, st)
	}
	if !st.dead {
		w.exit(st, Exit{Span: endSpan, Kind: "end of function"}, v)
	}
	w.finishLocks()
}

// block interprets a block in its own scope and returns its value.
func (w *walker) block(n ts.Node, st *state) val {
	w.pushScope()
	var v val
	kids := n.NamedChildren()
	for i, c := range kids {
		if st.dead {
			break
		}
		switch c.Kind() {
		case ts.RustKindLetDeclaration:
			w.let(c, st)
		case ts.RustKindExpressionStatement:
			x := w.expr(c.NamedChild(0), st)
			w.discard(x, c, st)
		case ts.RustKindFunctionItem:
			w.nested = append(w.nested, c)
		case ts.RustKindLineComment, ts.RustKindBlockComment, ts.RustKindEmptyStatement,
			ts.RustKindStructItem, ts.RustKindEnumItem, ts.RustKindImplItem,
			ts.RustKindUseDeclaration, ts.RustKindConstItem, ts.RustKindStaticItem, ts.RustKindTraitItem,
			ts.RustKindTypeItem, ts.RustKindMacroDefinition, ts.RustKindModItem, ts.RustKindUnionItem,
			ts.RustKindAttributeItem, ts.RustKindInnerAttributeItem:
		default:
			x := w.expr(c, st)
			if i == lastCode(kids) {
				v = x
			} else {
				w.discard(x, c, st)
			}
		}
	}
	w.popScope(st)
	return v
}

// lastCode is the index of the last child that is not a comment, or -1.
func lastCode(kids []ts.Node) int {
	for i := len(kids) - 1; i >= 0; i-- {
		if !kids[i].IsExtra() {
			return i
		}
	}
	return -1
}

// discard handles a value nobody keeps: a guard dropped on the spot is
// released; a value acquired within the statement and thrown away is not
// followed (the call's own result, such as inc_ref's get_device).
func (w *walker) discard(v val, stmt ts.Node, st *state) {
	span := spanOf(stmt)
	for _, id := range v {
		r := w.fn.Resources[id]
		switch {
		case r.Kind == Guard:
			st.setStatus(val{id}, Released)
		case r.Kind == Value && span.Covers(r.Call):
			st.setStatus(val{id}, Escaped)
		}
	}
}

// let interprets a let declaration, with let-else.
func (w *walker) let(n ts.Node, st *state) {
	value := n.Field(ts.RustFieldValue)
	var v val
	if !value.IsNull() {
		v = w.expr(value, st)
	}
	if st.dead {
		return
	}
	pat := n.Field(ts.RustFieldPattern)
	if alt := n.Field(ts.RustFieldAlternative); !alt.IsNull() {
		elseSt := st.clone()
		if refutesNull(pat) {
			elseSt.setStatus(v, NotAcquired)
		}
		w.expr(alt, elseSt) // diverges: its exits are recorded inside
	}
	loc := &local{decl: spanOf(n), typ: n.Field(ts.RustFieldType).Text(), init: value.Text()}
	w.bind(pat, v, st, loc)
}

// bind binds a pattern to a value. Identifiers take the value (through
// Some(..) and Ok(..)); `_` drops it; patterns that split the value end
// its tracking.
func (w *walker) bind(pat ts.Node, v val, st *state, loc *local) {
	switch pat.Kind() {
	case ts.RustKindIdentifier:
		if pat.Text() == "_" {
			w.discardAll(v, st)
			return
		}
		w.bindName(pat.Text(), v, st, loc)
		w.ownGuards(v)
		return
	case ts.RustKindMutPattern, ts.RustKindRefPattern:
		w.bind(lastNamed(pat), v, st, loc)
		return
	case ts.RustKindTupleStructPattern:
		if sub := pat.NamedChildren(); len(sub) == 2 && isSomeOrOk(sub[0].Text()) {
			w.bind(sub[1], v, st, nil)
			return
		}
	case ts.RustKindCapturedPattern:
		if id := pat.NamedChild(0); id.Kind() == ts.RustKindIdentifier {
			w.bindName(id.Text(), v, st, nil)
			w.ownGuards(v)
			return
		}
	case "_":
		w.discardAll(v, st)
		return
	}
	// A destructuring pattern: the parts go where rivet does not follow.
	st.setStatus(v, Escaped)
	pat.Walk(func(n ts.Node) bool {
		switch n.Kind() {
		case ts.RustKindIdentifier, ts.RustKindShorthandFieldIdentifier:
			if n.Parent().Field(ts.RustFieldType).Equal(n) {
				return true // the variant or struct name
			}
			if name := n.Text(); name != "_" && !isPatternConst(name) {
				w.bindName(name, nil, st, nil)
			}
		}
		return true
	})
}

// discardAll drops a value bound to `_`: guards are released at once,
// values are no longer followed.
func (w *walker) discardAll(v val, st *state) {
	for _, id := range v {
		if w.fn.Resources[id].Kind == Guard {
			st.setStatus(val{id}, Released)
		} else if w.fn.Resources[id].Kind == Value {
			st.setStatus(val{id}, Escaped)
		}
	}
}

func lastNamed(n ts.Node) ts.Node {
	k := n.NamedChildCount()
	return n.NamedChild(k - 1)
}

func isSomeOrOk(s string) bool { return s == "Some" || s == "Ok" }

// isPatternConst reports whether a pattern identifier is more likely an
// enum variant or constant than a binding (None, EINVAL).
func isPatternConst(s string) bool {
	return s == "None" || (s != "" && strings.ToUpper(s) == s && strings.ToLower(s) != s)
}

// refutesNull reports whether a refutable pattern fails exactly when the
// value is absent: Some(..) and Ok(..).
func refutesNull(pat ts.Node) bool {
	for pat.Kind() == ts.RustKindMatchPattern {
		pat = pat.NamedChild(0)
	}
	return pat.Kind() == ts.RustKindTupleStructPattern && isSomeOrOk(pat.NamedChild(0).Text())
}

// matchesNull reports whether a pattern matches exactly when the value is
// absent: None and Err(..).
func matchesNull(pat ts.Node) bool {
	for pat.Kind() == ts.RustKindMatchPattern {
		pat = pat.NamedChild(0)
	}
	switch pat.Kind() {
	case ts.RustKindIdentifier, ts.RustKindScopedIdentifier:
		return lastSeg(pat.Text()) == "None"
	case ts.RustKindTupleStructPattern:
		return lastSeg(pat.NamedChild(0).Text()) == "Err"
	}
	return false
}

// exit checks one way out of the function: values still owned leak
// (unless returned), locks taken here are noted held or released.
func (w *walker) exit(st *state, e Exit, returned val) {
	for id := range st.res {
		r := w.fn.Resources[id]
		rs := st.get(id)
		switch r.Kind {
		case Value:
			if rs.st.Has(Owned) && !r.Devm && !slices.Contains(returned, id) && !w.leaked[id] {
				w.leaked[id] = true
				w.fn.Leaks = append(w.fn.Leaks, Leak{Res: r, Exit: e})
			}
		case Lock:
			le := w.lockExits[id]
			if le == nil {
				le = &lockExit{}
				w.lockExits[id] = le
			}
			ex := e
			le.mayRelease = le.mayRelease || rs.st.Has(Released)
			switch {
			case rs.st.Has(Owned) && le.held == nil:
				le.held = &ex
			case rs.st == Released && le.released == nil:
				le.released, le.releasedCall = &ex, rs.rel
			}
		}
	}
}

// finishLocks reports the locks some exit leaves held.
func (w *walker) finishLocks() {
	for id, le := range w.lockExits {
		if le.held == nil || le.released == nil && le.mayRelease {
			continue
		}
		h := LockHeld{Res: w.fn.Resources[id], Exit: *le.held}
		if le.released != nil {
			h.ReleasedOn, h.ReleaseCall = *le.released, le.releasedCall
		}
		w.fn.LocksHeld = append(w.fn.LocksHeld, h)
	}
	slices.SortFunc(w.fn.LocksHeld, func(a, b LockHeld) int { return int(a.Res.ID) - int(b.Res.ID) })
}

// expr interprets an expression on path st and returns what it carries.
func (w *walker) expr(n ts.Node, st *state) val {
	if n.IsNull() || st.dead {
		return nil
	}
	switch n.Kind() {
	case ts.RustKindUnsafeBlock, ts.RustKindAsyncBlock, ts.RustKindConstBlock, ts.RustKindTryBlock:
		return w.block(n.FirstChildOfKind(ts.RustKindBlock), st)
	case ts.RustKindBlock:
		return w.block(n, st)
	case ts.RustKindParenthesizedExpression:
		return w.expr(n.NamedChild(0), st)
	case ts.RustKindIdentifier:
		return st.vars[n.Text()]
	case ts.RustKindSelf:
		return st.vars["self"]
	case ts.RustKindCallExpression:
		return w.call(n, st)
	case ts.RustKindFieldExpression:
		return w.field(n, st)
	case ts.RustKindTypeCastExpression:
		return w.expr(n.Field(ts.RustFieldValue), st)
	case ts.RustKindReferenceExpression, ts.RustKindUnaryExpression:
		w.expr(lastNamed(n), st)
		return nil
	case ts.RustKindBinaryExpression, ts.RustKindCompoundAssignmentExpr, ts.RustKindIndexExpression, ts.RustKindRangeExpression:
		for _, c := range n.NamedChildren() {
			w.expr(c, st)
		}
		return nil
	case ts.RustKindAssignmentExpression:
		w.assign(n, st)
		return nil
	case ts.RustKindTryExpression:
		return w.try(n, st)
	case ts.RustKindReturnExpression:
		v := w.expr(n.NamedChild(0), st)
		if !st.dead {
			w.exit(st, Exit{Span: spanOf(n), Kind: "return"}, v)
			st.setStatus(v, Escaped)
		}
		st.dead = true
		return nil
	case ts.RustKindBreakExpression, ts.RustKindContinueExpression:
		w.jump(n, st)
		return nil
	case ts.RustKindIfExpression:
		return w.ifExpr(n, st)
	case ts.RustKindMatchExpression:
		return w.match(n, st)
	case ts.RustKindLoopExpression, ts.RustKindWhileExpression, ts.RustKindForExpression:
		return w.loop(n, st)
	case ts.RustKindClosureExpression:
		w.nested = append(w.nested, n)
		w.capture(n.Field(ts.RustFieldBody), st)
		return nil
	case ts.RustKindMacroInvocation:
		return w.macro(n, st)
	case ts.RustKindStructExpression:
		w.structExpr(n, st)
		return nil
	case ts.RustKindTupleExpression, ts.RustKindArrayExpression:
		var v val
		for _, c := range n.NamedChildren() {
			v = union(v, w.expr(c, st))
		}
		return v
	case ts.RustKindAwaitExpression:
		return w.expr(n.NamedChild(0), st)
	case ts.RustKindIntegerLiteral, ts.RustKindStringLiteral, ts.RustKindRawStringLiteral, ts.RustKindCharLiteral,
		ts.RustKindBooleanLiteral, ts.RustKindFloatLiteral, ts.RustKindScopedIdentifier, ts.RustKindUnitExpression,
		ts.RustKindLineComment, ts.RustKindBlockComment, ts.RustKindGenericFunction, ts.RustKindNegativeLiteral:
		return nil
	}
	// Anything else: interpret the parts, and stop following what flows
	// into a construct rivet does not model.
	for _, c := range n.NamedChildren() {
		st.setStatus(w.expr(c, st), Escaped)
	}
	return nil
}

// field interprets `base.name`: a field of a borrowed value is borrowed
// too (release-borrowed looks for that).
func (w *walker) field(n ts.Node, st *state) val {
	base := w.expr(n.Field(ts.RustFieldValue), st)
	for _, id := range base {
		if w.fn.Resources[id].Kind != Borrowed {
			continue
		}
		text := compact(n.Text())
		fid, ok := w.fieldRes[text]
		if !ok {
			fid = w.newRes(&Resource{Kind: Borrowed, Call: spanOf(n), Desc: "`" + text + "`, a field of " + w.fn.Resources[id].Desc})
			w.fieldRes[text] = fid
		}
		if st.get(fid).st == NotAcquired {
			st.set(fid, resState{st: Owned})
		}
		return val{fid}
	}
	return nil
}

// try interprets `expr?`: on the error path the operand carries nothing
// (the acquisition it wraps failed) and the function returns.
func (w *walker) try(n ts.Node, st *state) val {
	v := w.expr(n.NamedChild(0), st)
	if st.dead {
		return nil
	}
	errSt := st.clone()
	errSt.setStatus(v, NotAcquired)
	q := n.EndByte()
	w.exit(errSt, Exit{Span: facts.Span{Start: q - 1, End: q}, Kind: "?"}, nil)
	return v
}

// jump records a break or continue in its loop and ends the path.
func (w *walker) jump(n ts.Node, st *state) {
	label := ""
	if l := n.FirstChildOfKind(ts.RustKindLabel); !l.IsNull() {
		label = l.Text()
	}
	var v val
	if n.Kind() == ts.RustKindBreakExpression {
		for _, c := range n.NamedChildren() {
			if c.Kind() != ts.RustKindLabel {
				v = w.expr(c, st)
			}
		}
	}
	if st.dead {
		return
	}
	for i := len(w.loops) - 1; i >= 0; i-- {
		l := w.loops[i]
		if label != "" && l.label != label {
			continue
		}
		if n.Kind() == ts.RustKindBreakExpression {
			l.breaks = append(l.breaks, st.clone())
			l.value = union(l.value, v)
		} else {
			l.conts = append(l.conts, st.clone())
		}
		break
	}
	st.dead = true
}

// assign interprets `left = right`.
func (w *walker) assign(n ts.Node, st *state) {
	v := w.expr(n.Field(ts.RustFieldRight), st)
	if st.dead {
		return
	}
	left := n.Field(ts.RustFieldLeft)
	switch left.Kind() {
	case ts.RustKindIdentifier:
		st.vars[left.Text()] = v
		return
	case ts.RustKindFieldExpression:
		if base := left.Field(ts.RustFieldValue); base.Kind() == ts.RustKindSelf && w.fn.Type != "" {
			w.store(v, left.Field(ts.RustFieldField).Text(), spanOf(n), st)
			return
		}
	}
	w.expr(left, st)
	st.setStatus(v, Escaped)
}

// store moves v into field of the method's own type: an owner, when that
// type's Drop releases the field.
func (w *walker) store(v val, field string, site facts.Span, st *state) {
	for _, id := range v {
		r := w.fn.Resources[id]
		if r.Kind != Value {
			continue
		}
		w.fn.Stores = append(w.fn.Stores, OwnerStore{Res: r, Type: w.fn.Type, Field: field, Site: site})
		rs := st.get(id)
		if rs.st.Has(Owned) && w.file.dropReleases(w.fn.Type, field, r.Func) {
			rs.st = rs.st&^Owned | HandedToOwner
			rs.own, rs.ownDesc = site, "field `"+field+"` of "+w.fn.Type+", which its Drop releases"
		} else {
			rs.st = rs.st&^Owned | Escaped
		}
		st.set(id, rs)
	}
	for _, id := range v {
		if w.fn.Resources[id].Kind != Value {
			st.setStatus(val{id}, Escaped)
		}
	}
}

// structExpr interprets a struct literal: a literal of the method's own
// type stores each field.
func (w *walker) structExpr(n ts.Node, st *state) {
	name := lastSeg(n.Field(ts.RustFieldName).Text())
	own := w.fn.Type != "" && (name == "Self" || name == w.fn.Type)
	body := n.Field(ts.RustFieldBody)
	for _, c := range body.NamedChildren() {
		var field string
		var v val
		switch c.Kind() {
		case ts.RustKindFieldInitializer:
			field = c.Field(ts.RustFieldField).Text()
			v = w.expr(c.Field(ts.RustFieldValue), st)
		case ts.RustKindShorthandFieldInitializer:
			field = c.NamedChild(0).Text()
			v = st.vars[field]
		case ts.RustKindBaseFieldInitializer:
			v = w.expr(c.NamedChild(0), st)
		default:
			continue
		}
		if st.dead {
			return
		}
		if own && field != "" {
			w.store(v, field, spanOf(c), st)
		} else {
			st.setStatus(v, Escaped)
		}
	}
}

// capture ends the tracking of what a closure (or macro) mentions: it
// may run later, elsewhere.
func (w *walker) capture(body ts.Node, st *state) {
	body.Walk(func(n ts.Node) bool {
		switch n.Kind() {
		case ts.RustKindIdentifier, ts.RustKindSelf:
			if v, ok := st.vars[n.Text()]; ok {
				for _, id := range v {
					if w.fn.Resources[id].Kind != Borrowed {
						st.setStatus(val{id}, Escaped)
					}
				}
			}
		}
		return true
	})
}

// ifExpr interprets if / if let / else if chains.
func (w *walker) ifExpr(n ts.Node, st *state) val {
	w.pushScope()
	thenSt, elseSt := w.cond(n.Field(ts.RustFieldCondition), st)
	v := w.expr(n.Field(ts.RustFieldConsequence), thenSt)
	w.popScope(thenSt)
	if alt := n.Field(ts.RustFieldAlternative); !alt.IsNull() {
		v = union(v, w.expr(alt.NamedChild(0), elseSt))
	}
	*st = *merge(thenSt, elseSt)
	return v
}

// cond interprets a condition and returns the states of its true and
// false outcomes, refined by null checks and let patterns. Names a let
// condition binds go to the innermost scope.
func (w *walker) cond(c ts.Node, st *state) (*state, *state) {
	switch c.Kind() {
	case ts.RustKindLetCondition:
		v := w.expr(c.Field(ts.RustFieldValue), st)
		thenSt, elseSt := st.clone(), st.clone()
		pat := c.Field(ts.RustFieldPattern)
		switch {
		case refutesNull(pat):
			elseSt.setStatus(v, NotAcquired)
		case matchesNull(pat):
			thenSt.setStatus(v, NotAcquired)
		}
		if !matchesNull(pat) {
			w.bind(pat, v, thenSt, nil)
		}
		return thenSt, elseSt
	case ts.RustKindLetChain:
		thenSt := st
		var elses []*state
		for _, part := range c.NamedChildren() {
			t, e := w.cond(part, thenSt)
			thenSt = t
			elses = append(elses, e)
		}
		return thenSt, merge(elses...)
	}
	w.expr(c, st)
	thenSt, elseSt := st.clone(), st.clone()
	t, e := w.nulls(c, st)
	thenSt.setStatus(t, NotAcquired)
	elseSt.setStatus(e, NotAcquired)
	return thenSt, elseSt
}

// nulls returns the resources a condition proves absent when it is true
// and when it is false: `p.is_null()`, `IS_ERR(p)`, `p == null`, and
// their negations and conjunctions.
func (w *walker) nulls(c ts.Node, st *state) (onTrue, onFalse val) {
	switch c.Kind() {
	case ts.RustKindParenthesizedExpression:
		return w.nulls(c.NamedChild(0), st)
	case ts.RustKindUnsafeBlock:
		b := c.FirstChildOfKind(ts.RustKindBlock)
		if k := b.NamedChildren(); lastCode(k) >= 0 {
			return w.nulls(k[lastCode(k)], st)
		}
	case ts.RustKindUnaryExpression:
		if strings.HasPrefix(c.Text(), "!") {
			t, f := w.nulls(c.NamedChild(0), st)
			return f, t
		}
	case ts.RustKindBinaryExpression:
		l, r := c.Field(ts.RustFieldLeft), c.Field(ts.RustFieldRight)
		switch c.Field(ts.RustFieldOperator).Text() {
		case "&&":
			lt, _ := w.nulls(l, st)
			rt, _ := w.nulls(r, st)
			return union(lt, rt), nil
		case "||":
			_, lf := w.nulls(l, st)
			_, rf := w.nulls(r, st)
			return nil, union(lf, rf)
		case "==":
			if isNullExpr(r) {
				return w.peek(l, st), nil
			}
		case "!=":
			if isNullExpr(r) {
				return nil, w.peek(l, st)
			}
		}
	case ts.RustKindCallExpression:
		fn := c.Field(ts.RustFieldFunction)
		args := argNodes(c)
		if fn.Kind() == ts.RustKindFieldExpression {
			switch fn.Field(ts.RustFieldField).Text() {
			case "is_null", "is_none", "is_err":
				return w.peek(fn.Field(ts.RustFieldValue), st), nil
			case "is_some", "is_ok":
				return nil, w.peek(fn.Field(ts.RustFieldValue), st)
			}
		}
		if name := w.file.cname(fn); (name == "IS_ERR" || name == "IS_ERR_OR_NULL") && len(args) > 0 {
			return w.peek(args[0], st), nil
		}
	}
	return nil, nil
}

func isNullExpr(n ts.Node) bool {
	t := n.Text()
	return strings.HasSuffix(t, "null_mut()") || strings.HasSuffix(t, "null()")
}

// peek is what an expression carries, without interpreting it again:
// names, casts and pass-through methods.
func (w *walker) peek(n ts.Node, st *state) val {
	switch n.Kind() {
	case ts.RustKindIdentifier, ts.RustKindSelf:
		return st.vars[n.Text()]
	case ts.RustKindParenthesizedExpression:
		return w.peek(n.NamedChild(0), st)
	case ts.RustKindTypeCastExpression:
		return w.peek(n.Field(ts.RustFieldValue), st)
	case ts.RustKindCallExpression:
		fn := n.Field(ts.RustFieldFunction)
		if fn.Kind() == ts.RustKindGenericFunction {
			fn = fn.Field(ts.RustFieldFunction)
		}
		if fn.Kind() == ts.RustKindFieldExpression && passThroughMethod[fn.Field(ts.RustFieldField).Text()] {
			return w.peek(fn.Field(ts.RustFieldValue), st)
		}
		if args := argNodes(n); len(args) == 1 && passThroughCall(pathOf(fn)) {
			return w.peek(args[0], st)
		}
	}
	return nil
}

// match interprets a match: each arm from the scrutinee's state, with
// Some/Ok arms binding it and None/Err arms knowing it absent.
func (w *walker) match(n ts.Node, st *state) val {
	v := w.expr(n.Field(ts.RustFieldValue), st)
	if st.dead {
		return nil
	}
	var outs []*state
	var res val
	arms := n.Field(ts.RustFieldBody).NamedChildren()
	for _, arm := range arms {
		if arm.Kind() != ts.RustKindMatchArm {
			continue
		}
		armSt := st.clone()
		w.pushScope()
		pat := arm.Field(ts.RustFieldPattern)
		switch {
		case matchesNull(pat):
			armSt.setStatus(v, NotAcquired)
		case refutesNull(pat):
			w.bind(pat.NamedChild(0), v, armSt, nil)
		default:
			if inner := pat.NamedChild(0); inner.Kind() == ts.RustKindIdentifier && !isPatternConst(inner.Text()) {
				w.bind(inner, v, armSt, nil)
			}
		}
		if guard := pat.Field(ts.RustFieldCondition); !guard.IsNull() {
			w.expr(guard, armSt)
		}
		res = union(res, w.expr(arm.Field(ts.RustFieldValue), armSt))
		w.popScope(armSt)
		outs = append(outs, armSt)
	}
	if len(outs) == 0 {
		return v
	}
	*st = *merge(outs...)
	return res
}

// loop interprets loop, while and for: the body runs once, and the loop
// is left with no iteration (while, for), after one, or by break.
func (w *walker) loop(n ts.Node, st *state) val {
	l := &loopCtx{}
	if lb := n.FirstChildOfKind(ts.RustKindLabel); !lb.IsNull() {
		l.label = lb.Text()
	}
	w.pushScope()
	var exits []*state
	body := st.clone()
	switch n.Kind() {
	case ts.RustKindWhileExpression:
		t, e := w.cond(n.Field(ts.RustFieldCondition), body)
		body = t
		exits = append(exits, e)
	case ts.RustKindForExpression:
		it := w.expr(n.Field(ts.RustFieldValue), body)
		exits = append(exits, body.clone())
		w.bind(n.Field(ts.RustFieldPattern), it, body, nil)
	}
	w.loops = append(w.loops, l)
	w.expr(n.Field(ts.RustFieldBody), body)
	w.loops = w.loops[:len(w.loops)-1]
	w.popScope(body)
	if n.Kind() != ts.RustKindLoopExpression {
		exits = append(exits, body)
		exits = append(exits, l.conts...)
	}
	exits = append(exits, l.breaks...)
	*st = *merge(exits...)
	return l.value
}

// spanOf is a node's byte span.
func spanOf(n ts.Node) facts.Span { return facts.Span{Start: n.StartByte(), End: n.EndByte()} }

// compact removes whitespace, so `& mut x` and `&mut x` compare equal.
func compact(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// lastSeg is a path's last segment without generic arguments.
func lastSeg(path string) string { return facts.LastSegment(path) }
