package treesitter

import (
	"context"
	"testing"
)

func TestMaskCAnnotations(t *testing.T) {
	checkMask(t, C, []maskCase{{
		in:   "int __must_check f(void __user *p) __acquires(l);",
		want: "int ~~~~~~~~~~~~ f(void ~~~~~~ *p) ~~~~~~~~~~~~~;",
		anns: []string{"__must_check()", "__user()", "__acquires(l)"},
	}, {
		in:   "struct s { int a; } __attribute__((packed, aligned(4)));",
		want: "struct s { int a; } ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~;",
		anns: []string{"__attribute__((packed, aligned(4)))"},
	}, {
		in:   "static int __init __section(\".x\") f(void)",
		want: "static int ~~~~~~ ~~~~~~~~~~~~~~~ f(void)",
		anns: []string{"__init()", `__section(".x")`},
	}, {
		// Annotation names used as plain names stay: without their
		// arguments, as members, in declarator and argument lists.
		in:   "x = F(CNT, SEC); o.noinstr = p->__mode; bool init, noinstr;",
		want: "x = F(CNT, SEC); o.noinstr = p->__mode; bool init, noinstr;",
	}, {
		in:   "struct page *p __free(__free_page) = NULL;",
		want: "struct page *p ~~~~~~~~~~~~~~~~~~~ = NULL;",
		anns: []string{"__free(__free_page)"},
	}, {
		// Comments inside a blanked span survive.
		in:   "int f(void) __acquires(/* the */ l);",
		want: "int f(void) ~~~~~~~~~~~/* the */~~~;",
		anns: []string{"__acquires(/* the */ l)"},
	}, {
		// Nothing in comments, strings or characters is masked.
		in:   "/* __user */ char *s = \"__user\"; char c = '_'; // __iomem\n#define X __user",
		want: "/* __user */ char *s = \"__user\"; char c = '_'; // __iomem\n#define X __user",
	}})
}

func TestMaskCKeywords(t *testing.T) {
	checkMask(t, C, []maskCase{{
		in:   "static __always_inline int g(void)",
		want: "static inline~~~~~~~~~ int g(void)",
		anns: []string{"__always_inline()"},
	}, {
		in:   "__asm__ __volatile__(\"nop\"); asm_inline(\"x\");",
		want: "__asm__ volatile~~~~(\"nop\"); asm inline(\"x\");",
		anns: []string{"__volatile__()", "asm_inline()"},
	}, {
		in:   "STATIC __signed__ char x;",
		want: "static signed~~~~ char x;",
		anns: []string{"STATIC()", "__signed__()"},
	}})
}

func TestMaskCStatementMacros(t *testing.T) {
	checkMask(t, C, []maskCase{{
		in:   "void f(void) { list_for_each_entry(p, &h, node) { g(p); } }",
		want: "void f(void) { while~~~~~~~~~~~~~~(p, &h, node) { g(p); } }",
		anns: []string{"list_for_each_entry(p, &h, node)"},
	}, {
		in:   "void f(void) { for_each_possible_cpu(cpu) g(cpu); }",
		want: "void f(void) { while~~~~~~~~~~~~~~~~(cpu) g(cpu); }",
		anns: []string{"for_each_possible_cpu(cpu)"},
	}, {
		in:   "void f(void) { if (x) scoped_guard(mutex, &m) { g(); } }",
		want: "void f(void) { if (x) if~~~~~~~~~~(mutex, &m) { g(); } }",
		anns: []string{"scoped_guard(mutex, &m)"},
	}, {
		in:   "void f(void) { scoped_cond_guard(mutex_intr, return -EINTR, &m) { g(); } }",
		want: "void f(void) { if~~~~~~~~~~~~~~~(mutex_intr~~~~~~~~~~~~~~~, &m) { g(); } }",
		anns: []string{"scoped_cond_guard(mutex_intr, return -EINTR, &m)"},
	}, {
		// No arguments: nothing to keep as a condition.
		in:   "void f(void) { scoped_ksimd() { g(); } }",
		want: "void f(void) { ~~~~~~~~~~~~~~ { g(); } }",
		anns: []string{"scoped_ksimd()"},
	}, {
		// Any `name(args) {` in a body is a loop macro.
		in:   "void f(void) { skb_queue_walk(q, skb) { g(skb); } }",
		want: "void f(void) { while~~~~~~~~~(q, skb) { g(skb); } }",
		anns: []string{"skb_queue_walk(q, skb)"},
	}, {
		in:   "void f(void) { do_each_thread(g, t) { h(t); } while_each_thread(g, t); }",
		want: "void f(void) { if~~~~~~~~~~~~(g, t) { h(t); } while~~~~~~~~~~~~(g, t); }",
		anns: []string{"do_each_thread(g, t)", "while_each_thread(g, t)"},
	}, {
		// Calls, definitions and expressions are left alone.
		in:   "int bpf_for_each_elem(int x) { idr_for_each(&i, fn, 0); return xa_for_each_x(1) + 1; }",
		want: "int bpf_for_each_elem(int x) { idr_for_each(&i, fn, 0); return xa_for_each_x(1) + 1; }",
	}})
}

