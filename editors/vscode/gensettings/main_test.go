package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

const root = "../../.."

// TestGeneratedFilesAreCurrent keeps package.json's settings and
// settings.generated.ts in step with analysis/config.Config.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		old, err := os.ReadFile(filepath.Join(root, f.path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(old, f.data) {
			t.Errorf("%s is stale (first difference at line %d): run `go generate ./editors/vscode/gensettings`",
				f.path, firstDifference(old, f.data))
		}
	}
}

func firstDifference(a, b []byte) int {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

// contributed returns the generated configuration properties, decoded.
func contributed(t *testing.T) map[string]map[string]any {
	t.Helper()
	docs, err := parseFieldDocs(filepath.Join(root, configDir))
	if err != nil {
		t.Fatal(err)
	}
	settings, err := allSettings(docs)
	if err != nil {
		t.Fatal(err)
	}
	data, err := configurationJSON(settings)
	if err != nil {
		t.Fatal(err)
	}
	var conf struct{ Properties map[string]map[string]any }
	if err := json.Unmarshal(data, &conf); err != nil {
		t.Fatal(err)
	}
	return conf.Properties
}

func TestEveryConfigKeyIsASetting(t *testing.T) {
	props := contributed(t)
	typ := reflect.TypeFor[config.Config]()
	for i := range typ.NumField() {
		key := jsonKey(typ.Field(i))
		p, ok := props["rivet."+lowerCamel(key)]
		if !ok {
			t.Errorf("config key %q has no setting rivet.%s", key, lowerCamel(key))
			continue
		}
		if desc, _ := p["markdownDescription"].(string); !strings.Contains(desc, "`"+key+"`") {
			t.Errorf("rivet.%s: description %q does not name the .rivet.toml key", lowerCamel(key), desc)
		}
	}
	if got, want := len(props), typ.NumField()+len(clientSettings); got != want {
		t.Errorf("%d settings, want %d (Config's fields and the extension's own)", got, want)
	}
}

func TestSchemas(t *testing.T) {
	props := contributed(t)
	rulesProps := props["rivet.rules"]["properties"].(map[string]any)
	if len(rulesProps) != len(rules.Contract) {
		t.Errorf("rivet.rules has %d codes, want the %d of rules.Contract", len(rulesProps), len(rules.Contract))
	}
	leak := rulesProps["lifecycle-leak"].(map[string]any)
	if got := toStrings(leak["enum"]); !slices.Equal(got, config.Severities) {
		t.Errorf("rivet.rules severities = %v, want %v", got, config.Severities)
	}
	if props["rivet.rules"]["additionalProperties"] != false {
		t.Error("rivet.rules accepts unknown codes; rivet rejects them")
	}
	if got := toStrings(props["rivet.target"]["enum"]); !slices.Equal(got, config.Targets) {
		t.Errorf("rivet.target enum = %v, want %v", got, config.Targets)
	}
	if props["rivet.inlayHints"]["type"] != "boolean" || props["rivet.inlayHints"]["default"] != true {
		t.Errorf("rivet.inlayHints = %v, want a boolean defaulting to true", props["rivet.inlayHints"])
	}
	if props["rivet.exclude"]["type"] != "array" || !reflect.DeepEqual(props["rivet.exclude"]["default"], []any{}) {
		t.Errorf("rivet.exclude = %v, want an array defaulting to []", props["rivet.exclude"])
	}
	pairs := props["rivet.lifecycle"]["properties"].(map[string]any)["pairs"].(map[string]any)["items"].(map[string]any)
	if got := toStrings(pairs["required"]); !slices.Equal(got, []string{"acquire", "release"}) {
		t.Errorf("lifecycle pair required = %v", got)
	}
	kind := pairs["properties"].(map[string]any)["kind"].(map[string]any)
	if got := toStrings(kind["enum"]); !slices.Equal(got, config.PairKinds) {
		t.Errorf("lifecycle pair kinds = %v, want %v", got, config.PairKinds)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestDescription(t *testing.T) {
	for _, tc := range []struct{ field, doc, want string }{
		{"InlayHints", "InlayHints turns the hints\non or off.\n", "Turns the hints on or off."},
		{"Target", "Target is the C data model.\n", "Target is the C data model."},
		{"Pairs", "Pairs are extra pairs.\n\nExample: `x`.\n", "Pairs are extra pairs.\n\nExample: `x`."},
		{"Rules", "Switches rules off.\n", "Switches rules off."},
	} {
		if got := description(tc.field, tc.doc); got != tc.want {
			t.Errorf("description(%q, %q) = %q, want %q", tc.field, tc.doc, got, tc.want)
		}
	}
}

func TestLowerCamel(t *testing.T) {
	for key, want := range map[string]string{"rules": "rules", "ffi_modules": "ffiModules", "inlay_hints": "inlayHints"} {
		if got := lowerCamel(key); got != want {
			t.Errorf("lowerCamel(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestSetContributionKeepsTheRest replaces one contribution and leaves
// every other member, and the order, as it was.
func TestSetContributionKeepsTheRest(t *testing.T) {
	in := []byte(`{"name": "x", "contributes": {"commands": [], "configuration": {"old": 1}}, "scripts": {"b": "1", "a": "2"}}`)
	got, err := setContribution(in, "configuration", json.RawMessage(`{"title":"<rivet>"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "name": "x",
  "contributes": {
    "commands": [],
    "configuration": {
      "title": "<rivet>"
    }
  },
  "scripts": {
    "b": "1",
    "a": "2"
  }
}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := setContribution([]byte(`[1]`), "configuration", nil); err == nil {
		t.Error("a package.json that is not an object was accepted")
	}
}
