package index

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/google/renameio/v2"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// The cache file is
//
//	magic[8] formatVersion[u32] factsVersion[u32] stream xxhash64(stream)[u64]
//
// where stream is a sequence of gob messages: a cacheHead, one cacheEntry
// per file, and a cacheTail holding the callee names the entries refer
// to. Entries are encoded and decoded one at a time, so neither side
// holds the whole file in memory. Anything that does not check out, to
// the last byte, is discarded: a cache is only ever a hint.
const (
	cacheMagic  = "RIVETIDX"
	cacheFormat = 2
	cacheHeader = 8 + 4 + 4
	cacheSum    = 8
)

// Cache is the persistent per-file facts cache of one workspace, under the
// user cache directory. It is safe against two servers on one tree (each
// write replaces the file atomically; the last complete one wins) and
// against a crash mid-write (a partial temporary file is never read).
type Cache struct {
	dir   string
	roots []string
}

// CacheDir returns rivet's cache directory under the user cache directory
// ($XDG_CACHE_HOME/rivet or ~/.cache/rivet).
func CacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("user cache directory: %w", err)
	}
	return filepath.Join(base, "rivet"), nil
}

// OpenCache returns the cache for a set of workspace roots under dir,
// creating the directories with mode 0700.
//
// variant names facts-affecting settings (the extra bindgen crates, say):
// caches of different variants are kept apart.
func OpenCache(dir string, roots []string, variant ...string) (*Cache, error) {
	sorted := append([]string(nil), roots...)
	for i, r := range sorted {
		if abs, err := filepath.Abs(r); err == nil {
			sorted[i] = filepath.ToSlash(abs)
		}
	}
	sort.Strings(sorted)
	sum := sha256.Sum256([]byte(strings.Join(sorted, "\x00") + "\x01" + strings.Join(variant, "\x00")))
	d := filepath.Join(dir, fmt.Sprintf("facts-v%d", facts.Version), hex.EncodeToString(sum[:12]))
	if err := os.MkdirAll(d, 0o700); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	// MkdirAll keeps the mode of directories that already exist: make
	// sure no one else can read or plant facts.
	for p := d; strings.HasPrefix(p, dir); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o700); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		if p == dir {
			break
		}
	}
	return &Cache{dir: d, roots: sorted}, nil
}

// Path is the cache file.
func (c *Cache) Path() string { return filepath.Join(c.dir, "index.bin") }

type cacheHead struct {
	Roots []string
	Files int
}

type cacheTail struct {
	Names []string // callee names, indexed by cacheEntry.Callees
}

type cacheEntry struct {
	Stat    Stat
	Hash    string
	Scan    *facts.Scan // Includes and Cleanups; Decls and Callees travel below
	Names   string      // the declaration store (decls.go)
	Items   []byte      // its records, declItemSize bytes each
	Callees []uint32
	C       *facts.C
	CSpans  []facts.Span
	Rust    *facts.Rust
	Dense   []uint64
}

// Load reads the cache. A missing cache is not an error (it returns an
// empty map); a damaged, foreign or outdated one is removed and an error
// says why.
func (c *Cache) Load() (map[string]*File, error) {
	f, err := os.Open(c.Path())
	if errors.Is(err, os.ErrNotExist) {
		return map[string]*File{}, nil
	}
	if err != nil {
		return map[string]*File{}, err
	}
	defer f.Close()
	files, err := c.decode(f)
	if err != nil {
		os.Remove(c.Path())
		return map[string]*File{}, fmt.Errorf("discarded %s: %w", c.Path(), err)
	}
	return files, nil
}

