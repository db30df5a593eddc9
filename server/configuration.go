package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

func init() {
	registerNotification(protocol.MethodWorkspaceDidChangeConfiguration, (*Server).didChangeConfiguration)
}

// The configuration is two layers over the defaults:
//
//   - the file: .rivet.toml at the first workspace root, read at
//     initialize and again when the client reports it changed (watch.go);
//   - the client's settings, laid over the file key by key (rules code by
//     code): initializationOptions, replaced by the settings of each
//     workspace/didChangeConfiguration, or, when that carries null
//     settings and the client supports workspace/configuration, by the
//     "rivet" section pulled from the client (also pulled once at start).
//
// Settings may sit under a "rivet" key or at the top level. A layer that
// is invalid is ignored as a whole and its problems are shown with
// window/showMessage, each naming its key (and line, in the file): the
// other layer and the defaults stay in force.

// configState is the session's configuration.
type configState struct {
	mu      sync.Mutex
	root    string          // where .rivet.toml is read; "" without roots
	file    *config.Config  // the file layer (defaults when absent or invalid)
	client  json.RawMessage // the client's latest settings; nil when none
	current *config.Config  // file and client merged
	// problems found at initialize, shown once the client is initialized.
	problems []string

	pullMu sync.Mutex // one workspace/configuration pull at a time
}

// configPullTimeout bounds the wait for the client's answer to
// workspace/configuration.
const configPullTimeout = 10 * time.Second

// currentConfig returns the configuration in force, never nil. Callers
// must not modify it.
func (s *Server) currentConfig() *config.Config {
	s.wsState.config.mu.Lock()
	defer s.wsState.config.mu.Unlock()
	if s.wsState.config.current == nil {
		return config.Default()
	}
	return s.wsState.config.current
}

// inlayHintsEnabled and codeLensEnabled are the configuration switches of
// the inlay hint and code lens features.
func (s *Server) inlayHintsEnabled() bool { return s.currentConfig().InlayHintsOn() }

func (s *Server) codeLensEnabled() bool { return s.currentConfig().CodeLensOn() }

// configChangedHooks run after the configuration changed, for features
// that must tell the client to refresh what they showed (inlay hints, code
// lenses). Diagnostics and the index follow by themselves.
var configChangedHooks []func(*Server)

// initConfig reads the file layer at the first of roots and lays
// initializationOptions over it. Problems are kept for
// startConfiguration to show: initialize has not been answered yet.
func (s *Server) initConfig(roots []string, initOptions any) {
	c := &s.wsState.config
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(roots) > 0 {
		c.root = roots[0]
	}
	c.problems = append(c.problems, c.loadFile()...)
	c.client = settingsSection(initOptions)
	c.problems = append(c.problems, c.merge()...)
}

// loadFile reads the file layer; callers hold mu.
func (c *configState) loadFile() []string {
	if c.root == "" {
		c.file = config.Default()
		return nil
	}
	file, probs := config.Load(c.root, rules.Codes())
	c.file = file
	if len(probs) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("rivet: %s is invalid and ignored, defaults in force: %s",
		path.Join(c.root, config.FileName), joinProblems(probs))}
}

// merge lays the client layer over the file layer; callers hold mu.
func (c *configState) merge() []string {
	cfg, probs := config.ParseJSONOver(c.file, c.client, rules.Codes())
	c.current = cfg
	if len(probs) == 0 {
		return nil
	}
	return []string{"rivet: invalid settings ignored: " + joinProblems(probs)}
}

func joinProblems(probs []config.Problem) string {
	msgs := make([]string, len(probs))
	for i, p := range probs {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "; ")
}

// startConfiguration runs when the client is initialized, before the
// first build: it shows the problems found at initialize and pulls the
// client's settings when the client offers workspace/configuration.
func (s *Server) startConfiguration(ctx context.Context) {
	c := &s.wsState.config
	c.mu.Lock()
	probs := c.problems
	c.problems = nil
	c.mu.Unlock()
	s.showProblems(probs)
	if w := s.clientCaps.Workspace; w != nil && w.Configuration {
		s.pullConfiguration(ctx)
	}
}

