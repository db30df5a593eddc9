// Package rustfacts extracts the facts of one Rust file (facts.Rust) from
// its tree-sitter tree: modules, functions, types, impls, extern blocks,
// flattened use declarations, calls and, above all, every path that reaches
// a bindgen name (BindingRefs).
//
// Extraction never fails. ERROR nodes are data: items inside or around them
// are still recorded, and whatever the tree does not show is simply absent.
// Macro invocations and macro_rules! bodies are token trees the grammar does
// not parse; rustfacts scans their tokens for `bindings::NAME` paths and
// `path(...)` / `.method(...)` calls, and macro_rules! bodies also for
// impl blocks and fns (see macro_items.go).
//
// Conventions the facts model leaves open:
//
//   - Pub is any visibility modifier (`pub`, `pub(crate)`, ...); a
//     macro_rules! is Pub when it is #[macro_export].
//   - A foreign fn (an extern block item) is Unsafe unless it is `safe fn`.
//   - A receiver is a parameter named "self" typed as it desugars:
//     `&mut self` has Type "&mut Self".
//   - A path Callee drops generic arguments: `KBox::<T>::new` gives
//     "KBox::new".
//   - A binding reference's PathSpan runs from the path's first segment to
//     NAME; `bindings::irqreturn::IRQ_NONE` is a RefType reference to
//     irqreturn, the segment after the bindings module. A reference through
//     a `use` of the item spans the use tree element at the use site and
//     the lone name at later uses.
//   - Comments, doc comments (doctests included) and string literals hold
//     no references. Inside token trees only paths through the bindings
//     module count: a name imported from it by a `use` is not resolved
//     there, since a macro's tokens may bind the same name locally.
//   - In token trees the kind of a reference is a guess from its
//     neighbours: followed by `(...)` a call; after `*mut`, `*const`, `as`,
//     `->`, a generic `<`, or in the type argument of container_of! or
//     offset_of! a type; otherwise a value.
package rustfacts

