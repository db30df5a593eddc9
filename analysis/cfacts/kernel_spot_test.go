package cfacts

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

// kernelFacts extracts one file of the kernel tree, memoised per test.
type kernelFacts struct {
	t     *testing.T
	root  string
	files map[string]*facts.C
}

func (k *kernelFacts) file(rel string) *facts.C {
	if c, ok := k.files[rel]; ok {
		return c
	}
	src, err := os.ReadFile(filepath.Join(k.root, rel))
	if err != nil {
		k.t.Fatal(err)
	}
	tree, err := treesitter.Parse(context.Background(), treesitter.C, src)
	if err != nil {
		k.t.Fatal(err)
	}
	defer tree.Close()
	k.files[rel] = Extract(tree)
	return k.files[rel]
}

// funcs are the declarations of name in rel, in source order (a header may
// declare a prototype and, under #else, a static inline stub).
func (k *kernelFacts) funcs(rel, name string) []facts.CFunc {
	var out []facts.CFunc
	for _, f := range k.file(rel).Funcs {
		if f.Name == name {
			out = append(out, f)
		}
	}
	return out
}

// signature renders what the spot checks compare: storage, return type,
// parameters with their types, variadic, attributes.
func signature(f facts.CFunc) string {
	var b strings.Builder
	if f.Static {
		b.WriteString("static ")
	}
	if f.Inline {
		b.WriteString("inline ")
	}
	fmt.Fprintf(&b, "%s %s(", f.Return.Text, f.Name)
	for i, p := range f.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strings.TrimSpace(p.Type.Text + " " + p.Name))
	}
	if f.Variadic {
		b.WriteString(", ...")
	}
	b.WriteString(")")
	for _, a := range f.Attrs {
		b.WriteString(" " + a.Name)
		if a.Args != "" {
			b.WriteString("(" + a.Args + ")")
		}
	}
	return b.String()
}

