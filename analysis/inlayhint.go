package analysis

import (
	"context"
	"sort"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// InlayHints are the hints of one file at one version of its text.
type InlayHints struct {
	Path string
	// Text is the text the offsets refer to; it must not be modified.
	Text  []byte
	Hints []InlayHint
}

// InlayHint is shown right after an FFI call in Rust: what the call does
// to ownership (`→ owned: put_device`, `→ borrowed`, `→ releases`) and
// whether it may sleep (`→ may sleep`).
type InlayHint struct {
	Offset uint32     // after the call's closing parenthesis
	Call   facts.Span // the call expression
	Func   string     // the C function called
	Label  []HintPart
	// Tooltip explains the hint, one fact per line with its source
	// (lifecycle.KB.Describe).
	Tooltip string
}

// HintPart is a piece of a hint's label; a function name carries where
// the function is declared, so a client can jump there.
type HintPart struct {
	Text   string
	Target *link.Loc
}

// Text is the hint's label as one string.
func (h InlayHint) Text() string {
	var b strings.Builder
	for _, p := range h.Label {
		b.WriteString(p.Text)
	}
	return b.String()
}

// InlayHints returns the hints of the FFI calls of a Rust file that lie
// in span (an empty span means the whole file), in text order, answering
// from what the index knows now. Other files have no hints. cfg nil means
// the defaults; hints switched off in cfg give none.
func (w *Workspace) InlayHints(ctx context.Context, path string, span facts.Span, cfg *config.Config) (InlayHints, error) {
	res := InlayHints{Path: path}
	if cfg != nil && !cfg.InlayHintsOn() {
		return res, nil
	}
	snap, release := w.Index.Snapshot()
	defer release()
	src, f, err := w.source(ctx, snap, path)
	if err != nil || f == nil || f.Rust == nil {
		return res, err
	}
	res.Text = src
	res.Hints = inlayHints(snap, w.Lifecycle(snap, cfg), f.Rust, src, span)
	return res, nil
}

// inlayHints computes the hints of the calls in span.
func inlayHints(snap *index.Snapshot, kb *lifecycle.KB, r *facts.Rust, src []byte, span facts.Span) []InlayHint {
	var out []InlayHint
	for _, c := range ffiCalls(r) {
		if !span.Empty() && (c.call.End < span.Start || c.call.End > span.End) {
			continue
		}
		e := kb.Effect(c.fn)
		label := hintLabel(snap, e, callArgs(src, c.call))
		if len(label) == 0 {
			continue
		}
		out = append(out, InlayHint{
			Offset:  c.call.End,
			Call:    c.call,
			Func:    c.fn,
			Label:   label,
			Tooltip: strings.Join(kb.Describe(e), "\n"),
		})
	}
	return out
}

// ffiCall is a Rust call of a C function.
type ffiCall struct {
	fn   string     // the C name
	call facts.Span // the whole call expression
}

// ffiCalls lists the calls of bindings:: functions and of the file's own
// extern "C" items, in text order.
func ffiCalls(r *facts.Rust) []ffiCall {
	byStart := map[uint32]facts.Span{} // callee path start -> innermost call
	for _, c := range r.Calls {
		if c.Method {
			continue
		}
		if old, ok := byStart[c.Span.Start]; !ok || c.Span.End < old.End {
			byStart[c.Span.Start] = c.Span
		}
	}
	var out []ffiCall
	for _, ref := range r.BindingRefs {
		if ref.Kind != facts.RefCall {
			continue
		}
		if call, ok := byStart[ref.PathSpan.Start]; ok {
			out = append(out, ffiCall{fn: ref.Name, call: call})
		}
	}
	externs := map[string]string{} // Rust name -> C symbol
	for i := range r.Fns {
		if fn := &r.Fns[i]; fn.ExternBlock >= 0 {
			externs[fn.Name] = fn.Symbol()
		}
	}
	if len(externs) > 0 {
		for _, c := range r.Calls {
			if sym, ok := externs[facts.LastSegment(c.Callee)]; ok && !c.Method {
				out = append(out, ffiCall{fn: sym, call: c.Span})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].call.Start < out[j].call.Start })
	return out
}

// hintLabel says what a call with effect e and these arguments does, or
// nothing when it neither moves ownership nor sleeps.
func hintLabel(snap *index.Snapshot, e lifecycle.Effect, args []string) []HintPart {
	var parts []HintPart
	add := func(text string) {
		sep := ", "
		if len(parts) == 0 {
			sep = "→ "
		}
		parts = append(parts, HintPart{Text: sep + text})
	}
	switch p := e.Acquires; {
	case e.Borrowed:
		add("borrowed")
	case p != nil && e.AcquireArg == lifecycle.ArgReturn && (p.Kind == lifecycle.Ref || p.Kind == lifecycle.Alloc) && len(p.Releases) > 0:
		add("owned: ")
		rel := p.Releases[0]
		parts = append(parts, HintPart{Text: rel, Target: link.Resolve(snap, rel).Best()})
	}
	for _, p := range e.Releases {
		if p.Kind != lifecycle.Lock {
			add("releases")
			break
		}
	}
	gfp := e.SleepsIfGFP && e.GFPArg < len(args) && lifecycle.BlockingGFP(args[e.GFPArg])
	if e.MaySleep || gfp {
		add("may sleep")
	}
	return parts
}

// callArgs splits the argument list of the call expression at span.
func callArgs(src []byte, span facts.Span) []string {
	if int(span.End) > len(src) || span.Start >= span.End {
		return nil
	}
	text := string(src[span.Start:span.End])
	open := strings.IndexByte(text, '(')
	if open < 0 || !strings.HasSuffix(text, ")") {
		return nil
	}
	var args []string
	depth, start := 0, open+1
	for i := open; i < len(text); i++ {
		switch text[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				if a := strings.TrimSpace(text[start:i]); a != "" {
					args = append(args, a)
				}
				return args
			}
		case ',':
			if depth == 1 {
				args = append(args, strings.TrimSpace(text[start:i]))
				start = i + 1
			}
		}
	}
	return args
}
