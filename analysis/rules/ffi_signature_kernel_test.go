package rules_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/ctype"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// TestKernelSignatures runs ffi-signature-mismatch and repr-c-missing on
// the kernel tree of RIVET_KERNEL and logs, for every Rust function that
// crosses the boundary by hand, what the comparison with C found: the
// table of the precision review.
//
//	RIVET_KERNEL=/path/to/linux-7.3 go test ./analysis/rules -run TestKernelSignatures -v
func TestKernelSignatures(t *testing.T) {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("RIVET_KERNEL is not set")
	}
	ws := analysis.NewWorkspace([]string{root}, analysis.Options{})
	if _, err := ws.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	diags, err := ws.Check(context.Background(), analysis.CheckOptions{Rules: []string{"ffi-signature-mismatch", "repr-c-missing"}})
	if err != nil {
		t.Fatal(err)
	}
	snap, release := ws.Index.Snapshot()
	defer release()
	counts := map[string]int{}
	var lines []string
	snap.Files(func(f *index.File) bool {
		if f.Rust == nil {
			return true
		}
		for i := range f.Rust.Fns {
			fn := &f.Rust.Fns[i]
			kind, verdict := kernelVerdict(snap, f, fn)
			if kind == "" {
				continue
			}
			counts[kind+" "+verdict]++
			lines = append(lines, fmt.Sprintf("%-7s %-12s %s (%s)", kind, verdict, fn.Name, f.Rel(root)))
		}
		return true
	})
	sort.Strings(lines)
	t.Logf("functions crossing by hand:\n%s", strings.Join(lines, "\n"))
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-30s %d", k, counts[k])
	}
	for _, d := range diags {
		t.Logf("%s: %s: %s", d.Path, d.Code, d.Message)
	}
	t.Logf("%d reports", len(diags))
}

// kernelVerdict classifies one function: its kind (import, export,
// callback — an extern "C" fn C reaches through a pointer) and what
// comparing it with C found.
func kernelVerdict(snap *index.Snapshot, f *index.File, fn *facts.RFn) (kind, verdict string) {
	r := f.Rust
	switch {
	case fn.ExternBlock >= 0:
		kind = "import"
	case (fn.NoMangle || fn.ExportName != "") && fn.ABI == "C":
		kind = "export"
	case fn.ABI == "C" && !fn.BodySpan.Empty():
		return "callback", "no prototype"
	default:
		return "", ""
	}
	var protos []*facts.CFunc
	for _, d := range link.CPrototypes(snap, fn.Symbol()) {
		if cf := link.FuncFacts(d); cf != nil && !d.Decl.Has(facts.FlagStatic) && !d.Decl.Has(facts.FlagInline) {
			protos = append(protos, cf)
		}
	}
	if len(protos) == 0 {
		return kind, "no prototype"
	}
	model := ctype.ModelFor("", snap.Kernel() != nil)
	res := ctype.NewResolver(snap, model)
	rsig := res.RustSig(fn, ctype.ContextOf(f.Path, r, fn))
	csig := res.CSig(protos[0])
	dir := ctype.Import
	if kind == "export" {
		dir = ctype.Export
	}
	verdict = "equal"
	for _, d := range model.CompareSigs(csig, rsig, dir) {
		switch {
		case d.Verdict == ctype.Mismatch:
			return kind, "mismatch"
		case d.Verdict == ctype.Harmless:
			verdict = "harmless"
		}
	}
	if hasUnknown(csig) || hasUnknown(rsig) {
		verdict += "+unknown"
	}
	return kind, verdict
}

func hasUnknown(s ctype.Sig) bool {
	var unknown func(t ctype.Type, depth int) bool
	unknown = func(t ctype.Type, depth int) bool {
		if depth > 8 {
			return false
		}
		switch t.Kind {
		case ctype.Unknown:
			return true
		case ctype.Pointer, ctype.Array:
			return t.Elem != nil && unknown(*t.Elem, depth+1)
		case ctype.Func:
			return t.Sig != nil && hasUnknown(*t.Sig)
		}
		return false
	}
	for _, p := range s.Params {
		if unknown(p, 0) {
			return true
		}
	}
	return s.Ret.Kind != ctype.Void && unknown(s.Ret, 0)
}
