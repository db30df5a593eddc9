package ctype_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/ctype"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// sigCase compares the C prototype and the Rust declaration of one
// function. In c and rust the function is named F; want lists the
// differences as "kind@position" (position: a parameter index, "ret" or
// "all"), harmless ones as "harmless@position", serious mismatches with
// a "!" (Corrupts).
type sigCase struct {
	c, rust string
	dir     ctype.Direction
	want    []string
}

var sigCases = []sigCase{
	// Equal.
	{c: "int F(void)", rust: "fn F() -> c_int", want: nil},
	{c: "long F(unsigned long a, long long b)", rust: "fn F(a: c_ulong, b: i64) -> isize", want: nil},
	{c: "size_t F(ssize_t a, u32 b, __le16 c, s64 d)", rust: "fn F(a: isize, b: u32, c: u16, d: i64) -> usize", want: nil},
	{c: "void F(const char *s, char *buf)", rust: "fn F(s: *const c_char, buf: *mut c_char)", want: nil},
	{c: "bool F(_Bool a)", rust: "fn F(a: bool) -> bool", want: nil},
	{c: "void F(struct thing *t, const struct thing *u)", rust: "fn F(t: *mut bindings::thing, u: &bindings::thing)", want: nil},
	{c: "void F(thing_t *t)", rust: "fn F(t: *mut bindings::thing)", want: nil},
	{c: "void F(void *p)", rust: "fn F(p: *mut u64)", want: nil},
	{c: "void F(struct thing *p)", rust: "fn F(p: *mut c_void)", want: nil},
	{c: "void F(int (*cb)(void *data, int n))", rust: `fn F(cb: Option<unsafe extern "C" fn(*mut c_void, c_int) -> c_int>)`, want: nil},
	{c: "void F(struct thing *p)", rust: "fn F(p: Option<NonNull<bindings::thing>>)", want: nil},
	{c: "void F(struct thing *p)", rust: "fn F(p: *mut Mirror)", want: nil},
	{c: "void F(struct thing *p)", rust: "fn F(p: *mut Opaque<bindings::thing>)", want: nil},
	{c: "void F(int a[4])", rust: "fn F(a: *mut c_int)", want: nil},
	{c: "enum mode F(enum mode m)", rust: "fn F(m: c_uint) -> bindings::mode", want: nil},
	{c: "u8 F(u8 k)", rust: "fn F(k: Kind) -> Wrapper", want: nil},
	{c: "void F(gfp_t flags)", rust: "fn F(flags: bindings::gfp_t)", want: nil},
	{c: "void F(gfp_t flags)", rust: "fn F(flags: u32)", want: nil},
	{c: "int F(const char *fmt, ...)", rust: "fn F(fmt: *const c_char, ...) -> c_int", want: nil},
	{c: "void F(struct thing t)", rust: "fn F(t: bindings::thing)", want: nil},
	{c: "void F(const char *const *argv)", rust: "fn F(argv: *const *const c_char)", want: nil},

	// Unknown agrees with everything.
	{c: "void F(mystery_t x)", rust: "fn F(x: u8)", want: nil},
	{c: "void F(u32 x)", rust: "fn F(x: T)", want: nil},
	{c: "void F(u32 x)", rust: "fn F(x: other_crate::Thing)", want: nil},
	// The build follows typedef chains (analysis.maxTypedefRounds).
	{c: "void F(chain2_t x)", rust: "fn F(x: u8)", want: []string{"width!@0"}},

	// Harmless.
	{c: "void F(const struct thing *t)", rust: "fn F(t: *mut bindings::thing)", dir: ctype.Import, want: []string{"harmless@0"}},
	{c: "void F(char *s)", rust: "fn F(s: *const c_char)", dir: ctype.Export, want: []string{"harmless@0"}},
	{c: "void F(char *s)", rust: "fn F(s: *const c_char)", dir: ctype.Import, want: []string{"harmless@0"}},
	{c: "int F(void)", rust: "fn F()", dir: ctype.Import, want: []string{"harmless@ret"}},
	{c: "void F(u8 b)", rust: "fn F(b: bool)", want: []string{"harmless@0"}},

	// Mismatches.
	{c: "int F(struct thing *t, unsigned int flags)", rust: "fn F(t: *mut bindings::thing) -> c_int", want: []string{"arity!@all"}},
	{c: "int F(const char *fmt, ...)", rust: "fn F(fmt: *const c_char) -> c_int", want: []string{"variadic!@all"}},
	{c: "unsigned int F(void)", rust: "fn F() -> i32", dir: ctype.Export, want: []string{"signedness@ret"}},
	{c: "void F(u32 a)", rust: "fn F(a: u64)", want: []string{"width!@0"}},
	{c: "void F(long a)", rust: "fn F(a: c_int)", want: []string{"width!@0"}},
	{c: "void F(u64 *a)", rust: "fn F(a: *mut u32)", want: []string{"width!@0"}},
	{c: "void F(int *a)", rust: "fn F(a: *mut c_uint)", want: []string{"signedness@0"}},
	{c: "void F(void *p)", rust: "fn F(p: usize)", want: []string{"pointer vs integer@0"}},
	{c: "void F(void *p)", rust: "fn F(p: u32)", want: []string{"pointer vs integer!@0"}},
	{c: "void F(const struct thing *t)", rust: "fn F(t: *mut bindings::thing)", dir: ctype.Export, want: []string{"const dropped@0"}},
	{c: "const char *F(void)", rust: "fn F() -> *mut c_char", dir: ctype.Import, want: []string{"const dropped@ret"}},
	{c: "void F(const char **out)", rust: "fn F(out: *mut *mut c_char)", dir: ctype.Export, want: []string{"const dropped@0"}},
	{c: "void F(struct thing t)", rust: "fn F(t: *mut bindings::thing)", want: []string{"struct vs pointer!@0"}},
	{c: "void F(struct thing *t)", rust: "fn F(t: bindings::thing)", want: []string{"struct vs pointer!@0"}},
	{c: "void F(struct thing t)", rust: "fn F(t: u64)", want: []string{"struct vs scalar!@0"}},
	{c: "void F(double d)", rust: "fn F(d: u64)", want: []string{"float vs integer!@0"}},
	{c: "void F(struct thing *t)", rust: "fn F(t: *mut bindings::other)", want: []string{"pointee type!@0"}},
	{c: "void F(struct thing *t)", rust: "fn F(t: *mut u8)", want: []string{"pointee type@0"}},
	{c: "void F(void)", rust: "fn F() -> c_int", dir: ctype.Import, want: []string{"return type!@ret"}},
	{c: "int F(void)", rust: "fn F()", dir: ctype.Export, want: []string{"return type!@ret"}},
	{c: "void F(int (*cb)(void *data, int n))", rust: `fn F(cb: Option<unsafe extern "C" fn(*mut c_void) -> c_int>)`, want: []string{"arity!@0"}},
	{c: "void F(int (*cb)(long n))", rust: `fn F(cb: extern "C" fn(c_int) -> c_int)`, want: []string{"width!@0"}},
	{c: "void F(enum mode m)", rust: "fn F(m: u8)", want: []string{"width!@0"}},
	{c: "void F(u32 k)", rust: "fn F(k: Kind)", want: []string{"width!@0"}},
	{c: "void F(u32 a, u64 b)", rust: "fn F(a: i32, b: u32)", want: []string{"signedness@0", "width!@1"}},
}

