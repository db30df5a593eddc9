package server

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
)

func init() {
	registerRequest(protocol.MethodTextDocumentReferences, (*Server).references)
	registerCapability(func(_ *Server, c *ServerCapabilities) { c.ReferencesProvider = true })
}

// references answers textDocument/references with the places an FFI
// symbol appears on both sides of the boundary (analysis.Workspace.
// References): C declarations and call sites, helpers, Rust uses, exports
// and extern items. context.includeDeclaration is honoured.
func (s *Server) references(ctx context.Context, params *protocol.ReferenceParams) ([]protocol.Location, error) {
	np, ok := s.navPositionOf(params.TextDocumentPositionParams)
	if !ok {
		return nil, nil
	}
	refs, err := np.ws.References(ctx, np.path, np.off, analysis.ReferencesOptions{IncludeDeclaration: params.Context.IncludeDeclaration})
	if err != nil || len(refs) == 0 {
		return nil, err
	}
	locs := make([]analysis.Location, len(refs))
	for i, r := range refs {
		locs[i] = r.Location
	}
	return navLocations(np.conv, locs), nil
}
