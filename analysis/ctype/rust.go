package ctype

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// RustContext says where a Rust type is written: the file (its items,
// aliases and uses) and, inside an impl, what Self is.
type RustContext struct {
	Path string // the file, absolute and slash-separated
	File *facts.Rust
	Self string // the impl's self type as written; "" outside impls
}

// ContextOf returns the context of fn, declared in the file at path.
func ContextOf(path string, file *facts.Rust, fn *facts.RFn) RustContext {
	ctx := RustContext{Path: path, File: file}
	if fn != nil && fn.Impl >= 0 && fn.Impl < len(file.Impls) {
		ctx.Self = file.Impls[fn.Impl].Target
	}
	return ctx
}

// RustSig normalises the signature of a Rust fn.
func (r *Resolver) RustSig(fn *facts.RFn, ctx RustContext) Sig {
	s := Sig{Ret: Type{Kind: Void}, Variadic: fn.Variadic}
	if fn.Ret != "" {
		s.Ret = r.Rust(fn.Ret, ctx)
	}
	for _, p := range fn.Params {
		s.Params = append(s.Params, r.Rust(p.Type, ctx))
	}
	return s
}

// Rust normalises a Rust type written in ctx.
func (r *Resolver) Rust(text string, ctx RustContext) Type {
	t := r.rust(parseRust(text), ctx, 0)
	t.Text = text
	return t
}

func (r *Resolver) rust(t *rtype, ctx RustContext, depth int) Type {
	if t == nil || depth > maxDepth {
		return Type{}
	}
	switch t.kind {
	case rPtr, rRef:
		elem := r.rust(t.elem, ctx, depth+1)
		if t.elem.kind == rSlice || isUnsized(t.elem) {
			return Type{} // a fat pointer: not a C pointer
		}
		elem.Const = !t.mut
		return Type{Kind: Pointer, Elem: &elem}
	case rArray:
		elem := r.rust(t.elem, ctx, depth+1)
		n, err := strconv.Atoi(strings.TrimRight(t.len, "usize"))
		if err != nil {
			n = -1
		}
		return Type{Kind: Array, Elem: &elem, Len: n}
	case rTuple:
		if len(t.elems) == 0 {
			return Type{Kind: Void}
		}
	case rNever:
		return Type{Kind: Void}
	case rFn:
		return r.rustFn(t, ctx, depth)
	case rPath:
		return r.rustPath(t, ctx, depth)
	}
	return Type{}
}

func isUnsized(t *rtype) bool {
	return t.kind == rPath && len(t.path) > 0 && t.path[len(t.path)-1] == "str" && len(t.path) <= 3
}

// rustFn is a function pointer: only C-ABI ones mean anything to C.
func (r *Resolver) rustFn(t *rtype, ctx RustContext, depth int) Type {
	if t.abi != "C" && t.abi != "C-unwind" {
		return Type{}
	}
	sig := Sig{Ret: Type{Kind: Void}, Variadic: t.variadic}
	if t.ret != nil {
		sig.Ret = r.rust(t.ret, ctx, depth+1)
	}
	for _, p := range t.params {
		sig.Params = append(sig.Params, r.rust(p, ctx, depth+1))
	}
	fn := Type{Kind: Func, Sig: &sig}
	return Type{Kind: Pointer, Elem: &fn}
}