// sigTree is the header and Rust file of sigCases, plus the typedefs and
// Rust items the cases use.
func sigTree(cases []sigCase) string {
	var h, rs strings.Builder
	h.WriteString(`struct thing { int x; };
struct other { int y; };
typedef struct thing thing_t;
enum mode { MODE_A, MODE_B };
typedef unsigned int __bitwise gfp_t;
typedef unsigned int chain1_t;
typedef chain1_t chain2_t;
typedef unsigned long board_addr_t;
`)
	rs.WriteString(`use kernel::bindings;
use kernel::ffi::{c_char, c_int, c_uint, c_ulong, c_void};

/// Mirrors struct thing.
#[repr(C)]
pub struct Mirror { x: c_int }

#[repr(u8)]
pub enum Kind { A, B }

#[repr(transparent)]
pub struct Wrapper(u8, PhantomData<u32>);

pub struct Opaque<T>(T);

extern "C" {
`)
	for i, c := range cases {
		name := fmt.Sprintf("case_%d", i)
		fmt.Fprintf(&h, "%s;\n", strings.Replace(c.c, "F(", name+"(", 1))
		fmt.Fprintf(&rs, "    %s;\n", strings.Replace(c.rust, "fn F(", "fn "+name+"(", 1))
	}
	rs.WriteString("}\n")
	return "-- include/sigs.h --\n" + h.String() + "-- drivers/sigs.rs --\n" + rs.String()
}

