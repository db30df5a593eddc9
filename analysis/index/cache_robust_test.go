package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// fuzzRoot is the workspace root of the caches the fuzz target and the
// hostile-cache tests write; no file needs to exist there.
const fuzzRoot = "/fuzz/root"

// cacheSources are the files of the seed cache.
var cacheSources = map[string]string{
	"a.c": "#include <linux/x.h>\nstruct s { int a; };\nint f(struct s *p) { return g(p->a); }\n" +
		"#define M(x) ((x) + 1)\nDEFINE_FREE(kfree, void *, if (_T) kfree(_T))\nenum e { E1, E2 };\n",
	"b.h":  "static inline int g(int x) { return x; }\ntypedef unsigned long ul;\n",
	"c.rs": "use kernel::bindings;\n#[no_mangle]\npub extern \"C\" fn r(x: i32) -> i32 { unsafe { bindings::g(x) } }\nstruct S { a: u8 }\nimpl Drop for S { fn drop(&mut self) {} }\n",
}

// seedStream builds an index of cacheSources (C files with full facts),
// saves it and returns the cache file's gob stream, without the header
// and the checksum that frame it.
func seedStream(t testing.TB) []byte {
	t.Helper()
	ix := New()
	for name, src := range cacheSources {
		st := Stat{Path: fuzzRoot + "/" + name, Size: int64(len(src)), ModTime: 1, Inode: 2}
		st.Lang, _ = LangOf(name)
		f, err := Analyze(context.Background(), st, []byte(src), true)
		if err != nil {
			t.Fatal(err)
		}
		ix.Put(f)
	}
	c := fuzzCache(t)
	if err := c.Save(ix); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(c.Path())
	if err != nil {
		t.Fatal(err)
	}
	return data[cacheHeader : len(data)-cacheSum]
}

func fuzzCache(t testing.TB) *Cache {
	t.Helper()
	c, err := OpenCache(t.TempDir(), []string{fuzzRoot})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// frame wraps a gob stream into a cache file that passes the header and
// checksum checks, so what follows is tested on the stream itself.
func frame(stream []byte, version uint32) []byte {
	out := make([]byte, 0, cacheHeader+len(stream)+cacheSum)
	out = append(out, cacheMagic...)
	out = binary.LittleEndian.AppendUint32(out, cacheFormat)
	out = binary.LittleEndian.AppendUint32(out, version)
	out = append(out, stream...)
	return binary.LittleEndian.AppendUint64(out, xxhash.Sum64(stream))
}

// load writes data as the cache file and loads it.
func load(t testing.TB, c *Cache, data []byte) (map[string]*File, error) {
	t.Helper()
	if err := os.WriteFile(c.Path(), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return c.Load()
}

// FuzzCacheLoad feeds Load any gob stream, framed with a valid header and
// checksum (and, half the time, any bytes as the whole file): it must
// never panic, and whatever it accepts must pass checkTrusted — every
// path clean and inside the root, every span inside its file.
func FuzzCacheLoad(f *testing.F) {
	seed := seedStream(f)
	f.Add(seed, true)
	f.Add(seed[:len(seed)/2], true)
	f.Add(bytes.Repeat([]byte{0xff}, 64), true)
	f.Add([]byte("RIVETIDX"), false)
	f.Fuzz(func(t *testing.T, data []byte, framed bool) {
		c := fuzzCache(t)
		if framed {
			data = frame(data, facts.Version)
		}
		files, err := load(t, c, data)
		if err != nil {
			if len(files) != 0 {
				t.Fatalf("Load failed (%v) but returned %d files", err, len(files))
			}
			if _, serr := os.Stat(c.Path()); serr == nil {
				t.Fatal("a cache Load rejected was left in place")
			}
			return
		}
		for path, f := range files {
			if msg := checkTrusted(f); msg != "" {
				t.Fatalf("Load accepted %s: %s", path, msg)
			}
		}
	})
}

// checkTrusted checks what rivet's readers assume of an indexed file,
// independently of Cache.validate: a clean absolute path inside
// fuzzRoot, a C or Rust extension, a size in [0, MaxFileSize], and every
// span and declaration record inside the file.
func checkTrusted(f *File) string {
	if f.Path != filepath.Clean(f.Path) || !strings.HasPrefix(f.Path, fuzzRoot+"/") {
		return fmt.Sprintf("path %q is not a clean path inside %s", f.Path, fuzzRoot)
	}
	if lang, ok := LangOf(f.Path); !ok || lang != f.Lang {
		return "language does not match the extension"
	}
	if f.Size < 0 || f.Size > MaxFileSize {
		return fmt.Sprintf("size %d", f.Size)
	}
	size := uint32(f.Size)
	for _, it := range f.decls.items {
		if it.start > it.end || it.end > size || it.name0 > size ||
			uint64(it.nameOff)+uint64(it.nameLen) > uint64(len(f.decls.names)) {
			return fmt.Sprintf("declaration record %+v", it)
		}
	}
	var bad string
	walkSpans(reflect.ValueOf(f), func(s facts.Span, where string) {
		if bad == "" && (s.Start > s.End || s.End > size) {
			bad = fmt.Sprintf("span %v at %s outside a %d-byte file", s, where, size)
		}
	})
	return bad
}

// walkSpans calls fn with every facts.Span reachable from v through
// exported fields, pointers, slices and maps.
func walkSpans(v reflect.Value, fn func(facts.Span, string)) {
	walk(v, "", fn)
}

func walk(v reflect.Value, where string, fn func(facts.Span, string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), where, fn)
		}
	case reflect.Struct:
		if v.Type() == spanType {
			fn(v.Interface().(facts.Span), where)
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i), where+"."+v.Type().Field(i).Name, fn)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walk(v.Index(i), fmt.Sprintf("%s[%d]", where, i), fn)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			walk(it.Value(), fmt.Sprintf("%s[%v]", where, it.Key()), fn)
		}
	}
}