// rustPath resolves a path type: primitives, FFI aliases, the pointer
// and layout wrappers of core, bindgen names, and the crate's own items.
func (r *Resolver) rustPath(t *rtype, ctx RustContext, depth int) Type {
	name := t.path[len(t.path)-1]
	prefix := t.path[:len(t.path)-1]
	if r.bindgenPath(prefix, name, ctx) {
		return r.bindgenType(name)
	}
	if len(prefix) == 0 || isStdPrefix(prefix) {
		if p, ok := r.primitive(name); ok {
			return p
		}
	}
	if len(prefix) == 0 || isFFIPrefix(prefix) {
		if p, ok := r.ffiAlias(name); ok {
			return p
		}
	}
	if w, ok := r.wrapper(name, t.args, ctx, depth); ok {
		return w
	}
	if name == "Self" && len(prefix) == 0 {
		if ctx.Self == "" {
			return Type{}
		}
		return r.rust(parseRust(ctx.Self), RustContext{Path: ctx.Path, File: ctx.File}, depth+1)
	}
	if len(prefix) > 0 && !isCratePrefix(prefix) {
		return Type{} // another crate's type: not ours to resolve
	}
	item, ok := r.LookupRust(name, ctx)
	if !ok {
		return Type{}
	}
	return r.rustItem(item, depth)
}

// rustItem is what a Rust struct, enum, union or alias is to C.
func (r *Resolver) rustItem(item RustItem, depth int) Type {
	it := item.Type
	ictx := RustContext{Path: item.Path, File: item.File}
	switch it.Kind {
	case "type":
		return r.rust(parseRust(it.Type), ictx, depth+1)
	case "struct", "union":
		if slices.Contains(it.Repr, "transparent") {
			if f, ok := transparentField(it); ok {
				return r.rust(parseRust(f), ictx, depth+1)
			}
			return Type{}
		}
		return Type{Kind: Record, Rust: true, Name: it.Name, Union: it.Kind == "union", Def: &item}
	case "enum":
		for _, a := range it.Repr {
			if p, ok := r.primitive(a); ok && p.Kind == Int && !p.Bool {
				p.Enum, p.Name, p.Def = true, it.Name, &item
				return p
			}
		}
		if slices.Contains(it.Repr, "C") && !hasPayload(it) {
			return Type{Kind: Int, Size: 4, Enum: true, Name: it.Name, Def: &item}
		}
		return Type{Kind: Record, Rust: true, Name: it.Name, Def: &item}
	}
	return Type{}
}

// transparentField is the one field of a #[repr(transparent)] type that
// is not a zero-sized marker.
func transparentField(it *facts.RType) (string, bool) {
	var real []string
	for _, f := range it.Fields {
		if !isZeroSized(f.Type) {
			real = append(real, f.Type)
		}
	}
	if len(real) != 1 {
		return "", false
	}
	return real[0], true
}

func isZeroSized(text string) bool {
	t := parseRust(text)
	if t.kind == rTuple && len(t.elems) == 0 {
		return true
	}
	if t.kind == rArray && strings.TrimSpace(t.len) == "0" {
		return true
	}
	if t.kind != rPath {
		return false
	}
	switch t.path[len(t.path)-1] {
	case "PhantomData", "PhantomPinned", "NotThreadSafe":
		return true
	}
	return false
}

func hasPayload(it *facts.RType) bool {
	for _, v := range it.Fields {
		if strings.HasPrefix(v.Type, "(") || strings.HasPrefix(v.Type, "{") {
			return true
		}
	}
	return false
}

// primitive maps Rust's primitive types.
func (r *Resolver) primitive(name string) (Type, bool) {
	switch name {
	case "bool":
		return Type{Kind: Int, Size: 1, Sign: Unsigned, Bool: true}, true
	case "char":
		return intType(4, Unsigned, name), true
	case "f32":
		return Type{Kind: Float, Size: 4}, true
	case "f64":
		return Type{Kind: Float, Size: 8}, true
	case "isize":
		return intType(r.model.Ptr, Signed, name), true
	case "usize":
		return intType(r.model.Ptr, Unsigned, name), true
	}
	if len(name) < 2 || (name[0] != 'i' && name[0] != 'u') {
		return Type{}, false
	}
	bits, err := strconv.Atoi(name[1:])
	if err != nil {
		return Type{}, false
	}
	switch bits {
	case 8, 16, 32, 64, 128:
	default:
		return Type{}, false
	}
	sign := Signed
	if name[0] == 'u' {
		sign = Unsigned
	}
	return intType(bits/8, sign, name), true
}

