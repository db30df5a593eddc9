package stress

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// OutsideSecret is the one name declared in the tree beside the scratch
// root, which only symbolic links reach: the server must never know it.
const OutsideSecret = "rivet_stress_outside_secret"

// scratch is the hostile part of the workspace: a root the driver owns,
// laid out with what has broken servers before, and changed under the
// server's feet while it runs.
type scratch struct {
	root    string   // a workspace root
	outside string   // beside root, reached only through links
	files   []string // the hostile files, for requests and watcher events
	churn   []string
	rng     *rand.Rand
}

// hostileFiles are written once under the scratch root.
func hostileFiles(rng *rand.Rand) map[string][]byte {
	blob := make([]byte, 64<<10)
	for i := range blob {
		blob[i] = byte(rng.Uint32())
	}
	lateNUL := append(bytes.Repeat([]byte("fn f() {}\n"), 1000), 0, 'x', '\n')
	return map[string][]byte{
		// One megabyte on one line, of code and of one identifier.
		"big/oneline.c":    append(append([]byte("int x = "), bytes.Repeat([]byte("f(1) + "), 150000)...), "1;\n"...),
		"big/longident.rs": append(append([]byte("fn "), bytes.Repeat([]byte("a"), 1<<20)...), "() {}\n"...),
		// Deep nesting, for recursive walks over trees.
		"big/deep.c":  append(append([]byte("int x = "), bytes.Repeat([]byte("("), 50000)...), "1;\n"...),
		"big/deep.rs": append(append([]byte("fn f() "), bytes.Repeat([]byte("{ unsafe "), 20000)...), '\n'),
		"big/deepblocks.c": append(append([]byte("void f(void) "), bytes.Repeat([]byte("{ if (x) "), 20000)...),
			bytes.Repeat([]byte("}"), 20000)...),
		// Every kind of broken encoding and line terminator.
		"enc/invalid.rs": []byte("fn \xff\xfe() { bindings::get_device(\xed\xa0\x80); }\r\n// \xc0\xaf\rfn g() {}\n\x80"),
		"enc/mixed.c":    []byte("int a;\r\nint b;\rint c;\n\xef\xbb\xbfint d; /* \xf4\x90\x80\x80 */\n𝄞 int e;\n"),
		"enc/bom.rs":     []byte("\xef\xbb\xbfuse kernel::bindings;\nfn f() { unsafe { bindings::get_device(core::ptr::null_mut()) }; }\n"),
		// Binary content, and a NUL past the part that is sniffed.
		"bin/blob.c":       blob,
		"bin/late_nul.rs":  lateNUL,
		"bin/only_nuls.h":  make([]byte, 4096),
		"empty/empty.c":    nil,
		"empty/newline.rs": []byte("\n"),
		// Names clients ask about.
		"drivers/ok.rs": []byte("use kernel::bindings;\n/// # Safety\n/// none\npub unsafe fn f(d: *mut bindings::device) {\n    unsafe { bindings::get_device(d) };\n}\n#[no_mangle]\npub extern \"C\" fn rivet_stress_export(x: i32) -> i32 { x }\n"),
		"drivers/ok.c":  []byte("#include <linux/device.h>\nint rivet_stress_export(int x);\nvoid g(void) { rivet_stress_export(1); }\n"),
	}
}