func TestMaskCFileScopeMacros(t *testing.T) {
	checkMask(t, C, []maskCase{{
		in:   "DEFINE_FREE(kfree, void *, if (_T) kfree(_T))\nint x;",
		want: "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\nint x;",
		anns: []string{"DEFINE_FREE(kfree, void *, if (_T) kfree(_T))"},
	}, {
		in:   "DEFINE_GUARD(mutex, struct mutex *,\n\tmutex_lock(_T), mutex_unlock(_T));\n",
		want: "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n",
		anns: []string{"DEFINE_GUARD(mutex, struct mutex *,\n\tmutex_lock(_T), mutex_unlock(_T))"},
	}, {
		in:   "int f(void) { return 0; }\nEXPORT_SYMBOL_GPL(f);\nmodule_init(f);",
		want: "int f(void) { return 0; }\n~~~~~~~~~~~~~~~~~~~~~\n~~~~~~~~~~~~~~~",
		anns: []string{"EXPORT_SYMBOL_GPL(f)", "module_init(f)"},
	}, {
		// A declaration macro the grammar would read as a declarator.
		in:   "static DEVICE_ATTR(a, 0444, show, NULL);\nstatic DEFINE_MUTEX(m);",
		want: "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\nstatic DEFINE_MUTEX(m);",
		anns: []string{"DEVICE_ATTR(a, 0444, show, NULL)"},
	}, {
		in:   "CONFIGFS_ATTR(, emulate_dpo);",
		want: "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
		anns: []string{"CONFIGFS_ATTR(, emulate_dpo)"},
	}, {
		// A member macro.
		in:   "struct s {\n\tDECLARE_BITMAP(b, 8);\n\tint n;\n};",
		want: "struct s {\n\t~~~~~~~~~~~~~~~~~~~~~\n\tint n;\n};",
		anns: []string{"DECLARE_BITMAP(b, 8)"},
	}, {
		// A macro inside a string concatenation.
		in:   "MODULE_PARM_DESC(n, \"x (default=\" __MODULE_STRING(N) \")\");",
		want: "MODULE_PARM_DESC(n, \"x (default=\" ~~~~~~~~~~~~~~~~~~ \")\");",
		anns: []string{"__MODULE_STRING(N)"},
	}, {
		// Inside a function nothing is file-scope.
		in:   "void f(void) { EXPORT_SYMBOL(x); }",
		want: "void f(void) { EXPORT_SYMBOL(x); }",
	}})
}

func TestMaskCTypeArguments(t *testing.T) {
	checkMask(t, C, []maskCase{{
		in:   "void f(void) { p = container_of(n, struct foo, list); }",
		want: "void f(void) { p = container_of(n, ~~~~~~~foo, list); }",
		anns: []string{"type argument(struct foo)"},
	}, {
		in:   "void f(void) { q = va_arg(ap, unsigned long); r = g(a * b, u8 *); }",
		want: "void f(void) { q = va_arg(ap, ~~~~~~~~~long); r = g(a * b, u8~~); }",
		anns: []string{"type argument(unsigned long)", "type argument(u8 *)"},
	}, {
		// A declarator's parameters are not arguments.
		in:   "int f(struct foo *, unsigned long);",
		want: "int f(struct foo *, unsigned long);",
	}, {
		in:   "DECLARE_PER_CPU(struct task_struct *, ksoftirqd);",
		want: "DECLARE_PER_CPU(~~~~~~~task_struct~~, ksoftirqd);",
		anns: []string{"type argument(struct task_struct *)"},
	}, {
		// Annotations in a type argument stay in its text.
		in:   "DEFINE_X(open, const char __user *, name);",
		want: "DEFINE_X(open, ~~~~~~char~~~~~~~~~, name);",
		anns: []string{"type argument(const char __user *)"},
	}})
}