// didChangeConfiguration takes the client's new settings. Null settings
// mean "ask me": the settings are pulled when the client supports
// workspace/configuration (off the read loop, which the answer needs).
func (s *Server) didChangeConfiguration(_ context.Context, params *protocol.DidChangeConfigurationParams) error {
	if params.Settings == nil {
		if w := s.clientCaps.Workspace; w != nil && w.Configuration {
			go func() {
				defer s.recoverBackground("configuration pull")
				s.pullConfiguration(s.base)
			}()
		}
		return nil
	}
	s.setClientSettings(settingsSection(params.Settings))
	return nil
}

// pullConfiguration asks the client for its "rivet" section and applies
// it. A null answer (the client has no such section) changes nothing.
func (s *Server) pullConfiguration(ctx context.Context) {
	c := &s.wsState.config
	c.pullMu.Lock()
	defer c.pullMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, configPullTimeout)
	defer cancel()
	var res []json.RawMessage
	params := protocol.ConfigurationParams{Items: []protocol.ConfigurationItem{{Section: "rivet"}}}
	if err := s.Call(ctx, protocol.MethodWorkspaceConfiguration, params, &res); err != nil {
		s.logger.Warn("workspace/configuration", "error", err)
		return
	}
	if len(res) == 0 || isNull(res[0]) {
		return
	}
	s.setClientSettings(res[0])
}

// setClientSettings replaces the client layer and applies the result.
func (s *Server) setClientSettings(settings json.RawMessage) {
	c := &s.wsState.config
	c.mu.Lock()
	old := c.current
	c.client = settings
	probs := c.merge()
	cfg := c.current
	c.mu.Unlock()
	s.showProblems(probs)
	s.configChanged(old, cfg)
}

// reloadConfigFile re-reads the file layer (the client reported that
// .rivet.toml changed) and applies the result.
func (s *Server) reloadConfigFile() {
	c := &s.wsState.config
	c.mu.Lock()
	old := c.current
	probs := c.loadFile()
	probs = append(probs, c.merge()...)
	cfg := c.current
	c.mu.Unlock()
	s.showProblems(probs)
	s.configChanged(old, cfg)
}

// setConfigRoot reads the file layer of a root adopted after initialize.
// The caller re-indexes.
func (s *Server) setConfigRoot(roots []string) {
	c := &s.wsState.config
	c.mu.Lock()
	c.root = roots[0]
	probs := c.loadFile()
	probs = append(probs, c.merge()...)
	c.mu.Unlock()
	s.showProblems(probs)
}

// configChanged applies a new configuration: a change of include or
// exclude or ffi_modules re-indexes, anything else re-diagnoses the open
// documents.
func (s *Server) configChanged(old, cfg *config.Config) {
	if old != nil && (!slices.Equal(old.Include, cfg.Include) || !slices.Equal(old.Exclude, cfg.Exclude) || !slices.Equal(old.FFIModules, cfg.FFIModules)) {
		s.logger.Info("include/exclude/ffi_modules changed; re-indexing", "include", cfg.Include, "exclude", cfg.Exclude, "ffi_modules", cfg.FFIModules)
		go func() {
			defer s.recoverBackground("re-index")
			s.reindex(s.workspaceRoots())
		}()
	} else {
		s.indexChanged()
	}
	for _, h := range configChangedHooks {
		h(s)
	}
}

// showProblems shows each configuration problem to the user as an error.
func (s *Server) showProblems(probs []string) {
	for _, msg := range probs {
		s.logger.Warn("configuration", "problem", msg)
		if err := s.Notify(s.base, protocol.MethodWindowShowMessage, protocol.ShowMessageParams{Type: protocol.MessageTypeError, Message: msg}); err != nil {
			s.logger.Debug("showMessage not sent", "error", err)
		}
	}
}

// settingsSection returns the JSON of the settings under a "rivet" key of
// v, or of v itself when it has no such key; nil when v is null.
func settingsSection(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) == nil {
		if section, ok := top["rivet"]; ok {
			return section
		}
	}
	return raw
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}
