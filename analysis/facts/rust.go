package facts

import "strings"

// Rust is what a Rust file declares, references and calls.
type Rust struct {
	Mods         []RMod
	Fns          []RFn
	Types        []RType
	Impls        []RImpl
	ExternBlocks []RExternBlock
	Uses         []RUse
	BindingRefs  []RBindingRef
	Calls        []RCall
	Annotations  []Annotation
}

// RMod is `mod NAME;` or `mod NAME { ... }`.
type RMod struct {
	Name     string
	NameSpan Span
	Span     Span
	Inline   bool
}

// RFn is a function: free, associated (in an impl or trait), or foreign
// (an item of an extern block).
type RFn struct {
	Name        string
	NameSpan    Span
	Span        Span
	BodySpan    Span // empty for declarations without a body
	Pub         bool
	Unsafe      bool
	ABI         string // "C" for extern "C" fns and extern "C" block items; "" otherwise
	NoMangle    bool   // #[no_mangle] or #[unsafe(no_mangle)]
	ExportName  string // #[export_name = "..."]
	LinkName    string // #[link_name = "..."] on extern block items
	Params      []RParam
	Variadic    bool
	Ret         string // return type text; "" for ()
	Impl        int    // index into Rust.Impls, or -1
	Trait       int    // index into Rust.Types of the enclosing trait, or -1
	ExternBlock int    // index into Rust.ExternBlocks, or -1
	Doc         string // doc comments, markers stripped
	SafetyDoc   bool   // the doc has a "# Safety" section
}

// Symbol is the C symbol the function is visible as, or "" when it is
// not exported to or imported from C.
func (f *RFn) Symbol() string {
	switch {
	case f.ExportName != "":
		return f.ExportName
	case f.LinkName != "":
		return f.LinkName
	case f.NoMangle, f.ExternBlock >= 0:
		return f.Name
	}
	return ""
}

// RParam is a parameter; Name is the pattern text ("self" for receivers).
type RParam struct {
	Name string
	Type string
	Span Span
}

// RType is a named type-level item: struct, enum, union, trait, type
// alias, const, static or macro_rules!.
type RType struct {
	Kind     string // "struct", "enum", "union", "trait", "type", "const", "static", "macro"
	Name     string
	NameSpan Span
	Span     Span
	Pub      bool
	Repr     []string // #[repr(...)] arguments: "C", "transparent", "u8"
	Fields   []RField // struct/union fields; enum variants
	Type     string   // const/static/type alias: the type text
	Doc      string
	// NoMangle and ExportName are a static's #[no_mangle] (or
	// #[unsafe(no_mangle)]) and #[export_name = "..."]: C code can name
	// such a static (`extern const struct file_operations rust_binder_fops;`).
	NoMangle   bool
	ExportName string
}

// Symbol is the C symbol a static is visible as, or "" when it is not
// exported.
func (t *RType) Symbol() string {
	switch {
	case t.ExportName != "":
		return t.ExportName
	case t.NoMangle:
		return t.Name
	}
	return ""
}

// RField is a struct field or enum variant.
type RField struct {
	Name string // "0", "1" for tuple fields
	Type string
	Span Span
}

// RImpl is an impl block.
type RImpl struct {
	Trait      string // trait path as written ("crate::sync::aref::AlwaysRefCounted"), "" for inherent impls
	Target     string // self type as written ("Device", "Device<Ctx>")
	TargetName string // the self type's last path segment without generics ("Device")
	Unsafe     bool
	Span       Span
	Fns        []int // indexes into Rust.Fns
}

// TraitName is the trait's last path segment without generics.
func (i *RImpl) TraitName() string { return LastSegment(i.Trait) }

// LastSegment is a Rust path's last segment without generic arguments:
// "crate::sync::aref::AlwaysRefCounted<T>" gives "AlwaysRefCounted".
func LastSegment(path string) string {
	if j := strings.IndexByte(path, '<'); j >= 0 {
		path = path[:j]
	}
	if j := strings.LastIndex(path, "::"); j >= 0 {
		path = path[j+2:]
	}
	return strings.TrimSpace(path)
}

// RExternBlock is `extern "ABI" { ... }` (possibly `unsafe extern`).
type RExternBlock struct {
	ABI     string
	Unsafe  bool
	Span    Span
	Fns     []int // indexes into Rust.Fns
	Statics []RField
}

// RUse is one name a use declaration brings into scope. Groups are
// flattened: `use kernel::{bindings, c_str};` gives two.
type RUse struct {
	Path  string // the full path: "kernel::bindings"
	Alias string // the name in scope: last segment, the `as` alias, or "*" for globs
	Span  Span
}

// RefKind says how a bindings:: path is used.
type RefKind uint8

const (
	RefValue RefKind = iota + 1 // a constant or static read, or a fn passed as a value
	RefCall                     // the callee of a call expression
	RefType                     // in type position: bindings::device
)

// RBindingRef is a path that reaches a bindgen name: `bindings::NAME`,
// `kernel::bindings::NAME`, `crate::bindings::NAME`, or NAME through a use
// of one of those.
type RBindingRef struct {
	Name     string // NAME
	Span     Span   // NAME's span
	PathSpan Span   // the whole path
	Kind     RefKind
	Fn       int // index into Rust.Fns of the enclosing function, or -1
}

// RCall is a call expression.
type RCall struct {
	Callee string // as written: "bindings::get_device", "ARef::from_raw", "drop"
	Method bool   // a method call: Callee is the method name, Receiver its receiver text
	Recv   string
	Span   Span // the whole call expression
	Fn     int  // index into Rust.Fns of the enclosing function, or -1
}
