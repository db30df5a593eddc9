package index

import (
	"sort"

	"github.com/cespare/xxhash/v2"

	"github.com/rivet-lsp/rivet/analysis/cscan"
	"github.com/rivet-lsp/rivet/analysis/facts"
)

// Register-dump headers (the amdgpu asic_reg headers of Linux 7.3 hold
// 4.4 million of its 8 million file-scope declarations in 200 files) would
// dominate the name tables while no Rust code ever names their macros.
// Such a file keeps its other declarations as usual, but its object-like
// macros only as sorted 64-bit name hashes: a lookup that hits re-scans the
// file for the exact place.
const (
	denseMinSize  = 256 << 10 // bytes
	denseMinShare = 0.9       // share of declarations that are object-like macros
)

// splitDense moves the object-like macros of a register-dump header out
// of scan into sorted name hashes. Other files are left alone (nil).
func splitDense(size int, scan *facts.Scan) []uint64 {
	if size < denseMinSize || len(scan.Decls) == 0 {
		return nil
	}
	macros := 0
	for i := range scan.Decls {
		if isObjectMacro(&scan.Decls[i]) {
			macros++
		}
	}
	if float64(macros) < denseMinShare*float64(len(scan.Decls)) {
		return nil
	}
	hashes := make([]uint64, 0, macros)
	kept := scan.Decls[:0]
	for _, d := range scan.Decls {
		if isObjectMacro(&d) {
			hashes = append(hashes, xxhash.Sum64String(d.Name))
		} else {
			kept = append(kept, d)
		}
	}
	scan.Decls = append([]facts.ScanDecl(nil), kept...) // drop the big backing array
	sort.Slice(hashes, func(i, j int) bool { return hashes[i] < hashes[j] })
	return hashes
}

func isObjectMacro(d *facts.ScanDecl) bool {
	return d.Kind == facts.DeclMacro && !d.Has(facts.FlagFuncLike)
}

// mayDeclare reports whether a dense file may define macro name.
func (f *File) mayDeclare(name string) bool {
	if len(f.DenseMacros) == 0 {
		return false
	}
	h := xxhash.Sum64String(name)
	i := sort.Search(len(f.DenseMacros), func(i int) bool { return f.DenseMacros[i] >= h })
	return i < len(f.DenseMacros) && f.DenseMacros[i] == h
}

// denseFilter is a Bloom filter over the macro hashes of every dense file,
// so that the common lookup (a name no register dump defines) costs a few
// bit tests instead of a binary search per dense file. It is 8 MiB, for
// about 1% false positives at Linux 7.3's 4.4 million hashes; bits of
// removed files stay set, which only costs false positives.
type denseFilter struct {
	bits []uint64
}

const (
	denseFilterBits = 1 << 26 // a power of two
	denseFilterK    = 6
)

func (b *denseFilter) add(h uint64) {
	if b.bits == nil {
		b.bits = make([]uint64, denseFilterBits/64)
	}
	h1, h2 := h, h>>32|h<<32|1
	for i := uint64(0); i < denseFilterK; i++ {
		bit := (h1 + i*h2) & (denseFilterBits - 1)
		b.bits[bit/64] |= 1 << (bit % 64)
	}
}

func (b *denseFilter) mayHave(h uint64) bool {
	if b.bits == nil {
		return false
	}
	h1, h2 := h, h>>32|h<<32|1
	for i := uint64(0); i < denseFilterK; i++ {
		bit := (h1 + i*h2) & (denseFilterBits - 1)
		if b.bits[bit/64]&(1<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}

// denseDecls re-scans the dense files that may define name and returns
// the declarations found. It runs outside the index lock's writers'
// path: the snapshot only reads.
func (s *Snapshot) denseDecls(name string) []DeclRef {
	if !s.ix.denseFilter.mayHave(xxhash.Sum64String(name)) {
		return nil
	}
	var out []DeclRef
	for _, f := range s.ix.dense {
		if !f.mayDeclare(name) {
			continue
		}
		src, err := ReadDisk(f.Path)
		if err != nil || Hash(src) != f.Hash {
			continue
		}
		scan := cscan.Scan(src)
		for i := range scan.Decls {
			if scan.Decls[i].Name == name && isObjectMacro(&scan.Decls[i]) {
				out = append(out, DeclRef{File: f, Decl: &scan.Decls[i]})
			}
		}
	}
	return out
}
