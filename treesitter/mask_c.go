package treesitter

import "strings"

// What the C mask does (tree-sitter-c 0.21 reads none of these):
//
//   - kernel annotations (`__user`, `__must_check`, `__acquires(x)`,
//     `__attribute__((...))`, `__printf(1, 2)`, ...) are blanked, with
//     their arguments when they take some, unless used as plain names
//     (`opts.noinstr`);
//   - spellings with a keyword equivalent are overwritten by it
//     (`__always_inline` -> `inline`, `__volatile__` -> `volatile`);
//   - statement macros in function bodies (`list_for_each_entry(p, h, m) {`,
//     `scoped_guard(mutex, &l) {`) are renamed `while` or `if`, so their
//     arguments stay in the tree as a condition;
//   - declaration macros (`DEFINE_FREE(...)`, `EXPORT_SYMBOL(f);`, `static
//     DEVICE_ATTR(a, 0444, s, NULL);`, a member `DECLARE_BITMAP(b, 8);`,
//     juxtaposed initializer macros) are blanked whole, as are unknown
//     upper-case attribute macros around declarations;
//   - types passed to macros (`container_of(p, struct foo, m)`) are blanked
//     down to one word;
//   - `SYSCALL_DEFINEn(name, ...) {` and `BPF_CALL_n(name, ...) {` read
//     `long name(...) {`;
//   - GNU case ranges lose their upper bound, offsetof its member path
//     beyond the first name, declarations their asm labels, and `};` after
//     a function its `;`;
//   - preprocessor directives the grammar cannot read where they are, and
//     assembler under `#ifdef __ASSEMBLY__`, are blanked (mask_c_cond.go).
//
// Directive lines are not tokens, so nothing inside a #define is masked
// but a named variadic parameter (`args...`).

// cAction is what the C mask does with an identifier.
type cAction uint8

const (
	cBlank     cAction = iota + 1 // blank the identifier
	cBlankArgs                    // blank it and its (...) if one follows
	cKeyword                      // overwrite it with cRule.keyword
	cFileMacro                    // at file scope: blank NAME(...) and a following `;`
	cLoop                         // in a body: a statement macro read as `while`
	cGuard                        // in a body: a statement macro read as `if`
	cSyscall                      // at file scope: SYSCALL_DEFINEn(name, ...) {
)

type cRule struct {
	action  cAction
	keyword string // cKeyword: the replacement
}

// cRules are the names with a fixed rule. Names are from the kernel's
// include/linux/compiler*.h, init.h, cache.h, cleanup.h and export.h.
var cRules = func() map[string]cRule {
	m := map[string]cRule{}
	for _, n := range strings.Fields(`
		__user __iomem __rcu __percpu __force __kernel __nocast __bitwise
		__safe __private __must_check __init __exit __cold __hot __malloc
		__pure __noreturn __packed __randomize_layout __no_randomize_layout
		__designated_init __ro_after_init __read_mostly __initdata
		__initconst __exitdata __exitused __exit_call __meminit
		__meminitdata __meminitconst __init_or_module __initdata_or_module
		__net_init __net_exit __net_initdata __refdata __refconst __ref
		__nosavedata __page_aligned_data __page_aligned_bss __bss_pgtbl
		__cacheline_aligned ____cacheline_aligned __cacheline_aligned_in_smp
		____cacheline_aligned_in_smp ____cacheline_internodealigned_in_smp
		__maybe_unused __always_unused __always_used __used __weak
		__visible __deprecated __nonstring __nonstring_array
		__attribute_const__ __naked __noclone __noipa __flatten __gnu_inline
		__retain __uninitialized __overloadable __no_caller_saved_registers
		__no_profile __no_stack_protector __nocfi __nocfi_generic __noscs
		__no_kcsan __no_kasan_or_inline __no_sanitize_or_inline
		__no_kmsan_checks __no_kstack_erase __no_context_analysis
		__no_sanitize_address __no_sanitize_coverage __no_sanitize_memory
		__no_sanitize_thread __no_sanitize_undefined
		__disable_sanitizer_instrumentation __annotate_jump_table
		__aligned_largest __function_aligned __inline_maybe_unused
		__data_racy __latent_entropy __sched __cpuidle __irq_entry
		__softirq_entry __kprobes __noinstr noinstr __noinline noinline
		noinline_for_stack noinline_for_tracing notrace asmlinkage
		__preserve_most __rust_helper __bpf_kfunc __init_memblock
		__lockfunc __ksym __kconfig __exception_irq_entry __efiapi
		__acquires_ret __acquires_shared_ret __releases_ret
		__reentrant_ctx_lock __context_unsafe __noendbr __initmv __nosave
		__kptr __kptr_untrusted __percpu_kptr __arena __success __failure
		__success_unpriv __failure_unpriv __iomem_ptr __force_data`) {
		m[n] = cRule{action: cBlank}
	}
	for _, n := range strings.Fields(`
		__attribute__ __attribute __acquires __releases __must_hold
		__must_hold_shared __must_not_hold __cond_acquires
		__cond_acquires_shared __cond_releases __acquires_shared
		__releases_shared __guarded_by __pt_guarded_by __requires_ctx_lock
		__requires_shared_ctx_lock __excludes_ctx_lock __returns_ctx_lock
		__free __cleanup __printf __scanf __section __aligned __counted_by
		__counted_by_le __counted_by_be __counted_by_ptr __alias __copy
		__mode __alloc_size __alloc_size__ __realloc_size __assume_aligned
		__nonnull_args __compiletime_error __compiletime_warning
		__diagnose_as __pass_object_size __pass_dynamic_object_size
		__noinstr_section __assume SEC __retval __retval_unpriv __msg
		__msg_unpriv __description __log_level __flag __btf_path
		__caps_unpriv __xlated __jited __arch`) {
		m[n] = cRule{action: cBlankArgs}
	}
	for _, kw := range [][2]string{
		{"__always_inline", "inline"},
		{"__volatile__", "volatile"},
		{"__volatile", "volatile"},
		{"__asm", "asm"},
		{"__signed__", "signed"},
		{"__signed", "signed"},
		{"__const", "const"},
		{"__const__", "const"},
		{"__restrict", "restrict"},
		{"asm_inline", "asm inline"},
		// lib/zlib and the decompressors spell static STATIC.
		{"STATIC", "static"},
	} {
		m[kw[0]] = cRule{action: cKeyword, keyword: kw[1]}
	}
	for _, n := range strings.Fields(`
		DEFINE_FREE DEFINE_GUARD DEFINE_GUARD_COND DEFINE_CLASS EXTEND_CLASS
		DEFINE_CLASS_IS_GUARD DEFINE_CLASS_IS_COND_GUARD
		DEFINE_CLASS_IS_UNCONDITIONAL DEFINE_LOCK_GUARD_0
		DEFINE_LOCK_GUARD_1 DEFINE_LOCK_GUARD_0_COND DEFINE_LOCK_GUARD_1_COND
		DECLARE_LOCK_GUARD_0_ATTRS DECLARE_LOCK_GUARD_1_ATTRS
		module_init module_exit
		TRACE_EVENT TRACE_EVENT_CONDITION TRACE_EVENT_FN TRACE_EVENT_FN_COND
		TRACE_EVENT_FLAGS TRACE_EVENT_PERF_PERM TRACE_EVENT_NOP
		DECLARE_EVENT_CLASS DECLARE_EVENT_CLASS_NOP DEFINE_EVENT
		DEFINE_EVENT_FN DEFINE_EVENT_PRINT DEFINE_EVENT_CONDITION
		DEFINE_EVENT_NOP TRACE_DEFINE_ENUM TRACE_DEFINE_SIZEOF DECLARE_TRACE
		DECLARE_TRACE_CONDITION DECLARE_TRACE_EVENT DEFINE_TRACE`) {
		m[n] = cRule{action: cFileMacro}
	}
	return m
}()

