package cscan

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rivet-lsp/rivet/analysis/facts"
)

// describe renders a declaration as "kind name +flag...".
func describe(d facts.ScanDecl) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", d.Kind, d.Name)
	for _, f := range []struct {
		flag facts.ScanFlags
		name string
	}{
		{facts.FlagDefinition, "def"},
		{facts.FlagStatic, "static"},
		{facts.FlagInline, "inline"},
		{facts.FlagFuncLike, "funclike"},
		{facts.FlagMustCheck, "mustcheck"},
		{facts.FlagExtern, "extern"},
	} {
		if d.Has(f.flag) {
			b.WriteString(" +" + f.name)
		}
	}
	return b.String()
}

func describeAll(res *facts.Scan) []string {
	var out []string
	for _, d := range res.Decls {
		out = append(out, describe(d))
	}
	return out
}

func TestScanDecls(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "prototype and definition",
			src:  "int foo(void);\nint foo(void)\n{\n\treturn 0;\n}\n",
			want: []string{"function foo", "function foo +def"},
		},
		{
			name: "annotated prototypes",
			src: `static __always_inline __must_check struct page *alloc_pages(gfp_t gfp, unsigned int order);
void __iomem *ioremap(phys_addr_t offset, size_t size);
int __init foo_init(void);
asmlinkage __visible void __sched schedule(void);
extern void *kmalloc(size_t size, gfp_t flags) __malloc __alloc_size(1);
__printf(2, 3) int dev_printk(const struct device *dev, const char *fmt, ...);
void spin_lock(spinlock_t *lock) __acquires(lock);
static inline void * __must_check ERR_PTR(long error);
int __attribute__((warn_unused_result)) must(void);
int later(void) __attribute__((__warn_unused_result__));
__rust_helper struct task_struct *rust_helper_get_current(void);
unsigned long long __weak sched_clock(void);
`,
			want: []string{
				"function alloc_pages +static +inline +mustcheck",
				"function ioremap",
				"function foo_init",
				"function schedule",
				"function kmalloc +extern",
				"function dev_printk",
				"function spin_lock",
				"function ERR_PTR +static +inline +mustcheck",
				"function must +mustcheck",
				"function later +mustcheck",
				"function rust_helper_get_current",
				"function sched_clock",
			},
		},
		{
			name: "definitions with annotations after the parameters",
			src: `static void lock_it(struct foo *f) __acquires(&f->lock)
{
	spin_lock(&f->lock);
}
static int __init
split_lines(void)
{
	return 0;
}
`,
			want: []string{"function lock_it +def +static", "function split_lines +def +static"},
		},
		{
			name: "function pointers are globals, typedefs or parameters",
			src: `void (*handler)(int);
static int (*handlers[4])(void *data);
void (*const fixed)(void) = do_it;
typedef int (*cb_t)(void *);
typedef void work_fn(struct work *w);
int register_cb(int (*cb)(void *), void *data);
void (*get_handler(int sig))(int);
typedef const struct mat *
	(get_mat_t)(const struct dev *dev);
typedef u32 (ACPI_SYSTEM_XFACE * acpi_osd_handler) (void *context);
`,
			want: []string{
				"global handler",
				"global handlers +static",
				"global fixed",
				"typedef cb_t",
				"typedef work_fn",
				"function register_cb",
				"function get_handler",
				"typedef get_mat_t",
				"typedef acpi_osd_handler",
			},
		},
		{
			name: "macro invocations declare nothing",
			src: `EXPORT_SYMBOL(foo);
EXPORT_SYMBOL_GPL(bar);
module_init(foo_init);
late_initcall(late);
static DEFINE_MUTEX(m);
static DEFINE_PER_CPU(int, counter);
MODULE_LICENSE("GPL");
__setup("foo=", foo_setup);
static_assert(sizeof(int) == 4);
_Static_assert(1, "one");
asm(".globl x");
core_param(x, y, int, 0644);
`,
			want: nil,
		},
		{
			name: "macro invocations without a semicolon before a declaration",
			src: `NOKPROBE_SYMBOL(foo)
static int after_probe(void)
{
	return 0;
}
LIST_HEAD(list)
int counter;
`,
			want: []string{"function after_probe +def +static", "global counter"},
		},
		{
			name: "macro invocations after a declaration or glued to one",
			src: `struct {
	__uint(type, BPF_MAP_TYPE_HASH);
} map_hash SEC(".maps");
int counter SEC(".data") = 1;
CH_PCI_DEVICE_ID_TABLE_DEFINE_BEGIN
	CH_PCI_ID_TABLE_FENTRY(0x4000),
	CH_PCI_ID_TABLE_FENTRY(0x4001),
CH_PCI_DEVICE_ID_TABLE_DEFINE_END;
SOFTIRQ_NAME_LIST
TRACE_EVENT(irq_entry, TP_PROTO(int irq), TP_ARGS(irq), TP_fast_assign(__entry->irq = irq;), TP_printk("%d", __entry->irq));
`,
			want: []string{"global map_hash", "global counter"},
		},
		{
			name: "macro-defined functions are recorded as they look",
			src: `SYSCALL_DEFINE3(open, const char __user *, filename, int, flags, umode_t, mode)
{
	return do_sys_open(AT_FDCWD, filename, flags, mode);
}
BPF_CALL_2(bpf_map_lookup, struct bpf_map *, map, void *, key)
{
	return 0;
}
`,
			want: []string{"function SYSCALL_DEFINE3 +def", "function BPF_CALL_2 +def"},
		},
		{
			name: "parenthesised function names",
			src: `int (strlen)(const char *s);
static size_t (memcpy_size)(void) { return 1; }
typedef bool (pstate_check_t)(unsigned long);
int FN(name)(int x);
`,
			// FIXME: `int FN(name)(int x)` declares a function whose name the
			// macro FN builds from name; without expansion it reads as the
			// parenthesised name.
			want: []string{"function strlen", "function memcpy_size +def +static", "typedef pstate_check_t", "function name"},
		},
		{
			name: "globals",
			src: `extern struct mutex foo;
static const gfp_t RUST_CONST_HELPER_GFP_KERNEL = GFP_KERNEL;
int x = 1;
int a, *b = &a, c[4] = { 1, 2 }, d;
static u32 have_fork __read_mostly;
static struct ftrace_ops ops __read_mostly = {
	.func = trace_fn,
};
unsigned long __per_cpu_offset[NR_CPUS] __aligned(64);
static char page[PAGE_SIZE] __aligned(PAGE_SIZE);
struct cpumask __cpu_online_mask __read_mostly;
static bool enabled = IS_ENABLED(CONFIG_FOO);
const size_t count = ARRAY_SIZE(table);
int width : 3;
__u32 raw_value;
`,
			want: []string{
				"global foo +extern",
				"global RUST_CONST_HELPER_GFP_KERNEL +static",
				"global x",
				"global a", "global b", "global c", "global d",
				"global have_fork +static",
				"global ops +static",
				"global __per_cpu_offset",
				"global page +static",
				"global __cpu_online_mask",
				"global enabled +static",
				"global count",
				"global width",
				"global raw_value",
			},
		},
		{
			name: "typedefs",
			src: `typedef unsigned int gfp_t;
typedef __u32 __bitwise __le32;
typedef struct { int counter; } atomic_t;
typedef struct list_head list_t, *list_p;
typedef unsigned long long u64 __attribute__((aligned(8)));
typedef unsigned long bitmap_t[4];
typedef struct page page;
`,
			want: []string{
				"typedef gfp_t",
				"typedef __le32",
				"typedef atomic_t",
				"typedef list_t", "typedef list_p",
				"typedef u64",
				"typedef bitmap_t",
				"typedef page",
			},
		},
		{
			name: "records",
			src: `struct device {
	const char *name;
	struct device_private {
		int x;
	} *p;
	union {
		int a;
		long b;
	};
	enum dev_state { DEV_ON, DEV_OFF } state;
	void (*release)(struct device *dev);
};
struct forward;
union u { int i; float f; } one_u;
struct __packed wire { u8 a; };
struct __attribute__((packed)) wire2 { u8 a; } __aligned(4);
struct cred { int uid; } __randomize_layout;
typedef struct spin { int raw; } spinlock_t;
struct {
	int anonymous;
} anon_var;
struct list_head *make_list(void) { return NULL; }
struct __kernel_timespec { long sec; };
context_lock_struct(rwlock) {
	arch_rwlock_t raw_lock;
};
context_lock_struct(rt_mutex);
`,
			want: []string{
				"struct device +def",
				"struct device_private +def",
				"enum dev_state +def",
				"enumerator DEV_ON",
				"enumerator DEV_OFF",
				"union u +def",
				"global one_u",
				"struct wire +def",
				"struct wire2 +def",
				"struct cred +def",
				"struct spin +def",
				"typedef spinlock_t",
				"global anon_var",
				"function make_list +def",
				"struct __kernel_timespec +def",
				"struct rwlock +def",
			},
		},
		{
			name: "enumerators",
			src: `enum color { RED, GREEN = (1 << 2), BLUE = FOO(1, 2), };
enum { ANON_A = 1, ANON_B };
typedef enum { T_A, T_B } t_enum;
enum kmalloc_cache_type {
	KMALLOC_NORMAL = 0,
#ifdef CONFIG_ZONE_DMA
	KMALLOC_DMA,
#else
	KMALLOC_DMA = KMALLOC_NORMAL,
#endif
	NR_KMALLOC_TYPES
};
int f(void)
{
	enum { LOCAL_A } local;
	return LOCAL_A;
}
`,
			want: []string{
				"enum color +def",
				"enumerator RED", "enumerator GREEN", "enumerator BLUE",
				"enumerator ANON_A", "enumerator ANON_B",
				"enumerator T_A", "enumerator T_B", "typedef t_enum",
				"enum kmalloc_cache_type +def",
				"enumerator KMALLOC_NORMAL", "enumerator KMALLOC_DMA", "enumerator KMALLOC_DMA",
				"enumerator NR_KMALLOC_TYPES",
				"function f +def",
			},
		},
		{
			name: "macros",
			src: `#define FOO 1
#define BAR(x) ((x) + \
	1)
#  define INDENTED
#define SPACED (x)
#define SPLIT\
(x) x
#undef FOO
int f(void)
{
#define INSIDE 2
	return INSIDE;
}
`,
			want: []string{
				"macro FOO",
				"macro BAR +funclike",
				"macro INDENTED",
				"macro SPACED",
				"macro SPLIT +funclike",
				"function f +def",
				"macro INSIDE",
			},
		},
		{
			name: "extern C blocks are file scope",
			src: `#ifdef __cplusplus
extern "C" {
#endif
int c_api(void);
#ifdef __cplusplus
}
#endif
int after(void);
`,
			want: []string{"function c_api", "function after"},
		},
		{
			name: "both branches of conditionals are kept; #if 0 is not",
			src: `#ifdef CONFIG_X
extern int x_enabled(void);
#else
static inline int x_enabled(void) { return 0; }
#endif
#if 0
int dead(void);
#elif defined(Y)
int alive(void);
#else
int also_alive(void);
#endif
#if 1
int taken(void);
#else
int never(void);
#endif
#if 0 /* comment */
don't { parse this
#endif
int last(void);
`,
			want: []string{
				"function x_enabled +extern",
				"function x_enabled +def +static +inline",
				"function alive",
				"function also_alive",
				"function taken",
				"function last",
			},
		},
		{
			name: "assembly in headers shared with .S files",
			src: `#ifdef __ASSEMBLY__
.macro get_thread_info, rd
	mov	\rd, sp
.endm
#else
struct thread_info;
int c_side(void);
#endif
#if !defined(__ASSEMBLER__)
int also_c(void);
#else
	.equ	.L_reg, 31
#endif
.macro unguarded reg1, reg2
	mov	\reg1, \reg2
.endm
int after(void);
`,
			// FIXME: unguarded assembly has no `;`, so it swallows the
			// declaration after it; such headers are assembly-only in the
			// kernel (arch/arm/lib/bitops.h), so nothing is lost there.
			want: []string{"function c_side", "function also_c"},
		},
		{
			name: "K&R definitions are recorded as they look",
			src:  "int old(a, b)\nint a;\nint b;\n{\n\treturn a + b;\n}\nint next(void);\n",
			// FIXME: K&R parameter declarations read as globals; the kernel
			// has no K&R code, so this is not worth a special case.
			want: []string{"global a", "global b", "function next"},
		},
		{
			name: "struct tags and parameters are no globals",
			src:  "struct foo;\nenum bar;\nstruct foo *get_foo(struct bar *b, int n);\n",
			want: []string{"function get_foo"},
		},
		{
			name: "macro-generated record bodies",
			src:  "struct kfifo __STRUCT_KFIFO_PTR(unsigned char, 0, void);\n",
			// FIXME: the macro expands to a struct body; without expansion
			// this reads as a prototype (ctags skips it).
			want: []string{"function __STRUCT_KFIFO_PTR"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeAll(Scan([]byte(tt.src)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("declarations (-want +got):\n%s", diff)
			}
		})
	}
}

