package cfacts

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// declSpans are the spans of the file-scope declarations Extract found, as
// the cheap scanner would hand them to ExtractSpans: one per declaration,
// nested ones (a struct inside a typedef) left to their container.
func declSpans(c *facts.C) []facts.Span {
	var spans []facts.Span
	for _, f := range c.Funcs {
		spans = append(spans, f.Span)
	}
	for _, g := range c.Globals {
		spans = append(spans, g.Span)
	}
	for _, td := range c.Typedefs {
		spans = append(spans, td.Span)
	}
	for _, r := range c.Records {
		spans = append(spans, r.Span)
	}
	for _, m := range c.Macros {
		spans = append(spans, m.Span)
	}
	for _, cl := range c.Cleanups {
		spans = append(spans, cl.Span)
	}
	slices.SortFunc(spans, func(a, b facts.Span) int {
		if a.Start != b.Start {
			return int(a.Start) - int(b.Start)
		}
		return int(b.End) - int(a.End) // the container first
	})
	var out []facts.Span
	for _, s := range spans {
		if len(out) > 0 && out[len(out)-1].Covers(s) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// inSpans keeps the annotations and cleanups of c that lie in spans:
// ExtractSpans sees nothing else.
func inSpans(c *facts.C, spans []facts.Span) *facts.C {
	covered := func(s facts.Span) bool {
		return slices.ContainsFunc(spans, func(o facts.Span) bool { return o.Covers(s) })
	}
	out := *c
	out.Includes = nil
	out.Annotations = nil
	for _, a := range c.Annotations {
		if covered(a.Span) {
			out.Annotations = append(out.Annotations, a)
		}
	}
	out.Cleanups = nil
	for _, cl := range c.Cleanups {
		if covered(cl.Span) {
			out.Cleanups = append(out.Cleanups, cl)
		}
	}
	return &out
}

var spanInputs = map[string]string{
	"prototypes": `/**
 * kfree - free memory
 * @objp: what kmalloc returned
 */
void kfree(const void *objp);
extern int register_thing(struct thing *t), unregister_thing(struct thing *t);
`,
	"typedef struct": `typedef struct {
	raw_spinlock_t rlock;
} spinlock_t;
typedef int (*cmp_func_t)(const void *a, const void *b);
`,
	"records and enums": `struct kref { refcount_t refcount; };
enum { KREF_A, KREF_B = 4 };
union u { int i; long l; };
`,
	"bodies": `static inline bool refcount_dec_and_test(refcount_t *r)
{
	return __refcount_dec_and_test(r, NULL);
}
int saved_fn(void *p) { cache = p; return 0; }
`,
}

func TestExtractSpansMatchesExtract(t *testing.T) {
	inputs := map[string]string{}
	for name, src := range spanInputs {
		inputs[name] = src
	}
	files, _ := filepath.Glob("testdata/*.[ch]")
	if len(files) == 0 {
		t.Fatal("no testdata sources")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = string(b)
	}
	for name, src := range inputs {
		t.Run(name, func(t *testing.T) {
			whole := extract(t, src)
			spans := declSpans(whole)
			if len(spans) == 0 {
				t.Fatal("no declarations")
			}
			got, err := ExtractSpans(context.Background(), []byte(src), spans)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "facts", inSpans(whole, spans), got)
		})
	}
}

func TestExtractSpansSubset(t *testing.T) {
	src := spanInputs["bodies"]
	whole := extract(t, src)
	// Spans arrive in any order; facts come back in source order.
	spans := []facts.Span{whole.Funcs[1].Span, whole.Funcs[0].Span}
	got, err := ExtractSpans(context.Background(), []byte(src), spans)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "Funcs", whole.Funcs, got.Funcs)

	got, err = ExtractSpans(context.Background(), []byte(src), spans[:1])
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "one function", whole.Funcs[1:], got.Funcs)
}

func TestExtractSpansErrors(t *testing.T) {
	src := []byte("int a;\n")
	for _, s := range []facts.Span{{Start: 0, End: 8}, {Start: 5, End: 3}} {
		if _, err := ExtractSpans(context.Background(), src, []facts.Span{s}); err == nil || !strings.Contains(err.Error(), "outside") {
			t.Errorf("span %v: err = %v, want an out-of-range error", s, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ExtractSpans(ctx, src, []facts.Span{{Start: 0, End: 6}}); err == nil {
		t.Error("cancelled context: no error")
	}
	c, err := ExtractSpans(context.Background(), src, nil)
	if err != nil || c == nil || len(c.Globals) != 0 {
		t.Errorf("no spans: %+v, %v; want empty facts", c, err)
	}
}
