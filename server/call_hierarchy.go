package server

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/facts"
)

func init() {
	registerRequest(protocol.MethodTextDocumentPrepareCallHierarchy, (*Server).prepareCallHierarchy)
	registerRequest(protocol.MethodCallHierarchyIncomingCalls, (*Server).incomingCalls)
	registerRequest(protocol.MethodCallHierarchyOutgoingCalls, (*Server).outgoingCalls)
	registerCapability(func(_ *Server, c *ServerCapabilities) { c.CallHierarchyProvider = true })
}

// prepareCallHierarchy answers textDocument/prepareCallHierarchy with the
// C or Rust function at the position (analysis.Workspace.
// PrepareCallHierarchy). The item's data carries the analysis item, so
// the calls requests find the function again without a position.
func (s *Server) prepareCallHierarchy(ctx context.Context, params *protocol.CallHierarchyPrepareParams) ([]protocol.CallHierarchyItem, error) {
	np, ok := s.navPositionOf(params.TextDocumentPositionParams)
	if !ok {
		return nil, nil
	}
	items, err := np.ws.PrepareCallHierarchy(ctx, np.path, np.off)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	out := make([]protocol.CallHierarchyItem, 0, len(items))
	for _, it := range items {
		if pi, ok := callItem(np.conv, it); ok {
			out = append(out, pi)
		}
	}
	return out, nil
}

// incomingCalls answers callHierarchy/incomingCalls: C and Rust callers
// (analysis.Workspace.IncomingCalls), with the call sites in the
// caller's file.
func (s *Server) incomingCalls(ctx context.Context, params *protocol.CallHierarchyIncomingCallsParams) ([]protocol.CallHierarchyIncomingCall, error) {
	ws, item, conv, ok := s.callItemOf(ctx, params.Item)
	if !ok {
		return nil, nil
	}
	calls, err := ws.IncomingCalls(ctx, item)
	if err != nil {
		return nil, err
	}
	out := []protocol.CallHierarchyIncomingCall{}
	for _, c := range calls {
		from, ok := callItem(conv, c.Item)
		if !ok {
			continue
		}
		out = append(out, protocol.CallHierarchyIncomingCall{From: from, FromRanges: callRanges(conv, c.Item.Path, c.Sites)})
	}
	return out, nil
}

// outgoingCalls answers callHierarchy/outgoingCalls: the C functions a
// Rust fn reaches, or what a C function calls (analysis.Workspace.
// OutgoingCalls), with the call sites in the item's own file.
func (s *Server) outgoingCalls(ctx context.Context, params *protocol.CallHierarchyOutgoingCallsParams) ([]protocol.CallHierarchyOutgoingCall, error) {
	ws, item, conv, ok := s.callItemOf(ctx, params.Item)
	if !ok {
		return nil, nil
	}
	calls, err := ws.OutgoingCalls(ctx, item)
	if err != nil {
		return nil, err
	}
	out := []protocol.CallHierarchyOutgoingCall{}
	for _, c := range calls {
		to, ok := callItem(conv, c.Item)
		if !ok {
			continue
		}
		out = append(out, protocol.CallHierarchyOutgoingCall{To: to, FromRanges: callRanges(conv, item.Path, c.Sites)})
	}
	return out, nil
}

// callItemOf recovers the analysis item of a protocol item: from its
// data, else (a client that dropped the data) by preparing at its
// selection range.
func (s *Server) callItemOf(ctx context.Context, pi protocol.CallHierarchyItem) (*analysis.Workspace, analysis.CallItem, *converter, bool) {
	ws := s.workspace()
	if ws == nil {
		return nil, analysis.CallItem{}, nil, false
	}
	var item analysis.CallItem
	if raw, err := json.Marshal(pi.Data); err == nil && json.Unmarshal(raw, &item) == nil && item.Path != "" && item.Name != "" {
		return ws, item, s.newConverter(ws), true
	}
	np, ok := s.navPositionOf(protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: pi.URI},
		Position:     pi.SelectionRange.Start,
	})
	if !ok {
		return nil, analysis.CallItem{}, nil, false
	}
	items, err := ws.PrepareCallHierarchy(ctx, np.path, np.off)
	if err != nil || len(items) == 0 {
		return nil, analysis.CallItem{}, nil, false
	}
	return ws, items[0], np.conv, true
}

// callItem converts an analysis item; false when its file cannot be read.
func callItem(conv *converter, it analysis.CallItem) (protocol.CallHierarchyItem, bool) {
	rng, ok := conv.spanRange(it.Path, it.Span)
	if !ok {
		return protocol.CallHierarchyItem{}, false
	}
	sel, _ := conv.spanRange(it.Path, it.NameSpan)
	return protocol.CallHierarchyItem{
		Name:           it.Name,
		Kind:           symbolKind(it.Kind, nil),
		Detail:         it.Detail,
		URI:            conv.s.uriFor(it.Path),
		Range:          rng,
		SelectionRange: sel,
		Data:           it,
	}, true
}

// callRanges converts call sites in path; never nil.
func callRanges(conv *converter, path string, sites []facts.Span) []protocol.Range {
	out := make([]protocol.Range, 0, len(sites))
	for _, sp := range sites {
		if rng, ok := conv.spanRange(path, sp); ok {
			out = append(out, rng)
		}
	}
	return out
}