// cRuleFor returns the rule for an identifier: a fixed one, or one of the
// families (EXPORT_SYMBOL*, *for_each*, *foreach*, with_*, scoped_*,
// do_each_*, while_each_*, SYSCALL_DEFINE1-6).
func cRuleFor(name string) (cRule, bool) {
	if r, ok := cRules[name]; ok {
		return r, true
	}
	switch {
	case strings.HasPrefix(name, "EXPORT_SYMBOL"):
		return cRule{action: cFileMacro}, true
	case strings.Contains(name, "for_each"), strings.Contains(name, "foreach"),
		strings.HasPrefix(name, "while_each_"), strings.HasPrefix(name, "with_"):
		return cRule{action: cLoop}, true
	case strings.HasPrefix(name, "scoped_"), strings.HasPrefix(name, "do_each_"):
		return cRule{action: cGuard}, true
	case isSyscallDefine(name):
		return cRule{action: cSyscall}, true
	}
	return cRule{}, false
}

// isAnnotation reports whether name is blanked wherever it appears.
func isAnnotation(name string) bool {
	r, ok := cRuleFor(name)
	return ok && (r.action == cBlank || r.action == cBlankArgs)
}

// cTypeWords are the keywords that make a macro argument a type.
var cTypeWords = map[string]bool{
	"struct": true, "union": true, "enum": true, "const": true,
	"volatile": true, "unsigned": true, "signed": true, "short": true,
	"long": true, "int": true, "char": true, "void": true, "float": true,
	"double": true, "_Bool": true, "bool": true,
}

// cNotCalls are the keywords and type operators whose `(` is not a call.
var cNotCalls = map[string]bool{
	"if": true, "while": true, "for": true, "switch": true, "return": true,
	"sizeof": true, "typeof": true, "__typeof__": true, "__typeof": true,
	"typeof_unqual": true, "__typeof_unqual__": true, "alignof": true,
	"_Alignof": true, "__alignof__": true, "__alignof": true,
	"offsetof": true, "_Generic": true, "asm": true, "__asm__": true,
	"__asm": true, "defined": true, "__attribute__": true,
	"__attribute": true, "_Static_assert": true, "static_assert": true,
}

func maskC(src []byte) ([]byte, []Annotation) {
	buf := getTokens()
	m := masker{src: src, toks: (*buf)[:0]}
	defer func() { putTokens(buf, m.toks) }()
	dirs := m.lexC()
	m.nextRun()
	pairBrackets(src, m.toks)
	done := make([]bool, len(m.toks))
	m.assemblyBranches(dirs, done)
	m.nextRun()
	m.rulesC(done)
	m.nextRun()
	m.directivesC(dirs)
	return m.result()
}

// lexC splits C source into tokens, recording comments and directives,
// which produce no token; a #define's named variadic parameter is masked
// on the way.
func (m *masker) lexC() []cDirective {
	src := m.src
	var dirs []cDirective
	lineStart := true // only blanks and comments since the last newline
	for i := 0; i < len(src); {
		c := src[i]
		start := i
		kind := tokPunct
		switch {
		case c == '\n':
			lineStart = true
			i++
			continue
		case isSpace(c):
			i++
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			i = skipBlockComment(src, i)
			m.comments = append(m.comments, span{uint32(start), uint32(i)})
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			i = skipLineComment(src, i)
			m.comments = append(m.comments, span{uint32(start), uint32(i)})
			continue
		case c == '\\' && i+1 < len(src) && (src[i+1] == '\n' || src[i+1] == '\r'):
			i += 2 // a line splice outside a directive
			continue
		case c == '#' && lineStart:
			i = m.directive(i, &dirs)
			continue
		case c == '"' || c == '\'':
			i = skipQuoted(src, i)
			kind = tokLiteral
		case isIdentStart(c):
			for i++; i < len(src) && isIdentByte(src[i]); i++ {
			}
			kind = tokIdent
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			i = skipNumber(src, i)
			kind = tokLiteral
		default:
			i++
		}
		lineStart = false
		m.toks = append(m.toks, token{start: uint32(start), end: uint32(i), kind: kind})
	}
	return dirs
}

