package lifecycle

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// universe is every C name the KB reasons about: the functions with
// tree-sitter facts, the names Rust reaches (bindings:: and extern
// blocks) and the configured ones, sorted.
func (b *builder) universe() []string {
	if b.names != nil {
		return b.names
	}
	seen := make(map[string]bool, len(b.funcs))
	for name := range b.funcs {
		seen[name] = true
	}
	b.snap.BindingNames(func(name string, _ []index.RustRef) bool {
		seen[name] = true
		return true
	})
	for _, s := range b.snap.ExternSymbols() {
		seen[s] = true
	}
	for _, a := range b.aliases {
		seen[a.target] = true
	}
	lc := b.cfg.Lifecycle
	for _, p := range lc.Pairs {
		seen[p.Acquire], seen[p.Release] = true, true
	}
	for _, list := range [][]string{lc.Borrowed, lc.Sleeping, lc.Atomic} {
		for _, n := range list {
			seen[n] = true
		}
	}
	delete(seen, "")
	b.names = make([]string, 0, len(seen))
	for n := range seen {
		b.names = append(b.names, n)
	}
	sort.Strings(b.names)
	return b.names
}

// mineAnnotations reads the sparse context annotations of every function
// with facts: __acquires and __cond_acquires take a lock, __releases
// gives it back, __must_hold documents a precondition.
func (b *builder) mineAnnotations() {
	for _, name := range b.universe() {
		f := b.funcs[name]
		if f == nil {
			continue
		}
		sig := f.sig()
		f.attrs(func(a facts.Annotation, path string) {
			src := Source{Kind: CAnnotation, Path: path, Span: a.Span, Desc: a.Name + "(" + a.Args + ")"}
			switch a.Name {
			case facts.AttrAcquires:
				b.annotatedLock(name, sig, a.Args, Always, src)
			case facts.AttrCondAcquires:
				cond, lock := condOf(a.Args)
				b.annotatedLock(name, sig, lock, cond, src)
			case facts.AttrReleases:
				c := b.claim(name)
				if atomicLockTypes[lockParamType(sig, paramNamed(sig, a.Args))] {
					c.leaves = append(c.leaves, src)
				} else {
					c.notes = append(c.notes, src)
				}
			case facts.AttrMustHold:
				src.Desc = "the caller must hold " + a.Args + " (__must_hold)"
				b.claim(name).notes = append(b.claim(name).notes, src)
			}
		})
	}
}

// condOf splits `__cond_acquires(ret, lock)` into when it acquires and
// the lock: "0" and "false" mean on a zero return, "true", "nonzero" and
// "nonnull" on a non-zero one; a single argument is the older form, true
// on success.
func condOf(args string) (Cond, string) {
	parts := strings.SplitN(args, ",", 2)
	if len(parts) < 2 {
		return IfNonZero, args
	}
	lock := strings.TrimSpace(parts[1])
	switch strings.TrimSpace(parts[0]) {
	case "0", "false":
		return IfZero, lock
	}
	return IfNonZero, lock
}

// annotatedLock records a lock taken by an annotated function: atomic or
// sleeping by the lock's type, paired with the unlock its name implies
// (spin_lock_irqsave: spin_unlock_irqrestore) or, failing that, the one
// __releases function of the same file taking the same lock type.
func (b *builder) annotatedLock(name string, sig *facts.CFunc, lock string, cond Cond, src Source) {
	arg := ArgNone
	if sig != nil {
		if i := paramNamed(sig, lock); i >= 0 {
			arg = i
		}
	}
	typ := lockParamType(sig, arg)
	atomic := atomicLockTypes[typ] || atomicLockStems[lockStem(name)]
	sleeps := sleepingLockTypes[typ]
	c := b.claim(name)
	if atomic {
		c.enters = append(c.enters, src)
	}
	if sleeps && !strings.Contains(name, "trylock") {
		c.sleeps = append(c.sleeps, sleepClaim{src: src, what: "takes a sleeping lock"})
	}
	release := b.lockPartner(name)
	if release == "" {
		release = b.releasingIn(src.Path, typ)
	}
	if release == "" {
		c.notes = append(c.notes, src)
		return
	}
	relArg := 0
	if r := b.funcs[release]; r != nil && r.sig() != nil && typ != "" {
		if j := pointerParam(r.sig(), typ); j >= 0 {
			relArg = j
		}
	}
	b.addPair(&pairClaim{
		Pair:       Pair{Acquire: name, Releases: []string{release}, Kind: Lock, Source: src},
		acquireArg: arg, cond: cond, releaseArg: map[string]int{release: relArg},
		atomic: atomic, sleeps: sleeps,
	})
}