func (c *Cache) decode(f *os.File) (files map[string]*File, err error) {
	defer func() {
		if r := recover(); r != nil { // gob on hostile input
			files, err = nil, fmt.Errorf("decode: %v", r)
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var hdr [cacheHeader]byte
	if fi.Size() < cacheHeader+cacheSum {
		return nil, errors.New("not a rivet cache")
	}
	if _, err := io.ReadFull(f, hdr[:]); err != nil || string(hdr[:8]) != cacheMagic {
		return nil, errors.New("not a rivet cache")
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != cacheFormat {
		return nil, fmt.Errorf("cache format %d, want %d", v, cacheFormat)
	}
	if v := binary.LittleEndian.Uint32(hdr[12:]); v != facts.Version {
		return nil, fmt.Errorf("facts version %d, want %d", v, facts.Version)
	}
	sum := xxhash.New()
	stream := io.LimitReader(f, fi.Size()-cacheHeader-cacheSum)
	br := bufio.NewReaderSize(io.TeeReader(stream, sum), 1<<20)
	dec := gob.NewDecoder(br)
	var head cacheHead
	if err := dec.Decode(&head); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if strings.Join(head.Roots, "\x00") != strings.Join(c.roots, "\x00") {
		return nil, errors.New("cache of other roots")
	}
	if head.Files < 0 || head.Files > 1<<24 {
		return nil, errors.New("implausible file count")
	}
	// Grown as entries arrive: the count is the file's word, and a
	// hostile one must not cost gigabytes before the stream runs out.
	var entries []cacheEntry
	for i := range head.Files {
		entries = append(entries, cacheEntry{})
		if err := dec.Decode(&entries[i]); err != nil {
			return nil, fmt.Errorf("decode entry %d: %w", i, err)
		}
	}
	var tail cacheTail
	if err := dec.Decode(&tail); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	// Drain what the decoder left, through the hash, so the checksum
	// covers the whole stream; then compare with the trailer.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return nil, err
	}
	var want [cacheSum]byte
	if _, err := io.ReadFull(f, want[:]); err != nil {
		return nil, errors.New("truncated")
	}
	if sum.Sum64() != binary.LittleEndian.Uint64(want[:]) {
		return nil, errors.New("checksum mismatch")
	}
	files = make(map[string]*File, len(entries))
	tab := &calleeTable{names: tail.Names}
	for i := range entries {
		e := &entries[i]
		if err := c.validate(e, len(tail.Names)); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		f := &File{Stat: e.Stat, Hash: e.Hash, Scan: e.Scan, C: e.C, CSpans: e.CSpans, Rust: e.Rust, DenseMacros: e.Dense}
		f.decls = declStore{names: e.Names, items: decodeItems(e.Items)}
		if len(e.Callees) > 0 {
			f.cached = &cachedCallees{table: tab, ids: e.Callees}
		}
		files[f.Path] = f
	}
	return files, nil
}

// validate checks what rivet later trusts: the path is clean and lies
// inside a root, the language matches, the size is one rivet reads, and
// every span — declaration records and every facts.Span of Scan, C and
// Rust facts — lies inside the file.
func (c *Cache) validate(e *cacheEntry, nNames int) error {
	p := e.Stat.Path
	inRoot := false
	for _, r := range c.roots {
		if strings.HasPrefix(p, strings.TrimSuffix(r, "/")+"/") {
			inRoot = true
		}
	}
	if !inRoot || path.Clean(p) != p {
		return fmt.Errorf("path %q outside the workspace", p)
	}
	if lang, ok := LangOf(p); !ok || lang != e.Stat.Lang {
		return fmt.Errorf("%s: wrong language", p)
	}
	if e.Stat.Size < 0 || e.Stat.Size > MaxFileSize {
		return fmt.Errorf("%s: size %d", p, e.Stat.Size)
	}
	size := uint32(e.Stat.Size)
	bad := func(s facts.Span) bool { return s.Start > s.End || s.End > size }
	if len(e.Items)%declItemSize != 0 {
		return fmt.Errorf("%s: bad declaration records", p)
	}
	for _, it := range decodeItems(e.Items) {
		if uint64(it.nameOff)+uint64(it.nameLen) > uint64(len(e.Names)) || it.nameLen == 0 ||
			bad(facts.Span{Start: it.start, End: it.end}) || it.name0 > size {
			return fmt.Errorf("%s: bad declaration", p)
		}
	}
	for _, id := range e.Callees {
		if int(id) >= nNames {
			return fmt.Errorf("%s: bad callee id", p)
		}
	}
	for _, v := range []any{e.CSpans, e.Scan, e.C, e.Rust} {
		if !spansWithin(reflect.ValueOf(v), size) {
			return fmt.Errorf("%s: span outside the file", p)
		}
	}
	return nil
}

var spanType = reflect.TypeFor[facts.Span]()

// spansWithin reports whether every facts.Span reachable from v (through
// pointers, slices and exported struct fields: what gob decodes) is in
// order and ends by size. It walks the types, so a span added to the
// facts model later is checked without a change here.
func spansWithin(v reflect.Value, size uint32) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || spansWithin(v.Elem(), size)
	case reflect.Struct:
		if v.Type() == spanType {
			s := v.Interface().(facts.Span)
			return s.Start <= s.End && s.End <= size
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && !spansWithin(v.Field(i), size) {
				return false
			}
		}
	case reflect.Slice, reflect.Array:
		if !holdsSpans(v.Type().Elem()) {
			return true
		}
		for i := range v.Len() {
			if !spansWithin(v.Index(i), size) {
				return false
			}
		}
	}
	return true
}

// holdsSpans reports whether values of t may contain a facts.Span, so
// slices of strings and numbers are not walked element by element.
func holdsSpans(t reflect.Type) bool {
	if v, ok := spanHolders.Load(t); ok {
		return v.(bool)
	}
	v := typeHoldsSpans(t, map[reflect.Type]bool{})
	spanHolders.Store(t, v)
	return v
}

var spanHolders sync.Map // reflect.Type -> bool

