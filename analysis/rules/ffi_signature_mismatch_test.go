package rules_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

// A tree outside the kernel: hand-written extern blocks and exports
// against a C header, with each kind of mismatch beside a near miss.
const sigTree = `
-- include/board.h --
#include <stdint.h>
struct board_regs { uint32_t ctrl; };
struct board_irq { int line; };
typedef struct board_regs board_regs_t;
typedef unsigned long board_addr_t;
#ifdef CONFIG_BOARD_64
typedef uint64_t board_cookie_t;
#else
typedef uint32_t board_cookie_t;
#endif

int board_reset(struct board_regs *regs, unsigned int flags);
long board_status(void);
void board_write(board_regs_t *regs, board_addr_t addr, uint32_t val);
int board_log(const char *fmt, ...);
void board_set_cookie(board_cookie_t cookie);
int board_on_irq(int (*handler)(struct board_irq *irq, void *data), void *data);

/* Implemented in Rust. */
int board_notify(const struct board_irq *irq);
unsigned int board_count(void);
uint64_t board_total(void);
void board_fill(struct board_regs *regs);
int board_peek(const struct board_regs *regs);
-- drivers/board/board.rs --
use core::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void};

#[repr(C)]
pub struct Regs { ctrl: u32 }

extern "C" {
    fn board_reset(regs: *mut Regs) -> c_int; // want "ffi-signature-mismatch"
    // Near miss: agrees with the header.
    fn board_status() -> c_long;
    fn board_write(regs: *mut Regs, addr: u32, val: u32); // want "ffi-signature-mismatch"
    fn board_log(fmt: *const c_char) -> c_int; // want "ffi-signature-mismatch"
    // Near miss: the cookie's width depends on the configuration.
    fn board_set_cookie(cookie: u64);
    fn board_on_irq(handler: Option<unsafe extern "C" fn(irq: *mut c_void) -> c_int>, data: *mut c_void) -> c_int; // want "ffi-signature-mismatch"
}

// Near miss: a stricter const on the Rust side, and void * for the irq.
extern "C" {
    #[link_name = "board_reset"]
    fn board_reset_raw(regs: *const Regs, flags: c_uint) -> c_int;
}

#[no_mangle]
pub extern "C" fn board_notify(irq: *mut c_void) -> c_int { // want "ffi-signature-mismatch"
    0
}

#[no_mangle]
pub extern "C" fn board_count() -> u64 { // want "ffi-signature-mismatch"
    0
}

// Near miss: u64 is uint64_t.
#[no_mangle]
pub extern "C" fn board_total() -> u64 {
    0
}

// Near miss: Rust ignores nothing C expects, and a Rust struct pointer
// stands for the C struct.
#[no_mangle]
pub extern "C" fn board_fill(regs: *mut Regs) {}

// Near miss: not exported, so C cannot call it by this name.
pub extern "C" fn board_peek(regs: *mut Regs) -> c_int {
    0
}

// Near miss: Rust-ABI functions are not FFI, whatever their name.
#[no_mangle]
pub fn board_status_rust() -> u8 {
    0
}

// rivet:allow(ffi-signature-mismatch)
#[no_mangle]
pub extern "C" fn board_peek2(regs: *mut Regs) -> c_int {
    0
}
`

