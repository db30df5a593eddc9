package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/internal/lsptest"
)

// navClient is a session over an indexed tree, for the navigation
// features' tests.
type navClient struct {
	*lsptest.Client
	t    *testing.T
	root string
	open map[string]bool
}

// startNav starts a server on root, initializes it with opts and waits
// for the index.
func startNav(t *testing.T, root string, opts ...lsptest.InitOption) *navClient {
	t.Helper()
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(append([]lsptest.InitOption{lsptest.Root(root)}, opts...)...)
	c.WaitIndexed(0)
	return &navClient{Client: c, t: t, root: filepath.ToSlash(root), open: map[string]bool{}}
}

// navTxtarRoot writes a txtar archive to a directory.
func navTxtarRoot(t *testing.T, archive string) string {
	return analysistest.WriteTxtar(t, archive)
}

func (n *navClient) uri(rel string) protocol.DocumentURI {
	return lsptest.FileURI(n.root + "/" + rel)
}

// text reads a file of the tree.
func (n *navClient) text(rel string) string {
	n.t.Helper()
	b, err := os.ReadFile(n.root + "/" + rel)
	if err != nil {
		n.t.Fatal(err)
	}
	return string(b)
}

// openDoc opens rel with its disk text, once.
func (n *navClient) openDoc(rel string) {
	n.t.Helper()
	if !n.open[rel] {
		n.open[rel] = true
		n.OpenDocument(n.uri(rel), n.text(rel))
	}
}

// pos opens rel and returns the position of the '|' in marker, whose
// text without the '|' occurs exactly once in the file (or, with "#N"
// after rel, the N-th occurrence).
func (n *navClient) pos(rel, marker string) protocol.TextDocumentPositionParams {
	n.t.Helper()
	nth, explicit := 1, false
	if r, k, ok := strings.Cut(rel, "#"); ok {
		rel, explicit = r, true
		if _, err := fmt.Sscan(k, &nth); err != nil {
			n.t.Fatalf("bad occurrence in %q", rel+"#"+k)
		}
	}
	n.openDoc(rel)
	text := n.text(rel)
	pre, post, ok := strings.Cut(marker, "|")
	if !ok {
		n.t.Fatalf("marker %q has no '|'", marker)
	}
	if c := strings.Count(text, pre+post); c == 0 || (!explicit && c != 1) {
		n.t.Fatalf("%q occurs %d times in %s", pre+post, c, rel)
	}
	at := -1
	for i := 0; i < nth; i++ {
		at += 1 + strings.Index(text[at+1:], pre+post)
	}
	return protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: n.uri(rel)}, Position: navUTF16Position(text, at+len(pre))}
}

// navUTF16Position is the UTF-16 position of byte offset off of text.
func navUTF16Position(text string, off int) protocol.Position {
	line := strings.Count(text[:off], "\n")
	start := strings.LastIndexByte(text[:off], '\n') + 1
	return protocol.Position{Line: uint32(line), Character: uint32(len(utf16.Encode([]rune(text[start:off]))))}
}

// show renders a location of the tree as "rel:line text", line one-based
// and text the range's text (one line at most).
func (n *navClient) show(l protocol.Location) string {
	n.t.Helper()
	path := strings.TrimPrefix(string(l.URI), "file://")
	rel := strings.TrimPrefix(path, n.root+"/")
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("%s: %v", rel, err)
	}
	lines := strings.Split(string(b), "\n")
	r := l.Range
	text := ""
	if int(r.Start.Line) < len(lines) {
		line := lines[r.Start.Line]
		end := r.End.Character
		if r.End.Line != r.Start.Line {
			end = uint32(len(utf16.Encode([]rune(line))))
		}
		text = navUTF16Slice(line, r.Start.Character, end)
	}
	return fmt.Sprintf("%s:%d %s", rel, r.Start.Line+1, text)
}

// navUTF16Slice is line[from:to] in UTF-16 units.
func navUTF16Slice(line string, from, to uint32) string {
	var b bytes.Buffer
	units := uint32(0)
	for _, r := range line {
		w := uint32(utf16.RuneLen(r))
		if units >= from && units+w <= to {
			b.WriteRune(r)
		}
		units += w
	}
	return b.String()
}

func (n *navClient) showAll(ls []protocol.Location) []string {
	var out []string
	for _, l := range ls {
		out = append(out, n.show(l))
	}
	return out
}

// locations calls a location request at a position.
func (n *navClient) locations(method string, pos protocol.TextDocumentPositionParams) []string {
	n.t.Helper()
	var locs []protocol.Location
	if err := n.Call(method, pos, &locs); err != nil {
		n.t.Fatalf("%s: %v", method, err)
	}
	return n.showAll(locs)
}

