package lifecycle

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
)

// Build mines the lifecycle knowledge of snap: Rust impls and types, C
// cleanup declarations, annotations and body summaries, naming
// conventions, the built-in table and cfg's [lifecycle] section (cfg nil:
// none). It reads facts only, parses nothing, and returns what it has when
// ctx ends. The workspace builds one KB per index generation.
func Build(ctx context.Context, snap *index.Snapshot, cfg *config.Config) *KB {
	b := newBuilder(snap, cfg)
	steps := []func(){
		b.mineCleanups,
		b.mineAnnotations,
		b.mineBodies,
		b.mineFamilies,
		b.mineNaming,
		b.mineBuiltins,
		b.mineConfig,
		b.pairFrees, // with the acquires the sources above found
		b.mineDevm,  // after the pairs devm_X's early release derives from
		b.mineRustWrappers,
		b.mineRefCounts, // checked against everything above
		b.mineOwners,    // likewise, and against the impls
	}
	for _, step := range steps {
		if ctx.Err() != nil {
			break
		}
		step()
	}
	b.finish()
	return b.kb
}

// builder accumulates claims about C functions, then resolves them into
// Effects (finish).
type builder struct {
	snap     *index.Snapshot
	cfg      *config.Config
	funcs    map[string]*cfunc
	statics  map[string]*cfunc // by staticKey
	aliases  map[string]macroAlias
	declared map[string]declKind // memo of declKindOf
	claims   map[string]*claims
	pairs    []*pairClaim
	// names is the universe and nodes the call graph, once computed.
	names []string
	nodes []node
	// frees are the DEFINE_FREE declarations, for pairFrees.
	frees []freeDecl
	// rust are the Rust files, sorted by path.
	rust []*index.File
	kb   *KB
}

// claims are everything the sources say about one C function.
type claims struct {
	acquires []*pairClaim
	releases []*pairClaim
	borrowed []Source
	devm     []Source
	errPtr   []Source
	null     []Source
	enters   []Source
	leaves   []Source
	sleeps   []sleepClaim
	keeps    map[int]Source
	gfpArg   int // -1 when the function takes no gfp_t
	notes    []Source
}

// pairClaim is one source's pairing of an acquire with its releases.
// A claim with no Acquire only says its releases release something (a
// DEFINE_FREE whose allocators are unknown).
type pairClaim struct {
	Pair
	acquireArg int
	cond       Cond
	// releaseArg gives the released argument per release, when known.
	releaseArg map[string]int
	// atomic: the acquire enters atomic context; sleeps: taking it may
	// sleep (a mutex).
	atomic, sleeps bool
}

// sleepClaim is direct evidence that a function sleeps that is not in its
// body: the built-in table, the configuration, a mutex annotation.
type sleepClaim struct {
	src  Source
	what string
}

func newBuilder(snap *index.Snapshot, cfg *config.Config) *builder {
	if cfg == nil {
		cfg = config.Default()
	}
	b := &builder{
		snap:     snap,
		cfg:      cfg,
		aliases:  macroAliases(snap),
		declared: map[string]declKind{},
		claims:   map[string]*claims{},
		kb: &KB{
			gen:       snap.Gen,
			effects:   map[string]*Effect{},
			transfers: map[string]*Transfer{},
			lines:     newLineCache(),
		},
	}
	b.funcs, b.statics = funcTable(snap)
	if k := snap.Kernel(); k != nil {
		b.kb.root = k.Root
	}
	snap.Files(func(f *index.File) bool {
		if f.Rust != nil {
			b.rust = append(b.rust, f)
		}
		return true
	})
	sort.Slice(b.rust, func(i, j int) bool { return b.rust[i].Path < b.rust[j].Path })
	return b
}

func (b *builder) claim(name string) *claims {
	c := b.claims[name]
	if c == nil {
		c = &claims{gfpArg: -1}
		b.claims[name] = c
	}
	return c
}

// addPair records a pair claim for its acquire and each release.
func (b *builder) addPair(pc *pairClaim) {
	if pc.Family == "" {
		pc.Family = familyOf(pc.Kind, pc.Acquire, first(pc.Releases))
	}
	b.pairs = append(b.pairs, pc)
	if pc.Acquire != "" {
		c := b.claim(pc.Acquire)
		c.acquires = append(c.acquires, pc)
	}
	for _, r := range pc.Releases {
		c := b.claim(r)
		c.releases = append(c.releases, pc)
	}
}

