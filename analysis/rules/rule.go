// Package rules holds rivet's checks, one file per rule, and the small
// framework that runs them. A rule is a value with its documentation as
// data (go/analysis and staticcheck style): docs/rules/CODE.md and
// `rivet check --explain CODE` are generated from the same Doc.
package rules

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
	"github.com/rivet-lsp/rivet/treesitter"
)

// Severity orders how serious a report is.
type Severity uint8

const (
	Hint Severity = iota + 1
	Info
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Info:
		return "info"
	case Hint:
		return "hint"
	}
	return "off"
}

// ParseSeverity maps a configuration value to a severity; "off" gives 0.
func ParseSeverity(s string) (Severity, bool) {
	switch s {
	case "error":
		return Error, true
	case "warning":
		return Warning, true
	case "info":
		return Info, true
	case "hint":
		return Hint, true
	case "off":
		return 0, true
	}
	return 0, false
}

// DocsURL is where the rule pages are published; a rule's page is
// DocsURL + CODE + ".md".
const DocsURL = "https://github.com/rivet-lsp/rivet/blob/main/docs/rules/"

// Rule is one check.
type Rule struct {
	// Code is the diagnostic code, from the contract in DESIGN §4.
	Code string
	// Title is a one-line summary.
	Title string
	// Doc is the rule page in Markdown, with the sections What, Why,
	// Example, Fix and Silence.
	Doc string
	// Severity is the default severity.
	Severity Severity
	// Lang restricts the rule to one language's files; 0 runs it on both.
	Lang facts.Lang
	// ReportsAbsence marks a rule whose reports claim the tree lacks
	// something (ffi-unresolved): while the index is partial they may be
	// wrong, so editors hold them back until indexing ends.
	ReportsAbsence bool
	// Run reports the rule's findings on one file.
	Run func(*Pass)
}

// URL is the rule's documentation page.
func (r *Rule) URL() string { return DocsURL + r.Code + ".md" }

// Diagnostic is one report.
type Diagnostic struct {
	Path     string
	Span     facts.Span
	Code     string
	Severity Severity
	Message  string
	Related  []Related
	Fixes    []Fix
}

// Related points at the other side of the boundary: the C prototype, the
// helper, the blocklist line, where a pair is defined.
type Related struct {
	Path    string
	Span    facts.Span
	Line    int // 1-based; set instead of Span for non-source files (bindgen_parameters)
	Message string
}

// Fix is a quick fix: a titled set of edits, possibly in several files.
type Fix struct {
	Title string
	Edits []Edit
}

// Edit replaces Span of Path with NewText (an empty span inserts). With
// Create, Path does not exist yet: the edit creates it with NewText as its
// whole content.
type Edit struct {
	Path    string
	Span    facts.Span
	NewText string
	Create  bool
}

// Pass is what a rule sees of one file.
type Pass struct {
	Ctx    context.Context
	File   *index.File
	Tree   *treesitter.Tree
	Src    []byte
	Snap   *index.Snapshot
	Config *config.Config
	// Extra holds knowledge computed once per snapshot for all rules
	// (the lifecycle knowledge base); rules type-assert what they need.
	Extra map[string]any

	rule     *Rule
	diags    []Diagnostic
	resolved map[string]link.Target
}

// Report adds a finding of the running rule at span. Fixes and related
// information may be added to the returned diagnostic.
func (p *Pass) Report(span facts.Span, format string, args ...any) *Diagnostic {
	p.diags = append(p.diags, Diagnostic{
		Path:    p.File.Path,
		Span:    span,
		Code:    p.rule.Code,
		Message: fmt.Sprintf(format, args...),
	})
	return &p.diags[len(p.diags)-1]
}

// Resolve is link.Resolve, memoised for the pass.
func (p *Pass) Resolve(name string) link.Target {
	if t, ok := p.resolved[name]; ok {
		return t
	}
	if p.resolved == nil {
		p.resolved = map[string]link.Target{}
	}
	t := link.Resolve(p.Snap, name)
	p.resolved[name] = t
	return t
}

