package server

import (
	"context"
	"slices"

	"go.lsp.dev/protocol"
)

func init() {
	registerRequest(protocol.MethodTextDocumentCodeLens, (*Server).codeLens)
	registerCapability(func(_ *Server, c *ServerCapabilities) { c.CodeLensProvider = &protocol.CodeLensOptions{} })
	indexChangedHooks = append(indexChangedHooks, (*Server).refreshCodeLenses)
}

// ShowReferencesCommand is the command of rivet's code lenses, for
// clients that advertise it in their experimental capabilities
// (`"experimental": {"commands": {"commands": ["rivet.showReferences"]}}`,
// as rust-analyzer's clients do for its own commands). It is run by the
// client, not the server, with the arguments of VS Code's
// editor.action.showReferences: the document URI, the lens position and
// the locations counted. A client that does not advertise it gets lenses
// whose command is empty: a label, as a count needs no action.
const ShowReferencesCommand = "rivet.showReferences"

// codeLens answers textDocument/codeLens with "used from Rust: N" above C
// functions Rust uses and "called from C: N" above Rust exports
// (analysis.Workspace.CodeLenses), unless the configuration's code_lens
// switch is off.
func (s *Server) codeLens(ctx context.Context, params *protocol.CodeLensParams) ([]protocol.CodeLens, error) {
	ws := s.workspace()
	path, ok := uriPath(params.TextDocument.URI)
	if ws == nil || !ok || !s.codeLensEnabled() {
		return nil, nil
	}
	lenses, err := ws.CodeLenses(ctx, path)
	if err != nil || len(lenses) == 0 {
		return nil, err
	}
	conv := s.newConverter(ws)
	if doc, open := s.Document(params.TextDocument.URI); open {
		conv.pin(path, doc.Text)
	}
	withCommand := s.clientRunsCommand(ShowReferencesCommand)
	out := make([]protocol.CodeLens, 0, len(lenses))
	for _, l := range lenses {
		rng, ok := conv.spanRange(path, l.Span)
		if !ok {
			continue
		}
		cmd := &protocol.Command{Title: l.Title}
		if withCommand {
			cmd.Command = ShowReferencesCommand
			cmd.Arguments = []any{params.TextDocument.URI, rng.Start, navLocations(conv, l.Uses)}
		}
		out = append(out, protocol.CodeLens{Range: rng, Command: cmd})
	}
	return out, nil
}

// clientRunsCommand reports whether the client lists command among the
// commands it runs itself (capabilities.experimental.commands.commands).
func (s *Server) clientRunsCommand(command string) bool {
	exp, _ := s.clientCaps.Experimental.(map[string]any)
	cmds, _ := exp["commands"].(map[string]any)
	list, _ := cmds["commands"].([]any)
	return slices.Contains(list, any(command))
}

// refreshCodeLenses asks the client to request lenses again when facts
// changed, if it supports workspace/codeLens/refresh. It does not wait
// for the answer.
func (s *Server) refreshCodeLenses() {
	w := s.clientCaps.Workspace
	if w == nil || w.CodeLens == nil || !w.CodeLens.RefreshSupport {
		return
	}
	go func() {
		defer s.recoverBackground("code lens refresh")
		if err := s.Call(s.base, protocol.MethodCodeLensRefresh, nil, nil); err != nil {
			s.logger.Debug("code lens refresh", "error", err)
		}
	}()
}
