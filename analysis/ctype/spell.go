package ctype

import (
	"strconv"
	"strings"
)

// Spelling says how Rust code written by a fix names C types.
type Spelling struct {
	// FFI is the path of the C type aliases (c_int, c_void...):
	// "kernel::ffi" in kernel trees, "core::ffi" elsewhere.
	FFI string
	// Bindings is the path of bindgen's names ("bindings",
	// "kernel::bindings"); "" outside kernel trees, where C structs and
	// typedefs have no Rust name rivet can rely on.
	Bindings string
	// Imported holds the names the file brings into scope, which are
	// written bare.
	Imported map[string]bool
}

// Rust returns the Rust spelling of the C type t, as an extern "C"
// declaration of it would write it, or false when there is no sure one
// (an unknown type, a C struct outside a kernel tree).
func (s Spelling) Rust(t Type) (string, bool) {
	switch t.Kind {
	case Void:
		return "()", true
	case Int:
		return s.integer(t)
	case Float:
		if t.Size == 4 {
			return "f32", true
		}
		if t.Size == 8 {
			return "f64", true
		}
	case Pointer:
		return s.pointer(t)
	case Record:
		if t.Name != "" && !t.Rust && s.Bindings != "" {
			return s.bindgen(t.Name), true
		}
	}
	return "", false
}

// integer spells an integer: C's keyword types by their c_ alias, fixed
// widths by Rust's primitives, typedefs by bindgen's name in kernel trees.
func (s Spelling) integer(t Type) (string, bool) {
	text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t.Text), "const "))
	switch {
	case t.Bool:
		return "bool", true
	case t.Char:
		return s.ffi("c_char"), true
	case t.Enum:
		if t.Name != "" && s.Bindings != "" && !strings.HasPrefix(text, "enum ") {
			return s.bindgen(text), true
		}
		return s.ffi("c_uint"), true
	}
	if alias, ok := keywordAlias(text, t); ok {
		return s.ffi(alias), true
	}
	switch text {
	case "size_t", "__kernel_size_t", "uintptr_t":
		return "usize", true
	case "ssize_t", "__kernel_ssize_t", "ptrdiff_t", "intptr_t":
		return "isize", true
	}
	if _, fixed := fixedWidth(text); !fixed && isIdentifier(text) {
		if s.Bindings != "" {
			return s.bindgen(text), true // a typedef: gfp_t, pid_t
		}
		if t.Base != "" && t.Base != text {
			base := t
			base.Text, base.Base = t.Base, ""
			return s.integer(base)
		}
	}
	if t.Sign == AnySign {
		return "", false
	}
	prefix := "u"
	if t.Sign == Signed {
		prefix = "i"
	}
	switch t.Size {
	case 1, 2, 4, 8:
		return prefix + strconv.Itoa(t.Size*8), true
	}
	return "", false
}

// keywordAlias maps a C keyword type to its c_ alias.
func keywordAlias(text string, t Type) (string, bool) {
	words := strings.Fields(text)
	if len(words) == 0 {
		return "", false
	}
	longs := 0
	base := "int"
	for _, w := range words {
		switch w {
		case "long":
			longs++
		case "short":
			base = "short"
		case "char":
			base = "char"
		case "signed", "unsigned", "int":
		default:
			return "", false
		}
	}
	u := ""
	if t.Sign == Unsigned {
		u = "u"
	}
	switch {
	case base == "char" && t.Sign == Signed:
		return "c_schar", true
	case base == "char":
		return "c_uchar", true
	case base == "short":
		return "c_" + u + "short", true
	case longs >= 2:
		return "c_" + u + "longlong", true
	case longs == 1:
		return "c_" + u + "long", true
	}
	return "c_" + u + "int", true
}

// pointer spells a pointer: *mut or *const of the pointee, c_void for
// void, an Option of an extern "C" fn for a function pointer.
func (s Spelling) pointer(t Type) (string, bool) {
	if t.Elem == nil {
		return "", false
	}
	e := *t.Elem
	if e.Kind == Func && e.Sig != nil {
		return s.callback(*e.Sig)
	}
	var inner string
	switch e.Kind {
	case Void:
		inner = s.ffi("c_void")
	default:
		var ok bool
		if inner, ok = s.Rust(e); !ok {
			return "", false
		}
	}
	if e.Const {
		return "*const " + inner, true
	}
	return "*mut " + inner, true
}

// callback spells a function pointer type the way bindgen does.
func (s Spelling) callback(sig Sig) (string, bool) {
	var ps []string
	for _, p := range sig.Params {
		r, ok := s.Rust(p)
		if !ok {
			return "", false
		}
		ps = append(ps, r)
	}
	if sig.Variadic {
		ps = append(ps, "...")
	}
	out := `Option<unsafe extern "C" fn(` + strings.Join(ps, ", ") + ")"
	if sig.Ret.Kind != Void {
		r, ok := s.Rust(sig.Ret)
		if !ok {
			return "", false
		}
		out += " -> " + r
	}
	return out + ">", true
}

func (s Spelling) ffi(name string) string {
	if s.Imported[name] {
		return name
	}
	return s.FFI + "::" + name
}

func (s Spelling) bindgen(name string) string {
	if s.Imported[name] {
		return name
	}
	return s.Bindings + "::" + name
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