func TestDefinition(t *testing.T) {
	n := startNav(t, kernelRoot(t))
	tests := []struct {
		name, file, marker string
		want               []string
	}{
		{"Rust call to the C body", "drivers/demo/checks.rs", "let clk = unsafe { bindings::clk_|get(dev.as_raw(), ptr::null()) }; // want",
			[]string{"drivers/clk/clk.c:47 clk_get"}},
		{"static inline through a helper: inline, then helper", "drivers/demo/locking.rs#1", "bindings::spin_|lock(lock)",
			[]string{"include/linux/spinlock.h:42 spin_lock", "rust/helpers/spinlock.c:12 rust_helper_spin_lock"}},
		{"constant helper", "drivers/demo/locking.rs", "bindings::GFP_|KERNEL) }; // want",
			[]string{"include/linux/gfp.h:27 GFP_KERNEL", "rust/bindings/bindings_helper.h:30 RUST_CONST_HELPER_GFP_KERNEL"}},
		{"type", "drivers/demo/ownership.rs", "Opaque<bindings::dev|ice>",
			[]string{"include/linux/device.h:25 device"}},
		{"blocklisted", "drivers/demo/rust_demo.rs", "bindings::__kernel_|size_t",
			[]string{"rust/bindgen_parameters:4 --blocklist-type __kernel_s?size_t", "include/linux/types.h:17 __kernel_size_t"}},
		{"extern item", "drivers/char/rcounter/rcounter.rs", "to_result(unsafe { rcounter_glue_|register(misc) })",
			[]string{"drivers/char/rcounter/rcounter_glue.c:52 rcounter_glue_register"}},
		{"C call of a Rust export", "drivers/char/rcounter/rcounter_glue.c", "ret = rcounter_|account(kbuf, len);",
			[]string{"drivers/char/rcounter/rcounter.rs:57 rcounter_account"}},
		{"C prototype of a Rust export", "drivers/char/rcounter/rcounter_internal.h", "u64 rcounter_|total(void);",
			[]string{"drivers/char/rcounter/rcounter.rs:76 rcounter_total"}},
		{"not an FFI name", "drivers/char/rcounter/rcounter.rs", "let mut stats = STATS.|lock();", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := n.locations(protocol.MethodTextDocumentDefinition, n.pos(tt.file, tt.marker))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("definition -want +got:\n%s", diff)
			}
		})
	}
}

// TestDefinitionUTF16 checks positions on lines with characters outside
// ASCII, in the default UTF-16 encoding and in UTF-8.
func TestDefinitionUTF16(t *testing.T) {
	root := navTxtarRoot(t, `
-- rust/bindings/bindings_helper.h --
#include <linux/widget.h>
-- include/linux/widget.h --
/* Wïdgets — “fancy” ones 🎛 */ int widget_poke(int id);
-- drivers/w/w.rs --
fn f() { /* ünïcode 🎛 */ unsafe { bindings::widget_poke(1) }; }
`)
	for _, enc := range []string{"utf-16", "utf-8"} {
		t.Run(enc, func(t *testing.T) {
			var opts []lsptest.InitOption
			if enc == "utf-8" {
				opts = append(opts, lsptest.PositionEncodings("utf-8"))
			}
			n := startNav(t, root, opts...)
			pos := n.pos("drivers/w/w.rs", "bindings::widget_|poke(1)")
			if enc == "utf-8" {
				text := n.text("drivers/w/w.rs")
				pos.Position.Character = uint32(strings.Index(text, "widget_poke(1)") + len("widget_"))
			}
			var locs []protocol.Location
			if err := n.Call(protocol.MethodTextDocumentDefinition, pos, &locs); err != nil {
				t.Fatal(err)
			}
			if len(locs) != 1 {
				t.Fatalf("definition = %v, want one location", locs)
			}
			line := n.text("include/linux/widget.h")
			start := strings.Index(line, "widget_poke")
			want := navUTF16Position(line, start)
			if enc == "utf-8" {
				want = protocol.Position{Line: 0, Character: uint32(start)}
			}
			if locs[0].Range.Start != want {
				t.Errorf("definition starts at %v, want %v", locs[0].Range.Start, want)
			}
		})
	}
}

func TestDeclaration(t *testing.T) {
	n := startNav(t, kernelRoot(t))
	got := n.locations(protocol.MethodTextDocumentDeclaration, n.pos("drivers/demo/checks.rs", "let clk = unsafe { bindings::clk_|get(dev.as_raw(), ptr::null()) }; // want"))
	if diff := cmp.Diff([]string{"include/linux/clk.h:21 clk_get"}, got); diff != "" {
		t.Errorf("declaration of bindings::clk_get -want +got:\n%s", diff)
	}
	got = n.locations(protocol.MethodTextDocumentDeclaration, n.pos("drivers/char/rcounter/rcounter.rs", "fn rcounter_|account("))
	if diff := cmp.Diff([]string{"drivers/char/rcounter/rcounter_internal.h:13 rcounter_account"}, got); diff != "" {
		t.Errorf("declaration of a Rust export -want +got:\n%s", diff)
	}
}