// resolveCase returns the C and Rust signatures of case i.
func resolveCase(t testing.TB, snap *index.Snapshot, rs *index.File, res *ctype.Resolver, i int) (ctype.Sig, ctype.Sig) {
	t.Helper()
	name := fmt.Sprintf("case_%d", i)
	protos := link.CPrototypes(snap, name)
	if len(protos) == 0 {
		t.Fatalf("%s: no C prototype", name)
	}
	cf := link.FuncFacts(protos[0])
	if cf == nil {
		t.Fatalf("%s: no facts for the C prototype", name)
	}
	for j := range rs.Rust.Fns {
		fn := &rs.Rust.Fns[j]
		if fn.Name == name {
			return res.CSig(cf), res.RustSig(fn, ctype.ContextOf(rs.Path, rs.Rust, fn))
		}
	}
	t.Fatalf("%s: no Rust fn", name)
	return ctype.Sig{}, ctype.Sig{}
}

func buildTree(t testing.TB, archive string) (*analysis.Workspace, string) {
	t.Helper()
	root := analysistest.WriteTxtar(t, archive)
	ws := analysis.NewWorkspace([]string{root}, analysis.Options{})
	if _, err := ws.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return ws, root
}

func rustFile(t testing.TB, snap *index.Snapshot, root, rel string) *index.File {
	t.Helper()
	abs, err := filepath.EvalSymlinks(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	f := snap.File(filepath.ToSlash(abs))
	if f == nil || f.Rust == nil {
		t.Fatalf("%s: not indexed as Rust", rel)
	}
	return f
}

func TestCompareSigs(t *testing.T) {
	ws, root := buildTree(t, sigTree(sigCases))
	snap, release := ws.Index.Snapshot()
	defer release()
	rs := rustFile(t, snap, root, "drivers/sigs.rs")
	model := ctype.ModelFor("lp64", false)
	for i, c := range sigCases {
		res := ctype.NewResolver(snap, model)
		csig, rsig := resolveCase(t, snap, rs, res, i)
		dir := c.dir
		if dir == 0 {
			dir = ctype.Import
		}
		got := describeDiffs(model.CompareSigs(csig, rsig, dir))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s vs %s (%v): got %q, want %q", c.c, c.rust, dir, got, c.want)
		}
		// Every difference can be explained.
		for _, d := range model.CompareSigs(csig, rsig, dir) {
			if d.Explain() == "" {
				t.Errorf("%s vs %s: empty explanation of %+v", c.c, c.rust, d)
			}
		}
	}
}

func describeDiffs(ds []ctype.Diff) []string {
	var out []string
	for _, d := range ds {
		pos := fmt.Sprint(d.Param)
		switch d.Param {
		case ctype.Return:
			pos = "ret"
		case ctype.Whole:
			pos = "all"
		}
		kind := d.Kind.String()
		if d.Verdict == ctype.Harmless {
			kind = "harmless"
		}
		if d.Corrupts {
			kind += "!"
		}
		out = append(out, kind+"@"+pos)
	}
	return out
}

