package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSettingsUpToDate fails when docs/settings.md differs from what the
// comments of config.Config generate.
func TestSettingsUpToDate(t *testing.T) {
	want, err := generate("../config.go")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../../docs/settings.md")
	if err != nil {
		t.Fatalf("%v: run go generate ./analysis/config/...", err)
	}
	if string(got) != string(want) {
		g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < min(len(g), len(w)); i++ {
			if g[i] != w[i] {
				t.Fatalf("docs/settings.md differs from config.Config at line %d: run go generate ./analysis/config/...\n  committed: %q\n  generated: %q", i+1, g[i], w[i])
			}
		}
		t.Fatalf("docs/settings.md has %d lines, the generated page %d: run go generate ./analysis/config/...", len(g), len(w))
	}
}

// TestGenerate runs the generator on a settings struct of its own:
// keys from toml tags, nested tables, types, defaults, the field name
// replaced by the key, and a missing comment refused.
func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "config.go")
	write := func(text string) {
		if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The defaults come from config.Default, so the struct mirrors a few
	// of config.Config's fields by name.
	write(`package config

type Config struct {
	// Target is the data model.
	Target string ` + "`toml:\"target\"`" + `

	// InlayHints turns hints on.
	InlayHints *bool ` + "`toml:\"inlay_hints\"`" + `

	// Lifecycle adds knowledge.
	Lifecycle Lifecycle ` + "`toml:\"lifecycle\"`" + `

	unexported int
}

type Lifecycle struct {
	// Pairs are pairs.
	Pairs []Pair ` + "`toml:\"pairs\"`" + `
}

type Pair struct {
	Acquire string ` + "`toml:\"acquire\"`" + `
	Release string ` + "`toml:\"release\"`" + `
}
`)
	page, err := generate(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| [`target`](#target) | string | `\"lp64\"` |\n",
		"| [`inlay_hints`](#inlay_hints) | boolean | `true` |\n",
		"| [`lifecycle`](#lifecycle) | table | — |\n",
		"| [`lifecycle.pairs`](#lifecyclepairs) | array of tables (`acquire`, `release`) | `[]` |\n",
		"## `target`\n\nType: string. Default: `\"lp64\"`.\n\n`target` is the data model.\n",
		"## `lifecycle.pairs`\n\nType: array of tables (`acquire`, `release`). Default: `[]`.\n\n`pairs` are pairs.\n",
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}

	write(`package config

type Config struct {
	Target string ` + "`toml:\"target\"`" + `
}
`)
	if _, err := generate(src); !errors.Is(err, errUndocumented) {
		t.Errorf("an undocumented setting: err = %v, want errUndocumented", err)
	}
}