// directive lexes the preprocessor directive at src[i], appends it to dirs
// and returns the offset of the newline ending it. Comments inside are
// recorded.
func (m *masker) directive(i int, dirs *[]cDirective) int {
	src := m.src
	end := m.skipDirective(i)
	j := i + 1
	for j < end && (src[j] == ' ' || src[j] == '\t') {
		j++
	}
	k := j
	for k < end && isIdentByte(src[k]) {
		k++
	}
	name := directiveNames[string(src[j:k])]
	if name == "" {
		name = "#" + string(src[j:k])
	}
	if name == "#define" {
		m.namedVariadic(k, end)
	}
	*dirs = append(*dirs, cDirective{
		start: uint32(i), end: uint32(end), tok: int32(len(m.toks)),
		name: name, args: span{uint32(k), uint32(end)},
	})
	return end
}

// directiveNames spells the common directives without allocating.
var directiveNames = map[string]string{
	"if": "#if", "ifdef": "#ifdef", "ifndef": "#ifndef", "elif": "#elif",
	"elifdef": "#elifdef", "elifndef": "#elifndef", "else": "#else",
	"endif": "#endif", "define": "#define", "undef": "#undef",
	"include": "#include", "pragma": "#pragma", "error": "#error",
	"warning": "#warning",
}

// namedVariadic masks the GNU named variadic parameter of the #define
// whose name starts after src[from]: `#define pr(fmt, args...)` reads
// `#define pr(fmt,     ...)`, as the grammar knows only `...`.
func (m *masker) namedVariadic(from, end int) {
	src := m.src
	i := from
	for i < end && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	for i < end && isIdentByte(src[i]) {
		i++
	}
	if i >= end || src[i] != '(' {
		return // an object-like macro
	}
	close := i
	for close < end && src[close] != ')' {
		close++
	}
	dots := close - 3
	if close >= end || dots <= i || string(src[dots:close]) != "..." {
		return
	}
	name := dots
	for name > i && isIdentByte(src[name-1]) {
		name--
	}
	if name == dots {
		return // plain `...`
	}
	m.blank(uint32(name), uint32(dots))
	m.note(AnnNamedVariadic, m.str(uint32(name), uint32(dots)), uint32(name), uint32(dots))
}

// skipBlockComment returns the offset past the comment opened at src[i].
func skipBlockComment(src []byte, i int) int {
	for i += 2; i+1 < len(src); i++ {
		if src[i] == '*' && src[i+1] == '/' {
			return i + 2
		}
	}
	return len(src)
}

// skipLineComment returns the offset of the newline ending the // comment
// at src[i]; a backslash before the newline continues it, as in C.
func skipLineComment(src []byte, i int) int {
	for ; i < len(src); i++ {
		switch src[i] {
		case '\\':
			if i+1 < len(src) && src[i+1] == '\r' {
				i++
			}
			i++
		case '\n':
			return i
		}
	}
	return len(src)
}

// skipDirective returns the offset of the newline ending the preprocessor
// directive at src[i], past line splices, comments (which it records) and
// literals.
func (m *masker) skipDirective(i int) int {
	src := m.src
	for i < len(src) {
		switch c := src[i]; {
		case c == '\n':
			return i
		case c == '\\':
			i += 2
			if i < len(src) && src[i-1] == '\r' && src[i] == '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			start := i
			i = skipBlockComment(src, i)
			m.comments = append(m.comments, span{uint32(start), uint32(i)})
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			start := i
			i = skipLineComment(src, i)
			m.comments = append(m.comments, span{uint32(start), uint32(i)})
			return i
		case c == '"' || c == '\'':
			i = skipQuoted(src, i)
		default:
			i++
		}
	}
	return len(src)
}

// skipNumber returns the offset past the preprocessing number at src[i].
func skipNumber(src []byte, i int) int {
	for i++; i < len(src); i++ {
		c := src[i]
		if (c == '+' || c == '-') && strings.IndexByte("eEpP", src[i-1]) >= 0 {
			continue
		}
		if c != '.' && !isIdentByte(c) {
			break
		}
	}
	return i
}

// braceKind says what a `{` opens.
type braceKind uint8

const (
	braceBlock  braceKind = iota // a function body or compound statement
	braceRecord                  // a struct or union body
	braceEnum                    // an enumerator list
	braceInit                    // an initializer list
)

// cState is the context the C rules see at a token.
type cState struct {
	done   []bool      // tokens rewritten by a rule that covered them
	braces []braceKind // the kinds of the open braces, innermost last
	prev   int         // the last token left as it was, or -1
	prev2  int         // the one before prev, or -1
}

// depth is the brace depth: 0 at file scope.
func (s *cState) depth() int { return len(s.braces) }

// in reports whether the innermost brace is of kind k.
func (s *cState) in(k braceKind) bool {
	return len(s.braces) > 0 && s.braces[len(s.braces)-1] == k
}

