package rustfacts

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

const fnSrc = `// SPDX-License-Identifier: GPL-2.0

//! Glue between the sample bus and C.

use kernel::bindings;

/// Takes a reference on a device for C callers.
///
/// # Safety
///
/// ` + "`dev`" + ` must point to a live device.
#[no_mangle]
pub unsafe extern "C" fn rust_dev_hold(dev: *mut bindings::device, ...) -> i32 {
    // SAFETY: The caller guarantees that the device is live.
    unsafe { bindings::get_device(dev) };
    0
}

#[export_name = "rust_dev_count"]
extern "C" fn count() -> usize {
    fn twice(n: usize) -> usize {
        n * 2
    }
    twice(1)
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_dev_poke() {}

/// A device on the sample bus.
pub struct Device(bindings::device);

impl Device {
    /// Returns the raw pointer.
    pub fn as_raw(&self) -> *mut bindings::device {
        self.0.get()
    }

    fn rename(&mut self, name: &CStr) {}

    fn into_raw(self) -> *mut bindings::device {
        self.as_raw()
    }

    fn pinned(self: Pin<&mut Self>) {}
}

pub trait Ops {
    fn probe(dev: &Device) -> Result;

    fn remove(&self) {}
}

extern "C" {
    #[link_name = "rust_helper_dev_name"]
    fn dev_name(dev: *const bindings::device) -> *const u8;
}

mod sub {
    pub(crate) fn leaf() {}
}
`

