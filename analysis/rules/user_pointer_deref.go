package rules

import (
	"strings"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/link"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// UserPointerDeref reports __user pointers read or written as kernel
// memory in Rust.
var UserPointerDeref = register(&Rule{
	Code:     "user-pointer-deref",
	Title:    "A `__user` pointer dereferenced or read as memory in Rust instead of going through UserSlice / copy_from_user.",
	Severity: Error,
	Lang:     facts.LangRust,
	Run:      runUserPointerDeref,
	Doc: `# user-pointer-deref

A pointer C declares ` + "`__user`" + ` is dereferenced or read as memory in Rust
instead of going through ` + "`UserSlice`" + ` or ` + "`copy_from_user`" + `.

## What

A pointer is a user-space address when C says so:

- a parameter of a Rust function exported to C (` + "`#[no_mangle]`" + `,
  ` + "`#[export_name]`" + `) whose C prototype declares it ` + "`__user`" + `;
- the result of a C function whose return type is a ` + "`__user`" + ` pointer;
- a field of a C struct declared ` + "`__user`" + `, read through a variable whose
  type is that ` + "`bindings::`" + ` struct (or a pointer or reference to it).

The rule follows such a pointer through the function (` + "`let`" + ` bindings,
reassignments, casts, ` + "`.add()`" + `) and reports every place that treats it as
kernel memory: ` + "`*p`" + `, ` + "`(*p).field`" + `, ` + "`&*p`" + `, ` + "`p.read()`" + ` and the other raw
pointer accessors, ` + "`ptr::read(p)`" + `, ` + "`ptr::copy_nonoverlapping(p, ..)`" + `,
` + "`slice::from_raw_parts(p, n)`" + `, ` + "`CStr::from_ptr(p)`" + `. Passing the pointer on
(to ` + "`UserSlice::new`" + `, to ` + "`copy_from_user`" + `) is what it should do.

## Why

User memory may be unmapped, paged out, or changed by another thread while
the kernel reads it; with SMAP or on architectures with separate address
spaces a plain access faults or reads the wrong memory. The kernel only
touches it through the uaccess functions, which check the address range,
handle faults and report what they could not copy. A Rust reference or
slice built over user memory also breaks Rust's aliasing rules.

## Example

` + "```rust" + `
// demo.h: ssize_t demo_write(const char __user *buf, size_t len);
#[no_mangle]
pub unsafe extern "C" fn demo_write(buf: *const c_char, len: usize) -> isize {
    let data = unsafe { slice::from_raw_parts(buf.cast::<u8>(), len) }; // reported
    ...
}
` + "```" + `

## Fix

` + "```rust" + `
let mut data = KVec::new();
UserSlice::new(UserPtr::from_ptr(buf.cast_mut().cast()), len).read_all(&mut data, GFP_KERNEL)?;
` + "```" + `

or ` + "`bindings::copy_from_user`" + ` into a kernel buffer, checking its result.

## Silence

Put ` + "`// rivet:allow(user-pointer-deref)`" + ` on the line or the line above, or set
` + "`user-pointer-deref = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
`,
})

// userSource is where a __user pointer comes from, for the message.
type userSource struct {
	what    string // "parameter `buf` of demo_write", "bindings::f's result", "field iov_base of struct iovec"
	related Related
}

func runUserPointerDeref(p *Pass) {
	r := p.File.Rust
	if r == nil {
		return
	}
	u := &userPtrs{
		p:        p,
		calls:    map[uint32]userSource{},
		fields:   map[string]*userSource{},
		cbParams: map[string][]cbParam{},
		hasUser:  map[string]bool{},
	}
	u.callbacks()
	returns := map[cTarget]*userSource{}
	for _, c := range cCallsOf(p, func(c cCall) bool { returns[c.target()] = userResult(p, c); return returns[c.target()] != nil }) {
		u.calls[c.Call.StartByte()] = *returns[c.target()]
	}
	root := p.Tree.Root()
	for i := range r.Fns {
		fn := &r.Fns[i]
		if fn.BodySpan.Empty() || !u.relevant(fn) {
			continue
		}
		if node := root.DescendantForByteRange(fn.NameSpan.Start, fn.NameSpan.End).Parent(); node.Kind() == ts.RustKindFunctionItem {
			u.checkFn(node, fn)
		}
	}
}

// userResult is the source of the pointer call c returns when C declares
// the result __user, else nil.
func userResult(p *Pass, c cCall) *userSource {
	fn, _ := calledFuncs(p, c)
	if fn == nil || !isUserPtr(fn.Return) {
		return nil
	}
	return &userSource{
		what:    c.RustName + "'s result (C returns `" + fn.Return.Text + "`)",
		related: relatedDecl(p, c.Name, "C declares the result __user here"),
	}
}

// userPtrs finds the __user pointers of one file.
type userPtrs struct {
	p      *Pass
	calls  map[uint32]userSource  // call expressions returning __user, by start
	fields map[string]*userSource // "record.field" -> source, nil when not __user
	// cbParams are the __user parameters of callbacks, by function name.
	cbParams map[string][]cbParam
	// hasUser caches whether a bindgen struct has a __user pointer field.
	hasUser map[string]bool

	// The function being checked: its variables of bindgen struct type,
	// its seeds by start, its __user parameters.
	records map[string]string
	sources map[uint32]userSource
	params  map[string]ts.Node
}

// relevant reports whether a __user pointer can appear in fn at all: C
// calls it, or it calls a function returning one, or it names a struct
// with a __user field. Most functions are none of these and are skipped
// without a look at their syntax.
func (u *userPtrs) relevant(fn *facts.RFn) bool {
	if fn.ABI == "C" && fn.ExternBlock < 0 && (fn.Symbol() != "" || len(u.cbParams[fn.Name]) > 0) {
		return true
	}
	for start := range u.calls {
		if fn.BodySpan.Contains(start) {
			return true
		}
	}
	for _, ref := range u.p.File.Rust.BindingRefs {
		if ref.Kind == facts.RefType && fn.Span.Covers(ref.Span) && u.hasUserField(ref.Name) {
			return true
		}
	}
	return false
}

// checkFn reports the derefs of __user pointers in function item fn.
func (u *userPtrs) checkFn(fn ts.Node, rfn *facts.RFn) {
	body := fn.Field(ts.RustFieldBody)
	if body.IsNull() {
		return
	}
	u.records = map[string]string{}
	u.sources = map[uint32]userSource{}
	u.params = map[string]ts.Node{}
	u.userParams(fn, rfn)
	u.recordVars(fn)
	fl := trackPtr(u.p, body, u.params, u.isSeed)
	for _, use := range fl.uses {
		if use.kind != useDeref {
			continue
		}
		src, ok := u.sources[use.from.StartByte()]
		if !ok {
			continue
		}
		d := u.p.Report(spanOf(use.at), "%s is a user-space pointer, and `%s` accesses it as kernel memory: copy it with UserSlice or copy_from_user",
			src.what, clip(use.at.Text()))
		if src.related.Path != "" {
			d.Related = append(d.Related, src.related)
		}
	}
}

// userParams records the parameters of fn that C passes as __user
// pointers: fn is exported to C and its C prototype says so, or fn is an
// extern "C" callback stored in a C struct whose field type says so.
func (u *userPtrs) userParams(fn ts.Node, rfn *facts.RFn) {
	if rfn.ExternBlock >= 0 || rfn.ABI != "C" {
		return
	}
	params := fn.Field(ts.RustFieldParameters).NamedChildren()
	// mark tracks parameter i; how says what makes it __user.
	mark := func(i int, how string, related Related) {
		if i >= len(params) {
			return
		}
		name := patternName(params[i].Field(ts.RustFieldPattern))
		if name == "" {
			return
		}
		u.params[name] = params[i]
		u.sources[params[i].StartByte()] = userSource{
			what:    "parameter `" + name + "` of " + rfn.Name + " (" + how + ")",
			related: related,
		}
	}
	for _, cb := range u.cbParams[rfn.Name] {
		mark(cb.index, cb.how, cb.related)
	}
	sym := rfn.Symbol()
	if sym == "" {
		return
	}
	for _, d := range link.CPrototypes(u.p.Snap, sym) {
		cf := link.FuncFacts(d)
		if cf == nil {
			continue
		}
		for i, cp := range cf.Params {
			if isUserPtr(cp.Type) {
				mark(i, "C declares `"+cDeclarator(cp.Type.Text, cp.Name)+"`",
					Related{Path: d.File.Path, Span: cp.Span, Message: "C declares the parameter __user in " + sym + "'s prototype"})
			}
		}
		return
	}
}

// recordVars maps the parameters and typed let bindings of fn whose type
// names a bindgen struct with __user fields (`*mut bindings::iovec`,
// `&iovec` after a use) to that struct.
func (u *userPtrs) recordVars(fn ts.Node) {
	note := func(pat, typ ts.Node) {
		name := patternName(pat)
		if name == "" || typ.IsNull() {
			return
		}
		if rec := u.recordIn(spanOf(typ)); rec != "" && u.hasUserField(rec) {
			u.records[name] = rec
		}
	}
	for _, prm := range fn.Field(ts.RustFieldParameters).NamedChildren() {
		note(prm.Field(ts.RustFieldPattern), prm.Field(ts.RustFieldType))
	}
	fn.Field(ts.RustFieldBody).Walk(func(n ts.Node) bool {
		if n.Kind() == ts.RustKindLetDeclaration {
			note(n.Field(ts.RustFieldPattern), n.Field(ts.RustFieldType))
		}
		return n.Kind() != ts.RustKindFunctionItem
	})
}

// recordIn returns the last bindgen type named inside span.
func (u *userPtrs) recordIn(span facts.Span) string {
	rec := ""
	for _, ref := range u.p.File.Rust.BindingRefs {
		if ref.Kind == facts.RefType && span.Covers(ref.Span) {
			rec = ref.Name
		}
	}
	return rec
}

// isSeed reports whether expression n produces a __user pointer: a call
// returning one, or a __user field of a variable of known struct type. It
// records the source of each seed it finds.
func (u *userPtrs) isSeed(n ts.Node) bool {
	switch n.Kind() {
	case ts.RustKindCallExpression:
		src, ok := u.calls[n.StartByte()]
		if ok {
			u.sources[n.StartByte()] = src
		}
		return ok
	case ts.RustKindFieldExpression:
		obj := n.Field(ts.RustFieldValue)
		for obj.Kind() == ts.RustKindParenthesizedExpression || (obj.Kind() == ts.RustKindUnaryExpression && obj.Child(0).Text() == "*") {
			obj = obj.NamedChild(0)
		}
		if obj.Kind() != ts.RustKindIdentifier {
			return false
		}
		rec, ok := u.records[obj.Text()]
		if !ok {
			return false
		}
		src := u.field(rec, n.Field(ts.RustFieldField).Text())
		if src != nil {
			u.sources[n.StartByte()] = *src
		}
		return src != nil
	}
	return false
}

// field returns the source of rec.name when C declares that field as a
// __user pointer, else nil.
func (u *userPtrs) field(rec, name string) *userSource {
	key := rec + "." + name
	if src, ok := u.fields[key]; ok {
		return src
	}
	var src *userSource
	if f, path := recordField(u.p, rec, name); f != nil && isUserPtr(f.Type) {
		src = &userSource{
			what:    "field " + name + " of struct " + rec + " (C declares `" + cDeclarator(f.Type.Text, name) + "`)",
			related: Related{Path: path, Span: f.Span, Message: "C declares the field __user here"},
		}
	}
	u.fields[key] = src
	return src
}

// hasUserField reports whether the C struct or union rec has a __user
// pointer field.
func (u *userPtrs) hasUserField(rec string) bool {
	has, ok := u.hasUser[rec]
	if !ok {
		recordFields(u.p, rec, func(f *facts.CField, _ string) bool {
			has = has || isUserPtr(f.Type)
			return !has
		})
		u.hasUser[rec] = has
	}
	return has
}

// recordField returns the field name of the C struct or union rec, and
// the file declaring it; nil when rivet has no facts for it.
func recordField(p *Pass, rec, name string) (field *facts.CField, path string) {
	recordFields(p, rec, func(f *facts.CField, in string) bool {
		if f.Name == name {
			field, path = f, in
			return false
		}
		return true
	})
	return field, path
}

// recordFields calls visit with each field of the definitions of C struct
// or union rec that have facts, and the file declaring it, until visit
// returns false.
func recordFields(p *Pass, rec string, visit func(f *facts.CField, path string) bool) {
	for _, d := range p.Snap.CDecls(rec) {
		if (d.Decl.Kind != facts.DeclStruct && d.Decl.Kind != facts.DeclUnion) || d.File.C == nil {
			continue
		}
		for i := range d.File.C.Records {
			r := &d.File.C.Records[i]
			if r.Name != rec || !r.Definition || r.NameSpan.Start != d.Decl.Name0 {
				continue
			}
			for j := range r.Fields {
				if !visit(&r.Fields[j], d.File.Path) {
					return
				}
			}
		}
	}
}

// callbacks finds the functions the file hands to C as function pointers
// in a bindgen struct (`bindings::file_operations { write:
// Some(write::<T>), .. }`) and records, by function name, the parameters
// the C field's type declares __user. It looks only where a bindgen type
// name is followed by `{`.
func (u *userPtrs) callbacks() {
	root := u.p.Tree.Root()
	for _, ref := range u.p.File.Rust.BindingRefs {
		if ref.Kind != facts.RefType || !followedByBrace(u.p.Src, ref.PathSpan.End) {
			continue
		}
		expr := root.DescendantForByteRange(ref.PathSpan.Start, ref.PathSpan.End).Ancestor(ts.RustKindStructExpression)
		if expr.Field(ts.RustFieldName).StartByte() != ref.PathSpan.Start {
			continue
		}
		for _, init := range expr.Field(ts.RustFieldBody).NamedChildren() {
			if init.Kind() == ts.RustKindFieldInitializer {
				u.callback(ref.Name, init)
			}
		}
	}
}

// callback records the __user parameters of the function initializer init
// of bindgen struct rec hands to C.
func (u *userPtrs) callback(rec string, init ts.Node) {
	fname := init.Field(ts.RustFieldField).Text()
	fn := calleeName(init.Field(ts.RustFieldValue))
	if fn == "" {
		return
	}
	f, path := recordField(u.p, rec, fname)
	if f == nil || f.Type.Kind != facts.CTypePointer || f.Type.Elem == nil || f.Type.Elem.Func == nil {
		return
	}
	for i, pt := range f.Type.Elem.Func.Params {
		if isUserPtr(pt) {
			u.cbParams[fn] = append(u.cbParams[fn], cbParam{
				index:   i,
				how:     "C calls it as " + rec + "." + fname + " with `" + pt.Text + "`",
				related: Related{Path: path, Span: f.Span, Message: "C declares the callback's parameter __user here"},
			})
		}
	}
}

// followedByBrace reports whether the first byte after off that is not
// white space is `{`.
func followedByBrace(src []byte, off uint32) bool {
	for i := int(off); i < len(src); i++ {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}

// cbParam is a parameter C passes to a callback as a __user pointer.
type cbParam struct {
	index   int
	how     string // what makes it __user, for the message
	related Related
}

// calleeName is the function a field initializer hands over: `f`,
// `Some(f)`, `Self::f`, `f::<T>`; "" for anything else.
func calleeName(v ts.Node) string {
	if v.Kind() == ts.RustKindCallExpression && v.Field(ts.RustFieldFunction).Text() == "Some" {
		v = v.Field(ts.RustFieldArguments).NamedChild(0)
	}
	if v.Kind() == ts.RustKindGenericFunction {
		v = v.Field(ts.RustFieldFunction)
	}
	switch v.Kind() {
	case ts.RustKindIdentifier:
		return v.Text()
	case ts.RustKindScopedIdentifier:
		return v.Field(ts.RustFieldName).Text()
	}
	return ""
}

// isUserPtr reports whether a C type is a pointer to user memory.
func isUserPtr(t facts.CType) bool {
	return t.Kind == facts.CTypePointer && t.Elem != nil && contains(t.Elem.Annots, facts.AttrUser)
}

// relatedDecl points at the first declaration of C function name.
func relatedDecl(p *Pass, name, msg string) Related {
	for _, d := range link.CPrototypes(p.Snap, name) {
		loc := link.DeclLoc(d)
		return Related{Path: loc.Path, Span: loc.Span, Message: msg}
	}
	return Related{}
}

// clip shortens source text for a message to its first line, at most 60
// bytes.
func clip(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}
