// Package treesitter is rivet's syntax layer and the only package that
// imports go-tree-sitter. It parses C and Rust, masks kernel annotations the
// bundled grammars cannot read (keeping them as data), re-parses
// incrementally, and exposes nodes through a small value type. It knows
// nothing about FFI, lifecycles or LSP.
package treesitter

//go:generate sh -c "go run ./internal/genkinds > kinds.go"

import (
	"path/filepath"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/c"
	"github.com/smacker/go-tree-sitter/rust"
)

// Language is a grammar rivet parses.
type Language uint8

const (
	// C covers .c and .h files.
	C Language = iota + 1
	// Rust covers .rs files.
	Rust
)

func (l Language) String() string {
	switch l {
	case C:
		return "c"
	case Rust:
		return "rust"
	}
	return "unknown"
}

// LanguageForPath returns the language of a file by its extension.
func LanguageForPath(path string) (Language, bool) {
	switch filepath.Ext(path) {
	case ".c", ".h":
		return C, true
	case ".rs":
		return Rust, true
	}
	return 0, false
}

var (
	cLanguage    = c.GetLanguage()
	rustLanguage = rust.GetLanguage()
)

func (l Language) grammar() *sitter.Language {
	switch l {
	case C:
		return cLanguage
	case Rust:
		return rustLanguage
	}
	panic("treesitter: unknown language " + l.String())
}
