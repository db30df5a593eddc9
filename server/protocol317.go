package server

// This file holds the LSP 3.17 additions rivet uses that go.lsp.dev/protocol
// v0.12.0 (which stops at 3.16) lacks, written in that library's style: the
// 3.16 type is embedded and the 3.17 fields are added beside it, so JSON
// decoding fills the superset and the outer field shadows the embedded one.

import (
	"encoding/json"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// PositionEncodingKind names the unit in which Position.Character counts.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#positionEncodingKind
//
// @since 3.17.0.
type PositionEncodingKind string

const (
	// PositionEncodingKindUTF8 counts bytes of UTF-8.
	PositionEncodingKindUTF8 PositionEncodingKind = "utf-8"

	// PositionEncodingKindUTF16 counts UTF-16 code units. Every server must
	// support it, and it is the default when nothing else is negotiated.
	PositionEncodingKindUTF16 PositionEncodingKind = "utf-16"
)

// GeneralClientCapabilities is protocol.GeneralClientCapabilities with the
// 3.17 fields.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#clientCapabilities
type GeneralClientCapabilities struct {
	protocol.GeneralClientCapabilities

	// PositionEncodings are the position encodings the client supports, in
	// order of preference.
	//
	// @since 3.17.0.
	PositionEncodings []PositionEncodingKind `json:"positionEncodings,omitempty"`
}

// ClientCapabilities is protocol.ClientCapabilities with the 3.17 general
// capabilities.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#clientCapabilities
type ClientCapabilities struct {
	protocol.ClientCapabilities

	// General are the general client capabilities, 3.17 fields included.
	//
	// @since 3.16.0.
	General *GeneralClientCapabilities `json:"general,omitempty"`

	// TextDocument are the text document capabilities, 3.17 fields
	// included. It shadows the embedded 3.16 field, whose fields it
	// promotes.
	TextDocument *TextDocumentClientCapabilities `json:"textDocument,omitempty"`

	// Workspace are the workspace capabilities, 3.17 fields included. It
	// shadows the embedded 3.16 field, whose fields it promotes.
	Workspace *WorkspaceClientCapabilities `json:"workspace,omitempty"`
}

// TextDocumentClientCapabilities is protocol.TextDocumentClientCapabilities
// with the 3.17 fields.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocumentClientCapabilities
type TextDocumentClientCapabilities struct {
	protocol.TextDocumentClientCapabilities

	// Diagnostic are the capabilities of the client for pull diagnostics;
	// set when the client pulls them.
	//
	// @since 3.17.0.
	Diagnostic *DiagnosticClientCapabilities `json:"diagnostic,omitempty"`

	// InlayHint are the client's inlay hint capabilities; set when the
	// client shows inlay hints.
	//
	// @since 3.17.0.
	InlayHint *InlayHintClientCapabilities `json:"inlayHint,omitempty"`
}

// WorkspaceClientCapabilities is protocol.WorkspaceClientCapabilities with
// the 3.17 fields.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#clientCapabilities
type WorkspaceClientCapabilities struct {
	protocol.WorkspaceClientCapabilities

	// Diagnostics are the client's workspace capabilities for pull
	// diagnostics.
	//
	// @since 3.17.0.
	Diagnostics *DiagnosticWorkspaceClientCapabilities `json:"diagnostics,omitempty"`

	// InlayHint are the client's workspace capabilities for inlay hints.
	//
	// @since 3.17.0.
	InlayHint *InlayHintWorkspaceClientCapabilities `json:"inlayHint,omitempty"`
}

// InitializeParams is protocol.InitializeParams with the 3.17 client
// capabilities.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#initialize
type InitializeParams struct {
	protocol.InitializeParams

	// Capabilities are the capabilities provided by the client (editor or tool).
	Capabilities ClientCapabilities `json:"capabilities"`
}

// ServerCapabilities is protocol.ServerCapabilities with the 3.17 fields
// rivet announces.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#serverCapabilities
type ServerCapabilities struct {
	protocol.ServerCapabilities

	// PositionEncoding is the position encoding the server picked from the
	// encodings offered by the client. If omitted it defaults to "utf-16".
	//
	// @since 3.17.0.
	PositionEncoding PositionEncodingKind `json:"positionEncoding,omitempty"`

	// DiagnosticProvider announces pull diagnostics.
	//
	// @since 3.17.0.
	DiagnosticProvider *DiagnosticOptions `json:"diagnosticProvider,omitempty"`

	// InlayHintProvider announces inlay hints.
	//
	// @since 3.17.0.
	InlayHintProvider *InlayHintOptions `json:"inlayHintProvider,omitempty"`
}

// InitializeResult is protocol.InitializeResult with the 3.17 server
// capabilities.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#initializeResult
type InitializeResult struct {
	// Capabilities are the capabilities the language server provides.
	Capabilities ServerCapabilities `json:"capabilities"`

	// ServerInfo is information about the server.
	//
	// @since 3.15.0.
	ServerInfo *protocol.ServerInfo `json:"serverInfo,omitempty"`
}

// CodeRequestFailed is the error code of a request that was syntactically
// correct and whose method is known, but which failed; the message says why.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#errorCodes
//
// @since 3.17.0.
const CodeRequestFailed jsonrpc2.Code = -32803

// PublishDiagnosticsParams are the params of textDocument/publishDiagnostics.
// protocol.PublishDiagnosticsParams cannot send version 0 (its uint32
// Version is omitempty); here a nil Version is omitted and any other is
// sent.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#publishDiagnosticsParams
type PublishDiagnosticsParams struct {
	// URI is the URI for which diagnostic information is reported.
	URI protocol.DocumentURI `json:"uri"`

	// Version is the version of the document the diagnostics are computed
	// for; nil for a document that is not open.
	//
	// @since 3.15.0.
	Version *int32 `json:"version,omitempty"`

	// Diagnostics are the diagnostic information items; empty clears
	// earlier ones.
	Diagnostics []protocol.Diagnostic `json:"diagnostics"`
}

// MethodTextDocumentDiagnostic is the pull diagnostics request of one
// document.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocument_pullDiagnostics
//
// @since 3.17.0.
const MethodTextDocumentDiagnostic = "textDocument/diagnostic"

// MethodWorkspaceDiagnosticRefresh asks the client to pull the diagnostics
// of its documents again.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#diagnostic_refresh
//
// @since 3.17.0.
const MethodWorkspaceDiagnosticRefresh = "workspace/diagnostic/refresh"

// DiagnosticClientCapabilities are the client capabilities of pull
// diagnostics.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#diagnosticClientCapabilities
//
// @since 3.17.0.
type DiagnosticClientCapabilities struct {
	// DynamicRegistration is whether the client supports dynamic
	// registration of pull diagnostics.
	DynamicRegistration bool `json:"dynamicRegistration,omitempty"`

	// RelatedDocumentSupport is whether the client supports related
	// documents in document diagnostic reports.
	RelatedDocumentSupport bool `json:"relatedDocumentSupport,omitempty"`
}

// DiagnosticWorkspaceClientCapabilities are the workspace client
// capabilities of pull diagnostics.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#diagnosticWorkspaceClientCapabilities
//
// @since 3.17.0.
type DiagnosticWorkspaceClientCapabilities struct {
	// RefreshSupport is whether the client accepts
	// workspace/diagnostic/refresh.
	RefreshSupport bool `json:"refreshSupport,omitempty"`
}

// DiagnosticOptions are the server's pull diagnostics options.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#diagnosticOptions
//
// @since 3.17.0.
type DiagnosticOptions struct {
	// Identifier is an optional identifier under which the diagnostics are
	// managed by the client.
	Identifier string `json:"identifier,omitempty"`

	// InterFileDependencies is whether the language has inter-file
	// dependencies: a change in one file can change the diagnostics of
	// another.
	InterFileDependencies bool `json:"interFileDependencies"`

	// WorkspaceDiagnostics is whether the server answers
	// workspace/diagnostic.
	WorkspaceDiagnostics bool `json:"workspaceDiagnostics"`
}

// DocumentDiagnosticParams are the params of textDocument/diagnostic.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#documentDiagnosticParams
//
// @since 3.17.0.
type DocumentDiagnosticParams struct {
	protocol.WorkDoneProgressParams
	protocol.PartialResultParams

	// TextDocument is the text document.
	TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`

	// Identifier is the additional identifier provided during
	// registration.
	Identifier string `json:"identifier,omitempty"`

	// PreviousResultID is the result id of a previous response, if
	// provided.
	PreviousResultID string `json:"previousResultId,omitempty"`
}

// DocumentDiagnosticReportKind is the kind of a document diagnostic
// report: "full" or "unchanged".
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#documentDiagnosticReportKind
//
// @since 3.17.0.
type DocumentDiagnosticReportKind string

const (
	// DocumentDiagnosticReportKindFull is a report with a full set of
	// problems.
	DocumentDiagnosticReportKindFull DocumentDiagnosticReportKind = "full"

	// DocumentDiagnosticReportKindUnchanged is a report saying that the
	// last one returned is still valid.
	DocumentDiagnosticReportKindUnchanged DocumentDiagnosticReportKind = "unchanged"
)

// FullDocumentDiagnosticReport is a diagnostic report with a full set of
// problems.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#fullDocumentDiagnosticReport
//
// @since 3.17.0.
type FullDocumentDiagnosticReport struct {
	// Kind is always DocumentDiagnosticReportKindFull.
	Kind DocumentDiagnosticReportKind `json:"kind"`

	// ResultID is an optional result id; the client sends it back as
	// previousResultId in its next request for the document.
	ResultID string `json:"resultId,omitempty"`

	// Items are the actual items, empty when there are none.
	Items []protocol.Diagnostic `json:"items"`
}

// UnchangedDocumentDiagnosticReport says that nothing changed since the
// report whose result id the client sent.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#unchangedDocumentDiagnosticReport
//
// @since 3.17.0.
type UnchangedDocumentDiagnosticReport struct {
	// Kind is always DocumentDiagnosticReportKindUnchanged.
	Kind DocumentDiagnosticReportKind `json:"kind"`

	// ResultID is the result id of the still valid report.
	ResultID string `json:"resultId"`
}

// WorkDoneProgressBegin is protocol.WorkDoneProgressBegin with a
// percentage that can be 0: the library's omits a zero percentage, and a
// begin without one tells the client that no percentages follow.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#workDoneProgressBegin
type WorkDoneProgressBegin struct {
	// Kind is always protocol.WorkDoneProgressKindBegin.
	Kind protocol.WorkDoneProgressKind `json:"kind"`

	// Title is the mandatory title of the progress operation.
	Title string `json:"title"`

	// Cancellable is whether the client may cancel the operation.
	Cancellable bool `json:"cancellable,omitempty"`

	// Message is optional, more detailed progress text.
	Message string `json:"message,omitempty"`

	// Percentage is the optional progress in [0, 100]; nil means
	// infinite progress.
	Percentage *uint32 `json:"percentage,omitempty"`
}

// WorkDoneProgressReport is protocol.WorkDoneProgressReport with a
// percentage that can be 0.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#workDoneProgressReport
type WorkDoneProgressReport struct {
	// Kind is always protocol.WorkDoneProgressKindReport.
	Kind protocol.WorkDoneProgressKind `json:"kind"`

	// Cancellable is whether the client may cancel the operation.
	Cancellable bool `json:"cancellable,omitempty"`

	// Message is optional, more detailed progress text.
	Message string `json:"message,omitempty"`

	// Percentage is the optional progress in [0, 100].
	Percentage *uint32 `json:"percentage,omitempty"`
}

// WorkDoneProgressCreateParams are the params of
// window/workDoneProgress/create with a string token.
// protocol.WorkDoneProgressCreateParams holds a protocol.ProgressToken by
// value, and that type marshals itself only through a pointer: its token
// reaches the wire as {}.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#window_workDoneProgress_create
type WorkDoneProgressCreateParams struct {
	// Token is the token to be used to report progress.
	Token string `json:"token"`
}

// ProgressParams are the params of $/progress with a string token (see
// WorkDoneProgressCreateParams for why not protocol.ProgressParams).
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#progress
type ProgressParams struct {
	// Token is the progress token provided by the client or server.
	Token string `json:"token"`

	// Value is the progress data: a begin, report or end.
	Value any `json:"value"`
}

// MethodTextDocumentInlayHint is the inlay hint request.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocument_inlayHint
//
// @since 3.17.0.
const MethodTextDocumentInlayHint = "textDocument/inlayHint"

// MethodWorkspaceInlayHintRefresh asks the client to request the inlay
// hints of its visible documents again.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#workspace_inlayHint_refresh
//
// @since 3.17.0.
const MethodWorkspaceInlayHintRefresh = "workspace/inlayHint/refresh"

// InlayHintClientCapabilities are the client capabilities of inlay hints.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#inlayHintClientCapabilities
//
// @since 3.17.0.
type InlayHintClientCapabilities struct {
	// DynamicRegistration is whether inlay hints support dynamic
	// registration.
	DynamicRegistration bool `json:"dynamicRegistration,omitempty"`

	// ResolveSupport lists the properties the client can resolve lazily
	// with inlayHint/resolve.
	ResolveSupport *struct {
		Properties []string `json:"properties"`
	} `json:"resolveSupport,omitempty"`
}

// InlayHintWorkspaceClientCapabilities are the workspace client
// capabilities of inlay hints.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#inlayHintWorkspaceClientCapabilities
//
// @since 3.17.0.
type InlayHintWorkspaceClientCapabilities struct {
	// RefreshSupport is whether the client accepts
	// workspace/inlayHint/refresh.
	RefreshSupport bool `json:"refreshSupport,omitempty"`
}

// InlayHintOptions are the server's inlay hint options.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#inlayHintOptions
//
// @since 3.17.0.
type InlayHintOptions struct {
	// ResolveProvider is whether the server resolves additional
	// information for an inlay hint (inlayHint/resolve).
	ResolveProvider bool `json:"resolveProvider,omitempty"`
}

// InlayHintParams are the params of textDocument/inlayHint.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#inlayHintParams
//
// @since 3.17.0.
type InlayHintParams struct {
	protocol.WorkDoneProgressParams

	// TextDocument is the text document.
	TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`

	// Range is the visible document range for which hints are requested.
	Range protocol.Range `json:"range"`
}

// InlayHintKind is the kind of an inlay hint.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#inlayHintKind
//
// @since 3.17.0.
type InlayHintKind uint32

const (
	// InlayHintKindType is a hint annotating a type.
	InlayHintKindType InlayHintKind = 1

	// InlayHintKindParameter is a hint annotating a parameter.
	InlayHintKindParameter InlayHintKind = 2
)

// InlayHint is inlay hint information.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#inlayHint
//
// @since 3.17.0.
type InlayHint struct {
	// Position is the position of this hint. If several hints share a
	// position they are shown in the order they are returned.
	Position protocol.Position `json:"position"`

	// Label is the label of this hint: a string or label parts
	// (InlayHintLabel marshals as either).
	Label InlayHintLabel `json:"label"`

	// Kind is the kind of this hint; omitted for hints that are neither a
	// type nor a parameter.
	Kind InlayHintKind `json:"kind,omitempty"`

	// Tooltip is the tooltip text when you hover over this item.
	Tooltip string `json:"tooltip,omitempty"`

	// PaddingLeft renders padding before the hint.
	PaddingLeft bool `json:"paddingLeft,omitempty"`

	// PaddingRight renders padding after the hint.
	PaddingRight bool `json:"paddingRight,omitempty"`
}

// InlayHintLabel is the label of an inlay hint: `string |
// InlayHintLabelPart[]`. A label of one plain part marshals as a string;
// any other as an array of parts.
type InlayHintLabel []InlayHintLabelPart

// MarshalJSON writes the label as the protocol's union.
func (l InlayHintLabel) MarshalJSON() ([]byte, error) {
	if len(l) == 1 && l[0].Location == nil && l[0].Tooltip == "" {
		return json.Marshal(l[0].Value)
	}
	return json.Marshal([]InlayHintLabelPart(l))
}

// UnmarshalJSON reads either form of the union.
func (l *InlayHintLabel) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err == nil {
		*l = InlayHintLabel{{Value: text}}
		return nil
	}
	var parts []InlayHintLabelPart
	if err := json.Unmarshal(data, &parts); err != nil {
		return err
	}
	*l = parts
	return nil
}

// InlayHintLabelPart is a part of an inlay hint label: it can have a
// tooltip and a location to go to.
//
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#inlayHintLabelPart
//
// @since 3.17.0.
type InlayHintLabelPart struct {
	// Value is the value of this label part.
	Value string `json:"value"`

	// Tooltip is the tooltip text when you hover over this label part.
	Tooltip string `json:"tooltip,omitempty"`

	// Location is where this label part's symbol is: the client shows its
	// hover and lets the user go there.
	Location *protocol.Location `json:"location,omitempty"`
}
