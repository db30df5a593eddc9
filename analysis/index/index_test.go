package index_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

const tree = `
-- rust/bindings/bindings_helper.h --
#include <linux/device.h>
const gfp_t RUST_CONST_HELPER_GFP_KERNEL = GFP_KERNEL;
-- rust/bindgen_parameters --
# comment
--blocklist-function __list_.*_report
--opaque-type spinlock
-- rust/helpers/device.c --
#include <linux/device.h>
__rust_helper void *rust_helper_dev_get_drvdata(const struct device *dev)
{
	return dev_get_drvdata(dev);
}
-- include/linux/device.h --
struct device { int id; };
/**
 * get_device - take a reference
 */
struct device *get_device(struct device *dev);
void put_device(struct device *dev);
static inline void *dev_get_drvdata(const struct device *dev) { return 0; }
#define GFP_KERNEL 0x400u
-- drivers/base/core.c --
#include <linux/device.h>
struct device *get_device(struct device *dev)
{
	return dev;
}
void put_device(struct device *dev)
{
}
void use(struct device *d)
{
	demo_export(1);
}
-- drivers/demo/demo.rs --
use kernel::bindings;
#[no_mangle]
pub extern "C" fn demo_export(x: i32) -> i32 { x }
fn f(d: *mut bindings::device) {
    unsafe { bindings::get_device(d) };
}
extern "C" {
    fn put_device(d: *mut bindings::device);
}
-- .git/ignored.c --
int hidden(void);
`

func build(t *testing.T, root string, cacheDir string) (*index.Index, index.Stats) {
	t.Helper()
	ix := index.New()
	b := &index.Builder{Index: ix}
	if cacheDir != "" {
		c, err := index.OpenCache(cacheDir, []string{root})
		if err != nil {
			t.Fatal(err)
		}
		b.Cache = c
	}
	st, err := b.Build(context.Background(), []string{root})
	if err != nil {
		t.Fatal(err)
	}
	if b.Cache != nil {
		if err := b.Cache.Save(ix); err != nil {
			t.Fatal(err)
		}
	}
	return ix, st
}

func TestBuildTables(t *testing.T) {
	root := analysistest.WriteTxtar(t, tree)
	ix, st := build(t, root, "")
	if st.Files != 5 || st.RustFiles != 1 {
		t.Errorf("files %d (rust %d), want 5 (1): the .git directory is skipped", st.Files, st.RustFiles)
	}
	snap, release := ix.Snapshot()
	defer release()
	if k := snap.Kernel(); k == nil || len(k.Rules) != 2 || k.Blocklisted("__list_add_report", "function") == nil {
		t.Errorf("kernel detection or bindgen rules wrong: %+v", k)
	}
	var kinds []string
	for _, d := range snap.CDecls("get_device") {
		kinds = append(kinds, d.Decl.Kind.String()+":"+filepath.Base(d.File.Path))
	}
	if len(kinds) != 2 {
		t.Errorf("get_device decls %v, want the prototype and the definition", kinds)
	}
	if refs := snap.BindingRefs("get_device"); len(refs) != 1 || refs[0].Ref.Kind != facts.RefCall {
		t.Errorf("binding refs of get_device: %+v", refs)
	}
	if ex := snap.Exports("demo_export"); len(ex) != 1 {
		t.Errorf("exports: %+v", ex)
	}
	if ex := snap.Externs("put_device"); len(ex) != 1 {
		t.Errorf("externs: %+v", ex)
	}
	callers := snap.CallerFiles("demo_export")
	if len(callers) != 1 || !strings.HasSuffix(callers[0].Path, "drivers/base/core.c") {
		t.Errorf("callers of demo_export: %v", callers)
	}
	// The helpers and bindings_helper.h are parsed whole.
	for _, p := range []string{"rust/helpers/device.c", "rust/bindings/bindings_helper.h"} {
		f := snap.File(root + "/" + p)
		if f == nil || f.C == nil || len(f.CSpans) != 1 {
			t.Errorf("%s: want full tree-sitter facts, got %+v", p, f)
		}
	}
}

func TestEnsureParsesOnlyWhatIsAsked(t *testing.T) {
	root := analysistest.WriteTxtar(t, tree)
	ix, _ := build(t, root, "")
	n, err := ix.Ensure(context.Background(), []string{"get_device"}, nil)
	if err != nil || n != 2 {
		t.Fatalf("Ensure parsed %d declarations (err %v), want 2", n, err)
	}
	snap, release := ix.Snapshot()
	core := snap.File(root + "/drivers/base/core.c")
	if core.C == nil || len(core.C.Funcs) != 1 || core.C.Funcs[0].Name != "get_device" || !core.C.Funcs[0].Definition {
		t.Errorf("core.c facts after Ensure: %+v", core.C)
	}
	release()
	// A second call has nothing left to do.
	if n, _ := ix.Ensure(context.Background(), []string{"get_device"}, nil); n != 0 {
		t.Errorf("second Ensure parsed %d declarations, want 0", n)
	}
}

