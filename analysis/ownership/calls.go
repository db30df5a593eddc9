package ownership

import (
	"regexp"
	"strconv"
	"strings"

	ts "github.com/rivet-lsp/rivet/treesitter"
)

// passThroughMethod are methods whose result is their receiver, as far as
// ownership goes: casts and unwrapping.
var passThroughMethod = map[string]bool{
	"cast": true, "cast_mut": true, "cast_const": true,
	"as_ptr": true, "as_mut_ptr": true, "as_raw": true,
	"unwrap": true, "expect": true, "unwrap_unchecked": true,
	"ok_or": true, "ok_or_else": true, "get": true,
}

// ownerTypes are the kernel crate's types whose from_raw takes over one
// reference or allocation and releases it when dropped. They stand in for
// the knowledge base's answer in trees without the kernel crate (an
// out-of-tree module's workspace).
var ownerTypes = map[string]bool{
	"ARef": true, "KBox": true, "KVBox": true, "VBox": true, "Box": true,
	"Arc": true, "UniqueArc": true, "Owned": true, "ListArc": true,
}

// passThroughCall reports whether a call of path returns its (only)
// argument, as far as ownership goes.
func passThroughCall(path string) bool {
	switch lastSeg(path) {
	case "Some", "Ok", "from_err_ptr":
		return true
	case "new", "new_unchecked":
		return secondLastSeg(path) == "NonNull"
	}
	return false
}

// isOwnerWrapper reports whether a call of path takes ownership of its
// argument for good: ARef::from_raw, KBox::from_raw, T::from_foreign.
func (fe *fileEnv) isOwnerWrapper(path string) bool {
	typ, fn := secondLastSeg(path), lastSeg(path)
	if fe.env.KB != nil && fe.env.KB.TakesOwnership(typ, fn) {
		return true
	}
	switch fn {
	case "from_raw":
		return ownerTypes[typ]
	case "from_foreign":
		return true
	}
	return false
}

func secondLastSeg(path string) string {
	segs := strings.Split(stripGenerics(path), "::")
	if len(segs) < 2 {
		return ""
	}
	return segs[len(segs)-2]
}

