package ctype

import (
	"strconv"
	"strings"
)

// Verdict is the outcome of comparing a C type with a Rust type.
type Verdict uint8

const (
	Equal Verdict = iota
	// Harmless differences cannot corrupt anything: a stricter const on
	// the Rust side, a bool where C has a byte.
	Harmless
	Mismatch
)

// MismatchKind classifies a mismatch.
type MismatchKind uint8

const (
	NoMismatch MismatchKind = iota
	// Arity: the two sides have different numbers of parameters.
	Arity
	// Variadic: one side is variadic, the other is not.
	Variadic
	// Width: integers (or floats, or the integers pointed to) of
	// different sizes.
	Width
	// Signedness: integers of one size, one signed, one unsigned.
	Signedness
	// PointerInteger: a pointer on one side, an integer on the other.
	PointerInteger
	// ConstDropped: the Rust side may write through a pointer C declared
	// const.
	ConstDropped
	// StructPointer: a struct (or array) by value on one side, a pointer
	// on the other.
	StructPointer
	// StructScalar: a struct by value on one side, a scalar on the other.
	StructScalar
	// FloatInteger: a floating-point type on one side, an integer on the
	// other.
	FloatInteger
	// Pointee: pointers to different types (different structs, a struct
	// and an integer).
	Pointee
	// ReturnType: one side returns a value, the other returns nothing.
	ReturnType
	// DifferentStruct: different structs by value.
	DifferentStruct
)

func (k MismatchKind) String() string {
	return [...]string{"", "arity", "variadic", "width", "signedness", "pointer vs integer", "const dropped",
		"struct vs pointer", "struct vs scalar", "float vs integer", "pointee type", "return type", "different struct"}[k]
}

// Direction says which side of the boundary defines the function, and so
// who receives the parameters and who the result.
type Direction uint8

const (
	// Import is an extern block item: Rust declares a C function. C
	// receives the parameters, Rust the result.
	Import Direction = iota + 1
	// Export is a #[no_mangle] or #[export_name] extern "C" fn: Rust
	// defines a function C declares. Rust receives the parameters, C the
	// result.
	Export
)

// Position values of Diff.Param that are not parameter indexes.
const (
	// Return is the return value.
	Return = -1
	// Whole is the signature as a whole (arity, variadic).
	Whole = -2
)

// Diff is one difference between a C and a Rust signature.
type Diff struct {
	Verdict Verdict
	Kind    MismatchKind
	// Corrupts is set when the mismatch corrupts data or crashes
	// (different widths, a struct where a pointer is expected); unset
	// when it only misreads values (signedness) or may write what C
	// declared read-only.
	Corrupts bool
	// Param is the zero-based parameter index, Return, or Whole.
	Param int
	// C and Rust are the types at Param (for Whole, the signatures'
	// parameter counts are in CParams and RustParams).
	C, Rust              Type
	CParams, RustParams  int
	CVariadic, RVariadic bool
	// Inner is set when the difference lies under a pointer or inside a
	// callback: the types that differ there.
	Inner *Diff
	// Callback marks a difference between two function types: Inner is
	// the difference between their signatures (with its own Param).
	Callback bool
}

// where names the position of a difference inside a signature.
func (d Diff) where() string {
	switch d.Param {
	case Whole:
		return ""
	case Return:
		return "return value: "
	}
	return "parameter " + strconv.Itoa(d.Param+1) + ": "
}

