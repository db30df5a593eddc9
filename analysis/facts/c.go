package facts

// C is what a C file declares and does, from a tree-sitter parse of the
// whole file or of selected declarations (File.Partial).
type C struct {
	Funcs       []CFunc
	Records     []CRecord
	Typedefs    []CTypedef
	Macros      []CMacro
	Globals     []CGlobal
	Enumerators []CEnumerator
	Includes    []CInclude
	Cleanups    []CCleanup
	Annotations []Annotation
}

// CFunc is a function prototype or definition.
type CFunc struct {
	Name       string
	NameSpan   Span
	Span       Span // the whole declaration, body included
	Definition bool // has a body
	Static     bool
	Inline     bool // inline, __always_inline
	Return     CType
	Params     []CParam
	Variadic   bool
	// Attrs are the function's annotations, normalised (Attr* names),
	// with arguments: {Name: "__acquires", Args: "&dev->lock"}.
	Attrs []Annotation
	// Doc is the kernel-doc comment (/** ... */) right above, markers
	// stripped; DocSpan locates it.
	Doc     string
	DocSpan Span
	Calls   []CCall // calls made in the body, in order
	Body    *CBody  // nil for prototypes
}

// HasAttr reports whether the function carries the named attribute.
func (f *CFunc) HasAttr(name string) bool {
	for _, a := range f.Attrs {
		if a.Name == name {
			return true
		}
	}
	return false
}

// CParam is one parameter. Unnamed parameters have Name "".
type CParam struct {
	Name string
	Type CType
	Span Span
}

// CTypeKind says what a CType is at its top level.
type CTypeKind uint8

const (
	CTypeNamed   CTypeKind = iota + 1 // a scalar keyword type or a typedef name
	CTypeRecord                       // struct or union NAME
	CTypeEnum                         // enum NAME
	CTypePointer                      // Elem is the pointee
	CTypeArray                        // Elem is the element; Len the length text
	CTypeFunc                         // Func holds the signature (reached through a pointer)
	CTypeVoid
)

// CType is a C type as declared, not resolved through typedefs (the index
// does that). Qualifiers and annotations belong to the level they are on:
// `const char __user *p` is Pointer{Elem: Named{"char", Const, Annots:
// [__user]}}.
type CType struct {
	Kind   CTypeKind
	Name   string // CTypeNamed: "unsigned long", "size_t"; Record/Enum: the tag ("device")
	Union  bool   // CTypeRecord: union rather than struct
	Const  bool
	Annots []string // __user, __iomem, __rcu, __percpu, __force
	Elem   *CType
	Len    string
	Func   *CFuncType
	Text   string // the type as written, whitespace-normalised
}

// CFuncType is the signature of a function pointer type.
type CFuncType struct {
	Return   CType
	Params   []CType
	Variadic bool
}

// CCall is a call in a function body.
type CCall struct {
	Name string   // the callee identifier; "" for calls through expressions
	Span Span     // the callee identifier
	Args []string // argument texts, whitespace-normalised, each capped at 200 bytes
}

// CBody summarises what a function body does, for the lifecycle knowledge.
type CBody struct {
	// ReturnsErrPtr: some path returns ERR_PTR(...) / ERR_CAST(...).
	ReturnsErrPtr bool
	ErrPtrSpan    Span
	// ReturnsNull: some path returns NULL (or 0 for a pointer return).
	ReturnsNull bool
	// ReturnedCalls are callees whose result is returned as is
	// (`return foo(...)`), for transitive ERR_PTR and helper wrapping.
	ReturnedCalls []string
	// Sleeps is direct evidence that the body may sleep: might_sleep(),
	// msleep(), schedule(), mutex_lock(), a GFP_KERNEL argument.
	Sleeps []Evidence
	// Stores are parameters kept beyond the call: assigned to a global,
	// added to a list, stored in an object the call does not own.
	Stores []ParamStore
	// KrefPuts are kref_put(&x->kref, release) calls: Release is the
	// release callback.
	KrefPuts []Evidence
}

// Evidence is one piece of body evidence: what was seen and where.
type Evidence struct {
	What string // "might_sleep", "GFP_KERNEL", "msleep", a release name
	Span Span
}

// ParamStore records that parameter Param outlives the call.
type ParamStore struct {
	Param int    // zero-based parameter index
	Into  string // "global", "list", "field"
	Span  Span
}

// CRecord is a struct, union or enum declaration.
type CRecord struct {
	Kind       string // "struct", "union", "enum"
	Name       string // tag; "" for anonymous
	NameSpan   Span
	Span       Span
	Definition bool // has a body
	Fields     []CField
	Doc        string
}

// CField is a member of a struct or union (for enums, see CEnumerator).
type CField struct {
	Name string
	Type CType
	Span Span
}

// CTypedef is `typedef TYPE NAME;`.
type CTypedef struct {
	Name     string
	NameSpan Span
	Span     Span
	Type     CType
}

// CMacro is a #define.
type CMacro struct {
	Name     string
	NameSpan Span
	Span     Span
	FuncLike bool
	Params   []string
	Body     string // replacement text, capped at 200 bytes
	Doc      string
}

// CGlobal is a file-scope variable or constant.
type CGlobal struct {
	Name     string
	NameSpan Span
	Span     Span
	Type     CType
	Static   bool
	Extern   bool
	Init     string // initialiser text, capped at 200 bytes
}

// CEnumerator is one constant of an enum.
type CEnumerator struct {
	Name     string
	NameSpan Span
	Enum     string // the enum's tag, "" for anonymous enums
	Value    string
}

// CInclude is an #include line.
type CInclude struct {
	Path   string // as written between the quotes or brackets
	System bool   // <...>
	Span   Span
}

// CCleanup is a file-scope cleanup.h declaration: DEFINE_FREE(name, type,
// free), DEFINE_GUARD(name, type, lock, unlock), DEFINE_CLASS(name, type,
// exit, init, args...), DEFINE_LOCK_GUARD_0/1(name, type, lock, unlock),
// and their _COND variants.
type CCleanup struct {
	Macro string   // "DEFINE_FREE", "DEFINE_GUARD", ...
	Args  []string // argument texts, whitespace-normalised
	Span  Span
}
