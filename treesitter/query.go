package treesitter

import (
	"embed"
	"fmt"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	sitter "github.com/smacker/go-tree-sitter"
)

// The queries live in queries/<language>/<name>.scm. Each file documents
// its captures; TestQueriesCompile compiles them all.
//
//go:embed queries
var queryFiles embed.FS

// Query is a compiled tree-sitter query. It is immutable and safe for
// concurrent use: each Matches call runs its own cursor.
type Query struct {
	name  string
	q     *sitter.Query
	names []string      // capture names by capture id
	preds [][]predicate // text predicates by pattern
}

// Match is one match of a query.
type Match struct {
	Pattern  int // index of the matching pattern in the query file
	captures []capture
}

type capture struct {
	name string
	node Node
}

// Capture returns the node captured as name, or the null node when the
// pattern captured nothing under that name (an optional capture).
func (m Match) Capture(name string) Node {
	for _, c := range m.captures {
		if c.name == name {
			return c.node
		}
	}
	return Node{}
}

// Captures returns every node captured as name, in document order (a
// quantified capture such as `(_)* @arg`).
func (m Match) Captures(name string) []Node {
	var out []Node
	for _, c := range m.captures {
		if c.name == name {
			out = append(out, c.node)
		}
	}
	return out
}

// queries holds one language's compiled queries, built on first use.
type queries struct {
	once   sync.Once
	byName map[string]*Query
	err    error
}

var compiled = map[Language]*queries{C: {}, Rust: {}}

// LoadQuery returns the query queries/<lang>/<name>.scm, compiling all of
// the language's queries on the first call.
func LoadQuery(lang Language, name string) (*Query, error) {
	qs, ok := compiled[lang]
	if !ok {
		return nil, fmt.Errorf("query %s: unknown language %s", name, lang)
	}
	qs.once.Do(func() { qs.byName, qs.err = compileAll(lang) })
	if qs.err != nil {
		return nil, qs.err
	}
	q, ok := qs.byName[name]
	if !ok {
		return nil, fmt.Errorf("query %s/%s: no such query", lang, name)
	}
	return q, nil
}

// MustQuery is LoadQuery for queries known to exist: it panics on error,
// which TestQueriesCompile rules out for every embedded query.
func MustQuery(lang Language, name string) *Query {
	q, err := LoadQuery(lang, name)
	if err != nil {
		panic(err)
	}
	return q
}

// QueryNames lists the embedded queries of lang.
func QueryNames(lang Language) []string {
	entries, _ := queryFiles.ReadDir("queries/" + lang.String())
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".scm"); ok {
			out = append(out, n)
		}
	}
	return out
}

func compileAll(lang Language) (map[string]*Query, error) {
	out := map[string]*Query{}
	for _, name := range QueryNames(lang) {
		file := path.Join("queries", lang.String(), name+".scm")
		text, err := queryFiles.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", file, err)
		}
		q, err := compile(lang, name, text)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", file, err)
		}
		out[name] = q
	}
	return out, nil
}

func compile(lang Language, name string, text []byte) (*Query, error) {
	sq, err := sitter.NewQuery(text, lang.grammar())
	if err != nil {
		return nil, err
	}
	q := &Query{name: name, q: sq}
	for i := range sq.CaptureCount() {
		q.names = append(q.names, sq.CaptureNameForId(i))
	}
	for p := range sq.PatternCount() {
		var ps []predicate
		for _, steps := range sq.PredicatesForPattern(p) {
			pr, err := q.predicate(steps)
			if err != nil {
				return nil, fmt.Errorf("pattern %d: %w", p, err)
			}
			ps = append(ps, pr)
		}
		q.preds = append(q.preds, ps)
	}
	return q, nil
}

// Matches runs the query over root and its descendants and calls visit
// with each match until visit returns false. Matches come in the order
// tree-sitter completes them: by position, except that a match nested in
// another (kernel::bindings inside kernel::bindings::foo) can come first.
// Matches
// failing the query's text predicates (#eq?, #match?, #any-of? and their
// negations) are skipped; predicates compare the original source text.
// The query cursor spends time proportional to the tree's depth at every
// node: over a pathologically deep tree a Walk is linear where this is
// quadratic, and a cgo call cannot be cancelled (unsafe-missing-safety
// walks past a bracket depth of 256).
func (q *Query) Matches(root Node, visit func(Match) bool) {
	if root.n == nil {
		return
	}
	qc := sitter.NewQueryCursor()
	defer func() {
		// As closeCursor: no finalizer left to pin the tree.
		qc.Close()
		runtime.SetFinalizer(qc, nil)
	}()
	qc.Exec(q.q, root.n)
	for {
		sm, ok := qc.NextMatch()
		if !ok {
			return
		}
		m := Match{Pattern: int(sm.PatternIndex)}
		for _, c := range sm.Captures {
			m.captures = append(m.captures, capture{name: q.names[c.Index], node: wrap(c.Node, root.src)})
		}
		if !q.holds(m) {
			continue
		}
		if !visit(m) {
			return
		}
	}
}

// predicate is a compiled text predicate over one capture.
type predicate struct {
	capture string
	negate  bool
	test    func(text string, m Match) bool
}

func (q *Query) holds(m Match) bool {
	if m.Pattern >= len(q.preds) {
		return true
	}
	for _, p := range q.preds[m.Pattern] {
		for _, n := range m.Captures(p.capture) {
			if p.test(n.Text(), m) == p.negate {
				return false
			}
		}
	}
	return true
}

// predicate compiles one predicate's steps (operator, capture, arguments).
func (q *Query) predicate(steps []sitter.QueryPredicateStep) (predicate, error) {
	if len(steps) > 0 && steps[len(steps)-1].Type == sitter.QueryPredicateStepTypeDone {
		steps = steps[:len(steps)-1]
	}
	if len(steps) < 3 || steps[0].Type != sitter.QueryPredicateStepTypeString || steps[1].Type != sitter.QueryPredicateStepTypeCapture {
		return predicate{}, fmt.Errorf("predicates take an operator, a capture and arguments")
	}
	op := q.q.StringValueForId(steps[0].ValueId)
	p := predicate{capture: q.q.CaptureNameForId(steps[1].ValueId)}
	op, p.negate = strings.CutPrefix(op, "not-")
	args := steps[2:]
	var strs []string
	for _, a := range args {
		if a.Type == sitter.QueryPredicateStepTypeString {
			strs = append(strs, q.q.StringValueForId(a.ValueId))
		}
	}
	switch {
	case op == "eq?" && len(args) == 1 && args[0].Type == sitter.QueryPredicateStepTypeCapture:
		other := q.q.CaptureNameForId(args[0].ValueId)
		p.test = func(text string, m Match) bool { return text == m.Capture(other).Text() }
	case op == "eq?" && len(strs) == 1 && len(args) == 1:
		p.test = func(text string, _ Match) bool { return text == strs[0] }
	case op == "match?" && len(strs) == 1 && len(args) == 1:
		re, err := regexp.Compile(strs[0])
		if err != nil {
			return predicate{}, fmt.Errorf("#%s: %w", op, err)
		}
		p.test = func(text string, _ Match) bool { return re.MatchString(text) }
	case op == "any-of?" && len(strs) == len(args):
		p.test = func(text string, _ Match) bool { return slices.Contains(strs, text) }
	default:
		return predicate{}, fmt.Errorf("unsupported predicate #%s with %d arguments", op, len(args))
	}
	return p, nil
}
