package treesitter

import (
	"strings"
	"testing"
)

func TestQueriesCompile(t *testing.T) {
	for _, lang := range []Language{C, Rust} {
		names := QueryNames(lang)
		if len(names) < 4 {
			t.Errorf("%s: only %d embedded queries: %v", lang, len(names), names)
		}
		for _, name := range names {
			if _, err := LoadQuery(lang, name); err != nil {
				t.Errorf("%s/%s: %v", lang, name, err)
			}
		}
	}
	if _, err := LoadQuery(C, "no-such-query"); err == nil {
		t.Error("LoadQuery of a missing query succeeded")
	}
	if _, err := LoadQuery(Language(0), "calls"); err == nil {
		t.Error("LoadQuery of an unknown language succeeded")
	}
}

// matches runs query name over src and renders each match as the texts
// of the given captures joined by "|" (an absent capture renders "-").
func matches(t *testing.T, lang Language, name, src string, captures ...string) []string {
	t.Helper()
	tr := mustParse(t, lang, []byte(src))
	defer tr.Close()
	var out []string
	MustQuery(lang, name).Matches(tr.Root(), func(m Match) bool {
		var parts []string
		for _, c := range captures {
			n := m.Capture(c)
			if n.IsNull() {
				parts = append(parts, "-")
				continue
			}
			parts = append(parts, n.Text())
		}
		out = append(out, strings.Join(parts, "|"))
		return true
	})
	return out
}

func checkMatches(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("matches:\n got %q\nwant %q", got, want)
	}
}

func TestQueryCCalls(t *testing.T) {
	got := matches(t, C, "calls", "void f(struct d *d) { g(d, 1); d->ops->probe(d); }", "name", "args")
	checkMatches(t, got, "g|(d, 1)", "probe|(d)")
}

func TestQueryCFunctionDeclarators(t *testing.T) {
	src := "int __must_check f(int a);\nstruct page *alloc(void) { return 0; }\nvoid (*handler)(int);"
	checkMatches(t, matches(t, C, "function_declarators", src, "name", "params"), "f|(int a)", "alloc|(void)")
}

func TestQueryCIncludes(t *testing.T) {
	src := "#include <linux/slab.h>\n#include \"local.h\"\n"
	checkMatches(t, matches(t, C, "includes", src, "path"), "<linux/slab.h>", `"local.h"`)
}

func TestQueryCDefines(t *testing.T) {
	src := "#define A 1\n#define B\n#define max(a, b) ((a) > (b) ? (a) : (b))\n"
	checkMatches(t, matches(t, C, "defines", src, "name", "params", "value"),
		"A|-|1", "B|-|-", "max|(a, b)|((a) > (b) ? (a) : (b))")
}

func TestQueryRustCalls(t *testing.T) {
	src := "fn f() { g(1); bindings::get_device(d); self.inner.put(); x.cast::<u8>(); }"
	checkMatches(t, matches(t, Rust, "calls", src, "name", "function"),
		"g|g", "get_device|bindings::get_device", "put|self.inner.put", "cast|x.cast::<u8>")
}

func TestQueryRustScopedPaths(t *testing.T) {
	src := "fn f() { kernel::bindings::foo(); let t: bindings::device; }"
	checkMatches(t, matches(t, Rust, "scoped_paths", src, "path", "name"),
		"kernel|bindings", "kernel::bindings|foo", "bindings|device")
}

func TestQueryRustAttributes(t *testing.T) {
	src := "#![no_std]\n#[repr(C)]\nstruct S;\n#[unsafe(no_mangle)]\nfn f() {}\n#[export_name = \"g\"]\nfn g() {}"
	checkMatches(t, matches(t, Rust, "attributes", src, "name", "args", "value"),
		"no_std|-|-", "repr|(C)|-", "no_mangle|-|-", `export_name|-|"g"`)
}

func TestQueryRustUses(t *testing.T) {
	src := "use kernel::bindings;\nuse kernel::{prelude::*, sync::Arc};\n"
	checkMatches(t, matches(t, Rust, "uses", src, "tree"), "kernel::bindings", "kernel::{prelude::*, sync::Arc}")
}

func TestQueryPredicatesAndStop(t *testing.T) {
	q, err := compile(C, "test", []byte(`((call_expression function: (identifier) @name) @call (#match? @name "^put_") (#not-eq? @name "put_skip"))`))
	if err != nil {
		t.Fatal(err)
	}
	tr := mustParse(t, C, []byte("void f(void) { get_x(); put_x(); put_skip(); put_y(); }"))
	defer tr.Close()
	var got []string
	q.Matches(tr.Root(), func(m Match) bool {
		got = append(got, m.Capture("name").Text())
		return len(got) < 1 // stop after the first
	})
	checkMatches(t, got, "put_x")
	if _, err := compile(C, "bad", []byte(`((identifier) @x (#frobnicate? @x "y"))`)); err == nil {
		t.Error("an unsupported predicate compiled")
	}
	if _, err := compile(C, "bad", []byte(`(no_such_node) @x`)); err == nil {
		t.Error("a query naming an unknown node kind compiled")
	}
}

// Queries are shared: concurrent loads and matches must be safe (run with
// -race).
func TestQueryConcurrentUse(t *testing.T) {
	done := make(chan []string)
	for range 4 {
		go func() {
			tr, err := Parse(t.Context(), C, []byte("void f(void) { g(); h(); }"))
			if err != nil {
				done <- nil
				return
			}
			defer tr.Close()
			var got []string
			MustQuery(C, "calls").Matches(tr.Root(), func(m Match) bool {
				got = append(got, m.Capture("name").Text())
				return true
			})
			done <- got
		}()
	}
	for range 4 {
		checkMatches(t, <-done, "g", "h")
	}
}