func TestFFISignatureMismatch(t *testing.T) {
	_, diags := checkTree(t, sigTree, "ffi-signature-mismatch")
	byName := map[string]rules.Diagnostic{}
	for _, d := range diags {
		name := strings.Fields(strings.SplitN(d.Message, "(", 2)[0])[2]
		byName[name] = d
	}
	for name, want := range map[string]struct {
		sev     rules.Severity
		message string
	}{
		"board_reset": {rules.Error, "Rust declares board_reset(regs: *mut Regs) -> c_int but C declares int board_reset(struct board_regs *regs, unsigned int flags) (include/board.h:12): 1 parameter vs 2"},
		"board_write": {rules.Error, "Rust declares board_write(regs: *mut Regs, addr: u32, val: u32) but C declares void board_write(board_regs_t *regs, board_addr_t addr, uint32_t val) (include/board.h:14): parameter 2 (addr): u32 (32-bit unsigned integer) vs board_addr_t (64-bit unsigned integer): width"},
		"board_log":   {rules.Error, "Rust declares board_log(fmt: *const c_char) -> c_int but C declares int board_log(const char *fmt, ...) (include/board.h:15): C's is variadic, Rust's is not"},
		"board_on_irq": {rules.Error, "Rust declares board_on_irq(handler: Option<unsafe extern \"C\" fn(irq: *mut c_void) -> c_int>, data: *mut c_void) -> c_int but C declares " +
			"int board_on_irq(int (*handler)(struct board_irq *, void *), void *data) (include/board.h:17): parameter 1 (handler): " +
			"Option<unsafe extern \"C\" fn(irq: *mut c_void) -> c_int> (pointer to function) vs int (*)(struct board_irq *, void *) (pointer to function): the function it points to differs: 1 parameter vs 2"},
		// Dropping C's const is a warning (nothing corrupts until Rust
		// writes); a width difference is an error.
		"board_notify": {rules.Warning, "Rust defines board_notify(irq: *mut c_void) -> c_int but C declares int board_notify(const struct board_irq *irq) (include/board.h:20): parameter 1 (irq): *mut c_void (pointer to void) vs const struct board_irq * (pointer to const struct board_irq): Rust may write through a pointer C declared const"},
		"board_count":  {rules.Error, "Rust defines board_count() -> u64 but C declares unsigned int board_count(void) (include/board.h:21): return value: u64 (64-bit unsigned integer) vs unsigned int (32-bit unsigned integer): width"},
	} {
		d, ok := byName[name]
		if !ok {
			t.Errorf("%s: no report", name)
			continue
		}
		if d.Message != want.message {
			t.Errorf("%s:\n got %s\nwant %s", name, d.Message, want.message)
		}
		if d.Severity != want.sev {
			t.Errorf("%s: severity %v, want %v", name, d.Severity, want.sev)
		}
		if len(d.Related) != 1 || !strings.HasSuffix(d.Related[0].Path, "/include/board.h") || !strings.HasPrefix(d.Related[0].Message, "the C prototype: ") {
			t.Errorf("%s: related %+v, want the C prototype in include/board.h", name, d.Related)
		}
	}
}

// TestFFISignatureMismatchKernel: in a kernel tree, kernel::ffi types and
// bindings:: names resolve through the C headers, and plain char is
// unsigned.
func TestFFISignatureMismatchKernel(t *testing.T) {
	root, diags := checkTree(t, `
-- rust/helpers/helpers.c --
-- rust/bindings/bindings_helper.h --
#include <linux/widget.h>
-- include/linux/types.h --
typedef unsigned int __bitwise gfp_t;
typedef unsigned long __kernel_size_t;
typedef __kernel_size_t size_t;
-- include/linux/widget.h --
#include <linux/types.h>
struct widget { int id; };
int widget_alloc(struct widget **out, size_t len, gfp_t flags);
void widget_name(struct widget *w, char *buf);
void widget_sign(struct widget *w, signed char *buf);
-- drivers/widget/widget.rs --
use kernel::{bindings, ffi::{c_char, c_int}};

extern "C" {
    // Near miss: bindings::gfp_t is gfp_t, usize is size_t.
    fn widget_alloc(out: *mut *mut bindings::widget, len: usize, flags: bindings::gfp_t) -> c_int;
    // Near miss: char is unsigned in the kernel, as u8 is.
    fn widget_name(w: *mut bindings::widget, buf: *mut u8);
    fn widget_sign(w: *mut bindings::widget, buf: *mut c_char); // want "ffi-signature-mismatch"
}
`, "ffi-signature-mismatch")
	// The fix names what the file does not import through kernel::ffi.
	path := filepath.ToSlash(filepath.Join(root, "drivers/widget/widget.rs"))
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := applyFix(t, src, path, fixTitled(t, diags[0], "Declare widget_sign as the C prototype does"))
	if want := "fn widget_sign(w: *mut bindings::widget, buf: *mut kernel::ffi::c_schar);"; !strings.Contains(got, want) {
		t.Errorf("after the fix no %q in:\n%s", want, got)
	}
}

