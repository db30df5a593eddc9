package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// startEncoding starts a session that negotiated enc.
func startEncoding(t *testing.T, enc server.PositionEncodingKind) *lsptest.Client {
	t.Helper()
	c := lsptest.Start(t, lsptest.Options{})
	res := c.Initialize(lsptest.PositionEncodings(enc))
	if res.Capabilities.PositionEncoding != enc {
		t.Fatalf("negotiated %q, want %q", res.Capabilities.PositionEncoding, enc)
	}
	return c
}

// wantText fails the test unless the server's copy of uri is want.
func wantText(t *testing.T, c *lsptest.Client, uri protocol.DocumentURI, want string) lsptest.DocumentState {
	t.Helper()
	doc, ok := c.Document(uri)
	if !ok {
		t.Fatalf("%s is not open on the server", uri)
	}
	if string(doc.Text) != want {
		t.Errorf("server text of %s:\n got %q\nwant %q", uri, doc.Text, want)
	}
	return doc
}

// TestIncrementalSync applies the same edits under both encodings, each
// written with that encoding's character offsets, and checks the server
// ends with exactly the expected text.
func TestIncrementalSync(t *testing.T) {
	for _, tc := range []struct {
		name    string
		initial string
		utf16   []lsptest.Change
		utf8    []lsptest.Change
		want    string
	}{
		{
			name: "emoji and CJK",
			// Line 0 is 13 bytes and 7 UTF-16 units: a(1,1) 😀(4,2) b(1,1) space(1,1) 漢(3,1) 字(3,1).
			initial: "a😀b 漢字\r\nline2\rline3\n",
			utf16: []lsptest.Change{
				lsptest.Edit(0, 3, 0, 4, "BB"), // b -> BB
				lsptest.Edit(0, 5, 0, 5, "!"),  // after BB, in the text the first change made
				lsptest.Edit(0, 8, 0, 8, "🎉"),  // after 漢
				lsptest.Edit(1, 4, 2, 4, ""),   // across the lone CR
			},
			utf8: []lsptest.Change{
				lsptest.Edit(0, 5, 0, 6, "BB"),
				lsptest.Edit(0, 7, 0, 7, "!"),
				lsptest.Edit(0, 12, 0, 12, "🎉"),
				lsptest.Edit(1, 4, 2, 4, ""),
			},
			want: "a😀BB! 漢🎉字\r\nline3\n",
		},
		{
			name:    "multi-byte on several lines",
			initial: "// 日本語\nlet s = \"🦀🦀\";\n",
			utf16: []lsptest.Change{
				lsptest.Edit(1, 11, 1, 13, "x"), // the second crab
				lsptest.Edit(0, 3, 0, 5, "中"),   // 日本 -> 中
			},
			utf8: []lsptest.Change{
				lsptest.Edit(1, 13, 1, 17, "x"),
				lsptest.Edit(0, 3, 0, 9, "中"),
			},
			want: "// 中語\nlet s = \"🦀x\";\n",
		},
		{
			name:    "full replacement among edits",
			initial: "old\n",
			utf16:   []lsptest.Change{lsptest.Edit(0, 0, 0, 0, "x"), lsptest.Replace("ñew\n"), lsptest.Edit(0, 1, 0, 2, "E")},
			utf8:    []lsptest.Change{lsptest.Edit(0, 0, 0, 0, "x"), lsptest.Replace("ñew\n"), lsptest.Edit(0, 2, 0, 3, "E")},
			want:    "ñEw\n",
		},
		{
			name:    "invalid UTF-8 kept and counted per byte",
			initial: "ok\xff\xfe\xe2\x82\nend",
			// Each invalid byte is one character and one UTF-16 unit.
			utf16: []lsptest.Change{lsptest.Edit(0, 4, 0, 5, "|"), lsptest.Edit(1, 3, 1, 3, "\x80")},
			utf8:  []lsptest.Change{lsptest.Edit(0, 4, 0, 5, "|"), lsptest.Edit(1, 3, 1, 3, "\x80")},
			want:  "ok\xff\xfe|\x82\nend\x80",
		},
		{
			name:    "out of range positions",
			initial: "ab\r\ncd",
			utf16: []lsptest.Change{
				lsptest.Edit(0, 99, 0, 99, "X"), // past the line end: before the CRLF
				lsptest.Edit(9, 0, 9, 5, "Y"),   // past the last line: the end of the text
				lsptest.Edit(1, 1, 0, 0, "Z"),   // end before start: an insertion at the start
			},
			utf8: []lsptest.Change{
				lsptest.Edit(0, 99, 0, 99, "X"),
				lsptest.Edit(9, 0, 9, 5, "Y"),
				lsptest.Edit(1, 1, 0, 0, "Z"),
			},
			want: "abX\r\ncZdY",
		},
	} {
		for _, enc := range []server.PositionEncodingKind{server.PositionEncodingKindUTF16, server.PositionEncodingKindUTF8} {
			t.Run(tc.name+"/"+string(enc), func(t *testing.T) {
				c := startEncoding(t, enc)
				changes := tc.utf16
				if enc == server.PositionEncodingKindUTF8 {
					changes = tc.utf8
				}
				const uri = "file:///k/drivers/x.c"
				c.OpenDocument(uri, tc.initial)
				wantText(t, c, uri, tc.initial)
				version := c.ChangeDocument(uri, changes...)
				if doc := wantText(t, c, uri, tc.want); doc.Version != version {
					t.Errorf("version %d, want %d", doc.Version, version)
				}
			})
		}
	}
}

