package lifecycle

import (
	"slices"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/rustfacts"
)

// isDrop reports whether an impl is Drop or pin-init's PinnedDrop.
func isDrop(im *facts.RImpl) bool {
	n := im.TraitName()
	return n == "Drop" || n == "PinnedDrop"
}

// firstBindingCall returns the first bindings:: call in Rust fn fi, with
// the span of its name.
func firstBindingCall(r *facts.Rust, fi int) (string, facts.Span) {
	for _, ref := range r.BindingRefs {
		if ref.Fn == fi && ref.Kind == facts.RefCall {
			return ref.Name, ref.Span
		}
	}
	return "", facts.Span{}
}

// bindingCalls returns the bindings:: calls in Rust fn fi, in order.
func bindingCalls(r *facts.Rust, fi int) []facts.RBindingRef {
	var out []facts.RBindingRef
	for _, ref := range r.BindingRefs {
		if ref.Fn == fi && ref.Kind == facts.RefCall {
			out = append(out, ref)
		}
	}
	return out
}

// callSpan is the span of the call expression whose callee is ref, or the
// reference's path when the call is not among the facts.
func callSpan(r *facts.Rust, ref facts.RBindingRef) facts.Span {
	best := facts.Span{}
	for _, c := range r.Calls {
		if !c.Method && c.Span.Covers(ref.PathSpan) && c.Span.Start == ref.PathSpan.Start {
			if best.Empty() || c.Span.End-c.Span.Start < best.End-best.Start {
				best = c.Span
			}
		}
	}
	if best.Empty() {
		return ref.PathSpan
	}
	return best
}

// mineRustWrappers finds the Rust lock types over C locks and the
// functions that move ownership between raw pointers and owners.
func (b *builder) mineRustWrappers() {
	var aliases []typeAlias
	for _, f := range b.rust {
		for _, t := range f.Rust.Types {
			if t.Kind == "type" {
				aliases = append(aliases, typeAlias{name: t.Name, target: t.Type, path: f.Path})
			}
		}
	}
	for _, f := range b.rust {
		b.lockBackends(f, aliases)
		b.dropGuards(f)
		b.transfers(f)
	}
	for _, a := range aliases {
		tn := facts.LastSegment(a.target)
		for _, t := range b.kb.transfers {
			if t.Type == tn && b.kb.transfers[a.name+"::"+t.Fn] == nil {
				cp := *t
				cp.Type = a.name
				b.kb.transfers[a.name+"::"+t.Fn] = &cp
			}
		}
	}
	for i := range builtinTransfers {
		t := builtinTransfers[i]
		key := t.Type + "::" + t.Fn
		if b.kb.transfers[key] == nil {
			t.Source = Source{Kind: Builtin, Desc: builtinTransferWhy}
			b.kb.transfers[key] = &t
		}
	}
}

// lockBackends reads `unsafe impl Backend for XBackend` (lock, unlock,
// try_lock) and the aliases that name it: `type SpinLock<T> = Lock<T,
// SpinLockBackend>`, `type SpinLockGuard<'a, T> = Guard<'a, T,
// SpinLockBackend>`.
func (b *builder) lockBackends(f *index.File, aliases []typeAlias) {
	r := f.Rust
	for i := range r.Impls {
		im := &r.Impls[i]
		if im.TraitName() != "Backend" {
			continue
		}
		l := &RustLock{Path: f.Path, Span: im.Span, Type: im.TargetName}
		for _, fi := range im.Fns {
			name, _ := firstBindingCall(r, fi)
			switch r.Fns[fi].Name {
			case "lock":
				l.Lock = name
			case "unlock":
				l.Unlock = name
			case "try_lock":
				l.TryLock = name
			}
		}
		if l.Lock == "" || l.Unlock == "" {
			continue
		}
		// Several aliases may name the backend (binder's StableMmGuard is
		// a MutexGuard): prefer the backend's own file, then the kernel
		// crate's.
		var typePath, guardPath string
		for _, a := range aliases {
			if !genericArg(a.target, im.TargetName) {
				continue
			}
			switch facts.LastSegment(a.target) {
			case "Lock":
				if l.Type == im.TargetName || aliasBetter(a.path, typePath, f.Path) {
					l.Type, typePath = a.name, a.path
				}
			case "Guard":
				if l.Guard == "" || aliasBetter(a.path, guardPath, f.Path) {
					l.Guard, guardPath = a.name, a.path
				}
			}
		}
		l.Source = Source{Kind: RustWrapper, Path: f.Path, Span: im.Span, Desc: "Backend for " + im.TargetName}
		b.addLock(l)
	}
}

