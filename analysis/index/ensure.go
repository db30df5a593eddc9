package index

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/cfacts"
	"github.com/rivet-lsp/rivet/analysis/facts"
)

// maxDeclsPerName bounds the declarations of one name rivet parses: a name
// defined for every architecture need not be parsed thirty times.
const maxDeclsPerName = 12

// Ensure makes sure tree-sitter facts exist for the C declarations of
// names (functions, records, typedefs, globals, macros), parsing only those
// declarations, and publishes them. It returns how many declarations it
// parsed. Files that changed on disk since they were scanned are scanned
// again first.
func (ix *Index) Ensure(ctx context.Context, names []string, read Reader) (int, error) {
	if read == nil {
		read = ReadDisk
	}
	work := ix.missingSpans(names)
	if len(work) == 0 {
		return 0, nil
	}
	paths := make([]string, 0, len(work))
	for p := range work {
		paths = append(paths, p)
	}
	sort.Strings(paths)

	var (
		mu     sync.Mutex
		parsed int
		wg     sync.WaitGroup
	)
	jobs := make(chan string)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				n := ix.ensureFile(ctx, p, work[p], read)
				mu.Lock()
				parsed += n
				mu.Unlock()
			}
		}()
	}
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	return parsed, ctx.Err()
}

// fileWork is what Ensure needs from one file.
type fileWork struct {
	hash  string
	names map[string]bool
}

// missingSpans finds, per file, the names whose declarations lack facts.
func (ix *Index) missingSpans(names []string) map[string]*fileWork {
	snap, release := ix.Snapshot()
	defer release()
	work := map[string]*fileWork{}
	for _, name := range names {
		for _, d := range rankDecls(snap.CDecls(name)) {
			if !wantsFacts(d.Decl) || covered(d.File.CSpans, d.Decl.Span) {
				continue
			}
			w := work[d.File.Path]
			if w == nil {
				w = &fileWork{hash: d.File.Hash, names: map[string]bool{}}
				work[d.File.Path] = w
			}
			w.names[name] = true
		}
	}
	return work
}

// ensureFile parses the declarations of w.names in one file.
func (ix *Index) ensureFile(ctx context.Context, path string, w *fileWork, read Reader) int {
	src, err := read(path)
	if err != nil {
		return 0
	}
	snap, release := ix.Snapshot()
	f := snap.File(path)
	release()
	if f == nil {
		return 0
	}
	decls := f.Decls()
	hash := Hash(src)
	stale := hash != f.Hash
	var scan *facts.Scan
	if stale {
		// Changed since the scan: the spans we know are out of date.
		scan = scanC(src)
		decls = scan.Decls
	}
	var spans []facts.Span
	for i := range decls {
		d := &decls[i]
		if !w.names[d.Name] || !wantsFacts(d) || (!stale && covered(f.CSpans, d.Span)) {
			continue
		}
		spans = append(spans, d.Span)
	}
	if len(spans) == 0 {
		return 0
	}
	c, err := cfacts.ExtractSpans(ctx, src, spans)
	if err != nil {
		return 0
	}
	ix.mergeC(f, hash, scan, spans, c)
	return len(spans)
}

// mergeC publishes extracted declarations into the current version of
// the file, unless it changed meanwhile.
func (ix *Index) mergeC(base *File, hash string, scan *facts.Scan, spans []facts.Span, c *facts.C) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	cur := ix.files[base.Path]
	if cur == nil || (cur.Open && cur.Hash != hash) {
		return
	}
	nf := *cur
	if cur.Hash != hash {
		// The disk changed under us: start over from the new scan.
		nf.Hash, nf.Scan, nf.C, nf.CSpans, nf.callees, nf.decls = hash, scan, nil, nil, nil, declStore{}
	}
	var fresh []facts.Span
	for _, s := range spans {
		if !covered(nf.CSpans, s) {
			fresh = append(fresh, s)
		}
	}
	if len(fresh) < len(spans) {
		c = keepSpans(c, fresh) // another Ensure got here first
	}
	nf.C = mergeFacts(nf.C, c)
	nf.CSpans = append(append([]facts.Span(nil), nf.CSpans...), fresh...)
	sort.Slice(nf.CSpans, func(i, j int) bool { return nf.CSpans[i].Start < nf.CSpans[j].Start })
	ix.putLocked(&nf, false)
}

