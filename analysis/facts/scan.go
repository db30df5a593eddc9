package facts

// Scan is the cheap whole-tree pass's view of a C file (package cscan): the
// names it declares, where, and what its bodies call, found by a lexer
// without a syntax tree. It is the index of everything; tree-sitter facts
// (C) are computed only for the declarations that matter.
type Scan struct {
	Decls    []ScanDecl
	Includes []string   // #include targets as written
	Callees  []string   // distinct identifiers called (`name(`) inside function bodies, sorted
	Cleanups []CCleanup // DEFINE_FREE and friends, found without parsing
}

// DeclKind classifies a scanned declaration.
type DeclKind uint8

const (
	DeclFunc DeclKind = iota + 1
	DeclMacro
	DeclStruct
	DeclUnion
	DeclEnum
	DeclTypedef
	DeclGlobal
	DeclEnumerator
)

func (k DeclKind) String() string {
	switch k {
	case DeclFunc:
		return "function"
	case DeclMacro:
		return "macro"
	case DeclStruct:
		return "struct"
	case DeclUnion:
		return "union"
	case DeclEnum:
		return "enum"
	case DeclTypedef:
		return "typedef"
	case DeclGlobal:
		return "global"
	case DeclEnumerator:
		return "enumerator"
	}
	return "unknown"
}

// ScanFlags qualify a scanned declaration.
type ScanFlags uint8

const (
	FlagDefinition ScanFlags = 1 << iota // a function with a body, a struct with fields
	FlagStatic
	FlagInline
	FlagFuncLike // a function-like macro
	FlagMustCheck
	FlagExtern
)

// ScanDecl is one file-scope declaration.
type ScanDecl struct {
	Name  string
	Kind  DeclKind
	Flags ScanFlags
	Name0 uint32 // byte offset of the name
	Span  Span   // the whole declaration: prototype, body, macro lines
	Line  uint32 // zero-based line of the name
}

// Has reports whether all of f are set.
func (d ScanDecl) Has(f ScanFlags) bool { return d.Flags&f == f }
