package rustfacts

import (
	"slices"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

func (x *extractor) addRef(name string, nameSpan, pathSpan facts.Span, kind facts.RefKind) {
	x.out.BindingRefs = append(x.out.BindingRefs, facts.RBindingRef{
		Name: name, Span: nameSpan, PathSpan: pathSpan, Kind: kind, Fn: x.pos.fn,
	})
}

// pathSegs appends the segments of a path node to segs. Generic
// arguments are not segments: `KBox::<T>::from_raw` gives KBox, from_raw,
// and the argument nodes go to *args (when args is not nil) for the
// caller to visit. A part that is no plain segment (`<T as Trait>`) gives
// a segment no module is named, so the path resolves to nothing.
func (x *extractor) pathSegs(n treesitter.Node, segs []seg, args *[]treesitter.Node) []seg {
	switch n.Kind() {
	case treesitter.RustKindScopedIdentifier, treesitter.RustKindScopedTypeIdentifier:
		if p := n.Field(treesitter.RustFieldPath); p.IsNull() {
			segs = append(segs, seg{span: facts.Span{Start: n.StartByte(), End: n.StartByte()}}) // leading ::
		} else {
			segs = x.pathSegs(p, segs, args)
		}
		return x.pathSegs(n.Field(treesitter.RustFieldName), segs, args)
	case treesitter.RustKindGenericType, treesitter.RustKindGenericTypeWithTurbofish:
		segs = x.pathSegs(n.Field(treesitter.RustFieldType), segs, args)
		if args != nil {
			*args = append(*args, n.Field(treesitter.RustFieldTypeArguments))
		}
		return segs
	case treesitter.RustKindIdentifier, treesitter.RustKindTypeIdentifier, treesitter.RustKindSelf,
		treesitter.RustKindSuper, treesitter.RustKindCrate, treesitter.RustKindMetavariable,
		treesitter.RustKindPrimitiveType:
		return append(segs, seg{text: n.Text(), span: span(n)})
	}
	if args != nil {
		*args = append(*args, n)
	}
	return append(segs, seg{text: opaqueSeg, span: span(n)})
}

// visitPath records the binding a scoped path reaches. Its kind: a type
// in type position or when NAME qualifies further segments
// (`bindings::rb_root::default()` uses the type rb_root), a call when the
// path is a call's function, a value otherwise.
func (x *extractor) visitPath(n treesitter.Node, kind string) {
	var args []treesitter.Node
	segs := x.pathSegs(n, nil, &args)
	if name, i, ok := x.pos.scope.resolve(segs); ok {
		ref := facts.RefValue
		switch {
		case i < len(segs)-1 || kind == treesitter.RustKindScopedTypeIdentifier:
			ref = facts.RefType
		case span(n) == x.callee:
			ref = facts.RefCall
		}
		x.addRef(name, segs[i].span, facts.Span{Start: segs[0].span.Start, End: segs[i].span.End}, ref)
	}
	for _, a := range args {
		x.visit(a)
	}
}

// visitName records a lone identifier that names a bindgen item imported
// by a use: in type position always, in value position unless a local
// binding of the enclosing fn shadows it.
func (x *extractor) visitName(n treesitter.Node, kind string) {
	if !x.pos.scope.hasItems() {
		return
	}
	name, ok := x.pos.scope.item(x.bytes(n))
	if !ok {
		return
	}
	ref := facts.RefType
	if kind == treesitter.RustKindIdentifier {
		if !valueUse(n) || x.isLocal(n.Text()) {
			return
		}
		ref = facts.RefValue
		if span(n) == x.callee {
			ref = facts.RefCall
		}
	} else if declaresType(n) {
		return
	}
	x.addRef(name, span(n), span(n), ref)
}

// valueUse reports whether identifier n is an expression (read, called
// or passed), not a name being declared, a pattern or a field.
func valueUse(n treesitter.Node) bool {
	p := n.Parent()
	switch p.Kind() {
	case treesitter.RustKindCallExpression, treesitter.RustKindArguments, treesitter.RustKindBinaryExpression,
		treesitter.RustKindUnaryExpression, treesitter.RustKindReferenceExpression,
		treesitter.RustKindTypeCastExpression, treesitter.RustKindAssignmentExpression,
		treesitter.RustKindCompoundAssignmentExpr, treesitter.RustKindReturnExpression,
		treesitter.RustKindArrayExpression, treesitter.RustKindTupleExpression,
		treesitter.RustKindParenthesizedExpression, treesitter.RustKindExpressionStatement,
		treesitter.RustKindIndexExpression, treesitter.RustKindRangeExpression,
		treesitter.RustKindTryExpression, treesitter.RustKindShorthandFieldInitializer,
		treesitter.RustKindFieldExpression, treesitter.RustKindBlock, treesitter.RustKindGenericFunction,
		treesitter.RustKindIfExpression, treesitter.RustKindWhileExpression, treesitter.RustKindMatchExpression:
		return true
	case treesitter.RustKindLetDeclaration, treesitter.RustKindConstItem, treesitter.RustKindStaticItem,
		treesitter.RustKindFieldInitializer, treesitter.RustKindMatchArm:
		return p.Field(treesitter.RustFieldValue).Equal(n)
	case treesitter.RustKindClosureExpression:
		return p.Field(treesitter.RustFieldBody).Equal(n)
	}
	return false
}

// declaresType reports whether type identifier n is the name a type item
// or generic parameter declares rather than a use of a type.
func declaresType(n treesitter.Node) bool {
	p := n.Parent()
	switch p.Kind() {
	case treesitter.RustKindStructItem, treesitter.RustKindEnumItem, treesitter.RustKindUnionItem,
		treesitter.RustKindTraitItem, treesitter.RustKindTypeItem, treesitter.RustKindAssociatedType,
		treesitter.RustKindOptionalTypeParameter:
		return p.Field(treesitter.RustFieldName).Equal(n)
	case treesitter.RustKindConstrainedTypeParameter:
		return p.Field(treesitter.RustFieldLeft).Equal(n)
	case treesitter.RustKindTypeParameters:
		return true
	}
	return false
}

// isLocal reports whether the enclosing fn binds name in a pattern
// (parameter, let, closure parameter, for, if let, match arm). It looks
// at the whole fn, not the exact scope: a shadowing binding anywhere in
// the fn hides the import everywhere in it, the safe side for refs.
func (x *extractor) isLocal(name string) bool {
	fn := x.pos.fn
	if fn < 0 {
		return false
	}
	m, ok := x.locals[fn]
	if !ok {
		m = x.patternNames(x.fnNodes[fn])
		x.locals[fn] = m
	}
	return m[name]
}

func (x *extractor) patternNames(fn treesitter.Node) map[string]bool {
	names := map[string]bool{}
	collect := func(p treesitter.Node) {
		p.Walk(func(d treesitter.Node) bool {
			if d.Kind() == treesitter.RustKindIdentifier {
				names[d.Text()] = true
			}
			return true
		})
	}
	fn.Walk(func(d treesitter.Node) bool {
		switch d.Kind() {
		case treesitter.RustKindParameter, treesitter.RustKindLetDeclaration, treesitter.RustKindForExpression,
			treesitter.RustKindLetCondition, treesitter.RustKindMatchArm:
			collect(d.Field(treesitter.RustFieldPattern))
		case treesitter.RustKindClosureParameters:
			collect(d)
		}
		return true
	})
	return names
}

// visitCall records a call and visits its parts, telling the callee path
// that it is called. `f::<T>(..)` is a call of f; `x.m(..)` a method call.
func (x *extractor) visitCall(n treesitter.Node) {
	f := n.Field(treesitter.RustFieldFunction)
	if f.Kind() == treesitter.RustKindGenericFunction {
		f = f.Field(treesitter.RustFieldFunction)
	}
	c := facts.RCall{Span: span(n), Fn: x.pos.fn}
	if f.Kind() == treesitter.RustKindFieldExpression {
		c.Method = true
		c.Callee = f.Field(treesitter.RustFieldField).Text()
		c.Recv = f.Field(treesitter.RustFieldValue).Text()
	} else {
		c.Callee = x.calleeText(f)
	}
	x.out.Calls = append(x.out.Calls, c)
	saved := x.callee
	x.callee = span(f)
	x.visitChildren(n)
	x.callee = saved
}

// calleeText is a callee path as written without generic arguments
// (`KBox::<T>::from_raw` gives "KBox::from_raw"); other callee
// expressions (`(self.f)`, `<T as Tr>::f`) keep their text, on one line.
func (x *extractor) calleeText(f treesitter.Node) string {
	if f.Kind() == treesitter.RustKindScopedIdentifier {
		segs := x.pathSegs(f, nil, nil)
		if !slices.ContainsFunc(segs, func(s seg) bool { return s.text == opaqueSeg }) {
			return joinSegs(segs)
		}
	}
	return norm(f.Text())
}