// TestMissingTypedefs: until every link of a typedef chain is parsed the
// type is unresolved (so comparisons stay silent); MissingTypedefs lists
// the next link to ensure. The index is built here without the
// workspace's Ensure rounds, which follow chains by themselves.
func TestMissingTypedefs(t *testing.T) {
	cases := []sigCase{{c: "void F(chain2_t x)", rust: "fn F(x: u8)"}}
	root := analysistest.WriteTxtar(t, sigTree(cases))
	ix := index.New()
	if _, err := (&index.Builder{Index: ix}).Build(context.Background(), []string{root}); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Ensure(context.Background(), []string{"case_0", "chain2_t"}, nil); err != nil {
		t.Fatal(err)
	}
	ws := struct{ Index *index.Index }{ix}
	snap, release := ws.Index.Snapshot()
	rs := rustFile(t, snap, root, "drivers/sigs.rs")
	res := ctype.NewResolver(snap, ctype.LP64)
	csig, _ := resolveCase(t, snap, rs, res, 0)
	if k := csig.Params[0].Kind; k != ctype.Unknown {
		t.Errorf("chain2_t before Ensure: got %v, want unknown", k)
	}
	cf := link.FuncFacts(link.CPrototypes(snap, "case_0")[0])
	missing := ctype.MissingTypedefs(snap, []*facts.CFunc{cf})
	release()
	if !slices.Equal(missing, []string{"chain1_t"}) {
		t.Fatalf("MissingTypedefs = %q, want [chain1_t]", missing)
	}
	if _, err := ws.Index.Ensure(context.Background(), missing, nil); err != nil {
		t.Fatal(err)
	}
	snap, release = ws.Index.Snapshot()
	defer release()
	rs = rustFile(t, snap, root, "drivers/sigs.rs")
	res = ctype.NewResolver(snap, ctype.LP64)
	csig, rsig := resolveCase(t, snap, rs, res, 0)
	if got := describeDiffs(ctype.LP64.CompareSigs(csig, rsig, ctype.Import)); !slices.Equal(got, []string{"width!@0"}) {
		t.Errorf("chain2_t vs u8 after Ensure: got %q, want [width!@0]", got)
	}
	if m := ctype.MissingTypedefs(snap, []*facts.CFunc{link.FuncFacts(link.CPrototypes(snap, "case_0")[0])}); len(m) != 0 {
		t.Errorf("MissingTypedefs after Ensure = %q, want none", m)
	}
}

// TestModels: the data model decides long and pointer-sized widths.
func TestModels(t *testing.T) {
	cases := []sigCase{
		{c: "void F(long a)", rust: "fn F(a: i32)"},
		{c: "void F(size_t a)", rust: "fn F(a: u32)"},
		{c: "void F(char c)", rust: "fn F(c: i8)"},
	}
	ws, root := buildTree(t, sigTree(cases))
	snap, release := ws.Index.Snapshot()
	defer release()
	rs := rustFile(t, snap, root, "drivers/sigs.rs")
	for _, tc := range []struct {
		model ctype.Model
		want  [][]string
	}{
		{ctype.ModelFor("lp64", false), [][]string{{"width!@0"}, {"width!@0"}, nil}},
		{ctype.ModelFor("ilp32", false), [][]string{nil, nil, nil}},
		{ctype.ModelFor("llp64", false), [][]string{nil, {"width!@0"}, nil}},
		// The kernel builds with -funsigned-char.
		{ctype.ModelFor("", true), [][]string{{"width!@0"}, {"width!@0"}, {"signedness@0"}}},
	} {
		for i := range cases {
			res := ctype.NewResolver(snap, tc.model)
			csig, rsig := resolveCase(t, snap, rs, res, i)
			got := describeDiffs(tc.model.CompareSigs(csig, rsig, ctype.Import))
			if !slices.Equal(got, tc.want[i]) {
				t.Errorf("%s: %s vs %s: got %q, want %q", tc.model.Name, cases[i].c, cases[i].rust, got, tc.want[i])
			}
		}
	}
}

