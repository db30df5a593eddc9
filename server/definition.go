package server

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
)

func init() {
	registerRequest(protocol.MethodTextDocumentDefinition, (*Server).definition)
	registerCapability(func(_ *Server, c *ServerCapabilities) { c.DefinitionProvider = true })
}

// definition answers textDocument/definition across the FFI boundary
// (analysis.Workspace.Definition): from Rust to the C definition, helper
// or bindgen_parameters line; from C to the Rust export. Names that do
// not cross the boundary get null, leaving them to clangd and
// rust-analyzer.
func (s *Server) definition(ctx context.Context, params *protocol.DefinitionParams) ([]protocol.Location, error) {
	return s.navigate(ctx, params.TextDocumentPositionParams, (*analysis.Workspace).Definition)
}

// navPosition is a request's document position as the analysis takes it.
type navPosition struct {
	ws   *analysis.Workspace
	path string
	off  uint32
	conv *converter // with the document's text pinned
}

// navPositionOf resolves the document and position of a request: the
// open document's text, else the file's. ok is false before initialize,
// for URIs that are no files, and for unreadable files.
func (s *Server) navPositionOf(pos protocol.TextDocumentPositionParams) (navPosition, bool) {
	ws := s.workspace()
	path, ok := uriPath(pos.TextDocument.URI)
	if ws == nil || !ok {
		return navPosition{}, false
	}
	conv := s.newConverter(ws)
	var text []byte
	if doc, open := s.Document(pos.TextDocument.URI); open {
		text = doc.Text
	} else {
		var err error
		if text, err = ws.Read(path); err != nil {
			return navPosition{}, false
		}
	}
	conv.pin(path, text)
	off, _ := conv.index(path).offset(int64(pos.Position.Line), int64(pos.Position.Character))
	return navPosition{ws: ws, path: path, off: uint32(off), conv: conv}, true
}

// navigate runs a location-finding analysis at a request's position and
// converts its answer; nothing found is null.
func (s *Server) navigate(ctx context.Context, pos protocol.TextDocumentPositionParams,
	find func(*analysis.Workspace, context.Context, string, uint32) ([]analysis.Location, error)) ([]protocol.Location, error) {
	np, ok := s.navPositionOf(pos)
	if !ok {
		return nil, nil
	}
	locs, err := find(np.ws, ctx, np.path, np.off)
	if err != nil || len(locs) == 0 {
		return nil, err
	}
	return navLocations(np.conv, locs), nil
}

// navLocations converts analysis locations, dropping those in files that
// can no longer be read.
func navLocations(conv *converter, locs []analysis.Location) []protocol.Location {
	out := make([]protocol.Location, 0, len(locs))
	utf8 := conv.s.positionEncoding() == PositionEncodingKindUTF8
	for _, l := range locs {
		// A position the scan already knows needs no read of the file,
		// unless the file is open (its buffer may differ from the scan).
		if p := l.Pos; p != nil && (utf8 || p.ASCII) && !conv.s.isOpen(l.Path) {
			out = append(out, protocol.Location{URI: conv.s.uriFor(l.Path), Range: protocol.Range{
				Start: protocol.Position{Line: p.Line, Character: p.Col},
				End:   protocol.Position{Line: p.Line, Character: p.EndCol},
			}})
			continue
		}
		if rng, ok := conv.spanRange(l.Path, l.Span); ok {
			out = append(out, protocol.Location{URI: conv.s.uriFor(l.Path), Range: rng})
		}
	}
	return out
}
