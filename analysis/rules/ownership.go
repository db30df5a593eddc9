package rules

// Plumbing shared by the seven lifecycle rules: the knowledge base from
// the pass, its view for the ownership tracker, one tracker run per file,
// and message helpers.

import (
	"fmt"
	"strings"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
	"github.com/rivet-lsp/rivet/analysis/link"
	"github.com/rivet-lsp/rivet/analysis/ownership"
	"github.com/rivet-lsp/rivet/treesitter"
)

// extraLifecycle is the Pass.Extra key under which the workspace passes
// the lifecycle knowledge base (analysis.ExtraLifecycle).
const extraLifecycle = "lifecycle"

// knowledge returns the pass's lifecycle knowledge base, nil when the
// workspace did not provide one (a nil KB knows nothing).
func knowledge(p *Pass) *lifecycle.KB {
	kb, _ := p.Extra[extraLifecycle].(*lifecycle.KB)
	return kb
}

// kbView is the knowledge base as the ownership tracker asks it.
type kbView struct{ j *judge }

func (v kbView) Effect(name string) ownership.Effect {
	e := v.j.kb.Effect(name)
	out := ownership.Effect{
		LockArg:      -1,
		ReleaseArg:   argIndex(e.ReleaseArg),
		Borrowed:     e.Borrowed && !e.Devm,
		Devm:         e.Devm,
		MaySleep:     e.MaySleep,
		EntersAtomic: e.EntersAtomic,
		LeavesAtomic: e.LeavesAtomic,
		Keeps:        e.Keeps,
	}
	acq, releases := lockClaims(e)
	switch {
	case acq == nil:
	case e.Cond != lifecycle.Always:
		// A conditional acquire (trylock, mutex_lock_interruptible) is
		// not followed: which branch holds it depends on the result.
		out.EntersAtomic = false
	case acq.Kind == lifecycle.Lock:
		out.Acquire, out.LockArg, out.Section = ownership.AcquireLock, argIndex(e.AcquireArg), acq.Family
	case e.AcquireArg == lifecycle.ArgReturn && !out.Borrowed:
		out.Acquire = ownership.AcquireValue
	}
	for _, r := range releases {
		out.Releases = true
		if r.Kind == lifecycle.Lock {
			out.ReleasesLock, out.Section = true, r.Family
		}
	}
	return out
}

// lockClaims returns the acquire and releases of e, settling a function
// claimed to both take and release a lock (reverse guards swap
// mutex_unlock and mutex_lock in DEFINE_GUARD) in favour of the more
// trusted source.
func lockClaims(e lifecycle.Effect) (*lifecycle.Pair, []lifecycle.Pair) {
	acq := e.Acquires
	if acq == nil || acq.Kind != lifecycle.Lock {
		return acq, e.Releases
	}
	var locks, others []lifecycle.Pair
	trust := lifecycle.SourceKind(255)
	for _, r := range e.Releases {
		if r.Kind == lifecycle.Lock {
			locks = append(locks, r)
			trust = min(trust, r.Source.Kind)
		} else {
			others = append(others, r)
		}
	}
	if len(locks) > 0 && trust < acq.Source.Kind {
		return nil, e.Releases
	}
	return acq, others
}

func (v kbView) LockType(name string) (isLock, atomic bool) {
	l := v.j.kb.Lock(name)
	return l != nil, l != nil && l.Atomic
}

func (v kbView) TakesOwnership(typ, fn string) bool {
	t := v.j.kb.Transfer(typ, fn)
	return t != nil && t.Takes
}

func (v kbView) Releases(acquire, release string) bool {
	switch v.j.fit(acquire, release) {
	case fitPairs, fitSameObject:
		return true
	}
	return false
}

// judge decides how releases relate to acquisitions for one file. When
// it judges the file's own owner types and AlwaysRefCounted impls, the
// file is not evidence about itself: the pairs the knowledge base learned
// from it are left out, or a wrong Drop would vouch for itself.
type judge struct {
	kb   *lifecycle.KB
	snap *index.Snapshot
	self string // the path whose pair claims are left out; "" for none
	idx  *pairIndex
}

// newJudge returns the judge of the pass's file, leaving its own claims
// out.
func newJudge(p *Pass) *judge {
	kb := knowledge(p)
	return &judge{kb: kb, snap: p.Snap, self: p.File.Path, idx: pairsOf(kb)}
}

// inclusive returns a judge that takes every claim into account, the
// file's own included: the tracker's question, whether a field's Drop
// releases what is stored in it, is answered by that very Drop.
func (j *judge) inclusive() *judge {
	c := *j
	c.self = ""
	return &c
}

// releaseFit says how a release function relates to what an acquire
// function returns.
type releaseFit uint8