func TestExplain(t *testing.T) {
	cases := []sigCase{
		{c: "int F(struct thing *t, unsigned int flags)", rust: "fn F(t: *mut Mirror) -> c_int"},
		{c: "void F(u32 a)", rust: "fn F(a: u64)"},
		{c: "void F(const struct thing *t)", rust: "fn F(t: *mut bindings::thing)"},
		{c: "int F(void)", rust: "fn F()"},
		{c: "void F(int (*cb)(long n))", rust: `fn F(cb: extern "C" fn(c_int) -> c_int)`},
	}
	want := []string{
		"1 parameter vs 2",
		"u64 (64-bit unsigned integer) vs u32 (32-bit unsigned integer): width",
		"*mut bindings::thing (pointer to struct thing) vs const struct thing * (pointer to const struct thing): Rust may write through a pointer C declared const",
		"Rust returns nothing, C returns int",
		`extern "C" fn(c_int) -> c_int (pointer to function) vs int (*)(long) (pointer to function): the function it points to differs: ` +
			"parameter 1: c_int (32-bit signed integer) vs long (64-bit signed integer): width",
	}
	ws, root := buildTree(t, sigTree(cases))
	snap, release := ws.Index.Snapshot()
	defer release()
	rs := rustFile(t, snap, root, "drivers/sigs.rs")
	for i := range cases {
		res := ctype.NewResolver(snap, ctype.LP64)
		csig, rsig := resolveCase(t, snap, rs, res, i)
		ds := ctype.LP64.CompareSigs(csig, rsig, ctype.Export)
		if len(ds) != 1 {
			t.Fatalf("%s: %d diffs, want 1", cases[i].c, len(ds))
		}
		if got := ds[0].Explain(); got != want[i] {
			t.Errorf("%s vs %s:\n got %q\nwant %q", cases[i].c, cases[i].rust, got, want[i])
		}
	}
}

// TestSpelling: the Rust spelling of C types, inside and outside a
// kernel tree.
func TestSpelling(t *testing.T) {
	protos := []string{
		"int", "unsigned int", "long", "unsigned long long", "signed char", "char", "_Bool",
		"u32", "s64", "size_t", "ssize_t", "gfp_t", "board_addr_t", "enum mode", "double",
		"void *", "const char *", "struct thing *", "const struct thing *const *", "thing_t *",
		"int (*)(void *, long)", "struct thing",
	}
	var cases []sigCase
	for _, p := range protos {
		decl := p + " x"
		if strings.Contains(p, "(*)") {
			decl = strings.Replace(p, "(*)", "(*x)", 1)
		}
		cases = append(cases, sigCase{c: "void F(" + decl + ")", rust: "fn F(x: u8)"})
	}
	kernel := []string{
		"c_int", "kernel::ffi::c_uint", "kernel::ffi::c_long", "kernel::ffi::c_ulonglong", "kernel::ffi::c_schar", "kernel::ffi::c_char", "bool",
		"u32", "i64", "usize", "isize", "bindings::gfp_t", "bindings::board_addr_t", "kernel::ffi::c_uint", "f64",
		"*mut kernel::ffi::c_void", "*const kernel::ffi::c_char", "*mut bindings::thing", "*const *const bindings::thing", "*mut bindings::thing",
		`Option<unsafe extern "C" fn(*mut kernel::ffi::c_void, kernel::ffi::c_long) -> c_int>`, "bindings::thing",
	}
	plain := []string{
		"c_int", "core::ffi::c_uint", "core::ffi::c_long", "core::ffi::c_ulonglong", "core::ffi::c_schar", "core::ffi::c_char", "bool",
		"u32", "i64", "usize", "isize", "core::ffi::c_uint", "core::ffi::c_ulong", "core::ffi::c_uint", "f64",
		"*mut core::ffi::c_void", "*const core::ffi::c_char", "", "", "",
		`Option<unsafe extern "C" fn(*mut core::ffi::c_void, core::ffi::c_long) -> c_int>`, "",
	}
	ws, root := buildTree(t, sigTree(cases))
	snap, release := ws.Index.Snapshot()
	defer release()
	rs := rustFile(t, snap, root, "drivers/sigs.rs")
	kernelSpell := ctype.Spelling{FFI: "kernel::ffi", Bindings: "bindings", Imported: map[string]bool{"c_int": true}}
	plainSpell := ctype.Spelling{FFI: "core::ffi", Imported: map[string]bool{"c_int": true}}
	for i, p := range protos {
		res := ctype.NewResolver(snap, ctype.LP64)
		csig, _ := resolveCase(t, snap, rs, res, i)
		for _, tc := range []struct {
			name  string
			spell ctype.Spelling
			want  string
		}{{"kernel", kernelSpell, kernel[i]}, {"plain", plainSpell, plain[i]}} {
			got, ok := tc.spell.Rust(csig.Params[0])
			if !ok {
				got = ""
			}
			if got != tc.want {
				t.Errorf("%s: %s spelled %q, want %q", tc.name, p, got, tc.want)
			}
		}
	}
}