func TestFns(t *testing.T) {
	src := fnSrc
	want := []facts.RFn{
		{
			Name:     "rust_dev_hold",
			NameSpan: at(t, src, "rust_dev_hold"),
			Span:     from(t, src, "pub unsafe extern", "    0\n}"),
			BodySpan: from(t, src, "{\n    // SAFETY", "    0\n}"),
			Pub:      true, Unsafe: true, ABI: "C", NoMangle: true,
			Params:   []facts.RParam{{Name: "dev", Type: "*mut bindings::device", Span: at(t, src, "dev: *mut bindings::device")}},
			Variadic: true,
			Ret:      "i32",
			Impl:     -1, Trait: -1, ExternBlock: -1,
			Doc:       "Takes a reference on a device for C callers.\n\n# Safety\n\n`dev` must point to a live device.",
			SafetyDoc: true,
		},
		{
			Name:       "count",
			NameSpan:   inside(t, src, "fn count", "count"),
			Span:       from(t, src, `extern "C" fn count`, "    twice(1)\n}"),
			BodySpan:   from(t, src, "{\n    fn twice", "    twice(1)\n}"),
			ABI:        "C",
			ExportName: "rust_dev_count",
			Ret:        "usize",
			Impl:       -1, Trait: -1, ExternBlock: -1,
		},
		{
			Name:     "twice",
			NameSpan: at(t, src, "twice"),
			Span:     from(t, src, "fn twice", "n * 2\n    }"),
			BodySpan: from(t, src, "{\n        n * 2", "n * 2\n    }"),
			Params:   []facts.RParam{{Name: "n", Type: "usize", Span: at(t, src, "n: usize")}},
			Ret:      "usize",
			Impl:     -1, Trait: -1, ExternBlock: -1,
		},
		{
			Name:     "rust_dev_poke",
			NameSpan: at(t, src, "rust_dev_poke"),
			Span:     at(t, src, `pub extern "C" fn rust_dev_poke() {}`),
			BodySpan: atNth(t, src, "{}", 0),
			Pub:      true, ABI: "C", NoMangle: true,
			Impl: -1, Trait: -1, ExternBlock: -1,
		},
		{
			Name:     "as_raw",
			NameSpan: at(t, src, "as_raw"),
			Span:     from(t, src, "pub fn as_raw", "get()\n    }"),
			BodySpan: from(t, src, "{\n        self.0.get()", "get()\n    }"),
			Pub:      true,
			Params:   []facts.RParam{{Name: "self", Type: "&Self", Span: at(t, src, "&self")}},
			Ret:      "*mut bindings::device",
			Impl:     0, Trait: -1, ExternBlock: -1,
			Doc: "Returns the raw pointer.",
		},
		{
			Name:     "rename",
			NameSpan: at(t, src, "rename"),
			Span:     at(t, src, "fn rename(&mut self, name: &CStr) {}"),
			BodySpan: atNth(t, src, "{}", 1),
			Params: []facts.RParam{
				{Name: "self", Type: "&mut Self", Span: at(t, src, "&mut self")},
				{Name: "name", Type: "&CStr", Span: at(t, src, "name: &CStr")},
			},
			Impl: 0, Trait: -1, ExternBlock: -1,
		},
		{
			Name:     "into_raw",
			NameSpan: at(t, src, "into_raw"),
			Span:     from(t, src, "fn into_raw", "self.as_raw()\n    }"),
			BodySpan: from(t, src, "{\n        self.as_raw()", "self.as_raw()\n    }"),
			Params:   []facts.RParam{{Name: "self", Type: "Self", Span: inside(t, src, "fn into_raw(self)", "self")}},
			Ret:      "*mut bindings::device",
			Impl:     0, Trait: -1, ExternBlock: -1,
		},
		{
			Name:     "pinned",
			NameSpan: at(t, src, "pinned"),
			Span:     at(t, src, "fn pinned(self: Pin<&mut Self>) {}"),
			BodySpan: atNth(t, src, "{}", 2),
			Params:   []facts.RParam{{Name: "self", Type: "Pin<&mut Self>", Span: at(t, src, "self: Pin<&mut Self>")}},
			Impl:     0, Trait: -1, ExternBlock: -1,
		},
		{
			Name:     "probe",
			NameSpan: at(t, src, "probe"),
			Span:     at(t, src, "fn probe(dev: &Device) -> Result;"),
			Params:   []facts.RParam{{Name: "dev", Type: "&Device", Span: at(t, src, "dev: &Device")}},
			Ret:      "Result",
			Impl:     -1, Trait: 1, ExternBlock: -1,
		},
		{
			Name:     "remove",
			NameSpan: at(t, src, "remove"),
			Span:     at(t, src, "fn remove(&self) {}"),
			BodySpan: atNth(t, src, "{}", 3),
			Params:   []facts.RParam{{Name: "self", Type: "&Self", Span: atNth(t, src, "&self", 1)}},
			Impl:     -1, Trait: 1, ExternBlock: -1,
		},
		{
			Name:     "dev_name",
			NameSpan: inside(t, src, "fn dev_name", "dev_name"),
			Span:     at(t, src, "fn dev_name(dev: *const bindings::device) -> *const u8;"),
			Unsafe:   true, ABI: "C", LinkName: "rust_helper_dev_name",
			Params: []facts.RParam{{Name: "dev", Type: "*const bindings::device", Span: at(t, src, "dev: *const bindings::device")}},
			Ret:    "*const u8",
			Impl:   -1, Trait: -1, ExternBlock: 0,
		},
		{
			Name:     "leaf",
			NameSpan: at(t, src, "leaf"),
			Span:     at(t, src, "pub(crate) fn leaf() {}"),
			BodySpan: atNth(t, src, "{}", 4),
			Pub:      true,
			Impl:     -1, Trait: -1, ExternBlock: -1,
		},
	}
	got := extract(t, src)
	if diff := cmp.Diff(want, got.Fns); diff != "" {
		t.Errorf("Fns (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]facts.RMod{{Name: "sub", NameSpan: inside(t, src, "mod sub", "sub"), Span: from(t, src, "mod sub", "{}\n}"), Inline: true}}, got.Mods); diff != "" {
		t.Errorf("Mods (-want +got):\n%s", diff)
	}
	for _, f := range []string{"rust_dev_hold", "rust_dev_count", "rust_dev_poke", "rust_helper_dev_name"} {
		found := false
		for i := range got.Fns {
			found = found || got.Fns[i].Symbol() == f
		}
		if !found {
			t.Errorf("no fn has symbol %s", f)
		}
	}
}