// spanText returns the text of the declaration named name of kind k.
func spanText(t *testing.T, src string, res *facts.Scan, k facts.DeclKind, name string) string {
	t.Helper()
	for _, d := range res.Decls {
		if d.Kind == k && d.Name == name {
			return src[d.Span.Start:d.Span.End]
		}
	}
	t.Fatalf("no %s %s in %v", k, name, describeAll(res))
	return ""
}

func TestScanSpans(t *testing.T) {
	src := `/* leading comment */
static int proto(void); // trailing
DEFINE_FREE(kfree, void *, kfree(_T))
/** kernel-doc */
static int body(int x)
{
	if (x) {
		return 1;
	}
	return 0;
}
#define MULTI(a) \
	do { a; } \
	while (0)
#define LAST 1`
	res := Scan([]byte(src))
	for _, tt := range []struct {
		kind facts.DeclKind
		name string
		want string
	}{
		{facts.DeclFunc, "proto", "static int proto(void);"},
		{facts.DeclFunc, "body", "static int body(int x)\n{\n\tif (x) {\n\t\treturn 1;\n\t}\n\treturn 0;\n}"},
		{facts.DeclMacro, "MULTI", "#define MULTI(a) \\\n\tdo { a; } \\\n\twhile (0)"},
		{facts.DeclMacro, "LAST", "#define LAST 1"},
	} {
		if got := spanText(t, src, res, tt.kind, tt.name); got != tt.want {
			t.Errorf("span of %s %s = %q, want %q", tt.kind, tt.name, got, tt.want)
		}
	}

	src = "struct s {\n\tint a;\n};\ntypedef struct t { int b; } t_t;\nenum e { E_A = 1 << 3, E_B };\nint g = 4, h;\n"
	res = Scan([]byte(src))
	for _, tt := range []struct {
		kind facts.DeclKind
		name string
		want string
	}{
		{facts.DeclStruct, "s", "struct s {\n\tint a;\n}"},
		{facts.DeclStruct, "t", "typedef struct t { int b; }"},
		{facts.DeclTypedef, "t_t", "typedef struct t { int b; } t_t;"},
		{facts.DeclEnumerator, "E_A", "E_A = 1 << 3"},
		{facts.DeclEnumerator, "E_B", "E_B"},
		{facts.DeclGlobal, "h", "int g = 4, h;"},
	} {
		if got := spanText(t, src, res, tt.kind, tt.name); got != tt.want {
			t.Errorf("span of %s %s = %q, want %q", tt.kind, tt.name, got, tt.want)
		}
	}
}