// CompareSigs compares a C prototype with the Rust declaration of the
// same function and returns every difference that is not Equal, in order:
// arity (which stops the parameter comparison: positions no longer line
// up), then parameters, then the return value.
func (m Model) CompareSigs(c, r Sig, dir Direction) []Diff {
	var out []Diff
	if len(c.Params) != len(r.Params) {
		out = append(out, Diff{Verdict: Mismatch, Kind: Arity, Corrupts: true, Param: Whole,
			CParams: len(c.Params), RustParams: len(r.Params), CVariadic: c.Variadic, RVariadic: r.Variadic})
	} else if c.Variadic != r.Variadic {
		out = append(out, Diff{Verdict: Mismatch, Kind: Variadic, Corrupts: true, Param: Whole,
			CParams: len(c.Params), RustParams: len(r.Params), CVariadic: c.Variadic, RVariadic: r.Variadic})
	}
	if len(out) == 0 {
		for i := range c.Params {
			if d := m.compareValue(c.Params[i], r.Params[i], dir == Export); d.Verdict != Equal {
				d.Param = i
				out = append(out, d)
			}
		}
	}
	if d := m.compareReturn(c.Ret, r.Ret, dir == Import); d.Verdict != Equal {
		d.Param = Return
		out = append(out, d)
	}
	return out
}

// Compare compares two types at one position; rustReceives says the
// value flows from C to Rust (an export's parameter, an import's result),
// which decides whether a dropped const matters.
func (m Model) Compare(c, r Type, rustReceives bool) Diff {
	return m.compareValue(c, r, rustReceives)
}

// compareReturn compares results: a value the receiver expects but the
// provider never returns is a mismatch; one the receiver ignores is not.
func (m Model) compareReturn(c, r Type, rustReceives bool) Diff {
	cVoid, rVoid := c.Kind == Void, r.Kind == Void
	switch {
	case cVoid && rVoid:
		return Diff{}
	case cVoid != rVoid:
		if c.Kind == Unknown || r.Kind == Unknown {
			return Diff{}
		}
		receiverVoid := cVoid
		if rustReceives {
			receiverVoid = rVoid
		}
		d := Diff{Verdict: Mismatch, Kind: ReturnType, Corrupts: true, C: c, Rust: r}
		if receiverVoid {
			d.Verdict, d.Kind, d.Corrupts = Harmless, NoMismatch, false
		}
		return d
	}
	return m.compareValue(c, r, rustReceives)
}

// compareValue compares two types passed by value.
func (m Model) compareValue(c, r Type, rustReceives bool) Diff {
	d := Diff{C: c, Rust: r}
	if c.Kind == Unknown || r.Kind == Unknown {
		return d
	}
	switch {
	case c.Kind == Pointer && r.Kind == Pointer:
		return m.comparePointers(d, rustReceives)
	case c.Kind == Record && r.Kind == Record:
		return m.compareRecords(d)
	case c.Kind == Array && r.Kind == Array:
		return m.compareArrays(d, rustReceives)
	}
	if k, ok := scalarKinds(c.Kind, r.Kind); ok {
		return m.compareScalars(d, k)
	}
	return m.classMismatch(d)
}

// scalarKinds reports whether both kinds are numbers.
func scalarKinds(a, b Kind) (Kind, bool) {
	num := func(k Kind) bool { return k == Int || k == Float }
	if !num(a) || !num(b) {
		return 0, false
	}
	if a != b {
		return Unknown, true // a float and an integer
	}
	return a, true
}

// compareScalars compares two numbers; k is their common kind, Unknown
// for a float against an integer.
func (m Model) compareScalars(d Diff, k Kind) Diff {
	c, r := d.C, d.Rust
	switch {
	case k == Unknown:
		d.Verdict, d.Kind, d.Corrupts = Mismatch, FloatInteger, true
	case c.Bool || r.Bool:
		switch {
		case c.Bool && r.Bool:
		case c.Size == r.Size:
			d.Verdict = Harmless // a bool where C has a byte, or the reverse
		default:
			d.Verdict, d.Kind, d.Corrupts = Mismatch, Width, true
		}
	case c.Size != r.Size:
		d.Verdict, d.Kind, d.Corrupts = Mismatch, Width, true
	case k == Int && c.Sign != AnySign && r.Sign != AnySign && c.Sign != r.Sign:
		d.Verdict, d.Kind = Mismatch, Signedness
	}
	return d
}

