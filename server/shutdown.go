package server

import (
	"context"

	"go.lsp.dev/protocol"
)

func init() {
	registerRequest(protocol.MethodShutdown, (*Server).shutdown, inReadLoop)
	// exit is handled by the dispatcher itself: it is the one message
	// accepted in every state.
}

// shutdown answers the shutdown request. From here on every request fails
// with InvalidRequest and only exit is accepted.
func (s *Server) shutdown(context.Context, *struct{}) (any, error) {
	s.setState(stateShutdown)
	s.stopIndexing()
	s.logger.Info("shutdown")
	return nil, nil
}

// exit ends the session: cleanly after shutdown, with
// ErrExitWithoutShutdown otherwise.
func (s *Server) exit(state sessionState) {
	s.setState(stateExited)
	if state == stateShutdown {
		s.end(nil)
		return
	}
	s.end(ErrExitWithoutShutdown)
}
