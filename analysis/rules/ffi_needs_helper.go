package rules

import (
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// FFINeedsHelper reports bindings:: names of static inline functions and
// function-like macros that no rust_helper_NAME wraps.
var FFINeedsHelper = register(&Rule{
	Code:     "ffi-needs-helper",
	Title:    "A `bindings::NAME` where NAME is a C `static inline` function or function-like macro with no `rust_helper_NAME`.",
	Severity: Error,
	Lang:     facts.LangRust,
	Run:      runFFINeedsHelper,
	Doc: `# ffi-needs-helper

A ` + "`bindings::NAME`" + ` where NAME is a C ` + "`static inline`" + ` function or a
function-like macro that no ` + "`rust_helper_NAME`" + ` wraps.

## What

bindgen binds only functions with a symbol: it skips ` + "`static inline`" + `
functions and cannot translate function-like macros. The kernel gives Rust
those through rust/helpers/*.c: ` + "`rust_helper_NAME`" + ` calls NAME, and the
rust/Makefile turns the helper's binding into ` + "`bindings::NAME`" + `. The rule
reports every ` + "`bindings::NAME`" + ` whose C declaration is a static inline
function or a function-like macro for which no helper exists.

## Why

Without the helper there is no ` + "`bindings::NAME`" + `: the Rust build fails with an
unresolved name, after the C build. The helper is a few lines of C, and its
place and signature follow from the C declaration.

## Example

` + "```rust" + `
// include/linux/device.h:
//   static inline void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp)
let p = unsafe { bindings::devm_kzalloc(dev, size, bindings::GFP_KERNEL) }; // reported
` + "```" + `

## Fix

Add the helper to the rust/helpers file that includes the function's
header:

` + "```c" + `
__rust_helper void *rust_helper_devm_kzalloc(struct device *dev, size_t size, gfp_t gfp)
{
	return devm_kzalloc(dev, size, gfp);
}
` + "```" + `

For a static inline function the quick fix writes this helper, with the
C function's return type, parameters and ` + "`__must_check`" + `/` + "`__noreturn`" + `/
` + "`__malloc`" + ` attributes, into the rust/helpers file that already includes its
header (adding the ` + "`#include`" + ` to rust/helpers/HEADER.c if that file exists
without it), or creates rust/helpers/HEADER.c and adds it to helpers.c.
A macro has no types to copy: write its helper by hand, or call the
exported function the macro expands to.

## Silence

Put ` + "`// rivet:allow(ffi-needs-helper)`" + ` on the line or the line above, or set
` + "`ffi-needs-helper = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
`,
})

func runFFINeedsHelper(p *Pass) {
	r := p.File.Rust
	k := p.Snap.Kernel()
	if r == nil || k == nil {
		return
	}
	for i := range r.BindingRefs {
		ref := &r.BindingRefs[i]
		if ref.Kind == facts.RefType {
			continue
		}
		t := resolveRef(p, ref)
		if t.Kind != link.Unresolved || t.Decl == nil || !strings.HasSuffix(t.Decl.Path, ".h") {
			continue // a static function of a .c file is ffi-unresolved's
		}
		var what string
		switch t.Cause {
		case link.InlineWithoutHelper:
			what = "a static inline function"
		case link.MacroWithoutHelper:
			what = "a function-like macro"
		default:
			continue
		}
		d := p.Report(ref.PathSpan, "bindings::%s names %s of %s that no %s%s wraps: bindgen cannot bind it, so Rust needs a helper",
			ref.Name, what, relPath(k, t.Decl.Path), link.HelperPrefix, ref.Name)
		d.Related = append(d.Related, Related{Path: t.Decl.Path, Span: t.Decl.Span, Message: "the C " + strings.TrimPrefix(what, "a ")})
		if t.Cause == link.InlineWithoutHelper {
			if fix, ok := helperFix(p.Snap, k, ref.Name, t.Decl); ok {
				d.Fixes = append(d.Fixes, fix)
			}
		}
	}
}

// helperFix writes rust_helper_NAME for the static inline function at
// decl into the rust/helpers file that suits its header.
func helperFix(snap *index.Snapshot, k *index.Kernel, name string, decl *link.Loc) (Fix, bool) {
	fn := link.FuncFactsAt(snap, decl)
	header := includeName(decl.Path)
	if fn == nil || header == "" || k.HelpersDir == "" {
		return Fix{}, false
	}
	text, ok := helperText(fn)
	if !ok {
		return Fix{}, false
	}
	title := "Add " + link.HelperPrefix + name + " to "
	helpers := helperFiles(snap, k)
	for _, f := range helpers {
		if includes(f.C, header) {
			return Fix{Title: title + relPath(k, f.Path), Edits: []Edit{appendHelper(f, text)}}, true
		}
	}
	if strings.HasSuffix(k.HelpersDir, "/rust") {
		return Fix{}, false // the old single rust/helpers.c layout without the header: leave it to a human
	}
	base := strings.TrimSuffix(path.Base(header), ".h") + ".c"
	target := k.HelpersDir + "/" + base
	for _, f := range helpers {
		if f.Path != target {
			continue
		}
		inc, ok := addInclude(f, header)
		if !ok {
			return Fix{}, false
		}
		return Fix{Title: title + relPath(k, f.Path), Edits: []Edit{inc, appendHelper(f, text)}}, true
	}
	// A new file, listed in helpers.c.
	var root *index.File
	for _, f := range helpers {
		if f.Path == k.HelpersDir+"/helpers.c" {
			root = f
		}
	}
	if root == nil {
		return Fix{}, false
	}
	list, ok := listHelperFile(root, base)
	if !ok {
		return Fix{}, false
	}
	create := Edit{Path: target, Create: true, NewText: "// SPDX-License-Identifier: GPL-2.0\n\n#include <" + header + ">\n\n" + text + "\n"}
	return Fix{Title: title + "a new " + relPath(k, target), Edits: []Edit{create, list}}, true
}

// helperText is the C definition of the helper wrapping fn.
func helperText(fn *facts.CFunc) (string, bool) {
	if fn.Variadic || fn.Return.Kind == facts.CTypeFunc || fn.Return.Kind == facts.CTypeArray {
		return "", false
	}
	var attrs []string
	for _, a := range keptAttrs {
		if fn.HasAttr(a) {
			attrs = append(attrs, a)
		}
	}
	head := strings.Join(append(attrs, link.HelperPrefix+fn.Name), " ")
	var params, args []string
	for i, prm := range fn.Params {
		if prm.Type.Kind == facts.CTypeVoid && len(fn.Params) == 1 {
			break // (void)
		}
		name := prm.Name
		if name == "" {
			name = "arg" + strconv.Itoa(i)
		}
		params = append(params, cDeclarator(prm.Type.Text, name))
		args = append(args, name)
	}
	if len(params) == 0 {
		params = []string{"void"}
	}
	call := fn.Name + "(" + strings.Join(args, ", ") + ");"
	if fn.Return.Kind != facts.CTypeVoid {
		call = "return " + call
	}
	return "__rust_helper " + cDeclarator(fn.Return.Text, head) + "(" + strings.Join(params, ", ") + ")\n{\n\t" + call + "\n}", true
}

// cDeclarator declares name with type text t as written in facts
// ("struct device *", "void (*)(void *)", "u8 [4]").
func cDeclarator(t, name string) string {
	t = strings.TrimSpace(t)
	switch {
	case strings.Contains(t, "(*"):
		i := strings.Index(t, "(*") + 2
		return t[:i] + name + t[i:]
	case strings.Contains(t, "["):
		i := strings.Index(t, "[")
		return strings.TrimSpace(t[:i]) + " " + name + t[i:]
	case strings.HasSuffix(t, "*"):
		return t + name
	}
	return t + " " + name
}

// includeName is how C code includes the header at path: the part after
// its last include/ directory (and uapi/), or "" for a header outside one.
func includeName(p string) string {
	i := strings.LastIndex(p, "/include/")
	if i < 0 || !strings.HasSuffix(p, ".h") {
		return ""
	}
	rel := p[i+len("/include/"):]
	return strings.TrimPrefix(rel, "uapi/")
}

// helperFiles returns the rust/helpers C files with facts, sorted by path.
func helperFiles(snap *index.Snapshot, k *index.Kernel) []*index.File {
	var out []*index.File
	snap.Files(func(f *index.File) bool {
		if f.C != nil && k.IsHelper(f.Path) {
			out = append(out, f)
		}
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// includes reports whether a C file includes header.
func includes(c *facts.C, header string) bool {
	for _, inc := range c.Includes {
		if inc.Path == header {
			return true
		}
	}
	return false
}

// appendHelper inserts a helper after the last function or include of f,
// which keeps the edit inside the text the facts came from.
func appendHelper(f *index.File, text string) Edit {
	var end uint32
	for _, fn := range f.C.Funcs {
		end = max(end, fn.Span.End)
	}
	for _, inc := range f.C.Includes {
		end = max(end, inc.Span.End)
	}
	return Edit{Path: f.Path, Span: facts.Span{Start: end, End: end}, NewText: "\n\n" + text}
}

// addInclude adds `#include <header>` after the last #include of f.
func addInclude(f *index.File, header string) (Edit, bool) {
	if len(f.C.Includes) == 0 {
		return Edit{}, false
	}
	end := f.C.Includes[len(f.C.Includes)-1].Span.End
	return Edit{Path: f.Path, Span: facts.Span{Start: end, End: end}, NewText: "\n#include <" + header + ">"}, true
}

// listHelperFile adds `#include "base"` to helpers.c, keeping its list of
// helper files sorted.
func listHelperFile(root *index.File, base string) (Edit, bool) {
	var last *facts.CInclude
	for i := range root.C.Includes {
		inc := &root.C.Includes[i]
		if inc.System || !strings.HasSuffix(inc.Path, ".c") {
			continue
		}
		if inc.Path > base {
			return Edit{Path: root.Path, Span: facts.Span{Start: inc.Span.Start, End: inc.Span.Start}, NewText: "#include \"" + base + "\"\n"}, true
		}
		last = inc
	}
	if last == nil {
		return Edit{}, false
	}
	return Edit{Path: root.Path, Span: facts.Span{Start: last.Span.End, End: last.Span.End}, NewText: "\n#include \"" + base + "\""}, true
}

// relPath is path relative to the kernel root, for messages.
func relPath(k *index.Kernel, p string) string {
	if k != nil {
		if rel, ok := strings.CutPrefix(p, k.Root+"/"); ok {
			return rel
		}
	}
	return p
}
