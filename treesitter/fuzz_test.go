package treesitter

import (
	"bytes"
	"testing"
)

// checkMaskInvariants fails unless out is a valid masking of src: same
// length, newlines exactly where src has them, every changed byte inside
// an annotation, and annotations in order, disjoint and within bounds.
func checkMaskInvariants(t *testing.T, src, out []byte, anns []Annotation) {
	t.Helper()
	if len(out) != len(src) {
		t.Fatalf("masked length %d, source length %d", len(out), len(src))
	}
	end := uint32(0)
	for i, a := range anns {
		if a.Start > a.End || int(a.End) > len(src) {
			t.Fatalf("annotation %d %+v outside [0, %d]", i, a, len(src))
		}
		if a.Start < end {
			t.Fatalf("annotation %d %+v starts before the previous one ends (%d)", i, a, end)
		}
		end = a.End
	}
	k := 0
	for i := range src {
		if (src[i] == '\n') != (out[i] == '\n') {
			t.Fatalf("newline moved at offset %d: %q -> %q", i, src[i], out[i])
		}
		if src[i] == out[i] {
			continue
		}
		for k < len(anns) && anns[k].End <= uint32(i) {
			k++
		}
		if k == len(anns) || uint32(i) < anns[k].Start {
			t.Fatalf("offset %d changed (%q -> %q) outside every annotation", i, src[i], out[i])
		}
	}
}

var maskSeedsC = []string{
	"int __must_check f(void __user *p) __acquires(l);",
	"void f(void) { list_for_each_entry(a, b, c) { g(); } scoped_cond_guard(m, return -1, &l) {} }",
	"DEFINE_FREE(kfree, void *, if (_T) kfree(_T))\nstatic DEVICE_ATTR(a, 0444, s, NULL);",
	"struct s { DECLARE_BITMAP(b, 8); } __packed;\nint x = { .a = 1,\n#ifdef X\n .b = 2,\n#endif\n};",
	"#define pr(fmt, args...) printk(fmt, ##args)\nswitch (x) { case 1 ... 3: break; }",
	"f(struct foo *, unsigned long)", "__attribute__((", "/* unterminated", "'\\", "#if\n#else\n#endif\n#endif",
	"x = container_of(p, struct foo, m);", "\"a\" __stringify(X) \"b\"",
}

var maskSeedsRust = []string{
	"let p = &raw const x; let q = &raw mut y;",
	"unsafe extern \"C\" { safe fn f(); pub safe static X: i32; }",
	"#[unsafe(no_mangle)]\nfn f() {}\n#[unsafe(export_name = \"x\")]\nfn g() {}",
	"struct L<T, const ID: u64 = 0> {}", "fn f<'a>(x: &'a str) -> char { 'x' }",
	"r#\"raw\"# b'x' c\"s\" cr#\"t\"#", "/* /* nested */ */", "'", "const", "&raw", "#[unsafe(",
}

func FuzzMaskC(f *testing.F) {
	for _, s := range maskSeedsC {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		orig := bytes.Clone(src)
		out, anns := Mask(C, src)
		if !bytes.Equal(src, orig) {
			t.Fatal("Mask modified its input")
		}
		checkMaskInvariants(t, src, out, anns)
	})
}

func FuzzMaskRust(f *testing.F) {
	for _, s := range maskSeedsRust {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		orig := bytes.Clone(src)
		out, anns := Mask(Rust, src)
		if !bytes.Equal(src, orig) {
			t.Fatal("Mask modified its input")
		}
		checkMaskInvariants(t, src, out, anns)
	})
}

// FuzzReparse edits src by script (three bytes an edit: where, how much
// to delete, which fragment to insert) and checks every reparse against a
// full parse.
func FuzzReparse(f *testing.F) {
	f.Add(false, []byte(maskSeedsC[1]), []byte{10, 3, 4, 200, 0, 17, 40, 2, 20})
	f.Add(true, []byte(maskSeedsRust[0]), []byte{5, 1, 28, 100, 4, 30, 0, 0, 9})
	f.Add(false, []byte("int x = {\n#ifdef A\n.a = 1,\n#endif\n};\n"), []byte{12, 0, 19, 30, 6, 20})
	f.Fuzz(func(t *testing.T, rust bool, src, script []byte) {
		lang := C
		if rust {
			lang = Rust
		}
		if len(src) > 1<<14 || len(script) > 96 {
			return
		}
		checkReparse(t, lang, src, func(step int, cur []byte) ([]byte, bool) {
			if 3*step+2 >= len(script) {
				return nil, false
			}
			op := script[3*step:]
			start := int(op[0]) * (len(cur) + 1) / 256
			end := min(len(cur), start+int(op[1]%16))
			frag := editFragments[int(op[2])%len(editFragments)]
			next := append(append(append([]byte(nil), cur[:start]...), frag...), cur[end:]...)
			return next, true
		})
	})
}

func TestMaskSeedsKeepInvariants(t *testing.T) {
	for _, s := range maskSeedsC {
		out, anns := Mask(C, []byte(s))
		checkMaskInvariants(t, []byte(s), out, anns)
	}
	for _, s := range maskSeedsRust {
		out, anns := Mask(Rust, []byte(s))
		checkMaskInvariants(t, []byte(s), out, anns)
	}
}
