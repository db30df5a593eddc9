package ctype

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// rtype is a Rust type as written, parsed from its text.
type rtype struct {
	kind rkind
	// path: the segments; args are the generic arguments of the last one.
	path []string
	args []*rtype
	// ptr, ref: mut says *mut / &mut.
	mut  bool
	elem *rtype // ptr, ref, array, slice
	len  string // array: the length expression
	// fn pointer
	abi      string // "C", "Rust" (no extern), ...
	params   []*rtype
	ret      *rtype // nil for ()
	variadic bool
	elems    []*rtype // tuple
}

type rkind uint8

const (
	rUnknown rkind = iota
	rPath
	rPtr
	rRef
	rArray
	rSlice
	rTuple // () is the empty tuple
	rFn
	rNever
)

// parseRust parses a type's text. Anything it does not understand
// (dyn, impl, macros, qualified paths) is rUnknown; it never fails.
func parseRust(text string) *rtype {
	p := &rparser{toks: rtokens(text)}
	t := p.typ(0)
	if p.i != len(p.toks) {
		return &rtype{}
	}
	return t
}

type rparser struct {
	toks []string
	i    int
}

func (p *rparser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *rparser) next() string {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *rparser) eat(tok string) bool {
	if p.peek() == tok {
		p.i++
		return true
	}
	return false
}

// typ parses one type; depth bounds nesting against hostile input.
func (p *rparser) typ(depth int) *rtype {
	if depth > maxDepth*2 {
		p.i = len(p.toks)
		return &rtype{}
	}
	switch tok := p.peek(); {
	case tok == "*":
		p.next()
		t := &rtype{kind: rPtr}
		switch p.next() {
		case "mut":
			t.mut = true
		case "const":
		default:
			return &rtype{}
		}
		t.elem = p.typ(depth + 1)
		return t
	case tok == "&" || tok == "&&":
		p.next()
		t := &rtype{kind: rRef}
		if strings.HasPrefix(p.peek(), "'") {
			p.next()
		}
		t.mut = p.eat("mut")
		t.elem = p.typ(depth + 1)
		if tok == "&&" {
			return &rtype{kind: rRef, elem: t}
		}
		return t
	case tok == "(":
		p.next()
		t := &rtype{kind: rTuple}
		comma := false
		for !p.eat(")") {
			if p.peek() == "" {
				return &rtype{}
			}
			t.elems = append(t.elems, p.typ(depth+1))
			comma = p.eat(",")
			if !comma && p.peek() != ")" {
				return p.bail()
			}
		}
		if len(t.elems) == 1 && !comma {
			return t.elems[0] // (T) is T; (T,) is a tuple
		}
		return t
	case tok == "[":
		p.next()
		elem := p.typ(depth + 1)
		if p.eat("]") {
			return &rtype{kind: rSlice, elem: elem}
		}
		if !p.eat(";") {
			return p.bail()
		}
		var n []string
		for lvl := 0; ; {
			t := p.next()
			switch t {
			case "":
				return &rtype{}
			case "[", "(", "{":
				lvl++
			case ")", "}":
				lvl--
			case "]":
				if lvl == 0 {
					return &rtype{kind: rArray, elem: elem, len: strings.Join(n, "")}
				}
				lvl--
			}
			n = append(n, t)
		}
	case tok == "!":
		p.next()
		return &rtype{kind: rNever}
	case tok == "unsafe" || tok == "extern" || tok == "fn" || tok == "for":
		return p.fnPtr(depth)
	case tok == "dyn" || tok == "impl" || tok == "<" || tok == "_":
		return p.bail()
	case tok == "::" || isIdent(tok):
		return p.pathType(depth)
	}
	return p.bail()
}

// bail gives up on the rest of the text.
func (p *rparser) bail() *rtype {
	p.i = len(p.toks) + 1
	return &rtype{}
}

// pathType parses `a::b::C<args>`; generic arguments of inner segments
// are skipped.
func (p *rparser) pathType(depth int) *rtype {
	t := &rtype{kind: rPath}
	p.eat("::")
	for {
		seg := p.next()
		if !isIdent(seg) {
			return p.bail()
		}
		t.path = append(t.path, seg)
		t.args = nil
		if p.peek() == "::" && p.i+1 < len(p.toks) && p.toks[p.i+1] == "<" {
			p.next() // turbofish-style Foo::<T>
		}
		if p.eat("<") {
			for !p.eat(">") {
				if p.peek() == "" {
					return &rtype{}
				}
				if strings.HasPrefix(p.peek(), "'") {
					p.next() // a lifetime argument
				} else {
					t.args = append(t.args, p.typ(depth+1))
				}
				if !p.eat(",") && p.peek() != ">" {
					return p.bail()
				}
			}
		}
		if !p.eat("::") {
			return t
		}
	}
}

// fnPtr parses `[for<'a>] [unsafe] [extern "ABI"] fn(params) [-> ret]`.
func (p *rparser) fnPtr(depth int) *rtype {
	t := &rtype{kind: rFn, abi: "Rust"}
	if p.eat("for") {
		if !p.eat("<") {
			return p.bail()
		}
		for !p.eat(">") {
			if p.next() == "" {
				return &rtype{}
			}
		}
	}
	p.eat("unsafe")
	if p.eat("extern") {
		t.abi = "C"
		if s := p.peek(); strings.HasPrefix(s, `"`) {
			p.next()
			t.abi = strings.Trim(s, `"`)
		}
	}
	if !p.eat("fn") || !p.eat("(") {
		return p.bail()
	}
	for !p.eat(")") {
		if p.peek() == "" {
			return &rtype{}
		}
		if p.eat("...") {
			t.variadic = true
			continue
		}
		// An optional `name:` before the type.
		if isIdent(p.peek()) && p.i+1 < len(p.toks) && p.toks[p.i+1] == ":" {
			p.i += 2
		}
		t.params = append(t.params, p.typ(depth+1))
		if !p.eat(",") && p.peek() != ")" {
			return p.bail()
		}
	}
	if p.eat("->") {
		t.ret = p.typ(depth + 1)
	}
	return t
}

// rtokens splits type text into identifiers, lifetimes, strings and
// punctuation (`::`, `->`, `...`, `&&` as one token each).
func rtokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return append(out, s[i:])
			}
			out = append(out, s[i:i+j+2])
			i += j + 2
		case c == '\'':
			j := i + 1
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		case isIdentByte(c) || c >= utf8.RuneSelf:
			j := i
			for j < len(s) && (isIdentByte(s[j]) || s[j] >= utf8.RuneSelf) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		default:
			n := 1
			for _, op := range []string{"...", "::", "->", "&&"} {
				if strings.HasPrefix(s[i:], op) {
					n = len(op)
					break
				}
			}
			out = append(out, s[i:i+n])
			i += n
		}
	}
	return out
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c == '#' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isIdent reports whether tok is an identifier or a path keyword
// (crate, self, super, Self, $crate), not a literal.
func isIdent(tok string) bool {
	if tok == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(tok)
	return r == '_' || r == '$' || r == '#' || unicode.IsLetter(r)
}
