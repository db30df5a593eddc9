// Package facts defines what rivet knows about one file without keeping its
// syntax tree: declarations, references, calls and body summaries for C and
// Rust. Facts are small, immutable once published, serialisable (the
// persistent cache stores them with encoding/gob) and free of LSP types.
// Positions are byte offsets into the file's original text.
//
// Extraction lives in the sibling packages cfacts (C, from a tree-sitter
// tree), rustfacts (Rust) and cscan (the cheap whole-tree pass).
package facts

// Version is the fact format. Bump it whenever a type in this package
// changes shape or meaning: cached facts of another version are discarded.
const Version = 2

// Span is a half-open byte range [Start, End) in a file's original text.
type Span struct {
	Start uint32
	End   uint32
}

// Contains reports whether off lies inside s.
func (s Span) Contains(off uint32) bool { return s.Start <= off && off < s.End }

// Covers reports whether o lies entirely inside s.
func (s Span) Covers(o Span) bool { return s.Start <= o.Start && o.End <= s.End }

// Empty reports whether s is the zero span.
func (s Span) Empty() bool { return s.Start == 0 && s.End == 0 }

// Lang is the language of a file.
type Lang uint8

const (
	LangC    Lang = 1
	LangRust Lang = 2
)

// Annotation is an attribute-like token the masking pre-pass removed before
// parsing (`__must_check`, `__acquires(lock)`, `__user`, `__attribute__((x))`,
// `DEFINE_FREE(...)`, Rust `&raw const`).
type Annotation struct {
	Name string // as written: "__acquires", "__attribute__", "&raw"
	Args string // inside the outer parentheses, trimmed; "" when none
	Span Span
}

// File is everything known about one file.
type File struct {
	Path string // absolute, slash-separated
	Lang Lang
	Hash string // hex content hash of the text the facts came from
	// Partial is set when C facts cover only some declarations of the file
	// (see cscan: bodies outside the needed set are not parsed).
	Partial bool
	C       *C    // nil for Rust files
	Rust    *Rust // nil for C files
}

// Attribute names rivet normalises C annotations to. `__attribute__((
// warn_unused_result))` becomes AttrMustCheck, and so on, so rules test one
// name.
const (
	AttrMustCheck    = "__must_check"
	AttrMalloc       = "__malloc"
	AttrNoreturn     = "__noreturn"
	AttrAcquires     = "__acquires"
	AttrReleases     = "__releases"
	AttrMustHold     = "__must_hold"
	AttrCondAcquires = "__cond_acquires"
	AttrUser         = "__user"
	AttrIomem        = "__iomem"
	AttrRCU          = "__rcu"
	AttrPercpu       = "__percpu"
	AttrRustHelper   = "__rust_helper"
)