// typeAlias is `type Name = Target;` in a Rust file.
type typeAlias struct {
	name, target, path string
}

// aliasBetter reports whether an alias in path beats one in than, for a
// backend defined in home.
func aliasBetter(path, than, home string) bool {
	if (path == home) != (than == home) {
		return path == home
	}
	return betterPath(path, than)
}

// dropGuards finds guard types whose Drop calls a C unlock, and the lock
// type whose method returns such a guard after calling the C lock.
func (b *builder) dropGuards(f *index.File) {
	r := f.Rust
	for i := range r.Impls {
		im := &r.Impls[i]
		if !isDrop(im) {
			continue
		}
		for _, fi := range im.Fns {
			if r.Fns[fi].Name != "drop" {
				continue
			}
			unlock, _ := firstBindingCall(r, fi)
			lock := b.lockReleasedBy(unlock)
			if lock == "" {
				continue
			}
			l := &RustLock{Guard: im.TargetName, Path: f.Path, Span: im.Span, Lock: lock, Unlock: unlock}
			l.Type = lockTypeReturning(r, im.TargetName, lock)
			l.Source = Source{Kind: RustWrapper, Path: f.Path, Span: im.Span, Desc: "Drop for " + im.TargetName + " calls " + unlock}
			b.addLock(l)
		}
	}
}

// lockReleasedBy returns the plain lock function unlock releases, or "".
func (b *builder) lockReleasedBy(unlock string) string {
	if unlock == "" {
		return ""
	}
	for _, a := range b.knownAcquires(unlock) {
		for _, pc := range b.claimsOf(a) {
			if pc.Kind == Lock && pc.cond == Always && pc.ReleasedBy(unlock) {
				return a
			}
		}
	}
	return ""
}

// lockTypeReturning finds the impl whose method returns guard after
// calling lock (`fn lock(&self) -> Guard<'_, T>`), and returns its type.
func lockTypeReturning(r *facts.Rust, guard, lock string) string {
	for i := range r.Fns {
		fn := &r.Fns[i]
		if fn.Impl < 0 || !mentionsType(fn.Ret, guard) {
			continue
		}
		for _, ref := range bindingCalls(r, i) {
			if ref.Name == lock {
				return r.Impls[fn.Impl].TargetName
			}
		}
	}
	return ""
}

// addLock records a Rust lock and the C pair it wraps.
func (b *builder) addLock(l *RustLock) {
	b.kb.locks = append(b.kb.locks, l)
	for _, acq := range []struct {
		name string
		cond Cond
	}{{l.Lock, Always}, {l.TryLock, IfNonZero}} {
		if acq.name == "" {
			continue
		}
		acqArg, relArg, _ := lockArgs(b.sigOf(acq.name), b.sigOf(l.Unlock))
		b.addPair(&pairClaim{
			Pair:       Pair{Acquire: acq.name, Releases: []string{l.Unlock}, Kind: Lock, Source: l.Source},
			acquireArg: acqArg, cond: acq.cond, releaseArg: map[string]int{l.Unlock: relArg},
		})
	}
}

// sigOf is the declaration of the C function name, or nil.
func (b *builder) sigOf(name string) *facts.CFunc {
	if f := b.funcs[name]; f != nil {
		return f.sig()
	}
	return nil
}

