package analysistest

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"
)

// WriteTxtar writes the files of a txtar archive (golang.org/x/tools/txtar)
// into a fresh t.TempDir() and returns that directory. The archive's
// leading comment is ignored: use it to say what the tree shows. A file
// name that is absolute, climbs out with "..", or repeats an earlier name
// fails t, as does an archive without files.
//
//	dir := analysistest.WriteTxtar(t, `
//	A bindings:: name no header declares.
//	-- include/linux/sizes.h --
//	#define SZ_4K 0x00001000
//	-- drivers/x/x.rs --
//	const A: u32 = bindings::SZ_4K;
//	const B: u32 = bindings::SZ_8K; // want "ffi-unresolved"
//	`)
func WriteTxtar(t testing.TB, archive string) (dir string) {
	t.Helper()
	ar := txtar.Parse([]byte(archive))
	if len(ar.Files) == 0 {
		t.Fatalf("analysistest: txtar archive has no files (each starts with a line \"-- name --\")")
	}
	dir = t.TempDir()
	seen := make(map[string]bool)
	for _, f := range ar.Files {
		if !filepath.IsLocal(filepath.FromSlash(f.Name)) {
			t.Fatalf("analysistest: txtar file name %q must be a relative path inside the tree", f.Name)
		}
		if seen[f.Name] {
			t.Fatalf("analysistest: txtar file %q appears twice", f.Name)
		}
		seen[f.Name] = true
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("analysistest: %v", err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			t.Fatalf("analysistest: %v", err)
		}
	}
	return dir
}
