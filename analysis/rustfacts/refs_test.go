package rustfacts

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/treesitter"
)

func TestUses(t *testing.T) {
	src := `use kernel::{bindings, prelude::*, sync::{self, Arc as KArc}};
use crate::bindings as b;
use ::kernel::bindings::{self as kb, device as dev};
use super::*;
pub use bindings::io_pgtable_fmt;

fn f() {
    use kernel::bindings::task_work_notify_mode_TWA_RESUME as TWA_RESUME;
}
`
	want := []facts.RUse{
		{Path: "kernel::bindings", Alias: "bindings", Span: at(t, src, "bindings")},
		{Path: "kernel::prelude", Alias: "*", Span: at(t, src, "prelude::*")},
		{Path: "kernel::sync", Alias: "sync", Span: at(t, src, "self")},
		{Path: "kernel::sync::Arc", Alias: "KArc", Span: at(t, src, "Arc as KArc")},
		{Path: "crate::bindings", Alias: "b", Span: at(t, src, "crate::bindings as b")},
		{Path: "::kernel::bindings", Alias: "kb", Span: at(t, src, "self as kb")},
		{Path: "::kernel::bindings::device", Alias: "dev", Span: at(t, src, "device as dev")},
		{Path: "super", Alias: "*", Span: at(t, src, "super::*")},
		{Path: "bindings::io_pgtable_fmt", Alias: "io_pgtable_fmt", Span: at(t, src, "bindings::io_pgtable_fmt")},
		{
			Path: "kernel::bindings::task_work_notify_mode_TWA_RESUME", Alias: "TWA_RESUME",
			Span: at(t, src, "kernel::bindings::task_work_notify_mode_TWA_RESUME as TWA_RESUME"),
		},
	}
	got := extract(t, src)
	if diff := cmp.Diff(want, got.Uses); diff != "" {
		t.Errorf("Uses (-want +got):\n%s", diff)
	}
}

