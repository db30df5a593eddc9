// Package link is rivet's model of the FFI boundary: what a Rust
// `bindings::NAME` reaches in C (directly, through a rust_helper_NAME
// wrapper, as a RUST_CONST_HELPER constant, as a type), what a Rust
// extern "C" item or #[no_mangle] export pairs with, and the reverse: who
// in Rust uses a C function. It reads an index snapshot and returns plain
// data; it knows no LSP and no rules.
package link

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// Kind says what a bindgen name resolves to.
type Kind uint8

const (
	Unresolved Kind = iota
	// Function is a C function bindgen binds directly.
	Function
	// Helper is a static inline function or function-like macro reached
	// through rust_helper_NAME (bindgen's view after the rust/Makefile sed).
	Helper
	// Constant is a RUST_CONST_HELPER_NAME constant, an object-like
	// macro or an enumerator.
	Constant
	// Type is a struct, union, enum or typedef.
	Type
	// Static is a C global variable.
	Static
	// RustItem is defined by hand in the bindings crate (rust/bindings/*.rs).
	RustItem
	// Generated is an item bindgen invents (__BindgenBitfieldUnit,
	// foo__bindgen_ty_1): it has no C declaration by that name.
	Generated
)

func (k Kind) String() string {
	return [...]string{"unresolved", "function", "helper", "constant", "type", "static", "rust item", "generated"}[k]
}

// Cause says why a name is unresolved.
type Cause uint8

const (
	NoCause Cause = iota
	// Blocklisted: rust/bindgen_parameters keeps it out of bindings::.
	Blocklisted
	// InlineWithoutHelper: a static inline function no helper wraps.
	InlineWithoutHelper
	// MacroWithoutHelper: a function-like macro no helper wraps.
	MacroWithoutHelper
	// Missing: nothing in the tree declares it.
	Missing
)

func (c Cause) String() string {
	return [...]string{"", "blocklisted", "static inline without helper", "function-like macro without helper", "not declared"}[c]
}

// Loc is a name's location: the file and the span of the name.
type Loc struct {
	Path string
	Span facts.Span
}

// Target is what a bindgen name reaches.
type Target struct {
	Name  string
	Kind  Kind
	Cause Cause
	// Rule is the bindgen_parameters line that blocklists the name; it is
	// set even when the name resolves some other way (a constant helper
	// standing in for a blocklisted item).
	Rule *index.BindgenRule
	// Decl is the C declaration: the prototype (or the definition when
	// there is no prototype), the struct, the macro, the constant.
	Decl *Loc
	// Def is the C function's definition, when one exists apart from Decl.
	Def *Loc
	// HelperDef is rust_helper_NAME's definition in rust/helpers.
	HelperDef *Loc
	// Wrapped is what the helper wraps: the inline function or macro.
	Wrapped *Loc
	// ConstHelper is the RUST_CONST_HELPER_NAME definition.
	ConstHelper *Loc
	// DeclKind is the scanned kind of Decl.
	DeclKind facts.DeclKind
}

// Resolved reports whether the name reaches something bindgen generates.
func (t Target) Resolved() bool { return t.Kind != Unresolved }

// Best is the location definition should jump to: the C definition, else
// the declaration, else the helper.
func (t Target) Best() *Loc {
	switch {
	case t.Kind == Helper && t.Wrapped != nil:
		return t.Wrapped
	case t.Def != nil:
		return t.Def
	case t.Decl != nil:
		return t.Decl
	case t.ConstHelper != nil:
		return t.ConstHelper
	}
	return t.HelperDef
}

// HelperPrefix and ConstHelperPrefix are the kernel's naming conventions
// for Rust helpers.
const (
	HelperPrefix      = "rust_helper_"
	ConstHelperPrefix = "RUST_CONST_HELPER_"
)

