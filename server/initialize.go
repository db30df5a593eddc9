package server

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"go.lsp.dev/protocol"
)

func init() {
	registerRequest(protocol.MethodInitialize, (*Server).initialize, inReadLoop)
	registerNotification(protocol.MethodInitialized, (*Server).initialized)
}

// initializeParams decodes InitializeParams leniently: a capability whose
// JSON type differs from what protocol v0.12.0 declares (a newer client, a
// quirky one) is skipped and logged rather than failing initialize, which
// would leave the client with no server at all. Params that are not an
// object at all are still an error.
type initializeParams struct {
	InitializeParams
	skipped error // the first field that did not decode, if any
}

func (p *initializeParams) UnmarshalJSON(data []byte) error {
	err := json.Unmarshal(data, &p.InitializeParams)
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		p.skipped = err
		return nil
	}
	return err
}

// initialize answers the initialize request: it negotiates the position
// encoding, starts watching the client process and announces the
// capabilities. It runs in the read loop, so the next message already sees
// an initialized session.
func (s *Server) initialize(_ context.Context, params *initializeParams) (*InitializeResult, error) {
	if params.skipped != nil {
		s.logger.Warn("initialize: some client capabilities were not understood", "error", params.skipped)
	}
	enc := negotiateEncoding(params.Capabilities.General)
	client := "unknown"
	if info := params.ClientInfo; info != nil {
		client = info.Name + " " + info.Version
	}
	s.logger.Info("initialize", "client", client, "processId", params.ProcessID,
		"workspaceFolders", len(params.WorkspaceFolders), "positionEncoding", enc)

	s.mu.Lock()
	s.state = stateInitialized
	s.encoding = enc
	s.mu.Unlock()
	s.watchClientProcess(int(params.ProcessID))
	s.newWorkspace(&params.InitializeParams)
	s.clientCaps = params.Capabilities

	return &InitializeResult{
		Capabilities: s.capabilities(enc),
		ServerInfo:   &protocol.ServerInfo{Name: "rivet", Version: s.version},
	}, nil
}

// capabilities is what rivet announces. A feature that needs a capability
// sets it here.
func (s *Server) capabilities(enc PositionEncodingKind) ServerCapabilities {
	caps := ServerCapabilities{
		ServerCapabilities: protocol.ServerCapabilities{
			TextDocumentSync: protocol.TextDocumentSyncOptions{
				OpenClose: true,
				Change:    protocol.TextDocumentSyncKindIncremental,
				Save:      &protocol.SaveOptions{},
			},
		},
		PositionEncoding: enc,
	}
	for _, h := range capabilityHooks {
		h(s, &caps)
	}
	return caps
}

// capabilityHooks let each feature file announce its own capability:
//
//	func init() {
//		registerCapability(func(s *Server, c *ServerCapabilities) { c.HoverProvider = true })
//	}
var capabilityHooks []func(*Server, *ServerCapabilities)

func registerCapability(h func(*Server, *ServerCapabilities)) {
	capabilityHooks = append(capabilityHooks, h)
}

// negotiateEncoding picks UTF-8 when the client offers it, since rivet works
// in bytes, and otherwise UTF-16, which every client supports.
func negotiateEncoding(general *GeneralClientCapabilities) PositionEncodingKind {
	if general != nil && slices.Contains(general.PositionEncodings, PositionEncodingKindUTF8) {
		return PositionEncodingKindUTF8
	}
	return PositionEncodingKindUTF16
}

// initialized is the client's acknowledgement of the initialize result.
// Features that must talk to the client once at start (dynamic
// registration, configuration) start here.
func (s *Server) initialized(context.Context, *protocol.InitializedParams) error {
	s.logger.Debug("client initialized")
	for _, h := range initializedHooks {
		h(s)
	}
	s.startIndexing()
	return nil
}

// initializedHooks run when the client acknowledged initialize, before
// indexing starts (dynamic registration, configuration).
var initializedHooks []func(*Server)

// watchClientProcess ends the session when process pid dies, as the
// specification asks: a client that crashed never sends exit. A pid that
// does not exist already is not watched: the client probably runs in
// another PID namespace (a container), where its pid means nothing here.
func (s *Server) watchClientProcess(pid int) {
	if pid <= 0 {
		return
	}
	if !processAlive(pid) {
		s.logger.Warn("client process not visible; not watching it", "processId", pid)
		return
	}
	go func() {
		tick := time.NewTicker(s.pollInterval)
		defer tick.Stop()
		for {
			select {
			case <-s.base.Done():
				return
			case <-tick.C:
				if !processAlive(pid) {
					s.logger.Warn("client process exited; ending the session", "processId", pid)
					s.end(ErrClientExited)
					return
				}
			}
		}
	}()
}
