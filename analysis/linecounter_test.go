package analysis

import (
	"testing"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

func TestLineCounter(t *testing.T) {
	src := []byte("int a;\n/* é */ f(x);\n\ng(y); h(z);\n")
	lc := newLineCounter(src)
	for _, tc := range []struct {
		span facts.Span
		want LinePos
	}{
		{facts.Span{Start: 16, End: 17}, LinePos{Line: 1, Col: 9, EndCol: 10, ASCII: false}}, // f, after é
		{facts.Span{Start: 23, End: 24}, LinePos{Line: 3, Col: 0, EndCol: 1, ASCII: true}},   // g
		{facts.Span{Start: 29, End: 30}, LinePos{Line: 3, Col: 6, EndCol: 7, ASCII: true}},   // h
	} {
		if got := lc.pos(tc.span); got != tc.want {
			t.Errorf("pos(%v) = %+v, want %+v", tc.span, got, tc.want)
		}
	}
}