// ffiAlias maps core::ffi, kernel::ffi, std::os::raw and libc's C type
// aliases.
func (r *Resolver) ffiAlias(name string) (Type, bool) {
	m := r.model
	switch name {
	case "c_void":
		return Type{Kind: Void}, true
	case "c_char":
		return Type{Kind: Int, Size: 1, Sign: m.CharSign, Char: true}, true
	case "c_schar":
		return intType(1, Signed, name), true
	case "c_uchar":
		return intType(1, Unsigned, name), true
	case "c_short":
		return intType(2, Signed, name), true
	case "c_ushort":
		return intType(2, Unsigned, name), true
	case "c_int":
		return intType(4, Signed, name), true
	case "c_uint":
		return intType(4, Unsigned, name), true
	case "c_long":
		return intType(m.Long, Signed, name), true
	case "c_ulong":
		return intType(m.Long, Unsigned, name), true
	case "c_longlong":
		return intType(8, Signed, name), true
	case "c_ulonglong":
		return intType(8, Unsigned, name), true
	case "c_size_t", "size_t", "c_uintptr_t", "uintptr_t":
		return intType(m.Ptr, Unsigned, name), true
	case "c_ssize_t", "ssize_t", "c_ptrdiff_t", "ptrdiff_t", "c_intptr_t", "intptr_t":
		return intType(m.Ptr, Signed, name), true
	case "c_float":
		return Type{Kind: Float, Size: 4}, true
	case "c_double":
		return Type{Kind: Float, Size: 8}, true
	}
	return Type{}, false
}

// wrapper resolves the core and kernel types whose layout is their
// argument's, or a pointer's.
func (r *Resolver) wrapper(name string, args []*rtype, ctx RustContext, depth int) (Type, bool) {
	if len(args) != 1 {
		return Type{}, false
	}
	inner := func() Type { return r.rust(args[0], ctx, depth+1) }
	switch name {
	case "Option":
		// Option<&T>, Option<NonNull<T>>, Option<extern "C" fn> are
		// nullable pointers; any other Option is not a C type.
		if in := inner(); in.Kind == Pointer {
			return in, true
		}
		return Type{}, true
	case "NonNull":
		in := inner()
		return Type{Kind: Pointer, Elem: &in}, true
	case "Box", "KBox", "KVBox", "VBox":
		in := inner()
		return Type{Kind: Pointer, Elem: &in}, true
	case "Pin", "ManuallyDrop", "MaybeUninit", "UnsafeCell", "Cell", "SyncUnsafeCell":
		return inner(), true
	case "Opaque":
		// A C object embedded in Rust, which Rust never looks into.
		in := inner()
		return Type{Kind: Record, Opaque: true, Name: in.Name}, true
	}
	return Type{}, false
}

// bindgenPath reports whether a path names bindgen output: a prefix
// through a `bindings` module, or a bare name a use imports from one.
func (r *Resolver) bindgenPath(prefix []string, name string, ctx RustContext) bool {
	if len(prefix) > 0 {
		return slices.Contains(prefix, "bindings")
	}
	if ctx.File == nil {
		return false
	}
	for _, u := range ctx.File.Uses {
		if u.Alias == name {
			return strings.HasSuffix(strings.TrimSuffix(u.Path, "::"+name), "bindings")
		}
	}
	return false
}

// bindgenType is what bindings::NAME is: the C typedef, struct, union or
// enum bindgen generated it from.
func (r *Resolver) bindgenType(name string) Type {
	t := r.typedef(name, 0)
	t.Text = "bindings::" + name
	return t
}

func isStdPrefix(prefix []string) bool {
	switch prefix[0] {
	case "core", "std", "":
		return true
	}
	return false
}

func isFFIPrefix(prefix []string) bool {
	switch prefix[len(prefix)-1] {
	case "ffi", "raw", "libc", "ctypes":
		return true
	}
	return false
}

