package lifecycle

import (
	"slices"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// cleanup.h declarations state pairs outright:
//
//	DEFINE_FREE(kfree, void *, if (_T) kfree(_T))
//	DEFINE_GUARD(mutex, struct mutex *, mutex_lock(_T), mutex_unlock(_T))
//	DEFINE_GUARD_COND(mutex, _try, mutex_trylock(_T))
//	DEFINE_LOCK_GUARD_0(rcu, rcu_read_lock(), rcu_read_unlock())
//	DEFINE_LOCK_GUARD_1(spinlock, spinlock_t, spin_lock(_T->lock), spin_unlock(_T->lock))
//	DEFINE_LOCK_GUARD_1_COND(mutex, _intr, mutex_lock_interruptible(_T->lock), _RET == 0)
//	DEFINE_CLASS(fd, struct fd, fdput(_T), fdget(fd), int fd)
//	EXTEND_CLASS(fd, _raw, fdget_raw(fd), int fd)

// freeDecl is a DEFINE_FREE: release frees values of type typ.
type freeDecl struct {
	release string
	typ     string // the pointee: "device" for struct device *, "void"
	src     Source
}

// guardDecl is a guard or class: the release of guard name, for the
// _COND and EXTEND_ variants declared after it.
type guardDecl struct {
	release string
	kind    ResourceKind
	relArg  int
}

// mineCleanups reads every cleanup declaration the cheap scan found.
func (b *builder) mineCleanups() {
	var files []*index.File
	b.snap.Files(func(f *index.File) bool {
		if f.Scan != nil && len(f.Scan.Cleanups) > 0 {
			files = append(files, f)
		}
		return true
	})
	sortFiles(files)
	guards := map[string]guardDecl{}
	var conds []func()
	for _, f := range files {
		for _, cl := range f.Scan.Cleanups {
			src := Source{Kind: CCleanup, Path: f.Path, Span: cl.Span, Desc: cleanupDesc(cl)}
			switch cl.Macro {
			case "DEFINE_FREE":
				b.defineFree(cl.Args, src)
			case "DEFINE_GUARD":
				b.defineGuard(guards, cl.Args, 2, 3, Lock, src)
			case "DEFINE_LOCK_GUARD_0":
				b.defineGuard(guards, cl.Args, 1, 2, Lock, src)
			case "DEFINE_LOCK_GUARD_1":
				b.defineGuard(guards, cl.Args, 2, 3, Lock, src)
			case "DEFINE_CLASS":
				b.defineGuard(guards, cl.Args, 3, 2, Alloc, src)
			case "DEFINE_GUARD_COND", "DEFINE_LOCK_GUARD_1_COND", "EXTEND_CLASS":
				// After every base guard of the tree is known.
				args, macro := cl.Args, cl.Macro
				conds = append(conds, func() { b.extendGuard(guards, macro, args, src) })
			}
		}
	}
	for _, c := range conds {
		c()
	}
}

// defineFree records the release of a DEFINE_FREE; pairFrees pairs it
// with the allocators of its type once every other source is in.
func (b *builder) defineFree(args []string, src Source) {
	if len(args) < 3 {
		return
	}
	release, _ := callOn(args[2], "_T")
	if release == "" {
		return
	}
	typ := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(args[1]), "*"))
	typ = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(typ, "struct "), "const "))
	if !strings.HasSuffix(strings.TrimSpace(args[1]), "*") {
		return // a value type: no allocator returns it
	}
	b.frees = append(b.frees, freeDecl{release: release, typ: typ, src: src})
	b.addPair(&pairClaim{Pair: Pair{Releases: []string{release}, Kind: Alloc, Source: src}})
}

// defineGuard records the pair of a guard or class: the call in argument
// acq takes, the call in argument rel undoes it.
func (b *builder) defineGuard(guards map[string]guardDecl, args []string, acq, rel int, kind ResourceKind, src Source) {
	if len(args) <= max(acq, rel) {
		return
	}
	acquire, acqArg := callOn(args[acq], "_T")
	if kind == Alloc {
		// A class: the constructor's result is the resource, unless the
		// constructor takes a lock (scoped srcu_read_lock and the like).
		acquire, acqArg = firstCall(args[acq]), ArgReturn
		if lockStem(acquire) != "" {
			kind, acqArg = Lock, 0
		}
	}
	release, relArg := callOn(args[rel], "_T")
	if release == "" {
		return
	}
	guards[strings.TrimSpace(args[0])] = guardDecl{release: release, kind: kind, relArg: relArg}
	if acquire == "" {
		return
	}
	b.guardPair(strings.TrimSpace(args[0]), acquire, release, kind, acqArg, relArg, Always, src)
}

