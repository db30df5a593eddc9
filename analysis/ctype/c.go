package ctype

import (
	"strconv"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// maxDepth bounds typedef and alias chains and nesting, so a cycle
// (`typedef struct a a;` is fine, a hand-made loop is not) ends.
const maxDepth = 16

// Resolver turns C and Rust types into Types against one index
// snapshot. It memoises typedefs and Rust lookups; use one per pass, not
// concurrently.
type Resolver struct {
	snap  *index.Snapshot
	model Model

	typedefs map[string]typedefResult
	table    *rustTypes
}

type typedefResult struct {
	t     Type
	found bool
}

// NewResolver returns a resolver reading snap under model.
func NewResolver(snap *index.Snapshot, model Model) *Resolver {
	return &Resolver{snap: snap, model: model, typedefs: map[string]typedefResult{}}
}

// Model is the resolver's data model.
func (r *Resolver) Model() Model { return r.model }

// C normalises a C type. Array parameters decay to pointers only through
// CParam; here an array stays an array.
func (r *Resolver) C(t *facts.CType) Type { return r.c(t, 0) }

// CSig normalises a C function's signature; array parameters decay to
// pointers, as C says they do.
func (r *Resolver) CSig(f *facts.CFunc) Sig {
	s := Sig{Ret: r.C(&f.Return), Variadic: f.Variadic}
	for i := range f.Params {
		s.Params = append(s.Params, r.CParam(&f.Params[i].Type))
	}
	return s
}

// CParam normalises the type of a parameter: an array decays to a
// pointer to its element, a function to a pointer to it.
func (r *Resolver) CParam(t *facts.CType) Type {
	n := r.C(t)
	switch n.Kind {
	case Array:
		if n.Elem != nil {
			return pointerTo(*n.Elem, n.Text)
		}
	case Func:
		return pointerTo(n, n.Text)
	}
	return n
}

func (r *Resolver) c(t *facts.CType, depth int) Type {
	if t == nil || depth > maxDepth {
		return Type{}
	}
	var out Type
	switch t.Kind {
	case facts.CTypeVoid:
		out = Type{Kind: Void}
	case facts.CTypeNamed:
		out = r.cNamed(t.Name, depth)
	case facts.CTypeRecord:
		out = Type{Kind: Record, Name: t.Name, Union: t.Union}
	case facts.CTypeEnum:
		out = Type{Kind: Int, Size: 4, Enum: true, Name: t.Name}
	case facts.CTypePointer:
		elem := r.c(t.Elem, depth+1)
		out = Type{Kind: Pointer, Elem: &elem}
	case facts.CTypeArray:
		elem := r.c(t.Elem, depth+1)
		out = Type{Kind: Array, Elem: &elem, Len: arrayLen(t.Len)}
	case facts.CTypeFunc:
		if t.Func != nil {
			sig := r.cFuncType(t.Func, depth)
			out = Type{Kind: Func, Sig: &sig}
		}
	}
	// Qualifiers belong to the level they are written on; a typedef's own
	// const survives (`typedef const int cint;`).
	out.Const = out.Const || t.Const
	out.Text = t.Text
	return out
}

func (r *Resolver) cFuncType(f *facts.CFuncType, depth int) Sig {
	s := Sig{Ret: r.c(&f.Return, depth+1), Variadic: f.Variadic}
	for i := range f.Params {
		p := r.c(&f.Params[i], depth+1)
		switch p.Kind {
		case Array:
			if p.Elem != nil {
				p = pointerTo(*p.Elem, p.Text)
			}
		case Func:
			p = pointerTo(p, p.Text)
		}
		s.Params = append(s.Params, p)
	}
	return s
}

// arrayLen reads a literal array length; anything else (a macro, an
// expression) is -1.
func arrayLen(s string) int {
	n, err := strconv.ParseUint(strings.TrimRight(strings.TrimSpace(s), "uUlL"), 0, 31)
	if err != nil {
		return -1
	}
	return int(n)
}

// cNamed resolves a keyword type or a typedef name.
func (r *Resolver) cNamed(name string, depth int) Type {
	if t, ok := r.keywordType(name); ok {
		return t
	}
	if t, ok := r.fixedType(name); ok {
		return t
	}
	return r.typedef(name, depth)
}

// keywordType parses a type made of C keywords: "unsigned long",
// "long long int", "signed char", "_Bool", "double".
func (r *Resolver) keywordType(name string) (Type, bool) {
	var longs int
	var signed, unsigned, char, short, int_, boolean, float, double, void bool
	for _, w := range strings.Fields(name) {
		switch w {
		case "long":
			longs++
		case "signed", "__signed__", "__signed":
			signed = true
		case "unsigned":
			unsigned = true
		case "char":
			char = true
		case "short":
			short = true
		case "int":
			int_ = true
		case "_Bool", "bool":
			boolean = true
		case "float":
			float = true
		case "double":
			double = true
		case "void":
			void = true
		default:
			return Type{}, false
		}
	}
	sign := Signed
	if unsigned {
		sign = Unsigned
	}
	switch {
	case void:
		return Type{Kind: Void}, true
	case boolean:
		return Type{Kind: Int, Size: 1, Sign: Unsigned, Bool: true}, true
	case float:
		return Type{Kind: Float, Size: 4}, true
	case double && longs > 0:
		return Type{Kind: Float, Size: 16}, true
	case double:
		return Type{Kind: Float, Size: 8}, true
	case char && !signed && !unsigned:
		return Type{Kind: Int, Size: 1, Sign: r.model.CharSign, Char: true}, true
	case char:
		return intType(1, sign, name), true
	case short:
		return intType(2, sign, name), true
	case longs >= 2:
		return intType(8, sign, name), true
	case longs == 1:
		return intType(r.model.Long, sign, name), true
	case int_ || signed || unsigned:
		return intType(4, sign, name), true
	}
	return Type{}, false
}

// fixedType knows the integer typedefs every kernel and libc has, so
// their (per-architecture, #ifdef'd) definitions need not be parsed.
func (r *Resolver) fixedType(name string) (Type, bool) {
	if t, ok := fixedWidth(name); ok {
		return t, true
	}
	p := r.model.Ptr
	switch name {
	case "size_t", "__kernel_size_t", "uintptr_t", "__kernel_uintptr_t", "__kernel_ulong_t":
		return intType(p, Unsigned, name), true
	case "ssize_t", "__kernel_ssize_t", "ptrdiff_t", "__kernel_ptrdiff_t", "intptr_t", "__kernel_long_t":
		return intType(p, Signed, name), true
	case "bool", "_Bool":
		return Type{Kind: Int, Size: 1, Sign: Unsigned, Bool: true}, true
	case "loff_t", "__kernel_loff_t":
		return intType(8, Signed, name), true
	}
	return Type{}, false
}

// fixedWidth parses the fixed-width integer names: u8..u64, s8..s64,
// __u8..__s64, uint8_t..int64_t, u_int8_t.., and the sparse-annotated
// __le16/__be32 & co (bitwise, same width), __sum16, __wsum, __poll_t.
func fixedWidth(name string) (Type, bool) {
	switch name {
	case "__sum16":
		return intType(2, Unsigned, name), true
	case "__wsum", "__poll_t":
		return intType(4, Unsigned, name), true
	}
	n := strings.TrimPrefix(name, "__")
	var sign Sign
	var bits string
	switch {
	case strings.HasPrefix(n, "le"), strings.HasPrefix(n, "be"):
		if len(n) == len(name) {
			return Type{}, false // only __le32, not le32
		}
		sign, bits = Unsigned, n[2:]
	case strings.HasPrefix(n, "uint") && strings.HasSuffix(n, "_t"):
		sign, bits = Unsigned, strings.TrimSuffix(n[4:], "_t")
	case strings.HasPrefix(n, "u_int") && strings.HasSuffix(n, "_t"):
		sign, bits = Unsigned, strings.TrimSuffix(n[5:], "_t")
	case strings.HasPrefix(n, "int") && strings.HasSuffix(n, "_t"):
		sign, bits = Signed, strings.TrimSuffix(n[3:], "_t")
	case strings.HasPrefix(n, "u"):
		sign, bits = Unsigned, n[1:]
	case strings.HasPrefix(n, "s"):
		sign, bits = Signed, n[1:]
	default:
		return Type{}, false
	}
	switch bits {
	case "8":
		return intType(1, sign, name), true
	case "16":
		return intType(2, sign, name), true
	case "32":
		return intType(4, sign, name), true
	case "64":
		return intType(8, sign, name), true
	}
	return Type{}, false
}

// typedef resolves a typedef through the index: every declaration of
// name with facts must agree, or the result is Unknown (an #ifdef'd
// per-configuration typedef cannot be trusted). A typedef of an
// anonymous struct takes the typedef's name.
func (r *Resolver) typedef(name string, depth int) Type {
	if res, ok := r.typedefs[name]; ok {
		return res.t
	}
	r.typedefs[name] = typedefResult{} // a cycle resolves to Unknown
	var out Type
	found := false
	for _, td := range r.typedefFacts(name) {
		t := r.c(&td.Type, depth+1)
		if t.Kind == Record && t.Name == "" {
			t.Name = name
		}
		if t.Base == "" && td.Type.Kind == facts.CTypeNamed {
			t.Base = td.Type.Name
		}
		if !found {
			out, found = t, true
			continue
		}
		if !sameLayout(out, t) {
			out = Type{}
			break
		}
	}
	if out.Kind == Unknown && !found {
		// A struct or union declared under the name with no typedef is
		// bindgen's view of it: `bindings::device` is struct device.
		out = r.recordNamed(name)
	}
	r.typedefs[name] = typedefResult{t: out, found: found}
	return out
}

// recordNamed returns the struct, union or enum named tag, or Unknown.
func (r *Resolver) recordNamed(tag string) Type {
	for _, d := range r.snap.CDecls(tag) {
		switch d.Decl.Kind {
		case facts.DeclStruct:
			return Type{Kind: Record, Name: tag}
		case facts.DeclUnion:
			return Type{Kind: Record, Name: tag, Union: true}
		case facts.DeclEnum:
			return Type{Kind: Int, Size: 4, Enum: true, Name: tag}
		}
	}
	return Type{}
}

// typedefFacts returns the parsed typedefs named name.
func (r *Resolver) typedefFacts(name string) []*facts.CTypedef {
	var out []*facts.CTypedef
	for _, d := range r.snap.CDecls(name) {
		if d.Decl.Kind != facts.DeclTypedef || d.File.C == nil {
			continue
		}
		for i := range d.File.C.Typedefs {
			td := &d.File.C.Typedefs[i]
			if td.Name == name && td.NameSpan.Start == d.Decl.Name0 {
				out = append(out, td)
			}
		}
	}
	return out
}

// MissingTypedefs lists the typedef names the signatures of fns reach
// (through typedefs already parsed) whose declarations have no facts yet:
// what another index.Ensure round must parse before CSig can resolve
// them. Names fixedType knows are left out.
func MissingTypedefs(snap *index.Snapshot, fns []*facts.CFunc) []string {
	r := NewResolver(snap, LP64)
	seen := map[string]bool{}
	var missing []string
	var walk func(t *facts.CType, depth int)
	walk = func(t *facts.CType, depth int) {
		if t == nil || depth > maxDepth {
			return
		}
		if t.Kind == facts.CTypeNamed && !seen[t.Name] {
			seen[t.Name] = true
			if _, ok := r.keywordType(t.Name); !ok {
				if _, ok := r.fixedType(t.Name); !ok {
					tds := r.typedefFacts(t.Name)
					if len(tds) == 0 && hasTypedefDecl(snap, t.Name) {
						missing = append(missing, t.Name)
					}
					for _, td := range tds {
						walk(&td.Type, depth+1)
					}
				}
			}
		}
		walk(t.Elem, depth+1)
		if t.Func != nil {
			walk(&t.Func.Return, depth+1)
			for i := range t.Func.Params {
				walk(&t.Func.Params[i], depth+1)
			}
		}
	}
	for _, f := range fns {
		walk(&f.Return, 0)
		for i := range f.Params {
			walk(&f.Params[i].Type, 0)
		}
	}
	return missing
}

func hasTypedefDecl(snap *index.Snapshot, name string) bool {
	for _, d := range snap.CDecls(name) {
		if d.Decl.Kind == facts.DeclTypedef {
			return true
		}
	}
	return false
}
