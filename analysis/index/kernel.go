package index

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Kernel describes how a kernel tree generates its Rust bindings: where the
// bindgen inputs are and which names its rust/bindgen_parameters keep out
// of `bindings::`.
type Kernel struct {
	Root           string // slash path of the tree
	BindingsHelper string // rust/bindings/bindings_helper.h, "" when absent
	HelpersDir     string // rust/helpers (or the directory of rust/helpers.c)
	Params         string // rust/bindgen_parameters, "" when absent
	Rules          []BindgenRule
}

// BindgenRule is one --blocklist-* or --opaque-type line of
// rust/bindgen_parameters.
type BindgenRule struct {
	Flag    string // "blocklist-function", "blocklist-type", "blocklist-item", "blocklist-var", "opaque-type"
	Pattern string
	Line    int // 1-based
	re      *regexp.Regexp
}

// Blocks reports whether the rule keeps name out of bindings:: entirely
// (opaque types are still generated, as blobs).
func (r BindgenRule) Blocks() bool { return strings.HasPrefix(r.Flag, "blocklist-") }

// Matches reports whether the rule applies to name. bindgen anchors its
// patterns: "foo" matches only "foo", "foo.*" matches its prefix.
func (r BindgenRule) Matches(name string) bool { return r.re != nil && r.re.MatchString(name) }

// DetectKernel returns the kernel description of root, or nil when root is
// not a kernel tree (no rust/bindings/bindings_helper.h and no rust/helpers).
func DetectKernel(root string) *Kernel {
	root = filepath.Clean(root)
	k := &Kernel{Root: filepath.ToSlash(root)}
	if p := filepath.Join(root, "rust", "bindings", "bindings_helper.h"); isFile(p) {
		k.BindingsHelper = filepath.ToSlash(p)
	}
	if p := filepath.Join(root, "rust", "helpers"); isDir(p) {
		k.HelpersDir = filepath.ToSlash(p)
	} else if isFile(filepath.Join(root, "rust", "helpers.c")) {
		k.HelpersDir = filepath.ToSlash(filepath.Join(root, "rust"))
	}
	if k.BindingsHelper == "" && k.HelpersDir == "" {
		return nil
	}
	if p := filepath.Join(root, "rust", "bindgen_parameters"); isFile(p) {
		k.Params = filepath.ToSlash(p)
		if data, err := ReadDisk(p); err == nil { // bounded, and never blocked by a pipe swapped in
			k.Rules = ParseBindgenParameters(data)
		}
	}
	return k
}

// IsHelper reports whether path is a rust/helpers C file of this tree.
func (k *Kernel) IsHelper(path string) bool {
	if k == nil || k.HelpersDir == "" {
		return false
	}
	if strings.HasSuffix(k.HelpersDir, "/rust") { // old layout: rust/helpers.c
		return path == k.HelpersDir+"/helpers.c"
	}
	return strings.HasPrefix(path, k.HelpersDir+"/") && strings.HasSuffix(path, ".c")
}

// Blocklisted returns the first rule that keeps name of the given kind
// ("function", "type", "var") out of bindings::, or nil.
func (k *Kernel) Blocklisted(name, kind string) *BindgenRule {
	if k == nil {
		return nil
	}
	for i := range k.Rules {
		r := &k.Rules[i]
		if !r.Blocks() {
			continue
		}
		if r.Flag != "blocklist-item" && r.Flag != "blocklist-"+kind {
			continue
		}
		if r.Matches(name) {
			return r
		}
	}
	return nil
}

// ParseBindgenParameters reads the --blocklist-* and --opaque-type lines
// of a bindgen_parameters file. Lines it cannot use are ignored.
func ParseBindgenParameters(data []byte) []BindgenRule {
	var rules []BindgenRule
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		flag, pat, ok := strings.Cut(text, " ")
		if !ok {
			flag, pat, ok = strings.Cut(text, "=")
		}
		if !ok {
			continue
		}
		flag = strings.TrimPrefix(flag, "--")
		if !strings.HasPrefix(flag, "blocklist-") && flag != "opaque-type" {
			continue
		}
		pat = strings.Trim(strings.TrimSpace(pat), `'"`)
		re, err := regexp.Compile("^(?:" + pat + ")$")
		if err != nil {
			continue
		}
		rules = append(rules, BindgenRule{Flag: flag, Pattern: pat, Line: line, re: re})
	}
	return rules
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
