package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

// setting is one VS Code setting, `rivet.NAME`.
type setting struct {
	Name   string // after "rivet.", e.g. "ffiModules"
	Key    string // rivet's JSON (and .rivet.toml) key, e.g. "ffi_modules"; "" for the extension's own settings
	Schema *schema
}

// schema is the subset of JSON Schema, with VS Code's extensions, that the
// settings use. Fields are in the order they are written.
type schema struct {
	Type                 string          `json:"type,omitempty"`
	Enum                 []string        `json:"enum,omitempty"`
	Default              json.RawMessage `json:"default,omitempty"`
	Items                *schema         `json:"items,omitempty"`
	Properties           properties      `json:"properties,omitempty"`
	AdditionalProperties any             `json:"additionalProperties,omitempty"`
	Required             []string        `json:"required,omitempty"`
	MarkdownDescription  string          `json:"markdownDescription,omitempty"`
	Scope                string          `json:"scope,omitempty"`
	Order                *int            `json:"order,omitempty"`
}

// property is one named entry of a schema's properties.
type property struct {
	Name   string
	Schema *schema
}

// properties keeps its entries in order when written as a JSON object.
type properties []property

func (ps properties) MarshalJSON() ([]byte, error) {
	o := make(object, 0, len(ps))
	for _, p := range ps {
		value, err := marshal(p.Schema)
		if err != nil {
			return nil, err
		}
		o = append(o, member{p.Name, value})
	}
	return o.marshal()
}

// clientSettings are the extension's own settings: they choose and start
// the server and are never sent to it.
var clientSettings = []setting{
	{Name: "path", Schema: &schema{
		Type: "string", Default: json.RawMessage(`"rivet"`), Scope: "machine-overridable",
		MarkdownDescription: "The rivet executable: a name looked up on `PATH`, or an absolute path. " +
			"The extension runs `rivet serve --stdio`; changing this restarts the server.",
	}},
	{Name: "logFile", Schema: &schema{
		Type: "string", Default: json.RawMessage(`""`), Scope: "machine-overridable",
		MarkdownDescription: "When set, the server appends a debug log to this file " +
			"(`rivet serve --log FILE --log-level debug`); changing this restarts the server.",
	}},
	{Name: "trace.server", Schema: &schema{
		Type: "string", Enum: []string{"off", "messages", "verbose"}, Default: json.RawMessage(`"off"`), Scope: "window",
		MarkdownDescription: "Traces the LSP messages between VS Code and rivet in the rivet output channel.",
	}},
}

// enums are the allowed values of string settings, by schema path: a JSON
// key, ".key" for a struct field, "[]" for an array's items, ".*" for a
// map's values.
var enums = map[string][]string{
	"rules.*":                config.Severities,
	"target":                 config.Targets,
	"lifecycle.pairs[].kind": config.PairKinds,
}

// mapKeys are the known keys of map settings, by schema path: each gets a
// property, and other keys are rejected (rivet rejects them too).
var mapKeys = map[string]keySet{
	"rules": {rules.Contract, func(code string) string {
		return fmt.Sprintf("Severity of [%s](%s).", code, rules.DocsURL+code+".md")
	}},
}

// keySet is the known keys of a map setting and how to describe each.
type keySet struct {
	keys     []string
	describe func(key string) string
}

// allSettings returns the extension's own settings and then one setting
// per field of config.Config, in declaration order.
func allSettings(docs fieldDocs) ([]setting, error) {
	out := append([]setting(nil), clientSettings...)
	b := &schemaBuilder{docs: docs, used: map[string]bool{}}
	def := reflect.ValueOf(config.Default()).Elem()
	t := def.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		key := jsonKey(f)
		if key == "" {
			continue
		}
		doc := docs[t.Name()][f.Name]
		if doc == "" {
			return nil, fmt.Errorf("config.%s.%s has no doc comment: it is the setting's documentation", t.Name(), f.Name)
		}
		s, err := b.schemaFor(f.Type, key)
		if err != nil {
			return nil, err
		}
		s.MarkdownDescription = description(f.Name, doc) + fmt.Sprintf("\n\nThe `%s` key of `.rivet.toml`.", key)
		s.Default, err = defaultJSON(def.Field(i), s)
		if err != nil {
			return nil, err
		}
		s.Scope = "window"
		order := len(out) - len(clientSettings)
		s.Order = &order
		out = append(out, setting{Name: lowerCamel(key), Key: key, Schema: s})
	}
	for path := range enums {
		if !b.used[path] {
			return nil, fmt.Errorf("enum for %q: no setting has this path", path)
		}
	}
	for path := range mapKeys {
		if !b.used[path] {
			return nil, fmt.Errorf("map keys for %q: no setting has this path", path)
		}
	}
	return out, nil
}

