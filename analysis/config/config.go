// Package config is rivet's user configuration: `.rivet.toml` at a
// workspace root, and the same keys as JSON through LSP
// initializationOptions and workspace/didChangeConfiguration.
//
// The Config struct is the documentation: its field comments generate
// docs/settings.md (go run ./analysis/config/gendocs), so the reference and
// the code cannot disagree.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/BurntSushi/toml"
	"github.com/bmatcuk/doublestar/v4"
)

// FileName is the configuration file rivet reads at a workspace root.
const FileName = ".rivet.toml"

// Config is the whole configuration. The zero value is not the default:
// use Default.
type Config struct {
	// Rules switches rules off or changes their severity. Keys are rule
	// codes (see docs/rules/); values are "off", "error", "warning",
	// "info" or "hint". Example: `[rules]` then `unsafe-missing-safety = "off"`.
	Rules map[string]string `toml:"rules" json:"rules,omitempty"`

	// Include lists glob patterns (relative to the workspace root, `**`
	// allowed) of files to index and check. Empty means every .c, .h and
	// .rs file.
	Include []string `toml:"include" json:"include,omitempty"`

	// Exclude lists glob patterns of files and directories to leave out,
	// such as "Documentation/**" or "tools/**". Exclude wins over Include.
	Exclude []string `toml:"exclude" json:"exclude,omitempty"`

	// FFIModules lists extra Rust path prefixes whose items are bindgen
	// output, besides `bindings`, `kernel::bindings` and `crate::bindings`
	// (which are always recognised). Example: ["uapi", "kernel::uapi"].
	FFIModules []string `toml:"ffi_modules" json:"ffi_modules,omitempty"`

	// Target is the C data model ffi-signature-mismatch assumes: "lp64"
	// (x86_64 and arm64 Linux, the default), "ilp32" (32-bit), or "llp64".
	Target string `toml:"target" json:"target,omitempty"`

	// InlayHints turns the ownership and may-sleep inlay hints after FFI
	// calls on or off (default on).
	InlayHints *bool `toml:"inlay_hints" json:"inlay_hints,omitempty"`

	// CodeLens turns the "used from Rust: N" / "called from C: N" code
	// lenses on or off (default on).
	CodeLens *bool `toml:"code_lens" json:"code_lens,omitempty"`

	// Lifecycle adds knowledge the tree cannot tell rivet.
	Lifecycle Lifecycle `toml:"lifecycle" json:"lifecycle,omitempty"`
}

// Lifecycle is user-supplied lifecycle knowledge; it is trusted after
// everything mined from the tree.
type Lifecycle struct {
	// Pairs are extra acquire/release pairs. Kind is "ref" (a reference
	// count), "alloc" (memory or another resource), "lock", or
	// "register". Example: `[[lifecycle.pairs]]` then
	// `acquire = "foo_get"`, `release = "foo_put"`, `kind = "ref"`.
	Pairs []Pair `toml:"pairs" json:"pairs,omitempty"`

	// Borrowed lists C functions whose returned pointer the caller does
	// not own (it must not be released), such as "dev_get_drvdata".
	Borrowed []string `toml:"borrowed" json:"borrowed,omitempty"`

	// Sleeping lists C functions that may sleep, beyond what rivet finds
	// in their bodies.
	Sleeping []string `toml:"sleeping" json:"sleeping,omitempty"`

	// Atomic lists C functions that enter atomic context (like
	// spin_lock): sleeping is not allowed until the matching release.
	Atomic []string `toml:"atomic" json:"atomic,omitempty"`
}

// Pair is one acquire/release pair.
type Pair struct {
	Acquire string `toml:"acquire" json:"acquire"`
	Release string `toml:"release" json:"release"`
	Kind    string `toml:"kind" json:"kind,omitempty"`
}

// Severities accepted in Rules.
var Severities = []string{"off", "error", "warning", "info", "hint"}

// Targets accepted in Target.
var Targets = []string{"lp64", "ilp32", "llp64"}

// PairKinds accepted in Lifecycle.Pairs.
var PairKinds = []string{"ref", "alloc", "lock", "register"}

// Default returns the configuration rivet uses when nothing is set.
func Default() *Config {
	on := true
	lens := true
	return &Config{Rules: map[string]string{}, Target: "lp64", InlayHints: &on, CodeLens: &lens}
}

// Problem is an invalid setting: where it is and what is wrong.
type Problem struct {
	File    string // "" for LSP settings
	Line    int    // 1-based; 0 when unknown
	Key     string // dotted key, e.g. "rules.lifecycle-leak"
	Message string
}