const (
	// fitUnknown: nothing outside the checked file pairs the acquire.
	fitUnknown releaseFit = iota
	// fitPairs: the release gives it back (a known pair, or the same
	// family: lists of releases mined from one source are incomplete).
	fitPairs
	// fitSameObject: the release drops the very struct the acquire
	// returns, by another family (drm_gpuvm_bo_put_deferred of what
	// drm_gpuvm_bo_create made): perhaps right, and a pairing mined from
	// names is not enough to say otherwise.
	fitSameObject
	// fitState: the release gives back a state of an object
	// (regulator_disable, clk_unprepare), not the object.
	fitState
	// fitMismatch: the release drops objects of another family and
	// another type (vfree of kmalloc memory, kfree of a device).
	fitMismatch
)

// fit classifies release against acquire.
func (j *judge) fit(acquire, release string) releaseFit {
	claims := j.claims(j.idx.byAcquire[acquire])
	if len(claims) == 0 {
		return fitUnknown
	}
	families := map[string]bool{}
	for _, c := range claims {
		if c.ReleasedBy(release) {
			return fitPairs
		}
		families[c.Family] = true
	}
	for _, c := range j.claims(j.idx.byRelease[release]) {
		if families[c.Family] {
			return fitPairs
		}
	}
	object := j.releasesObjects(release)
	switch {
	case object && sameObject(j.snap, acquire, release, j.kb.Effect(release).ReleaseArg):
		return fitSameObject
	case object:
		return fitMismatch
	}
	return fitState
}

// knows reports whether something outside the checked file pairs acquire.
func (j *judge) knows(acquire string) bool { return len(j.claims(j.idx.byAcquire[acquire])) > 0 }

// releasesObjects reports whether release gives back objects some
// function returns (kfree, put_device), rather than a state taken on an
// object the caller already had (regulator_disable, clk_unprepare).
func (j *judge) releasesObjects(release string) bool {
	for _, c := range j.claims(j.idx.byRelease[release]) {
		if (c.Kind == lifecycle.Ref || c.Kind == lifecycle.Alloc) && j.kb.Effect(c.Acquire).AcquireArg == lifecycle.ArgReturn {
			return true
		}
	}
	return false
}

// claims filters out the pair claims the checked file is the source of.
func (j *judge) claims(all []lifecycle.Pair) []lifecycle.Pair {
	out := all[:0:0]
	for _, c := range all {
		if c.Source.Path != j.self {
			out = append(out, c)
		}
	}
	return out
}

// pairIndex is a knowledge base's pair claims by acquire and by release.
type pairIndex struct {
	byAcquire map[string][]lifecycle.Pair
	byRelease map[string][]lifecycle.Pair
}

// pairIndexes keeps the index of the latest knowledge bases.
var pairIndexes struct {
	sync.Mutex
	kbs  []*lifecycle.KB
	idxs []*pairIndex
}

// pairsOf returns the pair index of kb, built once per knowledge base.
func pairsOf(kb *lifecycle.KB) *pairIndex {
	pairIndexes.Lock()
	defer pairIndexes.Unlock()
	for i, k := range pairIndexes.kbs {
		if k == kb {
			return pairIndexes.idxs[i]
		}
	}
	idx := &pairIndex{byAcquire: map[string][]lifecycle.Pair{}, byRelease: map[string][]lifecycle.Pair{}}
	for _, p := range kb.Pairs() {
		idx.byAcquire[p.Acquire] = append(idx.byAcquire[p.Acquire], p)
		for _, r := range p.Releases {
			idx.byRelease[r] = append(idx.byRelease[r], p)
		}
	}
	if len(pairIndexes.kbs) >= 4 {
		pairIndexes.kbs, pairIndexes.idxs = pairIndexes.kbs[1:], pairIndexes.idxs[1:]
	}
	pairIndexes.kbs = append(pairIndexes.kbs, kb)
	pairIndexes.idxs = append(pairIndexes.idxs, idx)
	return idx
}

// sameObject reports whether acquire returns a pointer to the struct that
// release takes as argument arg.
func sameObject(snap *index.Snapshot, acquire, release string, arg int) bool {
	a, r := link.BestFunc(snap, acquire), link.BestFunc(snap, release)
	if a == nil || r == nil || arg < 0 || arg >= len(r.Params) {
		return false
	}
	at := pointeeRecord(a.Return)
	return at != "" && at == pointeeRecord(r.Params[arg].Type)
}

// pointeeRecord is the struct or union a pointer type points to, "" for
// other types.
func pointeeRecord(t facts.CType) string {
	if t.Kind != facts.CTypePointer || t.Elem == nil || t.Elem.Kind != facts.CTypeRecord {
		return ""
	}
	return t.Elem.Name
}

// argIndex maps the KB's argument positions to an index, -1 for none.
func argIndex(i int) int { return max(i, -1) }

