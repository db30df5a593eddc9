package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/ctype"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
	ts "github.com/rivet-lsp/rivet/treesitter"
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

The quick fix does this: it gives the parameters that differ C's types
(spelled as bindgen would: ` + "`c_uint`" + `, ` + "`u32`" + `, ` + "`*mut bindings::device`" + `), adds
the parameters Rust lacks with C's names, and corrects the return type. It
is offered when every type it writes has a sure Rust spelling. For an
export, check first which side is wrong: the fix trusts the header.

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
		d := sigReport(p, fn, dir, first, diffs)
		if fix, ok := sigFix(p, fn, res.CSig(first.fn), rsig, first.fn, model, dir); ok {
			d.Fixes = append(d.Fixes, fix)
		}
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
func sigReport(p *Pass, fn *facts.RFn, dir ctype.Direction, pr sigProto, diffs []ctype.Diff) *Diagnostic {
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
	return diag
}

// sigFix rewrites the Rust declaration as C declares it: the parameters
// whose types differ take C's types (when the counts differ, the list is
// rebuilt: parameters that agree stay as written, the others take C's
// type, missing ones C's name), and the return type C's. There is no fix
// when a C type has no sure Rust spelling.
func sigFix(p *Pass, fn *facts.RFn, csig, rsig ctype.Sig, cf *facts.CFunc, model ctype.Model, dir ctype.Direction) (Fix, bool) {
	item := p.Tree.Root().DescendantForByteRange(fn.NameSpan.Start, fn.NameSpan.End).Ancestor(ts.RustKindFunctionItem, ts.RustKindFunctionSignatureItem)
	params := item.Field(ts.RustFieldParameters)
	if params.IsNull() || params.HasError() {
		return Fix{}, false
	}
	spell := sigSpelling(p)
	var edits []Edit
	edit := func(start, end uint32, text string) {
		edits = append(edits, Edit{Path: p.File.Path, Span: facts.Span{Start: start, End: end}, NewText: text})
	}
	nodes := params.NamedChildren()
	var paramNodes []ts.Node
	for _, n := range nodes {
		if n.Kind() == ts.RustKindParameter {
			paramNodes = append(paramNodes, n)
		}
	}
	if len(paramNodes) != len(fn.Params) || len(paramNodes) != len(nodes) && !(len(nodes) == len(paramNodes)+1 && fn.Variadic) {
		return Fix{}, false // attributes or a receiver in the list: leave it to the user
	}
	agrees := func(i int) bool {
		return model.Compare(csig.Params[i], rsig.Params[i], dir == ctype.Export).Verdict != ctype.Mismatch
	}
	if len(csig.Params) != len(rsig.Params) || csig.Variadic != rsig.Variadic {
		var list []string
		for i, ct := range csig.Params {
			if i < len(rsig.Params) && agrees(i) {
				list = append(list, p.Text(facts.Span{Start: paramNodes[i].StartByte(), End: paramNodes[i].EndByte()}))
				continue
			}
			typ, ok := spell.Rust(ct)
			if !ok {
				return Fix{}, false
			}
			list = append(list, sigParamName(fn, cf, i)+": "+typ)
		}
		if csig.Variadic {
			list = append(list, "...")
		}
		edit(params.StartByte(), params.EndByte(), "("+strings.Join(list, ", ")+")")
	} else {
		for i := range csig.Params {
			if agrees(i) {
				continue
			}
			typ, ok := spell.Rust(csig.Params[i])
			tn := paramNodes[i].Field(ts.RustFieldType)
			if !ok || tn.IsNull() {
				return Fix{}, false
			}
			edit(tn.StartByte(), tn.EndByte(), typ)
		}
	}
	if sigReturnMismatch(model, csig, rsig, dir) {
		rt := item.Field(ts.RustFieldReturnType)
		switch {
		case csig.Ret.Kind == ctype.Void:
			if !rt.IsNull() {
				edit(params.EndByte(), rt.EndByte(), "")
			}
		default:
			typ, ok := spell.Rust(csig.Ret)
			if !ok {
				return Fix{}, false
			}
			if rt.IsNull() {
				edit(params.EndByte(), params.EndByte(), " -> "+typ)
			} else {
				edit(rt.StartByte(), rt.EndByte(), typ)
			}
		}
	}
	if len(edits) == 0 {
		return Fix{}, false
	}
	return Fix{Title: "Declare " + fn.Name + " as the C prototype does", Edits: edits}, true
}

// sigReturnMismatch reports whether the results of two signatures
// mismatch.
func sigReturnMismatch(model ctype.Model, csig, rsig ctype.Sig, dir ctype.Direction) bool {
	for _, d := range model.CompareSigs(ctype.Sig{Ret: csig.Ret}, ctype.Sig{Ret: rsig.Ret}, dir) {
		if d.Param == ctype.Return && d.Verdict == ctype.Mismatch {
			return true
		}
	}
	return false
}

// sigParamName names parameter i of a rewritten list: the Rust name when
// there is one, else C's, else argN.
func sigParamName(fn *facts.RFn, cf *facts.CFunc, i int) string {
	if i < len(fn.Params) {
		return fn.Params[i].Name
	}
	if i < len(cf.Params) && cf.Params[i].Name != "" && !sigRustKeyword(cf.Params[i].Name) {
		return cf.Params[i].Name
	}
	return fmt.Sprintf("arg%d", i+1)
}

func sigRustKeyword(s string) bool {
	switch s {
	case "as", "box", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "fn", "for", "if",
		"impl", "in", "let", "loop", "match", "mod", "move", "mut", "priv", "pub", "ref", "return", "self", "Self",
		"static", "struct", "super", "trait", "type", "unsafe", "use", "where", "while", "async", "await", "yield":
		return true
	}
	return false
}

// sigSpelling is how a fix in the pass's file names C types: the names
// its uses import bare, the rest through kernel::ffi and bindings in a
// kernel tree, core::ffi elsewhere.
func sigSpelling(p *Pass) ctype.Spelling {
	s := ctype.Spelling{FFI: "core::ffi", Imported: map[string]bool{}}
	if p.Snap.Kernel() != nil {
		s.FFI, s.Bindings = "kernel::ffi", "kernel::bindings"
	}
	for _, u := range p.File.Rust.Uses {
		switch {
		case u.Alias == "bindings" && s.Bindings != "" && !localBindings(p.File.Rust):
			s.Bindings = "bindings"
		case strings.HasSuffix(u.Path, "ffi::"+u.Alias) || strings.HasSuffix(u.Path, "bindings::"+u.Alias):
			s.Imported[u.Alias] = true
		}
	}
	return s
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