// TestFFISignatureMismatchTarget: the target setting changes the data
// model: on ilp32, long is 32 bits.
func TestFFISignatureMismatchTarget(t *testing.T) {
	root := analysistest.WriteTxtar(t, `
-- include/t.h --
void t_long(long v);
void t_size(unsigned long v);
-- t.rs --
extern "C" {
    // Near miss: long is i32 on ilp32.
    fn t_long(v: i32);
    fn t_size(v: u64); // want "ffi-signature-mismatch"
}
`)
	cfg, probs := config.ParseTOML("rivet.toml", []byte(`target = "ilp32"`), rules.Codes())
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	ws := buildWorkspace(t, root)
	diags, err := ws.Check(context.Background(), analysis.CheckOptions{Config: cfg, Rules: []string{"ffi-signature-mismatch"}})
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Check(t, root, reportsOf(t, diags))
}

// TestFFISignatureMismatchFix: the fix declares the Rust side as C does,
// keeping what agrees, and is offered only when every C type it writes
// has a sure Rust spelling.
func TestFFISignatureMismatchFix(t *testing.T) {
	root, diags := checkTree(t, sigTree, "ffi-signature-mismatch")
	path := filepath.ToSlash(filepath.Join(root, "drivers/board/board.rs"))
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"board_reset":  "    fn board_reset(regs: *mut Regs, flags: c_uint) -> c_int;",
		"board_write":  "    fn board_write(regs: *mut Regs, addr: c_ulong, val: u32);",
		"board_log":    "    fn board_log(fmt: *const c_char, ...) -> c_int;",
		"board_count":  "pub extern \"C\" fn board_count() -> c_uint {",
		"board_on_irq": "", // struct board_irq has no Rust name outside a kernel tree
		"board_notify": "",
	}
	for _, d := range diags {
		name := strings.Fields(strings.SplitN(d.Message, "(", 2)[0])[2]
		line, ok := want[name]
		if !ok {
			continue
		}
		delete(want, name)
		var fix *rules.Fix
		for i := range d.Fixes {
			if strings.HasPrefix(d.Fixes[i].Title, "Declare "+name+" as the C prototype does") {
				fix = &d.Fixes[i]
			}
		}
		if line == "" {
			if fix != nil {
				t.Errorf("%s: unexpected fix %+v", name, fix)
			}
			continue
		}
		if fix == nil {
			t.Errorf("%s: no fix", name)
			continue
		}
		got := applyFix(t, src, path, *fix)
		if !strings.Contains(got, "\n"+line) {
			t.Errorf("%s: after the fix no line %q in:\n%s", name, line, got)
		}
	}
	for name := range want {
		t.Errorf("%s: no report", name)
	}
}

// BenchmarkFFITypeRules runs ffi-signature-mismatch and repr-c-missing
// over the sample kernel tree (indexed once), beside a baseline of the
// cheapest rule: the difference is what the two rules cost over parsing.
func BenchmarkFFITypeRules(b *testing.B) {
	root, err := filepath.Abs(kernelTree)
	if err != nil {
		b.Fatal(err)
	}
	ws := buildWorkspace(b, root)
	for _, bc := range []struct {
		name  string
		codes []string
	}{
		{"baseline", []string{"unsafe-missing-safety"}},
		{"ffi-types", []string{"unsafe-missing-safety", "ffi-signature-mismatch", "repr-c-missing"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for range b.N {
				runRules(b, ws, bc.codes...)
			}
		})
	}
}