// newScratch builds the hostile tree under root, and a sibling tree
// outside it that links point to.
func newScratch(root string, rng *rand.Rand) (*scratch, error) {
	s := &scratch{root: root, outside: root + ".outside", rng: rng}
	for name, data := range hostileFiles(rng) {
		p := filepath.Join(root, name)
		if err := writeFile(p, data); err != nil {
			return nil, err
		}
		s.files = append(s.files, p)
	}
	slices.Sort(s.files) // map order is random; the run must follow the seed
	outside := map[string]string{
		"secret.c":  "int " + OutsideSecret + "(void);\n",
		"secret.rs": "#[no_mangle]\npub extern \"C\" fn " + OutsideSecret + "() {}\n",
	}
	for name, data := range outside {
		if err := writeFile(filepath.Join(s.outside, name), []byte(data)); err != nil {
			return nil, err
		}
	}
	links := map[string]string{
		"links/loop":       ".",
		"links/a":          "b",
		"links/b":          "a",
		"links/self.c":     "self.c",
		"links/root":       "/",
		"links/sibling":    s.outside,
		"links/secret.c":   filepath.Join(s.outside, "secret.c"),
		"links/secret.rs":  filepath.Join(s.outside, "secret.rs"),
		"links/devzero.c":  "/dev/zero",
		"links/proc.rs":    "/proc/self/mem",
		"links/dangling.h": "nowhere/at/all.h",
		"links/up":         "..",
	}
	for name, target := range links {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.Symlink(target, p); err != nil {
			return nil, err
		}
	}
	// A named pipe with a source file's name: opening it for reading
	// blocks until a writer comes, which none will.
	if err := os.MkdirAll(filepath.Join(root, "special"), 0o755); err != nil {
		return nil, err
	}
	if err := syscall.Mkfifo(filepath.Join(root, "special/fifo.c"), 0o644); err != nil {
		return nil, err
	}
	if err := os.Symlink("fifo.c", filepath.Join(root, "special/fifo_link.rs")); err != nil {
		return nil, err
	}
	// A file larger than the index reads (sparse: it costs no disk).
	if err := writeFile(filepath.Join(root, "big/huge.h"), nil); err != nil {
		return nil, err
	}
	if err := os.Truncate(filepath.Join(root, "big/huge.h"), 64<<20); err != nil {
		return nil, err
	}
	// Unreadable places (root reads them anyway; see the process tests).
	if err := writeFile(filepath.Join(root, "locked/dir/inside.c"), []byte("int locked_inside;\n")); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(root, "locked/file.rs"), []byte("fn locked() {}\n")); err != nil {
		return nil, err
	}
	if err := os.Chmod(filepath.Join(root, "locked/file.rs"), 0); err != nil {
		return nil, err
	}
	if err := os.Chmod(filepath.Join(root, "locked/dir"), 0); err != nil {
		return nil, err
	}
	for i := range 24 {
		name := filepath.Join(root, "churn", fmt.Sprintf("f%02d%s", i, [...]string{".c", ".h", ".rs"}[i%3]))
		s.churn = append(s.churn, name)
		if err := writeFile(name, churnText(rng, name)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// unlock makes the tree removable again.
func (s *scratch) unlock() {
	os.Chmod(filepath.Join(s.root, "locked/dir"), 0o755)
	os.Chmod(filepath.Join(s.root, "locked/file.rs"), 0o644)
	for _, p := range s.churn {
		os.Chmod(p, 0o644)
		os.Chmod(filepath.Dir(p), 0o755)
	}
}

// paths lists scratch paths requests and watcher events name: files,
// links, the pipe, directories and paths that do not exist.
func (s *scratch) paths() []string {
	out := slices.Clone(s.files)
	for _, name := range []string{"links/loop/drivers/ok.rs", "links/self.c", "links/secret.c", "links/secret.rs",
		"links/sibling/secret.c", "links/devzero.c", "links/proc.rs", "links/dangling.h", "links/root/etc/passwd.c",
		"special/fifo.c", "special/fifo_link.rs", "big/huge.h", "locked/dir/inside.c", "locked/file.rs",
		"locked", "churn", "missing/never.c", "big"} {
		out = append(out, filepath.Join(s.root, name))
	}
	out = append(out, filepath.Join(s.outside, "secret.c"))
	return append(out, s.churn...)
}

// leadsOutside reports whether path resolves to the tree outside the root.
func (s *scratch) leadsOutside(path string) bool {
	real, err := filepath.EvalSymlinks(path)
	outside, err2 := filepath.EvalSymlinks(s.outside)
	return err == nil && err2 == nil && strings.HasPrefix(real, outside+string(filepath.Separator))
}

// change alters one churn file on disk the way editors, builds and
// version control do, and returns its path.
func (s *scratch) change() string {
	p := s.churn[s.rng.IntN(len(s.churn))]
	switch s.rng.IntN(10) {
	case 0: // deleted
		os.RemoveAll(p)
	case 1: // replaced atomically
		tmp := p + ".tmp"
		if writeFile(tmp, churnText(s.rng, p)) == nil {
			os.Rename(tmp, p)
		}
	case 2: // becomes a directory
		os.RemoveAll(p)
		writeFile(filepath.Join(p, "inner.c"), []byte("int inner;\n"))
	case 3: // becomes a link out of the tree
		os.RemoveAll(p)
		os.Symlink(filepath.Join(s.outside, "secret.c"), p)
	case 4: // unreadable
		os.Chmod(p, 0)
	case 5: // truncated, then written in two steps: a reader sees either half
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err == nil {
			data := churnText(s.rng, p)
			f.Write(data[:len(data)/2])
			f.Write(data[len(data)/2:])
			f.Close()
		}
	default: // rewritten in place
		os.RemoveAll(p)
		writeFile(p, churnText(s.rng, p))
	}
	return p
}

// churnText is the content of a churn file: a few declarations that cross
// the boundary, sometimes hostile.
func churnText(rng *rand.Rand, path string) []byte {
	var b bytes.Buffer
	rust := filepath.Ext(path) == ".rs"
	n := rng.IntN(40)
	for i := range n {
		if rust {
			fmt.Fprintf(&b, "fn churn_%d() { unsafe { bindings::churn_c_%d(core::ptr::null_mut()) }; }\n", i, rng.IntN(n))
		} else {
			fmt.Fprintf(&b, "struct churn_%d *churn_c_%d(struct churn_%d *p);\n", i, i, i)
		}
	}
	if rng.IntN(8) == 0 {
		b.WriteString(fragments[rng.IntN(len(fragments))])
	}
	return b.Bytes()
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