// rulesC applies the C rules to the tokens, left to right, skipping those
// already done. Rules that rewrite several tokens mark them done so no
// later rule sees them.
func (m *masker) rulesC(done []bool) {
	st := &cState{done: done, prev: -1, prev2: -1}
	for i := 0; i < len(m.toks); i++ {
		if st.done[i] {
			continue
		}
		t := m.toks[i]
		next := i
		switch t.kind {
		case tokPunct:
			switch m.src[t.start] {
			case '{':
				k := m.braceKind(st)
				m.toks[i].brace = k
				st.braces = append(st.braces, k)
			case '}':
				if len(st.braces) > 0 {
					closed := st.braces[len(st.braces)-1]
					st.braces = st.braces[:len(st.braces)-1]
					if closed == braceBlock && len(st.braces) == 0 && m.is(i+1, ';') {
						// `};` after a function body: C allows no empty
						// declaration at file scope.
						semi := m.toks[i+1]
						m.blank(semi.start, semi.end)
						m.note(AnnStraySemicolon, "", semi.start, semi.end)
						st.done[i+1] = true
					}
				}
			case '(':
				if m.isCall(st, i) {
					m.typeArguments(i, st.done)
				}
			}
		case tokIdent:
			if st.in(braceRecord) && (m.is(st.prev, '{') || m.is(st.prev, ';')) {
				if last := m.unnamedBitfield(i); last > i {
					next = last
					break
				}
			}
			next = m.identC(i, st)
		}
		if next == i && !st.done[i] {
			st.prev2, st.prev = st.prev, i
		}
		for j := i + 1; j <= next; j++ {
			st.done[j] = true
		}
		i = next
	}
}

// braceKind classifies the `{` about to be opened from the tokens before
// it.
func (m *masker) braceKind(st *cState) braceKind {
	p, p2 := st.prev, st.prev2
	switch {
	case m.isIdent(p, "struct") || m.isIdent(p, "union") || m.isIdent(p2, "struct") || m.isIdent(p2, "union"):
		return braceRecord
	case m.isIdent(p, "enum") || m.isIdent(p2, "enum"):
		return braceEnum
	case m.is(p, '='):
		return braceInit
	case m.is(p, ',') || m.is(p, '{'):
		if st.in(braceInit) {
			return braceInit
		}
	case m.is(p, ')'):
		// `(struct foo){ ... }` is a compound literal; `if (x) {` and
		// `f(void) {` open blocks.
		if o := int(m.toks[p].pair); o >= 0 && o < p && (o == 0 || m.toks[o-1].kind != tokIdent && !m.is(o-1, ')')) {
			return braceInit
		}
	}
	return braceBlock
}

// identC applies the rule for the identifier at i, if any, and returns the
// index of the last token it consumed (i when it consumed none beyond i).
func (m *masker) identC(i int, st *cState) int {
	name := m.text(i)
	t := m.toks[i]
	if m.plainName(i, st) {
		return i
	}
	r, ok := cRuleFor(name)
	if !ok {
		return m.unknownIdentC(i, name, st)
	}
	switch r.action {
	case cBlank:
		m.blank(t.start, t.end)
		m.note(name, "", t.start, t.end)
		st.done[i] = true
	case cBlankArgs:
		c := m.closer(i + 1)
		if c < 0 || !m.is(i+1, '(') {
			return i // used as a name: SOC15_REG_FIELD(CNT, SEC)
		}
		m.blank(t.start, m.toks[c].end)
		m.note(name, m.inner(i+1, c), t.start, m.toks[c].end)
		st.done[i] = true
		return c
	case cKeyword:
		m.replace(t.start, t.end, r.keyword)
		m.note(name, "", t.start, t.end)
	case cFileMacro:
		if st.depth() == 0 && m.declarationStart(st.prev) && m.afterGroup(i) != 0 {
			return m.blankInvocation(i)
		}
	case cSyscall:
		if st.depth() == 0 && m.declarationStart(st.prev) && m.afterGroup(i) == '{' {
			m.syscallDefinition(i, st)
		}
	case cLoop, cGuard:
		// A loop or guard macro has a body; while_each_thread(g, t) ends
		// the do_each_thread(g, t) { ... } before it.
		after := "{a"
		if strings.HasPrefix(name, "while_each_") {
			after = ";"
		}
		if st.depth() > 0 && m.statementStart(st.prev) && strings.IndexByte(after, m.afterGroup(i)) >= 0 {
			return m.statementMacro(i, r.action, st.done)
		}
	}
	return i
}

// plainName reports whether the identifier at i is used as a plain name
// whatever its spelling: a member (`opts.noinstr`, `x->__mode`) or an
// item of a declarator or argument list (`bool init, noinstr;`).
func (m *masker) plainName(i int, st *cState) bool {
	p := st.prev
	if m.is(p, '.') || m.is(p, '>') && p == i-1 && m.is(p-1, '-') && m.toks[p-1].end == m.toks[p].start {
		return true
	}
	return m.is(p, ',') && (m.is(i+1, ',') || m.is(i+1, ';') || m.is(i+1, '=') || m.is(i+1, ')'))
}

