package analysistest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteTxtar(t *testing.T) {
	dir := WriteTxtar(t, `
The comment is not a file.
-- include/linux/err.h --
#define MAX_ERRNO 4095
-- rust/kernel/error.rs --
pub const MAX: u32 = bindings::MAX_ERRNO;
`)
	for name, want := range map[string]string{
		"include/linux/err.h":  "#define MAX_ERRNO 4095\n",
		"rust/kernel/error.rs": "pub const MAX: u32 = bindings::MAX_ERRNO;\n",
	} {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("%d top-level entries, want include and rust", len(entries))
	}
}

func TestWriteTxtarRejects(t *testing.T) {
	tests := []struct {
		name, archive, errPart string
	}{
		{"no files", "just a comment\n", "no files"},
		{"parent", "-- ../x.rs --\n", "inside the tree"},
		{"absolute", "-- /etc/x.rs --\n", "inside the tree"},
		{"duplicate", "-- a.rs --\n-- a.rs --\n", "appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, func(tb testing.TB) { WriteTxtar(tb, tt.archive) })
			if !r.fatal || !strings.Contains(failure(t, r), tt.errPart) {
				t.Errorf("fatal=%v errors=%q, want a fatal %q", r.fatal, r.errors, tt.errPart)
			}
		})
	}
}
