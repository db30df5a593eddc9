package lifecycle_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
)

// buildKB indexes root the way the workspace does (facts, Ensure rounds)
// and returns its knowledge base and root.
func buildKB(t testing.TB, root string, cfg *config.Config) *lifecycle.KB {
	t.Helper()
	ws := analysis.NewWorkspace([]string{root}, analysis.Options{})
	if _, err := ws.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	snap, release := ws.Index.Snapshot()
	defer release()
	return ws.Lifecycle(snap, cfg)
}

// treeKB builds the knowledge base of a txtar tree.
func treeKB(t testing.TB, archive string, cfg *config.Config) *lifecycle.KB {
	t.Helper()
	return buildKB(t, analysistest.WriteTxtar(t, archive), cfg)
}

var fixture struct {
	once sync.Once
	kb   *lifecycle.KB
	root string
}

// fixtureKB is the knowledge base of testdata/kernel, built once.
func fixtureKB(t testing.TB) (*lifecycle.KB, string) {
	t.Helper()
	fixture.once.Do(func() {
		root, err := filepath.Abs("../../testdata/kernel")
		if err != nil {
			t.Fatal(err)
		}
		root, err = filepath.EvalSymlinks(root)
		if err != nil {
			t.Fatal(err)
		}
		fixture.root = root
		fixture.kb = buildKB(t, root, nil)
	})
	if fixture.kb == nil {
		t.Fatal("the fixture's knowledge base failed to build")
	}
	return fixture.kb, fixture.root
}

// kinds lists the kinds of sources, in order.
func kinds(srcs []lifecycle.Source) []lifecycle.SourceKind {
	var out []lifecycle.SourceKind
	for _, s := range srcs {
		if !slices.Contains(out, s.Kind) {
			out = append(out, s.Kind)
		}
	}
	return out
}

// acquiresOf lists the acquires of the pairs a release releases.
func acquiresOf(e lifecycle.Effect) []string {
	var out []string
	for _, p := range e.Releases {
		out = append(out, p.Acquire)
	}
	return out
}

// chainOf renders a sleep chain as "fn:what" steps.
func chainOf(e lifecycle.Effect) []string {
	var out []string
	for _, ev := range e.SleepChain {
		out = append(out, ev.Fn+":"+ev.What)
	}
	return out
}
