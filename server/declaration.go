package server

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
)

func init() {
	registerRequest(protocol.MethodTextDocumentDeclaration, (*Server).declaration)
	registerCapability(func(_ *Server, c *ServerCapabilities) { c.DeclarationProvider = true })
}

// declaration answers textDocument/declaration: like definition, but the
// C prototype in a header rather than the body, and from a Rust export
// the prototype C code sees (analysis.Workspace.Declaration).
func (s *Server) declaration(ctx context.Context, params *protocol.DeclarationParams) ([]protocol.Location, error) {
	return s.navigate(ctx, params.TextDocumentPositionParams, (*analysis.Workspace).Declaration)
}