import (
	"cmp"
	"slices"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// Extract returns the facts of a parsed Rust file. Positions are byte
// offsets into tree.Source(). A nil tree gives empty facts.
func Extract(tree *treesitter.Tree) *facts.Rust { return ExtractWith(tree, nil) }

// ExtractWith is Extract with more bindgen crates than `bindings`: paths
// through `uapi::NAME` or `kernel::uapi::NAME` are BindingRefs too when
// crates names "uapi" (the ffi_modules setting).
func ExtractWith(tree *treesitter.Tree, crates []string) *facts.Rust {
	out := &facts.Rust{}
	if tree == nil {
		return out
	}
	set := map[string]bool{bindingsCrate: true}
	for _, c := range crates {
		set[c] = true
	}
	x := &extractor{
		crates: set,
		src:    tree.Source(),
		anns:   tree.Annotations(),
		out:    out,
		pos:    position{fn: -1, impl: -1, trait: -1, extern: -1},
		locals: map[int]map[string]bool{},
	}
	for _, a := range x.anns {
		out.Annotations = append(out.Annotations, facts.Annotation{
			Name: a.Name, Args: a.Args, Span: facts.Span{Start: a.Start, End: a.End},
		})
	}
	x.visitScope(tree.Root(), true)
	x.sortOutput()
	return out
}

// extractor holds the walk's state and what it has found.
type extractor struct {
	crates map[string]bool // the bindgen crates' names
	src    []byte
	anns   []treesitter.Annotation
	out    *facts.Rust
	pos    position
	// callee is the range of the function expression of the call being
	// visited, so the path with exactly that range is known to be called.
	callee facts.Span
	// fnNodes[i] is the node of out.Fns[i]; locals[i] the names its
	// patterns bind, computed only when an imported bindgen name needs it.
	fnNodes []treesitter.Node
	locals  map[int]map[string]bool
}

// position is where the walk is: indexes of the enclosing fn (into Fns),
// impl (Impls), trait (Types) and extern block (ExternBlocks), -1 outside
// one, and the use scope that resolves names.
type position struct {
	fn, impl, trait, extern int
	scope                   *scope
}

// visit dispatches on n's kind.
func (x *extractor) visit(n treesitter.Node) { x.visitKind(n, n.Kind(), nil) }

// visitKind visits n, of the given kind, whose preceding siblings up to
// the previous other node are the attributes and comments in before.
// Items record themselves and visit their children in the right
// position; everything else just recurses.
func (x *extractor) visitKind(n treesitter.Node, kind string, before []treesitter.Node) {
	switch kind {
	case treesitter.RustKindFunctionItem, treesitter.RustKindFunctionSignatureItem:
		x.visitFn(n, before)
	case treesitter.RustKindImplItem:
		x.visitImpl(n)
	case treesitter.RustKindTraitItem:
		x.visitTrait(n, before)
	case treesitter.RustKindForeignModItem:
		x.visitExternBlock(n)
	case treesitter.RustKindModItem:
		x.visitMod(n)
	case treesitter.RustKindStructItem, treesitter.RustKindUnionItem, treesitter.RustKindEnumItem,
		treesitter.RustKindTypeItem, treesitter.RustKindConstItem, treesitter.RustKindMacroDefinition:
		x.addType(n, kind, before)
		x.visitChildren(n)
	case treesitter.RustKindStaticItem:
		x.visitStatic(n, before)
	case treesitter.RustKindBlock:
		x.visitScope(n, false)
	case treesitter.RustKindUseDeclaration:
		// Reached only where no scope collected it, as inside an ERROR node.
		x.useDecl(n, x.pos.scope)
	case treesitter.RustKindCallExpression:
		x.visitCall(n)
	case treesitter.RustKindScopedIdentifier, treesitter.RustKindScopedTypeIdentifier:
		x.visitPath(n, kind)
	case treesitter.RustKindIdentifier, treesitter.RustKindTypeIdentifier:
		x.visitName(n, kind)
	case treesitter.RustKindMacroInvocation:
		x.visitMacroInvocation(n)
	case treesitter.RustKindMacroRule:
		x.scanTokenTree(n.Field(treesitter.RustFieldRight), scanCtx{typeArg: noTypeArg, items: true})
	case treesitter.RustKindTokenTree:
		x.scanTokenTree(n, scanCtx{typeArg: noTypeArg})
	case treesitter.RustKindLineComment, treesitter.RustKindBlockComment,
		treesitter.RustKindStringLiteral, treesitter.RustKindRawStringLiteral,
		treesitter.RustKindCharLiteral, treesitter.RustKindAttributeItem,
		treesitter.RustKindInnerAttributeItem, treesitter.RustKindTokenTreePattern:
		// Nothing inside names a binding: comments and literals are text,
		// attributes are read by the item they belong to, and a
		// macro_rules! matcher only binds metavariables.
	default:
		if n.ChildCount() > 0 {
			x.visitChildren(n)
		}
	}
}

// visitChildren visits n's children, handing each item the attributes
// and doc comments right before it.
func (x *extractor) visitChildren(n treesitter.Node) {
	var before []treesitter.Node
	for i, c := 0, n.NamedChildCount(); i < c; i++ {
		child := n.NamedChild(i)
		kind := child.Kind()
		if attrOrComment(kind) {
			before = append(before, child)
			continue
		}
		x.visitKind(child, kind, before)
		before = nil
	}
}

func attrOrComment(kind string) bool {
	return kind == treesitter.RustKindAttributeItem || kind == treesitter.RustKindLineComment ||
		kind == treesitter.RustKindBlockComment
}

// visitScope visits a source file, module body or block: it first
// collects the container's use declarations (a use is visible in the
// whole container, before and after it), then visits the other children.
// A module sees none of its parent's uses; a block sees all of them. Items
// in a block are never members of an impl, trait or extern block.
func (x *extractor) visitScope(n treesitter.Node, module bool) {
	saved := x.pos
	defer func() { x.pos = saved }()
	s := &scope{crates: x.crates}
	if !module {
		s.parent = x.pos.scope
	}
	x.pos = position{fn: x.pos.fn, impl: -1, trait: -1, extern: -1, scope: s}
	if module {
		x.pos.fn = -1
	}
	children := n.NamedChildren()
	kinds := make([]string, len(children))
	for i, c := range children {
		kinds[i] = c.Kind()
		if kinds[i] == treesitter.RustKindUseDeclaration {
			x.useDecl(c, s)
		}
	}
	var before []treesitter.Node
	for i, c := range children {
		switch {
		case attrOrComment(kinds[i]):
			before = append(before, c)
		case kinds[i] != treesitter.RustKindUseDeclaration:
			x.visitKind(c, kinds[i], before)
			before = nil
		default:
			before = nil
		}
	}
}

// sortOutput puts the lists whose discovery order differs from source
// order (uses are collected when their scope is entered, token trees
// yield inner calls first) in source order.
func (x *extractor) sortOutput() {
	slices.SortStableFunc(x.out.Uses, func(a, b facts.RUse) int {
		return cmp.Compare(a.Span.Start, b.Span.Start)
	})
	slices.SortStableFunc(x.out.BindingRefs, func(a, b facts.RBindingRef) int {
		return cmp.Compare(a.Span.Start, b.Span.Start)
	})
	// Calls starting together nest: the outer one, which ends last, first.
	slices.SortStableFunc(x.out.Calls, func(a, b facts.RCall) int {
		return cmp.Or(cmp.Compare(a.Span.Start, b.Span.Start), cmp.Compare(b.Span.End, a.Span.End))
	})
}

func span(n treesitter.Node) facts.Span {
	return facts.Span{Start: n.StartByte(), End: n.EndByte()}
}

// bytes is n's source text as a slice of the source, so map lookups and
// comparisons need not allocate.
func (x *extractor) bytes(n treesitter.Node) []byte {
	return x.slice(n.StartByte(), n.EndByte())
}

func (x *extractor) slice(start, end uint32) []byte {
	if start > end || int(end) > len(x.src) {
		return nil
	}
	return x.src[start:end]
}
