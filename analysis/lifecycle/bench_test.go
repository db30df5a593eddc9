package lifecycle_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
)

// BenchmarkBuild measures one knowledge-base build over testdata/kernel's
// index (the workspace rebuilds it on every index generation). The real
// kernel's figure is logged by TestKernel.
func BenchmarkBuild(b *testing.B) {
	root, _ := filepath.Abs("../../testdata/kernel")
	ws := analysis.NewWorkspace([]string{root}, analysis.Options{})
	if _, err := ws.Build(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	snap, release := ws.Index.Snapshot()
	defer release()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lifecycle.Build(context.Background(), snap, nil)
	}
}
