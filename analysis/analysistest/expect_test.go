package analysistest

import (
	"reflect"
	"strings"
	"testing"
)

func TestExpectationsTree(t *testing.T) {
	dir := WriteTxtar(t, `
Wants in every file kind the harness reads; README.md and .git are not read.
-- include/linux/clk.h --
struct clk *clk_get(struct device *dev, const char *id); /* want "ffi-unresolved" */
-- rust/helpers/refcount.c --
__rust_helper bool rust_helper_refcount_dec_and_test(refcount_t *r) // want "helper-attribute-lost"
{
	return refcount_dec_and_test(r);
}
-- drivers/demo/a.rs --
fn f() {
    a(); // want "lifecycle-leak" "lock-imbalance"
    b(); // want "lifecycle-leak" // FIXME: the guard is not tracked yet
}
-- README.md --
x // want "lifecycle-leak"
-- .git/x.rs --
x // want "lifecycle-leak"
`)
	got, err := Expectations(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Want{
		{File: "drivers/demo/a.rs", Line: 2, Code: "lifecycle-leak"},
		{File: "drivers/demo/a.rs", Line: 2, Code: "lock-imbalance"},
		{File: "drivers/demo/a.rs", Line: 3, Code: "lifecycle-leak", Fixme: "the guard is not tracked yet"},
		{File: "include/linux/clk.h", Line: 1, Code: "ffi-unresolved"},
		{File: "rust/helpers/refcount.c", Line: 1, Code: "helper-attribute-lost"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Expectations:\ngot  %v\nwant %v", got, want)
	}
}

// TestParseWantsLexing checks that want comments are found exactly where a
// compiler would see a comment.
func TestParseWantsLexing(t *testing.T) {
	tests := []struct {
		name string
		file string
		src  string
		want []int // lines of the wants, all with code "x"
	}{
		{"rust string", "a.rs", `let s = "// want \"x\""; // want "x"`, []int{1}},
		{"rust escaped quote", "a.rs", `let s = "\"// want \"x\""; f();`, nil},
		{"rust multi-line string", "a.rs", "let s = \"a\n// want \\\"x\\\"\nb\";\nf(); // want \"x\"", []int{4}},
		{"rust raw string", "a.rs", `let s = r#"a " // want "x" "#; // want "x"`, []int{1}},
		{"rust byte raw string", "a.rs", `let s = br"// want "; g(); // want "x"`, []int{1}},
		{"rust lifetimes", "a.rs", "fn f<'a>(x: &'a u8) -> &'a u8 { x } // want \"x\"", []int{1}},
		{"rust char quote", "a.rs", `let c = '"'; // want "x"`, []int{1}},
		{"rust escaped char", "a.rs", `let c = '\''; // want "x"`, []int{1}},
		{"rust unicode char", "a.rs", `let c = 'é'; // want "x"`, []int{1}},
		{"rust nested block", "a.rs", "/* /* */ // want \"x\" */\nf(); // want \"x\"", []int{2}},
		{"rust doc comments", "a.rs", "/// want \"x\"\n//! want \"x\"\nf();", nil},
		{"identifier ending in r", "a.rs", `for"x"; f(); // want "x"`, []int{1}},
		{"c block want", "a.c", `f(); /* want "x" */`, []int{1}},
		{"c multi-line block", "a.c", "/*\n*/ f(); /* want\n\"x\" */", []int{2}},
		{"c char quote", "a.c", `char c = '"'; f(); // want "x"`, []int{1}},
		{"c apostrophe in #error", "a.h", "#error don't\nf(); // want \"x\"", []int{2}},
		{"c continued line comment", "a.c", "// a \\\n// want \"x\"\nf(); // want \"x\"", []int{3}},
		{"c kernel-doc", "a.h", "/** want \"x\" */\nint f(void);", nil},
		{"wanted is not want", "a.rs", `f(); // wanted "x"`, nil},
		{"prose is not want", "a.c", "/* want to schedule a read */\nf(); // want the lock", nil},
		{"want without codes", "a.rs", `f(); // want`, nil},
		{"want without space", "a.rs", `f(); //want "x"`, []int{1}},
		{"crlf", "a.rs", "f(); // want \"x\"\r\ng(); // want \"x\"\r\n", []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := langForPath(tt.file)
			ws, err := parseWants(tt.file, l, []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, w := range ws {
				if w.Code != "x" {
					t.Errorf("code %q, want \"x\"", w.Code)
				}
				lines = append(lines, w.Line)
			}
			if !reflect.DeepEqual(lines, tt.want) {
				t.Errorf("want lines %v, expected %v", lines, tt.want)
			}
		})
	}
}

func TestParseWantsErrors(t *testing.T) {
	tests := []struct {
		src     string
		errPart string
	}{
		{`f(); // want "lifecycle-leak" lock-imbalance`, "unexpected text"},
		{`f(); // want "lifecycle-leak`, "bad quoted code"},
		{`f(); // want "Lifecycle-Leak"`, "not a rule code"},
		{`f(); // want ""`, "not a rule code"},
		{`f(); // want "lifecycle-leak" because`, "unexpected text"},
		{`f(); /* want "lifecycle-leak" // x */`, "unexpected text"},
	}
	for _, tt := range tests {
		l, _ := langForPath("bad.c")
		src := "ok(); // want \"lock-imbalance\"\n" + tt.src
		ws, err := parseWants("bad.c", l, []byte(src))
		if err == nil {
			t.Errorf("%s: no error", tt.src)
			continue
		}
		if !strings.Contains(err.Error(), "bad.c:2: ") || !strings.Contains(err.Error(), tt.errPart) {
			t.Errorf("%s: error %q, want bad.c:2 and %q", tt.src, err, tt.errPart)
		}
		if len(ws) != 1 || ws[0].Line != 1 {
			t.Errorf("%s: well-formed wants %v, want the one on line 1", tt.src, ws)
		}
	}
}

func TestExpectationsReportsMalformedWants(t *testing.T) {
	dir := WriteTxtar(t, `
-- a.rs --
f(); // want "lifecycle-leak"
g(); // want "leak" "Leak"
`)
	ws, err := Expectations(dir)
	if err == nil || !strings.Contains(err.Error(), "a.rs:2: ") {
		t.Errorf("error %v, want one at a.rs:2", err)
	}
	if len(ws) != 1 {
		t.Errorf("wants %v, want the well-formed one", ws)
	}
}

func TestExpectationsMissingRoot(t *testing.T) {
	if _, err := Expectations(t.TempDir() + "/nope"); err == nil {
		t.Error("no error for a missing root")
	}
}

// FuzzScanComments checks that the lexer terminates without panicking on
// any input and that comment lines never go backwards or past the end.
func FuzzScanComments(f *testing.F) {
	for _, s := range []string{"r#\"", "'", "/*", "//\\\n", "b'\\", "c\"\\", "'\xff'", "/* /* */"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, src string, rust bool) {
		l := langC
		if rust {
			l = langRust
		}
		lines := strings.Count(src, "\n") + 1
		prev := 1
		for _, c := range scanComments(l, []byte(src)) {
			if c.line < prev || c.line > lines {
				t.Fatalf("comment at line %d after line %d, in a %d-line input", c.line, prev, lines)
			}
			prev = c.line
		}
	})
}