// schemaBuilder derives schemas from Go types, noting which paths of
// enums and mapKeys it used.
type schemaBuilder struct {
	docs fieldDocs
	used map[string]bool
}

func (b *schemaBuilder) schemaFor(t reflect.Type, path string) (*schema, error) {
	switch t.Kind() {
	case reflect.String:
		s := &schema{Type: "string"}
		if values, ok := enums[path]; ok {
			b.used[path] = true
			s.Enum = values
		}
		return s, nil
	case reflect.Bool:
		return &schema{Type: "boolean"}, nil
	case reflect.Pointer:
		return b.schemaFor(t.Elem(), path)
	case reflect.Slice:
		items, err := b.schemaFor(t.Elem(), path+"[]")
		if err != nil {
			return nil, err
		}
		return &schema{Type: "array", Items: items}, nil
	case reflect.Map:
		return b.mapSchema(t, path)
	case reflect.Struct:
		return b.structSchema(t, path)
	}
	return nil, fmt.Errorf("%s: Go type %s has no settings schema yet", path, t)
}

func (b *schemaBuilder) mapSchema(t reflect.Type, path string) (*schema, error) {
	if t.Key().Kind() != reflect.String {
		return nil, fmt.Errorf("%s: map keys must be strings, not %s", path, t.Key())
	}
	values, err := b.schemaFor(t.Elem(), path+".*")
	if err != nil {
		return nil, err
	}
	known, ok := mapKeys[path]
	if !ok {
		return &schema{Type: "object", AdditionalProperties: values}, nil
	}
	b.used[path] = true
	s := &schema{Type: "object", AdditionalProperties: false}
	for _, k := range known.keys {
		v := *values
		v.MarkdownDescription = known.describe(k)
		s.Properties = append(s.Properties, property{k, &v})
	}
	return s, nil
}

func (b *schemaBuilder) structSchema(t reflect.Type, path string) (*schema, error) {
	s := &schema{Type: "object", AdditionalProperties: false}
	for i := range t.NumField() {
		f := t.Field(i)
		key := jsonKey(f)
		if key == "" {
			continue
		}
		fs, err := b.schemaFor(f.Type, path+"."+key)
		if err != nil {
			return nil, err
		}
		if doc := b.docs[t.Name()][f.Name]; doc != "" {
			fs.MarkdownDescription = description(f.Name, doc)
		}
		s.Properties = append(s.Properties, property{key, fs})
		if !strings.Contains(f.Tag.Get("json"), ",omitempty") {
			s.Required = append(s.Required, key)
		}
	}
	return s, nil
}

// jsonKey returns the JSON name of a struct field, "" when it has none.
func jsonKey(f reflect.StructField) string {
	key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if key == "-" || !f.IsExported() {
		return ""
	}
	if key == "" {
		return f.Name
	}
	return key
}

// defaultJSON is a setting's default: the field's value in
// config.Default, with nil slices and maps shown as empty ones.
func defaultJSON(v reflect.Value, s *schema) (json.RawMessage, error) {
	data, err := marshal(v.Interface())
	if err != nil {
		return nil, err
	}
	if string(data) == "null" {
		switch s.Type {
		case "array":
			return json.RawMessage(`[]`), nil
		case "object":
			return json.RawMessage(`{}`), nil
		}
	}
	return data, nil
}

// lowerCamel turns a snake_case JSON key into a VS Code setting name:
// "ffi_modules" -> "ffiModules".
func lowerCamel(key string) string {
	parts := strings.Split(key, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
