package server

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"go.lsp.dev/protocol"
)

// oracleLine is one line of a text as the reference implementation below
// sees it: where it starts and ends, and for each character boundary its
// byte offset from the line start and its UTF-16 column.
type oracleLine struct {
	start, end int
	bytes      []int
	units      []int
}

// oracle splits text into lines and characters independently of lineIndex:
// a range loop over the string yields one U+FFFD per invalid byte, and
// utf16.RuneLen counts the units.
func oracle(text []byte) []oracleLine {
	var lines []oracleLine
	for start := 0; ; {
		end, next := len(text), -1
		if i := bytes.IndexAny(text[start:], "\r\n"); i >= 0 {
			end = start + i
			next = end + 1
			if text[end] == '\r' && next < len(text) && text[next] == '\n' {
				next++
			}
		}
		l := oracleLine{start: start, end: end, bytes: []int{0}, units: []int{0}}
		units := 0
		for i, r := range string(text[start:end]) {
			size := len(string(r))
			if r == '\uFFFD' && !strings.HasPrefix(string(text[start+i:end]), "\uFFFD") {
				size = 1 // an invalid byte
			}
			units += utf16.RuneLen(r)
			l.bytes = append(l.bytes, i+size)
			l.units = append(l.units, units)
		}
		lines = append(lines, l)
		if next < 0 {
			return lines
		}
		start = next
	}
}

// wantPosition is the oracle's position of byte offset off.
func wantPosition(lines []oracleLine, off int, enc PositionEncodingKind) protocol.Position {
	for n, l := range lines {
		if n+1 < len(lines) && off >= lines[n+1].start {
			continue
		}
		off = min(max(off, l.start), l.end) - l.start
		k := 0
		for k+1 < len(l.bytes) && l.bytes[k+1] <= off {
			k++
		}
		char := l.units[k]
		if enc == PositionEncodingKindUTF8 {
			char = off
		}
		return protocol.Position{Line: uint32(n), Character: uint32(char)}
	}
	panic("unreachable")
}

// wantOffset is the oracle's offset of the position (line, char).
func wantOffset(lines []oracleLine, textLen int, line, char int64, enc PositionEncodingKind) int {
	switch {
	case line < 0:
		return 0
	case line >= int64(len(lines)):
		return textLen
	}
	l := lines[line]
	switch {
	case char < 0:
		return l.start
	case enc == PositionEncodingKindUTF8:
		return l.start + int(min(char, int64(l.end-l.start)))
	}
	k := 0
	for k+1 < len(l.units) && int64(l.units[k+1]) <= char {
		k++
	}
	return l.start + l.bytes[k]
}

var encodings = []PositionEncodingKind{PositionEncodingKindUTF16, PositionEncodingKindUTF8}

// checkAgainstOracle compares every offset of text and a band of positions
// around every line with the oracle.
func checkAgainstOracle(t *testing.T, text []byte) {
	t.Helper()
	lines := oracle(text)
	for _, enc := range encodings {
		x := newLineIndex(text, enc)
		if len(x.starts) != len(lines) {
			t.Fatalf("%q (%s): %d lines, oracle %d", text, enc, len(x.starts), len(lines))
		}
		for off := -2; off <= len(text)+2; off++ {
			if got, want := x.position(off), wantPosition(lines, off, enc); got != want {
				t.Errorf("%q (%s): position(%d) = %v, want %v", text, enc, off, got, want)
			}
		}
		for line := int64(-1); line <= int64(len(lines)); line++ {
			for char := int64(-1); char <= int64(len(text))+2; char++ {
				if got, want := offsetOnly(x.offset(line, char)), wantOffset(lines, len(text), line, char, enc); got != want {
					t.Errorf("%q (%s): offset(%d, %d) = %d, want %d", text, enc, line, char, got, want)
				}
			}
		}
	}
}

func offsetOnly(off int, _ positionFix) int { return off }

