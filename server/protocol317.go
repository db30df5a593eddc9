package server

// This file holds the LSP 3.17 additions rivet uses that go.lsp.dev/protocol
// v0.12.0 (which stops at 3.16) lacks, written in that library's style: the
// 3.16 type is embedded and the 3.17 fields are added beside it, so JSON
// decoding fills the superset and the outer field shadows the embedded one.

import (
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
