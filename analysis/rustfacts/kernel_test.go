package rustfacts

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// kernelFile is one extracted .rs file of the kernel tree.
type kernelFile struct {
	rel   string // slash path relative to the tree
	src   []byte
	facts *facts.Rust
	tree  *treesitter.Tree
}

// kernelFiles parses and extracts every .rs file under $RIVET_KERNEL; it
// skips the test when the variable is unset. Trees stay open until the
// test ends so the grep comparison can ask them where a match sits.
func kernelFiles(t *testing.T) []kernelFile {
	t.Helper()
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("RIVET_KERNEL is not set")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var files []kernelFile
	var parse, extract, parseCPU, extractCPU time.Duration
	var bytes int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rs") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		t0, c0 := time.Now(), threadCPU()
		tree, err := treesitter.Parse(context.Background(), treesitter.Rust, src)
		if err != nil {
			return err
		}
		t1, c1 := time.Now(), threadCPU()
		f := Extract(tree)
		t2, c2 := time.Now(), threadCPU()
		parse += t1.Sub(t0)
		extract += t2.Sub(t1)
		parseCPU += c1 - c0
		extractCPU += c2 - c1
		bytes += len(src)
		t.Cleanup(tree.Close)
		files = append(files, kernelFile{rel: filepath.ToSlash(rel), src: src, facts: f, tree: tree})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %.1f MB on one thread: parse %v (CPU %v), extract %v (CPU %v)",
		len(files), float64(bytes)/1e6, parse, parseCPU, extract, extractCPU)
	return files
}

