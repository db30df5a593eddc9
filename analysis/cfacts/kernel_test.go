package cfacts

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// kernelTree is the Linux tree named by RIVET_KERNEL; tests needing it
// skip without it, so `go test ./...` needs no kernel.
func kernelTree(t *testing.T) string {
	t.Helper()
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("RIVET_KERNEL is not set")
	}
	return root
}

// kernelFiles are rust/helpers/*.c and include/linux/**/*.h.
func kernelFiles(t *testing.T, root string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "rust/helpers/*.c"))
	err := filepath.WalkDir(filepath.Join(root, "include/linux"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".h") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 100 {
		t.Fatalf("%d files under %s: %v", len(files), root, err)
	}
	sort.Strings(files)
	return files
}

// TestKernelExtract extracts every file of rust/helpers and include/linux
// with two workers and logs the time parsing and extraction take.
//
//	RIVET_KERNEL=/path/to/linux go test ./analysis/cfacts -run TestKernelExtract -v
func TestKernelExtract(t *testing.T) {
	root := kernelTree(t)
	files := kernelFiles(t, root)
	type result struct {
		bytes          int
		parse, extract time.Duration
		c              *facts.C
		errors         bool
	}
	results := make([]result, len(files))
	start := time.Now()
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(2, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := range next {
				src, err := os.ReadFile(files[i])
				if err != nil {
					t.Error(err)
					continue
				}
				t0 := time.Now()
				tree, err := treesitter.Parse(context.Background(), treesitter.C, src)
				if err != nil {
					t.Error(err)
					continue
				}
				t1 := time.Now()
				c := Extract(tree)
				results[i] = result{len(src), t1.Sub(t0), time.Since(t1), c, tree.HasError()}
				tree.Close()
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	wall := time.Since(start)

	var total result
	var nFuncs, nDefs, nRecords, nMacros, nCleanups, nErrors int
	for _, r := range results {
		total.bytes += r.bytes
		total.parse += r.parse
		total.extract += r.extract
		if r.c == nil {
			continue
		}
		nFuncs += len(r.c.Funcs)
		for _, f := range r.c.Funcs {
			if f.Definition {
				nDefs++
			}
		}
		nRecords += len(r.c.Records)
		nMacros += len(r.c.Macros)
		nCleanups += len(r.c.Cleanups)
		if r.errors {
			nErrors++
		}
	}
	t.Logf("%d files, %.1f MB, %d with an ERROR node; wall %v with 2 workers (%.1f MB/s)",
		len(files), float64(total.bytes)/1e6, nErrors, wall.Round(time.Millisecond), float64(total.bytes)/1e6/wall.Seconds())
	t.Logf("cpu: parse %v, extract %v (extract/parse %.2f)", total.parse.Round(time.Millisecond), total.extract.Round(time.Millisecond), total.extract.Seconds()/total.parse.Seconds())
	t.Logf("facts: %d functions (%d definitions), %d records, %d macros, %d cleanups", nFuncs, nDefs, nRecords, nMacros, nCleanups)
	if nFuncs < 10000 || nMacros < 10000 || nCleanups < 50 {
		t.Errorf("too few facts for a kernel tree")
	}
}

// TestKernelExtractSpans checks, on every file of rust/helpers and
// include/linux, that parsing each file-scope declaration alone gives the
// facts the whole-file parse gives, and counts the declarations where the
// two differ.
func TestKernelExtractSpans(t *testing.T) {
	root := kernelTree(t)
	var decls, differ int
	examples := map[string]int{}
	for _, f := range kernelFiles(t, root) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := treesitter.Parse(context.Background(), treesitter.C, src)
		if err != nil {
			t.Fatal(err)
		}
		whole := Extract(tree)
		tree.Close()
		got, err := ExtractSpans(context.Background(), src, declSpans(whole))
		if err != nil {
			t.Fatal(err)
		}
		byName := map[facts.Span]facts.CFunc{}
		for _, fn := range got.Funcs {
			byName[fn.NameSpan] = fn
		}
		for _, fn := range whole.Funcs {
			decls++
			if !cmp.Equal(fn, byName[fn.NameSpan]) {
				differ++
				if len(examples) < 10 {
					examples[strings.TrimPrefix(f, root)+": "+fn.Name]++
				}
			}
		}
	}
	t.Logf("%d functions, %d differ between Extract and ExtractSpans; e.g. %v", decls, differ, examples)
	if differ*100 > decls {
		t.Errorf("%d of %d functions differ", differ, decls)
	}
}
