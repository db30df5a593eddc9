package server

import (
	"bytes"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// documentText is the text of a document as it arrives in a JSON string,
// decoded to the exact bytes the client sent.
//
// encoding/json replaces bytes that are not valid UTF-8 with U+FFFD when it
// decodes a string into a Go string; a document must keep them, or the byte
// offsets rivet computes would not match the file on disk. JSON escapes are
// decoded normally; an escaped lone surrogate (\ud800) becomes U+FFFD because
// UTF-8 cannot hold it.
type documentText []byte

// UnmarshalJSON implements json.Unmarshaler. encoding/json has already
// checked that data is one well-formed JSON value.
func (t *documentText) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*t = nil
		return nil
	}
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return errors.New("document text is not a JSON string")
	}
	body := data[1 : len(data)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		*t = bytes.Clone(body)
		return nil
	}
	text, err := unquoteJSON(body)
	*t = text
	return err
}

// unquoteJSON decodes the escapes of a JSON string body, copying every other
// byte unchanged.
func unquoteJSON(body []byte) ([]byte, error) {
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i == len(body) {
			return nil, errors.New("document text ends inside an escape")
		}
		switch c := body[i]; c {
		case '"', '\\', '/':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(body[i+1:])
			if !ok {
				return nil, errors.New("document text has a malformed \\u escape")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				low, ok := hex4(body[min(i+3, len(body)):])
				if ok && i+2 < len(body) && body[i+1] == '\\' && body[i+2] == 'u' {
					if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
						r = pair
						i += 6
					}
				}
			}
			out = utf8.AppendRune(out, r) // a lone surrogate appends U+FFFD
		default:
			return nil, errors.New("document text has an unknown escape")
		}
	}
	return out, nil
}

// hex4 decodes the four hexadecimal digits that start b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