// TestKernel extracts every Rust file of a real kernel tree and reports
// the figures the lifecycle and link layers rely on.
func TestKernel(t *testing.T) {
	files := kernelFiles(t)
	if len(files) < 400 {
		t.Fatalf("found %d .rs files; RIVET_KERNEL should be a Linux 7.x tree", len(files))
	}
	names := map[string]map[string]bool{"rust/": {}, "drivers/": {}, "samples/": {}, "all": {}}
	var nRefs, nNoMangle, nExport, nBlocks, nItems, nStatics, nExportedStatics int
	var blocks []string
	kinds := map[facts.RefKind]int{}
	var pairs []string
	for _, f := range files {
		nRefs += len(f.facts.BindingRefs)
		for _, r := range f.facts.BindingRefs {
			kinds[r.Kind]++
			names["all"][r.Name] = true
			for dir, set := range names {
				if strings.HasPrefix(f.rel, dir) {
					set[r.Name] = true
				}
			}
		}
		for _, fn := range f.facts.Fns {
			if fn.NoMangle {
				nNoMangle++
			}
			if fn.ExportName != "" {
				nExport++
			}
		}
		for _, ty := range f.facts.Types {
			if ty.Symbol() != "" {
				nExportedStatics++
			}
		}
		nBlocks += len(f.facts.ExternBlocks)
		for _, eb := range f.facts.ExternBlocks {
			nItems += len(eb.Fns)
			nStatics += len(eb.Statics)
			var items []string
			for _, i := range eb.Fns {
				items = append(items, f.facts.Fns[i].Name)
			}
			for _, st := range eb.Statics {
				items = append(items, "static "+st.Name)
			}
			blocks = append(blocks, fmt.Sprintf("%s: extern %q { %s }", f.rel, eb.ABI, strings.Join(items, ", ")))
		}
		for _, p := range AlwaysRefCountedPairs(f.facts) {
			pairs = append(pairs, f.rel+": "+p.Type+" "+orNone(p.Inc)+" / "+orNone(p.Dec))
		}
	}
	t.Logf("BindingRefs %d (call %d, type %d, value %d)", nRefs, kinds[facts.RefCall], kinds[facts.RefType], kinds[facts.RefValue])
	for _, dir := range []string{"rust/", "drivers/", "samples/", "all"} {
		t.Logf("distinct binding names under %s: %d", dir, len(names[dir]))
	}
	t.Logf("fns with #[no_mangle]: %d, with #[export_name]: %d; exported statics: %d", nNoMangle, nExport, nExportedStatics)
	t.Logf("extern blocks %d with %d fns and %d statics:\n\t%s", nBlocks, nItems, nStatics, strings.Join(blocks, "\n\t"))
	t.Logf("AlwaysRefCounted impls: %d\n\t%s", len(pairs), strings.Join(pairs, "\n\t"))

	for _, want := range []string{
		"get_device / put_device", "get_task_struct / put_task_struct", "mmgrab / mmdrop", "get_file / fput",
		"drm_gem_object_get / drm_gem_object_put", // from the impl_aref_for_gem_obj! macro body
	} {
		if !slices.ContainsFunc(pairs, func(p string) bool { return strings.HasSuffix(p, want) }) {
			t.Errorf("no AlwaysRefCounted pair %s", want)
		}
	}
	if len(pairs) < 26 {
		t.Errorf("found %d AlwaysRefCounted impls, want 26 (25 plain, 1 in a macro_rules! body)", len(pairs))
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

var grepBindings = regexp.MustCompile(`bindings::[A-Za-z_0-9]*`)

// TestKernelAgainstGrep compares the binding names found with a plain
// `grep -o 'bindings::[A-Za-z_0-9]*'` of the same files and explains every
// difference: each grep match rustfacts does not report must sit in a
// comment, a string, a longer identifier or an incomplete path, and each
// reference grep does not see must come through a use or an alias.
func TestKernelAgainstGrep(t *testing.T) {
	files := kernelFiles(t)
	grepOnly := map[string]int{}    // reason -> matches
	examples := map[string]string{} // reason or grep-only name -> first place
	grepNames := map[string]bool{}  // as grep -o | sort -u would give them
	var unexplained []string
	refNames, viaUse := map[string]bool{}, map[string]bool{}
	var nGrep, nRefs, nViaUse int
	var viaUseAt []string
	for _, f := range files {
		at := map[uint32]bool{}
		for _, r := range f.facts.BindingRefs {
			at[r.Span.Start] = true
			refNames[r.Name] = true
			nRefs++
			if path := string(f.src[r.PathSpan.Start:r.PathSpan.End]); !strings.Contains(path, "bindings::"+r.Name) {
				viaUse[r.Name] = true
				nViaUse++
				viaUseAt = append(viaUseAt, f.rel+": "+path)
			}
		}
		for _, m := range grepBindings.FindAllIndex(f.src, -1) {
			nGrep++
			name := string(f.src[m[0]+len("bindings::") : m[1]])
			if name != "" {
				grepNames[name] = true
			}
			if at[uint32(m[0]+len("bindings::"))] {
				continue
			}
			reason := grepMissReason(f, m[0], name)
			grepOnly[reason]++
			where := f.rel + ": " + line(f.src, m[0])
			for _, k := range []string{reason, name} {
				if _, ok := examples[k]; !ok {
					examples[k] = where
				}
			}
			if reason == "unexplained" {
				unexplained = append(unexplained, f.rel+": "+line(f.src, m[0]))
			}
		}
	}
	var onlyGrep, onlyFacts []string
	for n := range grepNames {
		if !refNames[n] {
			onlyGrep = append(onlyGrep, n)
		}
	}
	for n := range refNames {
		if !grepNames[n] {
			onlyFacts = append(onlyFacts, n)
		}
	}
	sort.Strings(onlyGrep)
	sort.Strings(onlyFacts)
	t.Logf("matches: grep %d, rustfacts %d (%d through a use or alias)", nGrep, nRefs, nViaUse)
	t.Logf("distinct names: grep %d, rustfacts %d", len(grepNames), len(refNames))
	t.Logf("references through a use or alias:\n\t%s", strings.Join(viaUseAt, "\n\t"))
	t.Logf("grep matches rustfacts does not report, by reason: %v", grepOnly)
	for reason := range grepOnly {
		t.Logf("\t%s, e.g. %s", reason, examples[reason])
	}
	t.Logf("names only grep finds (%d), each with where grep first finds it:", len(onlyGrep))
	for _, n := range onlyGrep {
		t.Logf("\t%s: %s", n, examples[n])
	}
	t.Logf("names only rustfacts finds (%d): %s", len(onlyFacts), strings.Join(onlyFacts, " "))
	for _, n := range onlyFacts {
		if !viaUse[n] {
			t.Errorf("rustfacts finds %s, which grep misses, yet not through a use or alias", n)
		}
	}
	if len(unexplained) > 0 {
		t.Errorf("%d grep matches missed for no known reason:\n%s", len(unexplained), strings.Join(unexplained, "\n"))
	}
}

// grepMissReason says why a grep match at off is no reference.
func grepMissReason(f kernelFile, off int, name string) string {
	if off > 0 && isIdentByte(f.src[off-1]) {
		return "longer identifier" // cbindings::x
	}
	if name == "" {
		return "no name after ::" // bindings::{self, x}, bindings::*
	}
	n := f.tree.Root().DescendantForByteRange(uint32(off), uint32(off+len("bindings")))
	for ; !n.IsNull(); n = n.Parent() {
		switch n.Kind() {
		case treesitter.RustKindLineComment, treesitter.RustKindBlockComment:
			return "comment"
		case treesitter.RustKindStringLiteral, treesitter.RustKindRawStringLiteral:
			return "string"
		}
	}
	return "unexplained"
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func line(src []byte, off int) string {
	start := strings.LastIndexByte(string(src[:off]), '\n') + 1
	end := off + strings.IndexByte(string(src[off:])+"\n", '\n')
	return strings.TrimSpace(string(src[start:end]))
}
