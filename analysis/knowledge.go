package analysis

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
)

// ExtraLifecycle is the rules.Pass.Extra key of the lifecycle knowledge
// base (*lifecycle.KB).
const ExtraLifecycle = "lifecycle"

// kbCache holds the lifecycle knowledge base of a recent index generation
// and configuration.
//
// Building it reads the facts of the whole tree (about 60 ms for Linux
// 7.3), far too slow to redo on every keystroke, while an edit of one
// Rust file almost never changes what C functions do. So a stale base —
// built from an older generation with the same configuration — is served
// at once, and rebuilt in the background once edits have paused for
// kbQuiet; OnKnowledge then tells the server to refresh what it shows.
// A missing base, or one built with another configuration, is built
// synchronously.
type kbCache struct {
	mu    sync.Mutex
	kb    *lifecycle.KB
	cfg   *config.Config // the configuration it was built with
	key   string         // cfg's [lifecycle] section, printed
	timer *time.Timer    // pending background rebuild
	stale bool           // a base older than the index was served since one was last published
}

// kbQuiet is how long edits must pause before a stale knowledge base is
// rebuilt in the background.
const kbQuiet = 300 * time.Millisecond

// Lifecycle returns the lifecycle knowledge base for snap: one built from
// snap's generation, or a slightly stale one while a rebuild waits for
// edits to pause (see kbCache). cfg nil means the configuration of the
// last call (the defaults at first): features that have no configuration
// at hand (hover) share the diagnostics' knowledge.
func (w *Workspace) Lifecycle(snap *index.Snapshot, cfg *config.Config) *lifecycle.KB {
	c := &w.kb
	c.mu.Lock()
	defer c.mu.Unlock()
	if cfg == nil {
		cfg = c.cfg
	}
	if cfg == nil {
		cfg = config.Default()
	}
	key := fmt.Sprintf("%#v", cfg.Lifecycle)
	if c.kb != nil && c.key == key {
		if c.kb.Gen() < snap.Gen {
			c.stale = true
			w.scheduleKB()
		}
		return c.kb
	}
	kb := lifecycle.Build(context.Background(), snap, cfg)
	c.kb, c.cfg, c.key = kb, cfg, key
	return kb
}

// LifecycleFresh is Lifecycle without staleness: the knowledge base of
// snap's own generation, built now if need be (batch runs, and the
// server's warm-up after indexing). When it replaces a base that was
// served stale, it says so through OnKnowledge, as the background
// rebuild would have: that rebuild then finds nothing newer to publish.
func (w *Workspace) LifecycleFresh(snap *index.Snapshot, cfg *config.Config) *lifecycle.KB {
	kb := w.Lifecycle(snap, cfg)
	if kb.Gen() == snap.Gen {
		return kb
	}
	c := &w.kb
	c.mu.Lock()
	if c.kb.Gen() == snap.Gen {
		kb = c.kb
		c.mu.Unlock()
		return kb
	}
	kb = lifecycle.Build(context.Background(), snap, c.cfg)
	notify := false
	if kb.Gen() > c.kb.Gen() {
		c.kb = kb
		notify, c.stale = c.stale, false
	}
	c.mu.Unlock()
	if notify && w.opts.OnKnowledge != nil {
		w.opts.OnKnowledge()
	}
	return kb
}

// WarmKnowledge brings the lifecycle knowledge up to the current index
// generation, when the server has nothing better to do.
func (w *Workspace) WarmKnowledge(cfg *config.Config) {
	snap, release := w.Index.Snapshot()
	defer release()
	w.LifecycleFresh(snap, cfg)
}

// scheduleKB (re)arms the background rebuild. Callers hold w.kb.mu.
func (w *Workspace) scheduleKB() {
	c := &w.kb
	if c.timer != nil {
		c.timer.Reset(kbQuiet)
		return
	}
	c.timer = time.AfterFunc(kbQuiet, w.rebuildKB)
}

// rebuildKB builds the knowledge base of the current generation and
// publishes it.
func (w *Workspace) rebuildKB() {
	c := &w.kb
	c.mu.Lock()
	c.timer = nil
	cfg, key := c.cfg, c.key
	c.mu.Unlock()
	snap, release := w.Index.Snapshot()
	kb := lifecycle.Build(context.Background(), snap, cfg)
	release()
	c.mu.Lock()
	fresh := c.key == key && (c.kb == nil || c.kb.Gen() < kb.Gen())
	if fresh {
		c.kb, c.stale = kb, false
	}
	c.mu.Unlock()
	if fresh && w.opts.OnKnowledge != nil {
		w.opts.OnKnowledge()
	}
}

// EnsureLifecycle parses the C declarations the lifecycle knowledge reads
// beyond what Rust names directly (lifecycle.Needed): callees three calls
// down, for sleeping and ERR_PTR chains, and the partners naming
// conventions imply. It returns how many declarations it parsed.
func (w *Workspace) EnsureLifecycle(ctx context.Context) (int, error) {
	total := 0
	for round := 0; round < 3; round++ {
		snap, release := w.Index.Snapshot()
		names := lifecycle.Needed(snap)
		release()
		n, err := w.Index.Ensure(ctx, names, w.Read)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, nil
}
