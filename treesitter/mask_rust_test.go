package treesitter

import (
	"strings"
	"testing"
)

func TestMaskRustConstructs(t *testing.T) {
	checkMask(t, Rust, []maskCase{{
		in:   "let p = &raw const x; let q = &raw mut y; let r = &raw;",
		want: "let p = &~~~~~~~~~ x; let q = &~~~ mut y; let r = &raw;",
		anns: []string{"&raw(const)", "&raw(mut)"},
	}, {
		in:   "unsafe extern \"C\" {\n    safe fn f();\n    pub safe static X: i32;\n}",
		want: "~~~~~~ extern \"C\" {\n    ~~~~ fn f();\n    pub ~~~~ static X: i32;\n}",
		anns: []string{"unsafe extern()", "safe()", "safe()"},
	}, {
		// unsafe extern fn is valid already.
		in:   "unsafe extern \"C\" fn f() {}",
		want: "unsafe extern \"C\" fn f() {}",
	}, {
		in:   "#[unsafe(no_mangle)]\nfn f() {}\n#[unsafe(export_name = \"g\")]\nfn g() {}",
		want: "#[~~~~~~~no_mangle~]\nfn f() {}\n#[~~~~~~~export_name = \"g\"~]\nfn g() {}",
		anns: []string{"unsafe(no_mangle)(no_mangle)", "unsafe(export_name)(export_name = \"g\")"},
	}, {
		in:   "struct L<T: ?Sized, const ID: u64 = 0> {}\nimpl<const N: usize> X<N> { const M: usize = 3; }",
		want: "struct L<T: ?Sized, const ID: u64 ~~~> {}\nimpl<const N: usize> X<N> { const M: usize = 3; }",
		anns: []string{"const default(0)"},
	}, {
		in:   "fn f<const N: usize = { 2 * 2 }, T>() {}",
		want: "fn f<const N: usize ~~~~~~~~~~~, T>() {}",
		anns: []string{"const default({ 2 * 2 })"},
	}, {
		// Nothing in comments, strings, raw strings or char literals.
		in:   "// &raw const x\n/* /* &raw mut y */ */ let s = \"&raw const z\"; let r = r#\"unsafe extern \"C\" {\"#; let c = '&';",
		want: "// &raw const x\n/* /* &raw mut y */ */ let s = \"&raw const z\"; let r = r#\"unsafe extern \"C\" {\"#; let c = '&';",
	}})
}

func TestMaskRustMakesKernelCodeParse(t *testing.T) {
	checkParses(t, Rust, []string{
		"fn f(s: &S) -> *const u8 { &raw const s.x }",
		"fn f(s: *mut S) { unsafe { g(&raw mut (*s).dev) } }",
		"unsafe extern \"C\" { fn g(); }",
		"pub struct List<T: ?Sized, const ID: u64 = 0> { x: *mut T }",
	})
}

// The grammar reads #[unsafe(no_mangle)] as an attribute named `unsafe`;
// masked, the attribute is no_mangle itself and export_name has its value.
func TestMaskRustUnsafeAttributes(t *testing.T) {
	tr := mustParse(t, Rust, []byte("#[unsafe(no_mangle)]\nfn f() {}\n#[unsafe(export_name = \"g\")]\nfn g() {}"))
	defer tr.Close()
	var got []string
	for _, a := range tr.Root().Descendants(RustKindAttribute) {
		got = append(got, a.NamedChild(0).Text()+"="+a.Field(RustFieldValue).Text())
	}
	if strings.Join(got, " ") != `no_mangle= export_name="g"` {
		t.Errorf("attributes = %q", got)
	}
}
