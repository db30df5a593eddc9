package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/ctype"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// FFISignatureMismatch reports extern "C" declarations and #[no_mangle]
// exports whose signature disagrees with the C prototype of the same
// symbol.
var FFISignatureMismatch = register(&Rule{
	Code:     "ffi-signature-mismatch",
	Title:    "An `extern \"C\"` declaration or `#[no_mangle]` export whose parameters or return type disagree with the C prototype.",
	Severity: Error,
	Lang:     facts.LangRust,
	Run:      runFFISignatureMismatch,
	Doc: `# ffi-signature-mismatch

An ` + "`extern \"C\"`" + ` declaration or ` + "`#[no_mangle]`" + ` / ` + "`#[export_name]`" + ` export whose
signature disagrees with the C prototype of the same symbol.

## What

Two kinds of Rust functions cross the boundary without bindgen, so nothing
checks them against C:

- an item of an ` + "`extern \"C\" { ... }`" + ` block declares a C function by hand
  (Rust calls C);
- an ` + "`extern \"C\" fn`" + ` with ` + "`#[no_mangle]`" + ` or ` + "`#[export_name]`" + ` defines a function
  that a C header declares (C calls Rust).

rivet compares each with the C prototype, parameter by parameter, under the
data model of the ` + "`target`" + ` setting (lp64 by default): the number of
parameters, variadic or not, integer widths and signedness (through
typedefs: ` + "`u32`" + `, ` + "`size_t`" + `, ` + "`gfp_t`" + `), pointers against integers, structs by
value against pointers, pointers to different structs, function-pointer
parameters, the return type, and const: an export that takes ` + "`*mut T`" + `
where C passes ` + "`const T *`" + ` may write to memory C declared read-only.

Differences that cannot go wrong are not reported: a stricter const on the
Rust side, ` + "`*mut c_void`" + ` for any pointer, a ` + "`#[repr(transparent)]`" + ` wrapper
of the right integer, a Rust struct pointer for a C struct pointer (its
layout is repr-c-missing's concern). Nor is anything rivet cannot resolve
for sure (a typedef defined differently per configuration, a generic).

Mismatches that corrupt data (widths, arity, struct vs pointer) are errors;
signedness of the same width and a dropped const are warnings.

## Why

The linker matches symbols by name only. A wrong width or a missing
parameter compiles, links and loads, then reads garbage from a register or
the stack, or writes past an object — in kernel context, memory
corruption that surfaces far away. bindgen prevents this for the
functions it binds; hand-written declarations and exports have no such
guard.

## Example

` + "```c" + `
/* drivers/demo/demo.h */
int demo_hw_reset(struct demo_stats *stats, unsigned int flags);
unsigned int demo_event_count(void);
` + "```" + `

` + "```rust" + `
extern "C" {
    fn demo_hw_reset(stats: *mut DemoStatsC) -> c_int; // reported: 1 parameter vs 2
}

#[no_mangle]
pub extern "C" fn demo_event_count() -> i32 { // reported: signedness
    0
}
` + "```" + `

## Fix

Declare the Rust side exactly as C does (the message names each
difference, and the related location is the C prototype):

` + "```rust" + `
extern "C" {
    fn demo_hw_reset(stats: *mut DemoStatsC, flags: c_uint) -> c_int;
}

#[no_mangle]
pub extern "C" fn demo_event_count() -> c_uint {
    0
}
` + "```" + `

Better still, let bindgen generate the declaration: add the header to
rust/bindings/bindings_helper.h and call ` + "`bindings::demo_hw_reset`" + `.

## Silence

Put ` + "`// rivet:allow(ffi-signature-mismatch)`" + ` on the line or the line above, or
set ` + "`ffi-signature-mismatch = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
`,
})

func runFFISignatureMismatch(p *Pass) {
	r := p.File.Rust
	if r == nil {
		return
	}
	model := ctype.ModelFor(p.Config.Target, p.Snap.Kernel() != nil)
	res := ctype.NewResolver(p.Snap, model)
	for i := range r.Fns {
		fn := &r.Fns[i]
		dir, ok := sigDirection(r, fn)
		if !ok {
			continue
		}
		protos := sigPrototypes(p.Snap, fn.Symbol(), dir)
		if len(protos) == 0 {
			continue
		}
		rsig := res.RustSig(fn, ctype.ContextOf(p.File.Path, r, fn))
		first, diffs, agrees := sigCompare(res, model, protos, rsig, dir)
		if agrees {
			continue
		}
		sigReport(p, fn, dir, first, diffs)
	}
}

// sigDirection says whether fn crosses the boundary by hand: an item of
// an extern "C" block (Import), or an extern "C" fn with a body that C
// can call by its symbol (Export).
func sigDirection(r *facts.Rust, fn *facts.RFn) (ctype.Direction, bool) {
	if fn.ExternBlock >= 0 {
		if fn.ExternBlock < len(r.ExternBlocks) && isCABI(r.ExternBlocks[fn.ExternBlock].ABI) {
			return ctype.Import, true
		}
		return 0, false
	}
	if (fn.NoMangle || fn.ExportName != "") && fn.ABI == "C" && !fn.BodySpan.Empty() {
		return ctype.Export, true
	}
	return 0, false
}

// sigProto is a C declaration of the symbol with its facts.
type sigProto struct {
	decl index.DeclRef
	fn   *facts.CFunc
}

// sigPrototypes returns the C declarations a Rust import or export must
// agree with: non-static prototypes, and for an import also definitions
// (a C file may define what Rust imports without a header).
func sigPrototypes(snap *index.Snapshot, symbol string, dir ctype.Direction) []sigProto {
	var out []sigProto
	for _, d := range link.CPrototypes(snap, symbol) {
		if d.Decl.Has(facts.FlagStatic) || d.Decl.Has(facts.FlagInline) {
			continue
		}
		if dir == ctype.Export && d.Decl.Has(facts.FlagDefinition) {
			continue
		}
		if f := link.FuncFacts(d); f != nil {
			out = append(out, sigProto{decl: d, fn: f})
		}
	}
	return out
}

// sigCompare compares the Rust signature with each prototype.
// Agreeing with one is enough (a symbol may be declared per configuration);
// otherwise it returns the first prototype and its mismatches.
func sigCompare(res *ctype.Resolver, model ctype.Model, protos []sigProto, rsig ctype.Sig, dir ctype.Direction) (sigProto, []ctype.Diff, bool) {
	var first sigProto
	var firstDiffs []ctype.Diff
	for i, pr := range protos {
		var mism []ctype.Diff
		for _, d := range model.CompareSigs(res.CSig(pr.fn), rsig, dir) {
			if d.Verdict == ctype.Mismatch {
				mism = append(mism, d)
			}
		}
		if len(mism) == 0 {
			return sigProto{}, nil, true
		}
		if i == 0 {
			first, firstDiffs = pr, mism
		}
	}
	return first, firstDiffs, false
}

// sigReport reports the mismatches of fn against the prototype pr
// on the fn line, naming both declarations.
func sigReport(p *Pass, fn *facts.RFn, dir ctype.Direction, pr sigProto, diffs []ctype.Diff) {
	verb := "declares"
	if dir == ctype.Export {
		verb = "defines"
	}
	var details []string
	corrupts := false
	for _, d := range diffs {
		details = append(details, sigPosition(fn, pr.fn, d)+d.Explain())
		corrupts = corrupts || d.Corrupts
	}
	where := fmt.Sprintf("%s:%d", sigRelPath(p.Snap.Kernel(), p.File.Path, pr.decl.File.Path), pr.decl.Decl.Line+1)
	proto := sigC(pr.fn)
	diag := p.Report(fn.NameSpan, "Rust %s %s but C declares %s (%s): %s",
		verb, sigRust(fn), proto, where, strings.Join(details, "; "))
	diag.Severity = Warning
	if corrupts {
		diag.Severity = Error
	}
	loc := link.DeclLoc(pr.decl)
	diag.Related = append(diag.Related, Related{Path: loc.Path, Span: loc.Span, Message: "the C prototype: " + proto})
}

// sigPosition names where a difference is: "parameter 2 (flags): ",
// "return value: ", or nothing for the whole signature.
func sigPosition(fn *facts.RFn, cf *facts.CFunc, d ctype.Diff) string {
	switch d.Param {
	case ctype.Whole:
		return ""
	case ctype.Return:
		return "return value: "
	}
	name := ""
	if d.Param < len(fn.Params) {
		name = fn.Params[d.Param].Name
	}
	if (name == "" || name == "_" || strings.HasPrefix(name, "_")) && d.Param < len(cf.Params) && cf.Params[d.Param].Name != "" {
		name = cf.Params[d.Param].Name
	}
	if name == "" {
		return fmt.Sprintf("parameter %d: ", d.Param+1)
	}
	return fmt.Sprintf("parameter %d (%s): ", d.Param+1, name)
}

// sigRust renders a Rust fn's signature: "f(a: u32) -> c_int".
func sigRust(fn *facts.RFn) string {
	var ps []string
	for _, p := range fn.Params {
		ps = append(ps, p.Name+": "+p.Type)
	}
	if fn.Variadic {
		ps = append(ps, "...")
	}
	s := fn.Name + "(" + strings.Join(ps, ", ") + ")"
	if fn.Ret != "" {
		s += " -> " + fn.Ret
	}
	return s
}

// sigC renders a C function's prototype: "int f(u32 a, char *b)".
func sigC(f *facts.CFunc) string {
	var ps []string
	for _, p := range f.Params {
		ps = append(ps, sigCDecl(p.Type.Text, p.Name))
	}
	switch {
	case f.Variadic:
		ps = append(ps, "...")
	case len(ps) == 0:
		ps = append(ps, "void")
	}
	return sigCDecl(f.Return.Text, f.Name+"("+strings.Join(ps, ", ")+")")
}

// sigCDecl puts name into a C type as written: "char *" and "buf"
// give "char *buf", "int (*)(void *)" and "cb" give "int (*cb)(void *)",
// "int [4]" and "a" give "int a[4]".
func sigCDecl(typ, name string) string {
	if typ == "" {
		typ = "void"
	}
	if name == "" {
		return typ
	}
	if i := strings.Index(typ, "(*)"); i >= 0 {
		return typ[:i] + "(*" + name + ")" + typ[i+3:]
	}
	if i := strings.Index(typ, " ["); i >= 0 {
		return typ[:i] + " " + name + typ[i+1:]
	}
	if strings.HasSuffix(typ, "*") {
		return typ + name
	}
	return typ + " " + name
}

// sigRelPath shows path relative to the kernel tree, or else to the
// directory both files share.
func sigRelPath(k *index.Kernel, from, to string) string {
	if k != nil {
		if rel, ok := strings.CutPrefix(to, k.Root+"/"); ok {
			return rel
		}
	}
	dir := path.Dir(from)
	for dir != "/" && dir != "." && !strings.HasPrefix(to, dir+"/") {
		dir = path.Dir(dir)
	}
	if rel, ok := strings.CutPrefix(to, dir+"/"); ok && dir != "/" {
		return rel
	}
	return to
}
