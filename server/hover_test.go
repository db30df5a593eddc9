package server_test

import (
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

func (n *navClient) hover(pos protocol.TextDocumentPositionParams) *protocol.Hover {
	n.t.Helper()
	var h *protocol.Hover
	if err := n.Call(protocol.MethodTextDocumentHover, protocol.HoverParams{TextDocumentPositionParams: pos}, &h); err != nil {
		n.t.Fatal(err)
	}
	return h
}

func TestHover(t *testing.T) {
	n := startNav(t, kernelRoot(t))
	tests := []struct {
		name, file, marker string
		rangeText          string   // the hovered name
		contains           []string // in the Markdown, in order
	}{
		{
			name: "helper chain", file: "drivers/demo/locking.rs#1", marker: "bindings::spin_|lock(lock)", rangeText: "spin_lock",
			contains: []string{
				"```c\nstatic __always_inline void spin_lock(spinlock_t *lock)\n__acquires(lock);\n```",
				"`bindings::spin_lock` → `rust_helper_spin_lock` (rust/helpers/spinlock.c:12) → `static inline spin_lock` (include/linux/spinlock.h:42)",
				"spin_lock - acquire a spinlock",
			},
		},
		{
			name: "blocklisted", file: "drivers/demo/rust_demo.rs", marker: "bindings::__kernel_|size_t", rangeText: "__kernel_size_t",
			contains: []string{"Blocklisted by rust/bindgen_parameters:4"},
		},
		{
			name: "C function used from Rust", file: "include/linux/clk.h", marker: "int clk_|prepare(struct clk *clk);", rangeText: "clk_prepare",
			contains: []string{"Used from Rust: 5 call sites in 3 files", "- drivers/demo/locking.rs:89 (in prepare_locked)"},
		},
		{
			name: "Rust export", file: "drivers/char/rcounter/rcounter.rs", marker: "fn rcounter_|total()", rangeText: "rcounter_total",
			contains: []string{"```c\nu64 rcounter_total(void);\n```", "Called from C: 1 call site in 1 file", "- drivers/char/rcounter/rcounter_glue.c:38 (in rcounter_read)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pos := n.pos(tt.file, tt.marker)
			h := n.hover(pos)
			if h == nil {
				t.Fatal("no hover")
			}
			if h.Contents.Kind != protocol.Markdown {
				t.Errorf("kind = %q, want markdown", h.Contents.Kind)
			}
			rest := h.Contents.Value
			for _, want := range tt.contains {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("hover lacks %q (in order); it is:\n%s", want, h.Contents.Value)
				}
				rest = rest[i+len(want):]
			}
			if h.Range == nil {
				t.Fatal("hover has no range")
			}
			if got := n.show(protocol.Location{URI: pos.TextDocument.URI, Range: *h.Range}); !strings.HasSuffix(got, " "+tt.rangeText) {
				t.Errorf("hover range covers %q, want %q", got, tt.rangeText)
			}
		})
	}
	if h := n.hover(n.pos("drivers/char/rcounter/rcounter.rs", "let mut stats = STATS.|lock();")); h != nil {
		t.Errorf("hover on a Rust-only name = %+v, want null", h)
	}
}

// TestHoverPlainText checks that a client taking only plain text gets it.
func TestHoverPlainText(t *testing.T) {
	var caps server.ClientCapabilities
	caps.TextDocument = &server.TextDocumentClientCapabilities{TextDocumentClientCapabilities: protocol.TextDocumentClientCapabilities{
		Hover: &protocol.HoverTextDocumentClientCapabilities{ContentFormat: []protocol.MarkupKind{protocol.PlainText}},
	}}
	n := startNav(t, kernelRoot(t), lsptest.Capabilities(caps))
	h := n.hover(n.pos("drivers/demo/ownership.rs", "Opaque<bindings::dev|ice>"))
	if h == nil || h.Contents.Kind != protocol.PlainText || !strings.Contains(h.Contents.Value, "struct device") {
		t.Errorf("hover = %+v, want plain text about struct device", h)
	}
}
