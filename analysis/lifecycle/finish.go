package lifecycle

import (
	"slices"
	"sort"
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// maxDepth bounds the calls followed for transitive facts: a function may
// sleep because a callee three calls down does; it may return ERR_PTR
// because it returns a call that does, three returns down.
const maxDepth = 3

// conditionalSleeps are body evidence that sleeps only under a condition
// rivet cannot evaluate (might_sleep_if(gfpflags_allow_blocking(gfp))).
var conditionalSleeps = map[string]bool{"might_sleep_if": true}

// builtinErrPtr are the functions that build an error pointer.
var builtinErrPtr = map[string]string{
	"ERR_PTR":  "encodes an errno as a pointer",
	"ERR_CAST": "passes an error pointer on",
}

// finish resolves the claims into the KB's effects, pairs and records.
func (b *builder) finish() {
	b.lockClaims()
	b.inheritAliases()
	merged := b.mergeAcquires()
	chains := b.sleepChains()
	errPtr := b.returned(func(c *claims) []Source { return c.errPtr }, builtinErrPtr, "ERR_PTR")
	null := b.returned(func(c *claims) []Source { return c.null }, nil, "NULL")

	names := map[string]bool{}
	for n := range b.claims {
		names[n] = true
	}
	for n := range chains {
		names[n] = true
	}
	for n := range errPtr {
		names[n] = true
	}
	for name := range names {
		if strings.IndexByte(name, 0) >= 0 {
			continue // a file's static function: only its callers' facts use it
		}
		e := b.effect(name, merged, chains, errPtr[name], null[name])
		if e.Known() {
			b.kb.effects[name] = e
		}
	}
	for _, pc := range b.pairs {
		if pc.Acquire != "" {
			b.kb.pairs = append(b.kb.pairs, pc.Pair)
		}
	}
	sort.SliceStable(b.kb.pairs, func(i, j int) bool {
		if b.kb.pairs[i].Acquire != b.kb.pairs[j].Acquire {
			return b.kb.pairs[i].Acquire < b.kb.pairs[j].Acquire
		}
		return b.kb.pairs[i].Source.Kind < b.kb.pairs[j].Source.Kind
	})
	for _, l := range b.kb.locks {
		e := b.kb.Effect(l.Lock)
		l.Atomic, l.MaySleep = e.EntersAtomic, e.MaySleep
	}
	sort.SliceStable(b.kb.owners, func(i, j int) bool {
		return pathTypeLess(b.kb.owners[i].Path, b.kb.owners[i].Type, b.kb.owners[j].Path, b.kb.owners[j].Type)
	})
	sort.SliceStable(b.kb.refs, func(i, j int) bool {
		return pathTypeLess(b.kb.refs[i].Path, b.kb.refs[i].Type, b.kb.refs[j].Path, b.kb.refs[j].Type)
	})
	sort.SliceStable(b.kb.locks, func(i, j int) bool {
		return pathTypeLess(b.kb.locks[i].Path, b.kb.locks[i].Type, b.kb.locks[j].Path, b.kb.locks[j].Type)
	})
}

func pathTypeLess(p1, t1, p2, t2 string) bool {
	if p1 != p2 {
		return p1 < p2
	}
	return t1 < t2
}

// lockClaims turns what pair claims say about locks into function claims:
// an atomic acquire enters atomic context and its releases leave it; a
// sleeping lock's acquire may sleep.
func (b *builder) lockClaims() {
	for _, pc := range b.pairs {
		if pc.Acquire == "" || pc.Kind != Lock && !pc.sleeps {
			continue
		}
		if pc.atomic {
			c := b.claim(pc.Acquire)
			c.enters = appendSource(c.enters, pc.Source)
			for _, r := range pc.Releases {
				rc := b.claim(r)
				rc.leaves = appendSource(rc.leaves, pc.Source)
			}
		}
		if pc.sleeps && !strings.Contains(pc.Acquire, "trylock") {
			what := "allocates with GFP_KERNEL"
			if pc.Kind == Lock {
				what = "takes a sleeping lock"
			}
			c := b.claim(pc.Acquire)
			c.sleeps = append(c.sleeps, sleepClaim{src: pc.Source, what: what})
		}
	}
	// A configured atomic function's releases leave atomic context.
	for name, c := range b.claims {
		for _, src := range c.enters {
			if src.Kind != Config {
				continue
			}
			for _, r := range b.knownReleases(name) {
				rc := b.claim(r)
				rc.leaves = appendSource(rc.leaves, src)
			}
		}
	}
}

func appendSource(srcs []Source, s Source) []Source {
	if slices.Contains(srcs, s) {
		return srcs
	}
	return append(srcs, s)
}

// inheritAliases gives a forwarding macro the context facts of its
// target when it has none of its own: xa_lock enters atomic context
// because spin_lock does.
func (b *builder) inheritAliases() {
	for name, a := range b.aliases {
		t := b.claims[a.target]
		if t == nil {
			continue
		}
		c := b.claim(name)
		src := Source{Kind: CBody, Path: a.path, Span: a.span, Desc: name + " expands to " + a.target + "(…)"}
		if len(c.enters) == 0 && len(t.enters) > 0 {
			c.enters = append(c.enters, src)
		}
		if len(c.leaves) == 0 && len(t.leaves) > 0 {
			c.leaves = append(c.leaves, src)
		}
	}
}

// node is what transitive facts follow from one function, static
// function or forwarding macro: its definitions (its body and the
// alternatives of other configurations, or a macro's one call).
type node struct {
	key    string
	bodies []nodeBody
}

// nodeBody is one definition of a node.
type nodeBody struct {
	path     string
	name     facts.Span
	calls    []nodeCall
	returned []nodeCall
	sleeps   []facts.Evidence
}

// nodeCall is a call of a body, with the key it reaches (a static
// function of the same file, else the global name).
type nodeCall struct {
	name string
	key  string
	span facts.Span
}

// graph returns the nodes transitive facts are computed over, sorted by
// key, built once: the universe, the static functions and the forwarding
// macros that have a definition.
func (b *builder) graph() []node {
	if b.nodes != nil {
		return b.nodes
	}
	keys := append([]string(nil), b.universe()...)
	for key := range b.statics {
		keys = append(keys, key)
	}
	for name := range b.aliases {
		keys = append(keys, name)
	}
	sort.Strings(keys)
	keys = slices.Compact(keys)
	b.nodes = make([]node, 0, len(keys))
	for _, key := range keys {
		if n, ok := b.nodeOf(key); ok {
			b.nodes = append(b.nodes, n)
		}
	}
	return b.nodes
}

// nodeOf builds the node of key; false when key has no definition.
func (b *builder) nodeOf(key string) (node, bool) {
	n := node{key: key}
	f := b.funcs[key]
	if f == nil {
		f = b.statics[key]
	}
	if f != nil {
		f.bodies(func(fn *facts.CFunc, path string) {
			body := nodeBody{path: path, name: fn.NameSpan, sleeps: fn.Body.Sleeps}
			for _, c := range fn.Calls {
				if c.Name != "" {
					body.calls = append(body.calls, nodeCall{name: c.Name, key: b.resolve(path, c.Name), span: c.Span})
				}
			}
			for _, rc := range fn.Body.ReturnedCalls {
				body.returned = append(body.returned, nodeCall{name: rc, key: b.resolve(path, rc)})
			}
			n.bodies = append(n.bodies, body)
		})
		return n, len(n.bodies) > 0
	}
	if a, ok := b.aliases[key]; ok {
		call := nodeCall{name: a.target, key: a.target, span: a.span}
		n.bodies = []nodeBody{{path: a.path, name: a.span, calls: []nodeCall{call}, returned: []nodeCall{call}}}
		return n, true
	}
	return node{}, false
}

// resolve is the key a call from a body in path reaches: the file's own
// static function, else the global one.
func (b *builder) resolve(path, callee string) string {
	if k := staticKey(path, callee); b.statics[k] != nil {
		return k
	}
	return callee
}

// acquired is an acquire's resolved pair and its winning claim.
type acquired struct {
	pair *Pair
	win  *pairClaim
}

// mergeAcquires resolves each acquire's pair claims: the most trusted
// claim gives the kind, family and argument, every claim adds its
// releases.
func (b *builder) mergeAcquires() map[string]acquired {
	out := map[string]acquired{}
	for name, c := range b.claims {
		if len(c.acquires) == 0 {
			continue
		}
		acqs := append([]*pairClaim(nil), c.acquires...)
		sort.SliceStable(acqs, func(i, j int) bool { return moreTrusted(name, acqs[i].Source, acqs[j].Source) })
		w := acqs[0]
		p := &Pair{Acquire: name, Kind: w.Kind, Family: w.Family, Source: w.Source}
		for _, pc := range acqs {
			for _, r := range pc.Releases {
				if !slices.Contains(p.Releases, r) {
					p.Releases = append(p.Releases, r)
				}
			}
		}
		out[name] = acquired{pair: p, win: w}
	}
	return out
}

// effect assembles the Effect of one function.
func (b *builder) effect(name string, merged map[string]acquired, chains map[string]chain, errPtr, null []Source) *Effect {
	e := &Effect{AcquireArg: ArgReturn}
	c := b.claims[name]
	if c == nil {
		c = &claims{gfpArg: -1}
	}
	var srcs []Source
	if a, ok := merged[name]; ok {
		e.Acquires, e.AcquireArg, e.Cond = a.pair, a.win.acquireArg, a.win.cond
		for _, pc := range c.acquires {
			srcs = append(srcs, pc.Source)
		}
	}
	e.Devm = len(c.devm) > 0
	if len(c.borrowed) > 0 {
		e.Borrowed = true
		if e.Acquires != nil && e.AcquireArg == ArgReturn && !e.Devm {
			if mostTrusted(c.borrowed) <= e.Acquires.Source.Kind {
				e.Acquires = nil // borrowed wins, ties included
			} else {
				e.Borrowed = false
			}
		}
	}
	b.releasesOf(e, name, c, merged)
	for _, pc := range c.releases {
		srcs = append(srcs, pc.Source)
	}
	if ch, ok := chains[name]; ok {
		e.MaySleep, e.SleepChain = true, ch.ev
		srcs = append(srcs, ch.src)
	} else if c.gfpArg >= 0 {
		e.SleepsIfGFP, e.GFPArg = true, c.gfpArg
	}
	e.ReturnsErrPtr, e.ReturnsNull = len(errPtr) > 0, len(null) > 0
	e.EntersAtomic, e.LeavesAtomic = len(c.enters) > 0, len(c.leaves) > 0
	keeps := map[int]Source{}
	for i, s := range c.keeps {
		keeps[i] = s
	}
	if e.Acquires != nil && e.Acquires.Kind == Register && e.AcquireArg >= 0 {
		if _, ok := keeps[e.AcquireArg]; !ok {
			keeps[e.AcquireArg] = e.Acquires.Source
		}
	}
	for i, s := range keeps {
		e.Keeps = append(e.Keeps, i)
		srcs = append(srcs, s)
	}
	sort.Ints(e.Keeps)
	for _, list := range [][]Source{c.borrowed, c.devm, errPtr, null, c.enters, c.leaves, c.notes} {
		srcs = append(srcs, list...)
	}
	e.Sources = dedupeSources(srcs)
	return e
}

// releasesOf fills the pairs name releases and the released argument.
func (b *builder) releasesOf(e *Effect, name string, c *claims, merged map[string]acquired) {
	argSet := false
	var partial []Pair
	claimsByTrust := append([]*pairClaim(nil), c.releases...)
	sort.SliceStable(claimsByTrust, func(i, j int) bool { return claimsByTrust[i].Source.Kind < claimsByTrust[j].Source.Kind })
	for _, pc := range claimsByTrust {
		if i, ok := pc.releaseArg[name]; ok && !argSet {
			e.ReleaseArg, argSet = i, true
		}
		if pc.Acquire == "" {
			partial = append(partial, pc.Pair)
			continue
		}
		a, ok := merged[pc.Acquire]
		if !ok || slices.ContainsFunc(e.Releases, func(p Pair) bool { return p.Acquire == pc.Acquire }) {
			continue
		}
		e.Releases = append(e.Releases, *a.pair)
	}
	if len(e.Releases) == 0 {
		e.Releases = partial
	}
	if !argSet {
		e.ReleaseArg = builtinReleaseArg[name]
	}
	sort.SliceStable(e.Releases, func(i, j int) bool { return e.Releases[i].Acquire < e.Releases[j].Acquire })
}

func mostTrusted(srcs []Source) SourceKind {
	k := SourceKind(255)
	for _, s := range srcs {
		k = min(k, s.Kind)
	}
	return k
}

// dedupeSources sorts sources by trust and drops repeats.
func dedupeSources(srcs []Source) []Source {
	sort.SliceStable(srcs, func(i, j int) bool { return srcs[i].Kind < srcs[j].Kind })
	out := srcs[:0]
	for _, s := range srcs {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// chain is the evidence that a function may sleep.
type chain struct {
	ev  []Evidence
	src Source
}

// sleepChains finds every function that may sleep: direct evidence
// (claims, then the body's sleeping calls), then callers of sleeping
// functions up to maxDepth calls away, each with its shortest chain.
func (b *builder) sleepChains() map[string]chain {
	out := map[string]chain{}
	for name, c := range b.claims {
		if len(c.sleeps) == 0 {
			continue
		}
		sl := append([]sleepClaim(nil), c.sleeps...)
		sort.SliceStable(sl, func(i, j int) bool { return moreTrusted(name, sl[i].src, sl[j].src) })
		s := sl[0]
		out[name] = chain{ev: []Evidence{{Fn: name, Path: s.src.Path, Span: s.src.Span, What: s.what}}, src: s.src}
	}
	nodes := b.graph()
	for _, n := range nodes {
		if _, ok := out[n.key]; ok {
			continue
		}
		if ch, ok := directSleep(displayName(n.key), n); ok {
			out[n.key] = ch
		}
	}
	for depth := 1; depth <= maxDepth; depth++ {
		add := map[string]chain{}
		for _, n := range nodes {
			if _, ok := out[n.key]; ok {
				continue
			}
			if ch, ok := sleepingCall(n, out); ok {
				add[n.key] = ch
			}
		}
		for k, ch := range add {
			out[k] = ch
		}
	}
	return out
}

// instrumentationPrefixes name the sanitizer, tracing and debugging
// hooks: their bodies run only in debug builds, and what they do there
// (kmsan's GFP_KERNEL with reclaim masked off) says nothing about the
// functions calling them.
var instrumentationPrefixes = []string{
	"kmsan_", "__kmsan_", "kasan_", "__kasan_", "kcsan_", "__kcsan_", "kfence_", "__kfence_",
	"kmemleak_", "lockdep_", "debug_", "trace_", "__trace_", "ftrace_",
}

func instrumentation(name string) bool { return hasPrefixIn(name, instrumentationPrefixes) }

// directSleep is the first unconditional sleeping call of a node's
// definitions.
func directSleep(name string, n node) (chain, bool) {
	for _, body := range n.bodies {
		for _, ev := range body.sleeps {
			if conditionalSleeps[ev.What] {
				continue
			}
			src := Source{Kind: CBody, Path: body.path, Span: ev.Span, Desc: ev.What + " in " + name}
			return chain{ev: []Evidence{{Fn: name, Path: body.path, Span: ev.Span, What: ev.What}}, src: src}, true
		}
	}
	return chain{}, false
}

// sleepingCall is the chain through the first call of a node's
// definitions to a function known to sleep.
func sleepingCall(n node, known map[string]chain) (chain, bool) {
	for _, body := range n.bodies {
		for _, call := range body.calls {
			ch, ok := known[call.key]
			if !ok || call.key == n.key || instrumentation(call.name) {
				continue
			}
			ev := append([]Evidence{{Fn: displayName(n.key), Path: body.path, Span: call.span, What: call.name}}, ch.ev...)
			return chain{ev: ev, src: Source{Kind: CBody, Path: body.path, Span: call.span, Desc: "calls " + call.name + ", which may sleep"}}, true
		}
	}
	return chain{}, false
}

// returned propagates a "may return X" fact: direct claims and body
// summaries, then functions returning such a call's result, up to
// maxDepth returns away.
func (b *builder) returned(direct func(*claims) []Source, builtin map[string]string, what string) map[string][]Source {
	out := map[string][]Source{}
	for name, c := range b.claims {
		if srcs := direct(c); len(srcs) > 0 {
			out[name] = srcs
		}
	}
	for name, why := range builtin {
		out[name] = append(out[name], Source{Kind: Builtin, Desc: why})
	}
	nodes := b.graph()
	for depth := 1; depth <= maxDepth; depth++ {
		add := map[string][]Source{}
		for _, n := range nodes {
			if _, ok := out[n.key]; ok {
				continue
			}
		returns:
			for _, body := range n.bodies {
				for _, rc := range body.returned {
					if _, ok := out[rc.key]; ok && rc.key != n.key {
						add[n.key] = []Source{{Kind: CBody, Path: body.path, Span: body.name, Desc: "returns " + rc.name + "(…), which may return " + what}}
						break returns
					}
				}
			}
		}
		for k, src := range add {
			out[k] = src
		}
	}
	return out
}