// TestKernelSpotChecks compares the facts of functions Rust uses, read
// from Linux 7.3, with what their source says (checked by hand).
//
//	RIVET_KERNEL=/path/to/linux-7.3 go test ./analysis/cfacts -run TestKernelSpotChecks -v
func TestKernelSpotChecks(t *testing.T) {
	k := &kernelFacts{t: t, root: kernelTree(t), files: map[string]*facts.C{}}
	signatures := []struct{ file, name, want string }{
		{"include/linux/device.h", "get_device", "struct device * get_device(struct device * dev)"},
		{"include/linux/device.h", "put_device", "void put_device(struct device * dev)"},
		{"include/linux/slab.h", "kfree", "void kfree(const void * objp)"},
		{"include/linux/mutex.h", "mutex_lock", "void mutex_lock(struct mutex * lock) __acquires(lock)"},
		{"include/linux/mutex.h", "mutex_lock_interruptible", "int mutex_lock_interruptible(struct mutex * lock) __must_check __cond_acquires(0, lock)"},
		{"include/linux/mutex.h", "mutex_unlock", "void mutex_unlock(struct mutex * lock) __releases(lock)"},
		{"include/linux/refcount.h", "refcount_dec_and_test", "static inline bool refcount_dec_and_test(refcount_t * r) __must_check"},
		{"include/linux/uaccess.h", "copy_from_user", "static inline unsigned long copy_from_user(void * to, const void __user * from, unsigned long n) __always_inline __must_check"},
		{"include/linux/clk.h", "clk_get", "struct clk * clk_get(struct device * dev, const char * id)"},
		{"include/linux/gfp.h", "alloc_pages_noprof", "struct page * alloc_pages_noprof(gfp_t gfp, unsigned int order)"},
		{"include/asm-generic/io.h", "ioremap", "static inline void __iomem * ioremap(phys_addr_t offset, size_t size)"},
		{"include/linux/err.h", "ERR_PTR", "static inline void * ERR_PTR(long error) __always_inline __must_check"},
		{"include/linux/err.h", "IS_ERR", "static inline bool IS_ERR(__force const void * ptr) __always_inline __must_check"},
		{"include/linux/kref.h", "kref_put", "static inline int kref_put(struct kref * kref, void (*)(struct kref *) release)"},
		{"include/linux/completion.h", "wait_for_completion", "void wait_for_completion(struct completion *)"},
		{"include/linux/xarray.h", "xa_store", "void * xa_store(struct xarray *, unsigned long index, void * entry, gfp_t)"},
		{"include/linux/spinlock.h", "spin_lock", "static inline void spin_lock(spinlock_t * lock) __always_inline __acquires(lock) __no_context_analysis"},
		{"include/linux/device/devres.h", "devm_kmalloc", "void * devm_kmalloc(struct device * dev, size_t size, gfp_t gfp) __alloc_size(2)"},
		{"include/linux/sched.h", "schedule", "void schedule() asmlinkage"},
		{"include/drm/drm_gem.h", "__drm_gem_object_put", "static inline void __drm_gem_object_put(struct drm_gem_object * obj) __attribute__(nonnull)"},
		{"rust/helpers/refcount.c", "rust_helper_refcount_dec_and_test", "bool rust_helper_refcount_dec_and_test(refcount_t * r) __rust_helper"},
		{"rust/helpers/uaccess.c", "rust_helper_copy_from_user", "unsigned long rust_helper_copy_from_user(void * to, const void __user * from, unsigned long n) __rust_helper"},
	}
	for _, s := range signatures {
		fs := k.funcs(s.file, s.name)
		if len(fs) == 0 {
			t.Errorf("%s: %s not found", s.file, s.name)
			continue
		}
		if got := signature(fs[0]); got != s.want {
			t.Errorf("%s:\n got %s\nwant %s", s.file, got, s.want)
		}
	}

	bodies := []struct {
		file, name string
		nth        int // which declaration of name (0: the first)
		want       facts.CBody
	}{
		{"include/linux/refcount.h", "refcount_dec_and_test", 0, facts.CBody{ReturnedCalls: []string{"__refcount_dec_and_test"}}},
		{"include/linux/uaccess.h", "copy_from_user", 0, facts.CBody{ReturnedCalls: []string{"_copy_from_user"}}},
		{"include/linux/clk.h", "clk_get", 1, facts.CBody{ReturnsNull: true}},
		{"include/linux/debugfs.h", "debugfs_create_dir", 1, facts.CBody{ReturnsErrPtr: true, ReturnedCalls: []string{"ERR_PTR"}}},
		{"include/linux/device.h", "dev_set_drvdata", 0, facts.CBody{Stores: []facts.ParamStore{{Param: 1, Into: "field"}}}},
		{"include/linux/buffer_head.h", "lock_buffer", 0, facts.CBody{Sleeps: []facts.Evidence{{What: "might_sleep"}}}},
		{"include/drm/drm_gem.h", "__drm_gem_object_put", 0, facts.CBody{KrefPuts: []facts.Evidence{{What: "drm_gem_object_free"}}}},
		{"rust/helpers/refcount.c", "rust_helper_refcount_dec_and_test", 0, facts.CBody{ReturnedCalls: []string{"refcount_dec_and_test"}}},
	}
	for _, b := range bodies {
		fs := k.funcs(b.file, b.name)
		if len(fs) <= b.nth || fs[b.nth].Body == nil {
			t.Errorf("%s: no body for %s #%d", b.file, b.name, b.nth)
			continue
		}
		got := *fs[b.nth].Body
		// Spans are checked by the unit tests; here, what was found.
		got.ErrPtrSpan = facts.Span{}
		for _, list := range [][]facts.Evidence{got.Sleeps, got.KrefPuts} {
			for i := range list {
				list[i].Span = facts.Span{}
			}
		}
		for i := range got.Stores {
			got.Stores[i].Span = facts.Span{}
		}
		diff(t, b.file+": "+b.name, &b.want, &got)
	}

	if f := k.funcs("include/linux/device.h", "get_device")[0]; f.Doc != "" {
		t.Errorf("get_device: doc %q, want none (its comment is /*, not kernel-doc)", f.Doc)
	}
	if f := k.funcs("include/linux/clk.h", "clk_get")[0]; !strings.HasPrefix(f.Doc, "clk_get - lookup and obtain a reference to a clock producer.\n@dev: device for clock \"consumer\"") {
		t.Errorf("clk_get: doc %q", f.Doc)
	}

	macros := map[string]facts.CMacro{}
	for _, m := range k.file("include/linux/slab.h").Macros {
		macros[m.Name] = m
	}
	for _, m := range k.file("include/linux/gfp.h").Macros {
		macros[m.Name] = m
	}
	if m := macros["kmalloc"]; !m.FuncLike || strings.Join(m.Params, ",") != "size,flags" || m.Body != "alloc_hooks(kmalloc_noprof(size, flags))" {
		t.Errorf("kmalloc macro = %+v", m)
	}
	if m := macros["alloc_pages"]; !m.FuncLike || strings.Join(m.Params, ",") != "..." || m.Body != "alloc_hooks(alloc_pages_noprof(__VA_ARGS__))" {
		t.Errorf("alloc_pages macro = %+v", m)
	}

	var gfpKernel facts.CGlobal
	for _, g := range k.file("rust/bindings/bindings_helper.h").Globals {
		if g.Name == "RUST_CONST_HELPER_GFP_KERNEL" {
			gfpKernel = g
		}
	}
	if gfpKernel.Init != "GFP_KERNEL" || gfpKernel.Type.Text != "const gfp_t" {
		t.Errorf("RUST_CONST_HELPER_GFP_KERNEL = %+v", gfpKernel)
	}

	var cleanup facts.CCleanup
	for _, c := range k.file("include/linux/device.h").Cleanups {
		if c.Macro == "DEFINE_FREE" && len(c.Args) > 0 && c.Args[0] == "put_device" {
			cleanup = c
		}
	}
	diff(t, "DEFINE_FREE(put_device)", []string{"put_device", "struct device *", "if (_T) put_device(_T)"}, cleanup.Args)

	var device facts.CRecord
	for _, r := range k.file("include/linux/device.h").Records {
		if r.Name == "device" && r.Definition {
			device = r
		}
	}
	fields := map[string]string{}
	for _, f := range device.Fields {
		fields[f.Name] = f.Type.Text
	}
	for name, want := range map[string]string{
		"parent":          "struct device *",
		"bus":             "const struct bus_type *",
		"driver_data":     "void *",
		"driver_override": "struct {...}",
		"mutex":           "struct mutex",
		"dma_mask":        "u64 *",
		"numa_node":       "int",
		"groups":          "const struct attribute_group **",
		"release":         "void (*)(struct device *)",
		"removable":       "enum device_removable",
	} {
		if fields[name] != want {
			t.Errorf("struct device field %s: %q, want %q", name, fields[name], want)
		}
	}
}