// Text returns the source text of span.
func (p *Pass) Text(s facts.Span) string {
	if int(s.End) > len(p.Src) || s.Start > s.End {
		return ""
	}
	return string(p.Src[s.Start:s.End])
}

// Options select what Run does.
type Options struct {
	Config *config.Config
	// Rules restricts the run to these codes; nil runs every enabled rule.
	Rules []string
	Extra map[string]any
}

// Run runs the enabled rules on one file and returns their diagnostics,
// minus those silenced by `rivet:allow(CODE)` comments, sorted by
// position. A panicking rule loses its own reports only; the panic is
// returned as an error alongside the others' results.
func Run(ctx context.Context, snap *index.Snapshot, f *index.File, tree *treesitter.Tree, src []byte, opts Options) ([]Diagnostic, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = config.Default()
	}
	var out []Diagnostic
	var errs []string
	for _, r := range All() {
		if r.Lang != 0 && r.Lang != f.Lang {
			continue
		}
		if opts.Rules != nil && !contains(opts.Rules, r.Code) {
			continue
		}
		sev, ok := ParseSeverity(cfg.Severity(r.Code, r.Severity.String()))
		if !ok || sev == 0 {
			continue
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		p := &Pass{Ctx: ctx, File: f, Tree: tree, Src: src, Snap: snap, Config: cfg, Extra: opts.Extra, rule: r}
		if err := runRule(r, p); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		// A rule may grade its own reports (a signedness difference is a
		// warning, a width difference an error); a severity the user set
		// for the rule overrides both.
		_, userSet := cfg.Rules[r.Code]
		for _, d := range p.diags {
			if userSet || d.Severity == 0 {
				d.Severity = sev
			}
			out = append(out, d)
		}
	}
	out = filterAllowed(out, src)
	for i := range out {
		d := &out[i]
		d.Fixes = append(d.Fixes, insertLineAbove(d.Path, src, d.Span.Start,
			"// rivet:allow("+d.Code+")", "Silence with `// rivet:allow("+d.Code+")`"))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Span.Start != out[j].Span.Start {
			return out[i].Span.Start < out[j].Span.Start
		}
		return out[i].Code < out[j].Code
	})
	if len(errs) > 0 {
		return out, fmt.Errorf("rules failed: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

func runRule(r *Rule, p *Pass) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s on %s: panic: %v", r.Code, p.File.Path, v)
		}
	}()
	r.Run(p)
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var allowRE = regexp.MustCompile(`rivet:allow\(([a-z0-9, -]+)\)`)

// filterAllowed drops diagnostics silenced by a `rivet:allow(CODE)`
// comment on their first line or the line above.
func filterAllowed(diags []Diagnostic, src []byte) []Diagnostic {
	if len(diags) == 0 || !bytes.Contains(src, []byte("rivet:allow(")) {
		return diags
	}
	allowed := map[int][]string{} // line -> codes
	lineStarts := []int{0}
	for i, b := range src {
		if b == '\n' {
			lineStarts = append(lineStarts, i+1)
		}
	}
	for i, start := range lineStarts {
		end := len(src)
		if i+1 < len(lineStarts) {
			end = lineStarts[i+1]
		}
		for _, m := range allowRE.FindAllSubmatch(src[start:end], -1) {
			for _, c := range strings.Split(string(m[1]), ",") {
				allowed[i] = append(allowed[i], strings.TrimSpace(c))
			}
		}
	}
	lineOf := func(off uint32) int {
		return sort.Search(len(lineStarts), func(i int) bool { return lineStarts[i] > int(off) }) - 1
	}
	out := diags[:0]
	for _, d := range diags {
		l := lineOf(d.Span.Start)
		if contains(allowed[l], d.Code) || contains(allowed[l-1], d.Code) {
			continue
		}
		out = append(out, d)
	}
	return out
}
