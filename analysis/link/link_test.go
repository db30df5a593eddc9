package link_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/link"
)

const tree = `
-- rust/bindings/bindings_helper.h --
#include <linux/dev.h>
const gfp_t RUST_CONST_HELPER_GFP_KERNEL = GFP_KERNEL;
const unsigned long RUST_CONST_HELPER_VM_READ = VM_READ;
-- rust/bindings/lib.rs --
pub const compat_ptr_ioctl: Option<unsafe extern "C" fn()> = None;
-- rust/bindgen_parameters --
--blocklist-function __list_.*_report
--blocklist-item VM_READ
--blocklist-type __kernel_s?size_t
-- rust/helpers/dev.c --
#include <linux/dev.h>
__rust_helper void *rust_helper_dev_get_drvdata(const struct device *dev)
{
	return dev_get_drvdata(dev);
}
__rust_helper void rust_helper_init_mutex(struct mutex *m)
{
	init_mutex(m);
}
-- include/linux/dev.h --
struct device { int id; };
typedef unsigned int gfp_t;
enum irqreturn { IRQ_NONE, IRQ_HANDLED };
extern int panic_timeout;
struct device *get_device(struct device *dev);
static inline void *dev_get_drvdata(const struct device *dev) { return 0; }
static inline void dev_set_drvdata(struct device *dev, void *p) { }
#define init_mutex(m) __init_mutex(m)
#define init_spin(l) __init_spin(l)
#define GFP_KERNEL 0x400u
#define VM_READ 0x1
#define PAGE_SIZE 4096
void __list_add_report(void);
-- drivers/base/core.c --
struct device *get_device(struct device *dev)
{
	return dev;
}
`

func snapshot(t *testing.T) (*index.Snapshot, string) {
	t.Helper()
	root := analysistest.WriteTxtar(t, tree)
	ix := index.New()
	if _, err := (&index.Builder{Index: ix}).Build(context.Background(), []string{root}); err != nil {
		t.Fatal(err)
	}
	snap, release := ix.Snapshot()
	t.Cleanup(release)
	return snap, root
}

func TestResolve(t *testing.T) {
	snap, root := snapshot(t)
	rel := func(l *link.Loc) string {
		if l == nil {
			return "-"
		}
		return strings.TrimPrefix(l.Path, root+"/")
	}
	for _, tc := range []struct {
		name, kind, cause, decl, def, helper string
		blocklisted                          bool
	}{
		{name: "get_device", kind: "function", decl: "include/linux/dev.h", def: "drivers/base/core.c", helper: "-"},
		{name: "dev_get_drvdata", kind: "helper", decl: "include/linux/dev.h", def: "-", helper: "rust/helpers/dev.c"},
		{name: "dev_set_drvdata", kind: "unresolved", cause: "static inline without helper", decl: "include/linux/dev.h", def: "-", helper: "-"},
		{name: "init_mutex", kind: "helper", decl: "include/linux/dev.h", def: "-", helper: "rust/helpers/dev.c"},
		{name: "init_spin", kind: "unresolved", cause: "function-like macro without helper", decl: "include/linux/dev.h", def: "-", helper: "-"},
		{name: "GFP_KERNEL", kind: "constant", decl: "include/linux/dev.h", def: "-", helper: "-"},
		{name: "VM_READ", kind: "constant", decl: "include/linux/dev.h", def: "-", helper: "-", blocklisted: true},
		{name: "PAGE_SIZE", kind: "constant", decl: "include/linux/dev.h", def: "-", helper: "-"},
		{name: "IRQ_HANDLED", kind: "constant", decl: "include/linux/dev.h", def: "-", helper: "-"},
		{name: "irqreturn_IRQ_HANDLED", kind: "constant", decl: "include/linux/dev.h", def: "-", helper: "-"},
		{name: "device", kind: "type", decl: "include/linux/dev.h", def: "-", helper: "-"},
		{name: "gfp_t", kind: "type", decl: "include/linux/dev.h", def: "-", helper: "-"},
		{name: "panic_timeout", kind: "static", decl: "include/linux/dev.h", def: "-", helper: "-"},
		{name: "compat_ptr_ioctl", kind: "rust item", decl: "rust/bindings/lib.rs", def: "-", helper: "-"},
		{name: "__BindgenBitfieldUnit", kind: "generated", decl: "-", def: "-", helper: "-"},
		{name: "device__bindgen_ty_1", kind: "generated", decl: "-", def: "-", helper: "-"},
		{name: "__list_add_report", kind: "unresolved", cause: "blocklisted", decl: "include/linux/dev.h", def: "-", helper: "-", blocklisted: true},
		{name: "__kernel_ssize_t", kind: "unresolved", cause: "blocklisted", decl: "-", def: "-", helper: "-", blocklisted: true},
		{name: "no_such_thing", kind: "unresolved", cause: "not declared", decl: "-", def: "-", helper: "-"},
	} {
		tg := link.Resolve(snap, tc.name)
		got := []string{tg.Kind.String(), tg.Cause.String(), rel(tg.Decl), rel(tg.Def), rel(tg.HelperDef)}
		want := []string{tc.kind, tc.cause, tc.decl, tc.def, tc.helper}
		if strings.Join(got, "|") != strings.Join(want, "|") || (tg.Rule != nil) != tc.blocklisted {
			t.Errorf("Resolve(%s) = %v blocklisted=%v, want %v blocklisted=%v", tc.name, got, tg.Rule != nil, want, tc.blocklisted)
		}
	}
}

func TestBestLocation(t *testing.T) {
	snap, root := snapshot(t)
	// A helper-wrapped inline jumps to the inline function, not the helper.
	if l := link.Resolve(snap, "dev_get_drvdata").Best(); l == nil || filepath.Base(l.Path) != "dev.h" {
		t.Errorf("best location of a wrapped inline: %+v", l)
	}
	// A real function jumps to its body.
	if l := link.Resolve(snap, "get_device").Best(); l == nil || !strings.HasSuffix(l.Path, "drivers/base/core.c") {
		t.Errorf("best location of a function: %+v (root %s)", l, root)
	}
}

func TestNeededNames(t *testing.T) {
	snap, _ := snapshot(t)
	got := strings.Join(link.NeededNames(snap), " ")
	// The helpers' callees are needed (what they wrap).
	for _, want := range []string{"dev_get_drvdata", "init_mutex"} {
		if !strings.Contains(" "+got+" ", " "+want+" ") {
			t.Errorf("NeededNames = %q, missing %s", got, want)
		}
	}
}