// unknownIdentC handles an identifier without a fixed rule: a macro in a
// place where only a macro can be.
func (m *masker) unknownIdentC(i int, name string, st *cState) int {
	switch name {
	case "case":
		m.caseRange(i, st.done)
		return i
	case "offsetof":
		return m.offsetofMember(i)
	case "asm", "__asm__":
		return m.asmLabel(i, st)
	}
	if cNotCalls[name] || cTypeWords[name] || strings.Contains(name, "typeof") {
		return i
	}
	if m.attributeWord(i, name, st) {
		t := m.toks[i]
		m.blank(t.start, t.end)
		m.note(name, "", t.start, t.end)
		st.done[i] = true
		return i
	}
	after := m.afterGroup(i)
	switch {
	case after == 0:
		return i
	case m.isStringLiteral(st.prev) && after == '"':
		// "text (default=" __MODULE_STRING(X) ")": a macro in a string
		// concatenation.
		c := m.closer(i + 1)
		m.blank(m.toks[i].start, m.toks[c].end)
		m.note(name, m.inner(i+1, c), m.toks[i].start, m.toks[c].end)
		return c
	case st.in(braceBlock) && m.statementStart(st.prev) && after == '{':
		// `skb_queue_walk(list, skb) {`: only a loop macro reads so.
		return m.statementMacro(i, cLoop, st.done)
	case st.in(braceInit) && isMacroCase(name) && (m.is(st.prev, '{') || m.is(st.prev, ',')) && (after == 'a' || after == '.' || after == '['):
		// SET_RUNTIME_PM_OPS(s, r, i) expands to initializers and its
		// invocations follow each other without commas.
		return m.blankInvocation(i)
	case st.in(braceRecord) && (m.is(st.prev, '{') || m.is(st.prev, ';')) && (after == ';' || after == 'a'):
		// DECLARE_BITMAP(bits, N); as a member.
		return m.blankInvocation(i)
	case st.depth() == 0 && m.declarationStart(st.prev) && after == 'a' && m.startsItem(m.skipAnnotations(m.closer(i+1)+1)):
		// DEFINE_FREE(...) and friends, not followed by a `;`.
		return m.blankInvocation(i)
	case (st.depth() == 0 || st.in(braceBlock) && m.isIdent(st.prev, "static")) && isMacroCase(name) && m.declaresByMacro(i, st):
		return m.declarationMacro(i, st)
	case st.in(braceBlock) && m.statementStart(st.prev) && m.isAssign(m.closer(i+1)+1) &&
		(strings.HasPrefix(name, "DECLARE_") || strings.HasPrefix(name, "DEFINE_")):
		// DECLARE_BITMAP(mask, N) = {};: a local declared by a macro.
		return m.declarationMacro(i, st)
	case (st.depth() == 0 || st.in(braceRecord)) && isMacroCase(name) && m.plainWord(st.prev) &&
		(m.plainWord(st.prev2) || m.is(st.prev2, '*')) && (after == ';' || after == ',' || after == '='):
		// NvP64 pControl NV_ALIGN_BYTES(8);: an attribute after a declarator.
		return m.blankArguments(i)
	}
	return i
}

// blankArguments blanks the macro invocation at i without anything after
// it and returns the index of its `)`.
func (m *masker) blankArguments(i int) int {
	c := m.closer(i + 1)
	start, end := m.toks[i].start, m.toks[c].end
	m.blank(start, end)
	m.note(m.text(i), m.inner(i+1, c), start, end)
	return c
}

// attributeWord reports whether the unknown word at i can only be a macro
// expanding to nothing the grammar needs: an upper-case word before the
// keyword that starts a file-scope declaration (`TC_INDIRECT_SCOPE int
// f(void)`) or after a declarator (`void *ctx[] CRYPTO_MINALIGN_ATTR;`,
// `struct fpu f FPU_ALIGN;`), between a type and a function name (`static
// int INIT unxz(`), a word between a storage class and the type (`static
// forceinline size_t f(void)`), or a printk level before another name
// (`KERN_ERR DRV_NAME "text"`).
func (m *masker) attributeWord(i int, name string, st *cState) bool {
	if strings.HasPrefix(name, "KERN_") && i+1 < len(m.toks) && m.toks[i+1].kind == tokIdent {
		return true
	}
	if st.depth() > 0 && !st.in(braceRecord) && !(st.in(braceBlock) && m.is(st.prev, ']')) {
		return false
	}
	if st.depth() == 0 && m.isStorageClass(st.prev) && !cTypeWords[name] && !declarationStarters[name] {
		// static forceinline size_t f(void): after a storage class, a
		// word before a type and a declarator is no type.
		y := m.skipAnnotations(i + 1)
		if m.startsDeclaration(y) || m.plainWord(y) && (m.plainWord(y+1) || m.is(y+1, '*')) {
			return true
		}
	}
	if w := m.prevText(st); st.depth() == 0 && (cTypeWords[w] && w != "const" && w != "volatile" || m.plainWord(st.prev)) &&
		!m.isTagKeyword(st.prev) && m.plainWord(i+1) && m.is(i+2, '(') {
		// static int INIT unxz(...), efi_status_t __efiapi f(...): a word
		// between a type and a function name.
		return true
	}
	if !isMacroCase(name) {
		return false
	}
	if st.depth() == 0 && m.declarationStart(st.prev) &&
		(m.startsDeclaration(i+1) || m.plainWord(i+1) && (m.plainWord(i+2) || m.is(i+2, '*'))) {
		// TC_INDIRECT_SCOPE int f(void), __EXTERN_INLINE u8 f(void): a
		// word before a whole declaration.
		return true
	}
	if !m.is(i+1, ';') && !m.isAssign(i+1) && !m.is(i+1, ',') {
		return false
	}
	p := st.prev
	if m.plainWord(p) && (m.plainWord(st.prev2) || m.is(st.prev2, '*')) {
		// struct mips_fpu_struct fpu FPU_ALIGN;
		return true
	}
	// void *ctx[] CRYPTO_MINALIGN_ATTR; but not (unsigned long *)SUN3X_IOMMU;
	if !m.is(p, ']') && !m.is(p, ')') {
		return false
	}
	o := int(m.toks[p].pair)
	return o > 0 && o < p && m.endsDeclarator(o-1) && !m.is(o-1, ')') && !m.is(o-1, ']')
}

// prevText is the text of the previous token left as it was, or "".
func (m *masker) prevText(st *cState) string {
	if st.prev < 0 || m.toks[st.prev].kind != tokIdent {
		return ""
	}
	return m.text(st.prev)
}

