package server

import (
	"context"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// ReindexCommand rebuilds the workspace index from disk (workspace/
// executeCommand, no arguments): for when files changed behind the
// watcher's back, a branch switch in a tree the client does not watch.
// Unchanged files come back from the facts cache. The answer is null at
// once; rivet/status and work-done progress report the build.
const ReindexCommand = "rivet.reindex"

func init() {
	registerRequest(protocol.MethodWorkspaceExecuteCommand, (*Server).executeCommand)
	registerCapability(func(_ *Server, c *ServerCapabilities) {
		c.ExecuteCommandProvider = &protocol.ExecuteCommandOptions{Commands: []string{ReindexCommand}}
	})
}

func (s *Server) executeCommand(_ context.Context, params *protocol.ExecuteCommandParams) (any, error) {
	switch params.Command {
	case ReindexCommand:
		roots := s.workspaceRoots()
		if len(roots) == 0 {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s: no workspace root to index", ReindexCommand)
		}
		s.logger.Info("re-indexing on request", "roots", roots)
		go func() {
			defer s.recoverBackground("re-index")
			s.reindex(roots)
		}()
		return nil, nil
	default:
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q (rivet runs %s)", params.Command, ReindexCommand)
	}
}