// Resolve returns what bindings::name reaches in snap.
func Resolve(snap *index.Snapshot, name string) Target {
	t := Target{Name: name}
	k := snap.Kernel()
	if item := bindingsCrateItem(snap, k, name); item != nil {
		t.Kind, t.Decl = RustItem, item
		return t
	}
	seen, narrowed := seenByBindgen(snap, snap.CDecls(name))
	decls := index.RankDecls(seen)
	helper := helperDef(snap, k, name)
	t.HelperDef = helper
	if ch := firstOfKind(snap.CDecls(ConstHelperPrefix+name), facts.DeclGlobal); ch != nil {
		t.ConstHelper = declLoc(*ch)
	}

	var proto, def, inline, macro, typ, global, enumr, private *index.DeclRef
	for i := range decls {
		d := &decls[i]
		switch {
		case userspace(k, d):
			continue
		case privateFunc(d):
			private = firstOf(private, d)
			continue
		}
		switch d.Decl.Kind {
		case facts.DeclFunc:
			switch {
			case d.Decl.Has(facts.FlagInline) || (d.Decl.Has(facts.FlagStatic) && d.Decl.Has(facts.FlagDefinition)):
				inline = firstOf(inline, d)
			case d.Decl.Has(facts.FlagDefinition):
				def = firstOf(def, d)
			case !d.Decl.Has(facts.FlagStatic):
				proto = firstOf(proto, d)
			}
		case facts.DeclMacro:
			macro = firstOf(macro, d)
		case facts.DeclStruct, facts.DeclUnion, facts.DeclEnum, facts.DeclTypedef:
			if typ == nil || (!typ.Decl.Has(facts.FlagDefinition) && d.Decl.Has(facts.FlagDefinition)) {
				typ = d
			}
		case facts.DeclGlobal:
			global = firstOf(global, d)
		case facts.DeclEnumerator:
			enumr = firstOf(enumr, d)
		}
	}

	switch {
	case proto != nil || def != nil && !narrowed:
		// A real function: bindgen binds it, and it wins over a helper.
		// (A body alone does not count when bindgen reads other
		// declarations of the name: sparc's udelay() is no x86 macro.)
		t.Kind, t.DeclKind = Function, facts.DeclFunc
		if proto != nil {
			t.Decl = declLoc(*proto)
			if def != nil {
				t.Def = declLoc(*def)
			}
		} else {
			t.Decl = declLoc(*def)
		}
		t.Rule = k.Blocklisted(name, "function")
	case typ != nil && helper == nil && (inline != nil || macro != nil && macro.Decl.Has(facts.FlagFuncLike)):
		// C keeps tags apart from functions: `enum hrtimer_restart` and
		// the inline hrtimer_restart() coexist. bindgen skips the inline
		// (no helper wraps it) and generates the type.
		t.Kind, t.Decl, t.DeclKind = Type, declLoc(*typ), typ.Decl.Kind
		t.Rule = k.Blocklisted(name, "type")
	case inline != nil:
		t.DeclKind = facts.DeclFunc
		t.Decl = declLoc(*inline)
		if helper != nil {
			t.Kind, t.Wrapped = Helper, t.Decl
		} else {
			t.Cause = InlineWithoutHelper
		}
		t.Rule = k.Blocklisted(name, "function")
	case macro != nil && macro.Decl.Has(facts.FlagFuncLike):
		t.DeclKind = facts.DeclMacro
		t.Decl = declLoc(*macro)
		if helper != nil {
			t.Kind, t.Wrapped = Helper, t.Decl
		} else {
			t.Cause = MacroWithoutHelper
		}
	case t.ConstHelper != nil:
		t.Kind = Constant
		if macro != nil {
			t.Decl, t.DeclKind = declLoc(*macro), facts.DeclMacro
		} else if enumr != nil {
			t.Decl, t.DeclKind = declLoc(*enumr), facts.DeclEnumerator
		} else {
			t.Decl, t.DeclKind = t.ConstHelper, facts.DeclGlobal
		}
		t.Rule = k.Blocklisted(name, "var")
	case macro != nil:
		t.Kind, t.Decl, t.DeclKind = Constant, declLoc(*macro), facts.DeclMacro
		t.Rule = k.Blocklisted(name, "var")
	case enumr != nil:
		t.Kind, t.Decl, t.DeclKind = Constant, declLoc(*enumr), facts.DeclEnumerator
	case typ != nil:
		t.Kind, t.Decl, t.DeclKind = Type, declLoc(*typ), typ.Decl.Kind
		t.Rule = k.Blocklisted(name, "type")
	case global != nil:
		t.Kind, t.Decl, t.DeclKind = Static, declLoc(*global), facts.DeclGlobal
		t.Rule = k.Blocklisted(name, "var")
	case helper != nil:
		// Only the helper declares it (the wrapped code is not indexed).
		t.Kind, t.DeclKind = Helper, facts.DeclFunc
	case private != nil:
		// Only a .c file's own static function has the name: bindgen
		// reads headers, so nothing reaches it.
		t.Cause, t.Decl, t.DeclKind = InlineWithoutHelper, declLoc(*private), facts.DeclFunc
	default:
		if loc := prefixedEnumerator(snap, name); loc != nil {
			t.Kind, t.Decl, t.DeclKind = Constant, loc, facts.DeclEnumerator
			return t
		}
		if IsGenerated(name) {
			t.Kind = Generated
			return t
		}
		t.Cause = Missing
		for _, kind := range []string{"function", "type", "var"} {
			if r := k.Blocklisted(name, kind); r != nil {
				t.Rule = r
				break
			}
		}
	}
	if t.Rule != nil && t.ConstHelper == nil {
		t.Kind, t.Cause = Unresolved, Blocklisted
	}
	return t
}

