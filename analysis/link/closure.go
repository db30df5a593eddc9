package link

import (
	"path"
	"strings"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/index"
)

// BindgenHeaders returns the files bindgen reads in the kernel tree of
// snap: rust/bindings/bindings_helper.h, the rust/helpers C files, and
// every header they include, transitively, found as an x86_64 build finds
// them (include/, arch/x86/include/ and their uapi/ directories, the
// asm-generic/ headers standing in for the asm/ headers the build
// generates, "..." includes next to the includer). It is nil outside a
// kernel tree. The result is shared: callers must not modify it.
func BindgenHeaders(snap *index.Snapshot) map[string]bool {
	k := snap.Kernel()
	if k == nil || k.BindingsHelper == "" {
		return nil
	}
	headers.mu.Lock()
	defer headers.mu.Unlock()
	if headers.kernel == k && (headers.gen == snap.Gen || headers.stillValid(snap)) {
		headers.gen = snap.Gen
		return headers.set
	}
	set, files := includeClosure(snap, k)
	headers.kernel, headers.gen, headers.set, headers.files, headers.numFiles = k, snap.Gen, set, files, snap.NumFiles()
	return headers.set
}

// headers caches the last closure computed. Requests ask for it many
// times, and an edit elsewhere (every keystroke in an open document
// changes the index) leaves it valid: it is recomputed only when a file
// of the closure changed or files came or went.
var headers closureCache

type closureCache struct {
	mu       sync.Mutex
	kernel   *index.Kernel
	gen      uint64
	set      map[string]bool
	files    map[string]*index.File // the closure's files as read
	numFiles int
}

// stillValid reports whether the cached closure holds for snap: the same
// number of files, and each file of the closure unchanged.
func (h *closureCache) stillValid(snap *index.Snapshot) bool {
	if snap.NumFiles() != h.numFiles {
		return false
	}
	for p, f := range h.files {
		if snap.File(p) != f {
			return false
		}
	}
	return true
}

// includeDirs are the directories `#include <...>` searches, in order.
var includeDirs = []string{"include", "arch/x86/include", "include/uapi", "arch/x86/include/uapi"}

// includeClosure computes the closure, and the files it read.
func includeClosure(snap *index.Snapshot, k *index.Kernel) (map[string]bool, map[string]*index.File) {
	seen := map[string]bool{}
	files := map[string]*index.File{}
	var queue []string
	visit := func(p string) {
		if f := snap.File(p); !seen[p] && f != nil {
			seen[p] = true
			files[p] = f
			queue = append(queue, p)
		}
	}
	visit(k.BindingsHelper)
	snap.Files(func(f *index.File) bool {
		if k.IsHelper(f.Path) {
			visit(f.Path)
		}
		return true
	})
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		f := snap.File(p)
		if f == nil || f.Scan == nil {
			continue
		}
		for _, inc := range f.Scan.Includes {
			for _, c := range includeCandidates(k.Root, p, inc) {
				if snap.File(c) != nil {
					visit(c)
					break
				}
			}
		}
	}
	return seen, files
}

// includeCandidates lists where the #include target inc (with its quotes
// or brackets) of the file from may be, in search order.
func includeCandidates(root, from, inc string) []string {
	if len(inc) < 3 {
		return nil
	}
	name := inc[1 : len(inc)-1]
	var out []string
	if inc[0] == '"' {
		out = append(out, path.Join(path.Dir(from), name))
	}
	for _, d := range includeDirs {
		out = append(out, path.Join(root, d, name))
	}
	if rest, ok := strings.CutPrefix(name, "asm/"); ok {
		// arch/x86/include/generated/asm/*.h only include these.
		out = append(out, path.Join(root, "include/asm-generic", rest), path.Join(root, "include/uapi/asm-generic", rest))
	}
	if inc[0] == '<' && strings.HasPrefix(name, "../") {
		out = append(out, path.Join(path.Dir(from), name)) // bindings_helper.h's <../../drivers/base/base.h>
	}
	return out
}