// typeHoldsSpans is holdsSpans without the memo; seen cuts recursive
// types (a C type holds function types holding C types).
func typeHoldsSpans(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return typeHoldsSpans(t.Elem(), seen)
	case reflect.Interface:
		return true
	case reflect.Struct:
		if t == spanType {
			return true
		}
		for i := range t.NumField() {
			if t.Field(i).IsExported() && typeHoldsSpans(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// Save writes the disk-backed files of the index to the cache atomically,
// one entry at a time. Files open in the editor are left out: their text
// is not on disk. The index is locked only while entries are collected.
func (c *Cache) Save(ix *Index) error {
	snap, release := ix.Snapshot()
	var entries []cacheEntry
	var tail cacheTail
	ids := map[string]uint32{}
	snap.Files(func(f *File) bool {
		if f.Open || f.Hash == "" {
			return true
		}
		e := cacheEntry{Stat: f.Stat, Hash: f.Hash, Scan: f.Scan, C: f.C, CSpans: f.CSpans, Rust: f.Rust, Dense: f.DenseMacros,
			Names: f.decls.names, Items: encodeItems(f.decls.items)}
		for _, id := range f.callees {
			name := snap.ix.callees.name(id)
			cid, ok := ids[name]
			if !ok {
				cid = uint32(len(tail.Names))
				ids[name] = cid
				tail.Names = append(tail.Names, name)
			}
			e.Callees = append(e.Callees, cid)
		}
		entries = append(entries, e)
		return true
	})
	release()

	t, err := renameio.NewPendingFile(c.Path(), renameio.WithPermissions(0o600))
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer t.Cleanup()
	var hdr [cacheHeader]byte
	copy(hdr[:], cacheMagic)
	binary.LittleEndian.PutUint32(hdr[8:], cacheFormat)
	binary.LittleEndian.PutUint32(hdr[12:], facts.Version)
	if _, err := t.Write(hdr[:]); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	sum := xxhash.New()
	w := bufio.NewWriterSize(io.MultiWriter(t, sum), 1<<20)
	enc := gob.NewEncoder(w)
	if err := enc.Encode(cacheHead{Roots: c.roots, Files: len(entries)}); err != nil {
		return fmt.Errorf("cache encode: %w", err)
	}
	for i := range entries {
		if err := enc.Encode(&entries[i]); err != nil {
			return fmt.Errorf("cache encode: %w", err)
		}
		entries[i] = cacheEntry{} // let the encoded items go
	}
	if err := enc.Encode(&tail); err != nil {
		return fmt.Errorf("cache encode: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	var trailer [cacheSum]byte
	binary.LittleEndian.PutUint64(trailer[:], sum.Sum64())
	if _, err := t.Write(trailer[:]); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return t.CloseAtomicallyReplace()
}

// declItemSize is the encoded size of a declItem.
const declItemSize = 6*4 + 2

func encodeItems(items []declItem) []byte {
	out := make([]byte, 0, len(items)*declItemSize)
	for _, it := range items {
		out = binary.LittleEndian.AppendUint32(out, it.nameOff)
		out = binary.LittleEndian.AppendUint32(out, it.nameLen)
		out = binary.LittleEndian.AppendUint32(out, it.name0)
		out = binary.LittleEndian.AppendUint32(out, it.start)
		out = binary.LittleEndian.AppendUint32(out, it.end)
		out = binary.LittleEndian.AppendUint32(out, it.line)
		out = append(out, byte(it.kind), byte(it.flags))
	}
	return out
}

func decodeItems(b []byte) []declItem {
	items := make([]declItem, len(b)/declItemSize)
	for i := range items {
		r := b[i*declItemSize:]
		items[i] = declItem{
			nameOff: binary.LittleEndian.Uint32(r[0:]), nameLen: binary.LittleEndian.Uint32(r[4:]),
			name0: binary.LittleEndian.Uint32(r[8:]), start: binary.LittleEndian.Uint32(r[12:]),
			end: binary.LittleEndian.Uint32(r[16:]), line: binary.LittleEndian.Uint32(r[20:]),
			kind: facts.DeclKind(r[24]), flags: facts.ScanFlags(r[25]),
		}
	}
	return items
}

// calleeTable is the callee names of one cache file; the index interns
// each name once, however many files call it.
type calleeTable struct {
	names []string
	ids   []uint32 // index ids of names, filled on first use
}

// cachedCallees are a cached file's callees as ids into a calleeTable.
type cachedCallees struct {
	table *calleeTable
	ids   []uint32
}

// intern turns cached callee ids into the index's sorted ids.
func (c *cachedCallees) intern(in *interner) []uint32 {
	t := c.table
	if t.ids == nil {
		t.ids = make([]uint32, len(t.names))
		for i, n := range t.names {
			t.ids[i] = in.id(n)
		}
	}
	out := make([]uint32, len(c.ids))
	for i, id := range c.ids {
		out[i] = t.ids[id]
	}
	slices.Sort(out)
	return slices.Compact(out)
}