func TestMaskCSyscallDefinitions(t *testing.T) {
	checkMask(t, C, []maskCase{{
		in:   "SYSCALL_DEFINE2(open, const char __user *, name, int, flags)\n{\n\treturn 0;\n}",
		want: "long~~~~~~~~~~~~open( const char ~~~~~~ *, name, int, flags)\n{\n\treturn 0;\n}",
		anns: []string{"SYSCALL_DEFINE2(open, const char __user *, name, int, flags)", "__user()"},
	}, {
		// Not followed by a body, or without parameters: left alone.
		in:   "SYSCALL_DEFINE1(open, int, fd);\nSYSCALL_DEFINE0(sync)\n{\n}",
		want: "SYSCALL_DEFINE1(open, int, fd);\nSYSCALL_DEFINE0(sync)\n{\n}",
	}})
}

func TestMaskCCaseRange(t *testing.T) {
	checkMask(t, C, []maskCase{{
		in:   "switch (c) { case 'a' ... 'z': return 1; case 1: return 0; }",
		want: "switch (c) { case 'a' ~~~~~~~: return 1; case 1: return 0; }",
		anns: []string{"case range('z')"},
	}})
}

func TestMaskCConditionals(t *testing.T) {
	checkMask(t, C, []maskCase{{
		// In an initializer list both branches stay.
		in:   "struct ops o = {\n\t.a = f,\n#ifdef CONFIG_PM /* pm */\n\t.b = g,\n#else\n\t.b = h,\n#endif\n};",
		want: "struct ops o = {\n\t.a = f,\n~~~~~~~~~~~~~~~~~/* pm */\n\t.b = g,\n~~~~~\n\t.b = h,\n~~~~~~\n};",
		anns: []string{"#ifdef(CONFIG_PM /* pm */)", "#else()", "#endif()"},
	}, {
		// An arm of an else-if chain.
		in:   "void f(void) {\n\tif (a)\n\t\tg();\n#ifdef X\n\telse if (b)\n\t\th();\n#endif\n}",
		want: "void f(void) {\n\tif (a)\n\t\tg();\n~~~~~~~~\n\telse if (b)\n\t\th();\n~~~~~~\n}",
		anns: []string{"#ifdef(X)", "#endif()"},
	}, {
		// Whole statements and declarations the grammar reads itself.
		in:   "#ifdef X\nint a;\n#endif\nvoid f(void) {\n#if Y\n\tg();\n#else\n\th();\n#endif\n}",
		want: "#ifdef X\nint a;\n#endif\nvoid f(void) {\n#if Y\n\tg();\n#else\n\th();\n#endif\n}",
	}, {
		// A member group may end in a macro that expands to members.
		in:   "struct flock {\n\tshort l_type;\n#ifdef __ARCH_FLOCK_PAD\n\t__ARCH_FLOCK_PAD\n#endif\n};",
		want: "struct flock {\n\tshort l_type;\n#ifdef __ARCH_FLOCK_PAD\n\t__ARCH_FLOCK_PAD\n#endif\n};",
	}, {
		// The grammar reads groups of whole enumerators.
		in:   "enum e {\n\tA,\n#if defined(X)\n\tA_SIZE\n#else\n\tA_SIZE = 0\n#endif\n};",
		want: "enum e {\n\tA,\n#if defined(X)\n\tA_SIZE\n#else\n\tA_SIZE = 0\n#endif\n};",
	}, {
		// A named variadic macro parameter.
		in:   "#define pr(fmt, args...) printk(fmt, ##args)",
		want: "#define pr(fmt, ~~~~...) printk(fmt, ##args)",
		anns: []string{"named variadic(args)"},
	}})
}