func TestBindingRefs(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []refView
	}{
		{
			name: "paths",
			src: `use kernel::bindings;

fn probe(pdev: *mut bindings::pci_dev) -> Result {
    // SAFETY: The PCI core keeps pdev valid during probe.
    let ret = unsafe { bindings::pci_enable_device(pdev) };
    let flags = bindings::GFP_KERNEL | bindings::__GFP_ZERO;
    let size = core::mem::size_of::<bindings::pci_dev>();
    let any = kernel::bindings::PCI_ANY_ID as u32;
    let shared = crate::bindings::IRQF_SHARED;
    ::kernel::bindings::synchronize_rcu();
    let handled = bindings::irqreturn::IRQ_HANDLED;
    let head = bindings::list_head { next: null_mut(), prev: null_mut() };
    match ret {
        bindings::EINVAL => {}
        _ => {}
    }
    let barrier: unsafe extern "C" fn() = bindings::rcu_barrier;
    Ok(())
}
`,
			want: []refView{
				{"pci_dev", "pci_dev", "bindings::pci_dev", typ, "probe"},
				{"pci_enable_device", "pci_enable_device", "bindings::pci_enable_device", call, "probe"},
				{"GFP_KERNEL", "GFP_KERNEL", "bindings::GFP_KERNEL", value, "probe"},
				{"__GFP_ZERO", "__GFP_ZERO", "bindings::__GFP_ZERO", value, "probe"},
				{"pci_dev", "pci_dev", "bindings::pci_dev", typ, "probe"},
				{"PCI_ANY_ID", "PCI_ANY_ID", "kernel::bindings::PCI_ANY_ID", value, "probe"},
				{"IRQF_SHARED", "IRQF_SHARED", "crate::bindings::IRQF_SHARED", value, "probe"},
				{"synchronize_rcu", "synchronize_rcu", "::kernel::bindings::synchronize_rcu", call, "probe"},
				{"irqreturn", "irqreturn", "bindings::irqreturn", typ, "probe"},
				{"list_head", "list_head", "bindings::list_head", typ, "probe"},
				{"EINVAL", "EINVAL", "bindings::EINVAL", value, "probe"},
				{"rcu_barrier", "rcu_barrier", "bindings::rcu_barrier", value, "probe"},
			},
		},
		{
			name: "module alias and imported items, scoped",
			src: `use kernel::bindings as b;
use kernel::bindings::{dentry, inode};

mod inner {
    // A module does not see its parent's uses.
    fn shadowless(node: *mut inode) {
        dentry();
    }
}

fn create(dir: *mut dentry, node: *mut inode) -> *mut dentry {
    // SAFETY: node is a live inode.
    let dentry = unsafe { b::d_make_root(node) };
    dentry
}

fn size() -> usize {
    core::mem::size_of::<inode>()
}
`,
			want: []refView{
				{"dentry", "dentry", "dentry", value, ""},
				{"inode", "inode", "inode", value, ""},
				{"dentry", "dentry", "dentry", typ, "create"},
				{"inode", "inode", "inode", typ, "create"},
				{"dentry", "dentry", "dentry", typ, "create"},
				{"d_make_root", "d_make_root", "b::d_make_root", call, "create"},
				{"inode", "inode", "inode", typ, "size"},
			},
		},
		{
			name: "imported function called through an alias",
			src: `use kernel::bindings::{self, get_device as grab};

fn hold(dev: *mut bindings::device) {
    // SAFETY: dev is live.
    unsafe { grab(dev) };
    let f = grab;
}
`,
			want: []refView{
				{"get_device", "get_device", "get_device as grab", value, ""},
				{"device", "device", "bindings::device", typ, "hold"},
				{"get_device", "grab", "grab", call, "hold"},
				{"get_device", "grab", "grab", value, "hold"},
			},
		},
		{
			name: "block-scoped use and qualified item",
			src: `fn close(work: *mut callback_head) {
    use bindings::task_work_notify_mode_TWA_RESUME as TWA_RESUME;
    use bindings::irqreturn::IRQ_NONE;
    // SAFETY: work is owned by us.
    unsafe { bindings::task_work_add(current(), work, TWA_RESUME) };
}

fn elsewhere() -> u32 {
    TWA_RESUME
}
`,
			want: []refView{
				{"task_work_notify_mode_TWA_RESUME", "task_work_notify_mode_TWA_RESUME", "bindings::task_work_notify_mode_TWA_RESUME as TWA_RESUME", value, "close"},
				{"irqreturn", "irqreturn", "bindings::irqreturn::IRQ_NONE", typ, "close"},
				{"task_work_add", "task_work_add", "bindings::task_work_add", call, "close"},
				{"task_work_notify_mode_TWA_RESUME", "TWA_RESUME", "TWA_RESUME", value, "close"},
			},
		},
		{
			name: "macros",
			src: `use kernel::bindings;

fn macros(ptr: *mut bindings::kobject, x: u64) {
    // SAFETY: ptr is embedded in a struct device.
    let dev = unsafe { container_of!(ptr, bindings::device, kobj) };
    let off = core::mem::offset_of!(bindings::device, kobj);
    pr_info!("{}\n", bindings::THIS_MODULE as usize);
    build_assert!(off < bindings::PAGE_SIZE);
    let init = kernel::try_pin_init!(Self {
        done <- Opaque::ffi_init(|slot| unsafe { bindings::init_completion(slot) }),
    });
    let page = some!(*mut bindings::page);
    let gfp = some!(x as bindings::gfp_t);
    let pages = some!(KVec<bindings::page>);
    let root = some!(bindings::rb_root::default());
}

macro_rules! dev_hold {
    ($dev:expr) => {
        // SAFETY: The caller passes a live device.
        unsafe { $crate::bindings::get_device($dev) }
    };
    ($($name:ident),*) => {
        $(::kernel::bindings::$name();)*
        $(kernel::bindings::put_device($name);)*
    };
}
`,
			want: []refView{
				{"kobject", "kobject", "bindings::kobject", typ, "macros"},
				{"device", "device", "bindings::device", typ, "macros"},
				{"device", "device", "bindings::device", typ, "macros"},
				{"THIS_MODULE", "THIS_MODULE", "bindings::THIS_MODULE", value, "macros"},
				{"PAGE_SIZE", "PAGE_SIZE", "bindings::PAGE_SIZE", value, "macros"},
				{"init_completion", "init_completion", "bindings::init_completion", call, "macros"},
				{"page", "page", "bindings::page", typ, "macros"},
				{"gfp_t", "gfp_t", "bindings::gfp_t", typ, "macros"},
				{"page", "page", "bindings::page", typ, "macros"},
				{"rb_root", "rb_root", "bindings::rb_root", typ, "macros"},
				{"get_device", "get_device", "$crate::bindings::get_device", call, ""},
				{"put_device", "put_device", "kernel::bindings::put_device", call, ""},
			},
		},
		{
			name: "text that only looks like a path",
			src: `/// Calls ` + "`bindings::foo`" + ` on the device.
fn f() {
    // bindings::bar is a comment.
    let s = "bindings::baz";
    let c = cbindings::qux();
    let u = uapi::bindings::QUUX;
    let w = self.bindings.len();
}
`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := refViews(tc.src, extract(t, tc.src))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("BindingRefs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCalls(t *testing.T) {
	src := `fn calls(dev: &Device) -> Result {
    let raw = dev.as_raw();
    // SAFETY: raw is a live device.
    let clk = from_err_ptr(unsafe { bindings::clk_get(raw, core::ptr::null()) })?;
    let obj = KBox::<Foo>::new(Foo::default(), GFP_KERNEL)?;
    let p = obj.cast::<u8>();
    let a = ARef::from_raw(NonNull::new(p).unwrap());
    (self.callback)(1);
    dev.inner.lock().push(1);
    kernel::pr_info!("{}\n", dev.name());
    pin_init!(Self { x <- Foo::new(slot.as_ptr()), y: Bar::default() });
    drop(a);
    Ok(())
}
`
	want := []callView{
		{"as_raw", true, "dev", "dev.as_raw()", "calls"},
		{"from_err_ptr", false, "", "from_err_ptr(unsafe { bindings::clk_get(raw, core::ptr::null()) })", "calls"},
		{"bindings::clk_get", false, "", "bindings::clk_get(raw, core::ptr::null())", "calls"},
		{"core::ptr::null", false, "", "core::ptr::null()", "calls"},
		{"KBox::new", false, "", "KBox::<Foo>::new(Foo::default(), GFP_KERNEL)", "calls"},
		{"Foo::default", false, "", "Foo::default()", "calls"},
		{"cast", true, "obj", "obj.cast::<u8>()", "calls"},
		{"ARef::from_raw", false, "", "ARef::from_raw(NonNull::new(p).unwrap())", "calls"},
		{"unwrap", true, "NonNull::new(p)", "NonNull::new(p).unwrap()", "calls"},
		{"NonNull::new", false, "", "NonNull::new(p)", "calls"},
		{"(self.callback)", false, "", "(self.callback)(1)", "calls"},
		{"push", true, "dev.inner.lock()", "dev.inner.lock().push(1)", "calls"},
		{"lock", true, "dev.inner", "dev.inner.lock()", "calls"},
		{"name", true, "dev", "dev.name()", "calls"},
		{"Foo::new", false, "", "Foo::new(slot.as_ptr())", "calls"},
		{"as_ptr", true, "slot", "slot.as_ptr()", "calls"},
		{"Bar::default", false, "", "Bar::default()", "calls"},
		{"drop", false, "", "drop(a)", "calls"},
		{"Ok", false, "", "Ok(())", "calls"},
	}
	got := callViews(src, extract(t, src))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Calls (-want +got):\n%s", diff)
	}
}

// A module that binds the name `bindings` to something else (nova-core's
// `use r570_144 as bindings;`) has no bindgen references through it.
func TestBindingsShadowedByUse(t *testing.T) {
	r := extract(t, `
use r570_144 as bindings;
fn f() -> bindings::GspFwHeader { todo!() }
mod inner {
    use super::bindings;
    fn g(x: bindings::Other) {}
}
mod real {
    use kernel::bindings;
    fn h() { unsafe { bindings::get_device(core::ptr::null_mut()) }; }
}
fn k() { unsafe { ::bindings::put_device(core::ptr::null_mut()) } }
`)
	var names []string
	for _, ref := range r.BindingRefs {
		names = append(names, ref.Name)
	}
	if got := strings.Join(names, " "); got != "get_device put_device" {
		t.Errorf("binding refs %q, want only get_device and put_device", got)
	}
}

// TestExtractWithCrates: configured bindgen crates (the ffi_modules
// setting) make their paths references, with the same rules as bindings.
func TestExtractWithCrates(t *testing.T) {
	src := `
use kernel::uapi;
fn f() -> u32 { uapi::UAPI_FLAG + kernel::uapi::OTHER + bindings::GFP_KERNEL }
`
	names := func(r *facts.Rust) string {
		var out []string
		for _, ref := range r.BindingRefs {
			out = append(out, ref.Name)
		}
		return strings.Join(out, " ")
	}
	if got := names(extract(t, src)); got != "GFP_KERNEL" {
		t.Errorf("without the setting: %q, want only GFP_KERNEL", got)
	}
	tree, err := treesitter.Parse(context.Background(), treesitter.Rust, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if got := names(ExtractWith(tree, []string{"uapi"})); got != "UAPI_FLAG OTHER GFP_KERNEL" {
		t.Errorf("with uapi: %q", got)
	}
}
