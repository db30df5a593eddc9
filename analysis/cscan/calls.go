package cscan

import (
	"bytes"
	"sort"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// The whole-tree scan keeps only the names a file calls (facts.Scan.Callees),
// not where: navigation re-reads the few files that matter with the
// functions below, which lex exactly as Scan does.

// CallSite is one call of a name in a function body.
type CallSite struct {
	Span facts.Span // the callee identifier
	// Func indexes the Decls of the file's Scan: the function definition
	// whose body holds the call.
	Func int
}

// CallSites returns, in source order, the calls of name inside the
// function bodies of src: each `name (` in code (not in a comment, string
// or character literal, not after `.` or `->`) that lies within the span
// of a function definition, other than at the definition's own name. scan
// is src's Scan; nil computes it. Like Scan, it never fails on broken
// code.
func CallSites(src []byte, scan *facts.Scan, name string) []CallSite {
	if name == "" || !bytes.Contains(src, []byte(name)) {
		return nil
	}
	if scan == nil {
		scan = Scan(src)
	}
	defs := definitions(scan)
	if len(defs) == 0 {
		return nil
	}
	var out []CallSite
	codeIdents(src, len(src), func(i, j int) bool {
		if j-i != len(name) || string(src[i:j]) != name || !calledAt(src, i, j) {
			return true
		}
		if k := enclosing(scan, defs, uint32(i)); k >= 0 && scan.Decls[k].Name0 != uint32(i) {
			out = append(out, CallSite{Span: facts.Span{Start: uint32(i), End: uint32(j)}, Func: k})
		}
		return true
	})
	return out
}

// CallSitesOf is CallSites for several names at once, in one pass over
// src: the calls of each name in names, in source order.
func CallSitesOf(src []byte, scan *facts.Scan, names map[string]bool) map[string][]CallSite {
	if len(names) == 0 {
		return nil
	}
	if scan == nil {
		scan = Scan(src)
	}
	defs := definitions(scan)
	if len(defs) == 0 {
		return nil
	}
	out := map[string][]CallSite{}
	codeIdents(src, len(src), func(i, j int) bool {
		if !names[string(src[i:j])] || !calledAt(src, i, j) {
			return true
		}
		if k := enclosing(scan, defs, uint32(i)); k >= 0 && scan.Decls[k].Name0 != uint32(i) {
			name := string(src[i:j])
			out[name] = append(out[name], CallSite{Span: facts.Span{Start: uint32(i), End: uint32(j)}, Func: k})
		}
		return true
	})
	return out
}

// IdentAt returns the span of the identifier in code that holds offset off
// or ends right at it (an editor's cursor just after a word), and false
// when off is in a comment, a literal or between tokens.
func IdentAt(src []byte, off int) (facts.Span, bool) {
	if off < 0 || off > len(src) {
		return facts.Span{}, false
	}
	var found facts.Span
	ok := false
	codeIdents(src, min(off+1, len(src)), func(i, j int) bool {
		if i <= off && off <= j {
			found, ok = facts.Span{Start: uint32(i), End: uint32(j)}, true
			return false
		}
		return true
	})
	return found, ok
}

// codeIdents calls visit for every identifier of code that starts before
// limit, in order, until visit returns false. Comments, string and
// character literals and numbers are skipped the way Scan skips them;
// preprocessor lines are code.
func codeIdents(src []byte, limit int, visit func(start, end int) bool) {
	n := len(src)
	for i := 0; i < n && i < limit; {
		c := src[i]
		switch class[c] {
		case cIdent:
			j := i + 1
			for j < n && identCont[src[j]] {
				j++
			}
			if !visit(i, j) {
				return
			}
			i = j
		case cDigit:
			i = skipNumber(src, i)
		case cDot:
			if i+1 < n && class[src[i+1]] == cDigit {
				i = skipNumber(src, i)
			} else {
				i++
			}
		case cQuote, cApos:
			i = skipQuoted(src, i+1, c)
		case cSlash:
			j := skipSplices(src, i+1)
			switch {
			case j < n && src[j] == '*':
				i = skipBlockComment(src, j+1)
			case j < n && src[j] == '/':
				i = skipLineComment(src, j+1)
			default:
				i++
			}
		default:
			i++
		}
	}
}

// calledAt reports whether the identifier src[i:j] is called: a `(`
// follows it and no `.` or `->` precedes it.
func calledAt(src []byte, i, j int) bool {
	for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
		j++
	}
	return j < len(src) && src[j] == '(' && !afterMember(src, i)
}

// definitions returns the indexes of scan's function definitions sorted
// by span start.
func definitions(scan *facts.Scan) []int {
	var defs []int
	for k := range scan.Decls {
		d := &scan.Decls[k]
		if d.Kind == facts.DeclFunc && d.Has(facts.FlagDefinition) {
			defs = append(defs, k)
		}
	}
	sort.Slice(defs, func(a, b int) bool { return scan.Decls[defs[a]].Span.Start < scan.Decls[defs[b]].Span.Start })
	return defs
}

// enclosing returns the definition (an index into scan.Decls) whose span
// holds off, or -1.
func enclosing(scan *facts.Scan, defs []int, off uint32) int {
	k := sort.Search(len(defs), func(k int) bool { return scan.Decls[defs[k]].Span.Start > off }) - 1
	if k >= 0 && scan.Decls[defs[k]].Span.Contains(off) {
		return defs[k]
	}
	return -1
}