// transfers finds the functions that move ownership: an unsafe `from_*`
// taking a raw pointer and returning Self (ARef::from_raw,
// KBox::from_raw, from_foreign) and an `into_*` consuming Self and
// returning a raw pointer (into_raw, into_foreign). ForeignOwnable's
// methods are keyed by name alone, as trait methods are called.
func (b *builder) transfers(f *index.File) {
	r := f.Rust
	for i := range r.Fns {
		fn := &r.Fns[i]
		owner, trait := "", ""
		switch {
		case fn.Impl >= 0:
			im := &r.Impls[fn.Impl]
			owner, trait = im.TargetName, im.TraitName()
		case fn.Trait >= 0:
			trait = r.Types[fn.Trait].Name
		default:
			continue
		}
		takes := strings.HasPrefix(fn.Name, "from_") && fn.Unsafe && strings.TrimSpace(fn.Ret) == "Self" && rawParam(fn)
		gives := strings.HasPrefix(fn.Name, "into_") && consumesSelf(fn) && isRawPointer(fn.Ret)
		if !takes && !gives {
			continue
		}
		key := owner + "::" + fn.Name
		if trait == "ForeignOwnable" {
			key, owner = "::"+fn.Name, ""
		} else if trait != "" {
			continue
		}
		if b.kb.transfers[key] != nil {
			continue
		}
		b.kb.transfers[key] = &Transfer{
			Type: owner, Fn: fn.Name, Takes: takes,
			Source: Source{Kind: RustWrapper, Path: f.Path, Span: fn.NameSpan, Desc: strings.TrimPrefix(key, "::")},
		}
	}
}

func rawParam(fn *facts.RFn) bool {
	for _, p := range fn.Params {
		if isRawPointer(p.Type) {
			return true
		}
	}
	return false
}

func isRawPointer(t string) bool {
	t = strings.TrimSpace(t)
	return strings.HasPrefix(t, "*mut") || strings.HasPrefix(t, "*const") || strings.HasPrefix(facts.LastSegment(t), "NonNull")
}

func consumesSelf(fn *facts.RFn) bool {
	if len(fn.Params) == 0 {
		return false
	}
	p := fn.Params[0]
	t := strings.TrimSpace(p.Type)
	return p.Name == "self" && (t == "" || t == "Self") || t == "Self"
}

// mineRefCounts reads every AlwaysRefCounted impl. Its inc/dec pair is
// learned unless it contradicts the C side (conflict).
func (b *builder) mineRefCounts() {
	for _, f := range b.rust {
		for _, p := range rustfacts.AlwaysRefCountedPairs(f.Rust) {
			im := &f.Rust.Impls[p.Impl]
			rc := &RefCount{Type: p.Type, Path: f.Path, Impl: im.Span, Inc: p.Inc, Dec: p.Dec, IncSpan: p.IncSpan, DecSpan: p.DecSpan}
			b.kb.refs = append(b.kb.refs, rc)
			if p.Inc == "" || p.Dec == "" {
				continue
			}
			if rc.Conflict = b.conflict(p.Inc, p.Dec); rc.Conflict != "" {
				continue
			}
			pc := b.learnedPair(p.Inc, p.Dec, Ref, Source{Kind: RustRefCounted, Path: f.Path, Span: im.Span, Desc: "AlwaysRefCounted for " + p.Type})
			pc.Kind = Ref
			if f := b.funcs[p.Inc]; f != nil && f.sig() != nil && !returnsPointer(f.sig()) {
				pc.acquireArg = max(pointerParam(f.sig(), ""), 0) // an in-place count: refcount_inc(&x->ref)
			}
			pc.releaseArg = map[string]int{p.Dec: 0}
			b.addPair(pc)
			rc.Pair = &pc.Pair
		}
	}
}

// mineOwners finds owner types: a struct whose constructor (an inherent
// fn returning Self, Result<Self>, Result<ARef<Self>>, Pin<KBox<Self>>...)
// calls a C acquire returning `T *` while the struct has a field naming
// bindings::T, and whose Drop calls a C function taking that field's type.
func (b *builder) mineOwners() {
	for _, f := range b.rust {
		r := f.Rust
		for ti := range r.Types {
			t := &r.Types[ti]
			if t.Kind != "struct" {
				continue
			}
			b.kb.owners = append(b.kb.owners, b.ownersOf(f, t)...)
		}
	}
}

