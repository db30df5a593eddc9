// Package ctype normalises the types of both sides of the FFI boundary
// and compares them: a C type as cfacts extracted it (facts.CType,
// typedefs resolved through the index) and a Rust type as written in a
// signature ("*mut DemoStatsC", "Option<unsafe extern \"C\" fn(c_int)>").
//
// Both become a Type: what the type is to the C ABI (an integer of some
// width and signedness, a pointer to something, a record, a function),
// under a data model (lp64, ilp32, llp64). Compare then says whether a
// Rust declaration and a C prototype agree (Equal), differ in a way that
// cannot corrupt anything (Harmless: a stricter const on the Rust side),
// or disagree (Mismatch, with its Kind and whether it corrupts data).
//
// Whatever cannot be resolved — a generic parameter, a typedef whose
// declaration has no facts, a Rust type declared twice with different
// layouts — is Unknown, and Unknown agrees with everything: the rules
// built on this package report only what they are sure of.
package ctype

import (
	"strconv"
	"strings"
)

// Kind says what a Type is to the C ABI.
type Kind uint8

const (
	// Unknown could not be resolved; it compares equal to everything.
	Unknown Kind = iota
	Void
	// Int is an integer, a bool, a char or an enum.
	Int
	Float
	// Pointer is a pointer; Elem is the pointee. Rust references,
	// NonNull, Option<&T> and function pointers are pointers too.
	Pointer
	// Record is a struct or union passed by value (or pointed to).
	Record
	// Array is a fixed-size array; Elem is the element.
	Array
	// Func is a function type; it appears only as a pointee.
	Func
)

func (k Kind) String() string {
	return [...]string{"unknown", "void", "integer", "floating-point", "pointer", "struct", "array", "function"}[k]
}

// Sign is an integer's signedness.
type Sign uint8

const (
	// AnySign is a signedness the target decides (a plain char outside
	// the kernel, an enum): it agrees with both others.
	AnySign Sign = iota
	Signed
	Unsigned
)

// Type is a normalised type.
type Type struct {
	Kind Kind
	// Size is the width in bytes of an Int or Float.
	Size int
	Sign Sign
	// Bool marks bool / _Bool; Char a plain char (C char, Rust c_char);
	// Enum an Int that is a C enum or a Rust enum with an integer repr.
	Bool, Char, Enum bool
	// Const is set when this level is const-qualified: on a pointee, the
	// pointer does not allow writes (C `const T *`, Rust `*const T`, `&T`).
	Const bool
	// Elem is the pointee of a Pointer and the element of an Array.
	Elem *Type
	// Len is an Array's length, -1 when it is not a literal.
	Len int
	// Name is a Record's C tag (or typedef name for an anonymous struct),
	// a Rust type's name, or an Enum's tag.
	Name  string
	Union bool
	// Rust marks a Record defined in Rust (Name is the Rust type): its
	// layout is Rust's business, so it agrees with any C record.
	Rust bool
	// Opaque marks a Record whose contents the other side must not see
	// (kernel::types::Opaque<T>, a C struct bindgen makes opaque): it
	// agrees with any record.
	Opaque bool
	// Def is the definition of a Record (or an Enum) defined in Rust.
	Def *RustItem
	// Sig is a Func's signature.
	Sig *Sig
	// Text is the type as written, for messages.
	Text string
	// Base is what a typedef name of Text resolves to, as written there:
	// "unsigned long" for a board_addr_t; "" when Text is no typedef.
	Base string
}

// Sig is a function signature.
type Sig struct {
	Params   []Type
	Ret      Type // Void for none
	Variadic bool
}

// Model is a C data model: the widths C's integer types have on the
// target.
type Model struct {
	Name string
	// Long and Ptr are the sizes of long and of pointers (size_t,
	// uintptr_t, Rust usize) in bytes.
	Long, Ptr int
	// CharSign is plain char's signedness: Unsigned in kernel trees (Linux
	// builds with -funsigned-char), AnySign when the target decides.
	CharSign Sign
}

// Models are the data models a configuration's Target may name.
var (
	LP64  = Model{Name: "lp64", Long: 8, Ptr: 8}
	ILP32 = Model{Name: "ilp32", Long: 4, Ptr: 4}
	LLP64 = Model{Name: "llp64", Long: 4, Ptr: 8}
)

// ModelFor returns the data model a configuration Target names (lp64 when
// target is empty or unknown); kernel says plain char is unsigned, as in
// every Linux build since 6.2.
func ModelFor(target string, kernel bool) Model {
	m := LP64
	switch target {
	case "ilp32":
		m = ILP32
	case "llp64":
		m = LLP64
	}
	if kernel {
		m.CharSign = Unsigned
	}
	return m
}

// intType returns an integer type of size bytes.
func intType(size int, sign Sign, text string) Type {
	return Type{Kind: Int, Size: size, Sign: sign, Text: text}
}

// pointerTo returns a pointer to elem.
func pointerTo(elem Type, text string) Type {
	return Type{Kind: Pointer, Elem: &elem, Text: text}
}

// Describe says what t is in a few words, for messages: "64-bit
// unsigned integer", "pointer to struct device", "struct demo_stats".
func (t Type) Describe() string {
	switch t.Kind {
	case Int:
		switch {
		case t.Bool:
			return "bool"
		case t.Enum && t.Name != "":
			return "enum " + t.Name + " (" + strconv.Itoa(t.Size*8) + "-bit)"
		}
		s := strconv.Itoa(t.Size*8) + "-bit"
		switch t.Sign {
		case Signed:
			s += " signed"
		case Unsigned:
			s += " unsigned"
		}
		return s + " integer"
	case Float:
		return strconv.Itoa(t.Size*8) + "-bit floating-point"
	case Pointer:
		if t.Elem == nil {
			return "pointer"
		}
		pre := "pointer to "
		if t.Elem.Const {
			pre += "const "
		}
		return pre + t.Elem.Describe()
	case Record:
		kw := "struct "
		if t.Union {
			kw = "union "
		}
		if t.Rust {
			kw = "Rust type "
		}
		if t.Name == "" {
			return strings.TrimSpace(kw)
		}
		return kw + t.Name
	case Array:
		n := "?"
		if t.Len >= 0 {
			n = strconv.Itoa(t.Len)
		}
		if t.Elem == nil {
			return "array of " + n
		}
		return "array of " + n + " " + t.Elem.Describe()
	case Func:
		return "function"
	}
	return t.Kind.String()
}