var positionTexts = []string{
	"",
	"a",
	"\n",
	"\r",
	"\r\n",
	"\n\r",
	"\r\r\n\n",
	"a😀b 漢字\r\nline2\rline3\n",
	"ok\xff\xfe\xe2\x82\nend",
	"\xed\xa0\x80", // an encoded surrogate: three invalid bytes
	"é\u2028x",     // U+2028 is not a line terminator in LSP
	"\xf0\x9f\x98", // a truncated emoji
	"🦀\r",
}

func TestLineIndexAgainstOracle(t *testing.T) {
	for _, text := range positionTexts {
		checkAgainstOracle(t, []byte(text))
	}
}

func TestLineIndexFixes(t *testing.T) {
	text := []byte("a😀b\r\ncd")
	for _, tc := range []struct {
		enc        PositionEncodingKind
		line, char int64
		off        int
		fix        positionFix
	}{
		{PositionEncodingKindUTF16, 0, 0, 0, fixNone},
		{PositionEncodingKindUTF16, 0, 1, 1, fixNone},
		{PositionEncodingKindUTF16, 0, 2, 1, fixMidCharacter},
		{PositionEncodingKindUTF16, 0, 3, 5, fixNone},
		{PositionEncodingKindUTF16, 0, 4, 6, fixNone},
		{PositionEncodingKindUTF16, 0, 5, 6, fixPastLineEnd},
		{PositionEncodingKindUTF16, 1, 2, 10, fixNone},
		{PositionEncodingKindUTF16, 1, 3, 10, fixPastLineEnd},
		{PositionEncodingKindUTF16, 2, 0, 10, fixPastTextEnd},
		{PositionEncodingKindUTF16, -1, 0, 0, fixNegative},
		{PositionEncodingKindUTF16, 1, -1, 8, fixNegative},
		{PositionEncodingKindUTF8, 0, 2, 2, fixNone}, // bytes are addressable
		{PositionEncodingKindUTF8, 0, 6, 6, fixNone},
		{PositionEncodingKindUTF8, 0, 7, 6, fixPastLineEnd},
	} {
		off, fix := newLineIndex(text, tc.enc).offset(tc.line, tc.char)
		if off != tc.off || fix != tc.fix {
			t.Errorf("%s offset(%d, %d) = %d, %v; want %d, %v", tc.enc, tc.line, tc.char, off, fix, tc.off, tc.fix)
		}
	}
}

func TestRangeOf(t *testing.T) {
	text := []byte("x\n漢😀y")
	got := newLineIndex(text, PositionEncodingKindUTF16).rangeOf(2, 9)
	want := protocol.Range{Start: protocol.Position{Line: 1}, End: protocol.Position{Line: 1, Character: 3}}
	if got != want {
		t.Errorf("rangeOf(2, 9) = %v, want %v", got, want)
	}
}

// FuzzPositionConversion checks lineIndex against the oracle on random text
// and positions, and that offset -> position -> offset round-trips at every
// character boundary.
func FuzzPositionConversion(f *testing.F) {
	for _, text := range positionTexts {
		f.Add([]byte(text), 3, int64(0), int64(2))
	}
	f.Fuzz(func(t *testing.T, text []byte, off int, line, char int64) {
		if len(text) > 1<<9 {
			return
		}
		lines := oracle(text)
		for _, enc := range encodings {
			x := newLineIndex(text, enc)
			pos := x.position(off)
			if want := wantPosition(lines, off, enc); pos != want {
				t.Fatalf("%q (%s): position(%d) = %v, want %v", text, enc, off, pos, want)
			}
			back, fix := x.offset(int64(pos.Line), int64(pos.Character))
			if fix != fixNone || x.position(back) != pos {
				t.Fatalf("%q (%s): position %v of offset %d maps back to %d (%v)", text, enc, pos, off, back, fix)
			}
			got, _ := x.offset(line, char)
			if want := wantOffset(lines, len(text), line, char, enc); got != want {
				t.Fatalf("%q (%s): offset(%d, %d) = %d, want %d", text, enc, line, char, got, want)
			}
			// Every character boundary round-trips exactly.
			for _, l := range lines {
				for _, b := range l.bytes {
					p := x.position(l.start + b)
					if o, fix := x.offset(int64(p.Line), int64(p.Character)); o != l.start+b || fix != fixNone {
						t.Fatalf("%q (%s): boundary %d -> %v -> %d (%v)", text, enc, l.start+b, p, o, fix)
					}
				}
			}
		}
	})
}