const typeSrc = `use kernel::{bindings, prelude::*, types::{ARef, AlwaysRefCounted, Opaque}};

/// The C ` + "`struct clk_ctx`" + ` as Rust sees it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ClkCtx {
    pub rate: u64,
    pub(crate) flags: u32,
    raw: *mut bindings::clk,
}

#[repr(transparent)]
pub struct Device(Opaque<bindings::device>);

#[repr(u8)]
pub enum State {
    Idle = 0,
    Busy(u32),
    Done { code: i32 },
}

#[repr(C, packed)]
union Word {
    int: u32,
    bytes: [u8; 4],
}

pub type RawDevice = *mut bindings::device;

const MAX_RATE: u64 = bindings::CLK_MAX_RATE as u64;

static mut COUNTER: usize = 0;

/// Builds a mask.
#[macro_export]
macro_rules! clk_mask {
    ($bit:expr) => { 1u32 << $bit };
}

macro_rules! local_helper {
    () => {};
}

// SAFETY: The C side keeps the device alive while its count is non-zero.
unsafe impl AlwaysRefCounted for Device {
    fn inc_ref(&self) {
        // SAFETY: A shared reference proves the count is non-zero.
        unsafe { bindings::get_device(self.0.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up its reference.
        unsafe { bindings::put_device(obj.cast().as_ptr()) }
    }
}

pub struct Clk(*mut bindings::clk);

impl Drop for Clk {
    fn drop(&mut self) {
        // SAFETY: The pointer came from clk_get.
        unsafe { bindings::clk_put(self.0) };
    }
}

impl<T: Ops> crate::sync::aref::AlwaysRefCounted for Registration<T> {
    fn inc_ref(&self) {
        self.count.inc();
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {}
}

extern "C" {
    fn rust_clk_notify(clk: *mut bindings::clk, event: u32) -> i32;
    static rust_clk_generation: u64;
}

extern {
    fn legacy_hook();
}

/// File operations the C side registers.
#[no_mangle]
#[used]
pub static rust_sample_fops: AssertSync<bindings::file_operations> = AssertSync(bindings::file_operations {
    owner: core::ptr::null_mut(),
});
`