// seenByBindgen narrows the declarations of a name to those in the
// headers bindgen reads, plus function bodies (which bindgen never reads
// but definition jumps to), when bindgen reads any: a prototype for
// another architecture or a definition in a private header must not win
// over what the x86_64 bindings are generated from. Other names keep all
// their declarations; narrowed says which happened.
func seenByBindgen(snap *index.Snapshot, decls []index.DeclRef) (out []index.DeclRef, narrowed bool) {
	hs := BindgenHeaders(snap)
	if hs == nil {
		return decls, false
	}
	var seen, bodies []index.DeclRef
	for _, d := range decls {
		switch {
		case hs[d.File.Path]:
			seen = append(seen, d)
		case d.Decl.Kind == facts.DeclFunc && d.Decl.Has(facts.FlagDefinition) && !strings.HasSuffix(d.File.Path, ".h"):
			bodies = append(bodies, d)
		}
	}
	if len(seen) == 0 {
		return decls, false
	}
	return append(seen, bodies...), true
}

// privateFunc reports whether d is a static function of a .c file:
// private to that file, so a bindgen name reaches it only when nothing
// else has the name (net/ceph's static delayed_work() is no `struct
// delayed_work`).
func privateFunc(d *index.DeclRef) bool {
	return d.Decl.Kind == facts.DeclFunc && d.Decl.Has(facts.FlagStatic) && !strings.HasSuffix(d.File.Path, ".h")
}

// userspace reports whether d belongs to the userspace code of a kernel
// tree (tools/, scripts/), which bindgen never reads.
func userspace(k *index.Kernel, d *index.DeclRef) bool {
	if k == nil {
		return false
	}
	rel := strings.TrimPrefix(d.File.Path, k.Root+"/")
	return strings.HasPrefix(rel, "tools/") || strings.HasPrefix(rel, "scripts/")
}

// IsGenerated reports whether name is one bindgen makes up.
func IsGenerated(name string) bool {
	switch name {
	case "__BindgenBitfieldUnit", "__IncompleteArrayField", "__BindgenUnionField",
		"__BindgenFloat16", "__BindgenComplex", "__BindgenOpaqueArray":
		return true
	}
	return strings.Contains(name, "__bindgen_") || strings.HasPrefix(name, "_bindgen_")
}

// prefixedEnumerator resolves bindgen's names for variants of enums it
// turns into consts or newtypes: `irqreturn_IRQ_HANDLED` is enumerator
// IRQ_HANDLED of enum irqreturn.
func prefixedEnumerator(snap *index.Snapshot, name string) *Loc {
	for i := strings.IndexByte(name, '_'); i > 0 && i < len(name)-1; {
		tag, variant := name[:i], name[i+1:]
		if e := firstOfKind(snap.CDecls(variant), facts.DeclEnumerator); e != nil {
			if firstOfKind(snap.CDecls(tag), facts.DeclEnum) != nil || firstOfKind(snap.CDecls(tag), facts.DeclTypedef) != nil {
				return declLoc(*e)
			}
		}
		j := strings.IndexByte(name[i+1:], '_')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return nil
}

// helperDef finds rust_helper_name's definition, preferring rust/helpers.
func helperDef(snap *index.Snapshot, k *index.Kernel, name string) *Loc {
	var best *index.DeclRef
	for _, d := range snap.CDecls(HelperPrefix + name) {
		if d.Decl.Kind != facts.DeclFunc || !d.Decl.Has(facts.FlagDefinition) {
			continue
		}
		if k.IsHelper(d.File.Path) {
			return declLoc(d)
		}
		if best == nil {
			best = &d
		}
	}
	if best == nil {
		return nil
	}
	return declLoc(*best)
}

// bindingsCrateItem finds a Rust item defined by hand in the bindings
// crate (rust/bindings/*.rs), such as 7.3's compat_ptr_ioctl.
func bindingsCrateItem(snap *index.Snapshot, k *index.Kernel, name string) *Loc {
	if k == nil {
		return nil
	}
	for _, it := range snap.BindingsCrateItems(name) {
		if strings.HasPrefix(it.Path, k.Root+"/rust/bindings/") {
			return &Loc{Path: it.Path, Span: it.Span}
		}
	}
	return nil
}

func firstOf(cur, d *index.DeclRef) *index.DeclRef {
	if cur != nil {
		return cur
	}
	return d
}

func firstOfKind(ds []index.DeclRef, kind facts.DeclKind) *index.DeclRef {
	ranked := index.RankDecls(ds)
	for i := range ranked {
		if ranked[i].Decl.Kind == kind {
			return &ranked[i]
		}
	}
	return nil
}

// DeclLoc is the location of a scanned declaration's name.
func DeclLoc(d index.DeclRef) Loc { return *declLoc(d) }

func declLoc(d index.DeclRef) *Loc {
	return &Loc{Path: d.File.Path, Span: facts.Span{Start: d.Decl.Name0, End: d.Decl.Name0 + uint32(len(d.Decl.Name))}}
}