func TestMaskCDeclarationMacros(t *testing.T) {
	checkMask(t, C, []maskCase{{
		in:   "int f(void)\n{\n\treturn 0;\n};\nstruct s { int a; };",
		want: "int f(void)\n{\n\treturn 0;\n}~\nstruct s { int a; };",
		anns: []string{"stray ;()"},
	}, {
		// Initializer macros juxtaposed without commas; the last can stay.
		in:   "static const struct dev_pm_ops pm = {\n\tSET_RUNTIME_PM_OPS(s, r, NULL)\n\tSET_SYSTEM_SLEEP_PM_OPS(s, r)\n};",
		want: "static const struct dev_pm_ops pm = {\n\t~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n\tSET_SYSTEM_SLEEP_PM_OPS(s, r)\n};",
		anns: []string{"SET_RUNTIME_PM_OPS(s, r, NULL)"},
	}, {
		in:   "static const DECLARE_TLV_DB_SCALE(t, -1725, 75, 0);\nstatic DEFINE_PER_CPU(int, irq) = -1;\nstatic MAX_ATTR(0);",
		want: "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n~~~~~~~~~~~~~~~~~~~",
		anns: []string{"DECLARE_TLV_DB_SCALE(t, -1725, 75, 0)", "DEFINE_PER_CPU(int, irq)", "MAX_ATTR(0)"},
	}, {
		in:   "void f(void) { printk(KERN_ERR DRV_NAME \": x\\n\"); }",
		want: "void f(void) { printk(~~~~~~~~ DRV_NAME \": x\\n\"); }",
		anns: []string{"KERN_ERR()"},
	}, {
		// An unknown upper-case word before a declaration is an attribute.
		in:   "TC_INDIRECT_SCOPE int f(void);",
		want: "~~~~~~~~~~~~~~~~~ int f(void);",
		anns: []string{"TC_INDIRECT_SCOPE()"},
	}, {
		// A directive inside a list.
		in:   "enum e {\n\tA,\n#define B_SHIFT 3\n\tB,\n};",
		want: "enum e {\n\tA,\n~~~~~~~~~~~~~~~~~\n\tB,\n};",
		anns: []string{"#define(B_SHIFT 3)"},
	}, {
		// Declarations with their annotations and an initializer.
		in:   "static DECLARE_BITMAP(mask, NR_CPUS) __initdata;\nDEFINE_PER_CPU_PAGE_ALIGNED(struct gdt_page, gdt) = { .gdt = { 0 } };",
		want: "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
		anns: []string{"DECLARE_BITMAP(mask, NR_CPUS)", "DEFINE_PER_CPU_PAGE_ALIGNED(struct gdt_page, gdt)"},
	}, {
		// A static declaration macro in a body.
		in:   "void f(void) { static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10); g(); }",
		want: "void f(void) { ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~ g(); }",
		anns: []string{"DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10)"},
	}, {
		// An attribute macro after a declarator.
		in:   "struct s { void *ctx[] CRYPTO_MINALIGN_ATTR; };",
		want: "struct s { void *ctx[] ~~~~~~~~~~~~~~~~~~~~; };",
		anns: []string{"CRYPTO_MINALIGN_ATTR()"},
	}, {
		// A declaration macro of one name the grammar reads as a type and
		// a parenthesized declarator: only its annotation goes.
		in:   "FIXED_RATE_CLOCKS(ext) __initdata = {\n\tFRATE(0, \"fin\", NULL, 0, 0),\n};",
		want: "FIXED_RATE_CLOCKS(ext) ~~~~~~~~~~ = {\n\tFRATE(0, \"fin\", NULL, 0, 0),\n};",
		anns: []string{"__initdata()"},
	}, {
		// Words that can only be attributes: after a declarator, between
		// a storage class and the type.
		in:   "struct s { struct fpu f FPU_ALIGN; };\nstatic forceinline size_t g(void);\nstatic __async_inline struct d *h(void);",
		want: "struct s { struct fpu f ~~~~~~~~~; };\nstatic ~~~~~~~~~~~ size_t g(void);\nstatic ~~~~~~~~~~~~~~ struct d *h(void);",
		anns: []string{"FPU_ALIGN()", "forceinline()", "__async_inline()"},
	}, {
		in:   "STATIC int INIT unxz(unsigned char *in);\nstatic const __maybe_unused DECLARE_TLV_DB_SCALE(t, 0, 50, 0);",
		want: "static int ~~~~ unxz(unsigned char *in);\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
		anns: []string{"STATIC()", "INIT()", "DECLARE_TLV_DB_SCALE(t, 0, 50, 0)"},
	}, {
		// Unnamed bit-fields are padding the grammar cannot read.
		in:   "struct r { u32 a : 4; u32 :12; unsigned int : 4; unsigned b : 2; };",
		want: "struct r { u32 a : 4; ~~~~~~~~ ~~~~~~~~~~~~~~~~~ unsigned b : 2; };",
		anns: []string{"unnamed bit-field(u32 :12)", "unnamed bit-field(unsigned int : 4)"},
	}, {
		// Attribute words and macros before and after whole declarations.
		in:   "__EXTERN_INLINE u8 rd(void);\nefi_status_t __efiapi entry(void *h);\nstruct p { NvP64 ctl NV_ALIGN_BYTES(8); };",
		want: "~~~~~~~~~~~~~~~ u8 rd(void);\nefi_status_t ~~~~~~~~ entry(void *h);\nstruct p { NvP64 ctl ~~~~~~~~~~~~~~~~~; };",
		anns: []string{"__EXTERN_INLINE()", "__efiapi()", "NV_ALIGN_BYTES(8)"},
	}, {
		in:   "void f(void) { DECLARE_BITMAP(mask, 8) = {}; char n[4] ACPI_NONSTRING; }",
		want: "void f(void) { ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~ char n[4] ~~~~~~~~~~~~~~; }",
		anns: []string{"DECLARE_BITMAP(mask, 8)", "ACPI_NONSTRING()"},
	}, {
		// offsetof takes a member path.
		in:   "int o = offsetof(struct bpf_array, map.max_entries[1]);",
		want: "int o = offsetof(struct bpf_array, map~~~~~~~~~~~~~~~);",
		anns: []string{"offsetof member(map.max_entries[1])"},
	}, {
		// Asm labels of declarations, not asm statements.
		in:   "register long r0 asm(\"r0\") = x;\nint f(void) __asm__(\"g\");\nvoid h(void) { asm volatile(\"nop\"); }",
		want: "register long r0 ~~~~~~~~~ = x;\nint f(void) ~~~~~~~~~~~~;\nvoid h(void) { asm volatile(\"nop\"); }",
		anns: []string{"asm(\"r0\")", "__asm__(\"g\")"},
	}, {
		// Assembler under #ifdef __ASSEMBLY__ goes, but for comments.
		in:   "#ifndef __ASSEMBLY__\nint f(void);\n#else /* __ASSEMBLY__ */\n.macro FOO x /* the x */\n\tmov x, %r0\n.endm\n#endif\n",
		want: "#ifndef __ASSEMBLY__\nint f(void);\n#else /* __ASSEMBLY__ */\n~~~~~~~~~~~~~/* the x */\n~~~~~~~~~~~\n~~~~~\n#endif\n",
		anns: []string{"assembly(__ASSEMBLY__)"},
	}})
}

