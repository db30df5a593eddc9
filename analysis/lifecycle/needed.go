package lifecycle

import (
	"sort"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// Needed lists the C names whose tree-sitter facts the KB would read but
// the index lacks: the callees of the functions Rust reaches, up to
// maxDepth calls down (for sleeping and ERR_PTR chains), and the partners
// their names imply (clk_get: clk_put). The workspace parses them with
// index.Ensure and asks again, maxDepth times at most: each round reveals
// the next level's callees.
func Needed(snap *index.Snapshot) []string {
	table, statics := funcTable(snap)
	aliases := macroAliases(snap)
	var roots []string
	snap.BindingNames(func(name string, _ []index.RustRef) bool {
		roots = append(roots, name)
		return true
	})
	roots = append(roots, snap.ExternSymbols()...)

	want := map[string]bool{}
	seen := map[string]bool{}
	level := roots
	for depth := 0; depth <= maxDepth && len(level) > 0; depth++ {
		var next []string
		for _, name := range level {
			if seen[name] {
				continue
			}
			seen[name] = true
			f := table[name]
			if f == nil {
				f = statics[name]
			}
			if a, ok := aliases[name]; ok && f == nil {
				next = append(next, a.target) // a macro standing for one call
				continue
			}
			if f == nil {
				want[displayName(name)] = true
				continue
			}
			if depth == maxDepth {
				continue
			}
			f.bodies(func(fn *facts.CFunc, path string) {
				for _, c := range fn.Calls {
					switch k := staticKey(path, c.Name); {
					case c.Name == "":
					case statics[k] != nil:
						next = append(next, k)
					default:
						next = append(next, c.Name)
					}
				}
			})
		}
		level = next
	}
	for _, name := range roots {
		for _, p := range partners(name) {
			if table[p] == nil {
				want[p] = true
			}
		}
		for _, s := range annotatedSiblings(snap, table[name]) {
			if table[s] == nil {
				want[s] = true
			}
		}
	}
	out := make([]string, 0, len(want))
	for n := range want {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// partners are the names conventions pair name with, as acquire or as
// release.
func partners(name string) []string {
	var out []string
	for i := range conventions {
		c := &conventions[i]
		if stem := c.stemOf(name, c.acquire); stem != "" {
			out = append(out, c.with(stem, c.release))
		}
		if stem := c.stemOf(name, c.release); stem != "" {
			out = append(out, c.with(stem, c.acquire))
		}
	}
	return out
}

// annotatedSiblings are, for a function annotated __acquires, the
// functions declared in the same file under the same first word: where
// its __releases partner is (gate_enter, gate_leave), when no naming
// convention tells.
func annotatedSiblings(snap *index.Snapshot, f *cfunc) []string {
	if f == nil || f.proto == nil || !(f.proto.HasAttr(facts.AttrAcquires) || f.proto.HasAttr(facts.AttrCondAcquires)) {
		return nil
	}
	file := snap.File(f.protoPath)
	if file == nil {
		return nil
	}
	word := firstWord(f.name)
	var out []string
	for _, d := range file.Decls() {
		if d.Kind == facts.DeclFunc && d.Name != f.name && firstWord(d.Name) == word {
			out = append(out, d.Name)
		}
	}
	return out
}

// firstWord is a name's first underscore-separated word, leading
// underscores aside.
func firstWord(name string) string {
	name = strings.TrimLeft(name, "_")
	if i := strings.IndexByte(name, '_'); i >= 0 {
		return name[:i]
	}
	return name
}
