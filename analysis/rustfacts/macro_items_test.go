package rustfacts

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

func TestMacroItems(t *testing.T) {
	src := `/// Implements reference counting for a sample object type.
macro_rules! impl_sample_refcount {
    (impl $( <$( $tp:ident ),+> )? for $type:ty) => {
        // SAFETY: Every sample object is refcounted by the C core.
        unsafe impl $( <$( $tp ),+> )? $crate::sync::aref::AlwaysRefCounted for $type {
            fn inc_ref(&self) {
                // SAFETY: A shared reference proves the count is non-zero.
                unsafe { bindings::sample_obj_get(self.as_raw()) };
            }

            unsafe fn dec_ref(obj: core::ptr::NonNull<Self>) {
                // SAFETY: The caller gives up its reference.
                unsafe { bindings::sample_obj_put(obj.as_ptr().cast()) }
            }
        }
    };
}

macro_rules! export_hook {
    ($name:ident) => {
        #[no_mangle]
        pub unsafe extern "C" fn $name(dev: *mut bindings::device) -> i32 {
            // SAFETY: C passes a live device.
            unsafe { bindings::device_lock(dev) };
            0
        }

        fn helper() -> impl Iterator<Item = u32> {
            core::iter::empty()
        }
    };
}
`
	got := extract(t, src)
	wantImpls := []facts.RImpl{{
		Trait: "$crate::sync::aref::AlwaysRefCounted", Target: "$type", TargetName: "$type", Unsafe: true,
		Span: from(t, src, "unsafe impl $(", "cast()) }\n            }\n        }"), Fns: []int{0, 1},
	}}
	if diff := cmp.Diff(wantImpls, got.Impls); diff != "" {
		t.Errorf("Impls (-want +got):\n%s", diff)
	}
	wantFns := []facts.RFn{
		{
			Name: "inc_ref", NameSpan: at(t, src, "inc_ref"),
			Span:     from(t, src, "fn inc_ref", "self.as_raw()) };\n            }"),
			BodySpan: from(t, src, "{\n                // SAFETY: A shared", "self.as_raw()) };\n            }"),
			Impl:     0, Trait: -1, ExternBlock: -1,
		},
		{
			Name: "dec_ref", NameSpan: at(t, src, "dec_ref"),
			Span:     from(t, src, "unsafe fn dec_ref", "cast()) }\n            }"),
			BodySpan: from(t, src, "{\n                // SAFETY: The caller", "cast()) }\n            }"),
			Unsafe:   true,
			Impl:     0, Trait: -1, ExternBlock: -1,
		},
		{
			Name: "$name", NameSpan: inside(t, src, "fn $name", "$name"),
			Span:     from(t, src, "pub unsafe extern", "0\n        }"),
			BodySpan: from(t, src, "{\n            // SAFETY: C passes", "0\n        }"),
			Pub:      true, Unsafe: true, ABI: "C", NoMangle: true,
			Impl: -1, Trait: -1, ExternBlock: -1,
		},
		{
			Name: "helper", NameSpan: at(t, src, "helper"),
			Span:     from(t, src, "fn helper", "empty()\n        }"),
			BodySpan: from(t, src, "{\n            core::iter", "empty()\n        }"),
			Impl:     -1, Trait: -1, ExternBlock: -1,
		},
	}
	if diff := cmp.Diff(wantFns, got.Fns); diff != "" {
		t.Errorf("Fns (-want +got):\n%s", diff)
	}
	wantRefs := []refView{
		{"sample_obj_get", "sample_obj_get", "bindings::sample_obj_get", call, "inc_ref"},
		{"sample_obj_put", "sample_obj_put", "bindings::sample_obj_put", call, "dec_ref"},
		{"device", "device", "bindings::device", typ, "$name"},
		{"device_lock", "device_lock", "bindings::device_lock", call, "$name"},
	}
	if diff := cmp.Diff(wantRefs, refViews(src, got)); diff != "" {
		t.Errorf("BindingRefs (-want +got):\n%s", diff)
	}
	wantCalls := []callView{
		{"bindings::sample_obj_get", false, "", "bindings::sample_obj_get(self.as_raw())", "inc_ref"},
		{"as_raw", true, "self", "self.as_raw()", "inc_ref"},
		{"bindings::sample_obj_put", false, "", "bindings::sample_obj_put(obj.as_ptr().cast())", "dec_ref"},
		{"cast", true, "obj.as_ptr()", "obj.as_ptr().cast()", "dec_ref"},
		{"as_ptr", true, "obj", "obj.as_ptr()", "dec_ref"},
		{"bindings::device_lock", false, "", "bindings::device_lock(dev)", "$name"},
		{"core::iter::empty", false, "", "core::iter::empty()", "helper"},
	}
	if diff := cmp.Diff(wantCalls, callViews(src, got)); diff != "" {
		t.Errorf("Calls (-want +got):\n%s", diff)
	}
	wantPairs := []RefCountPair{{
		Type: "$type", Impl: 0, Inc: "sample_obj_get", Dec: "sample_obj_put",
		IncSpan: inside(t, src, "bindings::sample_obj_get", "sample_obj_get"),
		DecSpan: inside(t, src, "bindings::sample_obj_put", "sample_obj_put"),
	}}
	if diff := cmp.Diff(wantPairs, AlwaysRefCountedPairs(got)); diff != "" {
		t.Errorf("AlwaysRefCountedPairs (-want +got):\n%s", diff)
	}
}

func TestMacroImplHeaders(t *testing.T) {
	src := `macro_rules! impl_ops {
    ($(#[$meta:meta])* $t:ident) => {
        $(#[$meta])*
        impl<T: Ops> Wrapper for $t<T> where T: Send {
            fn raw(&self) -> impl Sized {}
        }
        impl $t {}
    };
}
`
	got := extract(t, src)
	want := []facts.RImpl{
		{Trait: "Wrapper", Target: "$t<T>", TargetName: "$t", Span: from(t, src, "impl<T: Ops>", "{}\n        }"), Fns: []int{0}},
		{Target: "$t", TargetName: "$t", Span: at(t, src, "impl $t {}")},
	}
	if diff := cmp.Diff(want, got.Impls); diff != "" {
		t.Errorf("Impls (-want +got):\n%s", diff)
	}
	if len(got.Fns) != 1 || got.Fns[0].Name != "raw" || got.Fns[0].Impl != 0 {
		t.Errorf("Fns = %+v, want raw in impl 0", got.Fns)
	}
}
