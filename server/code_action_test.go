package server_test

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// openSession starts a server on root, waits for its index and opens the
// file rel, returning the client, the file's URI and its text.
func openSession(t testing.TB, root, rel string, opts ...lsptest.InitOption) (*lsptest.Client, protocol.DocumentURI, string) {
	t.Helper()
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(append([]lsptest.InitOption{lsptest.Root(root)}, opts...)...)
	c.WaitIndexed(0)
	path := filepath.Join(root, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	uri := lsptest.FileURI(path)
	c.OpenDocument(uri, string(data))
	return c, uri, string(data)
}

// caLine returns the 0-based line of the first line of text containing s.
func caLine(t *testing.T, text, s string) uint32 {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return uint32(i)
		}
	}
	t.Fatalf("no line contains %q", s)
	return 0
}

// codeActions requests the code actions of a range of whole lines.
func codeActions(t *testing.T, c *lsptest.Client, uri protocol.DocumentURI, line uint32, only ...protocol.CodeActionKind) []protocol.CodeAction {
	t.Helper()
	var got []protocol.CodeAction
	params := protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri},
		Range:        protocol.Range{Start: protocol.Position{Line: line}, End: protocol.Position{Line: line, Character: 200}},
		Context:      protocol.CodeActionContext{Diagnostics: []protocol.Diagnostic{}, Only: only},
	}
	if err := c.Call(protocol.MethodTextDocumentCodeAction, params, &got); err != nil {
		t.Fatalf("codeAction: %v", err)
	}
	if got == nil {
		t.Fatal("codeAction answered null, want an array")
	}
	return got
}

// actionTitled returns the action whose title starts with prefix.
func actionTitled(t *testing.T, actions []protocol.CodeAction, prefix string) protocol.CodeAction {
	t.Helper()
	var titles []string
	for _, a := range actions {
		if strings.HasPrefix(a.Title, prefix) {
			return a
		}
		titles = append(titles, a.Title)
	}
	t.Fatalf("no action titled %q among %q", prefix, titles)
	return protocol.CodeAction{}
}

// applyEdits applies text edits (UTF-16 positions) to text, as a client
// does: all ranges refer to the original text.
func applyEdits(t *testing.T, text string, edits []protocol.TextEdit) string {
	t.Helper()
	type edit struct {
		start, end int
		text       string
	}
	var es []edit
	for _, e := range edits {
		es = append(es, edit{utf16Offset(t, text, e.Range.Start), utf16Offset(t, text, e.Range.End), e.NewText})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].start > es[j].start })
	for _, e := range es {
		text = text[:e.start] + e.text + text[e.end:]
	}
	return text
}

// utf16Offset is the byte offset of a UTF-16 position in text.
func utf16Offset(t *testing.T, text string, p protocol.Position) int {
	t.Helper()
	lines := strings.SplitAfter(text, "\n")
	if int(p.Line) >= len(lines) {
		t.Fatalf("position %v past the end", p)
	}
	off := 0
	for _, l := range lines[:p.Line] {
		off += len(l)
	}
	line := strings.TrimSuffix(lines[p.Line], "\n")
	units := 0
	for i, r := range line {
		if units >= int(p.Character) {
			return off + i
		}
		units += len(utf16.Encode([]rune{r}))
	}
	return off + len(line)
}

// TestCodeActionsUnsafeMissingSafety: on an unsafe block without a SAFETY
// comment, the actions are the rule's fix and the generic silence, each
// carrying its diagnostic; applying them gives the expected text.
func TestCodeActionsUnsafeMissingSafety(t *testing.T) {
	root := kernelRoot(t)
	c, uri, text := openSession(t, root, "drivers/demo/checks.rs")
	line := caLine(t, text, `// want "unsafe-missing-safety"`)
	actions := codeActions(t, c, uri, line)

	safety := actionTitled(t, actions, "Add a `// SAFETY:` comment")
	if safety.Kind != protocol.QuickFix {
		t.Errorf("kind %q, want quickfix", safety.Kind)
	}
	if len(safety.Diagnostics) != 1 || safety.Diagnostics[0].Code != "unsafe-missing-safety" || safety.Diagnostics[0].Source != "rivet" {
		t.Errorf("diagnostics %+v, want the unsafe-missing-safety report", safety.Diagnostics)
	}
	if safety.Edit == nil || len(safety.Edit.Changes[uri]) != 1 || safety.Edit.DocumentChanges != nil {
		t.Fatalf("edit %+v, want one change of %s and no documentChanges (the client did not ask)", safety.Edit, uri)
	}
	got := applyEdits(t, text, safety.Edit.Changes[uri])
	lines := strings.Split(got, "\n")
	indent := lines[line][:len(lines[line])-len(strings.TrimLeft(lines[line], " "))]
	if want := indent + "// SAFETY: TODO: explain why this is sound"; lines[line] != want {
		t.Errorf("line %d after the fix is %q, want %q", line+1, lines[line], want)
	}

	silence := actionTitled(t, actions, "Silence with `// rivet:allow(unsafe-missing-safety)`")
	got = applyEdits(t, text, silence.Edit.Changes[uri])
	if l := strings.Split(got, "\n")[line]; strings.TrimSpace(l) != "// rivet:allow(unsafe-missing-safety)" {
		t.Errorf("line %d after silencing is %q", line+1, l)
	}

	// The silenced text has no unsafe-missing-safety report on that line:
	// the server agrees the fix works.
	c.ChangeDocument(uri, lsptest.Replace(got))
	for _, a := range codeActions(t, c, uri, line+1) {
		for _, d := range a.Diagnostics {
			if d.Code == "unsafe-missing-safety" && d.Range.Start.Line == line+1 {
				t.Errorf("after silencing, still %q", d.Message)
			}
		}
	}
}