func TestMaskCMakesKernelCodeParse(t *testing.T) {
	checkParses(t, C, []string{
		"static inline void __iomem *map(struct device *dev) __must_hold(&dev->lock);",
		"asmlinkage __visible void __sched schedule(void);",
		"int __init foo_init(void) { return 0; }\nmodule_init(foo_init);",
		"DEFINE_FREE(kfree, void *, if (!IS_ERR_OR_NULL(_T)) kfree(_T))\n",
		"struct x { void __rcu *p; DECLARE_BITMAP(b, 64); } ____cacheline_aligned;",
		"void f(void) { list_for_each_entry(p, &h, node) x++; }",
		"void f(void) { xt_entry_foreach(it, e, n) x++; }",
		"struct r { u32 a : 4; u32 :12; };",
		"struct s { struct fpu f FPU_ALIGN; };\nstatic forceinline size_t g(void);",
		"void f(void) { scoped_guard(spinlock_irqsave, &l) { g(); } }",
		"void f(void) { p = container_of(n, struct foo, list); }",
		"static const struct dev_pm_ops pm = {\n#ifdef CONFIG_PM\n\t.suspend = s,\n#endif\n};",
		"int f(int c) { switch (c) { case 1 ... 5: return 1; } return 0; }",
		"__printf(2, 3) int log(int l, const char *fmt, ...);",
		"static DEVICE_ATTR(a, 0444, show, NULL);",
		"int f(void)\n{\n\treturn 0;\n};\n",
		"static const struct dev_pm_ops pm = {\n\tSET_RUNTIME_PM_OPS(s, r, NULL)\n\tSET_SYSTEM_SLEEP_PM_OPS(s, r)\n};",
		"static const DECLARE_TLV_DB_SCALE(t, -1725, 75, 0);",
		"enum e {\n\tA,\n#define B_SHIFT 3\n\tB,\n};",
		"static DECLARE_BITMAP(mask, NR_CPUS) __initdata;",
		"void f(void) { static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10); g(); }",
		"int o = offsetof(struct bpf_array, map.max_entries[1]);",
		"static inline long g(void) { register long r0 asm(\"r0\") = 1; return r0; }",
		"#ifdef __ASSEMBLY__\n.macro FOO x\n\tmov x, %r0\n.endm\n#else\nint f(void);\n#endif\n",
		"COMPAT_SYSCALL_DEFINE3(ioctl, unsigned int, fd, unsigned int, cmd, compat_ulong_t, arg)\n{\n\treturn 0;\n}",
		"BPF_CALL_2(bpf_map_pop, struct bpf_map *, map, void *, value)\n{\n\treturn 0;\n}",
		"__EXTERN_INLINE u8 rd(void);\nefi_status_t __efiapi entry(void *h);\nstruct p { NvP64 ctl NV_ALIGN_BYTES(8); };",
		"void f(void) { DECLARE_BITMAP(mask, 8) = {}; char n[4] ACPI_NONSTRING; }",
	})
}