// trackerCache keeps the last few tracker runs, so that the seven rules
// checking one file share one run. Entries are keyed by the tree (which
// lives for one file's pass) and the knowledge base.
var trackerCache struct {
	sync.Mutex
	entries []trackerEntry
}

type trackerEntry struct {
	tree *treesitter.Tree
	kb   *lifecycle.KB
	snap *index.Snapshot
	path string
	file *ownership.File
}

// ownershipOf runs the tracker over the pass's file, once per tree.
func ownershipOf(p *Pass) *ownership.File {
	j := newJudge(p)
	kb := j.kb
	trackerCache.Lock()
	for _, e := range trackerCache.entries {
		if e.tree == p.Tree && e.kb == kb && e.snap == p.Snap && e.path == p.File.Path {
			trackerCache.Unlock()
			return e.file
		}
	}
	trackerCache.Unlock()
	f := ownership.Analyze(p.Tree.Root(), ownership.Env{KB: kbView{j.inclusive()}, Calls: ownership.CallNames(p.File.Rust)})
	trackerCache.Lock()
	defer trackerCache.Unlock()
	if len(trackerCache.entries) >= 8 {
		trackerCache.entries = trackerCache.entries[1:]
	}
	trackerCache.entries = append(trackerCache.entries, trackerEntry{tree: p.Tree, kb: kb, snap: p.Snap, path: p.File.Path, file: f})
	return f
}

// lineOf is the 1-based line of off in the pass's file.
func (p *Pass) lineOf(off uint32) int { return int(p.Tree.LineOf(off)) + 1 }

// pairOf is the pair the KB says acquire belongs to, nil when unknown.
func pairOf(kb *lifecycle.KB, acquire string) *lifecycle.Pair {
	return kb.Effect(acquire).Acquires
}

// what names the resource acquire returns: "the reference get_device()
// returns", "the allocation kmalloc() returns".
func what(kb *lifecycle.KB, acquire string) string {
	noun := "the resource"
	if p := pairOf(kb, acquire); p != nil {
		switch p.Kind {
		case lifecycle.Ref, lifecycle.Alloc, lifecycle.Register:
			noun = "the " + p.Kind.String()
		}
	}
	return noun + " " + acquire + "() returns"
}

// exitPhrase describes an exit for a message: "`?` returns early at line
// 27", "`return` leaves at line 27", "the function ends at line 30".
func exitPhrase(p *Pass, e ownership.Exit) string {
	line := p.lineOf(e.Span.Start)
	switch e.Kind {
	case "?":
		return fmt.Sprintf("`?` returns early at line %d", line)
	case "return":
		return fmt.Sprintf("`return` leaves at line %d", line)
	}
	return fmt.Sprintf("the function ends at line %d", line)
}

// releasesOf lists the releases of acquire's pair for a message:
// "put_device()", "kfree(), kvfree() or kfree_sensitive()"; "" when
// unknown.
func releasesOf(kb *lifecycle.KB, acquire string) string {
	p := pairOf(kb, acquire)
	if p == nil || len(p.Releases) == 0 {
		return ""
	}
	rs := make([]string, len(p.Releases))
	for i, r := range p.Releases {
		rs[i] = r + "()"
	}
	if len(rs) == 1 {
		return rs[0]
	}
	return strings.Join(rs[:len(rs)-1], ", ") + " or " + rs[len(rs)-1]
}

// sourceRelated points at where a fact comes from, when it has a place in
// the tree.
func sourceRelated(s lifecycle.Source, msg string) []Related {
	if s.Path == "" {
		return nil
	}
	if msg == "" {
		msg = s.Desc
	} else if s.Desc != "" {
		msg += ": " + s.Desc
	}
	return []Related{{Path: s.Path, Span: s.Span, Message: msg}}
}

// pairRelated points at the source of acquire's pair.
func pairRelated(kb *lifecycle.KB, acquire string) []Related {
	p := pairOf(kb, acquire)
	if p == nil {
		return nil
	}
	return sourceRelated(p.Source, fmt.Sprintf("%s pairs with %s", acquire, releasesOf(kb, acquire)))
}

// here is a related location in the pass's own file.
func (p *Pass) here(span facts.Span, format string, args ...any) Related {
	return Related{Path: p.File.Path, Span: span, Message: fmt.Sprintf(format, args...)}
}

// callName is the span of a call's callee name, where reports go: the
// last path segment before the arguments.
func callName(p *Pass, call facts.Span) facts.Span {
	text := p.Text(call)
	open := strings.IndexByte(text, '(')
	if open < 0 {
		return call
	}
	head := strings.TrimRight(text[:open], " \t\n")
	if i := strings.LastIndex(head, "::"); i >= 0 {
		return facts.Span{Start: call.Start + uint32(i+2), End: call.Start + uint32(len(head))}
	}
	return facts.Span{Start: call.Start, End: call.Start + uint32(len(head))}
}