// TestNavigationCapabilities checks what initialize announces.
func TestNavigationCapabilities(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{})
	res := c.Initialize()
	caps := res.Capabilities
	for name, v := range map[string]any{
		"definitionProvider":      caps.DefinitionProvider,
		"declarationProvider":     caps.DeclarationProvider,
		"referencesProvider":      caps.ReferencesProvider,
		"hoverProvider":           caps.HoverProvider,
		"documentSymbolProvider":  caps.DocumentSymbolProvider,
		"workspaceSymbolProvider": caps.WorkspaceSymbolProvider,
		"callHierarchyProvider":   caps.CallHierarchyProvider,
	} {
		if v != true {
			t.Errorf("%s = %v, want true", name, v)
		}
	}
	if caps.CodeLensProvider == nil {
		t.Error("codeLensProvider missing")
	}
}

// TestNavigationKernel drives the navigation requests over a real kernel
// tree ($RIVET_KERNEL) the way an editor does, checks answers known from
// Linux 7.3 and logs each request's latency.
//
//	RIVET_KERNEL=/root/.cache/rivet-kernels/linux-7.3 go test ./server -run NavigationKernel -v
func TestNavigationKernel(t *testing.T) {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("set RIVET_KERNEL to a kernel source tree")
	}
	root, _ = filepath.Abs(root)
	c := lsptest.Start(t, lsptest.Options{Timeout: 60 * time.Second})
	start := time.Now()
	c.Initialize(lsptest.Root(root))
	c.WaitIndexed(10 * time.Minute)
	t.Logf("indexed in %v", time.Since(start).Round(time.Second))
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	n := &navClient{Client: c, t: t, root: filepath.ToSlash(root), open: map[string]bool{}}
	timed := func(what string, f func()) {
		t.Helper()
		start := time.Now()
		f()
		t.Logf("%-40s %v", what, time.Since(start).Round(time.Microsecond))
	}
	getDevice := n.pos("rust/kernel/device.rs", "unsafe { bindings::get_|device(self.as_raw()) };")
	timed("definition bindings::get_device", func() {
		got := n.locations(protocol.MethodTextDocumentDefinition, getDevice)
		if len(got) != 1 || !strings.HasPrefix(got[0], "drivers/base/core.c:") {
			t.Errorf("definition of bindings::get_device = %v, want drivers/base/core.c", got)
		}
	})
	timed("declaration bindings::get_device", func() {
		got := n.locations(protocol.MethodTextDocumentDeclaration, getDevice)
		if len(got) != 1 || !strings.HasPrefix(got[0], "include/linux/device.h:") {
			t.Errorf("declaration of bindings::get_device = %v, want include/linux/device.h", got)
		}
	})
	timed("hover bindings::get_device", func() {
		if h := n.hover(getDevice); h == nil || !strings.Contains(h.Contents.Value, "struct device *get_device(struct device *dev)") {
			t.Errorf("hover of bindings::get_device = %+v", h)
		}
	})
	timed("references bindings::get_device", func() {
		var locs []protocol.Location
		params := protocol.ReferenceParams{TextDocumentPositionParams: getDevice, Context: protocol.ReferenceContext{IncludeDeclaration: true}}
		if err := n.Call(protocol.MethodTextDocumentReferences, params, &locs); err != nil || len(locs) < 100 {
			t.Errorf("references of get_device: %d, %v", len(locs), err)
		}
	})
	timed("incoming calls get_device", func() {
		it := n.prepareCalls("rust/kernel/device.rs", "unsafe { bindings::get_|device(self.as_raw()) };")
		in := n.incoming(it)
		rust := 0
		for _, s := range in {
			if strings.HasPrefix(s, "rust/") {
				rust++
			}
		}
		if len(in) < 50 || rust == 0 {
			t.Errorf("incoming calls of get_device: %d, %d from Rust", len(in), rust)
		}
	})
	timed("workspace/symbol get_device", func() {
		var syms []protocol.SymbolInformation
		if err := n.Call(protocol.MethodWorkspaceSymbol, protocol.WorkspaceSymbolParams{Query: "get_device"}, &syms); err != nil || len(syms) == 0 || syms[0].Name != "get_device" {
			t.Errorf("workspace/symbol get_device = %d symbols, %v", len(syms), err)
		}
	})
	timed("documentSymbol include/linux/fs.h", func() {
		var raw json.RawMessage
		params := protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: n.uri("include/linux/fs.h")}}
		if err := n.Call(protocol.MethodTextDocumentDocumentSymbol, params, &raw); err != nil || len(raw) < 1000 {
			t.Errorf("document symbols of fs.h: %d bytes, %v", len(raw), err)
		}
	})
	timed("codeLens include/linux/device.h", func() {
		if ls := n.codeLenses("include/linux/device.h"); len(ls) == 0 {
			t.Error("no lenses in include/linux/device.h")
		}
	})
}