// Code the grammar reads as it is must come out of the mask unchanged:
// each case was once broken by a rule that fired where it should not.
func TestMaskCLeavesReadableCodeAlone(t *testing.T) {
	for _, src := range []string{
		"static_assert(ARRAY_SIZE(names) == NAME_MAX);",
		"static volatile unsigned long *pte = (unsigned long *)IOMMU_BASE;",
		"int f(struct o *opts) { if (!opts->noinstr) return x.__mode; return 0; }",
		"bool changed, text, noinstr, init;",
		"static const struct reg r[] = { FIELD(CNT, SEC), };",
		"enum e { A,\n#if defined(X)\n\tA_SIZE\n#else\n\tA_SIZE = 0\n#endif\n};",
		"int x = a <= b, y = c == d;",
		"void f(void) { asm volatile(\"nop\" ::: \"memory\"); }",
		"int f(void) { return idr_for_each(&i, fn, 0); }",
		"static foo_t bar; static foo_t *baz; u32 x, y; struct foo FOO; static struct a b;",
		"PNAME(p) = { \"a\", \"b\" };",
		"enum foo bar(void); struct foo baz(int x); enum OID look_up_OID(const void *data);",
		"static enum FILTER_RESULT filter_record(char *buf);",
		"const size_t count_lines(struct t *t); volatile u32 read_reg(void);",
		"static const struct c chans[] = {\n\t[A] = CHAN(\"a\", 0),\n\t[B] = CHAN(\"b\", 1),\n};",
	} {
		raw, err := ParseRaw(context.Background(), C, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if raw.HasError() {
			t.Errorf("bad case: %q does not parse raw", src)
		}
		raw.Close()
		if out, anns := Mask(C, []byte(src)); string(out) != src {
			t.Errorf("Mask(%q) = %q, %v; want it unchanged", src, out, anns)
		}
	}
}
