package report

import (
	"fmt"
	"io"

	"github.com/rivet-lsp/rivet/analysis/rules"
)

// Text writes one line per diagnostic in the format compilers use,
//
//	path:line:col: severity: message [code]
//
// followed by indented "note:" lines for related locations.
func Text(w io.Writer, ds []rules.Diagnostic, loc *Locator) error {
	for _, d := range ds {
		p := loc.Pos(d.Path, d.Span.Start)
		if _, err := fmt.Fprintf(w, "%s:%d:%d: %s: %s [%s]\n", loc.Display(d.Path), p.Line, p.Column, d.Severity, d.Message, d.Code); err != nil {
			return err
		}
		for _, r := range d.Related {
			line := r.Line
			col := 1
			if line == 0 {
				rp := loc.Pos(r.Path, r.Span.Start)
				line, col = rp.Line, rp.Column
			}
			if _, err := fmt.Fprintf(w, "    %s:%d:%d: note: %s\n", loc.Display(r.Path), line, col, r.Message); err != nil {
				return err
			}
		}
	}
	return nil
}
