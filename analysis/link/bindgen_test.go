package link_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

// A kernel-like tree where names have declarations bindgen never reads,
// modelled on what Linux 7.3 does to the link model.
const bindgenTree = `
-- rust/bindings/bindings_helper.h --
#include <linux/work.h>
#include <asm/bitops.h>
#include "../../drivers/priv/priv.h"
-- rust/helpers/helpers.c --
#include <linux/work.h>
__rust_helper void rust_helper_clear_bit(long nr, unsigned long *addr)
{
	clear_bit(nr, addr);
}
-- include/linux/work.h --
struct delayed_work { int t; };
enum timer_restart { TIMER_NORESTART, TIMER_RESTART };
static inline int timer_restart(void) { return 0; }
struct list_head { struct list_head *next; };
struct dumb_args { int w; };
#define udelay(n) __udelay(n)
-- include/asm-generic/bitops.h --
static inline void clear_bit(long nr, unsigned long *addr) { }
-- arch/sparc/include/asm/bitops.h --
void clear_bit(unsigned long nr, volatile unsigned long *addr);
-- arch/sparc/kernel/time.c --
void udelay(unsigned long usecs)
{
}
-- net/ceph/mon.c --
static void delayed_work(struct work_struct *work)
{
}
-- tools/firewire/list.h --
#define list_head(l) ((l)->next)
-- drivers/gpu/drm/internal.h --
int dumb_args(int x);
-- drivers/gpu/drm/dumb.c --
int dumb_args(int x)
{
	return x;
}
-- drivers/priv/priv.h --
void priv_poke(void);
`

func TestResolveWhatBindgenReads(t *testing.T) {
	root := analysistest.WriteTxtar(t, bindgenTree)
	ix := index.New()
	if _, err := (&index.Builder{Index: ix}).Build(context.Background(), []string{root}); err != nil {
		t.Fatal(err)
	}
	snap, release := ix.Snapshot()
	defer release()
	for _, tc := range []struct{ name, kind, decl, why string }{
		{"delayed_work", "type", "include/linux/work.h", "a static function of a .c file is private to it"},
		{"timer_restart", "type", "include/linux/work.h", "the tag beats an inline no helper wraps"},
		{"list_head", "type", "include/linux/work.h", "tools/ is userspace"},
		{"clear_bit", "helper", "include/asm-generic/bitops.h", "sparc's prototype is not what x86 bindgen reads"},
		{"udelay", "unresolved", "include/linux/work.h", "a sparc body is no x86 function"},
		{"dumb_args", "type", "include/linux/work.h", "a function declared only in a private header is not bound"},
		{"priv_poke", "function", "drivers/priv/priv.h", `bindings_helper.h's "../../" include is read`},
	} {
		tg := link.Resolve(snap, tc.name)
		decl := "-"
		if tg.Decl != nil {
			decl = strings.TrimPrefix(tg.Decl.Path, root+"/")
		}
		if tg.Kind.String() != tc.kind || decl != tc.decl {
			t.Errorf("Resolve(%s) = %s at %s, want %s at %s (%s)", tc.name, tg.Kind, decl, tc.kind, tc.decl, tc.why)
		}
	}
	hs := link.BindgenHeaders(snap)
	for _, want := range []string{"rust/bindings/bindings_helper.h", "rust/helpers/helpers.c", "include/linux/work.h", "include/asm-generic/bitops.h", "drivers/priv/priv.h"} {
		if !hs[root+"/"+want] {
			t.Errorf("BindgenHeaders lacks %s", want)
		}
	}
	if len(hs) != 5 {
		t.Errorf("BindgenHeaders has %d files, want 5", len(hs))
	}
}

// TestBindgenHeadersFollowEdits checks the cached closure: an edit of a
// header in it is seen, an edit elsewhere keeps it.
func TestBindgenHeadersFollowEdits(t *testing.T) {
	root := analysistest.WriteTxtar(t, bindgenTree+"-- include/linux/extra.h --\nint extra(void);\n")
	ix := index.New()
	if _, err := (&index.Builder{Index: ix}).Build(context.Background(), []string{root}); err != nil {
		t.Fatal(err)
	}
	headers := func() map[string]bool {
		snap, release := ix.Snapshot()
		defer release()
		return link.BindgenHeaders(snap)
	}
	put := func(rel, text string) {
		f, err := index.Analyze(context.Background(), index.Stat{Path: root + "/" + rel, Lang: facts.LangC}, []byte(text), false)
		if err != nil {
			t.Fatal(err)
		}
		ix.Put(f)
	}
	extra := root + "/include/linux/extra.h"
	if headers()[extra] {
		t.Fatal("extra.h is in the closure before anything includes it")
	}
	put("net/ceph/mon.c", "#include <linux/extra.h>\n")
	if headers()[extra] {
		t.Error("an include in a file bindgen does not read put extra.h in the closure")
	}
	put("include/linux/work.h", "#include <linux/extra.h>\nstruct delayed_work { int t; };\n")
	if !headers()[extra] {
		t.Error("extra.h, now included by work.h, is not in the closure")
	}
}
