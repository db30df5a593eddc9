package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis/rules"
)

const reprTree = `
-- rust/helpers/helpers.c --
-- rust/bindings/bindings_helper.h --
#include <linux/gadget.h>
-- include/linux/gadget.h --
struct gadget_stats { unsigned long long events; unsigned long long bytes; };
struct gadget_ops { int (*probe)(void *data); };
struct gadget_wrap { struct gadget_stats stats; int mode; };
int gadget_read_stats(struct gadget_stats *stats);
int gadget_fill(struct gadget_stats *stats);
int gadget_cookie(void *cookie);
int gadget_by_value(struct gadget_stats stats);
int gadget_mode(int mode);
int gadget_wrapped(struct gadget_wrap *w);
int gadget_submit(struct gadget_stats *stats);
int gadget_defer(void *data);
-- drivers/gadget/types.rs --
/// Declared in another file than its use.
pub struct Elsewhere {
    pub events: u64,
    pub bytes: u64,
}
-- drivers/gadget/gadget.rs --
use kernel::{bindings, ffi::{c_int, c_void}, types::Opaque};
use crate::types::Elsewhere;

pub struct Stats {
    pub events: u64,
    pub bytes: u64,
}

#[repr(C)]
pub struct StatsC {
    pub events: u64,
    pub bytes: u64,
}

#[repr(transparent)]
pub struct Mode(c_int);

pub enum Kind { A, B }

#[repr(u32)]
pub enum KindC { A, B }

#[repr(C)]
pub struct Wrap {
    pub stats: Stats,
    pub mode: c_int,
}

pub struct Private {
    count: u32,
}

#[no_mangle]
pub unsafe extern "C" fn gadget_read_stats(stats: *mut Stats) -> c_int { // want "repr-c-missing"
    0
}

// Near miss: #[repr(C)].
#[no_mangle]
pub unsafe extern "C" fn gadget_fill(stats: *mut StatsC) -> c_int {
    0
}

// Near miss: C only carries the cookie around (void *).
#[no_mangle]
pub unsafe extern "C" fn gadget_cookie(cookie: *mut Private) -> c_int {
    0
}

extern "C" {
    fn gadget_by_value(stats: Stats) -> c_int; // want "repr-c-missing"
    // Near miss: a transparent wrapper of c_int.
    fn gadget_mode(mode: Mode) -> c_int;
    fn gadget_wrapped(w: *mut Wrap) -> c_int; // want "repr-c-missing"
}

/// A callback C calls with what Rust registered: C never looks inside.
// Near miss: no prototype, and only by pointer.
unsafe extern "C" fn on_event(data: *mut Private) -> c_int {
    0
}

// A callback taking an enum by value: C passes an int, Rust reads a
// discriminant of its own choosing.
unsafe extern "C" fn on_kind(kind: Kind) -> c_int { // want "repr-c-missing"
    0
}

// Near miss: the enum has an integer representation.
unsafe extern "C" fn on_kind_c(kind: KindC) -> c_int {
    0
}

// Near miss: Rust-ABI functions do not cross.
pub fn rust_only(stats: Stats) -> Stats {
    stats
}

#[no_mangle]
pub unsafe extern "C" fn gadget_submit(stats: *mut Elsewhere) -> c_int { // want "repr-c-missing"
    0
}

pub fn submit(stats: &mut Stats, opaque: &Opaque<bindings::gadget_stats>) {
    // SAFETY: test code.
    unsafe { bindings::gadget_submit(stats as *mut Stats as *mut bindings::gadget_stats) }; // want "repr-c-missing"
    // Near miss: the C side is void *.
    // SAFETY: test code.
    unsafe { bindings::gadget_defer(stats as *mut Stats as *mut c_void) };
    // Near miss: an Opaque is the C struct.
    // SAFETY: test code.
    unsafe { bindings::gadget_submit(opaque.get()) };
}
`

func TestReprCMissing(t *testing.T) {
	root, diags := checkTree(t, reprTree, "repr-c-missing")
	for _, want := range []string{
		"struct Stats crosses the FFI boundary by pointer in parameter stats of gadget_read_stats (C declares int gadget_read_stats(struct gadget_stats *stats), include/linux/gadget.h:4) but has no #[repr(C)]: Rust may reorder and pad its fields, so C reads them at the wrong offsets",
		"struct Stats crosses the FFI boundary by value in parameter stats of gadget_by_value (C declares int gadget_by_value(struct gadget_stats stats), include/linux/gadget.h:7) but has no #[repr(C)]: Rust may reorder and pad its fields, so C reads them at the wrong offsets",
		"struct Stats crosses the FFI boundary as field stats of #[repr(C)] Wrap in parameter w of gadget_wrapped (C declares int gadget_wrapped(struct gadget_wrap *w), include/linux/gadget.h:9) but has no #[repr(C)]: Rust may reorder and pad its fields, so C reads them at the wrong offsets",
		"enum Kind crosses the FFI boundary by value in parameter kind of on_kind but has no #[repr(C)]: Rust chooses the size of its discriminant, so C reads the wrong bytes",
		"struct Elsewhere crosses the FFI boundary by pointer in parameter stats of gadget_submit (C declares int gadget_submit(struct gadget_stats *stats), include/linux/gadget.h:10) but has no #[repr(C)]: Rust may reorder and pad its fields, so C reads them at the wrong offsets",
		"struct Stats crosses the FFI boundary by pointer in argument 1 of bindings::gadget_submit, where C expects struct gadget_stats * but has no #[repr(C)]: Rust may reorder and pad its fields, so C reads them at the wrong offsets",
	} {
		found := false
		for _, d := range diags {
			found = found || d.Message == want
		}
		if !found {
			t.Errorf("no report %q among:\n%s", want, messages(diags))
		}
	}

	// The fix adds #[repr(C)] above the type, in the file declaring it.
	gadget := filepath.Join(root, "drivers/gadget/gadget.rs")
	types := filepath.Join(root, "drivers/gadget/types.rs")
	for _, d := range diags {
		fix := fixTitled(t, d, "Add #[repr(C)] to ")
		if len(fix.Edits) != 1 {
			t.Fatalf("%s: fix has %d edits", d.Message, len(fix.Edits))
		}
		path := fix.Edits[0].Path
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got := applyFix(t, src, path, fix)
		switch {
		case strings.Contains(d.Message, "struct Stats "):
			if path != filepath.ToSlash(gadget) || !strings.Contains(got, "#[repr(C)]\npub struct Stats {") {
				t.Errorf("%s: fix gives\n%s", d.Message, got)
			}
		case strings.Contains(d.Message, "struct Elsewhere "):
			if path != filepath.ToSlash(types) || !strings.Contains(got, "/// Declared in another file than its use.\n#[repr(C)]\npub struct Elsewhere {") {
				t.Errorf("%s: fix gives\n%s", d.Message, got)
			}
		case strings.Contains(d.Message, "enum Kind "):
			if !strings.Contains(got, "#[repr(C)]\npub enum Kind { A, B }") {
				t.Errorf("%s: fix gives\n%s", d.Message, got)
			}
		}
		if len(d.Related) == 0 || !strings.HasSuffix(d.Related[0].Message, "is declared here without #[repr(C)]") {
			t.Errorf("%s: related %+v", d.Message, d.Related)
		}
	}
}

func messages(diags []rules.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString("\t" + d.Message + "\n")
	}
	return b.String()
}
