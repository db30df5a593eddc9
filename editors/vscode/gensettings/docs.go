package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fieldDocs holds the doc comments of struct fields: type name -> field
// name -> comment text.
type fieldDocs map[string]map[string]string

// parseFieldDocs reads the doc comments of every struct field declared in
// the Go package in dir (tests excluded).
func parseFieldDocs(dir string) (fieldDocs, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	docs := fieldDocs{}
	fset := token.NewFileSet()
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			if st, ok := spec.Type.(*ast.StructType); ok {
				docs[spec.Name.Name] = structDocs(st)
			}
			return false
		})
	}
	return docs, nil
}

func structDocs(st *ast.StructType) map[string]string {
	out := map[string]string{}
	for _, field := range st.Fields.List {
		if field.Doc == nil {
			continue
		}
		for _, name := range field.Names {
			out[name.Name] = field.Doc.Text()
		}
	}
	return out
}

// description turns the doc comment of field into a setting description:
// paragraphs joined into single lines (the comments are written with
// Markdown code spans), and the leading field name dropped before a verb,
// so that "InlayHints turns the hints on or off" reads "Turns the hints on
// or off" (while "Target is the data model" stays).
func description(field, doc string) string {
	var paras []string
	for _, p := range strings.Split(strings.TrimSpace(doc), "\n\n") {
		paras = append(paras, strings.Join(strings.Fields(p), " "))
	}
	text := strings.Join(paras, "\n\n")
	rest, ok := strings.CutPrefix(text, field+" ")
	if !ok || strings.HasPrefix(rest, "is ") || strings.HasPrefix(rest, "are ") {
		return text
	}
	r, size := utf8.DecodeRuneInString(rest)
	return string(unicode.ToUpper(r)) + rest[size:]
}
