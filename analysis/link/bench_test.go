package link_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// BenchmarkResolve resolves every bindgen name the Rust files of a tree
// use: testdata/kernel, or the tree RIVET_KERNEL names.
func BenchmarkResolve(b *testing.B) {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		root, _ = filepath.Abs("../../testdata/kernel")
	}
	ix := index.New()
	if _, err := (&index.Builder{Index: ix}).Build(context.Background(), []string{root}); err != nil {
		b.Fatal(err)
	}
	snap, release := ix.Snapshot()
	defer release()
	var names []string
	snap.BindingNames(func(name string, _ []index.RustRef) bool {
		names = append(names, name)
		return true
	})
	b.ReportMetric(float64(len(names)), "names")
	b.ResetTimer()
	for b.Loop() {
		for _, n := range names {
			link.Resolve(snap, n)
		}
	}
}
