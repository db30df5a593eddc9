// Command gendocs writes docs/settings.md from the field comments of
// config.Config (STYLE 11: the settings struct is the documentation). It
// reads analysis/config/config.go with go/ast for the comments and takes
// the defaults from config.Default. A test fails when the committed page
// differs from what it generates.
//
//	go generate ./analysis/config/...
//	go run ./analysis/config/gendocs -src analysis/config/config.go -out docs/settings.md
package main

//go:generate go run . -src ../config.go -out ../../../docs/settings.md

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/config"
)

func main() {
	src := flag.String("src", "analysis/config/config.go", "the Go `file` declaring config.Config")
	out := flag.String("out", "docs/settings.md", "the Markdown `file` to write")
	flag.Parse()
	page, err := generate(*src)
	if err == nil {
		err = write(*out, page)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// setting is one documented key.
type setting struct {
	Key     string // dotted TOML key: "lifecycle.pairs"
	Type    string // "string", "array of strings", ...
	Default string // TOML literal, "" when none worth showing
	Doc     string
}

// generate reads the struct comments of the file at src and renders the
// page.
func generate(src string) ([]byte, error) {
	structs, err := parseStructs(src)
	if err != nil {
		return nil, err
	}
	settings, err := collect(structs, "Config", "", reflect.ValueOf(config.Default()).Elem())
	if err != nil {
		return nil, err
	}
	return render(settings), nil
}

// parseStructs returns the struct types declared in the file at src.
func parseStructs(src string) (map[string]*ast.StructType, error) {
	f, err := parser.ParseFile(token.NewFileSet(), src, nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	out := map[string]*ast.StructType{}
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok {
			if st, ok := ts.Type.(*ast.StructType); ok {
				out[ts.Name.Name] = st
			}
		}
		return true
	})
	return out, nil
}

// errUndocumented is returned for a field without a comment: every
// setting must say what it does.
var errUndocumented = errors.New("setting without a doc comment")

// collect lists the settings of struct name under prefix; v is its
// default value. A field of a documented struct type is a table whose
// own fields are listed after it.
func collect(structs map[string]*ast.StructType, name, prefix string, v reflect.Value) ([]setting, error) {
	st, ok := structs[name]
	if !ok {
		return nil, fmt.Errorf("no struct %s", name)
	}
	var out []setting
	for _, field := range st.Fields.List {
		if len(field.Names) != 1 || field.Tag == nil {
			continue
		}
		goName := field.Names[0].Name
		tag := reflect.StructTag(strings.Trim(field.Tag.Value, "`"))
		key, _, _ := strings.Cut(tag.Get("toml"), ",")
		if key == "" || key == "-" {
			continue
		}
		key = prefix + key
		doc := strings.TrimSpace(field.Doc.Text())
		if doc == "" {
			return nil, fmt.Errorf("%s (%s): %w", key, goName, errUndocumented)
		}
		fv := v.FieldByName(goName)
		s := setting{Key: key, Type: typeName(structs, field.Type), Default: literal(fv), Doc: userDoc(doc, goName, key)}
		out = append(out, s)
		if id, ok := field.Type.(*ast.Ident); ok && structs[id.Name] != nil && fv.Kind() == reflect.Struct {
			sub, err := collect(structs, id.Name, key+".", fv)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		}
	}
	return out, nil
}

// userDoc turns a Go field comment into the key's documentation: the
// field name it starts with, by Go convention, becomes the key.
func userDoc(doc, goName, key string) string {
	rest, ok := strings.CutPrefix(doc, goName+" ")
	if !ok {
		return doc
	}
	return "`" + key[strings.LastIndexByte(key, '.')+1:] + "` " + rest
}

// typeName describes a field's type in TOML terms.
func typeName(structs map[string]*ast.StructType, e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		switch t.Name {
		case "string":
			return "string"
		case "bool":
			return "boolean"
		case "int", "int64", "uint32":
			return "integer"
		}
		if structs[t.Name] != nil {
			return "table"
		}
	case *ast.StarExpr:
		return typeName(structs, t.X)
	case *ast.ArrayType:
		if id, ok := t.Elt.(*ast.Ident); ok && structs[id.Name] != nil {
			return "array of tables (" + strings.Join(keysOf(structs[id.Name]), ", ") + ")"
		}
		return "array of " + typeName(structs, t.Elt) + "s"
	case *ast.MapType:
		return "table of " + typeName(structs, t.Value) + "s"
	}
	return "value"
}

// keysOf lists the TOML keys of a struct's fields.
func keysOf(st *ast.StructType) []string {
	var keys []string
	for _, f := range st.Fields.List {
		if f.Tag == nil {
			continue
		}
		key, _, _ := strings.Cut(reflect.StructTag(strings.Trim(f.Tag.Value, "`")).Get("toml"), ",")
		if key != "" && key != "-" {
			keys = append(keys, "`"+key+"`")
		}
	}
	return keys
}

// literal renders a default value as TOML; "" for tables, whose keys are
// listed on their own.
func literal(v reflect.Value) string {
	if !v.IsValid() {
		return ""
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return literal(v.Elem())
	case reflect.Struct:
		return ""
	case reflect.Map:
		if v.Len() == 0 {
			return "{}"
		}
	case reflect.Slice:
		if v.Len() == 0 {
			return "[]"
		}
	}
	data, err := json.Marshal(v.Interface())
	if err != nil {
		return ""
	}
	return string(data)
}

const intro = `# Settings

rivet reads its settings from ` + "`.rivet.toml`" + ` at the root of the workspace (the
first root, for a multi-root workspace), and from the editor: the LSP
client's ` + "`initializationOptions`" + `, then ` + "`workspace/didChangeConfiguration`" + ` (the
same keys, as JSON, under a ` + "`\"rivet\"`" + ` object or at the top level; clients that
offer ` + "`workspace/configuration`" + ` are asked for the ` + "`rivet`" + ` section). The
editor's settings override the file's key by key, except ` + "`rules`" + `, which
merges code by code. ` + "`rivet check`" + ` reads the file only.

A setting rivet does not know, or a value it does not accept, is reported
with its key and line (` + "`rivet check`" + ` on stderr, the editor as a message),
and the defaults stay in force until it is fixed.

`

// render writes the page: the intro, a table of every key, then each
// key's documentation.
func render(settings []setting) []byte {
	var b bytes.Buffer
	b.WriteString(intro)
	b.WriteString("| Key | Type | Default |\n|---|---|---|\n")
	for _, s := range settings {
		def := "—"
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s |\n", s.Key, anchor(s.Key), s.Type, def)
	}
	for _, s := range settings {
		fmt.Fprintf(&b, "\n## `%s`\n\n", s.Key)
		fmt.Fprintf(&b, "Type: %s.", s.Type)
		if s.Default != "" {
			fmt.Fprintf(&b, " Default: `%s`.", s.Default)
		}
		fmt.Fprintf(&b, "\n\n%s\n", s.Doc)
	}
	b.WriteString("\n<!-- Generated by `go generate ./analysis/config/...` from the comments of config.Config: edit them, not this file. -->\n")
	return b.Bytes()
}

// anchor is GitHub's heading anchor for a code-formatted key.
func anchor(key string) string {
	return strings.ReplaceAll(strings.ToLower(key), ".", "")
}

// write writes data to path unless it already holds it.
func write(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}