// isTagKeyword reports whether token i is struct, union or enum.
func (m *masker) isTagKeyword(i int) bool {
	return m.isIdent(i, "struct") || m.isIdent(i, "union") || m.isIdent(i, "enum")
}

// plainWord reports whether token i is an identifier that is no keyword
// and no annotation: a type or a declarator name.
func (m *masker) plainWord(i int) bool {
	if i < 0 || i >= len(m.toks) || m.toks[i].kind != tokIdent {
		return false
	}
	w := m.text(i)
	return !cTypeWords[w] && !declarationStarters[w] && !cNotCalls[w] && !isAnnotation(w) &&
		w != "volatile" && w != "restrict" && w != "register" && w != "auto"
}

// isAssign reports whether token i is a `=` alone, not part of `==`,
// `<=`, `+=` and the like.
func (m *masker) isAssign(i int) bool {
	if !m.is(i, '=') {
		return false
	}
	t := m.toks[i]
	if m.is(i+1, '=') && m.toks[i+1].start == t.end {
		return false
	}
	if i > 0 && m.toks[i-1].kind == tokPunct && m.toks[i-1].end == t.start {
		return strings.IndexByte("=!<>+-*/%&|^", m.src[m.toks[i-1].start]) < 0
	}
	return true
}

// declarationStarters are the keywords a declaration can start with.
var declarationStarters = map[string]bool{
	"static": true, "extern": true, "inline": true, "void": true, "int": true,
	"char": true, "short": true, "long": true, "unsigned": true, "signed": true,
	"float": true, "double": true, "struct": true, "union": true, "enum": true,
	"_Bool": true, "bool": true, "typedef": true, "__inline": true,
	"__inline__": true, "__always_inline": true,
}

// startsItem reports whether token i can start a file-scope item: a name
// or keyword, or nothing (the end of the text).
func (m *masker) startsItem(i int) bool {
	return i >= len(m.toks) || m.toks[i].kind == tokIdent
}

// skipAnnotations returns the index of the first token from i on that is
// not an annotation (with its arguments).
func (m *masker) skipAnnotations(i int) int {
	for i < len(m.toks) && m.toks[i].kind == tokIdent && isAnnotation(m.text(i)) {
		i++
		if c := m.closer(i); c > 0 && m.is(i, '(') {
			i = c + 1
		}
	}
	return i
}

// startsDeclaration reports whether token i is a keyword a declaration
// starts with: after an unknown upper-case word, that word can only be an
// attribute macro.
func (m *masker) startsDeclaration(i int) bool {
	return i < len(m.toks) && m.toks[i].kind == tokIdent && declarationStarters[m.text(i)]
}

// declarationMacro blanks a declaration made by the macro at i, with the
// storage class and const before it and the annotations and initializer
// after it: `static const DECLARE_TLV_DB_SCALE(t, -1725, 75, 0);`,
// `static DEFINE_PER_CPU(int, irq) __initdata = -1;`.
func (m *masker) declarationMacro(i int, st *cState) int {
	from := i
	for j := i - 1; j >= 0 && j >= i-8; j-- {
		if m.isStorageClass(j) || m.isIdent(j, "const") {
			from = j
		} else if !st.done[j] {
			break // `static const __maybe_unused DECLARE_TLV(...)` reaches static
		}
	}
	c := m.closer(i + 1)
	last := m.skipAnnotations(c + 1) // the `;`, or the `=` of an initializer
	if m.isAssign(last) {
		for last < len(m.toks) && !m.is(last, ';') {
			if p := m.closer(last); p > last {
				last = p
			}
			last++
		}
	}
	last = min(last, len(m.toks)-1)
	start, end := m.toks[from].start, m.toks[last].end
	// Annotations between the storage class and the macro are part of
	// the blanked declaration now.
	for len(m.anns) > 0 && m.anns[len(m.anns)-1].Start >= start {
		m.anns = m.anns[:len(m.anns)-1]
	}
	m.blank(start, end)
	m.note(m.text(i), m.inner(i+1, c), start, end)
	return last
}

// declaresByMacro reports whether the invocation at i, followed by
// annotations and a `;` or an initializer, can only be a macro that
// defines something: `static DEVICE_ATTR(a, 0444, show, NULL);` (a
// declarator cannot hold a list), `CONFIGFS_ATTR(, name);` (an empty
// argument), `DEFINE_PER_CPU(int, x) = 1;` (a call takes no initializer).
func (m *masker) declaresByMacro(i int, st *cState) bool {
	open, c := i+1, m.closer(i+1)
	qualified := m.isStorageClass(st.prev) || m.isIdent(st.prev, "const")
	switch end := m.skipAnnotations(c + 1); {
	case !m.declarationStart(st.prev) && !qualified:
		return false
	case m.isAssign(end):
		// DEFINE_PER_CPU_PAGE_ALIGNED(struct gdt_page, gdt_page) = { ... };
		// but PNAME(p) = { ... } declares p, as the grammar reads it.
		return c-open > 2 || m.toks[open+1].kind != tokIdent
	case !m.is(end, ';'):
		return false
	}
	commas := m.commas(open, c)
	from := open
	for _, end := range append(commas, c) {
		if end == from+1 {
			return m.declarationStart(st.prev) || qualified
		}
		from = end
	}
	return qualified && (len(commas) > 0 || c-open > 2 || m.toks[open+1].kind != tokIdent)
}

func (m *masker) isStorageClass(i int) bool {
	return m.isIdent(i, "static") || m.isIdent(i, "extern")
}

func (m *masker) isStringLiteral(i int) bool {
	if i < 0 || m.toks[i].kind != tokLiteral {
		return false
	}
	t := m.toks[i]
	return m.src[t.end-1] == '"'
}

