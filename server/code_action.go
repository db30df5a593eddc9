package server

import (
	"context"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

func init() {
	registerRequest(protocol.MethodTextDocumentCodeAction, (*Server).codeAction)
	registerCapability(func(_ *Server, c *ServerCapabilities) {
		c.CodeActionProvider = &protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.QuickFix}}
	})
}

// codeAction answers textDocument/codeAction with the quick fixes of
// rivet's diagnostics at the requested range: one action per fix, with
// the diagnostic it fixes and its edit as a workspace edit, which may
// touch other files. The diagnostics are recomputed, not read from the
// request's context. The result is never null.
func (s *Server) codeAction(ctx context.Context, params *protocol.CodeActionParams) ([]codeAction, error) {
	out := []codeAction{}
	ws := s.workspace()
	path, ok := uriPath(params.TextDocument.URI)
	if ws == nil || !ok || !wantsKind(params.Context.Only, protocol.QuickFix) {
		return out, nil
	}
	enc := s.positionEncoding()
	opts := analysis.DiagnoseOptions{Config: s.currentConfig(), Partial: s.indexPartial()}
	res, err := ws.CodeActions(ctx, path, opts, func(text []byte) facts.Span {
		// The range, widened to the rivet diagnostics the client sends
		// as context: Neovim asks with the cursor at the start of the
		// line and the line's diagnostics in the context.
		x := newLineIndex(text, enc)
		span := func(r protocol.Range) (int, int) {
			start, _ := x.offset(int64(r.Start.Line), int64(r.Start.Character))
			end, _ := x.offset(int64(r.End.Line), int64(r.End.Character))
			return start, max(start, end)
		}
		start, end := span(params.Range)
		for _, d := range params.Context.Diagnostics {
			if d.Source == diagnosticSource {
				s, e := span(d.Range)
				start, end = min(start, s), max(end, e)
			}
		}
		return facts.Span{Start: uint32(start), End: uint32(end)}
	})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		s.logger.Warn("code actions", "uri", params.TextDocument.URI, "error", err)
	}
	conv := s.newConverter(ws)
	conv.pin(path, res.Text)
	for _, d := range res.Diags {
		diag := conv.diagnostic(d)
		for _, fix := range d.Fixes {
			edit, ok := s.fixEdit(conv, res, fix)
			if !ok {
				continue // a file of the fix cannot be read: never apply half a fix
			}
			out = append(out, codeAction{
				Title:       fix.Title,
				Kind:        protocol.QuickFix,
				Diagnostics: []protocol.Diagnostic{diag},
				Edit:        edit,
			})
		}
	}
	return out, nil
}

// wantsKind reports whether a request's `only` filter admits kind: an
// empty filter admits everything, and "quickfix" admits "quickfix.x".
func wantsKind(only []protocol.CodeActionKind, kind protocol.CodeActionKind) bool {
	if len(only) == 0 {
		return true
	}
	for _, k := range only {
		if k == kind || strings.HasPrefix(string(kind), string(k)+".") {
			return true
		}
	}
	return false
}

// codeAction is protocol.CodeAction with a workspace edit that may create
// files.
type codeAction struct {
	Title       string                  `json:"title"`
	Kind        protocol.CodeActionKind `json:"kind,omitempty"`
	Diagnostics []protocol.Diagnostic   `json:"diagnostics,omitempty"`
	Edit        *workspaceEdit          `json:"edit,omitempty"`
}

// workspaceEdit is protocol.WorkspaceEdit whose documentChanges may mix
// resource operations (CreateFile) with text document edits, as the
// specification allows and protocol v0.12.0's type cannot express.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#workspaceEdit
type workspaceEdit struct {
	Changes         map[protocol.DocumentURI][]protocol.TextEdit `json:"changes,omitempty"`
	DocumentChanges []any                                        `json:"documentChanges,omitempty"`
}

// fixEdit converts a fix to a workspace edit: versioned documentChanges
// when the client supports them (open documents carry their version, the
// others null), else changes keyed by URI. A fix that creates a file
// needs a client that takes the create resource operation; for others it
// is not offered (false), like a fix whose files cannot be read.
func (s *Server) fixEdit(conv *converter, res analysis.FileDiagnostics, fix rules.Fix) (*workspaceEdit, bool) {
	paths, byPath := analysis.FixEdits(fix)
	creates := false
	for _, e := range fix.Edits {
		creates = creates || e.Create
	}
	if !s.documentChangesSupported() {
		if creates {
			return nil, false
		}
		we, ok := conv.workspaceEdit(fix.Edits)
		return &workspaceEdit{Changes: we.Changes}, ok
	}
	if creates && !s.createSupported() {
		return nil, false
	}
	we := &workspaceEdit{DocumentChanges: make([]any, 0, len(paths))}
	for _, path := range paths {
		uri := s.uriFor(path)
		tde := protocol.TextDocumentEdit{TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{
			TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri},
			Version:                s.editVersion(res, path, uri),
		}}
		for _, e := range byPath[path] {
			if e.Create {
				we.DocumentChanges = append(we.DocumentChanges, protocol.CreateFile{
					Kind: protocol.CreateResourceOperation, URI: uri,
					Options: &protocol.CreateFileOptions{IgnoreIfExists: true},
				})
				tde.TextDocument.Version = nil
				tde.Edits = append(tde.Edits, protocol.TextEdit{NewText: e.NewText})
				continue
			}
			rng, ok := conv.spanRange(e.Path, e.Span)
			if !ok {
				return nil, false
			}
			tde.Edits = append(tde.Edits, protocol.TextEdit{Range: rng, NewText: e.NewText})
		}
		we.DocumentChanges = append(we.DocumentChanges, tde)
	}
	return we, true
}

// createSupported reports whether the client applies the create resource
// operation in workspace edits.
func (s *Server) createSupported() bool {
	w := s.clientCaps.Workspace
	if w == nil || w.WorkspaceEdit == nil {
		return false
	}
	for _, op := range w.WorkspaceEdit.ResourceOperations {
		if op == string(protocol.CreateResourceOperation) {
			return true
		}
	}
	return false
}

// editVersion is the version a text document edit applies to: the
// diagnosed text's version for its own file, the open document's for
// another open file, nil (the disk's content) for a closed one.
func (s *Server) editVersion(res analysis.FileDiagnostics, path string, uri protocol.DocumentURI) *int32 {
	if path == res.Path {
		if !res.Open {
			return nil
		}
		v := res.Version
		return &v
	}
	if d, ok := s.docs.get(uri); ok {
		v := d.Version
		return &v
	}
	return nil
}

// documentChangesSupported reports whether the client takes versioned
// document changes in workspace edits.
func (s *Server) documentChangesSupported() bool {
	w := s.clientCaps.Workspace
	return w != nil && w.WorkspaceEdit != nil && w.WorkspaceEdit.DocumentChanges
}