// ownersOf returns the owner records of struct t, one per field holding a
// C resource.
func (b *builder) ownersOf(f *index.File, t *facts.RType) []*Owner {
	r := f.Rust
	var ctors []int
	drop := -1
	for i := range r.Fns {
		fn := &r.Fns[i]
		if fn.Impl < 0 || r.Impls[fn.Impl].TargetName != t.Name {
			continue
		}
		im := &r.Impls[fn.Impl]
		switch {
		case im.Trait == "" && returnsSelf(fn.Ret, t.Name):
			ctors = append(ctors, i)
		case isDrop(im) && fn.Name == "drop":
			drop = i
		}
	}
	if len(ctors) == 0 {
		return nil
	}
	byField := map[string]*Owner{}
	var order []string
	for _, ci := range ctors {
		for _, ref := range bindingCalls(r, ci) {
			typ := b.ownedType(ref.Name)
			if typ == "" {
				continue
			}
			field := fieldOf(t, typ)
			if field == "" {
				continue
			}
			o := byField[field]
			if o == nil {
				o = &Owner{Type: t.Name, Path: f.Path, Span: t.Span, Field: field, Acquire: ref.Name}
				byField[field] = o
				order = append(order, field)
			}
			if o.Acquire != ref.Name {
				continue // another acquire into the same field: keep the first
			}
			o.AcquireSpans = append(o.AcquireSpans, callSpan(r, ref))
			if len(o.Ctors) == 0 || o.Ctors[len(o.Ctors)-1] != r.Fns[ci].Span {
				o.Ctors = append(o.Ctors, r.Fns[ci].Span)
			}
		}
	}
	var out []*Owner
	for _, field := range order {
		o := byField[field]
		known := b.acquiresReturn(o.Acquire)
		if drop >= 0 {
			o.Drop = r.Fns[drop].Span
			b.ownerRelease(o, r, drop)
		}
		if !known && len(o.Releases) == 0 {
			continue // nothing says the field owns anything
		}
		out = append(out, o)
	}
	return out
}

// ownedType is the pointee of what acquire returns, when it returns a
// pointer the caller owns: a known acquire, or an unknown function
// returning a struct pointer (the owner type may be what teaches the
// pair).
func (b *builder) ownedType(acquire string) string {
	f := b.funcs[acquire]
	if f == nil || f.sig() == nil || !returnsPointer(f.sig()) {
		return ""
	}
	c := b.claims[acquire]
	if c != nil && (len(c.borrowed) > 0 || len(c.devm) > 0) {
		return ""
	}
	typ := base(f.sig().Return)
	if typ == "void" || typ == "" || strings.HasPrefix(typ, "*") {
		return ""
	}
	if b.acquiresReturn(acquire) || c == nil || len(c.acquires) == 0 {
		return typ
	}
	return ""
}

// ownerRelease picks the Drop call that releases o's field: one known to
// pair with the acquire, else the only call taking the field's type, which
// then teaches the pair unless it contradicts the C side.
func (b *builder) ownerRelease(o *Owner, r *facts.Rust, drop int) {
	typ := b.ownedType(o.Acquire)
	var spans []facts.Span
	for _, ref := range bindingCalls(r, drop) {
		if !b.mayRelease(ref.Name, o.Acquire, typ) {
			continue
		}
		if !slices.Contains(o.Releases, ref.Name) {
			o.Releases = append(o.Releases, ref.Name)
			spans = append(spans, callSpan(r, ref))
		}
	}
	for i, rel := range o.Releases {
		if b.pairsWithKnown(o.Acquire, rel) {
			o.Release, o.ReleaseSpan, o.Paired = rel, spans[i], true
			b.ownerPair(o)
			return
		}
	}
	if len(o.Releases) != 1 {
		return // none, or ambiguous (clk_unprepare and clk_put both take a clk)
	}
	o.Release, o.ReleaseSpan = o.Releases[0], spans[0]
	if o.Conflict = b.conflict(o.Acquire, o.Release); o.Conflict == "" {
		o.Paired = true
		b.ownerPair(o)
	}
}