// compareRecords compares structs by value: two C structs must be the
// same one; a Rust-defined or opaque one agrees (its layout is
// repr-c-missing's concern).
func (m Model) compareRecords(d Diff) Diff {
	c, r := d.C, d.Rust
	if c.Rust || r.Rust || c.Opaque || r.Opaque || c.Name == "" || r.Name == "" {
		return d
	}
	if c.Name != r.Name || c.Union != r.Union {
		d.Verdict, d.Kind, d.Corrupts = Mismatch, DifferentStruct, true
	}
	return d
}

// compareArrays compares arrays (inside structs or pointed to).
func (m Model) compareArrays(d Diff, rustReceives bool) Diff {
	c, r := d.C, d.Rust
	if c.Elem == nil || r.Elem == nil {
		return d
	}
	in := m.compareValue(*c.Elem, *r.Elem, rustReceives)
	if in.Verdict == Mismatch {
		d.Verdict, d.Kind, d.Corrupts, d.Inner = in.Verdict, in.Kind, in.Corrupts, &in
		return d
	}
	if c.Len >= 0 && r.Len >= 0 && c.Len != r.Len {
		d.Verdict, d.Kind, d.Corrupts = Mismatch, Width, true
	}
	return d
}

// classMismatch classifies two types of different kinds.
func (m Model) classMismatch(d Diff) Diff {
	c, r := d.C.Kind, d.Rust.Kind
	d.Verdict, d.Corrupts = Mismatch, true
	has := func(k Kind) bool { return c == k || r == k }
	switch {
	case has(Pointer) && has(Int):
		d.Kind = PointerInteger
		// usize for a pointer is the same register on every Linux target;
		// a narrower integer truncates the address.
		d.Corrupts = intSize(d.C, d.Rust) != m.Ptr
	case has(Pointer) && (has(Record) || has(Array)):
		d.Kind = StructPointer
	case has(Record) && (has(Int) || has(Float)):
		d.Kind = StructScalar
	case has(Void):
		d.Kind = ReturnType
	default:
		d.Kind = Pointee
	}
	return d
}

// intSize is the size of whichever of a and b is an integer.
func intSize(a, b Type) int {
	if a.Kind == Int {
		return a.Size
	}
	return b.Size
}

// comparePointee compares what two pointers point to. rustReceives: a
// const C declared and Rust dropped lets Rust write what C passed as
// read-only; the other way round (Rust stricter) is harmless.
func (m Model) comparePointee(c, r Type, rustReceives bool) Diff {
	d := m.pointeeType(c, r, rustReceives)
	if d.Verdict == Mismatch {
		return d
	}
	switch {
	case c.Const && !r.Const && rustReceives:
		return Diff{Verdict: Mismatch, Kind: ConstDropped, C: c, Rust: r}
	case c.Const != r.Const && d.Verdict == Equal:
		d.Verdict = Harmless
	}
	return d
}

// comparePointers compares the pointees of d's two pointers and carries
// their difference, if any, as d's.
func (m Model) comparePointers(d Diff, rustReceives bool) Diff {
	if d.C.Elem == nil || d.Rust.Elem == nil {
		return d
	}
	in := m.comparePointee(*d.C.Elem, *d.Rust.Elem, rustReceives)
	if in.Verdict != Equal {
		d.Verdict, d.Kind, d.Corrupts, d.Inner = in.Verdict, in.Kind, in.Corrupts, &in
	}
	return d
}

