package rustfacts

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/rivet-lsp/rivet/treesitter"
)

func TestScratchDump(t *testing.T) {
	p := os.Getenv("DUMP")
	if p == "" {
		t.Skip()
	}
	src, _ := os.ReadFile(p)
	tree, err := treesitter.Parse(context.Background(), treesitter.Rust, src)
	if err != nil {
		t.Fatal(err)
	}
	f := Extract(tree)
	b, _ := json.MarshalIndent(f, "", " ")
	os.Stdout.Write(b)
	for _, r := range f.BindingRefs {
		t.Logf("ref %s %d %q fn=%d", r.Name, r.Kind, src[r.PathSpan.Start:r.PathSpan.End], r.Fn)
	}
	for _, c := range f.Calls {
		t.Logf("call %q method=%v recv=%q %q fn=%d", c.Callee, c.Method, c.Recv, src[c.Span.Start:c.Span.End], c.Fn)
	}
}
