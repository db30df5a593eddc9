package rules_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

// ffiCodes are the FFI contract rules of this package's first part.
var ffiCodes = []string{"ffi-unresolved", "ffi-needs-helper", "helper-attribute-lost", "must-check-ignored", "err-ptr-unchecked", "user-pointer-deref"}

// kernelProbe is code appended, in an editor buffer only, to a real file
// of the kernel crate: each want must be reported against the real
// headers, helpers and C bodies, and nothing else in it.
const kernelProbe = `

// rivet's kernel test: FFI contract mistakes, appended in memory.
mod rivet_probe {
    use crate::{bindings, error::{from_err_ptr, to_result, Result}, ffi::{c_char, c_void}};

    fn must_check(r: *mut bindings::refcount_t, reg: *mut bindings::regulator) -> Result {
        // SAFETY: probe.
        unsafe { bindings::refcount_dec_and_test(r) }; // want "must-check-ignored"
        // SAFETY: probe.
        unsafe { bindings::regulator_enable(reg) }; // want "must-check-ignored"
        // SAFETY: probe.
        to_result(unsafe { bindings::regulator_enable(reg) })
    }

    fn err_ptr(attr: *mut bindings::soc_device_attribute) -> Result {
        // SAFETY: probe.
        let soc = unsafe { bindings::soc_device_register(attr) }; // want "err-ptr-unchecked"
        if soc.is_null() {
            return Err(crate::error::code::ENOMEM);
        }
        // SAFETY: probe.
        let _soc = from_err_ptr(unsafe { bindings::soc_device_register(attr) })?;
        Ok(())
    }

    fn helper(dev: *mut bindings::device) -> *mut c_void {
        // SAFETY: probe.
        unsafe { bindings::devm_kzalloc(dev, 8, bindings::GFP_KERNEL) } // want "ffi-needs-helper"
    }

    const TYPO: usize = bindings::PAGE_SIZZE; // want "ffi-unresolved"
    // Near miss: blocklisted, but rust/bindings/lib.rs defines it by hand.
    const DIFF: bindings::__kernel_ptrdiff_t = 0;

    fn blocked(n: *mut bindings::list_head) -> bool {
        // SAFETY: probe.
        unsafe { bindings::__list_add_valid_or_report(n, n, n) } // want "ffi-unresolved"
    }

    unsafe extern "C" fn probe_write(_f: *mut bindings::file, buf: *const c_char, n: usize, _p: *mut bindings::loff_t) -> isize {
        // SAFETY: probe.
        unsafe { *buf as isize + n as isize } // want "user-pointer-deref"
    }

    const PROBE_FOPS: bindings::file_operations = bindings::file_operations {
        write: Some(probe_write),
        // SAFETY: probe.
        ..unsafe { core::mem::zeroed() }
    };
}
`

// TestKernelFFIRules runs the FFI rules over the tree named by
// RIVET_KERNEL. Linux 7.3's known helper-attribute-lost cases must be
// found, and the probe appended to rust/kernel/soc.rs must be reported
// exactly as its wants say.
//
//	RIVET_KERNEL=/path/to/linux-7.3 go test ./analysis/rules -run TestKernelFFIRules -v
func TestKernelFFIRules(t *testing.T) {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("RIVET_KERNEL is not set")
	}
	root, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	ws := buildWorkspace(t, root)
	counts := map[string]int{}
	var lost []string
	for _, d := range runRules(t, ws, ffiCodes...) {
		counts[d.Code]++
		if d.Code == "helper-attribute-lost" {
			lost = append(lost, d.Message)
		}
	}
	for _, c := range ffiCodes {
		t.Logf("%s: %d reports", c, counts[c])
	}
	for _, h := range []string{"rust_helper_refcount_dec_and_test wraps", "rust_helper_IS_ERR wraps", "rust_helper_PTR_ERR wraps"} {
		if !containsPrefix(lost, h) {
			t.Errorf("helper-attribute-lost misses %q; it reports:\n%s", h, strings.Join(lost, "\n"))
		}
	}

	path := filepath.ToSlash(filepath.Join(root, "rust/kernel/soc.rs"))
	text, first, want := openProbe(t, ws, path, kernelProbe)
	for _, d := range runRules(t, ws, ffiCodes...) {
		if d.Path != path || lineOf(text, d.Span.Start) < first {
			continue
		}
		key := strconv.Itoa(lineOf(text, d.Span.Start)) + " " + d.Code
		if d.Code == "ffi-needs-helper" {
			checkHelperFix(t, filepath.ToSlash(root), d)
		}
		if want[key] {
			delete(want, key)
			continue
		}
		t.Errorf("probe line %s: unexpected report: %s", key, d.Message)
	}
	for key := range want {
		t.Errorf("probe line %s: not reported", key)
	}
}

var wantComment = regexp.MustCompile(`// want "([a-z-]+)"`)

// openProbe opens the real file at path in ws with probe appended, in
// the buffer only, brings the declarations it needs into the index, and
// returns the buffer's text, the line the probe starts on, and the
// probe's wants as "line code" keys.
func openProbe(t *testing.T, ws *analysis.Workspace, path, probe string) (text []byte, first int, want map[string]bool) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text = append(append([]byte(nil), src...), probe...)
	ctx := context.Background()
	if _, err := ws.Open(ctx, path, 1, text); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.EnsureNeeded(ctx, nil); err != nil {
		t.Fatal(err)
	}
	first = lineOf(text, uint32(len(src)))
	want = map[string]bool{}
	for i, line := range strings.Split(probe, "\n") {
		if m := wantComment.FindStringSubmatch(line); m != nil {
			want[strconv.Itoa(first+i)+" "+m[1]] = true
		}
	}
	return text, first, want
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// checkHelperFix checks that the probe's ffi-needs-helper report offers a
// helper for devm_kzalloc in rust/helpers, and logs its edits.
func checkHelperFix(t *testing.T, root string, d rules.Diagnostic) {
	t.Helper()
	fix := fixTitled(t, d, "Add rust_helper_devm_kzalloc to ")
	for _, e := range fix.Edits {
		if !strings.HasPrefix(e.Path, root+"/rust/helpers/") {
			t.Errorf("the helper fix edits %s, outside rust/helpers", e.Path)
		}
		t.Logf("%s: %s at %d: %q", fix.Title, e.Path, e.Span.Start, e.NewText)
	}
}

// BenchmarkKernelFFIRules measures a check of the kernel named by
// RIVET_KERNEL with the six FFI rules, beside unsafe-missing-safety alone
// (the same parses of every Rust file and helper, one cheap rule): the
// difference is what the FFI rules cost.
//
//	RIVET_KERNEL=/path/to/linux-7.3 go test ./analysis/rules -run '^$' -bench KernelFFIRules -benchtime 5x
func BenchmarkKernelFFIRules(b *testing.B) {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		b.Skip("RIVET_KERNEL is not set")
	}
	ws := buildWorkspace(b, root)
	for _, bench := range []struct {
		name  string
		codes []string
	}{
		{"ffi", ffiCodes},
		{"baseline", []string{"unsafe-missing-safety"}},
	} {
		b.Run(bench.name, func(b *testing.B) {
			for b.Loop() {
				runRules(b, ws, bench.codes...)
			}
		})
	}
}
