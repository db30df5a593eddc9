package ownership

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/rustfacts"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// fixtureSources are the Rust files of testdata/kernel.
func fixtureSources(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir("../../testdata/kernel", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".rs" {
			return err
		}
		src, err := os.ReadFile(p)
		out[p] = src
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchmarkAnalyze measures the tracker alone (trees parsed beforehand)
// over the Rust files of testdata/kernel; bytes are source bytes.
func BenchmarkAnalyze(b *testing.B) {
	type parsed struct {
		tree *ts.Tree
		env  Env
	}
	var files []parsed
	var size int64
	for _, src := range fixtureSources(b) {
		tree, err := ts.Parse(context.Background(), ts.Rust, src)
		if err != nil {
			b.Fatal(err)
		}
		defer tree.Close()
		files = append(files, parsed{tree, Env{KB: testKB, Calls: CallNames(rustfacts.Extract(tree))}})
		size += int64(len(src))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		for _, f := range files {
			Analyze(f.tree.Root(), f.env)
		}
	}
}

// FuzzAnalyze checks that the tracker survives any input: broken code is
// data.
func FuzzAnalyze(f *testing.F) {
	for _, src := range fixtureSources(f) {
		f.Add(src)
	}
	for _, c := range trackerCases {
		f.Add([]byte(c.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		tree, err := ts.Parse(context.Background(), ts.Rust, src)
		if err != nil {
			t.Skip()
		}
		defer tree.Close()
		Analyze(tree.Root(), Env{KB: testKB, Calls: CallNames(rustfacts.Extract(tree))})
	})
}
