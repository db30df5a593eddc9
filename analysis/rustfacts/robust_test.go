package rustfacts

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// checkInvariants reports facts that point outside the source or at
// items that do not exist.
func checkInvariants(src []byte, r *facts.Rust) error {
	n := uint32(len(src))
	bad := func(what string, s facts.Span) error {
		if s.Start > s.End || s.End > n {
			return fmt.Errorf("%s span %v outside [0, %d]", what, s, n)
		}
		return nil
	}
	index := func(what string, i, max int) error {
		if i < -1 || i >= max {
			return fmt.Errorf("%s index %d out of range [-1, %d)", what, i, max)
		}
		return nil
	}
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, f := range r.Fns {
		add(bad("fn", f.Span))
		add(bad("fn name", f.NameSpan))
		add(bad("fn body", f.BodySpan))
		add(index("fn impl", f.Impl, len(r.Impls)))
		add(index("fn trait", f.Trait, len(r.Types)))
		add(index("fn extern block", f.ExternBlock, len(r.ExternBlocks)))
		if f.Trait >= 0 && r.Types[f.Trait].Kind != "trait" {
			add(fmt.Errorf("fn %s: Trait %d is a %s", f.Name, f.Trait, r.Types[f.Trait].Kind))
		}
		for _, p := range f.Params {
			add(bad("param", p.Span))
		}
	}
	for _, im := range r.Impls {
		add(bad("impl", im.Span))
		for _, fi := range im.Fns {
			add(index("impl fn", fi, len(r.Fns)))
		}
	}
	for _, eb := range r.ExternBlocks {
		add(bad("extern block", eb.Span))
		for _, fi := range eb.Fns {
			add(index("extern fn", fi, len(r.Fns)))
		}
	}
	for _, b := range r.BindingRefs {
		add(bad("ref", b.Span))
		add(bad("ref path", b.PathSpan))
		add(index("ref fn", b.Fn, len(r.Fns)))
		if b.Name == "" || b.Kind < facts.RefValue || b.Kind > facts.RefType {
			add(fmt.Errorf("ref %+v has no name or kind", b))
		}
	}
	for _, c := range r.Calls {
		add(bad("call", c.Span))
		add(index("call fn", c.Fn, len(r.Fns)))
	}
	for _, u := range r.Uses {
		add(bad("use", u.Span))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d broken facts, first: %w", len(errs), errs[0])
	}
	return nil
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{fnSrc, typeSrc, brokenSrc, "", "\xff\xfe bindings::\x00", "fn f() { m!(bindings::"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		tree, err := treesitter.Parse(context.Background(), treesitter.Rust, src)
		if err != nil {
			t.Fatal(err)
		}
		defer tree.Close()
		if err := checkInvariants(src, Extract(tree)); err != nil {
			t.Fatal(err)
		}
	})
}

const brokenSrc = `use kernel::bindings;

fn broken(dev: *mut bindings::device {
    // SAFETY: dev is live.
    unsafe { bindings::get_device(dev) };
}

pub fn fine() -> i32 {
    // SAFETY: dev is live.
    unsafe { bindings::put_device(dev) };
    0
}

struct Half { a: u32,,, b: }
`

// TestBrokenCode checks that an ERROR node costs only what it covers:
// the fn after it and the refs inside it are still found.
func TestBrokenCode(t *testing.T) {
	r := extract(t, brokenSrc)
	if err := checkInvariants([]byte(brokenSrc), r); err != nil {
		t.Fatal(err)
	}
	var fine = -1
	for i, f := range r.Fns {
		if f.Name == "fine" {
			fine = i
		}
	}
	if fine < 0 || !r.Fns[fine].Pub || r.Fns[fine].Ret != "i32" {
		t.Fatalf("fn fine not found intact after the broken fn: %+v", r.Fns)
	}
	got := map[string]facts.RefKind{}
	for _, b := range r.BindingRefs {
		got[b.Name] = b.Kind
		if b.Name == "put_device" && b.Fn != fine {
			t.Errorf("put_device ref in fn %d, want fine (%d)", b.Fn, fine)
		}
	}
	for name, kind := range map[string]facts.RefKind{"device": typ, "get_device": call, "put_device": call} {
		if got[name] != kind {
			t.Errorf("ref %s: kind %d, want %d (refs %v)", name, got[name], kind, got)
		}
	}
}

func TestNilTree(t *testing.T) {
	if r := Extract(nil); r == nil || len(r.Fns) != 0 {
		t.Fatalf("Extract(nil) = %+v, want empty facts", r)
	}
}

// TestHugeAndDeep feeds a long flat token tree and deep nesting, the
// shapes that would expose quadratic or recursive blow-ups.
func TestHugeAndDeep(t *testing.T) {
	var b strings.Builder
	b.WriteString("define_ids! {\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "    Id%d => bindings::ID_%d,\n", i, i)
	}
	b.WriteString("}\nfn f() { ")
	b.WriteString(strings.Repeat("g(", 2000))
	b.WriteString(strings.Repeat(")", 2000))
	b.WriteString(" }\n")
	src := b.String()
	r := extract(t, src)
	if err := checkInvariants([]byte(src), r); err != nil {
		t.Fatal(err)
	}
	if len(r.BindingRefs) != 3000 {
		t.Errorf("%d refs, want 3000", len(r.BindingRefs))
	}
}

func BenchmarkExtract(b *testing.B) {
	src := []byte(strings.Repeat(fnSrc+typeSrc+brokenSrc, 20))
	tree, err := treesitter.Parse(context.Background(), treesitter.Rust, src)
	if err != nil {
		b.Fatal(err)
	}
	defer tree.Close()
	b.Run("extract", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			Extract(tree)
		}
	})
	b.Run("parse+extract", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			t, err := treesitter.Parse(context.Background(), treesitter.Rust, src)
			if err != nil {
				b.Fatal(err)
			}
			Extract(t)
			t.Close()
		}
	})
}
