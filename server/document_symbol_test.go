package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

const symbolsTree = `
-- include/linux/widget.h --
struct widget {
	int id;
	const char *name;
};
enum widget_state { WIDGET_NEW, WIDGET_LIVE };
int widget_register(struct widget *w);
-- drivers/widget/widget.rs --
pub struct Widget {
    pub id: u32,
}
impl Widget {
    pub fn new() -> Self { Widget { id: 0 } }
}
extern "C" {
    fn widget_register(w: *mut Widget) -> i32;
}
`

// hierarchical returns client capabilities with hierarchical document
// symbols and every symbol kind.
func hierarchical() server.ClientCapabilities {
	var caps server.ClientCapabilities
	kinds := make([]protocol.SymbolKind, 0, 26)
	for k := protocol.SymbolKindFile; k <= protocol.SymbolKindTypeParameter; k++ {
		kinds = append(kinds, k)
	}
	caps.TextDocument = &server.TextDocumentClientCapabilities{TextDocumentClientCapabilities: protocol.TextDocumentClientCapabilities{
		DocumentSymbol: &protocol.DocumentSymbolClientCapabilities{
			HierarchicalDocumentSymbolSupport: true,
			SymbolKind:                        &protocol.SymbolKindCapabilities{ValueSet: kinds},
		},
	}}
	return caps
}

// showTree renders document symbols as "kind name [selection]", indented.
func (n *navClient) showTree(uri protocol.DocumentURI, syms []protocol.DocumentSymbol, depth int) []string {
	var out []string
	for _, s := range syms {
		sel := n.show(protocol.Location{URI: uri, Range: s.SelectionRange})
		_, text, _ := strings.Cut(sel, " ")
		out = append(out, strings.Repeat("  ", depth)+s.Kind.String()+" "+s.Name+" ["+text+"]")
		if s.Range.Start.Line > s.SelectionRange.Start.Line || s.Range.End.Line < s.SelectionRange.End.Line {
			n.t.Errorf("%s: selection range %v outside range %v", s.Name, s.SelectionRange, s.Range)
		}
		out = append(out, n.showTree(uri, s.Children, depth+1)...)
	}
	return out
}

func TestDocumentSymbolHierarchical(t *testing.T) {
	n := startNav(t, navTxtarRoot(t, symbolsTree), lsptest.Capabilities(hierarchical()))
	for _, tt := range []struct {
		file string
		want []string
	}{
		{"include/linux/widget.h", []string{
			"Struct widget [widget]",
			"  Field id [id]",
			"  Field name [name]",
			"Enum widget_state [widget_state]",
			"  EnumMember WIDGET_NEW [WIDGET_NEW]",
			"  EnumMember WIDGET_LIVE [WIDGET_LIVE]",
			"Function widget_register [widget_register]",
		}},
		{"drivers/widget/widget.rs", []string{
			"Struct Widget [Widget]",
			"  Field id [id]",
			"Object impl Widget [Widget]",
			"  Method new [new]",
			`Namespace extern "C" [extern]`,
			"  Function widget_register [widget_register]",
		}},
	} {
		n.openDoc(tt.file)
		var syms []protocol.DocumentSymbol
		params := protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: n.uri(tt.file)}}
		if err := n.Call(protocol.MethodTextDocumentDocumentSymbol, params, &syms); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, n.showTree(n.uri(tt.file), syms, 0)); diff != "" {
			t.Errorf("%s symbols -want +got:\n%s", tt.file, diff)
		}
	}
}

// TestDocumentSymbolFlat checks the answer to a client without
// hierarchical support or symbol kinds: flat SymbolInformation with
// container names and 3.0 kinds only.
func TestDocumentSymbolFlat(t *testing.T) {
	n := startNav(t, navTxtarRoot(t, symbolsTree))
	var raw json.RawMessage
	params := protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: n.uri("include/linux/widget.h")}}
	if err := n.Call(protocol.MethodTextDocumentDocumentSymbol, params, &raw); err != nil {
		t.Fatal(err)
	}
	var syms []protocol.SymbolInformation
	if err := json.Unmarshal(raw, &syms); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range syms {
		got = append(got, s.Kind.String()+" "+s.Name+" in "+s.ContainerName+" @"+strings.SplitN(n.show(s.Location), " ", 2)[0])
	}
	want := []string{
		"Class widget in  @include/linux/widget.h:1",
		"Field id in widget @include/linux/widget.h:2",
		"Field name in widget @include/linux/widget.h:3",
		"Enum widget_state in  @include/linux/widget.h:5",
		"Constant WIDGET_NEW in widget_state @include/linux/widget.h:5",
		"Constant WIDGET_LIVE in widget_state @include/linux/widget.h:5",
		"Function widget_register in  @include/linux/widget.h:6",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flat symbols -want +got:\n%s", diff)
	}
}