func TestCacheRoundTripAndInvalidation(t *testing.T) {
	root := analysistest.WriteTxtar(t, tree)
	cache := t.TempDir()
	_, cold := build(t, root, cache)
	if cold.FromCache != 0 {
		t.Fatalf("cold build took %d files from an empty cache", cold.FromCache)
	}
	ix, warm := build(t, root, cache)
	if warm.FromCache != warm.Files {
		t.Errorf("warm build: %d of %d files from the cache", warm.FromCache, warm.Files)
	}
	snap, release := ix.Snapshot()
	if len(snap.CDecls("get_device")) != 2 || len(snap.BindingRefs("get_device")) != 1 {
		t.Errorf("facts from the cache differ from fresh ones")
	}
	release()

	// Change a file: its facts must be recomputed, the others reused.
	core := filepath.Join(root, "drivers/base/core.c")
	if err := os.WriteFile(core, []byte("int renamed_fn(void) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(2 * time.Second)
	os.Chtimes(core, future, future)
	ix, again := build(t, root, cache)
	if again.FromCache != again.Files-1 {
		t.Errorf("after one change: %d of %d files from the cache, want all but one", again.FromCache, again.Files)
	}
	snap, release = ix.Snapshot()
	defer release()
	if len(snap.CDecls("renamed_fn")) != 1 || len(snap.CDecls("get_device")) != 1 {
		t.Errorf("changed file's facts are stale: renamed_fn %d, get_device %d", len(snap.CDecls("renamed_fn")), len(snap.CDecls("get_device")))
	}

	// The cache directory is private.
	fi, err := os.Stat(filepath.Dir(filepath.Dir(mustCachePath(t, cache, root))))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache directory mode %v (err %v), want 0700", fi.Mode().Perm(), err)
	}
}

func mustCachePath(t *testing.T, dir, root string) string {
	c, err := index.OpenCache(dir, []string{root})
	if err != nil {
		t.Fatal(err)
	}
	return c.Path()
}

func TestCorruptCacheIsDiscarded(t *testing.T) {
	root := analysistest.WriteTxtar(t, tree)
	cache := t.TempDir()
	build(t, root, cache)
	path := mustCachePath(t, cache, root)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"truncated":   data[:len(data)/2],
		"flipped":     flip(data, len(data)-10),
		"not a cache": []byte("hello"),
		"empty":       nil,
	} {
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		c, _ := index.OpenCache(cache, []string{root})
		files, err := c.Load()
		if err == nil || len(files) != 0 {
			t.Errorf("%s cache: loaded %d files, err %v; want it discarded with an error", name, len(files), err)
		}
		// A build after a bad cache still gives complete facts.
		ix, st := build(t, root, cache)
		snap, release := ix.Snapshot()
		if st.FromCache != 0 || len(snap.CDecls("get_device")) != 2 {
			t.Errorf("%s cache: build took %d from cache", name, st.FromCache)
		}
		release()
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0xff
	return c
}

func TestCacheOfOtherRootsIsNotUsed(t *testing.T) {
	a := analysistest.WriteTxtar(t, tree)
	b := analysistest.WriteTxtar(t, tree)
	cache := t.TempDir()
	build(t, a, cache)
	if _, st := build(t, b, cache); st.FromCache != 0 {
		t.Errorf("a tree took %d files from another tree's cache", st.FromCache)
	}
}

func TestWalkStaysInsideRoots(t *testing.T) {
	root := analysistest.WriteTxtar(t, `
-- a/in.c --
int in(void);
`)
	outside := analysistest.WriteTxtar(t, `
-- secret.c --
int secret(void);
`)
	must(t, os.Symlink(outside, filepath.Join(root, "a", "outdir")))                         // a directory outside
	must(t, os.Symlink(filepath.Join(outside, "secret.c"), filepath.Join(root, "a", "s.c"))) // a file outside
	must(t, os.Symlink(root, filepath.Join(root, "a", "loop")))                              // a loop
	must(t, os.Symlink(filepath.Join(root, "a", "in.c"), filepath.Join(root, "a", "alias.c")))
	must(t, os.Symlink(filepath.Join(root, "nowhere.c"), filepath.Join(root, "a", "dangling.c")))
	files, errs := index.Walk(context.Background(), []string{root}, index.WalkOptions{})
	var got []string
	for _, f := range files {
		got = append(got, strings.TrimPrefix(f.Path, root+"/"))
	}
	want := "a/alias.c a/in.c"
	if strings.Join(got, " ") != want || len(errs) != 0 {
		t.Errorf("walk found %v (errors %v), want %s", got, errs, want)
	}
}

func TestReadDiskRefusesBinaryAndHuge(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "blob.c")
	must(t, os.WriteFile(bin, []byte("int x;\x00\x01\x02"), 0o644))
	if _, err := index.ReadDisk(bin); err != index.ErrBinary {
		t.Errorf("binary file: err %v, want ErrBinary", err)
	}
	huge := filepath.Join(dir, "huge.h")
	f, err := os.Create(huge)
	must(t, err)
	must(t, f.Truncate(index.MaxFileSize+1))
	f.Close()
	if _, err := index.ReadDisk(huge); err != index.ErrTooLarge {
		t.Errorf("huge file: err %v, want ErrTooLarge", err)
	}
	if _, err := index.ReadDisk(filepath.Join(dir, "gone.c")); err == nil {
		t.Errorf("a missing file read without error")
	}
}

