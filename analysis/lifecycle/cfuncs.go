package lifecycle

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

const helperPrefix = "rust_helper_"

// cfunc is what the index's tree-sitter facts say about one C function
// name: its most relevant definition and prototype (kernel headers
// annotate the prototype, the .c file has the body), and the rust/helpers
// wrapper when Rust reaches it through one.
type cfunc struct {
	name       string
	def        *facts.CFunc
	defPath    string
	proto      *facts.CFunc
	protoPath  string
	helper     *facts.CFunc
	helperPath string
	// alts are the other definitions outside architecture-specific code:
	// a header's stub for one configuration, the .c file's body for
	// another (clk_get returns NULL without CONFIG_HAVE_CLK, an ERR_PTR
	// with it). What a body "may" do is the union of them.
	alts []cand
}

// sig is the declaration whose types rivet reads: the prototype, else the
// definition, else the helper's.
func (c *cfunc) sig() *facts.CFunc {
	switch {
	case c.proto != nil:
		return c.proto
	case c.def != nil:
		return c.def
	}
	return c.helper
}

// body is the body that stands for the function: its definition's, or
// for a macro Rust reaches through a helper, the helper's.
func (c *cfunc) body() (*facts.CFunc, string) {
	if c.def != nil && c.def.Body != nil {
		return c.def, c.defPath
	}
	if c.helper != nil && c.helper.Body != nil {
		return c.helper, c.helperPath
	}
	return nil, ""
}

// attrs calls fn for the annotations of the definition and prototype.
func (c *cfunc) attrs(fn func(a facts.Annotation, path string)) {
	if c.def != nil {
		for _, a := range c.def.Attrs {
			fn(a, c.defPath)
		}
	}
	if c.proto != nil {
		for _, a := range c.proto.Attrs {
			fn(a, c.protoPath)
		}
	}
}

// funcTable builds the table of every C function with tree-sitter facts,
// choosing among several declarations of a name the way the link model
// does (index.RankDecls: generic and x86 headers first). Static functions
// of .c files are private to their file: they are returned apart, keyed
// by staticKey, and calls reach them only from their own file.
func funcTable(snap *index.Snapshot) (globals, statics map[string]*cfunc) {
	byName := map[string][]cand{}
	helpers := map[string]cand{}
	statics = map[string]*cfunc{}
	k := snap.Kernel()
	snap.Files(func(f *index.File) bool {
		if f.C == nil {
			return true
		}
		isHelper := k.IsHelper(f.Path)
		header := strings.HasSuffix(f.Path, ".h")
		for i := range f.C.Funcs {
			fn := &f.C.Funcs[i]
			switch x, ok := strings.CutPrefix(fn.Name, helperPrefix); {
			case ok && fn.Definition && (isHelper || k == nil):
				if old, dup := helpers[x]; !dup || f.Path < old.file.Path {
					helpers[x] = cand{f, fn}
				}
			case fn.Static && !header:
				if fn.Definition && fn.Body != nil {
					statics[staticKey(f.Path, fn.Name)] = &cfunc{name: fn.Name, def: fn, defPath: f.Path}
				}
			default:
				byName[fn.Name] = append(byName[fn.Name], cand{f, fn})
			}
		}
		return true
	})
	table := make(map[string]*cfunc, len(byName)+len(helpers))
	for name, cs := range byName {
		refs := make([]index.DeclRef, len(cs))
		for i, c := range cs {
			d := &facts.ScanDecl{Name: name, Kind: facts.DeclFunc, Name0: c.fn.NameSpan.Start}
			if c.fn.Definition {
				d.Flags |= facts.FlagDefinition
			}
			refs[i] = index.DeclRef{File: c.file, Decl: d}
		}
		cf := &cfunc{name: name}
		for _, r := range index.RankDecls(refs) {
			fn := candidateAt(cs, r)
			switch {
			case fn.Definition && fn.Body != nil && cf.def == nil:
				cf.def, cf.defPath = fn, r.File.Path
			case fn.Definition && fn.Body != nil && genericPath(r.File.Path):
				cf.alts = append(cf.alts, cand{r.File, fn})
			case !fn.Definition && cf.proto == nil:
				cf.proto, cf.protoPath = fn, r.File.Path
			}
		}
		if cf.def == nil && cf.proto == nil && len(cs) > 0 {
			cf.def, cf.defPath = cs[0].fn, cs[0].file.Path // a body-less definition
		}
		table[name] = cf
	}
	for name, h := range helpers {
		cf := table[name]
		if cf == nil {
			cf = &cfunc{name: name}
			table[name] = cf
		}
		cf.helper, cf.helperPath = h.fn, h.file.Path
	}
	return table, statics
}

