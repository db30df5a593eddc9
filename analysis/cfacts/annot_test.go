package cfacts

import (
	"testing"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

func TestFunctionAttributes(t *testing.T) {
	src := `EXPORT_SYMBOL_GPL(put_device);
__rust_helper bool rust_helper_refcount_dec_and_test(refcount_t *r)
{
	return refcount_dec_and_test(r);
}
static inline __must_check bool refcount_dec_and_test(refcount_t *r);
extern void mutex_lock(struct mutex *lock) __acquires(lock);
extern int __must_check mutex_lock_interruptible(struct mutex *lock) __cond_acquires(0, lock);
DEFINE_FREE(kfree, void *, if (_T) kfree(_T))
void *kmemdup(const void *src, size_t len, gfp_t gfp) __attribute__((__malloc__, alloc_size(2)));
int lookup(const char *name) __attribute__((warn_unused_result));
void __noreturn do_exit(long code);
_Noreturn void panic_now(void);
__printf(2, 3) int dev_set_name(struct device *dev, const char *name, ...);
static __always_inline void might_fault_inline(void);
module_init(widget_init);
asmlinkage __visible void __sched schedule(void);
`
	c := extract(t, src)
	attr := func(name, args, written string) facts.Annotation {
		return facts.Annotation{Name: name, Args: args, Span: first(t, src, written)}
	}
	want := map[string][]facts.Annotation{
		"rust_helper_refcount_dec_and_test": {attr("__rust_helper", "", "__rust_helper")},
		"refcount_dec_and_test":             {attr("__must_check", "", "__must_check")},
		"mutex_lock":                        {attr("__acquires", "lock", "__acquires(lock)")},
		"mutex_lock_interruptible": {
			{Name: "__must_check", Span: at(t, src, "__must_check", 2)},
			attr("__cond_acquires", "0, lock", "__cond_acquires(0, lock)"),
		},
		"kmemdup": {
			attr("__malloc", "", "__attribute__((__malloc__, alloc_size(2)))"),
			attr("__attribute__", "alloc_size(2)", "__attribute__((__malloc__, alloc_size(2)))"),
		},
		"lookup":             {attr("__must_check", "", "__attribute__((warn_unused_result))")},
		"do_exit":            {attr("__noreturn", "", "__noreturn")},
		"panic_now":          {attr("__noreturn", "", "_Noreturn")},
		"dev_set_name":       {attr("__printf", "2, 3", "__printf(2, 3)")},
		"might_fault_inline": {attr("__always_inline", "", "__always_inline")},
		"schedule":           {attr("asmlinkage", "", "asmlinkage"), attr("__visible", "", "__visible"), attr("__sched", "", "__sched")},
	}
	got := map[string][]facts.Annotation{}
	for _, f := range c.Funcs {
		got[f.Name] = f.Attrs
	}
	diff(t, "Attrs", want, got)

	if f := fnNamed(t, c, "might_fault_inline"); !f.Inline || !f.Static {
		t.Errorf("might_fault_inline: Inline %v Static %v, want both", f.Inline, f.Static)
	}
	if f := fnNamed(t, c, "rust_helper_refcount_dec_and_test"); f.Span != between(t, src, "__rust_helper", "}") {
		t.Errorf("helper span %v does not start at its __rust_helper", f.Span)
	}
	interruptible, lock := fnNamed(t, c, "mutex_lock_interruptible"), fnNamed(t, c, "mutex_lock")
	if !interruptible.HasAttr(facts.AttrMustCheck) || lock.HasAttr(facts.AttrMustCheck) {
		t.Error("HasAttr(__must_check) wrong")
	}
}

func TestTypeAnnotations(t *testing.T) {
	src := `unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
void __iomem *ioremap(phys_addr_t offset, size_t size);
long rust_helper_PTR_ERR(__force const void *ptr);
typedef unsigned int __bitwise gfp_t;
struct rcu_holder {
	struct task_struct __rcu *owner;
	int __percpu *counters;
	void * __rcu *slots;
};
`
	c := extract(t, src)
	user := facts.CType{Kind: facts.CTypeVoid, Const: true, Annots: []string{"__user"}, Text: "const void __user"}
	diff(t, "from", ptr(user, "const void __user *"), fnNamed(t, c, "copy_from_user").Params[1].Type)

	iomem := facts.CType{Kind: facts.CTypeVoid, Annots: []string{"__iomem"}, Text: "void __iomem"}
	diff(t, "ioremap", ptr(iomem, "void __iomem *"), fnNamed(t, c, "ioremap").Return)

	forced := facts.CType{Kind: facts.CTypeVoid, Const: true, Annots: []string{"__force"}, Text: "__force const void"}
	diff(t, "ptr", ptr(forced, "__force const void *"), fnNamed(t, c, "rust_helper_PTR_ERR").Params[0].Type)

	diff(t, "gfp_t", facts.CType{Kind: facts.CTypeNamed, Name: "unsigned int", Annots: []string{"__bitwise"}, Text: "unsigned int __bitwise"}, c.Typedefs[0].Type)

	if len(c.Records) != 1 || len(c.Records[0].Fields) != 3 {
		t.Fatalf("records = %+v", c.Records)
	}
	fields := c.Records[0].Fields
	rcuTask := facts.CType{Kind: facts.CTypeRecord, Name: "task_struct", Annots: []string{"__rcu"}, Text: "struct task_struct __rcu"}
	diff(t, "owner", ptr(rcuTask, "struct task_struct __rcu *"), fields[0].Type)
	percpu := facts.CType{Kind: facts.CTypeNamed, Name: "int", Annots: []string{"__percpu"}, Text: "int __percpu"}
	diff(t, "counters", ptr(percpu, "int __percpu *"), fields[1].Type)
	// The __rcu after the first `*` qualifies that pointer level.
	slot := facts.CType{Kind: facts.CTypePointer, Annots: []string{"__rcu"}, Elem: &facts.CType{Kind: facts.CTypeVoid, Text: "void"}, Text: "void *__rcu"}
	diff(t, "slots", ptr(slot, "void *__rcu *"), fields[2].Type)
}

func TestCleanups(t *testing.T) {
	src := `DEFINE_FREE(kfree, void *, if (!IS_ERR_OR_NULL(_T)) kfree(_T))
DEFINE_GUARD(mutex, struct mutex *, mutex_lock(_T), mutex_unlock(_T))
DEFINE_LOCK_GUARD_1(spinlock_irqsave, spinlock_t,
		    spin_lock_irqsave(_T->lock, _T->flags),
		    spin_unlock_irqrestore(_T->lock, _T->flags),
		    unsigned long flags)
DEFINE_CLASS(fd, struct fd, fdput(_T), fdget(fd), int fd);
void after(void);
`
	c := extract(t, src)
	want := []facts.CCleanup{
		{Macro: "DEFINE_FREE", Args: []string{"kfree", "void *", "if (!IS_ERR_OR_NULL(_T)) kfree(_T)"}, Span: first(t, src, "DEFINE_FREE(kfree, void *, if (!IS_ERR_OR_NULL(_T)) kfree(_T))")},
		{Macro: "DEFINE_GUARD", Args: []string{"mutex", "struct mutex *", "mutex_lock(_T)", "mutex_unlock(_T)"}, Span: between(t, src, "DEFINE_GUARD", "(_T))")},
		{Macro: "DEFINE_LOCK_GUARD_1", Args: []string{"spinlock_irqsave", "spinlock_t", "spin_lock_irqsave(_T->lock, _T->flags)", "spin_unlock_irqrestore(_T->lock, _T->flags)", "unsigned long flags"},
			Span: between(t, src, "DEFINE_LOCK_GUARD_1", "unsigned long flags)")},
		{Macro: "DEFINE_CLASS", Args: []string{"fd", "struct fd", "fdput(_T)", "fdget(fd)", "int fd"}, Span: between(t, src, "DEFINE_CLASS", ";")},
	}
	diff(t, "Cleanups", want, c.Cleanups)
	if f := fnNamed(t, c, "after"); len(f.Attrs) != 0 {
		t.Errorf("after: attrs %+v, want none (cleanups are not attributes)", f.Attrs)
	}
}

func TestAnnotationsKept(t *testing.T) {
	src := "int __must_check f(void __user *p) __acquires(x);\n"
	want := []facts.Annotation{
		{Name: "__must_check", Span: first(t, src, "__must_check")},
		{Name: "__user", Span: first(t, src, "__user")},
		{Name: "__acquires", Args: "x", Span: first(t, src, "__acquires(x)")},
	}
	diff(t, "Annotations", want, extract(t, src).Annotations)
}

func TestBodyAnnotations(t *testing.T) {
	src := `static void reap(struct pool *p)
{
	struct item *it, *tmp;

	list_for_each_entry_safe(it, tmp, &p->items, node) {
		list_del(&it->node);
		kfree(it);
	}
	scoped_guard(mutex, &p->lock) {
		p->count = 0;
	}
}
`
	f := fnNamed(t, extract(t, src), "reap")
	var calls []string
	for _, c := range f.Calls {
		calls = append(calls, c.Name)
	}
	diff(t, "calls", []string{"list_del", "kfree"}, calls)
	diff(t, "sleeps", []facts.Evidence{{What: "scoped_guard(mutex)", Span: first(t, src, "scoped_guard")}}, f.Body.Sleeps)
}
