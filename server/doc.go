// Package server is rivet's language server: the LSP layer over the
// analysis. It is the only package that imports go.lsp.dev/protocol and
// go.lsp.dev/jsonrpc2.
//
// Serve runs one session over a header-framed JSON-RPC stream (stdio for
// `rivet serve`). The dispatcher is rivet's own, not protocol.ServerHandler:
//
//   - Lifecycle per the specification: requests before initialize fail with
//     ServerNotInitialized (-32002) and notifications are dropped, except
//     exit; a second initialize and every request after shutdown fail with
//     InvalidRequest (-32600); exit ends Serve. Unknown requests fail with
//     MethodNotFound (-32601); unknown notifications are ignored.
//   - Notifications run in arrival order in the read loop: a didChange is
//     applied before the next message is read. initialize and shutdown run
//     there too. Every other request runs in its own goroutine with a
//     context that $/cancelRequest (numeric or string id) cancels; a request
//     that fails after being cancelled is answered with RequestCancelled
//     (-32800).
//   - Params decode with encoding/json into protocol types; params that do
//     not fit are InvalidParams (-32602). A panic in a handler is logged
//     with its stack and answered with InternalError (-32603); the session
//     goes on.
//   - A message body that is not JSON (or not JSON-RPC) is answered with
//     ParseError (-32700) or InvalidRequest and skipped; only broken
//     framing ends the session.
//
// Open documents are immutable snapshots (Document) in a store keyed by URI.
// Positions are converted by lineIndex in the encoding negotiated at
// initialize: UTF-8 when the client offers it, UTF-16 otherwise.
//
// # Adding a feature
//
// A feature is one thin file named after the LSP method (hover.go for
// textDocument/hover), in the style of gopls. Its init function adds it to
// the dispatch table:
//
//	func init() { registerRequest(protocol.MethodTextDocumentHover, (*Server).hover) }
//
//	func (s *Server) hover(ctx context.Context, params *protocol.HoverParams) (*protocol.Hover, error) {
//		doc, ok := s.docs.get(params.TextDocument.URI)
//		if !ok {
//			return nil, nil
//		}
//		off, _ := doc.lines().offset(int64(params.Position.Line), int64(params.Position.Character))
//		... call into analysis with doc.Text and off, convert spans with doc.lines().rangeOf ...
//	}
//
// It sets its capability in Server.capabilities, honours ctx, and never
// calls the client from a notification handler (see Server.Call). LSP 3.17
// types protocol v0.12.0 lacks go in protocol317.go.
package server
