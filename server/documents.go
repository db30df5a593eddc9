package server

import (
	"net/url"
	"path"
	"sync"

	"go.lsp.dev/protocol"
)

// Language is the language of a document, decided by its file extension.
type Language uint8

const (
	// LanguageUnknown is any file rivet does not analyse.
	LanguageUnknown Language = iota
	// LanguageC covers .c and .h files.
	LanguageC
	// LanguageRust covers .rs files.
	LanguageRust
)

func (l Language) String() string {
	switch l {
	case LanguageC:
		return "c"
	case LanguageRust:
		return "rust"
	}
	return "unknown"
}

// languageOf returns the language of the document at uri by its extension.
// The client's languageId is not used: VS Code, for one, opens .h files as
// "cpp".
func languageOf(uri protocol.DocumentURI) Language {
	p := string(uri)
	if u, err := url.Parse(p); err == nil && u.Path != "" {
		p = u.Path
	}
	switch path.Ext(p) {
	case ".c", ".h":
		return LanguageC
	case ".rs":
		return LanguageRust
	}
	return LanguageUnknown
}

// Document is an immutable snapshot of one open document. A change makes a
// new Document; a snapshot already handed out never changes, so readers need
// no lock.
type Document struct {
	// URI is the document's URI exactly as the client sent it.
	URI protocol.DocumentURI
	// Version is the client's version number; it increases with each change.
	Version int32
	// Language is decided by the file extension.
	Language Language
	// Text is the full content, byte for byte as the client sent it (invalid
	// UTF-8 included). It must not be modified.
	Text []byte

	enc       PositionEncodingKind
	linesOnce sync.Once
	lineIndex *lineIndex
}

// lines returns the position converter of the document, built on first use.
func (d *Document) lines() *lineIndex {
	d.linesOnce.Do(func() { d.lineIndex = newLineIndex(d.Text, d.enc) })
	return d.lineIndex
}

// documentStore holds the open documents of one session, keyed by URI.
// Notifications, which run one at a time, write it; requests read snapshots
// concurrently.
type documentStore struct {
	mu   sync.Mutex
	docs map[protocol.DocumentURI]*Document
}

// get returns the current snapshot of the document at uri.
func (s *documentStore) get(uri protocol.DocumentURI) (*Document, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.docs[uri]
	return d, ok
}

// put makes d the current snapshot of its URI and returns the one it
// replaces, if any.
func (s *documentStore) put(d *Document) (old *Document) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docs == nil {
		s.docs = make(map[protocol.DocumentURI]*Document)
	}
	old = s.docs[d.URI]
	s.docs[d.URI] = d
	return old
}

// remove forgets the document at uri and reports whether it was open.
func (s *documentStore) remove(uri protocol.DocumentURI) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.docs[uri]
	delete(s.docs, uri)
	return ok
}

// textChange is one entry of didChange's contentChanges: a replacement of
// Range, or of the whole text when Range is absent. It is decoded here rather
// than into protocol.TextDocumentContentChangeEvent, whose Range is not a
// pointer (so a full replacement cannot be told from an insertion at 0:0)
// and whose uint32 positions would reject a negative position outright
// instead of clamping it.
type textChange struct {
	Range *wireRange   `json:"range,omitempty"`
	Text  documentText `json:"text"`
}

// wireRange is a protocol.Range as the client sent it, negative numbers
// included.
type wireRange struct {
	Start wirePosition `json:"start"`
	End   wirePosition `json:"end"`
}

// wirePosition is a protocol.Position as the client sent it.
type wirePosition struct {
	Line      int64 `json:"line"`
	Character int64 `json:"character"`
}

// changeFix records a change position that did not name a place in the text
// and how it was moved, for the log.
type changeFix struct {
	change int // index into contentChanges
	pos    wirePosition
	fix    positionFix
}

// applyChanges applies changes to text in order, each against the text the
// previous one produced, and returns the result. text is not modified.
// Positions outside the text are clamped (see lineIndex.offset) and a range
// whose end precedes its start becomes an insertion at its start; fixes
// lists every such adjustment. The result may share memory with text or with
// a change's text; none of them may be modified afterwards.
func applyChanges(text []byte, changes []textChange, enc PositionEncodingKind) (result []byte, fixes []changeFix) {
	for i, ch := range changes {
		if ch.Range == nil {
			text = ch.Text
			continue
		}
		lines := newLineIndex(text, enc)
		start, fix := lines.offset(ch.Range.Start.Line, ch.Range.Start.Character)
		if fix != fixNone {
			fixes = append(fixes, changeFix{i, ch.Range.Start, fix})
		}
		end, fix := lines.offset(ch.Range.End.Line, ch.Range.End.Character)
		if fix != fixNone {
			fixes = append(fixes, changeFix{i, ch.Range.End, fix})
		}
		if end < start {
			fixes = append(fixes, changeFix{i, ch.Range.End, fixEndBeforeStart})
			end = start
		}
		edited := make([]byte, 0, len(text)-(end-start)+len(ch.Text))
		edited = append(edited, text[:start]...)
		edited = append(edited, ch.Text...)
		text = append(edited, text[end:]...)
	}
	return text, fixes
}