func TestTypes(t *testing.T) {
	src := typeSrc
	name := func(context, name string) facts.Span { return inside(t, src, context, name) }
	want := []facts.RType{
		{
			Kind: "struct", Name: "ClkCtx", NameSpan: name("struct ClkCtx", "ClkCtx"),
			Span: from(t, src, "pub struct ClkCtx", "clk,\n}"), Pub: true, Repr: []string{"C"},
			Fields: []facts.RField{
				{Name: "rate", Type: "u64", Span: at(t, src, "pub rate: u64")},
				{Name: "flags", Type: "u32", Span: at(t, src, "pub(crate) flags: u32")},
				{Name: "raw", Type: "*mut bindings::clk", Span: at(t, src, "raw: *mut bindings::clk")},
			},
			Doc: "The C `struct clk_ctx` as Rust sees it.",
		},
		{
			Kind: "struct", Name: "Device", NameSpan: name("struct Device", "Device"),
			Span: at(t, src, "pub struct Device(Opaque<bindings::device>);"), Pub: true, Repr: []string{"transparent"},
			Fields: []facts.RField{{Name: "0", Type: "Opaque<bindings::device>", Span: at(t, src, "Opaque<bindings::device>")}},
		},
		{
			Kind: "enum", Name: "State", NameSpan: name("enum State", "State"),
			Span: from(t, src, "pub enum State", "i32 },\n}"), Pub: true, Repr: []string{"u8"},
			Fields: []facts.RField{
				{Name: "Idle", Span: at(t, src, "Idle = 0")},
				{Name: "Busy", Type: "(u32)", Span: at(t, src, "Busy(u32)")},
				{Name: "Done", Type: "{ code: i32 }", Span: at(t, src, "Done { code: i32 }")},
			},
		},
		{
			Kind: "union", Name: "Word", NameSpan: name("union Word", "Word"),
			Span: from(t, src, "union Word", "4],\n}"), Repr: []string{"C", "packed"},
			Fields: []facts.RField{
				{Name: "int", Type: "u32", Span: at(t, src, "int: u32")},
				{Name: "bytes", Type: "[u8; 4]", Span: at(t, src, "bytes: [u8; 4]")},
			},
		},
		{
			Kind: "type", Name: "RawDevice", NameSpan: name("type RawDevice", "RawDevice"),
			Span: at(t, src, "pub type RawDevice = *mut bindings::device;"), Pub: true, Type: "*mut bindings::device",
		},
		{
			Kind: "const", Name: "MAX_RATE", NameSpan: name("const MAX_RATE", "MAX_RATE"),
			Span: at(t, src, "const MAX_RATE: u64 = bindings::CLK_MAX_RATE as u64;"), Type: "u64",
		},
		{
			Kind: "static", Name: "COUNTER", NameSpan: name("static mut COUNTER", "COUNTER"),
			Span: at(t, src, "static mut COUNTER: usize = 0;"), Type: "usize",
		},
		{
			Kind: "macro", Name: "clk_mask", NameSpan: name("macro_rules! clk_mask", "clk_mask"),
			Span: from(t, src, "macro_rules! clk_mask", "$bit };\n}"), Pub: true, Doc: "Builds a mask.",
		},
		{
			Kind: "macro", Name: "local_helper", NameSpan: name("macro_rules! local_helper", "local_helper"),
			Span: from(t, src, "macro_rules! local_helper", "{};\n}"),
		},
		{
			Kind: "struct", Name: "Clk", NameSpan: name("struct Clk(", "Clk"),
			Span: at(t, src, "pub struct Clk(*mut bindings::clk);"), Pub: true,
			Fields: []facts.RField{{Name: "0", Type: "*mut bindings::clk", Span: atNth(t, src, "*mut bindings::clk", 1)}},
		},
		{
			Kind: "static", Name: "rust_sample_fops", NameSpan: name("static rust_sample_fops", "rust_sample_fops"),
			Span: from(t, src, "pub static rust_sample_fops", "});"), Pub: true, Type: "AssertSync<bindings::file_operations>",
			Doc: "File operations the C side registers.", NoMangle: true,
		},
	}
	got := extract(t, src)
	if diff := cmp.Diff(want, got.Types); diff != "" {
		t.Errorf("Types (-want +got):\n%s", diff)
	}

	wantImpls := []facts.RImpl{
		{
			Trait: "AlwaysRefCounted", Target: "Device", TargetName: "Device", Unsafe: true,
			Span: from(t, src, "unsafe impl AlwaysRefCounted", "as_ptr()) }\n    }\n}"), Fns: []int{0, 1},
		},
		{
			Trait: "Drop", Target: "Clk", TargetName: "Clk",
			Span: from(t, src, "impl Drop for Clk", "(self.0) };\n    }\n}"), Fns: []int{2},
		},
		{
			Trait: "crate::sync::aref::AlwaysRefCounted", Target: "Registration<T>", TargetName: "Registration",
			Span: from(t, src, "impl<T: Ops>", "Self>) {}\n}"), Fns: []int{3, 4},
		},
	}
	if diff := cmp.Diff(wantImpls, got.Impls); diff != "" {
		t.Errorf("Impls (-want +got):\n%s", diff)
	}

	wantBlocks := []facts.RExternBlock{
		{
			ABI: "C", Span: from(t, src, `extern "C" {`, "u64;\n}"), Fns: []int{5},
			Statics: []facts.RField{{Name: "rust_clk_generation", Type: "u64", Span: at(t, src, "static rust_clk_generation: u64;")}},
		},
		{ABI: "C", Span: from(t, src, "extern {", "();\n}"), Fns: []int{6}},
	}
	if diff := cmp.Diff(wantBlocks, got.ExternBlocks); diff != "" {
		t.Errorf("ExternBlocks (-want +got):\n%s", diff)
	}
	var names []string
	for _, f := range got.Fns {
		names = append(names, f.Name)
	}
	wantNames := []string{"inc_ref", "dec_ref", "drop", "inc_ref", "dec_ref", "rust_clk_notify", "legacy_hook"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("fn names (-want +got):\n%s", diff)
	}

	wantPairs := []RefCountPair{
		{
			Type: "Device", Impl: 0, Inc: "get_device", Dec: "put_device",
			IncSpan: inside(t, src, "bindings::get_device", "get_device"),
			DecSpan: inside(t, src, "bindings::put_device", "put_device"),
		},
		{Type: "Registration", Impl: 2},
	}
	if diff := cmp.Diff(wantPairs, AlwaysRefCountedPairs(got)); diff != "" {
		t.Errorf("AlwaysRefCountedPairs (-want +got):\n%s", diff)
	}
}