// extendGuard records a conditional guard (trylock) or another class
// constructor: its acquire pairs with the base guard's release.
func (b *builder) extendGuard(guards map[string]guardDecl, macro string, args []string, src Source) {
	if len(args) < 3 {
		return
	}
	g, ok := guards[strings.TrimSpace(args[0])]
	if !ok {
		return
	}
	acquire, acqArg := callOn(args[2], "_T")
	cond := IfNonZero
	if macro == "EXTEND_CLASS" {
		acquire, acqArg, cond = firstCall(args[2]), ArgReturn, Always
	} else if len(args) > 3 && strings.Contains(args[3], "== 0") {
		cond = IfZero
	}
	if acquire == "" {
		return
	}
	b.guardPair(strings.TrimSpace(args[0]), acquire, g.release, g.kind, acqArg, g.relArg, cond, src)
}

// guardPair records the pair of the guard or class named guard.
func (b *builder) guardPair(guard, acquire, release string, kind ResourceKind, acqArg, relArg int, cond Cond, src Source) {
	if releaseName(acquire) || strings.Contains(guard, "reverse") {
		// A reverse guard drops a lock for a scope and takes it back
		// (thermal_zone_reverse: mutex_unlock, then mutex_lock): no pair.
		return
	}
	pc := &pairClaim{
		Pair:       Pair{Acquire: acquire, Releases: []string{release}, Kind: kind, Source: src},
		acquireArg: acqArg, cond: cond,
		releaseArg: map[string]int{release: relArg},
	}
	if kind == Lock {
		var sig *facts.CFunc
		if f := b.funcs[acquire]; f != nil {
			sig = f.sig()
		}
		pc.atomic = atomicLockStems[lockStem(acquire)] || lockTypeIn(sig, atomicLockTypes)
		pc.sleeps = lockTypeIn(sig, sleepingLockTypes)
	}
	b.addPair(pc)
}

// pairFrees pairs each header's DEFINE_FREE release of a pointer type
// with the functions returning that type that acquire: those some other
// source pairs with the same release (the declaration confirms it), and,
// when it is the type's only DEFINE_FREE, those with no known release
// whose name says they acquire (get, alloc, create...). The type alone
// does not tell a getter that takes a reference
// (device_get_named_child_node) from one that borrows (dev_fwnode).
func (b *builder) pairFrees() {
	byType := map[string][]string{}
	for _, name := range b.universe() {
		if f := b.funcs[name]; f != nil && f.sig() != nil && returnsPointer(f.sig()) {
			t := base(f.sig().Return)
			byType[t] = append(byType[t], name)
		}
	}
	// A DEFINE_FREE in a .c file or a subsystem's private header is that
	// code's own cleanup (binfmt_misc's close_interp_file for struct file
	// *, rv's rv_remove for struct dentry *): only the kernel's API
	// headers (include/) teach a pair; any header may confirm one.
	perType := map[string]int{}
	for _, fd := range b.frees {
		if apiHeader(fd.src.Path) {
			perType[fd.typ]++
		}
	}
	for _, fd := range b.frees {
		if fd.typ == "void" || fd.typ == "char" || !strings.HasSuffix(fd.src.Path, ".h") {
			continue // kfree, vfree: the allocator families pair them
		}
		for _, name := range byType[fd.typ] {
			known := b.knownReleases(name)
			confirms := slices.Contains(known, fd.release)
			teaches := len(known) == 0 && perType[fd.typ] == 1 && apiHeader(fd.src.Path) && acquireVerb(name)
			if name == fd.release || !confirms && !teaches {
				continue
			}
			kind := Alloc
			if strings.Contains(fd.release, "put") {
				kind = Ref
			}
			b.addPair(&pairClaim{
				Pair:       Pair{Acquire: name, Releases: []string{fd.release}, Kind: kind, Source: fd.src},
				acquireArg: ArgReturn, releaseArg: map[string]int{fd.release: b.releaseArgOf(fd.release, fd.typ)},
			})
		}
	}
}