func isCratePrefix(prefix []string) bool {
	switch prefix[0] {
	case "crate", "self", "super":
		return true
	}
	return false
}

// RustItem is a Rust struct, enum, union or type alias.
type RustItem struct {
	Path string
	File *facts.Rust
	Type *facts.RType
}

// LookupRust finds the struct, enum, union or type alias name denotes in
// ctx: the file's own item, else — when a use imports name, or a glob
// use may — the one item of that name in the crate's directory tree, else
// in the workspace. Several candidates that differ leave it unresolved.
func (r *Resolver) LookupRust(name string, ctx RustContext) (RustItem, bool) {
	if ctx.File != nil {
		for i := range ctx.File.Types {
			if t := &ctx.File.Types[i]; t.Name == name && isTypeItem(t.Kind) {
				return RustItem{Path: ctx.Path, File: ctx.File, Type: t}, true
			}
		}
	}
	imported, glob := usesName(ctx.File, name)
	if !imported && !glob {
		return RustItem{}, false
	}
	all := r.rustTable()[name]
	dir := path.Dir(ctx.Path)
	var near []RustItem
	for _, it := range all {
		if strings.HasPrefix(it.Path, dir+"/") {
			near = append(near, it)
		}
	}
	if len(near) > 0 {
		return unique(near)
	}
	if imported {
		return unique(all)
	}
	return RustItem{}, false
}

// unique returns the one item of items, or the first when all agree in
// kind and representation.
func unique(items []RustItem) (RustItem, bool) {
	if len(items) == 0 {
		return RustItem{}, false
	}
	for _, it := range items[1:] {
		if it.Type.Kind != items[0].Type.Kind || !slices.Equal(it.Type.Repr, items[0].Type.Repr) || it.Type.Type != items[0].Type.Type {
			return RustItem{}, false
		}
	}
	return items[0], true
}

// usesName reports whether a use of file imports name, or a glob use
// might.
func usesName(file *facts.Rust, name string) (imported, glob bool) {
	if file == nil {
		return false, false
	}
	for _, u := range file.Uses {
		switch u.Alias {
		case name:
			return true, false
		case "*":
			glob = true
		}
	}
	return false, glob
}

func isTypeItem(kind string) bool {
	switch kind {
	case "struct", "enum", "union", "type":
		return true
	}
	return false
}

// rustTable returns the workspace's Rust type items by name, built once
// per snapshot and shared by the resolvers of that snapshot.
func (r *Resolver) rustTable() map[string][]RustItem {
	if r.table == nil {
		r.table = tableFor(r.snap)
	}
	return r.table.byName
}

type rustTypes struct {
	snap   *index.Snapshot
	byName map[string][]RustItem
}

// lastTable caches the table of the most recent snapshot: `rivet check`
// checks every file against one snapshot. Holding the snapshot pointer
// keeps its address from being reused by another.
var lastTable struct {
	mu sync.Mutex
	t  *rustTypes
}

func tableFor(snap *index.Snapshot) *rustTypes {
	lastTable.mu.Lock()
	defer lastTable.mu.Unlock()
	if t := lastTable.t; t != nil && t.snap == snap {
		return t
	}
	t := &rustTypes{snap: snap, byName: map[string][]RustItem{}}
	snap.Files(func(f *index.File) bool {
		if f.Rust == nil {
			return true
		}
		for i := range f.Rust.Types {
			it := &f.Rust.Types[i]
			if isTypeItem(it.Kind) {
				t.byName[it.Name] = append(t.byName[it.Name], RustItem{Path: f.Path, File: f.Rust, Type: it})
			}
		}
		return true
	})
	for _, items := range t.byName {
		slices.SortFunc(items, func(a, b RustItem) int { return strings.Compare(a.Path, b.Path) })
	}
	lastTable.t = t
	return t
}
