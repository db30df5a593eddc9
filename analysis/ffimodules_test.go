package analysis_test

import (
	"context"
	"testing"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/analysistest"
)

// TestFFIModulesSetting: with ffi_modules = ["uapi"], paths through the
// kernel's second bindgen crate are FFI references, checked like
// bindings:: ones; without it they are not looked at.
func TestFFIModulesSetting(t *testing.T) {
	root := analysistest.WriteTxtar(t, `
-- rust/bindings/bindings_helper.h --
-- rust/helpers/helpers.c --
-- include/uapi/linux/demo.h --
#define DEMO_FLAG 1
-- drivers/demo/demo.rs --
use kernel::uapi;
pub fn flags() -> u32 {
    uapi::DEMO_FLAG | uapi::DEMO_MISSING
}
`)
	unresolved := func(modules []string) []string {
		ws := builtWorkspace(t, root, analysis.Options{FFIModules: modules})
		ds, err := ws.Check(context.Background(), analysis.CheckOptions{Rules: []string{"ffi-unresolved"}})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.Message)
		}
		return out
	}
	if got := unresolved(nil); len(got) != 0 {
		t.Errorf("without the setting: %q, want nothing", got)
	}
	if got := unresolved([]string{"kernel::uapi"}); len(got) != 1 {
		t.Errorf("with uapi: %q, want one report, for DEMO_MISSING", got)
	}
}
