package cscan

// word classifies an identifier of a file-scope statement. The scanner
// never expands macros, so kernel annotations are recognised by name: the
// lists below come from include/linux/compiler*.h, init.h, cache.h and
// friends in Linux 7.3.
type word uint8

const (
	wPlain     word = iota // a name: a typedef name, a function, a variable, an unknown macro
	wStruct                // struct
	wUnion                 // union
	wEnum                  // enum
	wTypedef               // typedef
	wStatic                // static
	wExtern                // extern
	wInline                // inline, __inline, __inline__, __always_inline
	wQual                  // const, volatile, register, ...: neither a type nor a name
	wType                  // int, void, unsigned, ...: a type keyword
	wTypeof                // typeof(...), __typeof__(...): a type given by a group
	wAttrCall              // __attribute__((...)), __printf(1, 2), asm("x"): an attribute taking arguments
	wAttrWord              // __init, __iomem, asmlinkage: an attribute without arguments
	wMustCheck             // __must_check
)

// classify returns the word kind of the identifier b.
func classify(b []byte) word {
	if len(b) < 2 {
		return wPlain
	}
	switch string(b) {
	case "struct":
		return wStruct
	case "union":
		return wUnion
	case "enum":
		return wEnum
	case "typedef":
		return wTypedef
	case "static":
		return wStatic
	case "extern":
		return wExtern
	case "inline", "__inline", "__inline__", "__always_inline", "__gnu_inline",
		"__no_kasan_or_inline", "__no_sanitize_or_inline", "__inline_maybe_unused":
		return wInline
	case "const", "volatile", "restrict", "register", "auto", "__const", "__const__",
		"__volatile", "__volatile__", "__restrict", "__restrict__", "_Atomic",
		"_Thread_local", "__thread", "thread_local", "__extension__", "_Noreturn":
		return wQual
	case "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned",
		"__signed", "__signed__", "_Bool", "_Complex", "__int128", "_Float16", "_Float32",
		"_Float64", "_Float128", "__auto_type", "__builtin_va_list":
		return wType
	case "typeof", "__typeof", "__typeof__", "typeof_unqual", "__typeof_unqual__":
		return wTypeof
	case "__must_check":
		return wMustCheck
	case "asm", "alignas":
		return wAttrCall
	case "asmlinkage", "noinline", "noinline_for_stack", "noinline_for_tracing", "noinstr", "notrace":
		return wAttrWord
	}
	if b[0] != '_' {
		return wPlain // every other annotation is in the reserved namespace
	}
	return annotations[string(b)]
}

// annotations classifies the annotations in the reserved namespace:
// wAttrCall for those written with arguments, wAttrWord for the others.
var annotations = func() map[string]word {
	m := map[string]word{}
	for _, n := range attrCalls {
		m[n] = wAttrCall
	}
	for _, n := range attrWords {
		m[n] = wAttrWord
	}
	return m
}()

// attrCalls are attributes written with an argument list.
var attrCalls = []string{
	"__attribute__", "__attribute", "__declspec", "__asm", "__asm__", "_Alignas", "__alignas",
	"__acquire", "__acquires", "__acquires_shared", "__acquire_shared", "__release",
	"__releases", "__releases_shared", "__release_shared", "__must_hold",
	"__must_hold_shared", "__must_not_hold", "__cond_acquires", "__cond_acquires_shared",
	"__cond_releases", "__requires_ctx_lock", "__requires_shared_ctx_lock",
	"__excludes_ctx_lock", "__returns_ctx_lock", "__acquires_ctx_lock",
	"__acquires_shared_ctx_lock", "__releases_ctx_lock", "__releases_shared_ctx_lock",
	"__try_acquires_ctx_lock", "__try_acquires_shared_ctx_lock", "__assumes_ctx_lock",
	"__assumes_shared_ctx_lock", "__guarded_by", "__pt_guarded_by",
	"__alias", "__aligned", "__alloc_size", "__assume_aligned", "__copy", "__counted_by",
	"__counted_by_le", "__counted_by_be", "__counted_by_ptr", "__diagnose_as", "__mode",
	"__nonnull_args", "__printf", "__scanf", "__realloc_size", "__section",
	"__noinstr_section", "__pass_object_size", "__pass_dynamic_object_size",
	"__cleanup", "__free", "__cacheline_group_begin", "__cacheline_group_end",
	"__compiletime_error", "__compiletime_warning", "__deprecated_msg",
}