func (p Problem) Error() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Key != "" {
		fmt.Fprintf(&b, "%s: ", p.Key)
	}
	b.WriteString(p.Message)
	return b.String()
}

// Load reads root/.rivet.toml. A missing file gives the defaults and no
// problems. An invalid file gives the defaults (nothing of it is used)
// and the problems found, each naming its key and line.
func Load(root string, knownRules []string) (*Config, []Problem) {
	path := filepath.Join(root, FileName)
	data, err := readConfig(path)
	if errors.Is(err, os.ErrNotExist) {
		return Default(), nil
	}
	if err != nil {
		return Default(), []Problem{{File: path, Line: 1, Message: err.Error()}}
	}
	return ParseTOML(path, data, knownRules)
}

// maxConfigSize bounds the configuration file rivet reads.
const maxConfigSize = 1 << 20

// readConfig reads a configuration file, refusing anything but a regular
// file of at most maxConfigSize bytes without blocking: Load runs at
// initialize, in the server's read loop, and a tree may hold a named
// pipe or a link to /dev/zero under the configuration's name.
func readConfig(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, errors.New("not a regular file")
	case fi.Size() > maxConfigSize:
		return nil, fmt.Errorf("larger than %d KiB", maxConfigSize>>10)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err == nil && len(data) > maxConfigSize {
		err = fmt.Errorf("larger than %d KiB", maxConfigSize>>10)
	}
	return data, err
}

// ParseTOML parses TOML configuration text; see Load.
func ParseTOML(file string, data []byte, knownRules []string) (*Config, []Problem) {
	cfg := Default()
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(cfg)
	if err != nil {
		p := Problem{File: file, Message: err.Error()}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			p.Line, p.Key, p.Message = pe.Position.Line, pe.LastKey, pe.Message
			if p.Line == 0 { // the toml package leaves it out of some lexer errors
				p.Line = lineAt(data, int64(pe.Position.Start))
			}
		} else if m := decodeErrRE.FindStringSubmatch(err.Error()); m != nil {
			// Type errors are plain errors: "toml: line 1 (last key "x"): msg",
			// without the line for values of nested tables.
			p.Line, _ = strconv.Atoi(m[1])
			p.Key, p.Message = m[2], m[3]
			if p.Line == 0 {
				p.Line = keyLine(data, p.Key)
			}
		}
		return Default(), []Problem{p}
	}
	var probs []Problem
	for _, k := range md.Undecoded() {
		key := k.String()
		probs = append(probs, Problem{File: file, Line: lineOfKey(data, k[len(k)-1]), Key: key, Message: "unknown setting"})
	}
	for _, p := range cfg.validate(knownRules) {
		p.File = file
		p.Line = keyLine(data, p.Key)
		probs = append(probs, p)
	}
	if len(probs) > 0 {
		return Default(), probs
	}
	return cfg, nil
}

// ParseJSON parses settings sent by an LSP client (initializationOptions
// or the "rivet" section of didChangeConfiguration). Like ParseTOML, an
// invalid value leaves the defaults in force.
func ParseJSON(data []byte, knownRules []string) (*Config, []Problem) {
	cfg := Default()
	if len(bytes.TrimSpace(data)) == 0 || string(bytes.TrimSpace(data)) == "null" {
		return cfg, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return Default(), []Problem{jsonProblem(data, err, dec.InputOffset())}
	}
	if probs := cfg.validate(knownRules); len(probs) > 0 {
		return Default(), probs
	}
	return cfg, nil
}

// jsonProblem describes a settings decoding error with the key it is
// about, when the error tells, and always a line of data: where the error
// is, else where the decoder stopped.
func jsonProblem(data []byte, err error, stopped int64) Problem {
	p := Problem{Message: "settings: " + strings.TrimPrefix(err.Error(), "json: "), Line: lineAt(data, stopped)}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		p.Key, p.Line = typeErr.Field, lineAt(data, typeErr.Offset)
	case errors.As(err, &syntaxErr):
		p.Line = lineAt(data, syntaxErr.Offset)
	default:
		if m := unknownFieldRE.FindStringSubmatch(err.Error()); m != nil {
			p.Key = m[1]
		}
	}
	return p
}

var unknownFieldRE = regexp.MustCompile(`unknown field "([^"]*)"`)

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = max(0, min(off, int64(len(data))))
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

var decodeErrRE = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "([^"]*)"\): (.*)$`)

