package analysis_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/treesitter"
)

// syncFragments are what the edits of FuzzIncrementalSync insert: text
// that changes how a kernel file parses, masks and scans.
var syncFragments = []string{
	"", " ", "\n", "\r\n", "x", "{", "}", "(", ")", ";", "/*", "*/", "//", "\"", "'", "\\\n",
	"#ifdef CONFIG_X\n", "#endif\n", "#define M(a) a\n", "__must_check ", "__user ", "static inline ",
	"struct device *get_device(struct device *dev);\n", "DEFINE_FREE(f, void *, kfree(_T))\n",
	"list_for_each_entry(a, b, c) {", "int f(void) { return g(1); }\n",
	"use kernel::bindings;\n", "unsafe { bindings::get_device(d) };\n", "// SAFETY: ok\n",
	"#[no_mangle]\npub extern \"C\" fn e() {}\n", "extern \"C\" { fn h(); }\n", "impl Drop for S { fn drop(&mut self) {} }\n",
	"&raw const ", "r#\"", "\"#", "é", "\xff", "\x00",
}

// FuzzIncrementalSync opens a document, changes it through
// Workspace.Change by a script of edits (three bytes an edit: where, how
// much to delete, which fragment to insert), and checks that the document
// then holds the final text, a tree equal to a full parse of it, and the
// facts a fresh workspace computes from it.
func FuzzIncrementalSync(f *testing.F) {
	f.Add(true, []byte("use kernel::bindings;\nfn f(d: *mut bindings::device) {\n    unsafe { bindings::get_device(d) };\n}\n"),
		[]byte{40, 0, 28, 10, 3, 27, 200, 0, 31})
	f.Add(false, []byte("#include <linux/device.h>\nstruct device *get_device(struct device *dev)\n{\n\treturn dev;\n}\n"),
		[]byte{30, 2, 21, 0, 0, 16, 90, 5, 22, 250, 0, 17})
	f.Add(false, []byte("#define X(a) \\\n\t(a)\nint x;\n"), []byte{14, 1, 15, 3, 0, 35})
	f.Add(true, []byte("fn f() {}\r\nfn g() {}\n"), []byte{9, 2, 3, 0, 0, 36})
	f.Fuzz(func(t *testing.T, rust bool, src, script []byte) {
		if len(src) > 1<<14 || len(script) > 96 {
			return
		}
		name := "/f.c"
		if rust {
			name = "/f.rs"
		}
		ctx := context.Background()
		dir := t.TempDir()
		ws := analysis.NewWorkspace([]string{dir}, analysis.Options{})
		path := ws.Roots()[0] + name
		if _, err := ws.Open(ctx, path, 1, bytes.Clone(src)); err != nil {
			t.Fatal(err)
		}
		text := bytes.Clone(src)
		version := int32(1)
		for i := 0; i+2 < len(script); i += 3 {
			start := int(script[i]) * (len(text) + 1) / 256
			end := min(len(text), start+int(script[i+1]%16))
			text = bytes.Join([][]byte{text[:start], []byte(syncFragments[int(script[i+2])%len(syncFragments)]), text[end:]}, nil)
			version++
			if _, err := ws.Change(ctx, path, version, bytes.Clone(text)); err != nil {
				t.Fatalf("edit %d: %v", i/3, err)
			}
		}
		doc := ws.Document(path)
		if !bytes.Equal(doc.Text(), text) || doc.Version() != version {
			t.Fatalf("the document holds version %d, %q; want version %d, %q", doc.Version(), doc.Text(), version, text)
		}

		fresh := analysis.NewWorkspace([]string{dir}, analysis.Options{})
		want, err := fresh.Open(ctx, path, version, bytes.Clone(text))
		if err != nil {
			t.Fatal(err)
		}
		doc.WithTree(func(tree *treesitter.Tree, _ *index.File) {
			want.WithTree(func(full *treesitter.Tree, _ *index.File) {
				if !bytes.Equal(tree.Source(), text) {
					t.Fatalf("the document's tree is of another text: %q", tree.Source())
				}
				if got, w := tree.Root().SExpr(), full.Root().SExpr(); got != w {
					t.Fatalf("incremental tree differs from a full parse of %q:\n got %s\nwant %s", text, got, w)
				}
			})
		})
		if msg := sameFacts(doc.File(), want.File()); msg != "" {
			t.Fatalf("facts after the edits differ from fresh ones for %q: %s", text, msg)
		}
	})
}

// sameFacts compares what two open documents' index files say of their
// text, field by field; "" when they agree.
func sameFacts(got, want *index.File) string {
	for _, c := range []struct {
		name string
		a, b any
	}{
		{"stat", got.Stat, want.Stat},
		{"hash", got.Hash, want.Hash},
		{"scan", got.Scan, want.Scan},
		{"declarations", got.Decls(), want.Decls()},
		{"C facts", got.C, want.C},
		{"C spans", got.CSpans, want.CSpans},
		{"Rust facts", got.Rust, want.Rust},
	} {
		if !reflect.DeepEqual(c.a, c.b) {
			return c.name
		}
	}
	return ""
}
