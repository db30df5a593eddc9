package rules_test

import (
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
)

const unresolvedTree = `
-- rust/bindgen_parameters --
# Rust has its own.
--blocklist-type __kernel_size_t
--blocklist-function lib_secret
--blocklist-item LIB_ALIGN
--blocklist-item LIB_HIDDEN
-- rust/bindings/bindings_helper.h --
#include <linux/lib.h>

const unsigned long RUST_CONST_HELPER_LIB_ALIGN = LIB_ALIGN;
-- rust/bindings/lib.rs --
pub fn lib_by_hand() {}
-- rust/helpers/helpers.c --
#include "lib.c"
-- rust/helpers/lib.c --
#include <linux/lib.h>

__rust_helper int rust_helper_lib_inline(int x)
{
	return lib_inline(x);
}
-- include/linux/lib.h --
typedef unsigned long __kernel_size_t;
#define LIB_ALIGN 8
#define LIB_HIDDEN 16
enum lib_mode { LIB_MODE_A, LIB_MODE_B };
enum lib_restart { LIB_NORESTART, LIB_RESTART };
struct lib_obj { int x; };
int lib_call(struct lib_obj *o);
int lib_secret(void);
extern int lib_counter;

static inline int lib_inline(int x)
{
	return x;
}

static inline int lib_no_helper(int x)
{
	return x;
}

static inline void lib_restart(struct lib_obj *o)
{
}
-- lib/lib.c --
static int lib_private(void)
{
	return 0;
}

static void lib_entry(void)
{
}
-- drivers/x/x.rs --
use kernel::bindings;

extern "C" {
    fn lib_call(o: *mut bindings::lib_obj) -> i32;
    fn board_poweroff(); // want "ffi-unresolved"
    #[link_name = "board_reboot_v2"]
    fn board_reboot(); // want "ffi-unresolved"
    fn rust_side_export() -> i32;
    static lib_counter: i32;
    static board_flags: u32; // want "ffi-unresolved"
}

extern "Rust" {
    fn not_c();
}

#[no_mangle]
pub extern "C" fn rust_side_export() -> i32 {
    0
}

pub fn calls(o: *mut bindings::lib_obj) {
    // SAFETY: test.
    unsafe { bindings::lib_call(o) };
    // SAFETY: test.
    unsafe { bindings::lib_missing(o) }; // want "ffi-unresolved"
    // SAFETY: test.
    unsafe { bindings::lib_secret() }; // want "ffi-unresolved"
    // SAFETY: test.
    unsafe { bindings::lib_private() }; // want "ffi-unresolved"
    // Near miss: a helper wraps it.
    // SAFETY: test.
    unsafe { bindings::lib_inline(1) };
    // Near miss: no helper, but that is ffi-needs-helper's report.
    // SAFETY: test.
    unsafe { bindings::lib_no_helper(1) };
    // Near miss: written by hand in the bindings crate.
    bindings::lib_by_hand();
    // Near miss: a newtype enum's constructor, not the inline lib_restart().
    let _r = bindings::lib_restart(1);
}

pub const SIZE: bindings::__kernel_size_t = 4; // want "ffi-unresolved"
pub const NOPE: bindings::lib_nothing = 4; // want "ffi-unresolved"
pub const HIDDEN: usize = bindings::LIB_HIDDEN; // want "ffi-unresolved"

// Near misses: constants, enumerators, generated names, types.
pub const ALIGN: usize = bindings::LIB_ALIGN;
pub const MODE: u32 = bindings::LIB_MODE_B;
pub const PREFIXED: u32 = bindings::lib_mode_LIB_MODE_A;
pub type Unit = bindings::__BindgenBitfieldUnit<[u8; 1]>;
pub type Anon = bindings::lib_obj__bindgen_ty_1;
pub type Entry = bindings::lib_entry;
-- lib/entry.h --
struct lib_entry { int x; };
-- drivers/y/mod.rs --
// Near miss: this crate's own bindings module, not bindgen's.
use generated as bindings;

pub const X: u32 = bindings::LOCAL_ONLY;
`

func TestFFIUnresolved(t *testing.T) {
	checkTree(t, unresolvedTree, "ffi-unresolved")
}

func TestFFIUnresolvedMessages(t *testing.T) {
	root, diags := checkTree(t, unresolvedTree, "ffi-unresolved")
	d := diagAt(t, diags, root, "drivers/x/x.rs", "pub const SIZE")
	if want := "bindings::__kernel_size_t is blocklisted: rust/bindgen_parameters line 2 (--blocklist-type __kernel_size_t)"; !strings.Contains(d.Message, want) {
		t.Errorf("message %q lacks %q", d.Message, want)
	}
	if len(d.Related) != 2 || d.Related[0].Line != 2 || !strings.HasSuffix(d.Related[0].Path, "rust/bindgen_parameters") ||
		!strings.HasSuffix(d.Related[1].Path, "include/linux/lib.h") {
		t.Errorf("related = %+v, want the blocklist line, then the C typedef", d.Related)
	}
	d = diagAt(t, diags, root, "drivers/x/x.rs", "fn board_reboot")
	if want := "imports the C symbol board_reboot_v2"; !strings.Contains(d.Message, want) {
		t.Errorf("message %q lacks %q", d.Message, want)
	}
	d = diagAt(t, diags, root, "drivers/x/x.rs", "bindings::lib_private()")
	if want := "names only a static function of lib/lib.c"; !strings.Contains(d.Message, want) {
		t.Errorf("message %q lacks %q", d.Message, want)
	}
}

func TestFFIUnresolvedOutsideKernel(t *testing.T) {
	checkTree(t, `
Outside a kernel tree bindings:: means nothing to rivet; extern items
still link against C.
-- board.h --
int board_reset(void);
-- x.rs --
extern "C" {
    fn board_reset() -> i32;
    fn board_poweroff(); // want "ffi-unresolved"
}

pub const X: u32 = bindings::WHATEVER;
`, "ffi-unresolved")
}

// TestFFIRulesBrokenInput runs the six FFI rules over code the grammars
// cannot read: they report what they can and never fail.
func TestFFIRulesBrokenInput(t *testing.T) {
	root := analysistest.WriteTxtar(t, "-- rust/helpers/helpers.c --\n"+
		"__rust_helper int rust_helper_f(int x { return f(x;\n"+
		"__rust_helper bool __must_check rust_helper_(\n"+
		"-- rust/helpers/bad.c --\n"+
		"\xff\xfe #include <linux/x.h>\n__rust_helper rust_helper_g() { return g(); }\n"+
		"-- include/linux/x.h --\n"+
		"static inline __must_check int g(void) { return ERR_PTR(-1); }\n"+
		"static inline int f(int x) {\n"+
		"-- drivers/x/x.rs --\n"+
		"use kernel::bindings;\n"+
		"#[no_mangle] pub unsafe extern \"C\" fn g(p: *const u8) -> { unsafe { *p bindings::g( }\n"+
		"fn h() { let p = unsafe { bindings::g() }; if p.is_null() { } bindings::f(p, \xc3\x28); unsafe { bindings::g() };\n"+
		"extern \"C\" { fn \n"+
		"bindings::\n")
	ws := buildWorkspace(t, root)
	runRules(t, ws, ffiCodes...) // fails the test on any rule error or panic
}
