package rules

import (
	"bytes"

	"github.com/rivet-lsp/rivet/analysis/facts"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// UnsafeMissingSafety reports unsafe blocks without a SAFETY comment and
// unsafe fns without a "# Safety" doc section.
var UnsafeMissingSafety = register(&Rule{
	Code:     "unsafe-missing-safety",
	Title:    "An unsafe block without a `// SAFETY:` comment, or an unsafe fn without a `# Safety` doc section.",
	Severity: Warning,
	Lang:     facts.LangRust,
	Run:      runUnsafeMissingSafety,
	Doc: `# unsafe-missing-safety

An ` + "`unsafe`" + ` block without a ` + "`// SAFETY:`" + ` comment, or an ` + "`unsafe fn`" + ` without a
` + "`# Safety`" + ` section in its documentation.

## What

Every ` + "`unsafe { ... }`" + ` block must be preceded by a comment starting with
` + "`SAFETY:`" + ` that explains why the code inside upholds the safety requirements
of what it calls — usually a C function reached through ` + "`bindings::`" + `. The
comment may sit on the line(s) directly above the block, or above the
statement that contains it (a ` + "`let`" + `, a call spanning several lines), with
only comments and attributes in between. Every ` + "`unsafe fn`" + ` (outside extern
blocks and trait implementations, whose trait documents the contract) must
document its caller's obligations under a ` + "`# Safety`" + ` heading.

## Why

The kernel's Rust coding guidelines require both, and ` + "`clippy::undocumented_unsafe_blocks`" + `
enforces the first when the kernel is built with ` + "`CLIPPY=1`" + `. rivet checks it
without a build, as you type. At the FFI boundary the SAFETY comment is
where the C contract (the pointer is valid, the lock is held, the reference
is owned) is written down; without it the next reader cannot tell whether
the C function's rules were considered.

## Example

` + "```rust" + `
pub fn enable(&self) -> Result {
    to_result(unsafe { bindings::clk_prepare_enable(self.0) }) // reported
}
` + "```" + `

## Fix

` + "```rust" + `
pub fn enable(&self) -> Result {
    // SAFETY: ` + "`self.0`" + ` is a valid clock obtained from clk_get.
    to_result(unsafe { bindings::clk_prepare_enable(self.0) })
}
` + "```" + `

The quick fix inserts ` + "`// SAFETY: TODO: explain why this is sound`" + ` above the
statement, for you to complete.

## Silence

Put ` + "`// rivet:allow(unsafe-missing-safety)`" + ` on the line or the line above, or set
` + "`unsafe-missing-safety = \"off\"`" + ` under ` + "`[rules]`" + ` in .rivet.toml.
`,
})

// unsafeBlocks finds the unsafe blocks; a query is several times faster
// than walking every node from Go.
var unsafeBlocks = ts.MustQuery(ts.Rust, "unsafe_blocks")

// deepNesting is the bracket depth from which unsafe blocks are found by
// a walk instead of the query: tree-sitter's query cursor spends time
// proportional to the depth on every node, so a file of 20,000 nested
// blocks took seconds, holding the pass.
const deepNesting = 256

func runUnsafeMissingSafety(p *Pass) {
	check := func(n ts.Node) {
		if safetyCommentFor(p.Src, n) {
			return
		}
		kw := facts.Span{Start: n.StartByte(), End: n.StartByte() + uint32(len("unsafe"))}
		d := p.Report(kw, "unsafe block without a `// SAFETY:` comment: say why the call%s upholds its safety requirements", boundaryHint(n))
		stmt := statementOf(n)
		d.Fixes = append(d.Fixes, insertLineAbove(p.File.Path, p.Src, stmt.StartByte(), "// SAFETY: TODO: explain why this is sound", "Add a `// SAFETY:` comment"))
	}
	if bracketDepth(p.Src) >= deepNesting {
		// Only the outermost blocks: a nested unsafe block adds no
		// obligation rustc does not already flag (unused_unsafe), and
		// stopping there keeps the walk linear.
		p.Tree.Root().Walk(func(n ts.Node) bool {
			if p.Ctx.Err() != nil {
				return false
			}
			if n.Kind() == ts.RustKindUnsafeBlock {
				check(n)
				return false
			}
			return true
		})
	} else {
		unsafeBlocks.Matches(p.Tree.Root(), func(m ts.Match) bool {
			check(m.Capture("block"))
			return p.Ctx.Err() == nil // a cancelled pass stops at once
		})
	}
	r := p.File.Rust
	if r == nil {
		return
	}
	for i := range r.Fns {
		fn := &r.Fns[i]
		if !fn.Unsafe || fn.ExternBlock >= 0 || fn.SafetyDoc {
			continue
		}
		if fn.Impl >= 0 && r.Impls[fn.Impl].Trait != "" {
			continue // the trait documents the contract
		}
		p.Report(fn.NameSpan, "unsafe fn %s has no `# Safety` section in its documentation: callers cannot know what they must guarantee", fn.Name)
	}
}

// boundaryHint names the first bindings:: call in the block, to make the
// message say which side of the boundary the contract comes from.
func boundaryHint(block ts.Node) string {
	var name string
	block.Walk(func(n ts.Node) bool {
		if name != "" {
			return false
		}
		switch n.Kind() {
		case ts.RustKindUnsafeBlock:
			// A nested unsafe block has its own report; not walking it
			// keeps nested blocks linear.
			return n.Equal(block)
		case ts.RustKindCallExpression:
			callee := n.Field(ts.RustFieldFunction).Text()
			if i := bytes.LastIndex([]byte(callee), []byte("bindings::")); i >= 0 {
				name = callee[i+len("bindings::"):]
			}
		}
		return true
	})
	if name == "" {
		return ""
	}
	return " to C " + name + "()"
}

// bracketDepth is the deepest nesting of brackets in src, a cheap bound
// on the depth of its syntax tree's blocks and expressions.
func bracketDepth(src []byte) int {
	depth, most := 0, 0
	for _, b := range src {
		switch b {
		case '{', '(', '[':
			depth++
			most = max(most, depth)
		case '}', ')', ']':
			depth = max(depth-1, 0)
		}
	}
	return most
}

// statementOf returns the outermost node that starts the statement or
// item containing n: the child of the enclosing block or item list.
func statementOf(n ts.Node) ts.Node {
	cur := n
	for {
		parent := cur.Parent()
		if parent.IsNull() {
			return cur
		}
		switch parent.Kind() {
		case ts.RustKindBlock, ts.RustKindSourceFile, ts.RustKindDeclarationList:
			return cur
		}
		cur = parent
	}
}

// safetyCommentFor reports whether a SAFETY comment documents the unsafe
// block n: on the lines directly above the block or above any enclosing
// node up to its statement (comments and attributes may stack there), or
// after the code on the block's own first line.
func safetyCommentFor(src []byte, n ts.Node) bool {
	if hasSafety(lineAt(src, n.StartByte())) {
		return true
	}
	seen := map[int]bool{}
	for cur := n; !cur.IsNull(); cur = cur.Parent() {
		start := int(cur.StartByte())
		if !seen[start] {
			seen[start] = true
			if safetyAbove(src, start) {
				return true
			}
		}
		switch cur.Parent().Kind() {
		case ts.RustKindBlock, ts.RustKindSourceFile, ts.RustKindDeclarationList, "":
			return false
		}
	}
	return false
}

// safetyAbove scans the lines above the line holding off: consecutive
// comment and attribute lines; a blank or code line ends the scan.
func safetyAbove(src []byte, off int) bool {
	lineStart := bytes.LastIndexByte(src[:off], '\n') + 1
	// Text before off on the same line may itself end a block comment.
	if hasSafety(src[lineStart:off]) {
		return true
	}
	end := lineStart - 1
	inBlock := false
	for end > 0 {
		start := bytes.LastIndexByte(src[:end], '\n') + 1
		line := bytes.TrimSpace(src[start:end])
		switch {
		case inBlock:
			if hasSafety(line) {
				return true
			}
			if bytes.HasPrefix(line, []byte("/*")) {
				inBlock = false
			}
		case bytes.HasPrefix(line, []byte("//")):
			if hasSafety(line) {
				return true
			}
		case bytes.HasSuffix(line, []byte("*/")):
			if hasSafety(line) {
				return true
			}
			inBlock = !bytes.HasPrefix(line, []byte("/*"))
		case bytes.HasPrefix(line, []byte("#[")), bytes.HasPrefix(line, []byte("#![")):
		default:
			return false
		}
		end = start - 1
	}
	return false
}

func hasSafety(b []byte) bool { return bytes.Contains(b, []byte("SAFETY:")) }

// lineAt returns the text of the line holding off.
func lineAt(src []byte, off uint32) []byte {
	o := min(int(off), len(src))
	start := bytes.LastIndexByte(src[:o], '\n') + 1
	end := bytes.IndexByte(src[o:], '\n')
	if end < 0 {
		return src[start:]
	}
	return src[start : o+end]
}

// insertLineAbove returns a fix inserting text as a new line above the
// line holding off, with that line's indentation.
func insertLineAbove(path string, src []byte, off uint32, text, title string) Fix {
	o := min(int(off), len(src))
	start := bytes.LastIndexByte(src[:o], '\n') + 1
	indent := start
	for indent < len(src) && (src[indent] == ' ' || src[indent] == '\t') {
		indent++
	}
	return Fix{Title: title, Edits: []Edit{{
		Path:    path,
		Span:    facts.Span{Start: uint32(start), End: uint32(start)},
		NewText: string(src[start:indent]) + text + "\n",
	}}}
}
