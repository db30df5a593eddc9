package server

import (
	"context"
	"errors"

	"go.lsp.dev/protocol"
)

func init() {
	registerNotification(protocol.MethodTextDocumentDidOpen, (*Server).didOpen)
	registerNotification(protocol.MethodTextDocumentDidChange, (*Server).didChange)
	registerNotification(protocol.MethodTextDocumentDidClose, (*Server).didClose)
	registerNotification(protocol.MethodTextDocumentDidSave, (*Server).didSave)
}

// didOpenParams is protocol.DidOpenTextDocumentParams with the text kept
// byte for byte (see documentText).
type didOpenParams struct {
	TextDocument struct {
		URI        protocol.DocumentURI `json:"uri"`
		LanguageID string               `json:"languageId"`
		Version    int32                `json:"version"`
		Text       documentText         `json:"text"`
	} `json:"textDocument"`
}

// didChangeParams is protocol.DidChangeTextDocumentParams with changes
// decoded as textChange.
type didChangeParams struct {
	TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []textChange                             `json:"contentChanges"`
}

var errNoURI = errors.New("textDocument.uri is missing")

func (s *Server) didOpen(ctx context.Context, params *didOpenParams) error {
	item := &params.TextDocument
	if item.URI == "" {
		return errNoURI
	}
	doc := &Document{
		URI:      item.URI,
		Version:  item.Version,
		Language: languageOf(item.URI),
		Text:     item.Text,
		enc:      s.positionEncoding(),
	}
	if old := s.docs.put(doc); old != nil {
		s.logger.Warn("didOpen of a document already open; replacing it", "uri", doc.URI)
	}
	s.logger.Debug("opened", "uri", doc.URI, "version", doc.Version, "language", doc.Language, "bytes", len(doc.Text))
	s.documentOpened(ctx, doc)
	return nil
}

func (s *Server) didChange(ctx context.Context, params *didChangeParams) error {
	uri := params.TextDocument.URI
	old, ok := s.docs.get(uri)
	if !ok {
		s.logger.Warn("didChange of a document not open; ignored", "uri", uri)
		return nil
	}
	version := params.TextDocument.Version
	if version <= old.Version {
		s.logger.Warn("didChange version does not increase", "uri", uri, "from", old.Version, "to", version)
	}
	text, fixes := applyChanges(old.Text, params.ContentChanges, old.enc)
	for _, f := range fixes {
		s.logger.Warn("didChange position adjusted", "uri", uri, "version", version,
			"change", f.change, "line", f.pos.Line, "character", f.pos.Character, "fix", f.fix)
	}
	doc := &Document{URI: uri, Version: version, Language: old.Language, Text: text, enc: old.enc}
	s.docs.put(doc)
	s.documentChanged(ctx, doc)
	return nil
}

func (s *Server) didClose(ctx context.Context, params *protocol.DidCloseTextDocumentParams) error {
	if !s.docs.remove(params.TextDocument.URI) {
		s.logger.Warn("didClose of a document not open", "uri", params.TextDocument.URI)
		return nil
	}
	s.documentClosed(ctx, params.TextDocument.URI)
	return nil
}

// didSave changes nothing yet: rivet asks for no text on save, and the open
// document already holds the content. Analysis of the saved file on disk
// will start here.
func (s *Server) didSave(_ context.Context, params *protocol.DidSaveTextDocumentParams) error {
	s.logger.Debug("saved", "uri", params.TextDocument.URI)
	return nil
}
