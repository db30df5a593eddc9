// Command errshare measures how much of a source tree the bundled grammars
// parse without ERROR or MISSING nodes, with and without rivet's masking
// pre-pass, and lists what still breaks so the mask can be extended.
//
//	go run ./internal/tools/errshare [flags] /path/to/linux
//
// It walks the tree, parses every .c/.h and .rs file twice (raw and
// masked) with two workers, and prints, per group (DESIGN §6: rust/kernel,
// rust/helpers, include/linux, all C, all Rust), the share of files that
// contain an error, then the commonest texts of the remaining (masked)
// ERROR nodes, the lines they start on and the identifiers inside them,
// each counted once per file.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rivet-lsp/rivet/treesitter"
)

func main() {
	var opt options
	flag.StringVar(&opt.lang, "lang", "all", "languages to measure: c, rust or all")
	flag.IntVar(&opt.workers, "workers", 2, "parsing goroutines")
	flag.IntVar(&opt.top, "top", 25, "how many of the commonest error causes to list")
	flag.StringVar(&opt.under, "under", "", "comma-separated directories (relative to the root) to restrict the walk to")
	flag.IntVar(&opt.every, "every", 1, "measure only every Nth file (a quick sample)")
	flag.StringVar(&opt.list, "list", "", "write the paths of files still failing after masking to this file (WORSE and MORE mark those the mask may have damaged)")
	flag.BoolVar(&opt.explain, "explain", false, "print every remaining ERROR and MISSING node with its file and line")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: errshare [flags] ROOT")
		flag.PrintDefaults()
		os.Exit(2)
	}
	rep, err := measure(context.Background(), flag.Arg(0), opt)
	if err != nil {
		fmt.Fprintln(os.Stderr, "errshare:", err)
		os.Exit(1)
	}
	rep.print(os.Stdout, opt.top)
	if opt.list != "" {
		if err := os.WriteFile(opt.list, []byte(strings.Join(rep.failing, "\n")+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "errshare:", err)
			os.Exit(1)
		}
	}
}

type options struct {
	lang    string
	workers int
	top     int
	under   string
	every   int
	list    string
	explain bool
}

// groups are the DESIGN §6 groups; a file counts in every group it matches.
var groups = []struct {
	name  string
	match func(rel string, l treesitter.Language) bool
}{
	{"rust/kernel", func(rel string, _ treesitter.Language) bool { return strings.HasPrefix(rel, "rust/kernel/") }},
	{"rust/helpers", func(rel string, _ treesitter.Language) bool { return strings.HasPrefix(rel, "rust/helpers/") }},
	{"include/linux", func(rel string, _ treesitter.Language) bool { return strings.HasPrefix(rel, "include/linux/") }},
	{"all C", func(_ string, l treesitter.Language) bool { return l == treesitter.C }},
	{"all Rust", func(_ string, l treesitter.Language) bool { return l == treesitter.Rust }},
}

// fileResult is what one file contributes.
type fileResult struct {
	rel       string
	lang      treesitter.Language
	size      int
	rawErr    bool
	maskedErr bool
	// bytes under ERROR nodes (and MISSING nodes), each way
	rawErrors, maskedErrors int
	causes                  causes // of the masked parse, each key once
}

// causes are the keys of a file's remaining errors, by kind of key.
type causes struct {
	texts, lines, idents, missing map[string]bool
}

type groupCount struct {
	files, rawErr, maskedErr int
	worse                    int // clean raw, broken masked: the mask's own damage
	more                     int // more of the file under ERROR nodes masked than raw: likely damage too
}

type report struct {
	groups  []groupCount
	bytes   map[treesitter.Language]int64
	elapsed time.Duration
	// counts of files per cause key, masked parses only
	texts, lines, idents, missing map[string]int
	failing                       []string
}

