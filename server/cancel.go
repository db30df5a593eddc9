package server

import (
	"context"
	"encoding/json"
	"fmt"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

func init() {
	registerNotification(protocol.MethodCancelRequest, (*Server).cancel)
}

// cancelParams is protocol.CancelParams decoded so that both kinds of id
// work: protocol's own handling matches neither int32 nor string when the
// id arrives as a JSON number (it decodes to float64).
type cancelParams struct {
	ID json.RawMessage `json:"id"`
}

// cancel handles $/cancelRequest: the request's context is cancelled and
// the request is answered with RequestCancelled unless it already finished.
func (s *Server) cancel(_ context.Context, params *cancelParams) error {
	var id jsonrpc2.ID
	if err := id.UnmarshalJSON(params.ID); err != nil {
		return fmt.Errorf("$/cancelRequest: id %s is neither a 32-bit integer nor a string", params.ID)
	}
	s.cancelRequest(id)
	return nil
}
