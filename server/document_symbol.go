package server

import (
	"context"
	"slices"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
)

func init() {
	registerRequest(protocol.MethodTextDocumentDocumentSymbol, (*Server).documentSymbol)
	registerCapability(func(_ *Server, c *ServerCapabilities) { c.DocumentSymbolProvider = true })
}

// documentSymbol answers textDocument/documentSymbol with the document's
// outline (analysis.Workspace.DocumentSymbols): DocumentSymbol trees for
// clients with hierarchicalDocumentSymbolSupport, else a flat list of
// SymbolInformation with container names.
func (s *Server) documentSymbol(ctx context.Context, params *protocol.DocumentSymbolParams) (any, error) {
	ws := s.workspace()
	path, ok := uriPath(params.TextDocument.URI)
	if ws == nil || !ok {
		return nil, nil
	}
	syms, err := ws.DocumentSymbols(ctx, path)
	if err != nil {
		return nil, err
	}
	conv := s.newConverter(ws)
	if doc, open := s.Document(params.TextDocument.URI); open {
		conv.pin(path, doc.Text)
	}
	var caps *protocol.DocumentSymbolClientCapabilities
	if td := s.clientCaps.TextDocument; td != nil {
		caps = td.DocumentSymbol
	}
	var valueSet []protocol.SymbolKind
	if caps != nil && caps.SymbolKind != nil {
		valueSet = caps.SymbolKind.ValueSet
	}
	if caps != nil && caps.HierarchicalDocumentSymbolSupport {
		return documentSymbols(conv, path, syms, valueSet), nil
	}
	return flatSymbols(conv, params.TextDocument.URI, path, syms, "", valueSet), nil
}

// documentSymbols converts an outline to DocumentSymbol trees; never nil.
func documentSymbols(conv *converter, path string, syms []analysis.Symbol, valueSet []protocol.SymbolKind) []protocol.DocumentSymbol {
	out := make([]protocol.DocumentSymbol, 0, len(syms))
	for _, sym := range syms {
		rng, _ := conv.spanRange(path, sym.Span)
		sel, _ := conv.spanRange(path, sym.NameSpan)
		out = append(out, protocol.DocumentSymbol{
			Name:           sym.Name,
			Detail:         sym.Detail,
			Kind:           symbolKind(sym.Kind, valueSet),
			Range:          rng,
			SelectionRange: sel,
			Children:       documentSymbols(conv, path, sym.Children, valueSet),
		})
	}
	return out
}

// flatSymbols converts an outline to SymbolInformation, parents first,
// each located at its whole declaration.
func flatSymbols(conv *converter, uri protocol.DocumentURI, path string, syms []analysis.Symbol, container string, valueSet []protocol.SymbolKind) []protocol.SymbolInformation {
	out := []protocol.SymbolInformation{}
	for _, sym := range syms {
		rng, _ := conv.spanRange(path, sym.Span)
		out = append(out, protocol.SymbolInformation{
			Name:          sym.Name,
			Kind:          symbolKind(sym.Kind, valueSet),
			Location:      protocol.Location{URI: uri, Range: rng},
			ContainerName: container,
		})
		out = append(out, flatSymbols(conv, uri, path, sym.Children, sym.Name, valueSet)...)
	}
	return out
}

// symbolKind maps an analysis symbol kind to the protocol's. A client
// that sends no value set knows only the kinds File to Array (LSP 3.0):
// the newer kinds then fall back to older ones.
func symbolKind(k analysis.SymbolKind, valueSet []protocol.SymbolKind) protocol.SymbolKind {
	kind, old := protocol.SymbolKindVariable, protocol.SymbolKindVariable
	switch k {
	case analysis.SymFunction, analysis.SymMacro:
		kind, old = protocol.SymbolKindFunction, protocol.SymbolKindFunction
	case analysis.SymMethod:
		kind, old = protocol.SymbolKindMethod, protocol.SymbolKindMethod
	case analysis.SymConstant:
		kind, old = protocol.SymbolKindConstant, protocol.SymbolKindConstant
	case analysis.SymStruct, analysis.SymUnion:
		kind, old = protocol.SymbolKindStruct, protocol.SymbolKindClass
	case analysis.SymEnum:
		kind, old = protocol.SymbolKindEnum, protocol.SymbolKindEnum
	case analysis.SymEnumMember:
		kind, old = protocol.SymbolKindEnumMember, protocol.SymbolKindConstant
	case analysis.SymField:
		kind, old = protocol.SymbolKindField, protocol.SymbolKindField
	case analysis.SymTypedef:
		kind, old = protocol.SymbolKindTypeParameter, protocol.SymbolKindClass
	case analysis.SymVariable, analysis.SymStatic:
		kind, old = protocol.SymbolKindVariable, protocol.SymbolKindVariable
	case analysis.SymModule:
		kind, old = protocol.SymbolKindModule, protocol.SymbolKindModule
	case analysis.SymTrait:
		kind, old = protocol.SymbolKindInterface, protocol.SymbolKindInterface
	case analysis.SymImpl:
		kind, old = protocol.SymbolKindObject, protocol.SymbolKindNamespace
	case analysis.SymExternBlock:
		kind, old = protocol.SymbolKindNamespace, protocol.SymbolKindNamespace
	}
	if kind <= protocol.SymbolKindArray || slices.Contains(valueSet, kind) {
		return kind
	}
	return old
}