// TestMaskedConstructs covers what the mask rewrites before parsing:
// `unsafe extern` blocks, `safe fn` items, `#[unsafe(...)]` attributes and
// raw borrows. The facts must read as if the grammar knew them.
func TestMaskedConstructs(t *testing.T) {
	src := `use kernel::bindings;

// SAFETY: The declarations match the C prototypes.
unsafe extern "C" {
    safe fn rust_helper_cpu_relax();
    fn rust_helper_spin_lock(lock: *mut bindings::spinlock_t);
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_probe() {}

#[unsafe(export_name = "rust_remove_hook")]
pub extern "C" fn remove() {}

fn touch(p: &Foo) {
    // SAFETY: p is live.
    unsafe { bindings::touch_field(&raw const p.field) };
}
`
	got := extract(t, src)
	wantBlocks := []facts.RExternBlock{{
		ABI: "C", Unsafe: true, Span: from(t, src, `unsafe extern "C" {`, "spinlock_t);\n}"), Fns: []int{0, 1},
	}}
	if diff := cmp.Diff(wantBlocks, got.ExternBlocks); diff != "" {
		t.Errorf("ExternBlocks (-want +got):\n%s", diff)
	}
	type fnView struct {
		Name               string
		Span               facts.Span
		Unsafe, NoMangle   bool
		ExportName, Symbol string
	}
	var fns []fnView
	for i := range got.Fns {
		f := &got.Fns[i]
		fns = append(fns, fnView{f.Name, f.Span, f.Unsafe, f.NoMangle, f.ExportName, f.Symbol()})
	}
	wantFns := []fnView{
		{Name: "rust_helper_cpu_relax", Span: at(t, src, "safe fn rust_helper_cpu_relax();"), Symbol: "rust_helper_cpu_relax"},
		{Name: "rust_helper_spin_lock", Span: from(t, src, "fn rust_helper_spin_lock", ");"), Unsafe: true, Symbol: "rust_helper_spin_lock"},
		{Name: "rust_probe", Span: at(t, src, `pub extern "C" fn rust_probe() {}`), NoMangle: true, Symbol: "rust_probe"},
		{Name: "remove", Span: at(t, src, `pub extern "C" fn remove() {}`), ExportName: "rust_remove_hook", Symbol: "rust_remove_hook"},
		{Name: "touch", Span: from(t, src, "fn touch", "};\n}")},
	}
	if diff := cmp.Diff(wantFns, fns); diff != "" {
		t.Errorf("Fns (-want +got):\n%s", diff)
	}
	wantRefs := []refView{
		{"spinlock_t", "spinlock_t", "bindings::spinlock_t", typ, "rust_helper_spin_lock"},
		{"touch_field", "touch_field", "bindings::touch_field", call, "touch"},
	}
	if diff := cmp.Diff(wantRefs, refViews(src, got)); diff != "" {
		t.Errorf("BindingRefs (-want +got):\n%s", diff)
	}
	var names []string
	for _, a := range got.Annotations {
		names = append(names, a.Name)
	}
	wantAnns := []string{treesitter.AnnUnsafeExtern, treesitter.AnnSafeItem, "unsafe(no_mangle)", "unsafe(export_name)", treesitter.AnnRawBorrow}
	if diff := cmp.Diff(wantAnns, names); diff != "" {
		t.Errorf("Annotations (-want +got):\n%s", diff)
	}
}
