package analysis

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// showOutline renders symbols one a line, indented by depth, as
// "kind name" with the text of the name span when it differs from the
// name, and checks that every name span lies in its symbol's span and
// every child's span in its parent's.
func showOutline(t *testing.T, src []byte, syms []Symbol, depth int, parent *Symbol) []string {
	t.Helper()
	var out []string
	for _, s := range syms {
		if !s.Span.Covers(s.NameSpan) {
			t.Errorf("%s %s: name span %v outside span %v", s.Kind, s.Name, s.NameSpan, s.Span)
		}
		if parent != nil && !parent.Span.Covers(s.Span) {
			t.Errorf("%s %s: span %v outside its parent %s's %v", s.Kind, s.Name, s.Span, parent.Name, parent.Span)
		}
		line := strings.Repeat("  ", depth) + s.Kind.String() + " " + s.Name
		if sel := string(src[s.NameSpan.Start:s.NameSpan.End]); sel != s.Name {
			line += fmt.Sprintf(" @%q", sel)
		}
		out = append(out, line)
		out = append(out, showOutline(t, src, s.Children, depth+1, &s)...)
	}
	return out
}

func (w *navWorkspace) outline(t *testing.T, rel string) []string {
	t.Helper()
	path := w.root + "/" + rel
	syms, err := w.DocumentSymbols(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	src, err := w.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return showOutline(t, src, syms, 0, nil)
}

const outlineTree = `
Every kind of declaration an outline shows.
-- include/linux/widget.h --
#ifndef _LINUX_WIDGET_H
#define _LINUX_WIDGET_H

#define WIDGET_MAX	16
#define widget_ptr(w)	((w)->ptr)

struct widget_ops;

struct widget {
	const char *name;
	union {
		int id;
		long key;
	};
	struct widget_inner {
		int depth;
	} inner;
	void (*release)(struct widget *w);
	int a, b;
};

typedef struct {
	unsigned long bits;
} widget_mask_t;

typedef unsigned int widget_id_t;

enum widget_state {
	WIDGET_NEW,
	WIDGET_LIVE = 2,
};

enum { WIDGET_ANON = 1 };

extern int widget_count;

int widget_register(struct widget *w);

static inline int widget_id(const struct widget *w)
{
	return w->id;
}

#endif /* _LINUX_WIDGET_H */
-- drivers/widget/widget.rs --
//! A widget driver.

mod inner {
    pub fn helper() {}
}

pub struct Widget {
    pub id: u32,
    name: &'static str,
}

pub struct Handle(u32);

pub enum State {
    New,
    Live { since: u64 },
}

pub trait Ops {
    fn open(&self) -> i32;
}

impl Ops for Widget {
    fn open(&self) -> i32 {
        0
    }
}

impl Widget {
    pub const MAX: u32 = 16;
    pub fn new() -> Self {
        Widget { id: 0, name: "" }
    }
}

extern "C" {
    fn widget_register(w: *mut core::ffi::c_void) -> i32;
    static widget_count: i32;
}

#[no_mangle]
pub extern "C" fn widget_poke(id: u32) -> i32 {
    id as i32
}

pub const LIMIT: usize = 4;
static COUNT: u32 = 0;
type Id = u32;

macro_rules! widget {
    () => {};
}
`

func TestDocumentSymbolsC(t *testing.T) {
	w := txtarNav(t, outlineTree)
	want := []string{
		"constant WIDGET_MAX",
		"macro widget_ptr",
		"struct widget_ops",
		"struct widget",
		"  field name",
		"  field id",
		"  field key",
		"  field inner",
		"  struct widget_inner",
		"    field depth",
		"  field release",
		"  field a",
		"  field b",
		"typedef widget_mask_t",
		"  field bits",
		"typedef widget_id_t",
		"enum widget_state",
		"  enumerator WIDGET_NEW",
		"  enumerator WIDGET_LIVE",
		`enum (anonymous enum) @"enum"`,
		"  enumerator WIDGET_ANON",
		"variable widget_count",
		"function widget_register",
		"function widget_id",
	}
	if diff := cmp.Diff(want, w.outline(t, "include/linux/widget.h")); diff != "" {
		t.Errorf("outline -want +got:\n%s", diff)
	}
}

func TestDocumentSymbolsRust(t *testing.T) {
	w := txtarNav(t, outlineTree)
	want := []string{
		"module inner",
		"  function helper",
		"struct Widget",
		"  field id",
		"  field name",
		"struct Handle",
		`  field 0 @"u32"`,
		"enum State",
		"  enumerator New",
		"  enumerator Live",
		"trait Ops",
		"  method open",
		`impl impl Ops for Widget @"Widget"`,
		"  method open",
		`impl impl Widget @"Widget"`,
		"  constant MAX",
		"  method new",
		`extern block extern "C" @"extern"`,
		"  function widget_register",
		"  static widget_count",
		"function widget_poke",
		"constant LIMIT",
		"static COUNT",
		"typedef Id",
		"macro widget",
	}
	if diff := cmp.Diff(want, w.outline(t, "drivers/widget/widget.rs")); diff != "" {
		t.Errorf("outline -want +got:\n%s", diff)
	}
}

func TestDocumentSymbolsKernel(t *testing.T) {
	w := kernelNav(t)
	got := w.outline(t, "drivers/char/rcounter/rcounter.rs")
	want := []string{
		`extern block extern "C" @"extern"`,
		"  function rcounter_glue_register",
		"  function rcounter_glue_unregister",
		"constant NAME",
		"struct Stats",
		"  field bytes",
		"  field lines",
		"static STATS",
		"static STATS_KEY",
		"struct MiscRegistration",
		`  field 0 @"Opaque<bindings::miscdevice>"`,
		`impl impl Sync for MiscRegistration @"MiscRegistration"`,
		"static MISC",
		"function rcounter_account",
		"function rcounter_total",
		"struct RCounter",
		`impl impl Module for RCounter @"RCounter"`,
		"  method init",
		`impl impl Drop for RCounter @"RCounter"`,
		"  method drop",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rcounter.rs outline -want +got:\n%s", diff)
	}
	// A C header outside the index's needed set is parsed whole.
	glue := w.outline(t, "drivers/char/rcounter/rcounter_glue.c")
	wantGlue := []string{
		"constant RCOUNTER_MAX_WRITE",
		"function rcounter_write",
		"function rcounter_read",
		"variable rcounter_fops",
		"function rcounter_glue_register",
		"function rcounter_glue_unregister",
	}
	if diff := cmp.Diff(wantGlue, glue); diff != "" {
		t.Errorf("rcounter_glue.c outline -want +got:\n%s", diff)
	}
}