// BenchmarkCompareSigs resolves and compares the signatures of every case
// of sigCases, as the rule does for each hand-written crossing.
func BenchmarkCompareSigs(b *testing.B) {
	ws, root := buildTree(b, sigTree(sigCases))
	snap, release := ws.Index.Snapshot()
	defer release()
	rs := rustFile(b, snap, root, "drivers/sigs.rs")
	type pair struct {
		c  *facts.CFunc
		fn *facts.RFn
	}
	var pairs []pair
	for i := range sigCases {
		name := fmt.Sprintf("case_%d", i)
		cf := link.FuncFacts(link.CPrototypes(snap, name)[0])
		for j := range rs.Rust.Fns {
			if rs.Rust.Fns[j].Name == name {
				pairs = append(pairs, pair{cf, &rs.Rust.Fns[j]})
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res := ctype.NewResolver(snap, ctype.LP64)
		for _, p := range pairs {
			ctype.LP64.CompareSigs(res.CSig(p.c), res.RustSig(p.fn, ctype.ContextOf(rs.Path, rs.Rust, p.fn)), ctype.Import)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pairs)), "ns/sig")
}

// FuzzResolveRust: any Rust type text resolves, against a real index,
// without panicking, and compares with any C parameter of the tree.
func FuzzResolveRust(f *testing.F) {
	for _, c := range sigCases {
		f.Add(strings.TrimSuffix(strings.SplitN(c.rust, ": ", 2)[len(strings.SplitN(c.rust, ": ", 2))-1], ")"))
	}
	f.Add("Option<Option<&Self>>")
	f.Add("[[Kind; 2]; 3]")
	ws, root := buildTree(f, sigTree(sigCases))
	snap, release := ws.Index.Snapshot()
	defer release()
	rs := rustFile(f, snap, root, "drivers/sigs.rs")
	res := ctype.NewResolver(snap, ctype.LP64)
	var cparams []ctype.Type
	for i := range sigCases {
		c, _ := resolveCase(f, snap, rs, res, i)
		cparams = append(cparams, c.Params...)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r := ctype.NewResolver(snap, ctype.LP64).Rust(text, ctype.RustContext{Path: rs.Path, File: rs.Rust, Self: "Kind"})
		for _, c := range cparams {
			d := ctype.LP64.Compare(c, r, true)
			_ = d.Explain()
		}
		ctype.Spelling{FFI: "core::ffi"}.Rust(r)
	})
}