// genericPath reports whether a definition applies to the configuration
// rivet assumes: not another architecture's, not a tool's.
func genericPath(p string) bool {
	if strings.Contains(p, "/arch/") && !strings.Contains(p, "/arch/x86/") {
		return false
	}
	return !strings.Contains(p, "/tools/") && !strings.Contains(p, "/scripts/") && !strings.Contains(p, "/samples/")
}

// bodies calls fn for the function's body and its alternative
// definitions' bodies.
func (c *cfunc) bodies(fn func(f *facts.CFunc, path string)) {
	if f, path := c.body(); f != nil {
		fn(f, path)
	}
	for _, a := range c.alts {
		fn(a.fn, a.file.Path)
	}
}

// staticKey names a file's static function in the builder's maps.
func staticKey(path, name string) string { return path + "\x00" + name }

// displayName is the function name of a builder key.
func displayName(key string) string {
	if i := strings.IndexByte(key, 0); i >= 0 {
		return key[i+1:]
	}
	return key
}

// cand is one declaration of a C function with facts.
type cand struct {
	file *index.File
	fn   *facts.CFunc
}

// candidateAt returns the facts of the ranked declaration r.
func candidateAt(cs []cand, r index.DeclRef) *facts.CFunc {
	for _, c := range cs {
		if c.file == r.File && c.fn.NameSpan.Start == r.Decl.Name0 {
			return c.fn
		}
	}
	return nil
}

// base is the type a pointer points to, by name ("device" for struct
// device *, "spinlock_t", "void"), or "" when t is not a pointer.
func base(t facts.CType) string {
	if t.Kind != facts.CTypePointer || t.Elem == nil {
		return ""
	}
	e := t.Elem
	switch e.Kind {
	case facts.CTypeVoid:
		return "void"
	case facts.CTypeRecord, facts.CTypeEnum, facts.CTypeNamed:
		return e.Name
	case facts.CTypePointer:
		return "*" + base(*e)
	}
	return e.Text
}

// returnsPointer reports whether f returns a pointer.
func returnsPointer(f *facts.CFunc) bool { return f.Return.Kind == facts.CTypePointer }

// pointerParam returns the index of the first parameter pointing to b
// ("" matches any pointer, "void" matches only void *), or -1.
func pointerParam(f *facts.CFunc, b string) int {
	for i, p := range f.Params {
		pb := base(p.Type)
		if pb == "" {
			continue
		}
		if b == "" || pb == b {
			return i
		}
	}
	return -1
}

// gfpParam returns the index of a gfp_t parameter, or -1.
func gfpParam(f *facts.CFunc) int {
	for i, p := range f.Params {
		if p.Type.Kind == facts.CTypeNamed && p.Type.Name == "gfp_t" {
			return i
		}
	}
	return -1
}

// paramNamed returns the index of the parameter whose name appears as an
// identifier in expr ("&dev->lock" names dev), or -1.
func paramNamed(f *facts.CFunc, expr string) int {
	if f == nil {
		return -1
	}
	ids := identifiers(expr)
	for i, p := range f.Params {
		for _, id := range ids {
			if p.Name != "" && id == p.Name {
				return i
			}
		}
	}
	return -1
}

// macroAlias is a function-like macro that is one call: `#define
// xa_lock(xa) spin_lock(&(xa)->xa_lock)`, or one call through
// alloc_hooks: `#define kmalloc(...) alloc_hooks(kmalloc_noprof(...))`.
// It does what its target does.
type macroAlias struct {
	target string
	path   string
	span   facts.Span
}

// macroAliases finds the forwarding macros among those with facts.
func macroAliases(snap *index.Snapshot) map[string]macroAlias {
	out := map[string]macroAlias{}
	snap.Files(func(f *index.File) bool {
		if f.C == nil {
			return true
		}
		for i := range f.C.Macros {
			m := &f.C.Macros[i]
			if !m.FuncLike {
				continue
			}
			target := forwardedCall(m.Body)
			if target == "" || target == m.Name {
				continue
			}
			if old, dup := out[m.Name]; !dup || f.Path < old.path {
				out[m.Name] = macroAlias{target: target, path: f.Path, span: m.NameSpan}
			}
		}
		return true
	})
	return out
}

// forwardedCall returns the function a macro body calls when the body is
// that one call, seen through alloc_hooks().
func forwardedCall(body string) string {
	body = strings.TrimSuffix(strings.TrimSpace(body), ";")
	cs := calls(body)
	if len(cs) == 0 || !strings.HasPrefix(body, cs[0].name) {
		return ""
	}
	rest := strings.TrimSpace(body[len(cs[0].name):])
	if end := closingParen(rest); end != len(rest)-1 {
		return "" // more follows the call
	}
	if cs[0].name == "alloc_hooks" && len(cs[0].args) == 1 {
		return forwardedCall(cs[0].args[0])
	}
	return cs[0].name
}

// closingParen returns the index of the parenthesis closing the one s
// starts with, or -1.
func closingParen(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
