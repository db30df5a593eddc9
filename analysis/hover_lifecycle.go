package analysis

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/index"
)

// lifecycleLines is the hover's lifecycle section for the C function
// name: one line per fact the lifecycle knowledge base has, with its
// source ("returns a new reference — released by put_device
// (AlwaysRefCounted for Device, rust/kernel/device.rs:438)").
func (w *Workspace) lifecycleLines(snap *index.Snapshot, name string) []string {
	kb := w.Lifecycle(snap, nil)
	return kb.Describe(kb.Effect(name))
}

// formatLifecycle renders the lifecycle section as a Markdown list.
func formatLifecycle(b *strings.Builder, lines []string) {
	if len(lines) == 0 {
		return
	}
	b.WriteString("**Lifecycle**\n\n")
	for _, l := range lines {
		b.WriteString("- " + l + "\n")
	}
	b.WriteString("\n")
}