// TestPositionInsideCharacter: a UTF-16 offset inside a surrogate pair means
// the pair's start; a UTF-8 offset addresses bytes, even inside a character.
func TestPositionInsideCharacter(t *testing.T) {
	const uri = "file:///a.rs"
	c := startEncoding(t, server.PositionEncodingKindUTF16)
	c.OpenDocument(uri, "a😀b")
	c.ChangeDocument(uri, lsptest.Edit(0, 2, 0, 2, "x"))
	wantText(t, c, uri, "ax😀b")
	if !strings.Contains(c.Logs(), "inside a character") {
		t.Error("the adjusted position was not logged")
	}

	c = startEncoding(t, server.PositionEncodingKindUTF8)
	c.OpenDocument(uri, "a😀b")
	c.ChangeDocument(uri, lsptest.Edit(0, 3, 0, 3, "x"))
	wantText(t, c, uri, "a\xf0\x9fx\x98\x80b")
}

func TestNegativePositions(t *testing.T) {
	const uri = "file:///a.c"
	c := startEncoding(t, server.PositionEncodingKindUTF16)
	c.OpenDocument(uri, "ab\ncd\n")
	version := 1
	change := func(startLine, startChar, endLine, endChar int, text string) {
		version++
		c.Notify(protocol.MethodTextDocumentDidChange, map[string]any{
			"textDocument": map[string]any{"uri": uri, "version": version},
			"contentChanges": []any{map[string]any{
				"range": map[string]any{
					"start": map[string]any{"line": startLine, "character": startChar},
					"end":   map[string]any{"line": endLine, "character": endChar},
				},
				"text": text,
			}},
		})
	}
	change(1, -5, 1, 1, "Q") // a negative character is the line start
	wantText(t, c, uri, "ab\nQd\n")
	change(-1, 0, 0, 1, "P") // a negative line is the start of the text
	wantText(t, c, uri, "Pb\nQd\n")
	change(0, 1, -3, -3, "R") // an end clamped before the start is an insertion
	wantText(t, c, uri, "PRb\nQd\n")
	// Four adjustments: three negative positions and one reversed range.
	if n := strings.Count(c.Logs(), "position adjusted"); n != 4 {
		t.Errorf("%d adjusted positions logged, want 4", n)
	}
}

func TestDocumentTextEscapes(t *testing.T) {
	const uri = "file:///a.rs"
	c := startEncoding(t, server.PositionEncodingKindUTF16)
	// lsptest.Text escapes quotes, backslashes and control characters;
	// encoding/json then escapes <, >, & and U+2028 on its own.
	text := "\"q\" \\ \t\x01\x1f <a&b> \u2028 é 😀 \xc3"
	c.OpenDocument(uri, text)
	wantText(t, c, uri, text)

	// Escapes an editor may choose: a surrogate pair, and a lone surrogate
	// (which UTF-8 cannot hold: U+FFFD).
	c.Notify(protocol.MethodTextDocumentDidChange, json.RawMessage(
		`{"textDocument":{"uri":"`+uri+`","version":2},"contentChanges":[{"text":"\ud83d\ude00|\ud800|\u00e9\/"}]}`))
	wantText(t, c, uri, "😀|\uFFFD|é/")
}

func TestDocumentLifecycle(t *testing.T) {
	c := startEncoding(t, server.PositionEncodingKindUTF16)
	for uri, want := range map[protocol.DocumentURI]string{
		"file:///k/include/linux/device.h": "c",
		"file:///k/drivers/base/core.c":    "c",
		"file:///k/rust/kernel/device.rs":  "rust",
		"file:///k/Makefile":               "unknown",
		"file:///k/dir.rs/README":          "unknown",
	} {
		c.OpenDocument(uri, "x")
		doc, _ := c.Document(uri)
		if doc.Language != want || doc.Version != 1 {
			t.Errorf("%s: language %q version %d, want %q version 1", uri, doc.Language, doc.Version, want)
		}
	}

	const uri = "file:///k/a.c"
	c.OpenDocument(uri, "one")
	c.ChangeDocument(uri, lsptest.Replace("two"))
	c.OpenDocument(uri, "three") // a second didOpen replaces the document
	if doc := wantText(t, c, uri, "three"); doc.Version != 1 {
		t.Errorf("version after the second didOpen %d, want 1", doc.Version)
	}

	// A version that does not increase is logged but applied: the client's
	// text is the truth.
	c.Notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 1},
		"contentChanges": []any{map[string]any{"text": "four"}},
	})
	wantText(t, c, uri, "four")
	if !strings.Contains(c.Logs(), "does not increase") {
		t.Error("a non-increasing version was not logged")
	}

	// Malformed changes leave the document as it was.
	c.Notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 5},
		"contentChanges": "nope",
	})
	wantText(t, c, uri, "four")

	c.Notify(protocol.MethodTextDocumentDidSave, map[string]any{"textDocument": map[string]any{"uri": uri}})
	wantText(t, c, uri, "four")

	c.CloseDocument(uri)
	if _, ok := c.Document(uri); ok {
		t.Error("document still open after didClose")
	}
	c.ChangeDocument(uri, lsptest.Replace("five")) // not open: ignored
	if _, ok := c.Document(uri); ok {
		t.Error("didChange of a closed document reopened it")
	}
	c.CloseDocument(uri) // closing twice is harmless
	c.Notify(protocol.MethodTextDocumentDidOpen, map[string]any{"textDocument": map[string]any{"text": "no uri"}})
	if _, ok := c.Document(""); ok {
		t.Error("didOpen without a uri opened a document")
	}
}