// releaseName reports whether a function's name says it releases:
// X_unlock, X_put, X_free...
func releaseName(name string) bool {
	return strings.Contains(name, "unlock") || hasWord(name, releaseWords)
}

// apiHeader reports whether path is a header of the kernel's API
// (include/, arch/*/include/), or any header outside a kernel tree.
func apiHeader(path string) bool {
	return strings.HasSuffix(path, ".h") && strings.Contains(path, "/include/")
}

// releaseArgOf is the parameter of release that takes a typ pointer.
func (b *builder) releaseArgOf(release, typ string) int {
	if i, ok := builtinReleaseArg[release]; ok {
		return i
	}
	if f := b.funcs[release]; f != nil && f.sig() != nil {
		if j := pointerParam(f.sig(), typ); j >= 0 {
			return j
		}
	}
	return 0
}

// acquireVerbs are the words of function names that return a new
// reference or allocation in kernel APIs. "get" is not one of them:
// irq_data_get_affinity_mask borrows.
var acquireVerbs = []string{"alloc", "create", "new", "find", "lookup", "open", "request", "dup", "clone"}

// acquireVerb reports whether one of name's words is an acquire verb.
func acquireVerb(name string) bool { return hasWord(name, acquireVerbs) }

// callOn finds the call in expr whose arguments mention v ("put_device"
// in `if (_T) put_device(_T)`) and the index of that argument. Without v
// it returns the first call, with ArgNone.
func callOn(expr, v string) (string, int) {
	for _, c := range calls(expr) {
		for i, a := range c.args {
			if containsIdent(a, v) {
				return c.name, i
			}
		}
	}
	if fc := firstCall(expr); fc != "" && !containsIdent(expr, v) {
		return fc, ArgNone
	}
	return "", 0
}

// firstCall is the first function called in expr, "" when none.
func firstCall(expr string) string {
	cs := calls(expr)
	if len(cs) == 0 {
		return ""
	}
	return cs[0].name
}

type exprCall struct {
	name string
	args []string
}

// calls lists the calls of an expression's text, outermost first, with
// their top-level argument texts. C keywords that take parentheses are
// not calls.
func calls(expr string) []exprCall {
	var out []exprCall
	for i := 0; i < len(expr); i++ {
		if !isIdentRune(rune(expr[i])) || i > 0 && isIdentRune(rune(expr[i-1])) {
			continue
		}
		j := i
		for j < len(expr) && isIdentRune(rune(expr[j])) {
			j++
		}
		k := j
		for k < len(expr) && expr[k] == ' ' {
			k++
		}
		name := expr[i:j]
		if k < len(expr) && expr[k] == '(' && !cKeywords[name] && !(name[0] >= '0' && name[0] <= '9') {
			if args, ok := splitArgs(expr[k:]); ok {
				out = append(out, exprCall{name: name, args: args})
			}
		}
		i = j - 1
	}
	return out
}

var cKeywords = map[string]bool{
	"if": true, "while": true, "for": true, "switch": true, "return": true, "sizeof": true,
	"typeof": true, "__typeof__": true, "_Generic": true, "__builtin_expect": true, "likely": true,
	"unlikely": true, "IS_ERR_OR_NULL": true, "IS_ERR": true, "WARN_ON": true, "WARN_ON_ONCE": true,
}

// splitArgs splits "(a, f(b, c), d) rest" into its top-level arguments.
func splitArgs(s string) ([]string, bool) {
	depth, start := 0, 1
	var args []string
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				if a := strings.TrimSpace(s[start:i]); a != "" || len(args) > 0 {
					args = append(args, a)
				}
				return args, true
			}
		case ',':
			if depth == 1 {
				args = append(args, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return nil, false
}

func containsIdent(text, id string) bool {
	for _, w := range identifiers(text) {
		if w == id {
			return true
		}
	}
	return false
}

// cleanupDesc shortens a cleanup declaration for display:
// "DEFINE_FREE(kfree, void *, …)".
func cleanupDesc(cl facts.CCleanup) string {
	var b strings.Builder
	b.WriteString(cl.Macro)
	b.WriteByte('(')
	for i, a := range cl.Args {
		if i == 2 {
			b.WriteString(", …")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a)
	}
	b.WriteByte(')')
	return b.String()
}
