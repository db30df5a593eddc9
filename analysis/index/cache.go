package index

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/google/renameio/v2"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// The cache file is
//
//	magic[8] formatVersion[u32] factsVersion[u32] payloadLen[u64] xxhash64(payload)[u64] payload
//
// where payload is a gob-encoded cachePayload. Anything that does not
// check out, to the last byte, is discarded: a cache is only ever a hint.
const (
	cacheMagic   = "RIVETIDX"
	cacheFormat  = 1
	cacheHeader  = 8 + 4 + 4 + 8 + 8
	cacheMaxSize = 4 << 30
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
func OpenCache(dir string, roots []string) (*Cache, error) {
	sorted := append([]string(nil), roots...)
	for i, r := range sorted {
		if abs, err := filepath.Abs(r); err == nil {
			sorted[i] = filepath.ToSlash(abs)
		}
	}
	sort.Strings(sorted)
	sum := sha256.Sum256([]byte(strings.Join(sorted, "\x00")))
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

type cachePayload struct {
	Roots   []string
	Names   []string // callee names, indexed by cacheEntry.Callees
	Entries []cacheEntry
}

type cacheEntry struct {
	Stat    Stat
	Hash    string
	Scan    *facts.Scan
	Callees []uint32
	C       *facts.C
	CSpans  []facts.Span
	Rust    *facts.Rust
	Dense   []uint64
}

// Load reads the cache. A missing cache is not an error (it returns an
// empty map); a damaged, foreign or outdated one is discarded with an
// error saying why.
func (c *Cache) Load() (map[string]*File, error) {
	data, err := os.ReadFile(c.Path())
	if errors.Is(err, os.ErrNotExist) {
		return map[string]*File{}, nil
	}
	if err != nil {
		return map[string]*File{}, err
	}
	files, err := c.decode(data)
	if err != nil {
		os.Remove(c.Path())
		return map[string]*File{}, fmt.Errorf("discarded %s: %w", c.Path(), err)
	}
	return files, nil
}

func (c *Cache) decode(data []byte) (map[string]*File, error) {
	if len(data) < cacheHeader || string(data[:8]) != cacheMagic {
		return nil, errors.New("not a rivet cache")
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != cacheFormat {
		return nil, fmt.Errorf("cache format %d, want %d", v, cacheFormat)
	}
	if v := binary.LittleEndian.Uint32(data[12:]); v != facts.Version {
		return nil, fmt.Errorf("facts version %d, want %d", v, facts.Version)
	}
	n := binary.LittleEndian.Uint64(data[16:])
	sum := binary.LittleEndian.Uint64(data[24:])
	payload := data[cacheHeader:]
	if uint64(len(payload)) != n {
		return nil, fmt.Errorf("truncated: %d of %d bytes", len(payload), n)
	}
	if xxhash.Sum64(payload) != sum {
		return nil, errors.New("checksum mismatch")
	}
	var p cachePayload
	if err := decodeGob(payload, &p); err != nil {
		return nil, err
	}
	if strings.Join(p.Roots, "\x00") != strings.Join(c.roots, "\x00") {
		return nil, errors.New("cache of other roots")
	}
	files := make(map[string]*File, len(p.Entries))
	for i := range p.Entries {
		e := &p.Entries[i]
		if err := c.validate(e, len(p.Names)); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		f := &File{Stat: e.Stat, Hash: e.Hash, Scan: e.Scan, C: e.C, CSpans: e.CSpans, Rust: e.Rust, DenseMacros: e.Dense}
		if f.Scan != nil {
			f.Scan.Callees = make([]string, len(e.Callees))
			for j, id := range e.Callees {
				f.Scan.Callees[j] = p.Names[id]
			}
		}
		files[f.Path] = f
	}
	return files, nil
}

// decodeGob decodes, turning a decoder panic on hostile input into an
// error.
func decodeGob(data []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode: %v", r)
		}
	}()
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// validate checks what rivet later trusts: the path lies inside a root,
// the language matches, every span lies inside the file.
func (c *Cache) validate(e *cacheEntry, nNames int) error {
	inRoot := false
	for _, r := range c.roots {
		if strings.HasPrefix(e.Stat.Path, strings.TrimSuffix(r, "/")+"/") {
			inRoot = true
		}
	}
	if !inRoot {
		return fmt.Errorf("path %q outside the workspace", e.Stat.Path)
	}
	if lang, ok := LangOf(e.Stat.Path); !ok || lang != e.Stat.Lang {
		return fmt.Errorf("%s: wrong language", e.Stat.Path)
	}
	size := uint32(min(e.Stat.Size, MaxFileSize))
	bad := func(s facts.Span) bool { return s.Start > s.End || s.End > size }
	if e.Scan != nil {
		for _, d := range e.Scan.Decls {
			if bad(d.Span) || d.Name == "" {
				return fmt.Errorf("%s: bad declaration %q", e.Stat.Path, d.Name)
			}
		}
	}
	for _, id := range e.Callees {
		if int(id) >= nNames {
			return fmt.Errorf("%s: bad callee id", e.Stat.Path)
		}
	}
	for _, s := range e.CSpans {
		if bad(s) {
			return fmt.Errorf("%s: bad span", e.Stat.Path)
		}
	}
	if e.C != nil {
		for _, f := range e.C.Funcs {
			if bad(f.Span) || bad(f.NameSpan) {
				return fmt.Errorf("%s: bad function span", e.Stat.Path)
			}
		}
	}
	if e.Rust != nil {
		for _, f := range e.Rust.Fns {
			if bad(f.Span) || bad(f.NameSpan) {
				return fmt.Errorf("%s: bad fn span", e.Stat.Path)
			}
		}
		for _, r := range e.Rust.BindingRefs {
			if bad(r.Span) {
				return fmt.Errorf("%s: bad reference span", e.Stat.Path)
			}
		}
	}
	return nil
}

// Save writes the disk-backed files of the index to the cache atomically.
// Files open in the editor are left out: their text is not on disk. The
// index is locked only while the entries are collected, not while they
// are encoded and written.
func (c *Cache) Save(ix *Index) error {
	snap, release := ix.Snapshot()
	p := cachePayload{Roots: c.roots}
	ids := map[string]uint32{}
	snap.Files(func(f *File) bool {
		if f.Open || f.Hash == "" {
			return true
		}
		e := cacheEntry{Stat: f.Stat, Hash: f.Hash, Scan: f.Scan, C: f.C, CSpans: f.CSpans, Rust: f.Rust, Dense: f.DenseMacros}
		for _, id := range f.callees {
			name := snap.ix.names.name(id)
			cid, ok := ids[name]
			if !ok {
				cid = uint32(len(p.Names))
				ids[name] = cid
				p.Names = append(p.Names, name)
			}
			e.Callees = append(e.Callees, cid)
		}
		p.Entries = append(p.Entries, e)
		return true
	})
	release()
	var payload bytes.Buffer
	if err := gob.NewEncoder(&payload).Encode(&p); err != nil {
		return fmt.Errorf("cache encode: %w", err)
	}
	if payload.Len() > cacheMaxSize {
		return fmt.Errorf("cache too large (%d bytes)", payload.Len())
	}
	t, err := renameio.NewPendingFile(c.Path(), renameio.WithPermissions(0o600))
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer t.Cleanup()
	w := bufio.NewWriterSize(t, 1<<20)
	var hdr [cacheHeader]byte
	copy(hdr[:], cacheMagic)
	binary.LittleEndian.PutUint32(hdr[8:], cacheFormat)
	binary.LittleEndian.PutUint32(hdr[12:], facts.Version)
	binary.LittleEndian.PutUint64(hdr[16:], uint64(payload.Len()))
	binary.LittleEndian.PutUint64(hdr[24:], xxhash.Sum64(payload.Bytes()))
	if _, err := w.Write(hdr[:]); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if _, err := io.Copy(w, &payload); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return t.CloseAtomicallyReplace()
}
