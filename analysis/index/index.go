// Package index is rivet's workspace index: facts for every C and Rust
// file under the workspace roots, the name tables built from them, and the
// pipeline that fills them (walk, cheap C scan, Rust extraction, targeted
// C extraction, persistent cache). It knows nothing about LSP or rules.
//
// Readers take a Snapshot and release it when done; the index changes only
// between snapshots. A snapshot is a read lock: keep it for the length of
// one request, never across waits.
package index

import (
	"sort"
	"strings"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/cscan"
	"github.com/rivet-lsp/rivet/analysis/facts"
)

// File is one indexed file. Its fields are immutable once the File is
// published; an update publishes a new File.
type File struct {
	Stat
	Hash string
	// Open is set when the text came from an editor buffer rather than disk.
	Open bool
	// Scan is the cheap pass's view of a C file (nil for Rust).
	Scan *facts.Scan
	// C holds tree-sitter facts for a C file: the whole file for open
	// documents and rust/helpers, otherwise only the declarations rivet
	// needed so far (CSpans lists them).
	C      *facts.C
	CSpans []facts.Span
	// DenseMacros, for a register-dump header, are the sorted hashes of
	// the object-like macros left out of Scan (see dense.go).
	DenseMacros []uint64
	// Rust holds the facts of a Rust file.
	Rust *facts.Rust
	// callees is Scan.Callees as sorted name ids and decls is
	// Scan.Decls without pointers (see decls.go); Put moves them there.
	callees []uint32
	decls   declStore
	// cached holds callees read from the cache until Put interns them.
	cached *cachedCallees
	// id numbers the path in the index's name table.
	id uint32
}

// Rel returns the file's path relative to root, or its path when it is
// not under root.
func (f *File) Rel(root string) string {
	if r, ok := strings.CutPrefix(f.Path, strings.TrimSuffix(root, "/")+"/"); ok {
		return r
	}
	return f.Path
}

// Decls returns the file's scanned declarations.
func (f *File) Decls() []facts.ScanDecl {
	if f.Scan != nil && len(f.Scan.Decls) > 0 {
		return f.Scan.Decls // not yet published
	}
	return f.decls.all()
}

// DeclRef is a scanned C declaration in a file.
type DeclRef struct {
	File *File
	Decl *facts.ScanDecl
}

// RustRef is a bindings:: reference in a Rust file.
type RustRef struct {
	File *File
	Ref  *facts.RBindingRef
}

// RustFnRef is a Rust function visible to C: a #[no_mangle] or
// #[export_name] export, or an item of an extern block.
type RustFnRef struct {
	File *File
	Fn   *facts.RFn
}

// ItemLoc is a named item's location.
type ItemLoc struct {
	Path string
	Span facts.Span
}

// Index holds the facts of a workspace. The zero value is not usable: call
// New.
type Index struct {
	mu    sync.RWMutex
	files map[string]*File
	// byID and ids number the paths for the name table.
	byID []*File
	ids  map[string]uint32
	// cDecls are scanned C declarations by name hash, across files.
	cDecls nameTable
	// callers lists, per callee name id, the files whose bodies call it.
	callers map[uint32][]uint32
	// bindingRefs are Rust bindings:: references by bindgen name.
	bindingRefs map[string][]RustRef
	// exports are Rust fns exported to C by symbol; externs are Rust
	// extern-block items by symbol.
	exports map[string][]RustFnRef
	externs map[string][]RustFnRef
	// dense are the register-dump headers (File.DenseMacros), with a
	// filter over all their hashes.
	dense       map[string]*File
	denseFilter denseFilter
	// crateItems are top-level items of Rust files in a rust/bindings
	// directory: the bindings crate's hand-written additions.
	crateItems map[string][]ItemLoc
	callees    interner
	// kernel is the bindgen configuration when a root is a kernel tree.
	kernel *Kernel
	gen    uint64
}

// New returns an empty index.
func New() *Index {
	return &Index{
		files:       map[string]*File{},
		ids:         map[string]uint32{},
		cDecls:      newNameTable(),
		callers:     map[uint32][]uint32{},
		bindingRefs: map[string][]RustRef{},
		exports:     map[string][]RustFnRef{},
		externs:     map[string][]RustFnRef{},
		crateItems:  map[string][]ItemLoc{},
		dense:       map[string]*File{},
		callees:     newInterner(),
	}
}

