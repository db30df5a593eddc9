package index_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/index"
)

func benchRoot() string {
	if root := os.Getenv("RIVET_KERNEL"); root != "" {
		return root
	}
	root, _ := filepath.Abs("../../testdata/kernel")
	return root
}

// BenchmarkBuildCold indexes a tree without a cache: walk, cheap scan of
// every C file, Rust facts (testdata/kernel, or RIVET_KERNEL's tree).
func BenchmarkBuildCold(b *testing.B) {
	root := benchRoot()
	for b.Loop() {
		if _, err := (&index.Builder{Index: index.New()}).Build(context.Background(), []string{root}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildWarm indexes a tree whose facts are all in the cache.
func BenchmarkBuildWarm(b *testing.B) {
	root := benchRoot()
	cache, err := index.OpenCache(b.TempDir(), []string{root})
	if err != nil {
		b.Fatal(err)
	}
	ix := index.New()
	if _, err := (&index.Builder{Index: ix, Cache: cache}).Build(context.Background(), []string{root}); err != nil {
		b.Fatal(err)
	}
	if err := cache.Save(ix); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		st, err := (&index.Builder{Index: index.New(), Cache: cache}).Build(context.Background(), []string{root})
		if err != nil || st.FromCache != st.Files {
			b.Fatalf("warm build: %v, %d of %d files from the cache", err, st.FromCache, st.Files)
		}
	}
}