// attrWords are attributes and section markers written without arguments
// (asmlinkage, noinline and friends are in classify).
var attrWords = []string{
	"__visible", "__weak", "__cold", "__hot", "__pure", "__noreturn",
	"__malloc", "__deprecated", "__used", "__always_used", "__maybe_unused",
	"__always_unused", "__packed", "__naked", "__noclone", "__noipa", "__flatten",
	"__attribute_const__", "__designated_init", "__randomize_layout",
	"__no_randomize_layout", "__latent_entropy", "__retain", "__uninitialized",
	"__nonstring", "__nonstring_array", "__init", "__exit", "__initdata", "__initconst",
	"__exitdata", "__exit_call", "__exitused", "__meminit", "__meminitdata",
	"__meminitconst", "__ref", "__refdata", "__refconst", "__init_or_module",
	"__initdata_or_module", "__initconst_or_module", "__init_memblock",
	"__initdata_memblock", "__read_mostly", "__ro_after_init", "__lsm_ro_after_init",
	"__cacheline_aligned", "__cacheline_aligned_in_smp", "____cacheline_aligned",
	"____cacheline_aligned_in_smp", "____cacheline_internodealigned_in_smp",
	"__aligned_largest", "__page_aligned_bss", "__page_aligned_data", "__bss_decrypted",
	"__nosavedata", "__percpu", "__rcu", "__iomem", "__user", "__force", "__kernel",
	"__bitwise", "__bitwise__", "__nocast", "__safe", "__private", "__sched",
	"__kprobes", "__cpuidle", "__irq_entry", "__softirq_entry", "__nocfi",
	"__nocfi_generic", "__noscs", "__no_profile", "__no_stack_protector",
	"__no_kcsan", "__no_sanitize_address", "__no_sanitize_thread",
	"__no_sanitize_undefined", "__no_sanitize_coverage", "__no_kmsan_checks",
	"__no_kstack_erase", "__no_caller_saved_registers", "__disable_sanitizer_instrumentation",
	"__preserve_most", "__overloadable", "__fix_address", "__function_aligned",
	"__annotate_jump_table", "__no_context_analysis", "__reentrant_ctx_lock",
	"__acquires_ret", "__acquires_shared_ret", "__lockfunc", "__net_init", "__net_exit",
	"__net_initdata", "__net_initconst", "__bpf_kfunc", "__rust_helper", "__noendbr",
	"__tracepoint_string", "__data_racy", "__efiapi", "__xipram", "__ksym",
	"__notrace_funcgraph", "__initdata_or_meminfo", "__init_or_acpilib",
	"__initdata_or_acpilib", "__init_or_fwtbl_lib", "__cpumask_var_read_mostly",
	"__long_aligned", "__seg_fs", "__seg_gs", "__rcu_guarded", "__bpfcall",
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// isCallKeyword reports whether an identifier followed by `(` in a body is
// syntax rather than a call: control flow, operators, type keywords, GNU
// builtins, annotations.
func isCallKeyword(b []byte) bool {
	if len(b) > 1 && b[0] == '_' {
		if len(b) > 10 && string(b[:10]) == "__builtin_" || annotations[string(b)] == wAttrCall {
			return true // `__free(kfree)`, `__attribute__((x))`
		}
	}
	switch string(b) {
	case "if", "for", "while", "switch", "return", "sizeof", "typeof", "__typeof__",
		"__typeof", "typeof_unqual", "__typeof_unqual__", "alignof", "_Alignof",
		"__alignof__", "__alignof", "defined", "_Generic", "_Static_assert",
		"__attribute__", "__attribute", "asm", "__asm__", "__asm", "volatile",
		"__volatile__", "_Pragma", "__extension__", "case", "do", "else", "goto",
		"void", "char", "short", "int", "long", "float", "double", "signed",
		"unsigned", "_Bool", "const", "static", "_Alignas", "alignas", "__label__":
		return true
	}
	return false
}

// cleanupMacros are the include/linux/cleanup.h declarations recorded as
// facts.CCleanup.
var cleanupMacros = setOf(
	"DEFINE_FREE", "DEFINE_GUARD", "DEFINE_GUARD_COND", "DEFINE_CLASS", "EXTEND_CLASS",
	"DEFINE_LOCK_GUARD_0", "DEFINE_LOCK_GUARD_1", "DEFINE_LOCK_GUARD_1_COND",
)
