package server

import (
	"bytes"
	"sort"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// lineIndex maps between byte offsets into one text and LSP positions in one
// position encoding. It is the only place that does UTF-16/UTF-8 arithmetic.
//
// Lines end at "\n", "\r\n" or a lone "\r", as the specification says. A
// character is a UTF-8 sequence as utf8.DecodeRune reads it: a valid rune
// counts as one UTF-16 unit, or two (a surrogate pair) above U+FFFF; each
// byte that is not valid UTF-8 is a character of its own and counts as one
// unit, the way an editor shows it as U+FFFD. Under UTF-8 a position counts
// bytes, so every byte offset inside a line is addressable.
type lineIndex struct {
	text []byte
	// starts[i] is the byte offset at which line i begins; starts[0] is 0.
	starts []int
	enc    PositionEncodingKind
}

// newLineIndex indexes the line starts of text. It keeps text, which must
// not change afterwards.
func newLineIndex(text []byte, enc PositionEncodingKind) *lineIndex {
	starts := make([]int, 1, 1+bytes.Count(text, []byte{'\n'}))
	if bytes.IndexByte(text, '\r') < 0 {
		for i := 0; ; {
			j := bytes.IndexByte(text[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			starts = append(starts, i)
		}
	} else {
		for i := 0; i < len(text); i++ {
			switch text[i] {
			case '\n':
				starts = append(starts, i+1)
			case '\r':
				if i+1 < len(text) && text[i+1] == '\n' {
					i++
				}
				starts = append(starts, i+1)
			}
		}
	}
	return &lineIndex{text: text, starts: starts, enc: enc}
}

// positionFix says how a position that does not name a place in the text was
// moved to one. The zero value means it named one exactly.
type positionFix uint8

const (
	fixNone positionFix = iota
	// fixNegative: a negative line moves to the start of the text, a
	// negative character to the start of its line.
	fixNegative
	// fixPastLineEnd: a character past the end of its line means the line end.
	fixPastLineEnd
	// fixPastTextEnd: a line past the last line means the end of the text.
	fixPastTextEnd
	// fixMidCharacter: a UTF-16 position inside a surrogate pair moves back
	// to the start of that character.
	fixMidCharacter
	// fixEndBeforeStart: a range end before its start moves to the start.
	fixEndBeforeStart
)

func (f positionFix) String() string {
	switch f {
	case fixNone:
		return "exact"
	case fixNegative:
		return "negative position clamped to 0"
	case fixPastLineEnd:
		return "character past the line end, using the line end"
	case fixPastTextEnd:
		return "line past the end of the text, using the end of the text"
	case fixMidCharacter:
		return "position inside a character, using its start"
	case fixEndBeforeStart:
		return "range end before its start, using the start"
	}
	return "unknown fix"
}

// offset returns the byte offset of the position (line, char). Any position
// yields a usable offset in [0, len(text)]; fix reports whether, and how, the
// position had to be moved to get it.
func (x *lineIndex) offset(line, char int64) (off int, fix positionFix) {
	switch {
	case line < 0:
		return 0, fixNegative
	case line >= int64(len(x.starts)):
		return len(x.text), fixPastTextEnd
	}
	start, end := x.starts[line], x.lineEnd(int(line))
	switch {
	case char < 0:
		return start, fixNegative
	case x.enc == PositionEncodingKindUTF8:
		if char > int64(end-start) {
			return end, fixPastLineEnd
		}
		return start + int(char), fixNone
	}
	return x.utf16Offset(start, end, char)
}

// utf16Offset walks the line text[start:end] to the char-th UTF-16 unit.
func (x *lineIndex) utf16Offset(start, end int, char int64) (int, positionFix) {
	var units int64
	for i := start; i < end; {
		if units == char {
			return i, fixNone
		}
		size, width := 1, int64(1)
		if x.text[i] >= utf8.RuneSelf {
			size, width = decodeUTF16(x.text[i:end])
		}
		if units+width > char {
			return i, fixMidCharacter
		}
		units += width
		i += size
	}
	if units == char {
		return end, fixNone
	}
	return end, fixPastLineEnd
}

// position returns the position of byte offset off. An offset outside the
// text is clamped to it; one inside a line terminator means the line end; in
// UTF-16, one inside a multi-byte character means that character's start.
func (x *lineIndex) position(off int) protocol.Position {
	off = max(0, min(off, len(x.text)))
	line := sort.SearchInts(x.starts, off+1) - 1
	start, end := x.starts[line], x.lineEnd(line)
	off = min(off, end)
	char := off - start
	if x.enc != PositionEncodingKindUTF8 {
		char = x.utf16Column(start, off, end)
	}
	return protocol.Position{Line: uint32(line), Character: uint32(char)}
}

// rangeOf returns the range of the byte span [start, end).
func (x *lineIndex) rangeOf(start, end int) protocol.Range {
	return protocol.Range{Start: x.position(start), End: x.position(end)}
}

// utf16Column counts the UTF-16 units of the characters of the line
// text[start:end] that end at or before off.
func (x *lineIndex) utf16Column(start, off, end int) int {
	units := 0
	for i := start; i < off; {
		size, width := 1, int64(1)
		if x.text[i] >= utf8.RuneSelf {
			size, width = decodeUTF16(x.text[i:end])
		}
		if i+size > off {
			break
		}
		units += int(width)
		i += size
	}
	return units
}

// lineEnd returns the offset just past the last character of line, before
// its terminator.
func (x *lineIndex) lineEnd(line int) int {
	if line+1 == len(x.starts) {
		return len(x.text)
	}
	end := x.starts[line+1] - 1 // the last byte of the terminator
	if x.text[end] == '\n' && end > x.starts[line] && x.text[end-1] == '\r' {
		end--
	}
	return end
}

// decodeUTF16 returns the byte size of the character that starts b and its
// width in UTF-16 units. Bytes that are not valid UTF-8 are one-byte
// characters of width one.
func decodeUTF16(b []byte) (size int, width int64) {
	r, size := utf8.DecodeRune(b)
	if r >= 0x10000 {
		return size, 2
	}
	return size, 1
}
