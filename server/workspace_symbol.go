package server

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
)

func init() {
	registerRequest(protocol.MethodWorkspaceSymbol, (*Server).workspaceSymbol)
	registerCapability(func(_ *Server, c *ServerCapabilities) { c.WorkspaceSymbolProvider = true })
}

// workspaceSymbol answers workspace/symbol with C and Rust declarations
// matching the query, best first, at most analysis.DefaultSymbolLimit
// (analysis.Workspace.WorkspaceSymbols). The container of a C symbol is
// its file; of a Rust item, its impl, trait or extern block.
func (s *Server) workspaceSymbol(ctx context.Context, params *protocol.WorkspaceSymbolParams) ([]protocol.SymbolInformation, error) {
	ws := s.workspace()
	if ws == nil {
		return nil, nil
	}
	syms, err := ws.WorkspaceSymbols(ctx, params.Query, analysis.DefaultSymbolLimit)
	if err != nil {
		return nil, err
	}
	var valueSet []protocol.SymbolKind
	if w := s.clientCaps.Workspace; w != nil && w.Symbol != nil && w.Symbol.SymbolKind != nil {
		valueSet = w.Symbol.SymbolKind.ValueSet
	}
	conv := s.newConverter(ws)
	out := make([]protocol.SymbolInformation, 0, len(syms))
	for _, sym := range syms {
		rng, ok := conv.spanRange(sym.Path, sym.Span)
		if !ok {
			continue
		}
		container := sym.Container
		if container == "" {
			container = ws.Rel(sym.Path)
		}
		out = append(out, protocol.SymbolInformation{
			Name:          sym.Name,
			Kind:          symbolKind(sym.Kind, valueSet),
			Location:      protocol.Location{URI: s.uriFor(sym.Path), Range: rng},
			ContainerName: container,
		})
	}
	return out, nil
}
