package ownership

import (
	"strconv"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// Env is what Analyze needs besides the tree.
type Env struct {
	// KB says what C functions do.
	KB Knowledge
	// Calls maps the start offset of a callee name to the C function a
	// `bindings::` call (or a name imported from bindings) reaches;
	// CallNames builds it from the file's facts. Without it, paths through
	// a `bindings` module are still recognised.
	Calls map[uint32]string
}

// CallNames maps the callee names of a file's bindings calls to the C
// functions they name, for Env.Calls.
func CallNames(r *facts.Rust) map[uint32]string {
	if r == nil {
		return nil
	}
	m := make(map[uint32]string)
	for _, ref := range r.BindingRefs {
		if ref.Kind == facts.RefCall {
			m[ref.Span.Start] = ref.Name
		}
	}
	return m
}

// File is what the tracker found in one Rust file.
type File struct {
	// Fns are the file's functions in source order, each followed by the
	// closures and nested functions in its body.
	Fns []*Fn
	// Owners are the owner-type stores, each with its type's Drop.
	Owners []Owner
	// RefCounts are the AlwaysRefCounted impls with their C calls.
	RefCounts []RefCount
}

// Call is one C call: the function and the call expression.
type Call struct {
	Func string
	Span facts.Span
}

// Owner is a C resource stored in a field of the type whose method stores
// it, with what the type's Drop does about that field.
type Owner struct {
	Store OwnerStore
	Ctor  *Fn
	// Drop spans the type's Drop impl; empty when the file has none.
	Drop facts.Span
	// Releases are Drop's release calls of the field, in source order
	// (a Drop may disable, then put).
	Releases []Call
	// Handled: something else may take care of the field (Drop passes it
	// to a Rust function or takes it out, Drop releases a value of self
	// rivet cannot map to a field, or with no Drop, another function of
	// the file releases such a field): without a release in Drop, rivet
	// cannot call it a leak.
	Handled bool
}

// RefCount is an `unsafe impl AlwaysRefCounted for Type`: the C calls of
// its inc_ref and the releasing C calls of its dec_ref.
type RefCount struct {
	Type string
	Impl facts.Span
	Inc  []Call
	Dec  []Call
}

// Analyze runs the tracker over every function and closure of a Rust
// file's tree and checks owner types against their Drop impls. A file
// that names no bindings and passes no GFP flag has nothing to track.
func Analyze(root ts.Node, env Env) *File {
	out := &File{}
	if src := root.Text(); len(env.Calls) == 0 && !strings.Contains(src, "bindings") && !strings.Contains(src, "GFP_") {
		return out
	}
	fe := &fileEnv{env: env, effects: map[string]Effect{}, structs: map[string]map[string]string{},
		drops: map[string]*dropInfo{}, accessors: map[string]map[string]string{}, root: root}
	fns, impls := items(root)
	fe.collect(impls)
	for _, impl := range impls {
		if lastSeg(impl.Field(ts.RustFieldTrait).Text()) == "AlwaysRefCounted" {
			out.RefCounts = append(out.RefCounts, fe.refCount(impl))
		}
	}
	for len(fns) > 0 {
		n := fns[0]
		fns = fns[1:]
		fn, nested := fe.analyzeFn(n)
		if fn != nil {
			out.Fns = append(out.Fns, fn)
		}
		fns = append(nested, fns...)
	}
	out.Owners = fe.owners(out.Fns)
	return out
}

// items returns the file's functions (outside function bodies: the
// walker finds the closures and functions inside them) and impl blocks,
// and records its structs. Macro bodies are token trees and hold none.
func items(root ts.Node) (fns, impls []ts.Node) {
	root.Walk(func(n ts.Node) bool {
		switch n.Kind() {
		case ts.RustKindSourceFile, ts.RustKindModItem, ts.RustKindDeclarationList, ts.RustKindTraitItem:
			return true
		case ts.RustKindImplItem:
			impls = append(impls, n)
			return true
		case ts.RustKindFunctionItem:
			fns = append(fns, n)
		case ts.RustKindStructItem:
			impls = append(impls, n) // collect reads the fields
		}
		return false
	})
	return fns, impls
}

// fileEnv is what the walkers of one file share.
type fileEnv struct {
	env     Env
	effects map[string]Effect
	// structs maps a struct's name to its fields' type texts.
	structs map[string]map[string]string
	drops   map[string]*dropInfo
	// accessors maps a type to its methods returning one of its fields
	// (`fn as_ptr(&self) -> *mut T { self.ptr.as_ptr() }`).
	accessors map[string]map[string]string
	// releasedFields are field names some release call in the file gives
	// back (`kfree(x.buf)`), found on first need.
	releasedFields map[string]bool
	root           ts.Node
}

// dropInfo is what a type's Drop does with its fields.
type dropInfo struct {
	span     facts.Span
	releases map[string][]Call
	// handed are the fields Drop gives to something other than a C call
	// (a Rust function, a method, a move out of self).
	handed map[string]bool
	// opaque: Drop releases something of self rivet cannot map to a
	// field, so any field may be released.
	opaque bool
}

// effect is the knowledge's answer for name, memoised.
func (fe *fileEnv) effect(name string) Effect {
	if e, ok := fe.effects[name]; ok {
		return e
	}
	var e Effect
	if fe.env.KB != nil {
		e = fe.env.KB.Effect(name)
	}
	fe.effects[name] = e
	return e
}

// cname returns the C function a callee node names, or "".
func (fe *fileEnv) cname(fn ts.Node) string {
	if fn.Kind() == ts.RustKindGenericFunction {
		fn = fn.Field(ts.RustFieldFunction)
	}
	var name ts.Node
	switch fn.Kind() {
	case ts.RustKindIdentifier:
		name = fn
	case ts.RustKindScopedIdentifier:
		name = fn.Field(ts.RustFieldName)
	default:
		return ""
	}
	if c, ok := fe.env.Calls[name.StartByte()]; ok {
		return c
	}
	if fn.Kind() == ts.RustKindScopedIdentifier && lastSeg(fn.Field(ts.RustFieldPath).Text()) == "bindings" {
		return name.Text()
	}
	return ""
}

// fieldType is the declared type of typ's field, or "".
func (fe *fileEnv) fieldType(typ, field string) string { return fe.structs[typ][field] }

// dropReleases reports whether typ's Drop releases field with a function
// that gives back what acquire returns.
func (fe *fileEnv) dropReleases(typ, field, acquire string) bool {
	d := fe.drops[typ]
	if d == nil || fe.env.KB == nil {
		return false
	}
	for _, c := range d.releases[field] {
		if fe.env.KB.Releases(acquire, c.Func) {
			return true
		}
	}
	return false
}

// collect reads the struct fields and field accessors of the file's
// items, then its Drop impls, before any function is interpreted.
func (fe *fileEnv) collect(items []ts.Node) {
	for _, n := range items {
		switch {
		case n.Kind() == ts.RustKindStructItem:
			fe.collectStruct(n)
		case n.Field(ts.RustFieldTrait).IsNull():
			fe.collectAccessors(n)
		}
	}
	for _, n := range items {
		if n.Kind() == ts.RustKindImplItem && lastSeg(n.Field(ts.RustFieldTrait).Text()) == "Drop" {
			fe.collectDrop(n)
		}
	}
}

// releasesField reports whether some release call in the file gives back
// a field of that name (`kfree(x.buf)`).
func (fe *fileEnv) releasesField(field string) bool {
	if fe.releasedFields == nil {
		fe.releasedFields = map[string]bool{}
		fe.root.Walk(func(n ts.Node) bool {
			if n.Kind() == ts.RustKindCallExpression {
				if f := fe.releasedField(n); f != "" {
					fe.releasedFields[f] = true
				}
			}
			return true
		})
	}
	return fe.releasedFields[field]
}

func (fe *fileEnv) collectStruct(n ts.Node) {
	fields := map[string]string{}
	body := n.Field(ts.RustFieldBody)
	i := 0
	for _, c := range body.NamedChildren() {
		switch c.Kind() {
		case ts.RustKindFieldDeclaration:
			fields[c.Field(ts.RustFieldName).Text()] = compact(c.Field(ts.RustFieldType).Text())
		case ts.RustKindVisibilityModifier, ts.RustKindAttributeItem, ts.RustKindLineComment, ts.RustKindBlockComment:
		default: // a tuple struct's field type
			fields[strconv.Itoa(i)] = compact(c.Text())
			i++
		}
	}
	fe.structs[n.Field(ts.RustFieldName).Text()] = fields
}

// collectAccessors records the methods of an inherent impl whose value is
// a field of self: a body ending in `self.f`, through casts and
// pass-through methods.
func (fe *fileEnv) collectAccessors(impl ts.Node) {
	typ := typeName(impl.Field(ts.RustFieldType))
	for _, item := range impl.Field(ts.RustFieldBody).NamedChildren() {
		if item.Kind() != ts.RustKindFunctionItem {
			continue
		}
		kids := item.Field(ts.RustFieldBody).NamedChildren()
		last := lastCode(kids)
		if last < 0 {
			continue
		}
		tail := stripPassThrough(kids[last])
		if tail.Kind() == ts.RustKindFieldExpression && tail.Field(ts.RustFieldValue).Kind() == ts.RustKindSelf {
			if fe.accessors[typ] == nil {
				fe.accessors[typ] = map[string]string{}
			}
			fe.accessors[typ][item.Field(ts.RustFieldName).Text()] = tail.Field(ts.RustFieldField).Text()
		}
	}
}

// releasedField returns the field name a release call gives back
// (`kfree(self.buf)`, `clk_put(x.clk)`), or "".
func (fe *fileEnv) releasedField(call ts.Node) string {
	name := fe.cname(call.Field(ts.RustFieldFunction))
	if name == "" {
		return ""
	}
	eff := fe.effect(name)
	args := argNodes(call)
	if !eff.Releases || eff.ReleaseArg < 0 || eff.ReleaseArg >= len(args) {
		return ""
	}
	a := stripPassThrough(args[eff.ReleaseArg])
	if a.Kind() == ts.RustKindFieldExpression {
		return a.Field(ts.RustFieldField).Text()
	}
	return ""
}

// stripPassThrough removes casts, parentheses and pass-through method
// calls around an expression.
func stripPassThrough(n ts.Node) ts.Node {
	return stripPassThroughExcept(n, func(string, ts.Node) bool { return false })
}

// stripPassThroughExcept is stripPassThrough stopping at the method calls
// keep accepts.
func stripPassThroughExcept(n ts.Node, keep func(method string, recv ts.Node) bool) ts.Node {
	for {
		switch n.Kind() {
		case ts.RustKindParenthesizedExpression:
			n = n.NamedChild(0)
		case ts.RustKindTypeCastExpression:
			n = n.Field(ts.RustFieldValue)
		case ts.RustKindCallExpression:
			fn := n.Field(ts.RustFieldFunction)
			if fn.Kind() == ts.RustKindGenericFunction {
				fn = fn.Field(ts.RustFieldFunction)
			}
			if fn.Kind() != ts.RustKindFieldExpression {
				return n
			}
			method, recv := fn.Field(ts.RustFieldField).Text(), fn.Field(ts.RustFieldValue)
			if !passThroughMethod[method] || keep(method, recv) {
				return n
			}
			n = recv
		default:
			return n
		}
	}
}

// collectDrop records which fields a Drop impl releases, and which it
// hands to something else.
func (fe *fileEnv) collectDrop(impl ts.Node) {
	typ := typeName(impl.Field(ts.RustFieldType))
	d := &dropInfo{span: spanOf(impl), releases: map[string][]Call{}, handed: map[string]bool{}}
	fe.drops[typ] = d
	impl.Field(ts.RustFieldBody).Walk(func(n ts.Node) bool {
		switch n.Kind() {
		case ts.RustKindFieldExpression:
			if n.Field(ts.RustFieldValue).Kind() == ts.RustKindSelf && fe.handsOn(n) {
				d.handed[n.Field(ts.RustFieldField).Text()] = true
			}
		case ts.RustKindCallExpression:
			name := fe.cname(n.Field(ts.RustFieldFunction))
			if name == "" {
				return true
			}
			eff := fe.effect(name)
			args := argNodes(n)
			if !eff.Releases || eff.ReleaseArg < 0 || eff.ReleaseArg >= len(args) {
				return true
			}
			switch f := fe.selfField(args[eff.ReleaseArg], typ); f {
			case "":
			case unknownField:
				d.opaque = true
			default:
				d.releases[f] = append(d.releases[f], Call{Func: name, Span: spanOf(n)})
			}
		}
		return true
	})
}

// unknownField is what selfField returns for a value derived from self in
// a way rivet cannot map to one field.
const unknownField = "?"

// handsOn reports whether Drop gives a field of self to something other
// than a C call or a null check: a Rust function or method, a binding, a
// move. Through casts and pass-through methods, a field that ends as a
// C call's argument (a release, or a call that only uses it) or as the
// receiver of is_null() is not handed on.
func (fe *fileEnv) handsOn(field ts.Node) bool {
	n := field
	for {
		parent := n.Parent()
		switch parent.Kind() {
		case ts.RustKindParenthesizedExpression, ts.RustKindTypeCastExpression, ts.RustKindReferenceExpression, ts.RustKindUnaryExpression:
			n = parent
			continue
		case ts.RustKindFieldExpression:
			call := parent.Parent()
			if call.Kind() == ts.RustKindGenericFunction {
				call = call.Parent()
			}
			method := parent.Field(ts.RustFieldField).Text()
			if call.Kind() == ts.RustKindCallExpression && (passThroughMethod[method] || method == "is_null") {
				if method == "is_null" {
					return false
				}
				n = call
				continue
			}
			return parent.Field(ts.RustFieldValue).Equal(n) && call.Kind() == ts.RustKindCallExpression
		case ts.RustKindArguments:
			return fe.cname(parent.Parent().Field(ts.RustFieldFunction)) == ""
		}
		return true
	}
}

// selfField returns the field of self an argument of Drop passes: `self.f`
// through casts, an accessor method (`self.as_ptr()`), or `self.as_raw()`
// when typ has a single field; unknownField for other values computed
// from self, "" for values not from self.
func (fe *fileEnv) selfField(arg ts.Node, typ string) string {
	a := stripPassThroughExcept(arg, func(method string, recv ts.Node) bool {
		_, ok := fe.accessors[typ][method]
		return ok && recv.Kind() == ts.RustKindSelf
	})
	if fn := a.Field(ts.RustFieldFunction); a.Kind() == ts.RustKindCallExpression &&
		fn.Kind() == ts.RustKindFieldExpression && fn.Field(ts.RustFieldValue).Kind() == ts.RustKindSelf {
		if f, ok := fe.accessors[typ][fn.Field(ts.RustFieldField).Text()]; ok {
			return f
		}
		return unknownField
	}
	switch {
	case a.Kind() == ts.RustKindFieldExpression && a.Field(ts.RustFieldValue).Kind() == ts.RustKindSelf:
		return a.Field(ts.RustFieldField).Text()
	case a.Kind() == ts.RustKindSelf:
		if fields := fe.structs[typ]; len(fields) == 1 {
			for f := range fields {
				return f
			}
		}
		return unknownField
	}
	if strings.Contains(arg.Text(), "self") {
		return unknownField
	}
	return ""
}

// typeName is a type's name without path and generics: `Foo<'a, T>` gives
// "Foo".
func typeName(t ts.Node) string { return lastSeg(t.Text()) }

// analyzeFn runs the tracker over one function or closure (nil when it
// has no body), and returns the closures and functions nested in it.
func (fe *fileEnv) analyzeFn(n ts.Node) (*Fn, []ts.Node) {
	body := n.Field(ts.RustFieldBody)
	if body.IsNull() {
		return nil, nil
	}
	fn := &Fn{Name: n.Field(ts.RustFieldName).Text(), Span: spanOf(n), Ret: compact(n.Field(ts.RustFieldReturnType).Text())}
	if impl := n.Ancestor(ts.RustKindImplItem); !impl.IsNull() {
		fn.Type = typeName(impl.Field(ts.RustFieldType))
		fn.Trait = lastSeg(impl.Field(ts.RustFieldTrait).Text())
	}
	w := &walker{file: fe, fn: fn, locals: map[string]*local{}, leaked: map[int]bool{},
		lockExits: map[int]*lockExit{}, fieldRes: map[string]int{}, params: map[string]string{}}
	st := newState()
	w.pushScope()
	w.params0(n.Field(ts.RustFieldParameters), st, n.Kind() == ts.RustKindClosureExpression)
	w.run(body, st)
	return fn, w.nested
}

// params0 binds the parameters: `&T` parameters and `&self` are borrowed,
// by-value parameters live on the stack.
func (w *walker) params0(ps ts.Node, st *state, closure bool) {
	for _, p := range ps.NamedChildren() {
		switch p.Kind() {
		case ts.RustKindSelfParameter:
			w.selfParam(compact(p.Text()), spanOf(p), st)
		case ts.RustKindParameter:
			pat := p.Field(ts.RustFieldPattern)
			typ := p.Field(ts.RustFieldType)
			if pat.Kind() == ts.RustKindSelf {
				w.selfParam("self:"+compact(typ.Text()), spanOf(p), st)
				continue
			}
			for pat.Kind() == ts.RustKindMutPattern {
				pat = lastNamed(pat)
			}
			if pat.Kind() != ts.RustKindIdentifier {
				continue
			}
			name := pat.Text()
			w.params[name] = compact(typ.Text())
			var v val
			switch {
			case typ.Kind() == ts.RustKindReferenceType && typ.FirstChildOfKind(ts.RustKindMutableSpecifier).IsNull():
				id := w.newRes(&Resource{Kind: Borrowed, Call: spanOf(p), Desc: "the `" + compact(typ.Text()) + "` parameter `" + name + "`"})
				st.set(id, resState{st: Owned})
				v = val{id}
			case typ.Kind() != ts.RustKindPointerType && typ.Kind() != ts.RustKindReferenceType && !closure:
				w.bindName(name, nil, st, &local{decl: spanOf(p), typ: compact(typ.Text()), param: true})
				continue
			}
			w.bindName(name, v, st, nil)
		case ts.RustKindIdentifier:
			w.bindName(p.Text(), nil, st, nil)
		}
	}
}

// selfParam binds self by how the method takes it. In Drop, self is the
// function's to dispose of, not a borrow.
func (w *walker) selfParam(text string, span facts.Span, st *state) {
	w.selfSpan = span
	ref := strings.HasPrefix(text, "&") || strings.HasPrefix(text, "self:&")
	switch {
	case strings.Contains(text, "Pin<") || strings.Contains(text, "Box<") || strings.Contains(text, "Arc<"):
		w.self = selfPinned
	case ref && strings.Contains(text, "mut"):
		w.self = selfMutRef
	case ref:
		w.self = selfRef
	default:
		w.self = selfValue
	}
	if w.self == selfRef && w.fn.Trait != "Drop" {
		id := w.newRes(&Resource{Kind: Borrowed, Call: span, Desc: "`&self`"})
		st.set(id, resState{st: Owned})
		st.vars["self"] = val{id}
	}
}

// refCount collects an AlwaysRefCounted impl's C calls.
func (fe *fileEnv) refCount(impl ts.Node) RefCount {
	rc := RefCount{Type: typeName(impl.Field(ts.RustFieldType)), Impl: spanOf(impl)}
	for _, item := range impl.Field(ts.RustFieldBody).NamedChildren() {
		if item.Kind() != ts.RustKindFunctionItem {
			continue
		}
		name := item.Field(ts.RustFieldName).Text()
		item.Walk(func(n ts.Node) bool {
			if n.Kind() != ts.RustKindCallExpression {
				return true
			}
			c := fe.cname(n.Field(ts.RustFieldFunction))
			if c == "" {
				return true
			}
			switch {
			case name == "inc_ref":
				rc.Inc = append(rc.Inc, Call{Func: c, Span: spanOf(n)})
			case name == "dec_ref" && fe.effect(c).Releases:
				rc.Dec = append(rc.Dec, Call{Func: c, Span: spanOf(n)})
			}
			return true
		})
	}
	return rc
}

// owners pairs each owner-type store with its type's Drop.
func (fe *fileEnv) owners(fns []*Fn) []Owner {
	var out []Owner
	seen := map[[2]int]bool{}
	for _, fn := range fns {
		for _, s := range fn.Stores {
			if s.Res.Devm || s.Res.Kind != Value {
				continue
			}
			key := [2]int{int(s.Res.Call.Start), int(s.Site.Start)}
			if seen[key] {
				continue
			}
			seen[key] = true
			o := Owner{Store: s, Ctor: fn}
			if d := fe.drops[s.Type]; d != nil {
				o.Drop = d.span
				o.Releases = d.releases[s.Field]
				o.Handled = d.handed[s.Field] || d.opaque
			} else {
				o.Handled = fe.releasesField(s.Field)
			}
			out = append(out, o)
		}
	}
	return out
}