func TestApplyChanges(t *testing.T) {
	text := []byte("héllo\nwörld\n")
	orig := bytes.Clone(text)
	got, fixes := applyChanges(text, []textChange{
		{Range: &wireRange{Start: wirePosition{0, 1}, End: wirePosition{0, 2}}, Text: documentText("e")},
		{Range: &wireRange{Start: wirePosition{1, 9}, End: wirePosition{1, 9}}, Text: documentText("!")},
		{Range: &wireRange{Start: wirePosition{1, 2}, End: wirePosition{1, 1}}, Text: documentText("_")},
	}, PositionEncodingKindUTF16)
	if want := "hello\nwö_rld!\n"; string(got) != want {
		t.Errorf("applyChanges = %q, want %q", got, want)
	}
	wantFixes := []changeFix{
		{1, wirePosition{1, 9}, fixPastLineEnd}, // start
		{1, wirePosition{1, 9}, fixPastLineEnd}, // end
		{2, wirePosition{1, 1}, fixEndBeforeStart},
	}
	if !slices.Equal(fixes, wantFixes) {
		t.Errorf("fixes = %v, want %v", fixes, wantFixes)
	}
	if !bytes.Equal(text, orig) {
		t.Errorf("applyChanges modified its input: %q", text)
	}
}

// benchText is about 1 MiB of kernel-like C with some UTF-8 in comments.
var benchText = func() []byte {
	var b bytes.Buffer
	for b.Len() < 1<<20 {
		b.WriteString("static int rivet_probe(struct device *dev) /* café — 设备 */\n{\n\treturn get_device(dev) ? 0 : -ENODEV;\n}\n\n")
	}
	return b.Bytes()
}()

func BenchmarkNewLineIndex(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		newLineIndex(benchText, PositionEncodingKindUTF16)
	}
}

func BenchmarkPositionUTF16(b *testing.B) {
	x := newLineIndex(benchText, PositionEncodingKindUTF16)
	off := 0
	for b.Loop() {
		x.position(off)
		off = (off + 7919) % len(benchText)
	}
}

func BenchmarkOffsetUTF16(b *testing.B) {
	x := newLineIndex(benchText, PositionEncodingKindUTF16)
	line := int64(0)
	for b.Loop() {
		x.offset(line, 50)
		line = (line + 97) % int64(len(x.starts))
	}
}

// BenchmarkApplyChange is one keystroke in a 1 MiB document: line index,
// offsets and the copy.
func BenchmarkApplyChange(b *testing.B) {
	ch := []textChange{{Range: &wireRange{Start: wirePosition{5000, 10}, End: wirePosition{5000, 10}}, Text: documentText("x")}}
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		applyChanges(benchText, ch, PositionEncodingKindUTF16)
	}
}

func TestDocumentLines(t *testing.T) {
	for _, enc := range encodings {
		d := &Document{Text: []byte("x\n😀y"), enc: enc}
		want := protocol.Position{Line: 1, Character: 2}
		if enc == PositionEncodingKindUTF8 {
			want.Character = 4
		}
		if got := d.lines().position(6); got != want {
			t.Errorf("%s: snapshot position of the y = %v, want %v", enc, got, want)
		}
		if first, again := d.lines(), d.lines(); first != again {
			t.Errorf("%s: the snapshot's line index is rebuilt on each use", enc)
		}
	}
}
