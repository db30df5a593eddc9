package cfacts

import (
	"context"
	"os"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// benchSource is the test driver and header, repeated to a file of about
// 100 KB, the size of a large kernel driver.
func benchSource(b *testing.B) []byte {
	b.Helper()
	var one []byte
	for _, f := range []string{"testdata/device.h", "testdata/driver.c", "testdata/helpers.c"} {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		one = append(one, data...)
	}
	var src []byte
	for len(src) < 100<<10 {
		src = append(src, one...)
	}
	return src
}

// BenchmarkExtract: "parse" is the tree-sitter parse alone (the floor),
// "parse+extract" what indexing a file costs, "extract" the walk over an
// existing tree.
func BenchmarkExtract(b *testing.B) {
	src := benchSource(b)
	ctx := context.Background()
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			tree, _ := treesitter.Parse(ctx, treesitter.C, src)
			tree.Close()
		}
	})
	b.Run("parse+extract", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			tree, _ := treesitter.Parse(ctx, treesitter.C, src)
			Extract(tree)
			tree.Close()
		}
	})
	b.Run("extract", func(b *testing.B) {
		tree, _ := treesitter.Parse(ctx, treesitter.C, src)
		defer tree.Close()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			Extract(tree)
		}
	})
}

// BenchmarkExtractSpans reads three functions of the 100 KB file, the way
// rivet reads the C side of what Rust calls; compare with
// BenchmarkExtract/parse+extract.
func BenchmarkExtractSpans(b *testing.B) {
	src := benchSource(b)
	tree, _ := treesitter.Parse(context.Background(), treesitter.C, src)
	whole := Extract(tree)
	tree.Close()
	var spans []facts.Span
	for _, name := range []string{"widget_create", "device_find_child", "rust_helper_copy_from_user"} {
		for _, f := range whole.Funcs {
			if f.Name == name {
				spans = append(spans, f.Span)
				break
			}
		}
	}
	if len(spans) != 3 {
		b.Fatalf("found %d of 3 functions", len(spans))
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := ExtractSpans(context.Background(), src, spans); err != nil {
			b.Fatal(err)
		}
	}
}