// hostile re-encodes the seed cache with its entries changed by edit.
func hostile(t *testing.T, edit func(head *cacheHead, entries []cacheEntry, tail *cacheTail) []cacheEntry) []byte {
	t.Helper()
	dec := gob.NewDecoder(bytes.NewReader(seedStream(t)))
	var head cacheHead
	if err := dec.Decode(&head); err != nil {
		t.Fatal(err)
	}
	entries := make([]cacheEntry, head.Files)
	for i := range entries {
		if err := dec.Decode(&entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	var tail cacheTail
	if err := dec.Decode(&tail); err != nil {
		t.Fatal(err)
	}
	entries = edit(&head, entries, &tail)
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(enc.Encode(head))
	for i := range entries {
		must(enc.Encode(&entries[i]))
	}
	must(enc.Encode(&tail))
	return frame(buf.Bytes(), facts.Version)
}

// byExt returns the seed entry of the file with extension ext.
func byExt(entries []cacheEntry, ext string) *cacheEntry {
	for i := range entries {
		if strings.HasSuffix(entries[i].Stat.Path, ext) {
			return &entries[i]
		}
	}
	panic("no seed entry for " + ext)
}

// TestHostileCacheDiscarded loads crafted caches whose header and
// checksum are valid but whose content lies: each must be discarded
// whole, with an error, and the file removed.
func TestHostileCacheDiscarded(t *testing.T) {
	type entries = []cacheEntry
	for name, edit := range map[string]func(*cacheHead, entries, *cacheTail) entries{
		"path outside the root": func(_ *cacheHead, es entries, _ *cacheTail) entries {
			byExt(es, ".c").Stat.Path = "/etc/passwd.c"
			return es
		},
		"path escaping the root with ..": func(_ *cacheHead, es entries, _ *cacheTail) entries {
			byExt(es, ".c").Stat.Path = fuzzRoot + "/../../etc/shadow.c"
			return es
		},
		"path of a sibling tree sharing the root's prefix": func(_ *cacheHead, es entries, _ *cacheTail) entries {
			byExt(es, ".c").Stat.Path = fuzzRoot + "-sibling/a.c"
			return es
		},
		"negative size": func(_ *cacheHead, es entries, _ *cacheTail) entries {
			byExt(es, ".c").Stat.Size = -1
			return es
		},
		"record span past the end": func(_ *cacheHead, es entries, _ *cacheTail) entries {
			e := byExt(es, ".c")
			e.C.Records[0].Span.End = uint32(e.Stat.Size) + 100
			return es
		},
		"macro name span past the end": func(_ *cacheHead, es entries, _ *cacheTail) entries {
			e := byExt(es, ".c")
			e.C.Macros[0].NameSpan = facts.Span{Start: 1 << 30, End: 1<<30 + 4}
			return es
		},
		"call span inverted": func(_ *cacheHead, es entries, _ *cacheTail) entries {
			e := byExt(es, ".c")
			for i := range e.C.Funcs {
				if len(e.C.Funcs[i].Calls) > 0 {
					e.C.Funcs[i].Calls[0].Span = facts.Span{Start: 10, End: 2}
				}
			}
			return es
		},
		"cleanup span past the end": func(_ *cacheHead, es entries, _ *cacheTail) entries {
			e := byExt(es, ".c")
			e.Scan.Cleanups[0].Span.End = 1 << 31
			return es
		},
		"rust impl span past the end": func(_ *cacheHead, es entries, _ *cacheTail) entries {
			e := byExt(es, ".rs")
			e.Rust.Impls[0].Span.End = uint32(e.Stat.Size) + 1
			return es
		},
		"callee id out of range": func(_ *cacheHead, es entries, tail *cacheTail) entries {
			byExt(es, ".c").Callees = []uint32{uint32(len(tail.Names)) + 7}
			return es
		},
		"declaration record cut short": func(_ *cacheHead, es entries, _ *cacheTail) entries {
			e := byExt(es, ".c")
			e.Items = e.Items[:len(e.Items)-1]
			return es
		},
		"language not of the extension": func(_ *cacheHead, es entries, _ *cacheTail) entries {
			byExt(es, ".rs").Stat.Lang = facts.LangC
			return es
		},
		"more files announced than written": func(head *cacheHead, es entries, _ *cacheTail) entries {
			head.Files = len(es) + 1
			return es
		},
		"a huge file count": func(head *cacheHead, es entries, _ *cacheTail) entries {
			head.Files = 1 << 24
			return es
		},
		"other roots": func(head *cacheHead, es entries, _ *cacheTail) entries {
			head.Roots = []string{"/"}
			return es
		},
	} {
		t.Run(name, func(t *testing.T) {
			c := fuzzCache(t)
			files, err := load(t, c, hostile(t, edit))
			if err == nil || len(files) != 0 {
				t.Errorf("loaded %d files (err %v), want the cache discarded", len(files), err)
			}
			if _, err := os.Stat(c.Path()); err == nil {
				t.Error("the discarded cache file is still there")
			}
		})
	}
	t.Run("foreign facts version", func(t *testing.T) {
		c := fuzzCache(t)
		if files, err := load(t, c, frame(seedStream(t), facts.Version+1)); err == nil || len(files) != 0 {
			t.Errorf("loaded %d files (err %v) of another facts version", len(files), err)
		}
	})
	t.Run("the seed itself", func(t *testing.T) { // the control: the edits above are what breaks
		c := fuzzCache(t)
		files, err := load(t, c, hostile(t, func(_ *cacheHead, es entries, _ *cacheTail) entries { return es }))
		if err != nil || len(files) != len(cacheSources) {
			t.Fatalf("the unedited seed: %d files, err %v", len(files), err)
		}
		for path, f := range files {
			if msg := checkTrusted(f); msg != "" {
				t.Errorf("%s: %s", path, msg)
			}
		}
	})
}

// TestCacheDirTightened: directories that already exist with a looser
// mode are made private when the cache is opened.
func TestCacheDirTightened(t *testing.T) {
	base := filepath.Join(t.TempDir(), "rivet")
	c, err := OpenCache(base, []string{fuzzRoot})
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{base, filepath.Dir(c.dir), c.dir}
	for _, d := range dirs {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := OpenCache(base, []string{fuzzRoot}); err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v (err %v), want 0700", d, fi.Mode().Perm(), err)
		}
	}
}

// TestCacheReuseNeedsTheSize: facts kept because the content hash
// matches must also have been computed from a text of the same length,
// or a lying cache entry (any size, a hash of the real content) would
// pass spans past the end of the real text.
func TestCacheReuseNeedsTheSize(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.c")
	src := []byte("int a;\n")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	st := Stat{Path: filepath.ToSlash(path), Lang: facts.LangC, Size: int64(len(src))}
	liar := &File{Stat: st, Hash: Hash(src), Scan: &facts.Scan{Cleanups: []facts.CCleanup{{Macro: "DEFINE_FREE", Span: facts.Span{Start: 0, End: 4000}}}}}
	liar.Size = 4096
	b := &Builder{}
	f, hit, err := b.analyzeFile(context.Background(), st, liar, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hit || f.Scan == nil || len(f.Scan.Cleanups) != 0 {
		t.Errorf("facts of a %d-byte text reused for a %d-byte file (hit %v)", liar.Size, len(src), hit)
	}
}
