package treesitter

import (
	"strings"
	"testing"
)

func TestNodeHelpers(t *testing.T) {
	src := "int f(int a) { return g(a) + g(h(a)); }\n"
	tr := mustParse(t, C, []byte(src))
	defer tr.Close()
	root := tr.Root()

	calls := root.Descendants(CKindCallExpression)
	var names []string
	for _, c := range calls {
		names = append(names, c.Field(CFieldFunction).Text())
	}
	if got := strings.Join(names, " "); got != "g g h" {
		t.Errorf("Descendants(call_expression) = %q, want %q", got, "g g h")
	}
	if got := calls[0].Descendants(CKindCallExpression); len(got) != 0 {
		t.Errorf("Descendants includes the node itself or siblings: %d", len(got))
	}

	fn := root.FirstChildOfKind(CKindFunctionDefinition)
	if fn.IsNull() || !fn.FirstChildOfKind(CKindPrimitiveType).Equal(fn.Field(CFieldType)) {
		t.Errorf("FirstChildOfKind: %s", fn.SExpr())
	}
	if !fn.FirstChildOfKind(CKindIfStatement).IsNull() {
		t.Error("FirstChildOfKind found a kind that is not a child")
	}

	inner := calls[2] // h(a)
	if got := inner.Ancestor(CKindReturnStatement, CKindFunctionDefinition); got.Kind() != CKindReturnStatement {
		t.Errorf("Ancestor = %q, want the nearest, return_statement", got.Kind())
	}
	if got := inner.Ancestor(CKindFunctionDefinition); !got.Equal(fn) {
		t.Errorf("Ancestor(function_definition) = %q", got.Kind())
	}
	if got := inner.Ancestor(CKindIfStatement); !got.IsNull() {
		t.Errorf("Ancestor of a missing kind = %q, want null", got.Kind())
	}

	want := "(call_expression function: (identifier) arguments: (argument_list (identifier)))"
	if got := inner.SExpr(); got != want {
		t.Errorf("SExpr = %q, want %q", got, want)
	}
}

func TestNullNodeIsSafe(t *testing.T) {
	var n Node
	if n.SExpr() != "" || n.Descendants(CKindIdentifier) != nil || !n.FirstChildOfKind(CKindIdentifier).IsNull() ||
		!n.Ancestor(CKindIdentifier).IsNull() || n.Text() != "" || n.Kind() != "" || !n.Field("x").IsNull() {
		t.Error("null node method returned something")
	}
}

func TestSExprShowsMissing(t *testing.T) {
	tr := mustParse(t, C, []byte("int x = 1"))
	defer tr.Close()
	if got := tr.Root().SExpr(); !strings.Contains(got, "MISSING") {
		t.Errorf("SExpr of a tree with a MISSING node: %q", got)
	}
}
