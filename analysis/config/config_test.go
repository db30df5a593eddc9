package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var codes = []string{"lifecycle-leak", "unsafe-missing-safety"}

func TestParseTOML(t *testing.T) {
	cfg, probs := ParseTOML(".rivet.toml", []byte(`
target = "ilp32"
exclude = ["tools/**", "Documentation/**"]
ffi_modules = ["uapi"]
inlay_hints = false

[rules]
unsafe-missing-safety = "off"
lifecycle-leak = "error"

[[lifecycle.pairs]]
acquire = "foo_get"
release = "foo_put"
kind = "ref"
`), codes)
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	if cfg.Target != "ilp32" || cfg.InlayHintsOn() || !cfg.CodeLensOn() ||
		cfg.Severity("unsafe-missing-safety", "warning") != "off" ||
		cfg.Severity("lifecycle-leak", "warning") != "error" ||
		len(cfg.Lifecycle.Pairs) != 1 || cfg.Lifecycle.Pairs[0].Release != "foo_put" ||
		len(cfg.FFIModules) != 1 {
		t.Errorf("parsed config wrong: %+v", cfg)
	}
}

func TestInvalidConfigKeepsDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, text, key string
		line            int
	}{
		{"syntax", "target = \"lp64\"\n[rules\nx = 1\n", "", 3}, // the parser sees the error at the newline ending line 2
		{"unknown key", "\n\nverbose = true\n", "verbose", 3},
		{"bad severity", "[rules]\nlifecycle-leak = \"loud\"\n", "rules.lifecycle-leak", 2},
		{"unknown rule", "[rules]\n\nno-such-rule = \"off\"\n", "rules.no-such-rule", 3},
		{"bad target", "target = \"pdp11\"\n", "target", 1},
		{"bad glob", "exclude = [\"a/[b\"]\n", "exclude", 1},
		{"pair without release", "[[lifecycle.pairs]]\nacquire = \"x\"\n", "lifecycle.pairs[0]", 1},
		{"wrong type", "inlay_hints = \"yes\"\n", "inlay_hints", 1},
	} {
		cfg, probs := ParseTOML("/w/.rivet.toml", []byte(tc.text), codes)
		if len(probs) == 0 {
			t.Errorf("%s: no problem reported", tc.name)
			continue
		}
		p := probs[0]
		if p.Line != tc.line || (tc.key != "" && p.Key != tc.key) || p.File != "/w/.rivet.toml" {
			t.Errorf("%s: problem %+v, want key %q line %d", tc.name, p, tc.key, tc.line)
		}
		if !strings.Contains(p.Error(), "/w/.rivet.toml:") {
			t.Errorf("%s: message %q does not name the file and line", tc.name, p.Error())
		}
		if cfg.Target != "lp64" || len(cfg.Rules) != 0 {
			t.Errorf("%s: defaults not in force: %+v", tc.name, cfg)
		}
	}
}

func TestParseJSON(t *testing.T) {
	cfg, probs := ParseJSON([]byte(`{"rules":{"lifecycle-leak":"off"},"code_lens":false}`), codes)
	if len(probs) != 0 || cfg.Severity("lifecycle-leak", "warning") != "off" || cfg.CodeLensOn() {
		t.Errorf("ParseJSON: %+v %v", cfg, probs)
	}
	if _, probs := ParseJSON([]byte(`{"rules":{"lifecycle-leak":"loud"}}`), codes); len(probs) != 1 || probs[0].Key != "rules.lifecycle-leak" {
		t.Errorf("bad JSON severity: %v", probs)
	}
	if _, probs := ParseJSON([]byte(`{"colour":"blue"}`), codes); len(probs) != 1 {
		t.Errorf("unknown JSON key accepted: %v", probs)
	}
	if cfg, probs := ParseJSON([]byte(`null`), codes); len(probs) != 0 || cfg.Target != "lp64" {
		t.Errorf("null settings: %+v %v", cfg, probs)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if cfg, probs := Load(dir, codes); len(probs) != 0 || cfg == nil {
		t.Errorf("missing file: %v", probs)
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte("target = 3\n"), 0o644)
	if _, probs := Load(dir, codes); len(probs) != 1 || probs[0].Line != 1 {
		t.Errorf("invalid file: %v", probs)
	}
}

func TestSkip(t *testing.T) {
	cfg := Default()
	cfg.Exclude = []string{"tools/**", "**/*_test.c"}
	cfg.Include = []string{"rust/**", "drivers/**", "include/**"}
	skip := cfg.Skip("/k")
	for path, want := range map[string]bool{
		"/k/tools/x.c":               true,
		"/k/drivers/a/b_test.c":      true,
		"/k/drivers/a/b.c":           false,
		"/k/rust/kernel/lib.rs":      false,
		"/k/fs/ext4/inode.c":         true,
		"/elsewhere/fs/ext4/inode.c": false,
	} {
		if got := skip(path, false); got != want {
			t.Errorf("skip(%s) = %v, want %v", path, got, want)
		}
	}
	if !skip("/k/tools", true) || skip("/k/fs", true) {
		t.Errorf("directories: tools must be pruned, fs walked (Include applies to files)")
	}
	if Default().Skip("/k") != nil {
		t.Errorf("no include/exclude: Skip should be nil")
	}
}