// keepSpans returns the facts of c that lie inside spans.
func keepSpans(c *facts.C, spans []facts.Span) *facts.C {
	in := func(s facts.Span) bool { return covered(spans, s) }
	out := &facts.C{}
	for _, x := range c.Funcs {
		if in(x.Span) {
			out.Funcs = append(out.Funcs, x)
		}
	}
	for _, x := range c.Records {
		if in(x.Span) {
			out.Records = append(out.Records, x)
		}
	}
	for _, x := range c.Typedefs {
		if in(x.Span) {
			out.Typedefs = append(out.Typedefs, x)
		}
	}
	for _, x := range c.Macros {
		if in(x.Span) {
			out.Macros = append(out.Macros, x)
		}
	}
	for _, x := range c.Globals {
		if in(x.Span) {
			out.Globals = append(out.Globals, x)
		}
	}
	return out
}

// wantsFacts reports whether a scanned declaration is worth parsing.
func wantsFacts(d *facts.ScanDecl) bool {
	switch d.Kind {
	case facts.DeclFunc, facts.DeclTypedef, facts.DeclGlobal, facts.DeclMacro:
		return true
	case facts.DeclStruct, facts.DeclUnion, facts.DeclEnum:
		return d.Has(facts.FlagDefinition)
	}
	return false
}

func covered(spans []facts.Span, s facts.Span) bool {
	for _, c := range spans {
		if c.Covers(s) {
			return true
		}
	}
	return false
}

// rankDecls orders declarations by how likely they are the ones bindgen
// sees on x86_64 (generic headers, then x86, then the rest) and keeps the
// first maxDeclsPerName.
func rankDecls(ds []DeclRef) []DeclRef {
	if len(ds) <= 1 {
		return ds
	}
	out := append([]DeclRef(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool { return declRank(out[i]) < declRank(out[j]) })
	if len(out) > maxDeclsPerName {
		out = out[:maxDeclsPerName]
	}
	return out
}

// RankDecls is rankDecls for other packages: the declarations of a name,
// most relevant first.
func RankDecls(ds []DeclRef) []DeclRef { return rankDecls(ds) }

func declRank(d DeclRef) int {
	p := d.File.Path
	r := 0
	switch {
	case strings.Contains(p, "/arch/") && !strings.Contains(p, "/arch/x86/"):
		r = 40
	case strings.Contains(p, "/tools/") || strings.Contains(p, "/scripts/") || strings.Contains(p, "/samples/"):
		r = 30
	case strings.Contains(p, "/arch/x86/"):
		r = 10
	}
	if !strings.Contains(p, "/include/") {
		r += 5
	}
	if d.Decl.Has(facts.FlagDefinition) {
		r-- // a definition says more than a prototype
	}
	return r
}

// mergeFacts returns a new C holding the declarations of a and b.
func mergeFacts(a, b *facts.C) *facts.C {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	return &facts.C{
		Funcs:       append(append([]facts.CFunc(nil), a.Funcs...), b.Funcs...),
		Records:     append(append([]facts.CRecord(nil), a.Records...), b.Records...),
		Typedefs:    append(append([]facts.CTypedef(nil), a.Typedefs...), b.Typedefs...),
		Macros:      append(append([]facts.CMacro(nil), a.Macros...), b.Macros...),
		Globals:     append(append([]facts.CGlobal(nil), a.Globals...), b.Globals...),
		Enumerators: append(append([]facts.CEnumerator(nil), a.Enumerators...), b.Enumerators...),
		Includes:    append(append([]facts.CInclude(nil), a.Includes...), b.Includes...),
		Cleanups:    append(append([]facts.CCleanup(nil), a.Cleanups...), b.Cleanups...),
		Annotations: append(append([]facts.Annotation(nil), a.Annotations...), b.Annotations...),
	}
}