// lockPartner is the unlock a lock function's name implies, when declared.
func (b *builder) lockPartner(name string) string {
	for i := range conventions {
		c := &conventions[i]
		if c.kind != Lock {
			continue
		}
		if stem := c.stemOf(name, c.acquire); stem != "" {
			if r := c.with(stem, c.release); b.declKindOf(r) != undeclared {
				return r
			}
		}
	}
	return ""
}

// releasingIn returns the only function of the file at path annotated
// __releases that takes a pointer to the lock type typ, or "".
func (b *builder) releasingIn(path, typ string) string {
	if path == "" || typ == "" {
		return ""
	}
	f := b.snap.File(path)
	if f == nil || f.C == nil {
		return ""
	}
	found := ""
	for j := range f.C.Funcs {
		r := &f.C.Funcs[j]
		if !r.HasAttr(facts.AttrReleases) || pointerParam(r, typ) < 0 {
			continue
		}
		if found != "" && found != r.Name {
			return "" // ambiguous
		}
		found = r.Name
	}
	return found
}

// lockParamType is the pointee type of the lock argument arg of sig, or
// of its first pointer argument when arg is not a parameter.
func lockParamType(sig *facts.CFunc, arg int) string {
	if sig == nil {
		return ""
	}
	if arg < 0 || arg >= len(sig.Params) {
		arg = pointerParam(sig, "")
	}
	if arg < 0 {
		return ""
	}
	return base(sig.Params[arg].Type)
}

// putWords are the words of the names of functions that drop a reference.
var putWords = []string{"put", "release", "unref", "drop", "free", "destroy"}

// krefGetters are the calls that take a kref reference.
var krefGetters = map[string]bool{"kref_get": true, "kref_get_unless_zero": true}

// mineBodies reads the body summaries: direct ERR_PTR and NULL returns,
// parameters kept, gfp_t parameters, and kref_put releases paired with
// the functions of the same type that kref_get.
func (b *builder) mineBodies() {
	getters := map[string][]string{} // pointee type -> kref getters
	type putter struct {
		name string
		typ  string
		src  Source
	}
	var putters []putter
	for key, f := range b.statics {
		if fn, path := f.body(); fn != nil {
			b.returns(key, fn, path)
		}
	}
	for _, name := range b.universe() {
		f := b.funcs[name]
		if f == nil {
			continue
		}
		if sig := f.sig(); sig != nil {
			if i := gfpParam(sig); i >= 0 {
				b.claim(name).gfpArg = i
			}
		}
		fn, path := f.body()
		if fn == nil {
			continue
		}
		body := fn.Body
		c := b.claim(name)
		f.bodies(func(fn *facts.CFunc, path string) { b.returns(name, fn, path) })
		for _, st := range body.Stores {
			if !keepable(fn, st.Param) {
				continue
			}
			if c.keeps == nil {
				c.keeps = map[int]Source{}
			}
			if _, dup := c.keeps[st.Param]; !dup {
				c.keeps[st.Param] = Source{Kind: CBody, Path: path, Span: st.Span, Desc: fmt.Sprintf("stores argument %d in a %s", st.Param+1, st.Into)}
			}
		}
		typ := ""
		if i := pointerParam(fn, ""); i >= 0 {
			typ = base(fn.Params[i].Type)
		}
		for _, call := range fn.Calls {
			if krefGetters[call.Name] && typ != "" {
				getters[typ] = append(getters[typ], name)
				break
			}
		}
		for _, kp := range body.KrefPuts {
			// A put drops the reference it is given; other functions
			// calling kref_put (drm_gpuvm_bo_obtain_prealloc) drop one on
			// some path only.
			if typ != "" && hasWord(name, putWords) {
				putters = append(putters, putter{name, typ, Source{Kind: CBody, Path: path, Span: kp.Span, Desc: "kref_put(…, " + kp.What + ")"}})
			}
			break
		}
	}
	for _, p := range putters {
		for _, g := range getters[p.typ] {
			if g == p.name {
				continue
			}
			acqArg := 0
			if sig := b.funcs[g].sig(); sig != nil && returnsPointer(sig) && base(sig.Return) == p.typ {
				acqArg = ArgReturn
			} else if sig != nil {
				acqArg = max(pointerParam(sig, p.typ), 0)
			}
			b.addPair(&pairClaim{
				Pair:       Pair{Acquire: g, Releases: []string{p.name}, Kind: Ref, Family: p.typ + "-kref", Source: p.src},
				acquireArg: acqArg, releaseArg: map[string]int{p.name: b.releaseArgOf(p.name, p.typ)},
			})
		}
		if len(getters[p.typ]) == 0 {
			b.addPair(&pairClaim{Pair: Pair{Releases: []string{p.name}, Kind: Ref, Family: p.typ + "-kref", Source: p.src}})
		}
	}
}

