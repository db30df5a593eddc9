package config

import (
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"
)

// FuzzConfig parses any bytes as .rivet.toml and as LSP settings. It must
// not panic; a configuration with problems must leave the defaults (or,
// for ParseJSONOver, the base) in force; every problem must name a key
// or a line; and a configuration without problems must be one validate
// accepts.
func FuzzConfig(f *testing.F) {
	for _, seed := range []string{
		"target = \"ilp32\"\n[rules]\nunsafe-missing-safety = \"off\"\n",
		"[[lifecycle.pairs]]\nacquire = \"a\"\nrelease = \"b\"\nkind = \"ref\"\n",
		"[rules]\nlifecycle-leak = \"loud\"\n",
		"exclude = [\"[\"]\n",
		"inlay_hints = \"yes\"\n",
		"unknown = 1\n",
		`{"rules":{"lifecycle-leak":"hint"},"code_lens":false}`,
		`{"lifecycle":{"pairs":[{"acquire":"a"}]}}`,
		`{"target":5}`,
		`"a string"`,
		`{"rules":`,
		"[rules\n",
		"a = \"\\u0000\"\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, probs := ParseTOML(".rivet.toml", data, codes)
		checkParsed(t, "TOML", cfg, probs, Default())

		cfg, probs = ParseJSON(data, codes)
		checkParsed(t, "JSON", cfg, probs, Default())

		base := Default()
		base.Target = "ilp32"
		cfg, probs = ParseJSONOver(base, data, codes)
		if len(probs) > 0 && !reflect.DeepEqual(cfg, base) {
			t.Errorf("JSON over a base: %d problems but the base was not kept: %+v", len(probs), cfg)
		}
		for _, p := range probs {
			if p.Key == "" && p.Line == 0 {
				t.Errorf("JSON over a base: a problem names neither a key nor a line: %v", p)
			}
		}
	})
}

func checkParsed(t *testing.T, what string, cfg *Config, probs []Problem, defaults *Config) {
	t.Helper()
	if cfg == nil {
		t.Fatalf("%s: nil configuration", what)
	}
	if len(probs) > 0 && !reflect.DeepEqual(cfg, defaults) {
		t.Errorf("%s: %d problems (%v) but not the defaults: %+v", what, len(probs), probs[0], cfg)
	}
	for _, p := range probs {
		if p.Key == "" && p.Line == 0 {
			t.Errorf("%s: a problem names neither a key nor a line: %v", what, p)
		}
	}
	if len(probs) == 0 {
		if vp := cfg.validate(codes); len(vp) > 0 {
			t.Errorf("%s: accepted a configuration validate rejects: %v", what, vp)
		}
	}
}

// TestLoadRefusesWhatIsNotAFile: a .rivet.toml that is a named pipe, a
// link to an endless device or a file too large to be a configuration
// must give the defaults and a problem at once. Load runs in the
// server's read loop at initialize: blocking there would hang the
// session before it starts.
func TestLoadRefusesWhatIsNotAFile(t *testing.T) {
	for name, create := range map[string]func(path string) error{
		"named pipe": func(p string) error { return syscall.Mkfifo(p, 0o644) },
		"/dev/zero":  func(p string) error { return os.Symlink("/dev/zero", p) },
		"huge":       func(p string) error { return writeSparse(p, 1<<30) },
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			if err := create(filepath.Join(root, FileName)); err != nil {
				t.Skipf("cannot make %s: %v", name, err)
			}
			type result struct {
				cfg   *Config
				probs []Problem
			}
			done := make(chan result, 1)
			go func() {
				cfg, probs := Load(root, codes)
				done <- result{cfg, probs}
			}()
			select {
			case r := <-done:
				if len(r.probs) == 0 || !reflect.DeepEqual(r.cfg, Default()) {
					t.Errorf("Load gave %+v with problems %v, want the defaults and a problem", r.cfg, r.probs)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Load blocked")
			}
		})
	}
}

func writeSparse(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Truncate(size)
}
