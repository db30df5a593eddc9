package treesitter

import (
	"bytes"
	"context"
	"os"
	"testing"
)

// benchInput is testdata/<file> repeated to about 256 KiB: a driver-sized
// file of the kind the indexer parses, written for rivet (no kernel code).
func benchInput(b *testing.B, file string) []byte {
	src, err := os.ReadFile("testdata/" + file)
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Repeat(src, 256<<10/len(src)+1)
}

func benchMask(b *testing.B, lang Language, file string) {
	src := benchInput(b, file)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Mask(lang, src)
	}
}

func benchParse(b *testing.B, lang Language, file string, parse func(context.Context, Language, []byte) (*Tree, error)) {
	src := benchInput(b, file)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		tr, err := parse(context.Background(), lang, src)
		if err != nil {
			b.Fatal(err)
		}
		tr.Close()
	}
}

func BenchmarkMaskC(b *testing.B)    { benchMask(b, C, "sample.c") }
func BenchmarkMaskRust(b *testing.B) { benchMask(b, Rust, "sample.rs") }

// BenchmarkParseC and BenchmarkParseRust include the mask; the Raw
// variants parse the same text unmasked, for the mask's share.
func BenchmarkParseC(b *testing.B)       { benchParse(b, C, "sample.c", Parse) }
func BenchmarkParseRust(b *testing.B)    { benchParse(b, Rust, "sample.rs", Parse) }
func BenchmarkParseRawC(b *testing.B)    { benchParse(b, C, "sample.c", ParseRaw) }
func BenchmarkParseRawRust(b *testing.B) { benchParse(b, Rust, "sample.rs", ParseRaw) }

// BenchmarkReparseC measures an edit of one byte in the middle of the
// file, reusing the previous tree.
func BenchmarkReparseC(b *testing.B) {
	src := benchInput(b, "sample.c")
	tr, err := Parse(context.Background(), C, src)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	edited := bytes.Clone(src)
	mid := bytes.Index(edited[len(edited)/2:], []byte("return 0;")) + len(edited)/2
	edited[mid+7] = '1'
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		nt, err := tr.Reparse(context.Background(), edited)
		if err != nil {
			b.Fatal(err)
		}
		nt.Close()
	}
}
