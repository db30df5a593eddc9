package treesitter

import (
	"strings"
	"testing"
)

// maskCase is one masking example: the masked text expected (same length
// as in) and the annotations as "Name(Args)" in order.
type maskCase struct {
	in, want string
	anns     []string
}

func checkMask(t *testing.T, lang Language, cases []maskCase) {
	t.Helper()
	for _, c := range cases {
		if len(c.in) != len(c.want) {
			t.Fatalf("bad case: %q and %q differ in length", c.in, c.want)
		}
		got, anns := Mask(lang, []byte(c.in))
		if string(got) != c.want {
			t.Errorf("Mask(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
		var names []string
		for _, a := range anns {
			names = append(names, a.Name+"("+a.Args+")")
			if a.Start > a.End || int(a.End) > len(c.in) {
				t.Errorf("Mask(%q): annotation %+v out of bounds", c.in, a)
			}
		}
		if strings.Join(names, " ") != strings.Join(c.anns, " ") {
			t.Errorf("Mask(%q) annotations\n got %q\nwant %q", c.in, names, c.anns)
		}
	}
}

func TestMaskCAnnotations(t *testing.T) {
	checkMask(t, C, []maskCase{
		{
			in:   "int __must_check f(void __user *p) __acquires(l);",
			want: "int              f(void        *p)              ;",
			anns: []string{"__must_check()", "__user()", "__acquires(l)"},
		},
		{
			in:   "static __always_inline int g(void)",
			want: "static inline          int g(void)",
			anns: []string{"__always_inline()"},
		},
		{
			in:   "struct s { int a; } __attribute__((packed, aligned(4)));",
			want: "struct s { int a; }                                    ;",
			anns: []string{"__attribute__((packed, aligned(4)))"},
		},
		{
			in:   "/* __user */ char *s = \"__user\"; // __iomem",
			want: "/* __user */ char *s = \"__user\"; // __iomem",
		},
	})
}

func TestMaskRustConstructs(t *testing.T) {
	checkMask(t, Rust, []maskCase{
		{
			in:   "let p = &raw const x; let q = &raw mut y;",
			want: "let p = &          x; let q = &    mut y;",
			anns: []string{"&raw(const)", "&raw(mut)"},
		},
		{
			in:   "unsafe extern \"C\" { safe fn f(); }",
			want: "       extern \"C\" {      fn f(); }",
			anns: []string{"unsafe extern()", "safe()"},
		},
		{
			in:   "#[unsafe(no_mangle)]\nfn f() {}",
			want: "#[       no_mangle ]\nfn f() {}",
			anns: []string{"unsafe(no_mangle)(no_mangle)"},
		},
		{
			in:   "struct L<T, const ID: u64 = 0> {}",
			want: "struct L<T, const ID: u64    > {}",
			anns: []string{"const default(0)"},
		},
	})
}
