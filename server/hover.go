package server

import (
	"context"
	"slices"

	"go.lsp.dev/protocol"
)

func init() {
	registerRequest(protocol.MethodTextDocumentHover, (*Server).hover)
	registerCapability(func(_ *Server, c *ServerCapabilities) { c.HoverProvider = true })
}

// hover answers textDocument/hover on FFI names (analysis.Workspace.Hover)
// in Markdown, or as the same text in plain text for clients that do not
// take Markdown. Other names get null.
func (s *Server) hover(ctx context.Context, params *protocol.HoverParams) (*protocol.Hover, error) {
	np, ok := s.navPositionOf(params.TextDocumentPositionParams)
	if !ok {
		return nil, nil
	}
	h, err := np.ws.Hover(ctx, np.path, np.off)
	if err != nil || h == nil {
		return nil, err
	}
	rng, _ := np.conv.spanRange(np.path, h.Span)
	return &protocol.Hover{
		Contents: protocol.MarkupContent{Kind: s.hoverFormat(), Value: h.Markdown},
		Range:    &rng,
	}, nil
}

// hoverFormat is Markdown unless the client lists hover formats without it.
func (s *Server) hoverFormat() protocol.MarkupKind {
	td := s.clientCaps.TextDocument
	if td == nil || td.Hover == nil || len(td.Hover.ContentFormat) == 0 ||
		slices.Contains(td.Hover.ContentFormat, protocol.Markdown) {
		return protocol.Markdown
	}
	return protocol.PlainText
}
