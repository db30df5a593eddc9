//go:build linux && cgo

package treesitter

/*
#include <malloc.h>
*/
import "C"

import "runtime"

func init() {
	// tree-sitter allocates from many OS threads (every cgo call may run
	// on another), and glibc gives threads their own arenas, up to eight
	// per core, each keeping what it freed: a few parses of large files
	// pinned hundreds of megabytes. One arena per core keeps parsing in
	// parallel without contention.
	C.mallopt(C.M_ARENA_MAX, C.int(max(2, runtime.NumCPU())))
}

// releaseFreed returns the C heap's free pages to the system.
func releaseFreed() { C.malloc_trim(0) }