// knownReleases returns every release some claim pairs with acquire.
func (b *builder) knownReleases(acquire string) []string {
	c := b.claims[acquire]
	if c == nil {
		return nil
	}
	var out []string
	for _, pc := range c.acquires {
		for _, r := range pc.Releases {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// pairsWithKnown reports whether some claim pairs acquire with release.
func (b *builder) pairsWithKnown(acquire, release string) bool {
	return slices.Contains(b.knownReleases(acquire), release)
}

// knownAcquires returns every acquire some claim pairs with release.
func (b *builder) knownAcquires(release string) []string {
	c := b.claims[release]
	if c == nil {
		return nil
	}
	var out []string
	for _, pc := range c.releases {
		if pc.Acquire != "" && !slices.Contains(out, pc.Acquire) {
			out = append(out, pc.Acquire)
		}
	}
	return out
}

// acquiresReturn reports whether some claim says fn returns a resource
// the caller owns (not a lock, not an argument's count).
func (b *builder) acquiresReturn(fn string) bool {
	c := b.claims[fn]
	if c == nil || len(c.borrowed) > 0 || len(c.devm) > 0 {
		return false
	}
	for _, pc := range c.acquires {
		if pc.acquireArg == ArgReturn {
			return true
		}
	}
	return false
}

// conflict explains why the Rust-mined pairing of acquire with release
// contradicts the C side, or returns "": release is known to release
// other acquires, and acquire is known to be released by others.
func (b *builder) conflict(acquire, release string) string {
	rels := b.knownReleases(acquire)
	if len(rels) == 0 || slices.Contains(rels, release) || len(b.knownAcquires(release)) == 0 {
		return ""
	}
	why := b.strongest(acquire).Source.Desc
	return joinOr(rels) + ", not " + release + ", releases " + acquire + " (" + why + ")"
}

// strongest returns acquire's most trusted pair claim (preferring the
// kernel crate's among Rust ones), or nil.
func (b *builder) strongest(acquire string) *pairClaim {
	var best *pairClaim
	for _, pc := range b.claimsOf(acquire) {
		if best == nil || moreTrusted(acquire, pc.Source, best.Source) {
			best = pc
		}
	}
	return best
}

// moreTrusted orders an acquire's sources by kind, then, among Rust
// impls and owners, the one whose type the acquire names (get_device:
// Device, not I2cClient, whose inc_ref also calls it), then the API
// headers' (include/), then the kernel crate's and the shortest path.
func moreTrusted(acquire string, a, b Source) bool {
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if na, nb := namesType(acquire, a), namesType(acquire, b); na != nb {
		return na
	}
	if ha, hb := apiHeader(a.Path), apiHeader(b.Path); ha != hb {
		return ha // the API's own declaration, not a driver's guard
	}
	return a.Path != b.Path && betterPath(a.Path, b.Path)
}

// namesType reports whether acquire contains the name of the type a Rust
// source is about ("AlwaysRefCounted for Device", "owner type Clk").
func namesType(acquire string, s Source) bool {
	if s.Kind > RustWrapper {
		return false
	}
	flat := strings.ReplaceAll(acquire, "_", "")
	for _, w := range strings.Fields(s.Desc) {
		if w[0] < 'A' || w[0] > 'Z' || w == "AlwaysRefCounted" || w == "Backend" || w == "Drop" {
			continue
		}
		if lw := strings.ToLower(w); strings.Contains(flat, lw) || strings.Contains(lw, flat) {
			return true // get_device: Device; spin_lock: SpinLockBackend
		}
	}
	return false
}

// learnedPair is a Rust-mined pair claim, with the kind and family of
// what the C side already says about acquire when it says anything.
func (b *builder) learnedPair(acquire, release string, kind ResourceKind, src Source) *pairClaim {
	pc := &pairClaim{Pair: Pair{Acquire: acquire, Releases: []string{release}, Kind: kind, Source: src}, acquireArg: ArgReturn}
	if w := b.strongest(acquire); w != nil {
		pc.Kind, pc.Family, pc.acquireArg = w.Kind, w.Family, w.acquireArg
	}
	return pc
}

// declKind says how a name is declared in C.
type declKind uint8

const (
	undeclared declKind = iota
	declFunc
	declMacro // a function-like macro
)

// declKindOf tells whether name is a C function, a function-like macro,
// or neither.
func (b *builder) declKindOf(name string) declKind {
	if _, ok := b.funcs[name]; ok {
		return declFunc
	}
	if k, ok := b.declared[name]; ok {
		return k
	}
	k := undeclared
	for _, d := range b.snap.CDecls(name) {
		switch {
		case d.Decl.Kind == facts.DeclFunc:
			k = declFunc
		case d.Decl.Kind == facts.DeclMacro && d.Decl.Has(facts.FlagFuncLike) && k == undeclared:
			k = declMacro
		}
	}
	b.declared[name] = k
	return k
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}

func joinOr(ss []string) string {
	switch len(ss) {
	case 0:
		return ""
	case 1:
		return ss[0]
	}
	out := ss[0]
	for _, s := range ss[1 : len(ss)-1] {
		out += ", " + s
	}
	return out + " or " + ss[len(ss)-1]
}
