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

// denseDecls re-scans the dense files that may define name and returns
// the declarations found. It runs outside the index lock's writers'
// path: the snapshot only reads.
func (s *Snapshot) denseDecls(name string) []DeclRef {
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