// stripGenerics removes generic arguments: `KBox::<T>::from_raw` gives
// `KBox::::from_raw` cleaned to `KBox::from_raw`.
func stripGenerics(path string) string {
	var b strings.Builder
	depth := 0
	for _, r := range path {
		switch {
		case r == '<':
			depth++
		case r == '>' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return strings.ReplaceAll(b.String(), "::::", "::")
}

// pathOf is the callee path of a call, without whitespace and generics,
// or "" when the callee is not a path.
func pathOf(fn ts.Node) string {
	switch fn.Kind() {
	case ts.RustKindIdentifier, ts.RustKindScopedIdentifier:
		return stripGenerics(compact(fn.Text()))
	case ts.RustKindGenericFunction:
		return pathOf(fn.Field(ts.RustFieldFunction))
	}
	return ""
}

// argNodes are a call's argument expressions, comments left out.
func argNodes(call ts.Node) []ts.Node {
	var out []ts.Node
	for _, a := range call.Field(ts.RustFieldArguments).NamedChildren() {
		if a.IsExtra() || a.Kind() == ts.RustKindAttributeItem {
			continue
		}
		out = append(out, a)
	}
	return out
}

// call interprets a call expression.
func (w *walker) call(n ts.Node, st *state) val {
	fn := n.Field(ts.RustFieldFunction)
	args := argNodes(n)
	if name := w.file.cname(fn); name != "" {
		return w.cCall(n, name, args, st)
	}
	callee := fn
	if callee.Kind() == ts.RustKindGenericFunction {
		callee = callee.Field(ts.RustFieldFunction)
	}
	if callee.Kind() == ts.RustKindFieldExpression {
		return w.methodCall(n, callee, args, st)
	}
	if callee.Kind() != ts.RustKindIdentifier && callee.Kind() != ts.RustKindScopedIdentifier {
		w.expr(callee, st) // a call through a function pointer
	}
	return w.pathCall(n, pathOf(callee), args, st)
}

// evalArgs interprets the arguments in order.
func (w *walker) evalArgs(args []ts.Node, st *state) []val {
	vals := make([]val, len(args))
	for i, a := range args {
		vals[i] = w.expr(a, st)
	}
	return vals
}

// escape ends the tracking of the values and guards in v (borrowed
// pointers stay borrowed wherever they go).
func (w *walker) escape(v val, st *state) {
	for _, id := range v {
		if w.fn.Resources[id].Kind != Borrowed {
			st.setStatus(val{id}, Escaped)
		}
	}
}

// escapeByValue ends the tracking of what is passed by value to a Rust
// function: it may take ownership. `&x` only lends x.
func (w *walker) escapeByValue(args []ts.Node, vals []val, st *state) {
	for i, a := range args {
		if a.Kind() != ts.RustKindReferenceExpression {
			w.escape(vals[i], st)
		}
	}
}

// cCall interprets a call of C function name through bindings.
func (w *walker) cCall(n ts.Node, name string, args []ts.Node, st *state) val {
	eff := w.file.effect(name)
	vals := w.evalArgs(args, st)
	if st.dead {
		return nil
	}
	w.checkSleep(n, name, true, eff.MaySleep, args, st)
	for _, k := range eff.Keeps {
		if k >= 0 && k < len(args) {
			w.keep(n, name, k, args[k])
		}
	}
	if eff.Releases || eff.LeavesAtomic {
		w.release(n, name, eff, args, vals, st)
	}
	call := spanOf(n)
	switch {
	case eff.Acquire == AcquireLock || eff.EntersAtomic && eff.Acquire == AcquireNone:
		key := lockKey(eff.LockArg, eff.Section, args)
		id := w.newRes(&Resource{Kind: Lock, Func: name, Call: call, Key: key, Atomic: eff.EntersAtomic})
		st.set(id, resState{st: Owned})
		return nil
	case eff.Acquire == AcquireValue || eff.Devm:
		id := w.newRes(&Resource{Kind: Value, Func: name, Call: call, Devm: eff.Devm})
		st.set(id, resState{st: Owned})
		return val{id}
	case eff.Borrowed:
		id := w.newRes(&Resource{Kind: Borrowed, Func: name, Call: call,
			Desc: "the pointer " + name + "() returns, which the caller does not own"})
		st.set(id, resState{st: Owned})
		return val{id}
	}
	return nil
}

// lockKey names the lock a call takes or releases: the argument's text
// without the address-of and cast noise, or the section for lockless
// sections (rcu_read_lock).
func lockKey(arg int, section string, args []ts.Node) string {
	if arg < 0 || arg >= len(args) {
		return "#" + section
	}
	k := compact(args[arg].Text())
	for _, p := range []string{"&rawmut", "&rawconst", "&mut", "&"} {
		k = strings.TrimPrefix(k, p)
	}
	for _, s := range []string{".get()", ".cast()", ".as_ptr()", ".as_raw()"} {
		k = strings.TrimSuffix(k, s)
	}
	return k
}

// release interprets a release call: each resource it gives back is
// recorded with the state it was in.
func (w *walker) release(n ts.Node, name string, eff Effect, args []ts.Node, vals []val, st *state) {
	if eff.ReleasesLock || eff.LeavesAtomic && !eff.Releases {
		key := lockKey(eff.ReleaseArg, eff.Section, args)
		for id := len(w.fn.Resources) - 1; id >= 0; id-- {
			if r := w.fn.Resources[id]; r.Kind == Lock && r.Key == key {
				w.recordRelease(id, name, n, st)
				return
			}
		}
		return // the caller's lock
	}
	if eff.ReleaseArg < 0 || eff.ReleaseArg >= len(vals) {
		return
	}
	for _, id := range vals[eff.ReleaseArg] {
		switch w.fn.Resources[id].Kind {
		case Value, Borrowed:
			w.recordRelease(id, name, n, st)
		}
	}
}

func (w *walker) recordRelease(id int, name string, n ts.Node, st *state) {
	rs := st.get(id)
	w.fn.Releases = append(w.fn.Releases, Release{
		Res: w.fn.Resources[id], Func: name, Call: spanOf(n),
		Prior: rs.st, PrevRelease: rs.rel, Owner: rs.own, OwnerDesc: rs.ownDesc,
	})
	rs.st, rs.rel = Released, spanOf(n)
	st.set(id, rs)
}

// methodCall interprets recv.method(args).
func (w *walker) methodCall(n, callee ts.Node, args []ts.Node, st *state) val {
	recv := callee.Field(ts.RustFieldValue)
	method := callee.Field(ts.RustFieldField).Text()
	rv := w.expr(recv, st)
	vals := w.evalArgs(args, st)
	if st.dead {
		return nil
	}
	w.checkSleep(n, compact(callee.Text()), false, false, args, st)
	switch {
	case passThroughMethod[method]:
		w.escapeByValue(args, vals, st)
		return rv
	case method == "lock" && w.file.atomicLock(w.typeOf(recv)):
		id := w.newRes(&Resource{Kind: Guard, Call: spanOf(n), Key: compact(recv.Text()), Atomic: true})
		st.set(id, resState{st: Owned})
		return val{id}
	case strings.HasPrefix(method, "into"):
		w.escape(rv, st)
	}
	w.escapeByValue(args, vals, st)
	return nil
}

// pathCall interprets a call of a Rust function by path.
func (w *walker) pathCall(n ts.Node, path string, args []ts.Node, st *state) val {
	vals := w.evalArgs(args, st)
	if st.dead {
		return nil
	}
	w.checkSleep(n, path, false, false, args, st)
	last := lastSeg(path)
	switch {
	case (path == "drop" || strings.HasSuffix(path, "mem::drop")) && len(vals) == 1:
		for _, id := range vals[0] {
			if w.fn.Resources[id].Kind == Guard {
				st.setStatus(val{id}, Released)
			}
		}
		return nil
	case passThroughCall(path) && len(vals) == 1:
		return vals[0]
	case w.file.isOwnerWrapper(path) && len(vals) >= 1:
		for _, id := range vals[0] {
			rs := st.get(id)
			if w.fn.Resources[id].Kind != Value || !rs.st.Has(Owned) {
				continue
			}
			rs.st = rs.st&^Owned | HandedToOwner
			rs.own, rs.ownDesc = spanOf(n), path
			st.set(id, rs)
		}
		return nil
	case w.fn.Type != "" && (last == "Self" || last == w.fn.Type):
		for i, v := range vals {
			w.store(v, strconv.Itoa(i), spanOf(args[i]), st)
		}
		return nil
	case strings.HasSuffix(path, "rcu::read_lock") || strings.HasSuffix(path, "rcu::Guard::new"):
		id := w.newRes(&Resource{Kind: Guard, Call: spanOf(n), Key: "rcu", Atomic: true})
		st.set(id, resState{st: Owned})
		return val{id}
	}
	w.escapeByValue(args, vals, st)
	return nil
}

// atomicLock reports whether a lock type's guard makes the context
// atomic: the first lock type the type text names decides (`Arc<SpinLock<T>>`
// is a SpinLock). Without knowledge, SpinLock types are.
func (fe *fileEnv) atomicLock(typ string) bool {
	for _, name := range strings.FieldsFunc(typ, func(r rune) bool { return !isIdentRune(r) }) {
		if fe.env.KB == nil {
			break
		}
		if isLock, atomic := fe.env.KB.LockType(name); isLock {
			return atomic
		}
	}
	return strings.Contains(typ, "SpinLock")
}

func isIdentRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// typeOf is the declared type of a receiver expression, when the file
// says: a parameter, a typed local, or a field of self.
func (w *walker) typeOf(n ts.Node) string {
	switch n.Kind() {
	case ts.RustKindIdentifier:
		if l := w.locals[n.Text()]; l != nil {
			return l.typ
		}
		return w.params[n.Text()]
	case ts.RustKindFieldExpression:
		if n.Field(ts.RustFieldValue).Kind() == ts.RustKindSelf {
			return w.file.fieldType(w.fn.Type, n.Field(ts.RustFieldField).Text())
		}
	case ts.RustKindReferenceExpression, ts.RustKindParenthesizedExpression:
		return w.typeOf(lastNamed(n))
	}
	return ""
}

// Sleeping and non-sleeping allocation flags. An atomic flag wins: the
// allocation then does not sleep whatever else the call does.
var (
	sleepingGFP = map[string]bool{
		"GFP_KERNEL": true, "GFP_KERNEL_ACCOUNT": true, "GFP_NOFS": true, "GFP_NOIO": true,
		"GFP_USER": true, "GFP_HIGHUSER": true, "GFP_HIGHUSER_MOVABLE": true, "__GFP_DIRECT_RECLAIM": true,
	}
	atomicGFP = map[string]bool{"GFP_ATOMIC": true, "GFP_NOWAIT": true}
)

// gfpOf returns the GFP flag the arguments pass and whether it may sleep.
func gfpOf(args []ts.Node) (flag string, sleeps bool) {
	for _, a := range args {
		a.Walk(func(n ts.Node) bool {
			if n.Kind() != ts.RustKindIdentifier {
				return true
			}
			switch t := n.Text(); {
			case atomicGFP[t]:
				flag, sleeps = t, false
				return false
			case sleepingGFP[t] && flag == "":
				flag, sleeps = t, true
			}
			return true
		})
		if flag != "" && !sleeps {
			return flag, false
		}
	}
	return flag, sleeps
}

// checkSleep records a call that may sleep (a C function the knowledge
// says sleeps, or any call passing a sleeping GFP flag) made while an
// atomic section is held on every path.
func (w *walker) checkSleep(n ts.Node, callee string, isC, maySleep bool, args []ts.Node, st *state) {
	var flag string
	var flagSleeps bool
	if strings.Contains(n.Text(), "GFP_") {
		flag, flagSleeps = gfpOf(args)
	}
	var why string
	switch {
	case flag != "" && !flagSleeps:
		return
	case flag != "":
		why = flag
	case isC && maySleep:
	default:
		return
	}
	var held []*Resource
	for id, r := range w.fn.Resources {
		if r.Atomic && (r.Kind == Lock || r.Kind == Guard) && st.get(id).st == Owned {
			held = append(held, r)
		}
	}
	if len(held) == 0 {
		return
	}
	w.fn.Sleeps = append(w.fn.Sleeps, Sleep{Call: spanOf(n), Func: callee, C: isC, GFP: why, Held: held})
}

// Macros that never return, and macros that only read their arguments.
var (
	panicMacros     = map[string]bool{"panic": true, "unreachable": true, "todo": true, "unimplemented": true}
	readingPrefixes = []string{"pr_", "dev_", "print", "eprint", "format", "write", "assert", "debug_assert", "warn", "build_assert", "kunit_assert", "c_str"}
)

// macro interprets a macro invocation: its tokens are not parsed, so
// whatever it mentions stops being followed, unless the macro only reads
// (printing, assertions) or never returns (panic!).
func (w *walker) macro(n ts.Node, st *state) val {
	name := lastSeg(n.Field(ts.RustFieldMacro).Text())
	if panicMacros[name] {
		st.dead = true
		return nil
	}
	for _, p := range readingPrefixes {
		if strings.HasPrefix(name, p) {
			return nil
		}
	}
	if name == "addr_of" || name == "addr_of_mut" {
		return nil
	}
	w.capture(n, st)
	return nil
}

var placeRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$`)

// addressPlace returns the place an argument takes the address of
// (`&mut x.f`, `&raw mut x`, `addr_of_mut!(x)`, through casts and
// ptr::from_mut), as a dotted path, or "" when the argument is not the
// address of a named place.
func addressPlace(arg ts.Node) string {
	for {
		switch arg.Kind() {
		case ts.RustKindParenthesizedExpression:
			arg = arg.NamedChild(0)
			continue
		case ts.RustKindTypeCastExpression:
			arg = arg.Field(ts.RustFieldValue)
			continue
		case ts.RustKindCallExpression:
			fn := arg.Field(ts.RustFieldFunction)
			if fn.Kind() == ts.RustKindGenericFunction {
				fn = fn.Field(ts.RustFieldFunction)
			}
			if fn.Kind() == ts.RustKindFieldExpression {
				switch fn.Field(ts.RustFieldField).Text() {
				case "cast", "cast_mut", "cast_const":
					arg = fn.Field(ts.RustFieldValue)
					continue
				}
				return ""
			}
			switch lastSeg(pathOf(fn)) {
			case "from_mut", "from_ref":
				if a := argNodes(arg); len(a) == 1 {
					arg = a[0]
					continue
				}
			}
			return ""
		case ts.RustKindReferenceExpression:
			return place(compact(lastNamed(arg).Text()))
		case ts.RustKindMacroInvocation:
			switch lastSeg(arg.Field(ts.RustFieldMacro).Text()) {
			case "addr_of", "addr_of_mut":
				tt := compact(arg.FirstChildOfKind(ts.RustKindTokenTree).Text())
				return place(strings.TrimSuffix(strings.TrimPrefix(tt, "("), ")"))
			}
		}
		return ""
	}
}

func place(s string) string {
	if placeRE.MatchString(s) {
		return s
	}
	return ""
}

// keep records a pointer to movable memory passed as argument i of a C
// function that keeps it: a stack local, a by-value parameter, or a field
// of a self that is not pinned.
func (w *walker) keep(n ts.Node, name string, i int, arg ts.Node) {
	p := addressPlace(arg)
	if p == "" {
		return
	}
	root, _, _ := strings.Cut(p, ".")
	k := Keep{Call: spanOf(n), Func: name, Arg: i, ArgSpan: spanOf(arg)}
	if root == "self" {
		switch w.self {
		case selfMutRef:
			k.What = "`" + p + "`, in a `self` that is not pinned (`&mut self`) and may move after the call"
		case selfValue:
			k.What = "`" + p + "`, in a `self` passed by value, which dies when the function returns"
		default:
			return
		}
		k.Decl = w.selfSpan
	} else {
		l := w.locals[root]
		if l == nil || !onStack(l) {
			return
		}
		kind := "stack local"
		if l.param {
			kind = "parameter"
		}
		k.What = kind + " `" + p + "`, which dies when the function returns"
		k.Decl = l.decl
	}
	w.fn.Keeps = append(w.fn.Keeps, k)
}

// onStack reports whether a local surely holds its value inline — not a
// pointer, reference or smart pointer, through which a field access would
// leave the stack: its declared type says so, or without one, its
// initialiser builds a value in place (a struct literal, zeroed(),
// default()).
func onStack(l *local) bool {
	if l.typ != "" {
		if strings.ContainsAny(l.typ, "&*") {
			return false
		}
		for _, p := range []string{"Box", "Pin", "Arc", "ARef", "Vec", "Ref<", "Owned", "NonNull"} {
			if strings.Contains(l.typ, p) {
				return false
			}
		}
		return true
	}
	return inPlaceRE.MatchString(compact(l.init))
}

// inPlaceRE matches initialisers that build a value on the stack.
var inPlaceRE = regexp.MustCompile(`^(unsafe\{)?([A-Z][A-Za-z0-9_]*(::[A-Za-z0-9_]+)*\{|([A-Za-z0-9_]+::)*(zeroed|default|uninit)\(\))`)
