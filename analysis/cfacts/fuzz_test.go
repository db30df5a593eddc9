package cfacts

import (
	"context"
	"reflect"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// FuzzExtract: any bytes give facts without panicking, every span lies in
// the text, and re-extracting the declarations found through ExtractSpans
// works too. Seeds: testdata/fuzz/FuzzExtract.
func FuzzExtract(f *testing.F) {
	f.Add([]byte("int main(void) { return 0; }"))
	f.Fuzz(func(t *testing.T, src []byte) {
		tree, err := treesitter.Parse(context.Background(), treesitter.C, src)
		if err != nil {
			t.Fatal(err)
		}
		c := Extract(tree)
		tree.Close()
		checkSpans(t, c, len(src))
		spans := declSpans(c)
		spans = append(spans, facts.Span{Start: 0, End: uint32(len(src) / 2)}, facts.Span{Start: uint32(len(src) / 3), End: uint32(len(src))})
		c2, err := ExtractSpans(context.Background(), src, spans)
		if err != nil {
			t.Fatal(err)
		}
		checkSpans(t, c2, len(src))
	})
}

// checkSpans fails if a span anywhere in c is inverted or past n.
func checkSpans(t *testing.T, c *facts.C, n int) {
	t.Helper()
	spanType := reflect.TypeOf(facts.Span{})
	var visit func(v reflect.Value, path string)
	visit = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				visit(v.Elem(), path)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				visit(v.Index(i), path)
			}
		case reflect.Struct:
			if v.Type() == spanType {
				s := v.Interface().(facts.Span)
				if s.Start > s.End || int(s.End) > n {
					t.Fatalf("%s: span %v outside [0, %d]", path, s, n)
				}
				return
			}
			for i := 0; i < v.NumField(); i++ {
				visit(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	}
	visit(reflect.ValueOf(c), "C")
}