// returns records the direct ERR_PTR and NULL returns of a body.
func (b *builder) returns(key string, fn *facts.CFunc, path string) {
	body := fn.Body
	if !body.ReturnsErrPtr && !body.ReturnsNull {
		return
	}
	c := b.claim(key)
	if body.ReturnsErrPtr {
		c.errPtr = append(c.errPtr, Source{Kind: CBody, Path: path, Span: body.ErrPtrSpan, Desc: "returns ERR_PTR(...)"})
	}
	if body.ReturnsNull {
		c.null = append(c.null, Source{Kind: CBody, Path: path, Span: fn.NameSpan, Desc: "returns NULL"})
	}
}

// keepable reports whether parameter i of fn is an object pointer a
// registration can keep: a pointer to a struct, a union or void. Stored
// scalars (a size, a flag), strings and function pointers say nothing
// about the lifetime of what the caller passes.
func keepable(fn *facts.CFunc, i int) bool {
	if i < 0 || i >= len(fn.Params) {
		return false
	}
	t := fn.Params[i].Type
	if t.Kind != facts.CTypePointer || t.Elem == nil {
		return false
	}
	switch t.Elem.Kind {
	case facts.CTypeRecord, facts.CTypeVoid:
		return true
	case facts.CTypeNamed:
		return strings.HasSuffix(t.Elem.Name, "_t") && !isScalarTypedef(t.Elem.Name)
	}
	return false
}

// isScalarTypedef reports whether a _t typedef names an integer type.
func isScalarTypedef(name string) bool {
	switch name {
	case "size_t", "ssize_t", "u8_t", "dev_t", "loff_t", "gfp_t", "pid_t", "uid_t", "gid_t", "off_t", "phys_addr_t", "dma_addr_t", "atomic_t", "refcount_t", "bool_t":
		return true
	}
	return strings.HasPrefix(name, "u") && len(name) <= 5 || strings.HasPrefix(name, "s") && len(name) <= 5 || strings.HasPrefix(name, "uint") || strings.HasPrefix(name, "int")
}

// devresCalls are the calls by which a devm_ function hands its resource
// to the device core.
var devresCalls = []string{"devres_add", "devres_alloc", "__devres_alloc", "devm_add_action", "__devm_add_action", "devm_add_action_or_reset", "devres_open_group"}

// releaseWords are the words of devm_ function names that release early
// rather than acquire (devm_kfree, devm_clk_put, devm_iounmap).
var releaseWords = []string{"free", "kfree", "kvfree", "vfree", "put", "release", "remove", "unmap", "iounmap", "unregister", "deregister", "destroy", "kill", "unlock"}

// devmByName is what a devm_ function's name alone says: the device core
// releases what it acquires, unless it is an early release itself.
func devmByName(name string) bool {
	x, ok := strings.CutPrefix(name, "devm_")
	return ok && x != "" && !hasWord(x, releaseWords)
}