// Put publishes files, replacing earlier versions of the same paths.
func (ix *Index) Put(files ...*File) { ix.put(files, false) }

func (ix *Index) put(files []*File, keepOpen bool) {
	if len(files) == 0 {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, f := range files {
		ix.putLocked(f, keepOpen)
	}
}

// putLocked publishes f; with keepOpen, an open buffer's version stays.
// Callers hold mu.
func (ix *Index) putLocked(f *File, keepOpen bool) {
	old := ix.files[f.Path]
	if keepOpen && !f.Open && old != nil && old.Open {
		return
	}
	switch {
	case f.cached != nil:
		f.callees, f.cached = f.cached.intern(&ix.callees), nil
	case f.Scan != nil && f.callees == nil:
		f.callees = ix.callees.sortedIDs(f.Scan.Callees)
		f.Scan.Callees = nil
	}
	if f.Scan != nil && f.decls.len() == 0 && len(f.Scan.Decls) > 0 {
		f.decls = newDeclStore(f.Scan.Decls)
		f.Scan.Decls = nil
	}
	id, ok := ix.ids[f.Path]
	if !ok {
		id = uint32(len(ix.byID))
		ix.ids[f.Path] = id
		ix.byID = append(ix.byID, nil)
	}
	f.id = id
	// A new version that shares its declarations or callees with the old
	// one (Ensure adding facts of more declarations) keeps their table
	// entries: re-linking them is the cost of a Put on a large header.
	decls := old == nil || !sameDecls(old, f)
	callees := old == nil || !sameCallees(old, f)
	if old != nil {
		ix.unlink(old, decls, callees)
	}
	ix.byID[id] = f
	ix.files[f.Path] = f
	ix.link(f, decls, callees)
	ix.gen++
}

func sameDecls(a, b *File) bool {
	x, y := a.decls.items, b.decls.items
	return len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
}

func sameCallees(a, b *File) bool {
	x, y := a.callees, b.callees
	return len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
}

// reserve sizes the name table for the files about to be published, so a
// warm start does not grow it step by step.
func (ix *Index) reserve(files map[string]*File) {
	n := 0
	for _, f := range files {
		n += f.decls.len()
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if n > ix.cDecls.count*2 {
		ix.cDecls.grow(n)
	}
}

// Remove forgets the files at paths.
func (ix *Index) Remove(paths ...string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, p := range paths {
		if old := ix.files[p]; old != nil {
			ix.unlink(old, true, true)
			delete(ix.files, p)
			ix.byID[old.id] = nil
		}
	}
	ix.gen++
}

// SetKernel records the bindgen configuration of a kernel tree.
func (ix *Index) SetKernel(k *Kernel) {
	ix.mu.Lock()
	ix.kernel = k
	ix.gen++
	ix.mu.Unlock()
}

// link adds f's names to the tables, its declarations and callees only
// when asked. Callers hold mu.
func (ix *Index) link(f *File, decls, callees bool) {
	if decls {
		for i := range f.decls.items {
			ix.cDecls.add(hashName(f.decls.name(i)), f.id, uint32(i))
		}
	}
	if callees {
		for _, c := range f.callees {
			ix.callers[c] = append(ix.callers[c], f.id)
		}
	}
	if len(f.DenseMacros) > 0 {
		ix.dense[f.Path] = f
		for _, h := range f.DenseMacros {
			ix.denseFilter.add(h)
		}
	}
	if r := f.Rust; r != nil {
		for _, it := range bindingsCrateItems(f) {
			ix.crateItems[it.name] = append(ix.crateItems[it.name], ItemLoc{Path: f.Path, Span: it.span})
		}
		for i := range r.BindingRefs {
			ref := &r.BindingRefs[i]
			ix.bindingRefs[ref.Name] = append(ix.bindingRefs[ref.Name], RustRef{File: f, Ref: ref})
		}
		for i := range r.Fns {
			fn := &r.Fns[i]
			sym := fn.Symbol()
			switch {
			case sym == "":
			case fn.ExternBlock >= 0:
				ix.externs[sym] = append(ix.externs[sym], RustFnRef{File: f, Fn: fn})
			default:
				ix.exports[sym] = append(ix.exports[sym], RustFnRef{File: f, Fn: fn})
			}
		}
	}
}

// unlink removes f's names from the tables. Callers hold mu.
func (ix *Index) unlink(f *File, decls, callees bool) {
	delete(ix.dense, f.Path)
	if decls {
		for i := range f.decls.items {
			ix.cDecls.remove(hashName(f.decls.name(i)), f.id)
		}
	}
	if callees {
		for _, c := range f.callees {
			ix.callers[c] = removeID(ix.callers[c], f.id)
			if len(ix.callers[c]) == 0 {
				delete(ix.callers, c)
			}
		}
	}
	if r := f.Rust; r != nil {
		for _, it := range bindingsCrateItems(f) {
			ix.crateItems[it.name] = dropFile(ix.crateItems[it.name], f, func(l ItemLoc) *File {
				if l.Path == f.Path {
					return f
				}
				return nil
			})
			if len(ix.crateItems[it.name]) == 0 {
				delete(ix.crateItems, it.name)
			}
		}
		for i := range r.BindingRefs {
			name := r.BindingRefs[i].Name
			ix.bindingRefs[name] = dropFile(ix.bindingRefs[name], f, func(r RustRef) *File { return r.File })
			if len(ix.bindingRefs[name]) == 0 {
				delete(ix.bindingRefs, name)
			}
		}
		for i := range r.Fns {
			fn := &r.Fns[i]
			sym := fn.Symbol()
			if sym == "" {
				continue
			}
			table := ix.exports
			if fn.ExternBlock >= 0 {
				table = ix.externs
			}
			table[sym] = dropFile(table[sym], f, func(r RustFnRef) *File { return r.File })
			if len(table[sym]) == 0 {
				delete(table, sym)
			}
		}
	}
}

// dropFile returns refs without those of f.
func dropFile[T any](refs []T, f *File, fileOf func(T) *File) []T {
	var out []T
	for _, r := range refs {
		if fileOf(r) != f {
			out = append(out, r)
		}
	}
	return out
}

// Snapshot returns a consistent read view of the index and its release
// function. The index does not change until release is called.
func (ix *Index) Snapshot() (*Snapshot, func()) {
	ix.mu.RLock()
	s := &Snapshot{ix: ix, Gen: ix.gen}
	var once sync.Once
	return s, func() { once.Do(ix.mu.RUnlock) }
}

// Snapshot is a read view of the index. Its methods must not be called
// after release.
type Snapshot struct {
	ix *Index
	// Gen increases with every change to the index.
	Gen uint64
}

// File returns the file at path, or nil.
func (s *Snapshot) File(path string) *File { return s.ix.files[path] }

// NumFiles is the number of indexed files.
func (s *Snapshot) NumFiles() int { return len(s.ix.files) }

// Files calls fn for every file, in no particular order, until fn returns
// false.
func (s *Snapshot) Files(fn func(*File) bool) {
	for _, f := range s.ix.files {
		if !fn(f) {
			return
		}
	}
}

// CDecls returns the scanned C declarations named name, including the
// macros of register-dump headers (found by re-scanning them).
func (s *Snapshot) CDecls(name string) []DeclRef {
	var ds []DeclRef
	s.ix.cDecls.each(hashName(name), func(p posting) bool {
		f := s.ix.byID[p.file]
		if f != nil && int(p.decl) < f.decls.len() && f.decls.name(int(p.decl)) == name {
			d := f.decls.decl(int(p.decl))
			ds = append(ds, DeclRef{File: f, Decl: &d})
		}
		return true
	})
	if len(s.ix.dense) > 0 {
		ds = append(ds, s.denseDecls(name)...)
	}
	return ds
}

// CDeclsMatching calls fn for every scanned C declaration whose name
// match accepts, until fn returns false. match sees every declaration's
// name without allocation; only accepted ones become DeclRefs. The macros
// of register-dump headers are not listed (dense.go).
func (s *Snapshot) CDeclsMatching(match func(name string) bool, fn func(DeclRef) bool) {
	for _, f := range s.ix.byID {
		if f == nil {
			continue
		}
		for i := range f.decls.items {
			if !match(f.decls.name(i)) {
				continue
			}
			d := f.decls.decl(i)
			if !fn(DeclRef{File: f, Decl: &d}) {
				return
			}
		}
	}
}

// NumCDecls is the number of scanned C declarations in the name table.
func (s *Snapshot) NumCDecls() int { return s.ix.cDecls.count }

// BindingRefs returns the Rust references to bindgen name.
func (s *Snapshot) BindingRefs(name string) []RustRef { return s.ix.bindingRefs[name] }

// BindingNames calls fn for every bindgen name Rust references.
func (s *Snapshot) BindingNames(fn func(name string, refs []RustRef) bool) {
	for n, r := range s.ix.bindingRefs {
		if !fn(n, r) {
			return
		}
	}
}

// Exports returns the Rust fns exported to C as symbol.
func (s *Snapshot) Exports(symbol string) []RustFnRef { return s.ix.exports[symbol] }

// ExportSymbols returns every symbol Rust exports to C, sorted.
func (s *Snapshot) ExportSymbols() []string { return sortedKeys(s.ix.exports) }

// Externs returns the Rust extern-block items declaring symbol.
func (s *Snapshot) Externs(symbol string) []RustFnRef { return s.ix.externs[symbol] }

// ExternSymbols returns every symbol declared in a Rust extern block, sorted.
func (s *Snapshot) ExternSymbols() []string { return sortedKeys(s.ix.externs) }

// BindingsCrateItems returns the top-level items named name defined in
// Rust files under a rust/bindings directory.
func (s *Snapshot) BindingsCrateItems(name string) []ItemLoc { return s.ix.crateItems[name] }

// Kernel returns the bindgen configuration, or nil outside kernel trees.
func (s *Snapshot) Kernel() *Kernel { return s.ix.kernel }

// CallerFiles returns the C files whose function bodies call name,
// according to the cheap scan, sorted by path.
func (s *Snapshot) CallerFiles(name string) []*File {
	id, ok := s.ix.callees.lookup(name)
	if !ok {
		return nil
	}
	ids := s.ix.callers[id]
	out := make([]*File, 0, len(ids))
	for _, fid := range ids {
		if f := s.ix.byID[fid]; f != nil {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// removeID removes one occurrence of id from ids, not keeping the order.
func removeID(ids []uint32, id uint32) []uint32 {
	for i, x := range ids {
		if x == id {
			ids[i] = ids[len(ids)-1]
			return ids[:len(ids)-1]
		}
	}
	return ids
}

// CallersOf returns, for each file whose function bodies call any of
// names (according to the cheap scan), which of them it calls: one pass
// over the index rather than one per name.
func (s *Snapshot) CallersOf(names []string) map[*File][]string {
	out := map[*File][]string{}
	for _, n := range names {
		id, ok := s.ix.callees.lookup(n)
		if !ok {
			continue
		}
		for _, fid := range s.ix.callers[id] {
			if f := s.ix.byID[fid]; f != nil {
				out[f] = append(out[f], n)
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type namedSpan struct {
	name string
	span facts.Span
}

// bindingsCrateItems lists the top-level types and fns of a Rust file in a
// rust/bindings directory.
func bindingsCrateItems(f *File) []namedSpan {
	if f.Rust == nil || !strings.Contains(f.Path, "/rust/bindings/") {
		return nil
	}
	var out []namedSpan
	for _, t := range f.Rust.Types {
		out = append(out, namedSpan{t.Name, t.NameSpan})
	}
	for _, fn := range f.Rust.Fns {
		if fn.Impl < 0 && fn.Trait < 0 && fn.ExternBlock < 0 {
			out = append(out, namedSpan{fn.Name, fn.NameSpan})
		}
	}
	return out
}

// scanC is cscan.Scan whose kept strings do not pin the scan's buffer.
func scanC(src []byte) *facts.Scan {
	s := cscan.Scan(src)
	detach(s)
	return s
}

// detach copies the strings a scan keeps after Put (includes, cleanup
// arguments): cscan cuts them from one buffer per file, which holds the
// file's declaration names and callees too and would stay alive for them.
func detach(s *facts.Scan) {
	for i := range s.Includes {
		s.Includes[i] = strings.Clone(s.Includes[i])
	}
	for i := range s.Cleanups {
		c := &s.Cleanups[i]
		c.Macro = strings.Clone(c.Macro)
		args := make([]string, len(c.Args))
		for j, a := range c.Args {
			args[j] = strings.Clone(a)
		}
		c.Args = args
	}
}
