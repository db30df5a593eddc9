package server

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// TestKernelPositions checks lineIndex against the oracle on every .c, .h
// and .rs file of the kernel tree at $RIVET_KERNEL: every character boundary
// of each file that has multi-byte text, invalid UTF-8 or a CR, and every
// line start and end of the others, in both encodings.
func TestKernelPositions(t *testing.T) {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("set RIVET_KERNEL to a kernel source tree")
	}
	paths := make(chan string, 256)
	go func() {
		defer close(paths)
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && strings.Contains(".c.h.rs", filepath.Ext(path)) && filepath.Ext(path) != "" {
				paths <- path
			}
			return nil
		})
	}()
	var nFiles, nBytes, nMultiByte, nInvalid, nCR, nBoundaries atomic.Int64
	var indexTime atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for path := range paths {
				text, err := os.ReadFile(path)
				if err != nil {
					t.Error(err)
					continue
				}
				nFiles.Add(1)
				nBytes.Add(int64(len(text)))
				start := time.Now()
				x16 := newLineIndex(text, PositionEncodingKindUTF16)
				indexTime.Add(int64(time.Since(start)))
				x8 := newLineIndex(text, PositionEncodingKindUTF8)
				hasCR := bytes.IndexByte(text, '\r') >= 0
				if hasCR {
					nCR.Add(1)
				}
				if !utf8.Valid(text) {
					nInvalid.Add(1)
				}
				ascii := !hasCR && isASCII(text)
				if !ascii {
					nMultiByte.Add(1)
				}
				nBoundaries.Add(int64(checkKernelFile(t, path, text, ascii, x16, x8)))
			}
		})
	}
	wg.Wait()
	mb := float64(nBytes.Load()) / 1e6
	t.Logf("%d files, %.0f MB; %d with non-ASCII bytes or CR (%d not valid UTF-8, %d with CR); %d positions checked; line index UTF-16 %.0f MB/s",
		nFiles.Load(), mb, nMultiByte.Load(), nInvalid.Load(), nCR.Load(), nBoundaries.Load(),
		mb/time.Duration(indexTime.Load()).Seconds())
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// checkKernelFile compares both indexes of one file with the oracle and
// returns how many positions it checked.
func checkKernelFile(t *testing.T, path string, text []byte, ascii bool, x16, x8 *lineIndex) int {
	t.Helper()
	if ascii {
		n := 0
		for line, start := range x16.starts {
			end := x16.lineEnd(line)
			for _, off := range []int{start, end} {
				want := int64(off - start)
				for _, x := range []*lineIndex{x16, x8} {
					p := x.position(off)
					back, fix := x.offset(int64(line), want)
					if int(p.Line) != line || int64(p.Character) != want || back != off || fix != fixNone {
						t.Fatalf("%s: offset %d -> %v -> %d (%v), want %d:%d", path, off, p, back, fix, line, want)
					}
					n++
				}
			}
		}
		return n
	}
	lines := oracle(text)
	n := 0
	for _, x := range []*lineIndex{x16, x8} {
		if len(x.starts) != len(lines) {
			t.Fatalf("%s (%s): %d lines, oracle %d", path, x.enc, len(x.starts), len(lines))
		}
		for ln, l := range lines {
			for k, b := range l.bytes {
				off := l.start + b
				want := protocol.Position{Line: uint32(ln), Character: uint32(l.units[k])}
				if x.enc == PositionEncodingKindUTF8 {
					want.Character = uint32(b)
				}
				got := x.position(off)
				back, fix := x.offset(int64(got.Line), int64(got.Character))
				if got != want || back != off || fix != fixNone {
					t.Fatalf("%s (%s): line %d character %d: offset %d -> %v (oracle %v) -> %d (%v)",
						path, x.enc, ln, k, off, got, want, back, fix)
				}
				n++
			}
		}
	}
	return n
}
