package index

import (
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// A kernel tree has about 3.5 million file-scope C declarations outside
// register dumps. Kept as facts.ScanDecl values in a map[string][]DeclRef
// they cost ~600 MB and most of the build's time went to the garbage
// collector scanning them. So the index stores them without pointers: each
// file's names in one string and fixed-size records, and one hash table
// from name hash to a chain of (file, declaration) postings. DeclRef
// values are made only for the declarations a lookup returns.

// declStore is one file's scanned declarations.
type declStore struct {
	names string // every name, back to back
	items []declItem
}

// declItem is a facts.ScanDecl without its string.
type declItem struct {
	nameOff uint32
	nameLen uint32
	name0   uint32
	start   uint32
	end     uint32
	line    uint32
	kind    facts.DeclKind
	flags   facts.ScanFlags
}

func newDeclStore(ds []facts.ScanDecl) declStore {
	var b strings.Builder
	n := 0
	for i := range ds {
		n += len(ds[i].Name)
	}
	b.Grow(n)
	items := make([]declItem, len(ds))
	for i := range ds {
		d := &ds[i]
		items[i] = declItem{
			nameOff: uint32(b.Len()), nameLen: uint32(len(d.Name)),
			name0: d.Name0, start: d.Span.Start, end: d.Span.End, line: d.Line,
			kind: d.Kind, flags: d.Flags,
		}
		b.WriteString(d.Name)
	}
	return declStore{names: b.String(), items: items}
}

func (s *declStore) len() int { return len(s.items) }

// name is the i-th declaration's name, sharing the store's memory.
func (s *declStore) name(i int) string {
	it := &s.items[i]
	return s.names[it.nameOff : it.nameOff+it.nameLen]
}

// decl materialises the i-th declaration.
func (s *declStore) decl(i int) facts.ScanDecl {
	it := &s.items[i]
	return facts.ScanDecl{
		Name: s.name(i), Kind: it.kind, Flags: it.flags, Name0: it.name0,
		Span: facts.Span{Start: it.start, End: it.end}, Line: it.line,
	}
}

// all materialises every declaration.
func (s *declStore) all() []facts.ScanDecl {
	out := make([]facts.ScanDecl, len(s.items))
	for i := range s.items {
		out[i] = s.decl(i)
	}
	return out
}

// nameTable maps names to the declarations of them across files: a
// pointer-free hash table of chains through a postings arena.
type nameTable struct {
	heads map[uint64]uint32 // name hash -> index+1 of the first posting
	posts []posting
	free  uint32 // index+1 of the first free posting, chained through next
	count int    // live postings
}

// posting is one declaration of a name: file id and declaration index.
type posting struct {
	file uint32
	decl uint32
	next uint32 // index+1 of the next posting of the same hash, 0 at the end
}

func newNameTable() nameTable { return nameTable{heads: map[uint64]uint32{}} }

func hashName(name string) uint64 { return xxhash.Sum64String(name) }

// grow makes room for n more postings.
func (t *nameTable) grow(n int) {
	heads := make(map[uint64]uint32, len(t.heads)+n)
	for h, at := range t.heads {
		heads[h] = at
	}
	t.heads = heads
	t.posts = append(make([]posting, 0, len(t.posts)+n), t.posts...)
}

func (t *nameTable) add(h uint64, file, decl uint32) {
	p := posting{file: file, decl: decl, next: t.heads[h]}
	var at uint32
	if t.free != 0 {
		at = t.free
		t.free = t.posts[at-1].next
		t.posts[at-1] = p
	} else {
		t.posts = append(t.posts, p)
		at = uint32(len(t.posts))
	}
	t.heads[h] = at
	t.count++
}

// remove drops the postings of file under hash h.
func (t *nameTable) remove(h uint64, file uint32) {
	prev := uint32(0)
	for at := t.heads[h]; at != 0; {
		p := &t.posts[at-1]
		next := p.next
		if p.file == file {
			if prev == 0 {
				if next == 0 {
					delete(t.heads, h)
				} else {
					t.heads[h] = next
				}
			} else {
				t.posts[prev-1].next = next
			}
			p.next, p.file = t.free, 0
			t.free = at
			t.count--
		} else {
			prev = at
		}
		at = next
	}
}

// each calls fn for every posting under hash h until fn returns false.
func (t *nameTable) each(h uint64, fn func(posting) bool) {
	for at := t.heads[h]; at != 0; at = t.posts[at-1].next {
		if !fn(t.posts[at-1]) {
			return
		}
	}
}
