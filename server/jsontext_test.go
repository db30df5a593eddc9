package server

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func decodeText(t *testing.T, data string) (string, error) {
	t.Helper()
	var text documentText
	err := json.Unmarshal([]byte(data), &text)
	return string(text), err
}

func TestDocumentText(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`"plain"`, "plain"},
		{`""`, ""},
		{`null`, ""},
		{"\"a\xffb\xc3\"", "a\xffb\xc3"}, // invalid UTF-8 kept byte for byte
		{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{`"\u00e9\u6f22"`, "é漢"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\ud83dA"`, "\uFFFDA"},             // a high surrogate without its low half
		{`"\ud83d\u0041"`, "\uFFFDA"},        // followed by an escape that is not a low half
		{`"\ude00\ud83d"`, "\uFFFD\uFFFD"},   // halves in the wrong order
		{"\"\xed\xa0\x80\"", "\xed\xa0\x80"}, // an encoded surrogate is invalid UTF-8: kept
	} {
		got, err := decodeText(t, tc.json)
		if err != nil || got != tc.want {
			t.Errorf("decode %q = %q, %v; want %q", tc.json, got, err, tc.want)
		}
	}
	for _, bad := range []string{`5`, `["x"]`, `{"a":1}`} {
		if _, err := decodeText(t, bad); err == nil {
			t.Errorf("decode %s: no error", bad)
		}
	}
}

// FuzzDocumentText checks documentText against encoding/json: both decode
// the same JSON strings to the same text, except that documentText keeps
// invalid bytes where encoding/json writes U+FFFD.
func FuzzDocumentText(f *testing.F) {
	for _, s := range []string{`"x"`, `"\ud83d\ude00"`, "\"a\xffb\"", `"\u0000\\"`, `"\ud800\udbff\udfff"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want string
		if json.Unmarshal(data, &want) != nil {
			return // not a JSON string
		}
		var got documentText
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatalf("%q: encoding/json decodes it but documentText fails: %v", data, err)
		}
		if replaced := replaceInvalidBytes(got); replaced != want {
			t.Fatalf("%q: documentText %q (%q after replacing invalid bytes), encoding/json %q", data, got, replaced, want)
		}
	})
}

// replaceInvalidBytes writes U+FFFD for each byte of b that is not valid
// UTF-8, as encoding/json does.
func replaceInvalidBytes(b []byte) string {
	var out []byte
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		out = utf8.AppendRune(out, r)
		b = b[size:]
	}
	return string(out)
}
