// Command breaks measures whether rivet's lifecycle rules catch real
// bugs. It copies the C and Rust sources of a kernel tree into a scratch
// directory, breaks correct kernel functions and owner types there one way
// each (drops a release, swaps a release for another family's, releases
// twice, adds an early return between an acquisition and its owner, keeps
// a lock across a sleeping call), runs the seven lifecycle rules over the
// copy and prints which breaks rivet reported.
//
//	go run ./internal/tools/breaks [-keep] [-out DIR] /path/to/linux
//
// It never writes to the kernel tree: only the copy is modified, and the
// output directory must lie outside the tree. Breaks that would interfere
// (two in one function, or one that changes what another relies on) run
// in separate rounds, each restoring the copy first. A round also reports
// anything else the rules say about the broken copy, so that noise shows.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

// lifecycleCodes are the rules the breaks exercise.
var lifecycleCodes = []string{
	"lifecycle-leak", "lifecycle-mismatched-release", "lifecycle-release-borrowed",
	"lifecycle-double-release", "lock-imbalance", "sleep-in-atomic", "registration-lifetime",
}

func main() {
	out := flag.String("out", "", "scratch directory for the copy (default: a new directory under the system temp dir); must not exist or be empty")
	keep := flag.Bool("keep", false, "keep the scratch copy (with the last round's breaks applied)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: breaks [-keep] [-out DIR] KERNEL")
		flag.PrintDefaults()
		os.Exit(2)
	}
	if err := run(context.Background(), flag.Arg(0), *out, *keep, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "breaks:", err)
		os.Exit(1)
	}
}

// run copies the tree, runs every round and prints the table.
func run(ctx context.Context, kernel, out string, keep bool, w io.Writer) error {
	for _, code := range lifecycleCodes {
		if rules.ByCode(code) == nil {
			return fmt.Errorf("no rule %s is registered", code)
		}
	}
	kernel, err := filepath.Abs(kernel)
	if err != nil {
		return err
	}
	out, err = scratchDir(kernel, out)
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(out)
	}
	n, err := copySources(kernel, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "copied %d source files of %s to %s\n\n", n, kernel, out)

	var results []result
	for _, round := range rounds() {
		res, other, err := runRound(ctx, kernel, out, round)
		if err != nil {
			return err
		}
		results = append(results, res...)
		for _, d := range other {
			fmt.Fprintf(w, "other report: %s\n", d)
		}
	}
	printTable(w, results)
	return nil
}

// scratchDir returns the directory to copy into: out when it is empty or
// absent, else a new temporary directory. It refuses directories inside
// the kernel tree.
func scratchDir(kernel, out string) (string, error) {
	if out == "" {
		return os.MkdirTemp("", "rivet-breaks-")
	}
	out, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if out == kernel || strings.HasPrefix(out, kernel+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is inside the kernel tree %s", out, kernel)
	}
	ents, err := os.ReadDir(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return out, os.MkdirAll(out, 0o755)
	case err != nil:
		return "", err
	case len(ents) > 0:
		return "", fmt.Errorf("%s is not empty", out)
	}
	return out, nil
}