// TestCodeActionsReprC: the repr(C) fix as versioned documentChanges,
// in the open document (its version) and in another, closed file (null).
func TestCodeActionsReprC(t *testing.T) {
	root := analysistest.WriteTxtar(t, `
-- include/stats.h --
struct stats { unsigned long long n; };
int stats_read(struct stats *s);
int stats_fill(struct stats *s);
-- drivers/stats/types.rs --
pub struct Remote {
    pub n: u64,
}
-- drivers/stats/stats.rs --
use crate::types::Remote;

pub struct Local {
    pub n: u64,
}

#[no_mangle]
pub unsafe extern "C" fn stats_read(s: *mut Local) -> i32 {
    0
}

#[no_mangle]
pub unsafe extern "C" fn stats_fill(s: *mut Remote) -> i32 {
    0
}
`)
	caps := server.ClientCapabilities{Workspace: &server.WorkspaceClientCapabilities{
		WorkspaceClientCapabilities: protocol.WorkspaceClientCapabilities{
			WorkspaceEdit: &protocol.WorkspaceClientCapabilitiesWorkspaceEdit{DocumentChanges: true},
		},
	}}
	c, uri, text := openSession(t, root, "drivers/stats/stats.rs", lsptest.Capabilities(caps))
	v := c.ChangeDocument(uri, lsptest.Replace(text)) // version 2

	local := actionTitled(t, codeActions(t, c, uri, caLine(t, text, "fn stats_read")), "Add #[repr(C)] to Local")
	if local.Edit == nil || len(local.Edit.DocumentChanges) != 1 || local.Edit.Changes != nil {
		t.Fatalf("edit %+v, want one documentChanges entry", local.Edit)
	}
	dc := local.Edit.DocumentChanges[0]
	if dc.TextDocument.URI != uri || dc.TextDocument.Version == nil || *dc.TextDocument.Version != v {
		t.Errorf("document change of %s version %v, want %s version %d", dc.TextDocument.URI, dc.TextDocument.Version, uri, v)
	}
	if got := applyEdits(t, text, dc.Edits); !strings.Contains(got, "#[repr(C)]\npub struct Local {") {
		t.Errorf("after the fix:\n%s", got)
	}

	remote := actionTitled(t, codeActions(t, c, uri, caLine(t, text, "fn stats_fill")), "Add #[repr(C)] to Remote")
	typesPath := filepath.Join(root, "drivers/stats/types.rs")
	dc = remote.Edit.DocumentChanges[0]
	if dc.TextDocument.URI != lsptest.FileURI(typesPath) || dc.TextDocument.Version != nil {
		t.Errorf("document change of %s version %v, want %s version null", dc.TextDocument.URI, dc.TextDocument.Version, lsptest.FileURI(typesPath))
	}
	typesText, err := os.ReadFile(typesPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := applyEdits(t, string(typesText), dc.Edits); got != "#[repr(C)]\npub struct Remote {\n    pub n: u64,\n}\n" {
		t.Errorf("types.rs after the fix:\n%s", got)
	}
}

// TestCodeActionsFilters: a range without reports and an `only` filter
// without quickfix give an empty array; the capability is announced.
func TestCodeActionsFilters(t *testing.T) {
	root := kernelRoot(t)
	c := lsptest.Start(t, lsptest.Options{})
	res := c.Initialize(lsptest.Root(root))
	opts, ok := res.Capabilities.CodeActionProvider.(map[string]any)
	if !ok || !slices.Equal(anyStrings(opts["codeActionKinds"]), []string{"quickfix"}) {
		t.Errorf("codeActionProvider %#v, want codeActionKinds [quickfix]", res.Capabilities.CodeActionProvider)
	}
	c.WaitIndexed(0)
	path := filepath.Join(root, "drivers/demo/checks.rs")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	uri := lsptest.FileURI(path)
	c.OpenDocument(uri, string(data))
	if got := codeActions(t, c, uri, 0); len(got) != 0 {
		t.Errorf("actions on line 1: %+v, want none", got)
	}
	line := caLine(t, string(data), `// want "unsafe-missing-safety"`)
	if got := codeActions(t, c, uri, line, protocol.Refactor); len(got) != 0 {
		t.Errorf("refactor actions: %+v, want none", got)
	}
	if got := codeActions(t, c, uri, line, protocol.QuickFix); len(got) == 0 {
		t.Error("quickfix actions: none")
	}
	// A file the server does not know has no actions, and no error.
	if got := codeActions(t, c, lsptest.FileURI(filepath.Join(root, "nope.rs")), 0); len(got) != 0 {
		t.Errorf("actions in an unknown file: %+v", got)
	}
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