// keyLine finds the line of a problem's key: for "lifecycle.pairs[2]" the
// third "[[lifecycle.pairs]]" header, otherwise where the last key
// segment is assigned or opens a table.
func keyLine(data []byte, key string) int {
	if m := arrayKeyRE.FindStringSubmatch(key); m != nil {
		n, _ := strconv.Atoi(m[2])
		header := "[[" + m[1] + "]]"
		for i, line := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(line) == header {
				if n == 0 {
					return i + 1
				}
				n--
			}
		}
		return 0
	}
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		key = key[i+1:]
	}
	return lineOfKey(data, key)
}

var arrayKeyRE = regexp.MustCompile(`^([a-z_.]+)\[(\d+)\](\.[a-z_]+)?$`)

// validate reports values outside their allowed sets.
func (c *Config) validate(knownRules []string) []Problem {
	var probs []Problem
	for code, sev := range c.Rules {
		if knownRules != nil && !slices.Contains(knownRules, code) {
			probs = append(probs, Problem{Key: "rules." + code, Message: "no rule has this code (see docs/rules/)"})
			continue
		}
		if !slices.Contains(Severities, sev) {
			probs = append(probs, Problem{Key: "rules." + code, Message: fmt.Sprintf("severity %q: want one of %s", sev, strings.Join(Severities, ", "))})
		}
	}
	if c.Target != "" && !slices.Contains(Targets, c.Target) {
		probs = append(probs, Problem{Key: "target", Message: fmt.Sprintf("%q: want one of %s", c.Target, strings.Join(Targets, ", "))})
	}
	for _, g := range append(append([]string(nil), c.Include...), c.Exclude...) {
		if !doublestar.ValidatePattern(g) {
			key := "exclude"
			if slices.Contains(c.Include, g) {
				key = "include"
			}
			probs = append(probs, Problem{Key: key, Message: fmt.Sprintf("invalid glob %q", g)})
		}
	}
	for i, p := range c.Lifecycle.Pairs {
		key := fmt.Sprintf("lifecycle.pairs[%d]", i)
		if p.Acquire == "" || p.Release == "" {
			probs = append(probs, Problem{Key: key, Message: "a pair needs both acquire and release"})
		}
		if p.Kind != "" && !slices.Contains(PairKinds, p.Kind) {
			probs = append(probs, Problem{Key: key + ".kind", Message: fmt.Sprintf("%q: want one of %s", p.Kind, strings.Join(PairKinds, ", "))})
		}
	}
	return probs
}

// lineOfKey finds the 1-based line where key is assigned or opens a
// table, for messages; 0 when it cannot tell.
func lineOfKey(data []byte, key string) int {
	if key == "" {
		return 0
	}
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		t = strings.TrimLeft(t, "[")
		t = strings.Trim(t, `"'`)
		if strings.HasPrefix(t, key) {
			rest := strings.TrimLeft(strings.TrimPrefix(t, key), `"' `)
			if rest == "" || rest[0] == '=' || rest[0] == ']' || rest[0] == '.' {
				return i + 1
			}
		}
	}
	return 0
}

// Severity returns the configured severity of a rule, or def when not set.
func (c *Config) Severity(code, def string) string {
	if s, ok := c.Rules[code]; ok {
		return s
	}
	return def
}

// InlayHintsOn reports whether inlay hints are enabled.
func (c *Config) InlayHintsOn() bool { return c.InlayHints == nil || *c.InlayHints }

// CodeLensOn reports whether code lenses are enabled.
func (c *Config) CodeLensOn() bool { return c.CodeLens == nil || *c.CodeLens }

// Skip returns the walk filter for root: true for paths that Exclude
// matches or Include does not. Directories are pruned only by Exclude.
func (c *Config) Skip(root string) func(path string, dir bool) bool {
	if len(c.Include) == 0 && len(c.Exclude) == 0 {
		return nil
	}
	root = strings.TrimSuffix(filepath.ToSlash(root), "/") + "/"
	return func(path string, dir bool) bool {
		rel, ok := strings.CutPrefix(path, root)
		if !ok {
			return false
		}
		for _, g := range c.Exclude {
			if match(g, rel) || (dir && match(strings.TrimSuffix(g, "/**"), rel)) {
				return true
			}
		}
		if dir || len(c.Include) == 0 {
			return false
		}
		for _, g := range c.Include {
			if match(g, rel) {
				return false
			}
		}
		return true
	}
}

func match(pattern, rel string) bool {
	ok, err := doublestar.Match(pattern, rel)
	return err == nil && ok
}
