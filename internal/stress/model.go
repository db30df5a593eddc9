package stress

import (
	"bytes"
	"math/rand/v2"
	"unicode/utf8"
)

// text is document text that marshals to a JSON string byte for byte,
// invalid UTF-8 included (encoding/json would replace such bytes with
// U+FFFD; an editor can send them).
type text []byte

// MarshalJSON implements json.Marshaler, escaping only what JSON requires.
func (t text) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, len(t)+2)
	out = append(out, '"')
	for _, c := range []byte(t) {
		switch {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c < 0x20:
			out = append(out, `\u00`...)
			out = append(out, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			out = append(out, c)
		}
	}
	return append(out, '"'), nil
}

// position is an LSP position; int64 so the driver can send negative and
// oversized numbers on purpose.
type position struct {
	Line      int64 `json:"line"`
	Character int64 `json:"character"`
}

type lspRange struct {
	Start position `json:"start"`
	End   position `json:"end"`
}

// doc is the driver's copy of an open document.
type doc struct {
	uri     string
	lang    string // languageId sent at didOpen
	version int32
	text    []byte
	// known: text is what the server holds. An edit the driver does not
	// model (an out-of-range range) clears it until a full replacement.
	known bool
	// history holds the latest states sent, oldest first; dropped counts
	// the ones let go before them. A check of the server's copy accepts
	// any state sent since the check: the server may apply later changes
	// before it answers.
	history []docState
	dropped int
}

type docState struct {
	version int32
	text    []byte
}

// sent records the state just sent to the server.
func (d *doc) sent() {
	d.history = append(d.history, docState{d.version, d.text})
	if len(d.history) > 64 {
		d.history = d.history[1:]
		d.dropped++
	}
}

// since returns the states sent from state number n on.
func (d *doc) since(n int) []docState {
	return d.history[max(0, n-d.dropped):]
}

// lineStarts returns the byte offsets at which the lines of t begin. Lines
// end at "\n", "\r\n" or a lone "\r", as the LSP specification says.
func lineStarts(t []byte) []int {
	starts := []int{0}
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '\n':
			starts = append(starts, i+1)
		case '\r':
			if i+1 < len(t) && t[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineOf returns the line holding offset off.
func lineOf(starts []int, off int) int {
	lo, hi := 0, len(starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// lineEnd returns the offset where line's content ends, before its
// terminator.
func lineEnd(t []byte, starts []int, line int) int {
	end := len(t)
	if line+1 < len(starts) {
		end = starts[line+1]
	}
	for end > starts[line] && (t[end-1] == '\n' || t[end-1] == '\r') {
		end--
	}
	return end
}

// positionOf returns the position of offset off, which must be a
// boundary (see boundary). UTF-16 counts a valid rune above U+FFFF as two
// units and every other character, each byte of invalid UTF-8 included,
// as one; UTF-8 counts bytes.
func positionOf(t []byte, starts []int, off int, utf16 bool) position {
	line := lineOf(starts, off)
	start := starts[line]
	if !utf16 {
		return position{Line: int64(line), Character: int64(off - start)}
	}
	var units int64
	for i := start; i < off; {
		r, size := utf8.DecodeRune(t[i:off])
		units++
		if r >= 0x10000 {
			units++
		}
		i += size
	}
	return position{Line: int64(line), Character: units}
}

// boundary moves off back to an offset a position can name: not inside a
// line terminator, and under UTF-16 not inside a character.
func boundary(t []byte, starts []int, off int, utf16 bool) int {
	line := lineOf(starts, off)
	start, end := starts[line], lineEnd(t, starts, line)
	if off > end {
		return end
	}
	if !utf16 {
		return off
	}
	b := start
	for b < off {
		_, size := utf8.DecodeRune(t[b:end])
		if b+size > off {
			break
		}
		b += size
	}
	return b
}

// identStarts returns up to max offsets where identifiers begin, spread
// over t: the places a user hovers or jumps from.
func identStarts(t []byte, max int) []int {
	var offs []int
	step := 1 + len(t)/(max*8+1)
	for i := 0; i < len(t) && len(offs) < max; i += step {
		for i < len(t) && !isIdent(t[i]) {
			i++
		}
		if i < len(t) && (i == 0 || !isIdent(t[i-1])) {
			offs = append(offs, i)
		}
		for i < len(t) && isIdent(t[i]) {
			i++
		}
	}
	return offs
}

func isIdent(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// fragments are the texts edits insert: code that crosses the FFI
// boundary, line terminators of every kind, characters of every UTF-8
// length, a surrogate pair in UTF-16, invalid bytes and NUL.
var fragments = []string{
	"", "x", "_", " ", "\n", "\r\n", "\r", "\t", "{", "}", "(", ")", ";", "::", "//", "/*", "*/", `"`, "'",
	"bindings::", "bindings::get_device(dev)", "unsafe { ", "// SAFETY: fine\n", "fn f() {}\n", "#[no_mangle]\n",
	"extern \"C\" { fn put_device(d: *mut u8); }\n", "struct device *get_device(struct device *dev);\n",
	"#define X(a) a\n", "#if 0\n", "#endif\n", "static inline int f(void) { return 0; }\n",
	"é", "€", "𝄞", "\xff", "\xed\xa0\x80", "\xc0\xaf", "\x00", "\u2028",
	"list_for_each_entry(pos, head, member) {", "scoped_guard(mutex, &lock) {", "__must_check ", "__user ",
	"r#\"raw\"#", "&raw const x", "impl Drop for X { fn drop(&mut self) {} }\n",
}

// randomEdit picks a range of t at boundaries and a fragment to put there.
func randomEdit(rng *rand.Rand, t []byte, utf16 bool) (start, end int, frag string) {
	starts := lineStarts(t)
	start = boundary(t, starts, rng.IntN(len(t)+1), utf16)
	end = start
	if rng.IntN(3) > 0 {
		end = boundary(t, starts, min(len(t), start+rng.IntN(64)), utf16)
		end = max(end, start)
	}
	frag = fragments[rng.IntN(len(fragments))]
	if rng.IntN(20) == 0 { // a paste
		frag = string(bytes.Repeat([]byte(frag+"\n"), 1+rng.IntN(200)))
	}
	return start, end, frag
}
