package server

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/facts"
)

func init() {
	registerRequest(MethodTextDocumentInlayHint, (*Server).inlayHint)
	registerCapability(func(_ *Server, c *ServerCapabilities) { c.InlayHintProvider = &InlayHintOptions{} })
	indexChangedHooks = append(indexChangedHooks, (*Server).refreshInlayHints)
}

// inlayHint answers textDocument/inlayHint with the ownership and
// may-sleep hints after the FFI calls of a Rust document in the requested
// range (analysis.Workspace.InlayHints): `→ owned: put_device`,
// `→ borrowed`, `→ releases`, `→ may sleep`. The release's name in an
// "owned" hint carries its C declaration's location. The configuration's
// inlay_hints switch turns them off.
func (s *Server) inlayHint(ctx context.Context, params *InlayHintParams) ([]InlayHint, error) {
	ws := s.workspace()
	path, ok := uriPath(params.TextDocument.URI)
	if ws == nil || !ok || !s.inlayHintsEnabled() {
		return nil, nil
	}
	res, err := ws.InlayHints(ctx, path, facts.Span{}, s.currentConfig())
	if err != nil || len(res.Hints) == 0 {
		return nil, err
	}
	// The offsets refer to the text the analysis read; a document that
	// changed since answers for that text, and the client asks again.
	conv := s.newConverter(ws)
	conv.pin(path, res.Text)
	out := make([]InlayHint, 0, len(res.Hints))
	for _, h := range res.Hints {
		pos, ok := conv.spanRange(path, facts.Span{Start: h.Offset, End: h.Offset})
		if !ok || !inRange(pos.Start, params.Range) {
			continue
		}
		out = append(out, InlayHint{
			Position:    pos.Start,
			Label:       hintLabel(conv, h.Label),
			Tooltip:     h.Tooltip,
			PaddingLeft: true,
		})
	}
	return out, nil
}

// inRange reports whether p lies in r, ends included.
func inRange(p protocol.Position, r protocol.Range) bool {
	after := p.Line > r.Start.Line || p.Line == r.Start.Line && p.Character >= r.Start.Character
	before := p.Line < r.End.Line || p.Line == r.End.Line && p.Character <= r.End.Character
	return after && before
}

// hintLabel converts a hint's label; a part naming a function points at
// its declaration when that converts.
func hintLabel(conv *converter, parts []analysis.HintPart) InlayHintLabel {
	out := make(InlayHintLabel, 0, len(parts))
	for _, p := range parts {
		part := InlayHintLabelPart{Value: p.Text}
		if t := p.Target; t != nil {
			if rng, ok := conv.spanRange(t.Path, t.Span); ok {
				part.Location = &protocol.Location{URI: conv.s.uriFor(t.Path), Range: rng}
			}
		}
		out = append(out, part)
	}
	return out
}

// refreshInlayHints asks the client to request hints again when facts
// changed (the index was built, files or the configuration changed), if
// it supports workspace/inlayHint/refresh. It does not wait for the
// answer.
func (s *Server) refreshInlayHints() {
	w := s.clientCaps.Workspace
	if w == nil || w.InlayHint == nil || !w.InlayHint.RefreshSupport {
		return
	}
	go func() {
		defer s.recoverBackground("inlay hint refresh")
		if err := s.Call(s.base, MethodWorkspaceInlayHintRefresh, nil, nil); err != nil {
			s.logger.Debug("inlay hint refresh", "error", err)
		}
	}()
}
