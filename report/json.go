package report

import (
	"encoding/json"
	"io"

	"github.com/rivet-lsp/rivet/analysis/rules"
)

// JSONReport is one diagnostic in `--format json` output.
type JSONReport struct {
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Column   int           `json:"column"`
	End      JSONPosition  `json:"end"`
	Severity string        `json:"severity"`
	Code     string        `json:"code"`
	Message  string        `json:"message"`
	Related  []JSONRelated `json:"related,omitempty"`
}

// JSONPosition is a 1-based line and byte column.
type JSONPosition struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// JSONRelated is a related location of a JSONReport.
type JSONRelated struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// JSON writes the diagnostics as a JSON array of JSONReport objects.
func JSON(w io.Writer, ds []rules.Diagnostic, loc *Locator) error {
	out := make([]JSONReport, 0, len(ds))
	for _, d := range ds {
		s, e := loc.Span(d.Path, d.Span)
		r := JSONReport{
			File: loc.Display(d.Path), Line: s.Line, Column: s.Column, End: JSONPosition{Line: e.Line, Column: e.Column},
			Severity: d.Severity.String(), Code: d.Code, Message: d.Message,
		}
		for _, rel := range d.Related {
			line, col := rel.Line, 1
			if line == 0 {
				p := loc.Pos(rel.Path, rel.Span.Start)
				line, col = p.Line, p.Column
			}
			r.Related = append(r.Related, JSONRelated{File: loc.Display(rel.Path), Line: line, Column: col, Message: rel.Message})
		}
		out = append(out, r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
