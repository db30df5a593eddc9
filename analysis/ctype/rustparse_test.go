package ctype

import (
	"fmt"
	"strings"
	"testing"
)

// show renders a parsed type compactly, for the table below.
func show(t *rtype) string {
	if t == nil {
		return "nil"
	}
	switch t.kind {
	case rPath:
		s := strings.Join(t.path, "::")
		if len(t.args) > 0 {
			var args []string
			for _, a := range t.args {
				args = append(args, show(a))
			}
			s += "<" + strings.Join(args, ",") + ">"
		}
		return s
	case rPtr:
		if t.mut {
			return "*mut " + show(t.elem)
		}
		return "*const " + show(t.elem)
	case rRef:
		if t.mut {
			return "&mut " + show(t.elem)
		}
		return "&" + show(t.elem)
	case rArray:
		return "[" + show(t.elem) + ";" + t.len + "]"
	case rSlice:
		return "[" + show(t.elem) + "]"
	case rTuple:
		var es []string
		for _, e := range t.elems {
			es = append(es, show(e))
		}
		return "(" + strings.Join(es, ",") + ")"
	case rNever:
		return "!"
	case rFn:
		var ps []string
		for _, p := range t.params {
			ps = append(ps, show(p))
		}
		if t.variadic {
			ps = append(ps, "...")
		}
		s := fmt.Sprintf("fn[%s](%s)", t.abi, strings.Join(ps, ","))
		if t.ret != nil {
			s += "->" + show(t.ret)
		}
		return s
	}
	return "?"
}

func TestParseRust(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"c_int", "c_int"},
		{"*mut bindings::device", "*mut bindings::device"},
		{"*const *const c_char", "*const *const c_char"},
		{"&'a mut Foo<T>", "&mut Foo<T>"},
		{"&&u8", "&&u8"},
		{"Option<NonNull<bindings::page>>", "Option<NonNull<bindings::page>>"},
		{`Option<unsafe extern "C" fn(*mut c_void, c_int) -> c_int>`, "Option<fn[C](*mut c_void,c_int)->c_int>"},
		{`unsafe extern "C" fn(data: *mut c_void, ...)`, "fn[C](*mut c_void,...)"},
		{"fn(u8) -> !", "fn[Rust](u8)->!"},
		{`for<'a> extern "C" fn(&'a u8)`, "fn[C](&u8)"},
		{"[u8; 16]", "[u8;16]"},
		{"[u8; bindings::LEN as usize]", "[u8;bindings::LENasusize]"},
		{"[u8]", "[u8]"},
		{"()", "()"},
		{"(u8)", "u8"},
		{"(u8,)", "(u8)"},
		{"::core::ffi::c_int", "core::ffi::c_int"},
		{"Vec::<u8>", "Vec<u8>"},
		{"Foo<'static, u8>", "Foo<u8>"},
		{"dyn Fn()", "?"},
		{"impl Trait", "?"},
		{"<T as Trait>::Out", "?"},
		{"*u8", "?"},
		{"Foo<", "?"},
		{"(u8", "?"},
		{"", "?"},
	} {
		if got := show(parseRust(tc.in)); got != tc.want {
			t.Errorf("parseRust(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestFixedWidth(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		sign Sign
		ok   bool
	}{
		{"u8", 1, Unsigned, true}, {"s16", 2, Signed, true}, {"__u32", 4, Unsigned, true},
		{"__s64", 8, Signed, true}, {"uint16_t", 2, Unsigned, true}, {"int64_t", 8, Signed, true},
		{"u_int32_t", 4, Unsigned, true}, {"__le32", 4, Unsigned, true}, {"__be16", 2, Unsigned, true},
		{"__sum16", 2, Unsigned, true}, {"__wsum", 4, Unsigned, true},
		{"le32", 0, 0, false}, {"u128x", 0, 0, false}, {"user", 0, 0, false}, {"s", 0, 0, false},
	} {
		got, ok := fixedWidth(tc.name)
		if ok != tc.ok || (ok && (got.Size != tc.size || got.Sign != tc.sign || got.Kind != Int)) {
			t.Errorf("fixedWidth(%q) = %+v, %v; want size %d sign %v, %v", tc.name, got, ok, tc.size, tc.sign, tc.ok)
		}
	}
}

func TestKeywordType(t *testing.T) {
	r := &Resolver{model: ModelFor("lp64", true)}
	for _, tc := range []struct {
		name string
		kind Kind
		size int
		sign Sign
	}{
		{"int", Int, 4, Signed}, {"unsigned", Int, 4, Unsigned}, {"unsigned long", Int, 8, Unsigned},
		{"long long", Int, 8, Signed}, {"signed char", Int, 1, Signed}, {"char", Int, 1, Unsigned},
		{"short unsigned int", Int, 2, Unsigned}, {"_Bool", Int, 1, Unsigned}, {"double", Float, 8, 0},
		{"long double", Float, 16, 0}, {"float", Float, 4, 0}, {"void", Void, 0, 0},
	} {
		got, ok := r.keywordType(tc.name)
		if !ok || got.Kind != tc.kind || got.Size != tc.size || got.Sign != tc.sign {
			t.Errorf("keywordType(%q) = %+v, %v", tc.name, got, ok)
		}
	}
	if _, ok := r.keywordType("size_t"); ok {
		t.Error("keywordType(size_t) resolved a typedef name")
	}
}

// FuzzParseRust: any text parses without panicking, and a resolver with
// no index behind it never needs one for what parses as a primitive.
func FuzzParseRust(f *testing.F) {
	for _, s := range []string{"*mut bindings::device", `Option<unsafe extern "C" fn(*mut c_void, ...) -> c_int>`,
		"[u8; 4]", "&'a mut [u8]", "(u8,)", "for<'a> fn(&'a u8)", "Foo::<T>::Bar", "\xff\xfe", "<<<<", "[[[[;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parseRust(s)
		rtokens(s)
	})
}