// mayRelease reports whether a call in a Drop may release an owner's
// field of type typ: it takes a typ pointer, or it is a release of some
// family taking any object (kfree), or it is known to release acquire.
func (b *builder) mayRelease(fn, acquire, typ string) bool {
	if b.pairsWithKnown(acquire, fn) {
		return true
	}
	f := b.funcs[fn]
	if f == nil || f.sig() == nil {
		return false
	}
	if pointerParam(f.sig(), typ) >= 0 {
		return true
	}
	return len(b.knownAcquires(fn)) > 0 && pointerParam(f.sig(), "void") >= 0
}

// ownerPair records the pair an owner type teaches (or confirms).
func (b *builder) ownerPair(o *Owner) {
	pc := b.learnedPair(o.Acquire, o.Release, Alloc, Source{
		Kind: RustOwner, Path: o.Path, Span: o.Span, Desc: "owner type " + o.Type + " (field " + o.Field + ")",
	})
	pc.releaseArg = map[string]int{o.Release: b.releaseArgOf(o.Release, b.ownedType(o.Acquire))}
	b.addPair(pc)
}

// returnsSelf reports whether a return type gives an owned Self (or the
// type by name): Self, Result<Self>, Option<Self>, Result<ARef<Self>>,
// Pin<KBox<Self>>, impl PinInit<Self, Error>; not &Self or *mut Self.
func returnsSelf(ret, typeName string) bool {
	ret = strings.TrimSpace(ret)
	if ret == "" || strings.HasPrefix(ret, "&") || strings.HasPrefix(ret, "*") {
		return false
	}
	for _, name := range []string{"Self", typeName} {
		for _, w := range rustWords(ret) {
			if w.text == name && !w.borrowed {
				return true
			}
		}
	}
	return false
}

type rustWord struct {
	text     string
	borrowed bool // preceded by & or a raw pointer marker
}

// rustWords splits a type text into identifiers, noting those behind a
// reference or raw pointer.
func rustWords(t string) []rustWord {
	var out []rustWord
	borrowed := false
	for i := 0; i < len(t); {
		c := t[i]
		switch {
		case c == '&' || c == '*':
			borrowed = true
			i++
		case isIdentRune(rune(c)):
			j := i
			for j < len(t) && isIdentRune(rune(t[j])) {
				j++
			}
			w := t[i:j]
			out = append(out, rustWord{text: w, borrowed: borrowed})
			if w != "mut" && w != "const" && w != "dyn" && !strings.HasPrefix(w, "'") {
				borrowed = false
			}
			i = j
		case c == '\'':
			for i++; i < len(t) && isIdentRune(rune(t[i])); i++ {
			}
		default:
			if c == ',' || c == '<' || c == '>' || c == '(' {
				borrowed = false
			}
			i++
		}
	}
	return out
}

// fieldOf returns the field of t that points to a bindings::typ: `*mut
// bindings::typ`, `NonNull<bindings::typ>`. A field embedding the C object
// (`Opaque<bindings::typ>`) makes t the object itself, not its owner.
func fieldOf(t *facts.RType, typ string) string {
	path := "bindings::" + typ
	for _, fl := range t.Fields {
		for rest := fl.Type; ; {
			i := strings.Index(rest, path)
			if i < 0 {
				break
			}
			before := rest[:i]
			rest = rest[i+len(path):]
			if rest != "" && isIdentRune(rune(rest[0])) {
				continue
			}
			if strings.Contains(before, "*") || strings.Contains(before, "NonNull") {
				return fl.Name
			}
		}
	}
	return ""
}

// genericArg reports whether name is one of the generic arguments of the
// type text t ("Lock<T, SpinLockBackend>").
func genericArg(t, name string) bool {
	i := strings.IndexByte(t, '<')
	if i < 0 {
		return false
	}
	for _, w := range rustWords(t[i:]) {
		if w.text == name {
			return true
		}
	}
	return false
}

// mentionsType reports whether the type text t names typ.
func mentionsType(t, typ string) bool {
	for _, w := range rustWords(t) {
		if w.text == typ {
			return true
		}
	}
	return false
}
