package rules

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// FFIUnresolved reports Rust names for C items that nothing in the tree
// declares: bindings:: paths bindgen cannot generate and extern-block
// items no C file defines.
var FFIUnresolved = register(&Rule{
	Code:           "ffi-unresolved",
	ReportsAbsence: true,
	Title:          "A `bindings::NAME` or `extern \"C\"` item that names no C declaration, helper or constant in the tree.",
	Severity:       Error,
	Lang:           facts.LangRust,
	Run:            runFFIUnresolved,
	Doc: `# ffi-unresolved

A ` + "`bindings::NAME`" + ` (or an item of an ` + "`extern \"C\"`" + ` block) that names no C
declaration, helper or constant in the tree.

## What

In a kernel tree (one with rust/bindings/bindings_helper.h or rust/helpers),
every ` + "`bindings::NAME`" + `, ` + "`kernel::bindings::NAME`" + ` or ` + "`crate::bindings::NAME`" + ` must
reach something bindgen generates: a C function, a ` + "`rust_helper_NAME`" + `, a
` + "`RUST_CONST_HELPER_NAME`" + ` constant, a macro or enumerator constant, a type,
a global. The rule reports the names that reach nothing, and says so when
rust/bindgen_parameters blocklists the name (pointing at the line).
Names bindgen invents (` + "`__BindgenBitfieldUnit`" + `, ` + "`foo__bindgen_ty_1`" + `) and
items written by hand in the bindings crate are not reported; static inline
functions and function-like macros without a helper are ffi-needs-helper's.

In every tree, an item of an ` + "`extern \"C\"`" + ` block is reported when no C file
declares its symbol (its ` + "`#[link_name]`" + ` or its name) and no Rust code exports
it.

## Why

bindgen only generates what the headers of bindings_helper.h declare, minus
the blocklist. A name outside that set fails the Rust build with an
unresolved import, after a long C build, or — for an extern block item —
fails only at module load with an unknown symbol. rivet says which name is
missing, and why, as you type.

## Example

` + "```rust" + `
// rust/bindgen_parameters: --blocklist-type __kernel_s?size_t
pub const SIZE: bindings::__kernel_size_t = 64; // reported: blocklisted

extern "C" {
    fn board_poweroff(); // reported: no C file declares it
}
` + "```" + `

## Fix

Use the Rust equivalent of a blocklisted type (` + "`usize`" + ` for ` + "`size_t`" + `), add the
header declaring the name to bindings_helper.h, add a ` + "`RUST_CONST_HELPER_NAME`" + `
for a macro bindgen cannot evaluate, or declare and define the C function
an extern block imports.

## Silence

Put ` + "`// rivet:allow(ffi-unresolved)`" + ` on the line or the line above, or set
` + "`ffi-unresolved = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
`,
})

func runFFIUnresolved(p *Pass) {
	r := p.File.Rust
	if r == nil {
		return
	}
	if k := p.Snap.Kernel(); k != nil {
		for i := range r.BindingRefs {
			ref := &r.BindingRefs[i]
			t := resolveRef(p, ref)
			if t.Kind != link.Unresolved {
				continue
			}
			switch {
			case t.Cause == link.Blocklisted:
				reportBlocklisted(p, k, ref, t)
			case t.Cause == link.Missing:
				p.Report(ref.PathSpan, "bindings::%s names no C declaration, helper or constant in the tree: bindgen does not generate it", ref.Name)
			case t.Decl != nil && !strings.HasSuffix(t.Decl.Path, ".h"):
				d := p.Report(ref.PathSpan, "bindings::%s names only a static function of %s: bindgen reads headers, so it does not generate it", ref.Name, relPath(k, t.Decl.Path))
				d.Related = append(d.Related, Related{Path: t.Decl.Path, Span: t.Decl.Span, Message: "the static C function"})
			}
		}
	}
	for i := range r.Fns {
		fn := &r.Fns[i]
		if fn.ExternBlock < 0 || !isCABI(r.ExternBlocks[fn.ExternBlock].ABI) {
			continue
		}
		if sym := fn.Symbol(); !definedForRust(p.Snap, sym, facts.DeclFunc) {
			p.Report(fn.NameSpan, "extern \"C\" fn %s imports the C symbol %s, which no C file declares and no Rust code exports: the module would not link", fn.Name, sym)
		}
	}
	for _, b := range r.ExternBlocks {
		if !isCABI(b.ABI) {
			continue
		}
		for _, s := range b.Statics {
			if !definedForRust(p.Snap, s.Name, facts.DeclGlobal) {
				p.Report(s.Span, "extern \"C\" static %s names a C symbol no C file declares and no Rust code exports: the module would not link", s.Name)
			}
		}
	}
}

// isCABI reports whether an extern block imports C symbols: `extern "C"`
// or a bare `extern`, which means the same.
func isCABI(abi string) bool { return abi == "C" || abi == "" }

// localBindings reports whether the name `bindings` in a file denotes a
// module of its own crate rather than the bindgen crate (`use r570_144
// as bindings;` in nova-core, a `mod bindings`). rustfacts already leaves
// such paths out of BindingRefs; other readers of the file's paths need
// the same answer.
func localBindings(r *facts.Rust) bool {
	for _, m := range r.Mods {
		if m.Name == "bindings" {
			return true
		}
	}
	for _, u := range r.Uses {
		if u.Alias != "bindings" {
			continue
		}
		switch u.Path {
		case "bindings", "kernel::bindings", "::kernel::bindings", "crate::bindings", "$crate::bindings":
		default:
			return true
		}
	}
	return false
}

// resolveRef is Pass.Resolve for one reference, knowing how the name is
// used. Rust keeps types apart from functions, so a name C declares as a
// type resolves to it where Rust uses a type: in type position, in a use
// or a macro argument (`bindings::dentry` beside a static dentry() in some
// .c file), and as the constructor of a newtype enum
// (`bindings::hrtimer_restart(x)` beside the inline hrtimer_restart()).
func resolveRef(p *Pass, ref *facts.RBindingRef) link.Target {
	t := p.Resolve(ref.Name)
	if t.Kind != link.Unresolved || t.Cause == link.Blocklisted {
		return t
	}
	for _, d := range p.Snap.CDecls(ref.Name) {
		switch d.Decl.Kind {
		case facts.DeclStruct, facts.DeclUnion, facts.DeclTypedef:
			if ref.Kind == facts.RefCall {
				continue
			}
		case facts.DeclEnum:
		default:
			continue
		}
		loc := link.DeclLoc(d)
		return link.Target{Name: ref.Name, Kind: link.Type, Decl: &loc, DeclKind: d.Decl.Kind}
	}
	return t
}

// reportBlocklisted reports a name that bindgen_parameters keeps out of
// bindings::, with the rule's line and the C declaration it hides.
func reportBlocklisted(p *Pass, k *index.Kernel, ref *facts.RBindingRef, t link.Target) {
	d := p.Report(ref.PathSpan, "bindings::%s is blocklisted: rust/bindgen_parameters line %d (--%s %s) keeps it out of the bindings", ref.Name, t.Rule.Line, t.Rule.Flag, t.Rule.Pattern)
	if k.Params != "" {
		d.Related = append(d.Related, Related{Path: k.Params, Line: t.Rule.Line, Message: "the blocklist rule"})
	}
	if t.Decl != nil {
		d.Related = append(d.Related, Related{Path: t.Decl.Path, Span: t.Decl.Span, Message: "the C declaration of " + ref.Name})
	}
}

// definedForRust reports whether symbol has a C declaration of the given
// kind, or a Rust export (#[no_mangle], #[export_name]) of it.
func definedForRust(snap *index.Snapshot, symbol string, kind facts.DeclKind) bool {
	for _, d := range snap.CDecls(symbol) {
		if d.Decl.Kind == kind {
			return true
		}
	}
	return len(snap.Exports(symbol)) > 0 || exportsStatic(snap, symbol)
}

// exportsStatic reports whether a Rust static is exported as symbol.
func exportsStatic(snap *index.Snapshot, symbol string) bool {
	found := false
	snap.Files(func(f *index.File) bool {
		if f.Rust == nil {
			return true
		}
		for i := range f.Rust.Types {
			if f.Rust.Types[i].Symbol() == symbol {
				found = true
				return false
			}
		}
		return true
	})
	return found
}