func TestOpenDocumentWinsOverDisk(t *testing.T) {
	root := analysistest.WriteTxtar(t, tree)
	ix, _ := build(t, root, "")
	path := root + "/drivers/base/core.c"
	open := &index.File{Stat: index.Stat{Path: path, Lang: facts.LangC}, Open: true,
		Scan: &facts.Scan{Decls: []facts.ScanDecl{{Name: "from_editor", Kind: facts.DeclFunc}}}}
	ix.Put(open)
	// A disk refresh (a watcher event, a running build) must not replace it.
	disk := &index.File{Stat: index.Stat{Path: path, Lang: facts.LangC},
		Scan: &facts.Scan{Decls: []facts.ScanDecl{{Name: "from_disk", Kind: facts.DeclFunc}}}}
	ix.PutDisk(disk)
	snap, release := ix.Snapshot()
	defer release()
	if len(snap.CDecls("from_editor")) != 1 || len(snap.CDecls("from_disk")) != 0 {
		t.Errorf("the disk version replaced the open document")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRegisterDumpHeaders(t *testing.T) {
	var b strings.Builder
	b.WriteString("int regs_init(void);\n")
	for i := 0; b.Len() < 300<<10; i++ {
		fmt.Fprintf(&b, "#define mmREG_%06d 0x%x\n", i, i*4)
	}
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "include"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "include", "regs.h"), []byte(b.String()), 0o644))
	ix, _ := build(t, root, "")
	snap, release := ix.Snapshot()
	defer release()
	f := snap.File(root + "/include/regs.h")
	if f == nil || len(f.DenseMacros) == 0 || len(f.Decls()) != 1 {
		t.Fatalf("regs.h not treated as a register dump: %d hashed macros, %d decls", len(f.DenseMacros), len(f.Decls()))
	}
	ds := snap.CDecls("mmREG_000042")
	if len(ds) != 1 || ds[0].Decl.Kind != facts.DeclMacro || ds[0].Decl.Line != 43 {
		t.Errorf("lookup of a hashed macro: %+v", ds)
	}
	if len(snap.CDecls("regs_init")) != 1 || len(snap.CDecls("mmREG_nope")) != 0 {
		t.Errorf("other lookups in a register dump are wrong")
	}
}

// TestCallersFollowChanges: the callers table follows a file's new
// version, and a version that shares the old one's scan (Ensure adding
// facts) keeps it.
func TestCallersFollowChanges(t *testing.T) {
	root := analysistest.WriteTxtar(t, tree)
	ix, _ := build(t, root, "")
	callers := func(name string) int {
		snap, release := ix.Snapshot()
		defer release()
		return len(snap.CallerFiles(name))
	}
	if callers("demo_export") != 1 {
		t.Fatalf("demo_export callers: %d", callers("demo_export"))
	}
	// Ensure re-publishes core.c with more facts: still one caller.
	if _, err := ix.Ensure(context.Background(), []string{"get_device"}, nil); err != nil {
		t.Fatal(err)
	}
	if callers("demo_export") != 1 {
		t.Errorf("after Ensure: %d callers of demo_export, want 1", callers("demo_export"))
	}
	// A new version without the call, then with another one.
	path := root + "/drivers/base/core.c"
	f, err := index.Analyze(context.Background(), index.Stat{Path: path, Lang: facts.LangC}, []byte("void use(void) { other(); }\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	ix.Put(f)
	if callers("demo_export") != 0 || callers("other") != 1 {
		t.Errorf("after the change: demo_export %d callers (want 0), other %d (want 1)", callers("demo_export"), callers("other"))
	}
	ix.Remove(path)
	if callers("other") != 0 {
		t.Errorf("after removal: other has %d callers", callers("other"))
	}
}
