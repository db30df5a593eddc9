// Package analysistest checks rivet's reports against expectations written
// in the sources of a test tree, in the style of
// golang.org/x/tools/go/analysis/analysistest (DESIGN §5).
//
// A line that must be reported carries a comment naming the rule code:
//
//	unsafe { bindings::get_device(dev) }; // want "lifecycle-leak"
//	__rust_helper bool rust_helper_f(void) /* want "helper-attribute-lost" */
//
// Check fails the test on every missing and every unexpected report, so
// a line without a want comment asserts silence. A want whose line also
// carries `// FIXME: why` records known-wrong behaviour; it is asserted
// like any other (STYLE 8: assert, do not skip).
//
// Small trees live inline in tests as txtar archives (WriteTxtar).
package analysistest

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Report is one report rivet made, in the coordinates of a Want.
type Report struct {
	// File is slash-separated and relative to the tree's root; an
	// absolute path inside the root is accepted too.
	File    string
	Line    int // 1-based line where the report's span starts
	Code    string
	Message string
}

func (r Report) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", r.File, r.Line, r.Code, r.Message)
}

// Check compares got with the want comments of the tree at root and fails
// t with a listing of every expected report that is missing and every
// report that was not expected (file:line code message). A malformed want
// comment fails t at once.
func Check(t testing.TB, root string, got []Report) {
	t.Helper()
	wants, err := Expectations(root)
	if err != nil {
		t.Fatalf("analysistest: %v", err)
	}
	missing, unexpected := match(wants, relativeTo(root, got))
	if len(missing) > 0 || len(unexpected) > 0 {
		t.Errorf("%s", formatMismatch(root, missing, unexpected))
	}
	if n := countFixme(wants); n > 0 {
		t.Logf("analysistest: %d known-wrong expectation(s) marked FIXME under %s", n, root)
	}
}

// relativeTo returns got with absolute paths inside root made relative to
// it, slash-separated.
func relativeTo(root string, got []Report) []Report {
	out := make([]Report, len(got))
	for i, r := range got {
		if filepath.IsAbs(r.File) {
			if rel, err := filepath.Rel(root, r.File); err == nil && filepath.IsLocal(rel) {
				r.File = rel
			}
		}
		r.File = filepath.ToSlash(r.File)
		out[i] = r
	}
	return out
}

// key identifies what a want asks for.
type key struct {
	file string
	line int
	code string
}

// match pairs wants with reports by file, line and code, counting
// duplicates (two wants of one code on a line ask for two reports). It
// returns the unmatched of each, sorted by position.
func match(wants []Want, got []Report) (missing []Want, unexpected []Report) {
	pending := make(map[key][]Want)
	for _, w := range wants {
		k := key{w.File, w.Line, w.Code}
		pending[k] = append(pending[k], w)
	}
	for _, r := range got {
		k := key{r.File, r.Line, r.Code}
		if ws := pending[k]; len(ws) > 0 {
			pending[k] = ws[1:]
			continue
		}
		unexpected = append(unexpected, r)
	}
	for _, ws := range pending {
		missing = append(missing, ws...)
	}
	sortWants(missing)
	sort.SliceStable(unexpected, func(i, j int) bool {
		a, b := unexpected[i], unexpected[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Code < b.Code
	})
	return missing, unexpected
}

// formatMismatch renders the result of match for a test failure.
func formatMismatch(root string, missing []Want, unexpected []Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "reports under %s do not match the want comments", root)
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\nmissing (%d wanted, not reported):", len(missing))
		for _, w := range missing {
			fmt.Fprintf(&b, "\n\t%s", w)
		}
	}
	if len(unexpected) > 0 {
		fmt.Fprintf(&b, "\nunexpected (%d reported, not wanted):", len(unexpected))
		for _, r := range unexpected {
			fmt.Fprintf(&b, "\n\t%s", r)
		}
	}
	if countFixme(missing) > 0 {
		b.WriteString("\na FIXME want went missing: the known-wrong behaviour changed; if it is fixed, update the want")
	}
	return b.String()
}

func countFixme(ws []Want) int {
	n := 0
	for _, w := range ws {
		if w.Fixme != "" {
			n++
		}
	}
	return n
}
