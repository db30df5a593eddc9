package config

import (
	"slices"
	"strings"
	"testing"
)

func TestParseJSONOver(t *testing.T) {
	base, probs := ParseTOML(".rivet.toml", []byte(`
exclude = ["tools/**"]
target = "ilp32"
[rules]
unsafe-missing-safety = "error"
lifecycle-leak = "off"
`), nil)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	got, probs := ParseJSONOver(base, []byte(`{"rules": {"lifecycle-leak": "hint"}, "inlay_hints": false, "include": ["drivers/**"]}`), nil)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if got.Severity("unsafe-missing-safety", "") != "error" || got.Severity("lifecycle-leak", "") != "hint" {
		t.Errorf("rules = %v, want the file's unsafe-missing-safety and the settings' lifecycle-leak", got.Rules)
	}
	if got.InlayHintsOn() || !got.CodeLensOn() {
		t.Errorf("inlay hints on = %v, code lens on = %v; want false, true", got.InlayHintsOn(), got.CodeLensOn())
	}
	if !slices.Equal(got.Exclude, []string{"tools/**"}) || !slices.Equal(got.Include, []string{"drivers/**"}) || got.Target != "ilp32" {
		t.Errorf("exclude %v include %v target %q: keys the settings leave out must keep the file's values", got.Exclude, got.Include, got.Target)
	}
	if base.Severity("lifecycle-leak", "") != "off" || !base.InlayHintsOn() {
		t.Errorf("base was modified: %+v", base)
	}
}

func TestParseJSONOverKeepsBase(t *testing.T) {
	base := Default()
	base.Exclude = []string{"tools/**"}
	for _, settings := range []string{``, `null`, `{}`, ` {"rules": {"no-such-rule": "off"}}`, `{"target": "vax"}`, `[1]`} {
		got, probs := ParseJSONOver(base, []byte(settings), []string{"unsafe-missing-safety"})
		if !slices.Equal(got.Exclude, base.Exclude) || len(got.Rules) != 0 {
			t.Errorf("ParseJSONOver(%q) = %+v, want base", settings, got)
		}
		invalid := strings.Contains(settings, "no-such") || strings.Contains(settings, "vax") || strings.Contains(settings, "[")
		if invalid != (len(probs) > 0) {
			t.Errorf("ParseJSONOver(%q) problems = %v, want some: %v", settings, probs, invalid)
		}
	}
}