// copySources copies the files rivet reads (C and Rust sources, the
// bindgen parameters) from kernel to out, and returns how many.
func copySources(kernel, out string) (int, error) {
	var paths []string
	err := filepath.WalkDir(kernel, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != kernel && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if _, ok := index.LangOf(p); (ok || d.Name() == "bindgen_parameters") && d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	jobs := make(chan string)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				rel, _ := filepath.Rel(kernel, p)
				if err := copyFile(p, filepath.Join(out, rel)); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, p := range paths {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return len(paths), nil
}

// copyFile copies src to a new file dst (never a link to src).
func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}

// result is one break's outcome.
type result struct {
	b      breakCase
	line   int      // the anchor's line in the broken file
	caught bool     // a report of b.Code on that line
	also   []string // other reports in the broken file
}

// runRound restores the files the round breaks, applies its breaks, runs
// the rules and matches their reports with the breaks' anchors. It
// returns the results and the reports in files no break touched.
func runRound(ctx context.Context, kernel, out string, round []breakCase) ([]result, []string, error) {
	res := make([]result, len(round))
	broken := map[string][]int{} // file -> indexes into res
	for i, b := range round {
		res[i].b = b
		broken[b.File] = append(broken[b.File], i)
	}
	for file, idx := range broken {
		if err := copyFile(filepath.Join(kernel, file), filepath.Join(out, file)); err != nil {
			return nil, nil, err
		}
		for _, i := range idx {
			line, err := apply(filepath.Join(out, file), round[i])
			if err != nil {
				return nil, nil, fmt.Errorf("break %d (%s): %w", round[i].N, file, err)
			}
			res[i].line = line
		}
	}
	ws := analysis.NewWorkspace([]string{out}, analysis.Options{})
	if _, err := ws.Build(ctx, nil); err != nil {
		return nil, nil, err
	}
	diags, err := ws.Check(ctx, analysis.CheckOptions{Rules: lifecycleCodes})
	if err != nil {
		return nil, nil, err
	}
	var other []string
	for _, d := range diags {
		rel, _ := filepath.Rel(out, d.Path)
		rel = filepath.ToSlash(rel)
		line := lineOf(d.Path, d.Span.Start)
		desc := fmt.Sprintf("%s:%d: %s: %s", rel, line, d.Code, d.Message)
		idx, ok := broken[rel]
		if !ok {
			other = append(other, desc)
			continue
		}
		matched := false
		for _, i := range idx {
			if line == res[i].line && d.Code == res[i].b.Code {
				res[i].caught, matched = true, true
			}
		}
		if !matched {
			for _, i := range idx {
				res[i].also = append(res[i].also, desc)
			}
		}
	}
	for file := range broken { // leave the copy as the kernel has it
		if err := copyFile(filepath.Join(kernel, file), filepath.Join(out, file)); err != nil {
			return nil, nil, err
		}
	}
	return res, other, nil
}

// apply breaks the copied file and returns the 1-based line of the
// break's anchor in the result.
func apply(path string, b breakCase) (int, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	text := string(src)
	if n := strings.Count(text, b.Old); n != 1 {
		return 0, fmt.Errorf("the text to replace occurs %d times, want once", n)
	}
	text = strings.Replace(text, b.Old, b.New, 1)
	if n := strings.Count(text, b.Anchor); n != 1 {
		return 0, fmt.Errorf("the anchor %q occurs %d times after the break, want once", b.Anchor, n)
	}
	line := strings.Count(text[:strings.Index(text, b.Anchor)], "\n") + 1
	return line, os.WriteFile(path, []byte(text), 0o644)
}

// lineOf is the 1-based line of byte offset off in the file at path.
func lineOf(path string, off uint32) int {
	src, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(src[:min(int(off), len(src))]), "\n") + 1
}

// printTable prints the results as a Markdown table and a summary.
func printTable(w io.Writer, results []result) {
	sort.Slice(results, func(i, j int) bool { return results[i].b.N < results[j].b.N })
	fmt.Fprintln(w, "| # | function or type | file | break | expected | caught |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	caught := 0
	for _, r := range results {
		mark := "no"
		if r.caught {
			mark = fmt.Sprintf("yes (line %d)", r.line)
			caught++
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s |\n", r.b.N, r.b.Fn, r.b.File, r.b.What, r.b.Code, mark)
	}
	fmt.Fprintf(w, "\ncaught %d of %d breaks\n", caught, len(results))
	for _, r := range results {
		for _, a := range r.also {
			fmt.Fprintf(w, "break %d, also: %s\n", r.b.N, a)
		}
		if !r.caught && r.b.Why != "" {
			fmt.Fprintf(w, "break %d missed: %s\n", r.b.N, r.b.Why)
		}
	}
}
