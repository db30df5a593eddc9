package server

import (
	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

// diagnosticSource is the source of every diagnostic rivet reports.
const diagnosticSource = "rivet"

// converter maps analysis results (paths and byte spans) to protocol
// values in the negotiated position encoding. It is the one place where
// spans of files other than the request's document become ranges: it
// reads each file once through the workspace, so an open document's text
// wins over the disk's. A converter serves one request or pass; it is not
// safe for concurrent use.
type converter struct {
	s     *Server
	ws    *analysis.Workspace
	enc   PositionEncodingKind
	lines map[string]*lineIndex // nil entries: the file could not be read
}

// newConverter returns a converter reading files through ws (which may be
// nil: then only pinned texts convert).
func (s *Server) newConverter(ws *analysis.Workspace) *converter {
	return &converter{s: s, ws: ws, enc: s.positionEncoding(), lines: map[string]*lineIndex{}}
}

// pin makes text the text of path for this converter: the exact text an
// analysis ran on, which the spans it returned refer to.
func (c *converter) pin(path string, text []byte) {
	c.lines[path] = newLineIndex(text, c.enc)
}

// index returns the line index of path, reading the file on first use.
func (c *converter) index(path string) *lineIndex {
	x, ok := c.lines[path]
	if ok {
		return x
	}
	if c.ws != nil {
		if text, err := c.ws.Read(path); err == nil {
			x = newLineIndex(text, c.enc)
		}
	}
	c.lines[path] = x
	return x
}

// spanRange returns the range of span in path; false when the file cannot
// be read.
func (c *converter) spanRange(path string, span facts.Span) (protocol.Range, bool) {
	x := c.index(path)
	if x == nil {
		return protocol.Range{}, false
	}
	return x.rangeOf(int(span.Start), int(span.End)), true
}

// lineRange returns the range of the 1-based line of path, terminator
// excluded; false when the file cannot be read.
func (c *converter) lineRange(path string, line int) (protocol.Range, bool) {
	x := c.index(path)
	if x == nil || line < 1 {
		return protocol.Range{}, false
	}
	start, _ := x.offset(int64(line-1), 0)
	end, _ := x.offset(int64(line-1), 1<<31)
	return x.rangeOf(start, end), true
}

// diagnostics converts rule reports; the result is never nil, so it
// marshals as an empty array.
func (c *converter) diagnostics(ds []rules.Diagnostic) []protocol.Diagnostic {
	out := make([]protocol.Diagnostic, 0, len(ds))
	for _, d := range ds {
		out = append(out, c.diagnostic(d))
	}
	return out
}

// diagnostic converts one rule report. Related locations in files that
// cannot be read point at their file's start.
func (c *converter) diagnostic(d rules.Diagnostic) protocol.Diagnostic {
	rng, _ := c.spanRange(d.Path, d.Span)
	pd := protocol.Diagnostic{
		Range:    rng,
		Severity: protocolSeverity(d.Severity),
		Code:     d.Code,
		Source:   diagnosticSource,
		Message:  d.Message,
	}
	if r := rules.ByCode(d.Code); r != nil {
		pd.CodeDescription = &protocol.CodeDescription{Href: protocol.URI(r.URL())}
	}
	for _, rel := range d.Related {
		var rng protocol.Range
		if rel.Line > 0 {
			rng, _ = c.lineRange(rel.Path, rel.Line)
		} else {
			rng, _ = c.spanRange(rel.Path, rel.Span)
		}
		pd.RelatedInformation = append(pd.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{URI: c.s.uriFor(rel.Path), Range: rng},
			Message:  rel.Message,
		})
	}
	return pd
}

// workspaceEdit converts the edits of a fix, grouped by file in their
// order. Edits in files that cannot be read are left out, and ok is then
// false: applying part of a fix would break the code.
func (c *converter) workspaceEdit(edits []rules.Edit) (we protocol.WorkspaceEdit, ok bool) {
	we.Changes = map[protocol.DocumentURI][]protocol.TextEdit{}
	ok = true
	for _, e := range edits {
		rng, readable := c.spanRange(e.Path, e.Span)
		if !readable {
			ok = false
			continue
		}
		uri := c.s.uriFor(e.Path)
		we.Changes[uri] = append(we.Changes[uri], protocol.TextEdit{Range: rng, NewText: e.NewText})
	}
	return we, ok
}

// protocolSeverity maps a rule severity to the protocol's.
func protocolSeverity(sev rules.Severity) protocol.DiagnosticSeverity {
	switch sev {
	case rules.Error:
		return protocol.DiagnosticSeverityError
	case rules.Warning:
		return protocol.DiagnosticSeverityWarning
	case rules.Info:
		return protocol.DiagnosticSeverityInformation
	}
	return protocol.DiagnosticSeverityHint
}