func TestScanNamesAndLines(t *testing.T) {
	src := "int a;\n\n/* x\n y */ int\nb(void);\n#define C 1\nint sp\\\nlit;\n"
	res := Scan([]byte(src))
	var got []string
	for _, d := range res.Decls {
		got = append(got, fmt.Sprintf("%s@%d:%q", d.Name, d.Line, src[d.Name0:d.Name0+uint32(min(len(d.Name), 2))]))
	}
	want := []string{`a@0:"a"`, `b@4:"b"`, `C@5:"C"`, `split@6:"sp"`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestScanIncludes(t *testing.T) {
	src := `#include <linux/slab.h>
#include "local.h"
#  include	<asm/io.h> /* comment */
#include_next <limits.h>
#include TRACE_INCLUDE(FILE)
#if 0
#include <dead.h>
#endif
// #include <commented.h>
/* #include <commented2.h> */
`
	got := Scan([]byte(src)).Includes
	want := []string{"<linux/slab.h>", `"local.h"`, "<asm/io.h>", "<limits.h>"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("includes (-want +got):\n%s", diff)
	}
}

func TestScanCallees(t *testing.T) {
	src := `int f(struct dev *dev)
{
	if (dev) {
		kmalloc(sizeof(*dev), GFP_KERNEL);
	}
	while (x) bar (1);
	for (;;) return baz(dev->ops->open(dev), s.fn(1), typeof(x) y);
	__builtin_expect(x, 1);
	list_for_each_entry(pos, head, list) {
		put_device(dev);
	}
	"not_a_call(" ; 'x'; /* comment_call(1) */ // line_call(2)
	kmalloc(1, 2);
	struct page *p __free(put_page) = NULL;
	return (int)(long)zero();
}
static int g = h(1);
struct s { int (*cb)(int); } v = { .cb = i(2) };
`
	got := Scan([]byte(src)).Callees
	want := []string{"bar", "baz", "kmalloc", "list_for_each_entry", "put_device", "zero"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("callees (-want +got):\n%s", diff)
	}
}

func TestScanCleanups(t *testing.T) {
	src := `DEFINE_FREE(kfree, void *, if (!IS_ERR_OR_NULL(_T)) kfree(_T))
DEFINE_GUARD(mutex, struct mutex *,
	     mutex_lock(_T),   /* lock */
	     mutex_unlock(_T))
DEFINE_CLASS(fd, struct fd, fdput(_T), fdget(fd), int fd);
DEFINE_LOCK_GUARD_1(spinlock_irqsave, spinlock_t,
		    spin_lock_irqsave(_T->lock, _T->flags),
		    spin_unlock_irqrestore(_T->lock, _T->flags),
		    unsigned long flags)
static inline void *kmalloc_thing(void);
#define DEFINE_FREE(_name, _type, _free) not an invocation
void f(void)
{
	DEFINE_FREE(inside, void *, x);
}
EXTEND_CLASS(fd, _raw, fdget_raw(fd), int fd)
DEFINE_GUARD_COND(mutex, _try, mutex_trylock(_T))
#ifdef CONFIG_X
int glued_in_branch;
#else
int glued_in_other_branch;
#endif
`
	res := Scan([]byte(src))
	var got []string
	for _, c := range res.Cleanups {
		got = append(got, c.Macro+"|"+strings.Join(c.Args, "|"))
		if !strings.HasPrefix(src[c.Span.Start:c.Span.End], c.Macro+"(") || src[c.Span.End-1] != ')' {
			t.Errorf("span of %s = %q", c.Macro, src[c.Span.Start:c.Span.End])
		}
	}
	want := []string{
		"DEFINE_FREE|kfree|void *|if (!IS_ERR_OR_NULL(_T)) kfree(_T)",
		"DEFINE_GUARD|mutex|struct mutex *|mutex_lock(_T)|mutex_unlock(_T)",
		"DEFINE_CLASS|fd|struct fd|fdput(_T)|fdget(fd)|int fd",
		"DEFINE_LOCK_GUARD_1|spinlock_irqsave|spinlock_t|spin_lock_irqsave(_T->lock, _T->flags)|spin_unlock_irqrestore(_T->lock, _T->flags)|unsigned long flags",
		"EXTEND_CLASS|fd|_raw|fdget_raw(fd)|int fd",
		"DEFINE_GUARD_COND|mutex|_try|mutex_trylock(_T)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cleanups (-want +got):\n%s", diff)
	}
	// The glued invocations do not hide the prototype after them.
	if got, want := describeAll(res), []string{"function kmalloc_thing +static +inline", "macro DEFINE_FREE +funclike", "function f +def",
		"global glued_in_branch", "global glued_in_other_branch"}; !slices.Equal(got, want) {
		t.Errorf("declarations = %q, want %q", got, want)
	}
}

// TestScanLexing checks that braces, quotes and comment markers inside
// comments, literals and continuations do not derail the scanner.
func TestScanLexing(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"braces in comments", "/* { */ int a; // }\nint b;\n", []string{"global a", "global b"}},
		{"braces in strings", "char *s = \"{\";\nchar c = '{';\nchar d = '\\'';\nint e;\n", []string{"global s", "global c", "global d", "global e"}},
		{"comment markers in strings", "char *u = \"http://x/*y\";\nint v;\n", []string{"global u", "global v"}},
		{"continued line comment", "// comment \\\nint hidden;\nint shown;\n", []string{"global shown"}},
		{"split comment end", "/* x *\\\n/ int after;\n", []string{"global after"}},
		{"split comment start", "/\\\n* int hidden; */ int shown;\n", []string{"global shown"}},
		{"unterminated char in #error", "#error don't do this\nint x;\n", []string{"global x"}},
		{"directive only at line start", "int a; # define NOT_A_MACRO\nint b;\n", []string{"global a", "global b"}},
		{"directive after comment", "/* c */ #define AFTER_COMMENT 1\n", []string{"macro AFTER_COMMENT"}},
		{"directive after comments over lines", "int a; /* x\n y */ /**/ #define NOT_FIRST 1\nint b;\n", []string{"global a", "global b"}},
		{"continued line before #", "int a; \\\n#define CONTINUED 1\nint b;\n", []string{"global a", "global b"}},
		{"blank continued line before #", "  \\\n#define BLANK_CONTINUED 1\n", []string{"macro BLANK_CONTINUED"}},
		{"escaped newline in string", "char *s = \"a\\\n}\";\nint z;\n", []string{"global s", "global z"}},
		{"wide and utf8 literals", "wchar_t *w = L\"{\";\nchar *u = u8\"}\";\nint y;\n", []string{"global w", "global u", "global y"}},
		{"CRLF line endings", "#define A 1\r\nint f(void)\r\n{\r\n\treturn 0;\r\n}\r\n", []string{"macro A", "function f +def"}},
		{"braces in body strings", "void f(void)\n{\n\tputs(\"}\");\n\tputc('}');\n}\nint g;\n", []string{"function f +def", "global g"}},
		{"numbers with signs", "int a = 1e+5, b = 0x1p-3;\n", []string{"global a", "global b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeAll(Scan([]byte(tt.src)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("declarations (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScanConditionalBraces checks the brace state after conditionals
// whose branches open different numbers of braces.
func TestScanConditionalBraces(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "a function header per branch",
			src: `#ifdef CONFIG_X
static int cond(int a) {
	return a;
#else
static int cond(int a, int b) {
	return b;
#endif
}
int after(void);
`,
			want: []string{"function cond +def +static", "function cond +def +static", "function after"},
		},
		{
			name: "an opening brace in one branch only",
			src: `void f(void)
{
#ifdef X
	if (a) {
#else
	if (b)
#endif
		c();
#ifdef X
	}
#endif
}
int after(void);
`,
			want: []string{"function f +def", "function after"},
		},
		{
			name: "a parameter list split across branches",
			src: `#ifdef CONFIG_X
int split(int a,
#else
int split(long a,
#endif
	  int b)
{
	return a + b;
}
int after(void);
`,
			want: []string{"function split +def", "function after"},
		},
		{
			name: "a prototype in one branch, a body in the other",
			src: `int twice(void)
#ifdef X
;
#else
{ return 2; }
#endif
int after(void);
`,
			want: []string{"function twice", "function twice +def", "function after"},
		},
		{
			name: "parentheses left open",
			src:  "int broken(int a;\nstatic int after(void);\nTRACE_EVENT(x,\n\tTP_fast_assign(a = b;\n\tstatic_x = 1;),\n);\nint last;\n",
			want: []string{"function after +static", "global last"},
		},
		{
			name: "a stray closing brace",
			src:  "}\nint after(void);\n",
			want: []string{"function after"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, st := scan([]byte(tt.src))
			if diff := cmp.Diff(tt.want, describeAll(res)); diff != "" {
				t.Errorf("declarations (-want +got):\n%s", diff)
			}
			if st.openAtEOF != 0 {
				t.Errorf("braces open at the end of the file: %+v", st)
			}
		})
	}
}

// TestScanTruncated scans every prefix of a kernel-like file: no prefix
// may panic or break the span invariants.
func TestScanTruncated(t *testing.T) {
	src := []byte(`#include <linux/x.h>
#define M(a) \
	((a) + 1)
struct s { int a; enum { E1, E2 } e; };
typedef int (*cb_t)(void *);
DEFINE_FREE(kfree, void *, kfree(_T))
static __must_check int f(int x) __acquires(x)
{
#ifdef X
	if (x) {
#else
	if (!x) {
#endif
		g("}", '{', /* } */ x);
	}
	return 0;
}
`)
	for n := range len(src) + 1 {
		checkInvariants(t, src[:n], Scan(src[:n]))
	}
}

// checkInvariants checks what holds for any input.
func checkInvariants(t *testing.T, src []byte, res *facts.Scan) {
	t.Helper()
	n := uint32(len(src))
	for _, d := range res.Decls {
		if d.Span.Start > d.Span.End || d.Span.End > n {
			t.Fatalf("%s: span %v outside [0, %d]", describe(d), d.Span, n)
		}
		if d.Name == "" || d.Name0 < d.Span.Start || d.Name0+1 > d.Span.End {
			t.Fatalf("%s: name at %d outside span %v", describe(d), d.Name0, d.Span)
		}
	}
	for _, c := range res.Cleanups {
		if c.Span.Start > c.Span.End || c.Span.End > n {
			t.Fatalf("cleanup %s: span %v outside [0, %d]", c.Macro, c.Span, n)
		}
	}
	if !slices.IsSorted(res.Callees) || len(slices.Compact(slices.Clone(res.Callees))) != len(res.Callees) {
		t.Fatalf("callees not sorted and distinct: %q", res.Callees)
	}
}