// afterGroup classifies the token after the (...) that follows token i:
// '{', ';', ')' and so on for punctuation, 'a' for an identifier or for
// the end of the text, '"' for a literal, 0 when no group follows.
func (m *masker) afterGroup(i int) byte {
	c := m.closer(i + 1)
	if c < 0 || !m.is(i+1, '(') {
		return 0
	}
	if c+1 == len(m.toks) {
		return 'a'
	}
	switch t := m.toks[c+1]; t.kind {
	case tokIdent:
		return 'a'
	case tokLiteral:
		return '"'
	default:
		return m.src[t.start]
	}
}

// statementStart reports whether a statement can start after token prev.
func (m *masker) statementStart(prev int) bool {
	if prev < 0 {
		return true
	}
	t := m.toks[prev]
	if t.kind == tokIdent {
		return m.isIdent(prev, "else") || m.isIdent(prev, "do")
	}
	return t.kind == tokPunct && strings.IndexByte(";{}):", m.src[t.start]) >= 0
}

// declarationStart reports whether a file-scope declaration can start
// after token prev.
func (m *masker) declarationStart(prev int) bool {
	return prev < 0 || m.is(prev, ';') || m.is(prev, '}') || m.is(prev, '{')
}

// statementMacro renames the statement macro at i to `while` or `if` (an
// empty argument list has no condition to keep, so the macro and its
// parentheses are blanked and its block stays a block). A
// scoped_cond_guard's second argument is a statement (`return -EINTR`),
// so it is blanked with its comma.
func (m *masker) statementMacro(i int, a cAction, done []bool) int {
	name, t := m.text(i), m.toks[i]
	open := i + 1
	c := m.closer(open)
	if c == open+1 {
		m.blank(t.start, m.toks[c].end)
		m.note(name, "", t.start, m.toks[c].end)
		return c
	}
	kw := "while"
	if a == cGuard || len(name) < len(kw) {
		kw = "if"
	}
	m.replace(t.start, t.end, kw)
	end := t.end
	if name == "scoped_cond_guard" {
		if commas := m.commas(open, c); len(commas) >= 2 {
			from, to := m.toks[commas[0]].start, m.toks[commas[1]].start
			m.blank(from, to)
			end = to
			for j := open + 1; j < commas[1]; j++ {
				done[j] = true
			}
		}
	}
	m.note(name, m.inner(open, c), t.start, end)
	return i
}

// blankInvocation blanks the macro invocation at i, its arguments and a
// `;` right after them, and returns the index of the last token blanked.
func (m *masker) blankInvocation(i int) int {
	c := m.closer(i + 1)
	last := c
	if m.is(c+1, ';') {
		last = c + 1
	}
	start, end := m.toks[i].start, m.toks[last].end
	m.blank(start, end)
	m.note(m.text(i), m.inner(i+1, c), start, end)
	return last
}

// commas returns the indexes of the top-level commas between the brackets
// at open and close.
func (m *masker) commas(open, close int) []int {
	var out []int
	for j := open + 1; j < close; j++ {
		if c := m.closer(j); c > j {
			j = c
			continue
		}
		if m.is(j, ',') {
			out = append(out, j)
		}
	}
	return out
}

// isCall reports whether the `(` at i opens the arguments of a macro or
// function call that may take types: in a body, a name not preceded by a
// type (which would make it a declarator); elsewhere, an upper-case macro
// name starting a declaration (`DECLARE_PER_CPU(struct x *, y);`) or a
// member.
func (m *masker) isCall(st *cState, i int) bool {
	prev := st.prev
	if prev != i-1 || prev < 0 || m.toks[prev].kind != tokIdent || cNotCalls[m.text(prev)] {
		return false
	}
	before := st.prev2
	if st.in(braceBlock) || st.in(braceInit) {
		return before < 0 || m.toks[before].kind != tokIdent ||
			m.isIdent(before, "return") || m.isIdent(before, "else") || m.isIdent(before, "case")
	}
	return isMacroCase(m.text(prev)) &&
		(m.declarationStart(before) || m.isStorageClass(before))
}

// isMacroCase reports whether name is spelled like a macro: no lower-case
// letter, at least two bytes.
func isMacroCase(name string) bool {
	return len(name) >= 2 && strings.IndexFunc(name, func(r rune) bool { return r >= 'a' && r <= 'z' }) < 0
}

// typeArguments blanks each argument of the call opened at i that is a
// type (`struct foo`, `const char *`, `unsigned long`) down to one word:
// the last identifier that is not a keyword, else the last keyword.
func (m *masker) typeArguments(open int, done []bool) {
	c := m.closer(open)
	if c < 0 {
		return
	}
	from := open + 1
	for _, end := range append(m.commas(open, c), c) {
		m.typeArgument(from, end, done)
		from = end + 1
	}
}

func (m *masker) typeArgument(from, to int, done []bool) {
	if to-from < 2 {
		return
	}
	keep, typeWord := -1, false
	for j := from; j < to; j++ {
		t := m.toks[j]
		switch {
		case m.is(j, '*'):
		case t.kind != tokIdent:
			return
		case cTypeWords[m.text(j)]:
			typeWord = true
			if keep < 0 || cTypeWords[m.text(keep)] {
				keep = j
			}
		case isAnnotation(m.text(j)):
		default:
			keep = j
		}
	}
	if !typeWord && !m.is(to-1, '*') || keep < 0 {
		return
	}
	start, end := m.toks[from].start, m.toks[to-1].end
	m.blank(start, m.toks[keep].start)
	m.blank(m.toks[keep].end, end)
	m.note(AnnTypeArgument, m.str(start, end), start, end)
	for j := from; j < to; j++ {
		done[j] = true
	}
}