func measure(ctx context.Context, root string, opt options) (*report, error) {
	paths, err := collect(root, opt)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	jobs := make(chan string)
	results := make(chan fileResult)
	var wg sync.WaitGroup
	for range max(opt.workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rel := range jobs {
				if r, ok := measureFile(ctx, root, rel, opt.explain); ok {
					results <- r
				}
			}
		}()
	}
	go func() {
		for _, p := range paths {
			jobs <- p
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	rep := &report{
		groups: make([]groupCount, len(groups)),
		bytes:  map[treesitter.Language]int64{},
		texts:  map[string]int{}, lines: map[string]int{}, idents: map[string]int{}, missing: map[string]int{},
	}
	for r := range results {
		rep.add(r)
	}
	rep.elapsed = time.Since(start)
	sort.Strings(rep.failing)
	return rep, nil
}

// collect lists the files to measure, relative to root, in walk order.
func collect(root string, opt options) ([]string, error) {
	dirs := []string{"."}
	if opt.under != "" {
		dirs = strings.Split(opt.under, ",")
	}
	var out []string
	n := 0
	for _, d := range dirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !e.Type().IsRegular() {
				return nil
			}
			l, ok := treesitter.LanguageForPath(path)
			if !ok || !wanted(opt.lang, l) {
				return nil
			}
			n++
			if (n-1)%max(opt.every, 1) != 0 {
				return nil
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", d, err)
		}
	}
	return out, nil
}

func wanted(flagLang string, l treesitter.Language) bool {
	return flagLang == "all" || flagLang == l.String()
}

func measureFile(ctx context.Context, root, rel string, explain bool) (fileResult, bool) {
	src, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		fmt.Fprintln(os.Stderr, "errshare:", err)
		return fileResult{}, false
	}
	l, _ := treesitter.LanguageForPath(rel)
	r := fileResult{rel: rel, lang: l, size: len(src)}
	raw, err := treesitter.ParseRaw(ctx, l, src)
	if err != nil {
		fmt.Fprintf(os.Stderr, "errshare: parse %s: %v\n", rel, err)
		return fileResult{}, false
	}
	r.rawErr = raw.HasError()
	if r.rawErr {
		r.rawErrors = errorBytes(raw)
	}
	raw.Close()
	masked, err := treesitter.Parse(ctx, l, src)
	if err != nil {
		fmt.Fprintf(os.Stderr, "errshare: parse %s: %v\n", rel, err)
		return fileResult{}, false
	}
	defer masked.Close()
	r.maskedErr = masked.HasError()
	if r.maskedErr {
		r.maskedErrors = errorBytes(masked)
		r.causes = causesOf(masked)
		if explain {
			explainErrors(os.Stdout, rel, masked)
		}
	}
	return r, true
}

// causesOf keys every outermost ERROR node and every MISSING node of t by
// its text, the source line it starts on and the identifiers it holds.
func causesOf(t *treesitter.Tree) causes {
	c := causes{texts: map[string]bool{}, lines: map[string]bool{}, idents: map[string]bool{}, missing: map[string]bool{}}
	src := t.Source()
	t.Root().Walk(func(n treesitter.Node) bool {
		switch {
		case !n.HasError():
			return false
		case n.IsMissing():
			c.missing["MISSING "+n.Kind()+" @ "+lineAt(src, n.StartByte())] = true
			return false
		case n.IsError():
			text := n.Text()
			c.texts[clip(firstLine(text), 40)] = true
			c.lines[lineAt(src, n.StartByte())] = true
			for _, id := range identifiers(clip(text, 300)) {
				c.idents[id] = true
			}
			return false
		}
		return true
	})
	return c
}

// errorBytes is how much of t its outermost ERROR nodes cover, plus one
// for each MISSING node: a measure of how much of the file is lost.
func errorBytes(t *treesitter.Tree) int {
	n := 0
	t.Root().Walk(func(e treesitter.Node) bool {
		switch {
		case !e.HasError():
			return false
		case e.IsMissing():
			n++
			return false
		case e.IsError():
			n += int(e.EndByte() - e.StartByte())
			return false
		}
		return true
	})
	return n
}

