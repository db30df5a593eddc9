package treesitter

// Annotation is a span of source the mask blanked before parsing, kept as
// a fact: a kernel attribute (`__must_check`, `__acquires(lock)`), an
// attribute list, a cleanup macro, or a Rust construct the bundled grammar
// rejects (`&raw const`).
type Annotation struct {
	Name  string // the annotation as written, e.g. "__acquires", "__attribute__"
	Args  string // the parenthesised arguments without the outer parentheses, or ""
	Start uint32 // byte offset of the first blanked byte
	End   uint32 // byte offset just past the last blanked byte
}

// Mask returns src with the annotations of lang blanked (same length, same
// newlines) and the annotations it removed.
func Mask(lang Language, src []byte) ([]byte, []Annotation) {
	// TODO(masking): implemented in mask_c.go / mask_rust.go.
	return src, nil
}