// devmNameSource is the source of devmByName facts.
var devmNameSource = Source{Kind: Naming, Desc: "devm_ prefix: the device core releases it when the driver unbinds"}

// mineDevm marks devm_ functions: the device core releases what they
// acquire when the driver unbinds. devm_X's early release is devm_R for
// each release R of X, when declared (devm_kmalloc: devm_kfree).
func (b *builder) mineDevm() {
	for _, name := range b.universe() {
		x := strings.TrimPrefix(name, "devm_")
		if !devmByName(name) || len(b.knownAcquires(x)) > 0 {
			continue // an early release: devm_kfree, devm_clk_put
		}
		src := devmNameSource
		f := b.funcs[name]
		if f != nil {
			if fn, path := f.body(); fn != nil {
				for _, call := range fn.Calls {
					if hasPrefixIn(call.Name, devresCalls) || strings.HasPrefix(call.Name, "devm_") {
						src = Source{Kind: CBody, Path: path, Span: call.Span, Desc: "hands the resource to the device core (" + call.Name + ")"}
						break
					}
				}
			}
		}
		c := b.claim(name)
		c.devm = append(c.devm, src)
		if f == nil || f.sig() == nil || returnsPointer(f.sig()) {
			c.borrowed = append(c.borrowed, src)
		}
		for _, r := range b.knownReleases(x) {
			early := "devm_" + r
			if b.declKindOf(early) == undeclared {
				continue
			}
			kind := Alloc
			for _, pc := range b.claimsOf(x) {
				kind = pc.Kind
				break
			}
			b.addPair(&pairClaim{
				Pair:       Pair{Acquire: name, Releases: []string{early}, Kind: kind, Family: "devm-" + x, Source: src},
				acquireArg: ArgReturn, releaseArg: map[string]int{early: b.releaseArgOf(early, "void")},
			})
		}
	}
}

func hasWord(name string, words []string) bool {
	for _, w := range strings.Split(name, "_") {
		for _, x := range words {
			if w == x {
				return true
			}
		}
	}
	return false
}

func hasPrefixIn(name string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// configKinds maps .rivet.toml pair kinds to resource kinds.
var configKinds = map[string]ResourceKind{"ref": Ref, "alloc": Alloc, "lock": Lock, "register": Register, "": Alloc}

// mineConfig adds the user's [lifecycle] knowledge.
func (b *builder) mineConfig() {
	lc := b.cfg.Lifecycle
	for _, p := range lc.Pairs {
		if p.Acquire == "" || p.Release == "" {
			continue
		}
		kind := configKinds[p.Kind]
		var a, r *facts.CFunc
		if f := b.funcs[p.Acquire]; f != nil {
			a = f.sig()
		}
		if f := b.funcs[p.Release]; f != nil {
			r = f.sig()
		}
		acqArg, relArg, ok := typedArgs(kind, a, r)
		if !ok { // the user knows better than the types: use the defaults
			acqArg, relArg, _ = typedArgs(kind, nil, nil)
		}
		b.addPair(&pairClaim{
			Pair:       Pair{Acquire: p.Acquire, Releases: []string{p.Release}, Kind: kind, Source: Source{Kind: Config, Desc: ".rivet.toml [[lifecycle.pairs]]"}},
			acquireArg: acqArg, releaseArg: map[string]int{p.Release: relArg},
			atomic: kind == Lock && slices.Contains(lc.Atomic, p.Acquire),
		})
	}
	for _, n := range lc.Borrowed {
		b.claim(n).borrowed = append(b.claim(n).borrowed, Source{Kind: Config, Desc: ".rivet.toml lifecycle.borrowed"})
	}
	for _, n := range lc.Sleeping {
		c := b.claim(n)
		c.sleeps = append(c.sleeps, sleepClaim{src: Source{Kind: Config, Desc: ".rivet.toml lifecycle.sleeping"}, what: "configured as sleeping"})
	}
	for _, n := range lc.Atomic {
		b.claim(n).enters = append(b.claim(n).enters, Source{Kind: Config, Desc: ".rivet.toml lifecycle.atomic"})
	}
}

// sortFiles orders files by path, for deterministic results.
func sortFiles(files []*index.File) {
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
}
