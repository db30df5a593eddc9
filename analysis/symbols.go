package analysis

import (
	"container/heap"
	"context"
	"sort"
	"strings"

	"github.com/sahilm/fuzzy"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// WorkspaceSymbol is a declaration found by name across the workspace.
type WorkspaceSymbol struct {
	Name      string
	Kind      SymbolKind
	Lang      facts.Lang
	Container string // the Rust impl, trait or module; "" for C
	Location         // the name
}

// DefaultSymbolLimit caps WorkspaceSymbols when the caller gives no limit.
const DefaultSymbolLimit = 200

// maxDeclsPerSymbol caps the C declarations listed for one name (a
// prototype, a definition, an architecture's variant).
const maxDeclsPerSymbol = 3

// WorkspaceSymbols finds declarations of both languages whose names match
// query, case-insensitively: exact matches first (case-sensitive ones
// before the others), then prefixes (shorter names first), then fuzzy
// matches of queries of two characters or more (the query's characters
// in order, ranked by github.com/sahilm/fuzzy: word starts and runs
// score). C declarations come from the whole-tree scan (up to
// maxDeclsPerSymbol per name, the most relevant first), Rust items from
// the Rust facts. At most limit symbols are returned
// (DefaultSymbolLimit when limit <= 0); an empty query gives none.
func (w *Workspace) WorkspaceSymbols(ctx context.Context, query string, limit int) ([]WorkspaceSymbol, error) {
	if query == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = DefaultSymbolLimit
	}
	snap, release := w.Index.Snapshot()
	defer release()
	m := newSymbolMatcher(query, limit)
	snap.CDeclsMatching(func(name string) bool {
		m.offer(name, nil)
		return false
	}, func(index.DeclRef) bool { return true })
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	snap.Files(func(f *index.File) bool {
		if f.Rust != nil {
			for _, s := range rustWorkspaceSymbols(f) {
				m.offer(s.Name, &s)
			}
		}
		return ctx.Err() == nil
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return m.results(snap), nil
}

// Match classes, best first.
const (
	matchExact = iota
	matchExactFold
	matchPrefix
	matchFuzzy
)

// candidate is a name that matched, with a cheap rank; rust holds the
// Rust items of that name (C names are looked up at the end).
type candidate struct {
	name  string
	class int
	cheap int // lower is better: word-start hits and length
	rust  []WorkspaceSymbol
	c     bool // a C declaration has this name
	score int  // the fuzzy score, set for the final ranking
}

// symbolMatcher keeps the best candidates of a query as names stream
// past: every exact or prefix match up to the limit, and the best
// fuzzyPool fuzzy ones by a cheap rank.
type symbolMatcher struct {
	query  string
	lower  []byte // the query folded to lower case
	upper  []byte // and to upper case
	limit  int
	byName map[string]*candidate
	fuzzy  candHeap
	strong candHeap // exact and prefix matches, worst on top
}

func newSymbolMatcher(query string, limit int) *symbolMatcher {
	lower, upper := []byte(query), []byte(query)
	for i, c := range []byte(query) {
		lower[i], upper[i] = foldByte(c), upperByte(c)
	}
	return &symbolMatcher{query: query, lower: lower, upper: upper, limit: limit, byName: map[string]*candidate{}}
}

// minFuzzyQuery is the shortest query matched fuzzily: one character
// occurs in most of a kernel's 3.5 million names, and the exact and
// prefix matches of one character are what a picker shows first anyway.
const minFuzzyQuery = 2

// fuzzyPool is how many fuzzy candidates per result slot are scored.
const fuzzyPool = 4

// offer considers one name; rust is its Rust item, nil for C.
func (m *symbolMatcher) offer(name string, rust *WorkspaceSymbol) {
	class, cheap, ok := m.classify(name)
	if !ok {
		return
	}
	cand := candidate{name: name, class: class, cheap: cheap}
	h, capacity := &m.strong, m.limit
	if class == matchFuzzy {
		h, capacity = &m.fuzzy, fuzzyPool*m.limit
	}
	full := h.Len() >= capacity
	if full && rust == nil && !better(&cand, (*h)[0]) {
		return // C names come first: a Rust item may still join a kept name
	}
	if c := m.byName[name]; c != nil {
		m.note(c, rust)
		return
	}
	if full {
		if !better(&cand, (*h)[0]) {
			return
		}
		delete(m.byName, heap.Pop(h).(*candidate).name)
	}
	c := &cand
	heap.Push(h, c)
	m.byName[name] = c
	m.note(c, rust)
}

func (m *symbolMatcher) note(c *candidate, rust *WorkspaceSymbol) {
	if rust == nil {
		c.c = true
	} else {
		c.rust = append(c.rust, *rust)
	}
}

// classify matches name against the query, ASCII case-insensitively.
// It runs for every declared name of the tree, so it compares bytes
// against the query's lower- and upper-case forms rather than folding.
func (m *symbolMatcher) classify(name string) (class, cheap int, ok bool) {
	lo, up := m.lower, m.upper
	n := len(lo)
	if len(name) < n {
		return 0, 0, false
	}
	i := 0
	for i < n && (name[i] == lo[i] || name[i] == up[i]) {
		i++
	}
	switch {
	case i == n && len(name) == n && name == m.query:
		return matchExact, 0, true
	case i == n && len(name) == n:
		return matchExactFold, 0, true
	case i == n:
		return matchPrefix, len(name), true
	}
	if n < minFuzzyQuery {
		return 0, 0, false
	}
	// A subsequence, found greedily; each query character starting a
	// word saves ranks.
	starts, from := 0, 0
	for j := range n {
		k := indexEither(name[from:], lo[j], up[j])
		if k < 0 {
			return 0, 0, false
		}
		k += from
		if k == 0 || name[k-1] == '_' {
			starts++
		}
		from = k + 1
	}
	return matchFuzzy, len(name) - 8*starts, true
}

// indexEither is the index of the first a or b in s, or -1.
func indexEither(s string, a, b byte) int {
	i := strings.IndexByte(s, a)
	if a == b {
		return i
	}
	if k := strings.IndexByte(s, b); k >= 0 && (i < 0 || k < i) {
		return k
	}
	return i
}

func foldByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upperByte(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// better reports whether a ranks before b.
func better(a, b *candidate) bool {
	if a.class != b.class {
		return a.class < b.class
	}
	if a.score != b.score {
		return a.score > b.score
	}
	if a.cheap != b.cheap {
		return a.cheap < b.cheap
	}
	return a.name < b.name
}

// results ranks the candidates and expands them into symbols.
func (m *symbolMatcher) results(snap *index.Snapshot) []WorkspaceSymbol {
	cands := append(append([]*candidate(nil), m.strong...), m.fuzzy...)
	var fuzzyNames []string
	var fuzzyCands []*candidate
	for _, c := range cands {
		if c.class == matchFuzzy {
			fuzzyNames = append(fuzzyNames, c.name)
			fuzzyCands = append(fuzzyCands, c)
		}
	}
	for _, match := range fuzzy.FindNoSort(m.query, fuzzyNames) {
		fuzzyCands[match.Index].score = match.Score
	}
	sort.Slice(cands, func(i, j int) bool { return better(cands[i], cands[j]) })
	var out []WorkspaceSymbol
	for _, c := range cands {
		if c.c {
			out = append(out, cSymbolsNamed(snap, c.name)...)
		}
		out = append(out, c.rust...)
		if len(out) >= m.limit {
			return out[:m.limit]
		}
	}
	return out
}

// cSymbolsNamed lists the most relevant C declarations of name.
func cSymbolsNamed(snap *index.Snapshot, name string) []WorkspaceSymbol {
	var out []WorkspaceSymbol
	for _, d := range index.RankDecls(snap.CDecls(name)) {
		if len(out) == maxDeclsPerSymbol {
			break
		}
		out = append(out, WorkspaceSymbol{
			Name: name, Kind: declSymbolKind(d.Decl), Lang: facts.LangC,
			Location: Location{Path: d.File.Path, Span: nameSpan(d)},
		})
	}
	return out
}

// declSymbolKind is the symbol kind of a scanned C declaration.
func declSymbolKind(d *facts.ScanDecl) SymbolKind {
	switch d.Kind {
	case facts.DeclFunc:
		return SymFunction
	case facts.DeclMacro:
		if d.Has(facts.FlagFuncLike) {
			return SymMacro
		}
		return SymConstant
	case facts.DeclStruct:
		return SymStruct
	case facts.DeclUnion:
		return SymUnion
	case facts.DeclEnum:
		return SymEnum
	case facts.DeclTypedef:
		return SymTypedef
	case facts.DeclGlobal:
		return SymVariable
	case facts.DeclEnumerator:
		return SymEnumMember
	}
	return SymVariable
}

// rustWorkspaceSymbols lists the named items of a Rust file.
func rustWorkspaceSymbols(f *index.File) []WorkspaceSymbol {
	r := f.Rust
	sym := func(name string, kind SymbolKind, container string, sp facts.Span) WorkspaceSymbol {
		return WorkspaceSymbol{Name: name, Kind: kind, Lang: facts.LangRust, Container: container, Location: Location{Path: f.Path, Span: sp}}
	}
	var out []WorkspaceSymbol
	for _, m := range r.Mods {
		out = append(out, sym(m.Name, SymModule, "", m.NameSpan))
	}
	for i := range r.Fns {
		fn := &r.Fns[i]
		kind, container := SymFunction, ""
		switch {
		case fn.Impl >= 0 && fn.Impl < len(r.Impls):
			kind, container = SymMethod, implName(&r.Impls[fn.Impl])
		case fn.Trait >= 0 && fn.Trait < len(r.Types):
			kind, container = SymMethod, "trait "+r.Types[fn.Trait].Name
		case fn.ExternBlock >= 0:
			container = `extern "C"`
		}
		out = append(out, sym(fn.Name, kind, container, fn.NameSpan))
	}
	for _, t := range r.Types {
		out = append(out, sym(t.Name, rustTypeKind(t.Kind), "", t.NameSpan))
	}
	return out
}

// candHeap is a heap of candidates with the worst on top.
type candHeap []*candidate

func (h candHeap) Len() int           { return len(h) }
func (h candHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h candHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *candHeap) Push(x any)        { *h = append(*h, x.(*candidate)) }
func (h *candHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
