package analysis

import (
	"context"
	"fmt"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/lifecycle"
)

// ExtraLifecycle is the rules.Pass.Extra key of the lifecycle knowledge
// base (*lifecycle.KB).
const ExtraLifecycle = "lifecycle"

// kbCache holds the lifecycle knowledge base of the latest index
// generation and configuration: it is rebuilt when either changes.
type kbCache struct {
	mu  sync.Mutex
	kb  *lifecycle.KB
	cfg *config.Config // the configuration it was built with
	key string         // cfg's [lifecycle] section, printed
}

// Lifecycle returns the lifecycle knowledge base of snap, built once per
// index generation and [lifecycle] configuration. cfg nil means the
// configuration of the last call (the defaults at first): features that
// have no configuration at hand (hover) share the diagnostics' KB.
// Concurrent callers with the same generation share one build.
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
	if c.kb != nil && c.kb.Gen() == snap.Gen && c.key == key {
		return c.kb
	}
	kb := lifecycle.Build(context.Background(), snap, cfg)
	if c.kb == nil || c.kb.Gen() <= snap.Gen {
		c.kb, c.cfg, c.key = kb, cfg, key
	}
	return kb
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