// caseRange blanks the `... hi` of `case lo ... hi:` starting at i.
func (m *masker) caseRange(i int, done []bool) {
	for j := i + 1; j < len(m.toks) && j < i+64; j++ {
		if c := m.closer(j); c > j {
			j = c
			continue
		}
		if m.is(j, ':') || m.is(j, ';') || m.is(j, '{') || m.is(j, '}') {
			return
		}
		if !m.is(j, '.') || !m.is(j+1, '.') || !m.is(j+2, '.') {
			continue
		}
		if done[j] {
			return // blanked for an earlier `case`
		}
		colon := j + 3
		for colon < len(m.toks) && colon < i+64 && !m.is(colon, ':') {
			colon++
		}
		if !m.is(colon, ':') || colon == j+3 {
			return
		}
		start, end := m.toks[j].start, m.toks[colon-1].end
		m.blank(start, end)
		m.note(AnnCaseRange, strings.TrimSpace(string(m.src[m.toks[j+3].start:end])), start, end)
		for k := j; k < colon; k++ {
			done[k] = true
		}
		return
	}
}

// offsetofMember blanks the member path after the first name in
// `offsetof(T, a.b[2])`, which the grammar reads only as one name, and
// returns the index of the last token it consumed.
func (m *masker) offsetofMember(i int) int {
	c := m.closer(i + 1)
	commas := m.commas(i+1, c)
	if c < 0 || !m.is(i+1, '(') || len(commas) != 1 {
		return i
	}
	first := commas[0] + 1
	if first+1 >= c || m.toks[first].kind != tokIdent {
		return i
	}
	start, end := m.toks[first+1].start, m.toks[c-1].end
	m.blank(start, end)
	m.note(AnnOffsetofMember, m.str(m.toks[first].start, end), start, end)
	return c
}

// asmLabel blanks the asm label of a declaration (`register long r0
// asm("r0") = x;`, `int f(void) asm("g");`), which the grammar does not
// read, and returns the index of the last token it consumed.
func (m *masker) asmLabel(i int, st *cState) int {
	if p := st.prev; p < 0 || p != i-1 || !m.endsDeclarator(p) {
		return i
	}
	if a := m.afterGroup(i); a != '=' && a != ';' && a != ',' {
		return i
	}
	c := m.closer(i + 1)
	start, end := m.toks[i].start, m.toks[c].end
	m.blank(start, end)
	m.note(m.text(i), m.inner(i+1, c), start, end)
	return c
}

// endsDeclarator reports whether token p can end a declarator: a `)`, a
// `]` or a name that is not a keyword (`asm volatile (`, `asm goto (` and
// `return asm(...)` are statements).
func (m *masker) endsDeclarator(p int) bool {
	if m.is(p, ')') || m.is(p, ']') {
		return true
	}
	if m.toks[p].kind != tokIdent {
		return false
	}
	w := m.text(p)
	return !cNotCalls[w] && !declarationStarters[w] && w != "volatile" && w != "goto" && w != "inline"
}

// isSyscallDefine reports whether name is SYSCALL_DEFINE1 to 6, the
// COMPAT_ one, or BPF_CALL_1 to 5, which define functions the same way.
// SYSCALL_DEFINE0(name) has no parameter list to make.
func isSyscallDefine(name string) bool {
	if n, ok := strings.CutPrefix(name, "BPF_CALL_"); ok {
		return len(n) == 1 && n[0] >= '1' && n[0] <= '5'
	}
	rest, ok := strings.CutPrefix(name, "COMPAT_")
	if !ok {
		rest = name
	}
	n, ok := strings.CutPrefix(rest, "SYSCALL_DEFINE")
	return ok && len(n) == 1 && n[0] >= '1' && n[0] <= '6'
}

// syscallDefinition rewrites `SYSCALL_DEFINE2(name, int, fd, char __user
// *, buf) {` into `long name(int, fd, char __user *, buf) {`, a function
// definition the grammar reads: the macro becomes the syscalls' return
// type, its `(` a blank and the comma after the name the `(` of a
// parameter list in which each type and each name is a parameter. The
// annotation spans `SYSCALL_DEFINE2(name,` and holds all the arguments.
func (m *masker) syscallDefinition(i int, st *cState) {
	open, c := i+1, m.closer(i+1)
	name, comma := open+1, open+2
	if comma >= c || m.toks[name].kind != tokIdent || !m.is(comma, ',') {
		return
	}
	t := m.toks[i]
	m.replace(t.start, t.end, "long")
	m.blank(m.toks[open].start, m.toks[open].end)
	m.replace(m.toks[comma].start, m.toks[comma].end, "(")
	m.note(m.text(i), m.inner(open, c), t.start, m.toks[comma].end)
	// The `(` and the name are read as they now are, not as a call.
	st.done[open], st.done[name], st.done[comma] = true, true, true
}

// unnamedBitfield blanks the padding member starting at i if it is an
// unnamed bit-field (`u32 :12;`, `unsigned int : 4;`), which the grammar
// does not read, and returns the index of its `;`, or i.
func (m *masker) unnamedBitfield(i int) int {
	colon := i
	for colon < len(m.toks) && colon < i+4 && m.toks[colon].kind == tokIdent {
		colon++
	}
	if !m.is(colon, ':') || colon-i > 1 && !cTypeWords[m.text(colon-1)] {
		return i
	}
	semi := colon + 1
	for semi < len(m.toks) && semi < colon+16 && !m.is(semi, ';') && !m.is(semi, '}') {
		semi++
	}
	if !m.is(semi, ';') || semi == colon+1 {
		return i
	}
	start, end := m.toks[i].start, m.toks[semi].end
	m.blank(start, end)
	m.note(AnnUnnamedBitfield, m.str(start, m.toks[semi-1].end), start, end)
	return semi
}