// explainErrors prints each outermost ERROR node and each MISSING node of t
// as file:line: kind: source line.
func explainErrors(w io.Writer, rel string, t *treesitter.Tree) {
	var b strings.Builder
	t.Root().Walk(func(n treesitter.Node) bool {
		if !n.HasError() {
			return false
		}
		if n.IsError() || n.IsMissing() {
			what := "ERROR"
			if n.IsMissing() {
				what = "MISSING " + n.Kind()
			}
			fmt.Fprintf(&b, "%s:%d: %s: %s\n", rel, n.StartPoint().Row+1, what, lineAt(t.Source(), n.StartByte()))
			return false
		}
		return true
	})
	io.WriteString(w, b.String())
}

func (rep *report) add(r fileResult) {
	rep.bytes[r.lang] += int64(r.size)
	for i, g := range groups {
		if !g.match(r.rel, r.lang) {
			continue
		}
		rep.groups[i].files++
		if r.rawErr {
			rep.groups[i].rawErr++
		}
		if r.maskedErr {
			rep.groups[i].maskedErr++
		}
		if r.maskedErr && !r.rawErr {
			rep.groups[i].worse++
		}
		if r.rawErr && r.maskedErrors > r.rawErrors {
			rep.groups[i].more++
		}
	}
	if !r.maskedErr {
		return
	}
	mark := ""
	switch {
	case !r.rawErr:
		mark = "\tWORSE"
	case r.maskedErrors > r.rawErrors:
		mark = "\tMORE"
	}
	rep.failing = append(rep.failing, r.rel+mark)
	for k := range r.causes.texts {
		rep.texts[k]++
	}
	for k := range r.causes.lines {
		rep.lines[k]++
	}
	for k := range r.causes.idents {
		rep.idents[k]++
	}
	for k := range r.causes.missing {
		rep.missing[k]++
	}
}

func (rep *report) print(w io.Writer, top int) {
	fmt.Fprintf(w, "parsed C %.1f MB, Rust %.1f MB twice in %s\n\n",
		float64(rep.bytes[treesitter.C])/1e6, float64(rep.bytes[treesitter.Rust])/1e6, rep.elapsed.Round(time.Second))
	fmt.Fprintf(w, "%-14s %7s %18s %18s %7s %7s\n", "group", "files", "with errors: raw", "masked", "worse", "more")
	for i, g := range groups {
		c := rep.groups[i]
		if c.files == 0 {
			continue
		}
		fmt.Fprintf(w, "%-14s %7d %8d (%5.1f%%) %8d (%5.1f%%) %7d %7d\n", g.name, c.files,
			c.rawErr, pct(c.rawErr, c.files), c.maskedErr, pct(c.maskedErr, c.files), c.worse, c.more)
	}
	fmt.Fprintln(w, "(worse: files without errors raw that have some once masked;")
	fmt.Fprintln(w, " more: files with more bytes under ERROR nodes masked than raw)")
	section(w, "ERROR node texts (files)", rep.texts, top)
	section(w, "lines where ERROR nodes start (files)", rep.lines, top)
	section(w, "identifiers inside ERROR nodes (files)", rep.idents, top)
	section(w, "MISSING nodes (files)", rep.missing, top)
}

func section(w io.Writer, title string, m map[string]int, top int) {
	type kv struct {
		k string
		n int
	}
	var all []kv
	for k, n := range m {
		all = append(all, kv{k, n})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].k < all[j].k
	})
	fmt.Fprintf(w, "\n%s:\n", title)
	for i := 0; i < len(all) && i < top; i++ {
		fmt.Fprintf(w, "%7d  %s\n", all[i].n, all[i].k)
	}
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// lineAt is the trimmed source line holding offset off, clipped.
func lineAt(src []byte, off uint32) string {
	if int(off) > len(src) {
		return ""
	}
	s := bytes.LastIndexByte(src[:off], '\n') + 1
	e := bytes.IndexByte(src[off:], '\n')
	if e < 0 {
		e = len(src)
	} else {
		e += int(off)
	}
	return clip(strings.TrimSpace(string(src[s:e])), 60)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// identifiers returns the distinct C/Rust identifiers in s.
func identifiers(s string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(s); {
		if !isIdentStart(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && (isIdentStart(s[j]) || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		if id := s[i:j]; !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
		i = j
	}
	return out
}

func isIdentStart(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
