package analysistest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Want is one expected report: a `// want "CODE"` comment (or `/* want
// "CODE" */` in C) asks for a report of CODE on the comment's line.
type Want struct {
	File string // slash-separated, relative to the tree's root
	Line int    // 1-based line of the want comment
	Code string
	// Fixme is the text after "FIXME:" in a comment on the same line, or
	// "". It marks a known-wrong expectation: the want records what rivet
	// does today (a false positive, say), and is asserted all the same, so
	// a change in that behaviour is noticed.
	Fixme string
}

func (w Want) String() string {
	s := fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Code)
	if w.Fixme != "" {
		s += " (FIXME: " + w.Fixme + ")"
	}
	return s
}

// codePattern is the shape of a rule code (DESIGN §4: kebab-case). A want
// that does not fit is a typo, reported as an error rather than left to
// fail as a missing report.
var codePattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// Expectations walks the tree at root and returns the want comments of its
// .rs, .c and .h files, sorted by file, line and code. Directories whose
// name starts with "." are skipped. A want comment is the word want and
// one or more Go-quoted codes (`// want "a" "b"` expects two reports on
// its line); anything after the codes must be a further `//` comment. A
// malformed want (bad quoting, a code that is not kebab-case, trailing
// text) is an error naming its file and line; the wants of every
// well-formed comment are still returned.
func Expectations(root string) ([]Want, error) {
	var (
		wants []Want
		errs  []error
	)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		lang, ok := langForPath(path)
		if !ok || !d.Type().IsRegular() {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		ws, err := parseWants(filepath.ToSlash(rel), lang, src)
		wants = append(wants, ws...)
		if err != nil {
			errs = append(errs, err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("expectations %s: %w", root, err)
	}
	sortWants(wants)
	return wants, errors.Join(errs...)
}

func sortWants(ws []Want) {
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := ws[i], ws[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Code < b.Code
	})
}

// lang is the comment syntax of a file.
type lang uint8

const (
	langC lang = iota + 1
	langRust
)

func langForPath(path string) (lang, bool) {
	switch filepath.Ext(path) {
	case ".c", ".h":
		return langC, true
	case ".rs":
		return langRust, true
	}
	return 0, false
}

// parseWants returns the wants of one file; name is used in results and
// errors only.
func parseWants(name string, l lang, src []byte) ([]Want, error) {
	cs := scanComments(l, src)
	var (
		wants []Want
		errs  []error
	)
	for _, c := range cs {
		rest, ok := cutWant(c.text)
		if !ok {
			continue
		}
		codes, err := parseCodes(rest, c.block)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, c.line, err))
			continue
		}
		fixme := fixmeOnLine(cs, c.line)
		for _, code := range codes {
			wants = append(wants, Want{File: name, Line: c.line, Code: code, Fixme: fixme})
		}
	}
	return wants, errors.Join(errs...)
}

// cutWant reports whether a comment's text is a want comment, the word
// want followed by a quote, and returns what follows the word. Prose that
// starts with "want" is not one (41 of Linux 7.3's 2.4 million comments
// do), and neither are doc comments (`///`, `//!`, `/**`): their text
// starts with the extra marker. A want whose codes lack quotes is thus
// ignored, and Check reports the report it was meant to match as
// unexpected.
func cutWant(text string) (string, bool) {
	text = strings.TrimLeft(text, " \t")
	rest, ok := strings.CutPrefix(text, "want")
	if !ok || !strings.HasPrefix(strings.TrimLeft(rest, " \t\r\n"), `"`) {
		return "", false
	}
	return rest, true
}

// parseCodes reads the quoted codes of a want comment (cutWant saw the
// first quote). In a line comment, text after the codes must itself be a
// `//` comment (a FIXME note, say).
func parseCodes(s string, block bool) ([]string, error) {
	var codes []string
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if !strings.HasPrefix(s, `"`) {
			break
		}
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return nil, fmt.Errorf("want: bad quoted code at %.20q", s)
		}
		code, _ := strconv.Unquote(q) // QuotedPrefix accepted it
		if !codePattern.MatchString(code) {
			return nil, fmt.Errorf("want: %q is not a rule code (kebab-case, e.g. \"lifecycle-leak\")", code)
		}
		codes = append(codes, code)
		s = s[len(q):]
	}
	if s != "" && (block || !strings.HasPrefix(s, "//")) {
		return nil, fmt.Errorf("want: unexpected text %.20q after the codes (put notes in a further // comment)", s)
	}
	return codes, nil
}

// fixmeOnLine returns the note after "FIXME:" in the first comment starting
// on line that has one.
func fixmeOnLine(cs []comment, line int) string {
	for _, c := range cs {
		if c.line != line {
			continue
		}
		if _, note, ok := strings.Cut(c.text, "FIXME:"); ok {
			return strings.TrimSpace(note)
		}
	}
	return ""
}

// comment is one comment of a source file.
type comment struct {
	line  int    // 1-based line of the opening delimiter
	text  string // between the delimiters
	block bool   // /* ... */
}

