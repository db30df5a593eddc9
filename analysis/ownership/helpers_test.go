package ownership

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/rustfacts"
	ts "github.com/rivet-lsp/rivet/treesitter"
)

// table is a small knowledge base for the tracker's unit tests; the
// rules' tests use the real one over the fixture trees.
type table map[string]Effect

func (t table) Effect(name string) Effect {
	if e, ok := t[name]; ok {
		return e
	}
	return Effect{LockArg: -1, ReleaseArg: -1}
}

func (t table) LockType(name string) (isLock, atomic bool) {
	switch name {
	case "SpinLock", "SpinLockIrq":
		return true, true
	case "Mutex":
		return true, false
	}
	return false, false
}

func (t table) TakesOwnership(typ, fn string) bool { return typ == "ARef" && fn == "from_raw" }

// Releases pairs by the table's families.
func (t table) Releases(acquire, release string) bool {
	family := map[string]string{
		"get_device": "dev", "put_device": "dev", "kmalloc": "slab", "kfree": "slab",
		"clk_get": "clk", "clk_put": "clk", "vfree": "vm",
	}
	return family[acquire] != "" && family[acquire] == family[release]
}

var testKB = table{
	"get_device":      {Acquire: AcquireValue, LockArg: -1, ReleaseArg: -1},
	"put_device":      {Releases: true, ReleaseArg: 0, LockArg: -1},
	"kmalloc":         {Acquire: AcquireValue, MaySleep: true, LockArg: -1, ReleaseArg: -1},
	"kfree":           {Releases: true, ReleaseArg: 0, LockArg: -1},
	"vfree":           {Releases: true, ReleaseArg: 0, LockArg: -1},
	"devm_kmalloc":    {Acquire: AcquireValue, Devm: true, MaySleep: true, LockArg: -1, ReleaseArg: -1},
	"devm_kfree":      {Releases: true, ReleaseArg: 1, LockArg: -1},
	"dev_get_drvdata": {Borrowed: true, LockArg: -1, ReleaseArg: -1},
	"clk_get":         {Acquire: AcquireValue, LockArg: -1, ReleaseArg: -1},
	"clk_put":         {Releases: true, ReleaseArg: 0, LockArg: -1},
	"clk_prepare":     {MaySleep: true, LockArg: -1, ReleaseArg: -1},
	"msleep":          {MaySleep: true, LockArg: -1, ReleaseArg: -1},
	"spin_lock":       {Acquire: AcquireLock, LockArg: 0, EntersAtomic: true, ReleaseArg: -1},
	"spin_unlock":     {Releases: true, ReleasesLock: true, ReleaseArg: 0, LeavesAtomic: true, LockArg: -1},
	"mutex_lock":      {Acquire: AcquireLock, LockArg: 0, ReleaseArg: -1},
	"mutex_unlock":    {Releases: true, ReleasesLock: true, ReleaseArg: 0, LockArg: -1},
	"rcu_read_lock":   {EntersAtomic: true, Section: "rcu", LockArg: -1, ReleaseArg: -1},
	"rcu_read_unlock": {LeavesAtomic: true, Section: "rcu", LockArg: -1, ReleaseArg: -1},
	"misc_register":   {Keeps: []int{0}, LockArg: -1, ReleaseArg: -1},
}

// analyze runs the tracker over src with the test table.
func analyze(t testing.TB, src string) *File {
	t.Helper()
	tree, err := ts.Parse(context.Background(), ts.Rust, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tree.Close)
	r := rustfacts.Extract(tree)
	return Analyze(tree.Root(), Env{KB: testKB, Calls: CallNames(r)})
}

// events renders what the tracker found as sorted one-line strings with
// 1-based line numbers, for comparison with a test's expectations.
func events(src string, f *File) []string {
	line := func(s facts.Span) int { return strings.Count(src[:min(int(s.Start), len(src))], "\n") + 1 }
	var out []string
	for _, fn := range f.Fns {
		for _, l := range fn.Leaks {
			out = append(out, fmt.Sprintf("leak %s@%d at %s@%d", l.Res.Func, line(l.Res.Call), l.Exit.Kind, line(l.Exit.Span)))
		}
		for _, r := range fn.Releases {
			what := r.Res.Func
			if r.Res.Kind == Borrowed {
				what = "borrowed"
			}
			if r.Res.Devm {
				what += "(devm)"
			}
			out = append(out, fmt.Sprintf("release %s@%d of %s prior=%s", r.Func, line(r.Call), what, statusString(r.Prior)))
		}
		for _, l := range fn.LocksHeld {
			never := ""
			if l.ReleasedOn.Kind == "" {
				never = " (never released)"
			}
			out = append(out, fmt.Sprintf("held %s@%d at %s@%d%s", l.Res.Func, line(l.Res.Call), l.Exit.Kind, line(l.Exit.Span), never))
		}
		for _, s := range fn.Sleeps {
			var held []string
			for _, h := range s.Held {
				held = append(held, fmt.Sprintf("%s@%d", cmp(h.Func, "guard"), line(h.Call)))
			}
			out = append(out, fmt.Sprintf("sleep %s@%d%s under %s", s.Func, line(s.Call), cmp(" "+s.GFP, ""), strings.Join(held, ",")))
		}
		for _, k := range fn.Keeps {
			out = append(out, fmt.Sprintf("keep %s@%d arg%d: %s", k.Func, line(k.Call), k.Arg, k.What))
		}
	}
	for _, o := range f.Owners {
		var rels []string
		for _, r := range o.Releases {
			rels = append(rels, r.Func)
		}
		out = append(out, fmt.Sprintf("owner %s.%s of %s@%d release=%s handled=%v", o.Store.Type, o.Store.Field,
			o.Store.Res.Func, line(o.Store.Res.Call), strings.Join(rels, ","), o.Handled))
	}
	slices.Sort(out)
	return out
}

func cmp(s, dflt string) string {
	if strings.TrimSpace(s) == "" {
		return dflt
	}
	return s
}

func statusString(s Status) string {
	var parts []string
	for _, p := range []struct {
		s    Status
		name string
	}{{Owned, "owned"}, {Released, "released"}, {HandedToOwner, "owner"}, {Escaped, "escaped"}, {NotAcquired, "none"}} {
		if s.Has(p.s) {
			parts = append(parts, p.name)
		}
	}
	return strings.Join(parts, "|")
}
