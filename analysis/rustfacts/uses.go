package rustfacts

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// scope is the names a module or block brings in with use declarations
// that matter for bindings: other names of the bindings module, and
// bindgen items imported by name.
type scope struct {
	parent  *scope            // the enclosing scope a block sees; nil for a module
	crates  map[string]bool   // the bindgen crates' names: bindings, and configured ones
	modules map[string]bool   // `use kernel::bindings as b` binds "b" (true); `use fw as bindings` shadows "bindings" (false)
	items   map[string]string // `use kernel::bindings::device as dev` maps "dev" to "device"
}

// isModule reports whether name denotes the bindings module in s.
// `bindings` does unless a use in scope binds the name to something else
// (nova-core's `use r570_144 as bindings;` names its own generated
// module): it is the bindgen crate in the kernel and the name every
// `use kernel::bindings;` brings in.
func (s *scope) isModule(name string) bool {
	crates := s.crates
	for ; s != nil; s = s.parent {
		if is, ok := s.modules[name]; ok {
			return is
		}
	}
	return crates[name]
}

// bindModule records whether alias names the bindings module in s.
func (s *scope) bindModule(alias string, is bool) {
	if s.modules == nil {
		s.modules = map[string]bool{}
	}
	s.modules[alias] = is
}

// item returns the bindgen name an imported name stands for.
func (s *scope) item(name []byte) (string, bool) {
	for ; s != nil; s = s.parent {
		if n, ok := s.items[string(name)]; ok {
			return n, true
		}
	}
	return "", false
}

// hasItems reports whether any bindgen item is imported by name in s.
func (s *scope) hasItems() bool {
	for ; s != nil; s = s.parent {
		if len(s.items) > 0 {
			return true
		}
	}
	return false
}

// seg is one segment of a path: its text ("" for a leading `::`) and span.
type seg struct {
	text string
	span facts.Span
}

func joinSegs(segs []seg) string {
	parts := make([]string, len(segs))
	for i, s := range segs {
		parts[i] = s.text
	}
	return strings.Join(parts, "::")
}

// resolve finds the bindgen name a path reaches: the segment after the
// bindings module (`bindings::NAME`, `kernel::bindings::NAME`,
// `crate::bindings::NAME`, `::kernel::bindings::NAME`,
// `$crate::bindings::NAME`, `b::NAME` for a module alias b), or an
// imported item used as a qualifier (`device::release` after `use
// kernel::bindings::device`). i is the index of NAME's segment.
func (s *scope) resolve(segs []seg) (name string, i int, ok bool) {
	if m := s.moduleEnd(segs); m >= 0 {
		// NAME is a real name: not `bindings::$name` in a macro body.
		if m+1 < len(segs) && segs[m+1].text != "" && segs[m+1].text[0] != '$' {
			return segs[m+1].text, m + 1, true
		}
		return "", 0, false
	}
	if len(segs) > 1 {
		if n, ok := s.item([]byte(segs[0].text)); ok {
			return n, 0, true
		}
	}
	return "", 0, false
}

// moduleEnd is the index of the segment naming the bindings module when
// segs start with a path to it, else -1.
func (s *scope) moduleEnd(segs []seg) int {
	i := 0
	if len(segs) > 0 && segs[0].text == "" {
		i = 1
	}
	if i >= len(segs) {
		return -1
	}
	switch segs[i].text {
	case "kernel", "crate", "$crate":
		if i+1 < len(segs) && s.crates[segs[i+1].text] {
			return i + 1
		}
		return -1
	}
	if i == 1 { // ::bindings, the extern crate itself
		if s.crates[segs[1].text] {
			return 1
		}
		return -1
	}
	if s.isModule(segs[0].text) {
		return 0
	}
	return -1
}

// useLeaf is one name a use declaration brings into scope.
type useLeaf struct {
	segs  []seg
	alias string // "*" for a glob
	span  facts.Span
}

// useDecl records a use declaration's flattened names in Uses, binds the
// bindings-module aliases and imported bindgen items in s, and records
// each imported bindgen item as a reference at the use site.
func (x *extractor) useDecl(n treesitter.Node, s *scope) {
	var leaves []useLeaf
	x.flattenUse(n.Field(treesitter.RustFieldArgument), nil, &leaves)
	for _, l := range leaves {
		x.out.Uses = append(x.out.Uses, facts.RUse{Path: joinSegs(l.segs), Alias: l.alias, Span: l.span})
		if l.alias == "*" {
			continue
		}
		if m := s.moduleEnd(l.segs); m == len(l.segs)-1 {
			s.bindModule(l.alias, true)
			continue
		}
		if s.crates[l.alias] {
			// `use other as bindings;`, `use super::bindings;`: the name
			// means another module here.
			s.bindModule(l.alias, false)
			continue
		}
		name, i, ok := s.resolve(l.segs)
		if !ok {
			continue
		}
		kind := facts.RefValue
		if i < len(l.segs)-1 {
			kind = facts.RefType // a qualifier: `use bindings::irqreturn::IRQ_NONE`
		} else {
			if s.items == nil {
				s.items = map[string]string{}
			}
			s.items[l.alias] = name
		}
		x.addRef(name, l.segs[i].span, l.span, kind)
	}
}

// flattenUse appends the leaves of a use tree under prefix.
func (x *extractor) flattenUse(n treesitter.Node, prefix []seg, out *[]useLeaf) {
	switch n.Kind() {
	case treesitter.RustKindScopedUseList:
		p := prefix
		if path := n.Field(treesitter.RustFieldPath); !path.IsNull() {
			p = x.useSegs(path, prefix)
		}
		x.flattenUse(n.Field(treesitter.RustFieldList), p, out)
	case treesitter.RustKindUseList:
		for _, c := range n.NamedChildren() {
			x.flattenUse(c, prefix, out)
		}
	case treesitter.RustKindUseAsClause:
		segs := x.useSegs(n.Field(treesitter.RustFieldPath), prefix)
		*out = append(*out, useLeaf{segs: segs, alias: n.Field(treesitter.RustFieldAlias).Text(), span: span(n)})
	case treesitter.RustKindUseWildcard:
		segs := prefix
		if p := n.NamedChild(0); !p.IsNull() {
			segs = x.useSegs(p, prefix)
		}
		*out = append(*out, useLeaf{segs: segs, alias: "*", span: span(n)})
	case treesitter.RustKindIdentifier, treesitter.RustKindScopedIdentifier, treesitter.RustKindSelf,
		treesitter.RustKindCrate, treesitter.RustKindSuper, treesitter.RustKindMetavariable:
		segs := x.useSegs(n, prefix)
		if len(segs) == 0 {
			return
		}
		*out = append(*out, useLeaf{segs: segs, alias: segs[len(segs)-1].text, span: span(n)})
	}
}

// useSegs appends the segments of a use path to a copy of prefix; a
// lone `self` in a group names the prefix itself.
func (x *extractor) useSegs(path treesitter.Node, prefix []seg) []seg {
	segs := append([]seg(nil), prefix...)
	if path.Kind() == treesitter.RustKindSelf && len(prefix) > 0 {
		return segs
	}
	return x.pathSegs(path, segs, nil)
}