// pointeeType compares pointee types, ignoring their own const.
func (m Model) pointeeType(c, r Type, rustReceives bool) Diff {
	d := Diff{C: c, Rust: r}
	switch {
	case c.Kind == Unknown || r.Kind == Unknown, c.Kind == Void || r.Kind == Void:
		// void * takes any pointer.
		return d
	case c.Kind == Pointer && r.Kind == Pointer:
		return m.comparePointers(d, rustReceives)
	case c.Kind == Func && r.Kind == Func:
		return m.compareCallbacks(d)
	case c.Kind == Record && r.Kind == Record:
		d = m.compareRecords(d)
		if d.Kind == DifferentStruct {
			d.Kind = Pointee
		}
		return d
	case c.Kind == Array && r.Kind == Array:
		return m.compareArrays(d, rustReceives)
	case c.Kind == Record && (r.Rust || r.Opaque), r.Kind == Record && (c.Rust || c.Opaque):
		return d
	}
	if k, ok := scalarKinds(c.Kind, r.Kind); ok {
		return m.compareScalars(d, k)
	}
	d.Verdict, d.Kind, d.Corrupts = Mismatch, Pointee, true
	if isByte(c) || isByte(r) || r.Rust || r.Opaque {
		// A byte pointer is how both languages say "raw memory".
		d.Corrupts = false
	}
	return d
}

// compareCallbacks compares the signatures of two function pointers; the
// first mismatch inside is the callback's.
func (m Model) compareCallbacks(d Diff) Diff {
	if d.C.Sig == nil || d.Rust.Sig == nil {
		return d
	}
	// Const is not judged inside callbacks: who writes depends on who
	// calls them, which the declarations do not say.
	for _, in := range m.CompareSigs(stripConst(*d.C.Sig), stripConst(*d.Rust.Sig), Import) {
		if in.Verdict == Mismatch {
			in := in
			d.Verdict, d.Kind, d.Corrupts, d.Inner, d.Callback = in.Verdict, in.Kind, in.Corrupts, &in, true
			return d
		}
	}
	return d
}

// stripConst returns sig with const removed from the pointees of its
// parameters and result.
func stripConst(sig Sig) Sig {
	out := Sig{Variadic: sig.Variadic, Ret: unconst(sig.Ret)}
	for _, p := range sig.Params {
		out.Params = append(out.Params, unconst(p))
	}
	return out
}

func unconst(t Type) Type {
	t.Const = false
	if t.Elem != nil {
		e := unconst(*t.Elem)
		t.Elem = &e
	}
	return t
}

func isByte(t Type) bool { return t.Kind == Int && t.Size == 1 && !t.Bool }

// sameLayout reports whether two C types are interchangeable (the
// per-configuration variants of a typedef).
func sameLayout(a, b Type) bool {
	if a.Kind == Unknown || b.Kind == Unknown {
		return a.Kind == b.Kind
	}
	d := LP64.compareValue(a, b, false)
	return d.Verdict != Mismatch && a.Const == b.Const
}

// Explain says in words how d's two types differ, naming the Rust side
// first: "*mut u64 points to a 64-bit unsigned integer, C's u32 * to a
// 32-bit unsigned integer".
func (d Diff) Explain() string {
	s := side(d.Rust, "()") + " vs " + side(d.C, "void")
	for in := &d; in != nil; in = in.Inner {
		if in.Callback && in.Inner != nil {
			return s + ": the function it points to differs: " + in.Inner.where() + in.Inner.Explain()
		}
	}
	switch d.Kind {
	case Arity:
		return plural(d.RustParams, "parameter") + " vs " + strconv.Itoa(d.CParams)
	case Variadic:
		if d.CVariadic {
			return "C's is variadic, Rust's is not"
		}
		return "Rust's is variadic, C's is not"
	case ReturnType:
		if d.Rust.Kind == Void {
			return "Rust returns nothing, C returns " + d.C.Text
		}
		return "Rust returns " + d.Rust.Text + ", C returns nothing"
	}
	switch d.Kind {
	case NoMismatch:
		return s
	case ConstDropped:
		return s + ": Rust may write through a pointer C declared const"
	}
	return s + ": " + d.Kind.String()
}

// side renders one side of a difference: the type as written and what
// it is, or only what it is when the text is unknown (inside a function
// pointer's signature).
func side(t Type, void string) string {
	text := strings.TrimSpace(t.Text)
	switch {
	case t.Kind == Void:
		if text == "" {
			text = void
		}
		return text
	case text == "":
		return t.Describe()
	}
	return text + " (" + t.Describe() + ")"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
