package analysistest

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing the
// test, so the harness's own failures can be asserted. Fatal ends the
// goroutine, as the real one does; run calls the code under test on a
// goroutine of its own for that.
type recorder struct {
	testing.TB // the real test: TempDir, Helper, Logf

	mu     sync.Mutex
	errors []string
	fatal  bool
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.mu.Lock()
	r.fatal = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

func (r *recorder) Fail() { r.Errorf("Fail called") }

func (r *recorder) FailNow() { r.Fatalf("FailNow called") }

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errors) > 0
}

// run calls f with a recorder wrapping t and returns the recorder.
func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

const demoTree = `
-- drivers/demo/a.rs --
fn f() {
    a(); // want "lifecycle-leak"
    b(); // want "lock-imbalance" "lock-imbalance"
    c();
}
-- rust/helpers/x.c --
__rust_helper bool rust_helper_x(void) /* want "helper-attribute-lost" */
`

var allReported = []Report{
	{File: "drivers/demo/a.rs", Line: 2, Code: "lifecycle-leak", Message: "leaked"},
	{File: "drivers/demo/a.rs", Line: 3, Code: "lock-imbalance", Message: "held"},
	{File: "drivers/demo/a.rs", Line: 3, Code: "lock-imbalance", Message: "held again"},
	{File: "rust/helpers/x.c", Line: 1, Code: "helper-attribute-lost", Message: "lost"},
}

func TestCheckPasses(t *testing.T) {
	dir := WriteTxtar(t, demoTree)
	r := run(t, func(tb testing.TB) { Check(tb, dir, allReported) })
	if r.Failed() {
		t.Errorf("Check failed on matching reports: %v", r.errors)
	}
}

func TestCheckMissing(t *testing.T) {
	dir := WriteTxtar(t, demoTree)
	got := append([]Report(nil), allReported[:2]...) // one lock-imbalance and the helper missing
	r := run(t, func(tb testing.TB) { Check(tb, dir, got) })
	msg := failure(t, r)
	for _, part := range []string{
		"missing (2 wanted, not reported)",
		"drivers/demo/a.rs:3: lock-imbalance",
		"rust/helpers/x.c:1: helper-attribute-lost",
	} {
		if !strings.Contains(msg, part) {
			t.Errorf("failure lacks %q:\n%s", part, msg)
		}
	}
	if strings.Contains(msg, "unexpected") {
		t.Errorf("failure lists unexpected reports though there are none:\n%s", msg)
	}
}

func TestCheckUnexpected(t *testing.T) {
	dir := WriteTxtar(t, demoTree)
	got := append([]Report{
		{File: "drivers/demo/a.rs", Line: 4, Code: "lifecycle-leak", Message: "c leaks"},
		{File: "drivers/demo/a.rs", Line: 2, Code: "lock-imbalance", Message: "wrong code on a wanted line"},
	}, allReported...)
	r := run(t, func(tb testing.TB) { Check(tb, dir, got) })
	msg := failure(t, r)
	for _, part := range []string{
		"unexpected (2 reported, not wanted)",
		"drivers/demo/a.rs:2: lock-imbalance: wrong code on a wanted line",
		"drivers/demo/a.rs:4: lifecycle-leak: c leaks",
	} {
		if !strings.Contains(msg, part) {
			t.Errorf("failure lacks %q:\n%s", part, msg)
		}
	}
	// Sorted by line: line 2 before line 4.
	if strings.Index(msg, "a.rs:2: lock-imbalance") > strings.Index(msg, "a.rs:4:") {
		t.Errorf("unexpected reports not sorted by position:\n%s", msg)
	}
}

func TestCheckExtraDuplicate(t *testing.T) {
	dir := WriteTxtar(t, demoTree)
	got := append([]Report{allReported[0]}, allReported...) // lifecycle-leak twice, wanted once
	r := run(t, func(tb testing.TB) { Check(tb, dir, got) })
	if msg := failure(t, r); !strings.Contains(msg, "unexpected (1 reported") {
		t.Errorf("a second report on a line that wants one was accepted:\n%s", msg)
	}
}

func TestCheckAbsolutePaths(t *testing.T) {
	dir := WriteTxtar(t, demoTree)
	got := append([]Report(nil), allReported...)
	for i := range got {
		got[i].File = filepath.Join(dir, filepath.FromSlash(got[i].File))
	}
	r := run(t, func(tb testing.TB) { Check(tb, dir, got) })
	if r.Failed() {
		t.Errorf("Check failed on absolute paths inside the root: %v", r.errors)
	}
}

func TestCheckFixmeIsAsserted(t *testing.T) {
	dir := WriteTxtar(t, `
-- a.rs --
f(); // want "lifecycle-leak" // FIXME: false positive, the value is moved into a KBox
`)
	r := run(t, func(tb testing.TB) { Check(tb, dir, nil) })
	msg := failure(t, r)
	for _, part := range []string{
		"a.rs:1: lifecycle-leak (FIXME: false positive, the value is moved into a KBox)",
		"known-wrong behaviour changed",
	} {
		if !strings.Contains(msg, part) {
			t.Errorf("failure lacks %q:\n%s", part, msg)
		}
	}
}

func TestCheckMalformedWantIsFatal(t *testing.T) {
	dir := WriteTxtar(t, "-- a.rs --\nf(); // want \"lifecycle-leak\n")
	r := run(t, func(tb testing.TB) { Check(tb, dir, nil) })
	if !r.fatal || !strings.Contains(failure(t, r), "a.rs:1: want:") {
		t.Errorf("malformed want: fatal=%v errors=%v", r.fatal, r.errors)
	}
}

// failure returns the recorder's single failure message, failing t when
// there is not exactly one.
func failure(t *testing.T, r *recorder) string {
	t.Helper()
	if len(r.errors) != 1 {
		t.Fatalf("got %d failures, want 1: %q", len(r.errors), r.errors)
	}
	return r.errors[0]
}

func TestMatchPairsDuplicates(t *testing.T) {
	wants := []Want{
		{File: "a.rs", Line: 1, Code: "x"},
		{File: "a.rs", Line: 1, Code: "x"},
		{File: "a.rs", Line: 2, Code: "y"},
	}
	got := []Report{{File: "a.rs", Line: 1, Code: "x"}, {File: "a.rs", Line: 3, Code: "y"}}
	missing, unexpected := match(wants, got)
	if len(missing) != 2 || missing[0].Line != 1 || missing[1].Line != 2 {
		t.Errorf("missing = %v, want a.rs:1 x and a.rs:2 y", missing)
	}
	if len(unexpected) != 1 || unexpected[0].Line != 3 {
		t.Errorf("unexpected = %v, want a.rs:3 y", unexpected)
	}
}
