package treesitter

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// kernelTree returns the kernel tree named by RIVET_KERNEL, or skips: these
// tests measure the mask on real code and need a Linux source tree.
func kernelTree(t *testing.T) string {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("RIVET_KERNEL is not set")
	}
	return root
}

// kernelFiles lists the files under dir (relative to root) whose names
// match glob, recursively or not.
func kernelFiles(t *testing.T, root, dir, glob string, recursive bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && !recursive && path != filepath.Join(root, dir) {
			return filepath.SkipDir
		}
		if ok, _ := filepath.Match(glob, e.Name()); ok && e.Type().IsRegular() {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no %s files under %s", glob, dir)
	}
	return out
}

// errorShare parses every file raw and masked and returns how many have an
// error each way, failing for any file the mask breaks.
func errorShare(t *testing.T, lang Language, files []string) (raw, masked int) {
	t.Helper()
	ctx := context.Background()
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rt, err := ParseRaw(ctx, lang, src)
		if err != nil {
			t.Fatal(err)
		}
		mt, err := Parse(ctx, lang, src)
		if err != nil {
			t.Fatal(err)
		}
		if rt.HasError() {
			raw++
		}
		if mt.HasError() {
			masked++
			if !rt.HasError() {
				t.Errorf("%s: parses raw but not masked", f)
			}
		}
		rt.Close()
		mt.Close()
	}
	return raw, masked
}

func TestKernelErrorShare(t *testing.T) {
	root := kernelTree(t)
	for _, g := range []struct {
		dir, glob string
		recursive bool
		lang      Language
		maxShare  float64 // masked files with errors, at most
	}{
		{"rust/helpers", "*.c", false, C, 0},
		{"rust/kernel", "*.rs", true, Rust, 0.02},
		{"include/linux", "*.h", false, C, 0.05},
	} {
		files := kernelFiles(t, root, g.dir, g.glob, g.recursive)
		raw, masked := errorShare(t, g.lang, files)
		t.Logf("%s: %d files, with errors raw %d, masked %d", g.dir, len(files), raw, masked)
		if share := float64(masked) / float64(len(files)); share > g.maxShare {
			t.Errorf("%s: %.1f%% of files have errors once masked, want at most %.1f%%", g.dir, 100*share, 100*g.maxShare)
		}
	}
}

// TestKernelAnnotationsFound checks precision and recall of the mask on
// constructs easy to count with a regexp: every `__rust_helper` of the
// helpers (outside macro definitions) and every `&raw const|mut` and
// `#[unsafe(no_mangle)]` of the Rust code is an annotation, and nothing
// else carries those names. (Linux 7.3 has no `unsafe extern` block.)
func TestKernelAnnotationsFound(t *testing.T) {
	root := kernelTree(t)
	for _, c := range []struct {
		dir, glob string
		lang      Language
		name      string
		re        *regexp.Regexp
	}{
		{"rust/helpers", "*.c", C, "__rust_helper", regexp.MustCompile(`(?m)^__rust_helper\b`)},
		{"rust", "*.rs", Rust, AnnRawBorrow, regexp.MustCompile(`&raw (const|mut)\b`)},
		{"rust", "*.rs", Rust, "unsafe(no_mangle)", regexp.MustCompile(`(?m)^\s*#\[unsafe\(no_mangle\)\]`)},
	} {
		want, got := 0, 0
		for _, f := range kernelFiles(t, root, c.dir, c.glob, true) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want += len(c.re.FindAll(codeLines(c.lang, src), -1))
			_, anns := Mask(c.lang, src)
			for _, a := range anns {
				if a.Name == c.name {
					got++
				}
			}
		}
		t.Logf("%s in %s: %d found, %d by regexp", c.name, c.dir, got, want)
		if got != want || want == 0 {
			t.Errorf("%s in %s: the mask found %d, a regexp %d", c.name, c.dir, got, want)
		}
	}
}

// codeLines drops `//` comments (doc comments mention `&raw`) and, in C,
// the lines of preprocessor directives, which the mask leaves alone, so
// the regexps count code only.
func codeLines(lang Language, src []byte) []byte {
	lines := strings.Split(string(src), "\n")
	inDefine := false
	for i, l := range lines {
		directive := lang == C && strings.HasPrefix(strings.TrimSpace(l), "#")
		cont := strings.HasSuffix(l, "\\")
		if inDefine || directive {
			lines[i] = ""
		} else if j := strings.Index(l, "//"); j >= 0 && !strings.Contains(l[:j], "\"") {
			lines[i] = l[:j]
		}
		inDefine = cont && (inDefine || directive)
	}
	return []byte(strings.Join(lines, "\n"))
}