// scanComments returns the comments of src in order. It skips string and
// character literals (C and Rust, with Rust raw strings and lifetimes) so
// that a "// want" inside a literal is not a comment. It is a lexer, not a
// parser: any bytes give some answer, and an unterminated literal or
// comment runs to the end of the file.
func scanComments(l lang, src []byte) []comment {
	s := scanner{src: src, lang: l, line: 1}
	var out []comment
	for s.i < len(src) {
		c := src[s.i]
		switch {
		case c == '\n':
			s.line++
			s.i++
		case c == '/' && s.peek(1) == '/':
			out = append(out, s.lineComment())
		case c == '/' && s.peek(1) == '*':
			out = append(out, s.blockComment())
		case c == '"':
			s.quoted('"')
		case c == '\'':
			s.quote()
		case l == langRust && (c == 'r' || c == 'b' || c == 'c') && !s.identBefore():
			s.rustPrefixed()
		case isIdent(c):
			for s.i < len(src) && isIdent(src[s.i]) {
				s.i++
			}
		default:
			s.i++
		}
	}
	return out
}

type scanner struct {
	src  []byte
	lang lang
	i    int
	line int
}

func (s *scanner) peek(k int) byte {
	if s.i+k < len(s.src) {
		return s.src[s.i+k]
	}
	return 0
}

func (s *scanner) identBefore() bool { return s.i > 0 && isIdent(s.src[s.i-1]) }

func isIdent(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// lineComment consumes a // comment up to the newline. In C a backslash
// before the newline continues the comment on the next line.
func (s *scanner) lineComment() comment {
	c := comment{line: s.line}
	start := s.i + 2
	s.i = start
	for s.i < len(s.src) {
		if s.src[s.i] == '\n' {
			if s.lang == langC && s.i > start && s.src[s.i-1] == '\\' {
				s.line++
				s.i++
				continue
			}
			break
		}
		s.i++
	}
	c.text = string(bytes.TrimRight(s.src[start:s.i], "\r"))
	return c
}

// blockComment consumes a /* */ comment; Rust's nest.
func (s *scanner) blockComment() comment {
	c := comment{line: s.line, block: true}
	start := s.i + 2
	s.i = start
	depth := 1
	for s.i < len(s.src) {
		switch {
		case s.src[s.i] == '\n':
			s.line++
			s.i++
		case s.src[s.i] == '*' && s.peek(1) == '/':
			depth--
			if depth == 0 {
				c.text = string(s.src[start:s.i])
				s.i += 2
				return c
			}
			s.i += 2
		case s.lang == langRust && s.src[s.i] == '/' && s.peek(1) == '*':
			depth++
			s.i += 2
		default:
			s.i++
		}
	}
	c.text = string(s.src[start:])
	return c
}

// quoted consumes a literal delimited by q, with backslash escapes. Rust
// strings may span lines; C literals may not.
func (s *scanner) quoted(q byte) {
	s.i++
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case '\\':
			if s.peek(1) == '\n' {
				s.line++
			}
			s.i += 2
			continue
		case '\n':
			s.line++
			if s.lang == langC {
				s.i++
				return // C literals end at the line, terminated or not
			}
		case q:
			s.i++
			return
		}
		s.i++
	}
}

// quote handles a single quote: a character literal, or in Rust possibly a
// lifetime or loop label ('a, 'static), which has no closing quote.
func (s *scanner) quote() {
	if s.lang == langRust && s.peek(1) != '\\' && !s.rustCharLiteral() {
		s.i++
		return
	}
	s.quoted('\'')
}

// rustCharLiteral reports whether the quote at s.i opens a one-character
// literal such as 'x' or '"' (escapes are handled by the caller).
func (s *scanner) rustCharLiteral() bool {
	j := s.i + 1
	if j >= len(s.src) {
		return false
	}
	// Skip one UTF-8 encoded character.
	j++
	for j < len(s.src) && s.src[j]&0xC0 == 0x80 {
		j++
	}
	return j < len(s.src) && s.src[j] == '\''
}

// rustPrefixed handles an identifier starting with r, b or c, which may be
// a prefixed literal: r"..", r#".."#, br"..", b"..", b'.', c"..", cr"..".
func (s *scanner) rustPrefixed() {
	j := s.i
	if s.src[j] == 'b' || s.src[j] == 'c' {
		j++
		if j < len(s.src) && (s.src[j] == '"' || s.src[j] == '\'') {
			s.i = j
			s.quoted(s.src[j])
			return
		}
	}
	if j < len(s.src) && s.src[j] == 'r' {
		k := j + 1
		for k < len(s.src) && s.src[k] == '#' {
			k++
		}
		if k < len(s.src) && s.src[k] == '"' {
			s.i = s.rawEnd(k+1, k-j-1)
			return
		}
	}
	for s.i < len(s.src) && isIdent(s.src[s.i]) {
		s.i++
	}
}

// rawEnd returns the offset just past the raw string whose body starts at
// from and which closes with a quote and hashes '#' characters (raw
// strings have no escapes), counting the newlines it crosses.
func (s *scanner) rawEnd(from, hashes int) int {
	closing := "\"" + strings.Repeat("#", hashes)
	for j := from; j < len(s.src); j++ {
		switch {
		case s.src[j] == '\n':
			s.line++
		case bytes.HasPrefix(s.src[j:], []byte(closing)):
			return j + len(closing)
		}
	}
	return len(s.src)
}
