package lifecycle

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/index"
)

// Describe explains an Effect in one line per fact, for hover and inlay
// hint tooltips, each with its most trusted source:
//
//	returns a new reference — released by put_device (AlwaysRefCounted for Device, rust/kernel/device.rs:438)
//	may sleep: clk_prepare → might_sleep (drivers/clk/clk.c:71)
//
// Paths are relative to the kernel tree's root; line numbers are read
// from the files on disk.
func (kb *KB) Describe(e Effect) []string {
	var out []string
	add := func(text string, src *Source) {
		if src != nil {
			text += " (" + kb.where(*src) + ")"
		}
		out = append(out, text)
	}
	switch {
	case e.Devm:
		text := "device-managed: the device core releases it when the driver unbinds"
		if e.Acquires != nil {
			text += "; " + joinOr(e.Acquires.Releases) + " releases it early"
		}
		add(text, kb.sourceOf(e, Naming, CBody))
	case e.Borrowed:
		add("returns a borrowed pointer: the caller must not release it", kb.firstSource(e.Sources, func(s Source) bool {
			return strings.Contains(s.Desc, "borrowed") || s.Kind == Builtin || s.Kind == Config
		}))
	}
	if p := e.Acquires; p != nil && !e.Devm {
		add(acquireText(e, p), &p.Source)
	}
	if len(e.Releases) > 0 {
		add(releaseText(e), &e.Releases[0].Source)
	}
	if e.ReturnsErrPtr {
		add("may return an ERR_PTR: check it with from_err_ptr or IS_ERR, not only for NULL", kb.firstSource(e.Sources, func(s Source) bool { return strings.Contains(s.Desc, "ERR_PTR") || s.Kind == Builtin }))
	}
	if e.ReturnsNull {
		add("may return NULL", kb.firstSource(e.Sources, func(s Source) bool { return strings.Contains(s.Desc, "NULL") }))
	}
	switch {
	case e.MaySleep && len(e.SleepChain) == 1 && e.SleepChain[0].Path == "":
		what := e.SleepChain[0].What
		src := kb.firstSource(e.Sources, func(s Source) bool { return s.Path == "" && (s.Kind >= Naming || s.Desc == what) })
		if src != nil && src.Desc == what {
			src = &Source{Desc: src.Kind.String()}
		}
		add("may sleep: "+what, src)
	case e.MaySleep && len(e.SleepChain) > 0:
		last := e.SleepChain[len(e.SleepChain)-1]
		var steps []string
		for _, ev := range e.SleepChain {
			steps = append(steps, ev.Fn)
		}
		text := "may sleep: " + strings.Join(steps, " → ") + " → " + last.What
		if last.Path != "" {
			add(text, &Source{Path: last.Path, Span: last.Span})
		} else {
			out = append(out, text)
		}
	case e.SleepsIfGFP:
		out = append(out, fmt.Sprintf("may sleep when argument %d allows blocking (GFP_KERNEL), not with GFP_ATOMIC", e.GFPArg+1))
	}
	if e.EntersAtomic {
		out = append(out, "enters atomic context: nothing may sleep until it is undone")
	}
	if e.LeavesAtomic {
		out = append(out, "leaves atomic context")
	}
	for _, i := range e.Keeps {
		add(fmt.Sprintf("keeps argument %d beyond the call: it must outlive the registration", i+1), kb.firstSource(e.Sources, func(s Source) bool {
			return strings.Contains(s.Desc, fmt.Sprintf("argument %d", i+1)) || s.Kind == Naming
		}))
	}
	for _, s := range e.Sources {
		if strings.HasPrefix(s.Desc, "the caller must hold") {
			add(s.Desc, &Source{Path: s.Path, Span: s.Span})
		}
	}
	return out
}

// acquireText says what an acquire acquires and what releases it.
func acquireText(e Effect, p *Pair) string {
	rel := joinOr(shortList(p.Releases))
	var what string
	switch p.Kind {
	case Ref:
		what = "returns a new reference"
		if e.AcquireArg >= 0 {
			what = fmt.Sprintf("takes a reference on argument %d", e.AcquireArg+1)
		}
		return what + condText(e.Cond) + " — released by " + rel
	case Lock:
		what = fmt.Sprintf("takes the lock in argument %d", e.AcquireArg+1)
		if e.AcquireArg < 0 {
			what = "starts a critical section"
		}
		return what + condText(e.Cond) + " — released by " + rel
	case Register:
		what = "registers its argument"
		if e.AcquireArg >= 0 {
			what = fmt.Sprintf("registers argument %d", e.AcquireArg+1)
		}
		return what + condText(e.Cond) + " — undone by " + rel
	}
	what = "returns an allocation"
	if e.AcquireArg >= 0 {
		what = fmt.Sprintf("acquires argument %d", e.AcquireArg+1)
	}
	return what + condText(e.Cond) + " — freed by " + rel
}

func condText(c Cond) string {
	switch c {
	case IfNonZero:
		return " when it returns non-zero"
	case IfZero:
		return " when it returns 0"
	}
	return ""
}

// releaseText says what a release releases.
func releaseText(e Effect) string {
	var acqs []string
	for _, p := range e.Releases {
		if p.Acquire != "" {
			acqs = append(acqs, p.Acquire)
		}
	}
	arg := ""
	if e.ReleaseArg >= 0 {
		arg = fmt.Sprintf(" (argument %d)", e.ReleaseArg+1)
	}
	if len(acqs) == 0 {
		return "releases" + arg
	}
	verb := "acquires"
	if e.Releases[0].Kind == Lock {
		verb = "takes"
	}
	return "releases what " + joinOr(shortList(acqs)) + " " + verb + arg
}

// shortList keeps the first four names, marking the rest.
func shortList(ss []string) []string {
	if len(ss) <= 4 {
		return ss
	}
	return append(append([]string(nil), ss[:4]...), fmt.Sprintf("%d more", len(ss)-4))
}

// sourceOf returns the first source of one of the kinds.
func (kb *KB) sourceOf(e Effect, kinds ...SourceKind) *Source {
	return kb.firstSource(e.Sources, func(s Source) bool {
		for _, k := range kinds {
			if s.Kind == k {
				return true
			}
		}
		return false
	})
}

func (kb *KB) firstSource(srcs []Source, ok func(Source) bool) *Source {
	for i := range srcs {
		if ok(srcs[i]) {
			return &srcs[i]
		}
	}
	return nil
}

// where formats a source: "AlwaysRefCounted for Device, rust/kernel/device.rs:438".
func (kb *KB) where(s Source) string {
	loc := ""
	if s.Path != "" {
		loc = kb.relPath(s.Path)
		if line := kb.lines.line(s.Path, s.Span.Start); line > 0 {
			loc += fmt.Sprintf(":%d", line)
		}
	}
	switch {
	case s.Desc == "":
		return loc
	case loc == "":
		return s.Desc
	}
	return s.Desc + ", " + loc
}

// Where is the display location of a source: "rust/kernel/device.rs:438",
// "" for sources without a file.
func (kb *KB) Where(s Source) string {
	if kb == nil || s.Path == "" {
		return ""
	}
	return kb.where(Source{Path: s.Path, Span: s.Span})
}

func (kb *KB) relPath(p string) string {
	if kb.root != "" {
		if r, ok := strings.CutPrefix(p, strings.TrimSuffix(kb.root, "/")+"/"); ok {
			return r
		}
	}
	return p
}

// lineCache maps byte offsets to 1-based line numbers, reading each file
// once.
type lineCache struct {
	mu     sync.Mutex
	starts map[string][]uint32 // path -> offsets where lines start; nil: unreadable
}

func newLineCache() *lineCache { return &lineCache{starts: map[string][]uint32{}} }

// line returns the line of off in the file at path, or 0 when the file
// cannot be read.
func (c *lineCache) line(path string, off uint32) int {
	c.mu.Lock()
	starts, ok := c.starts[path]
	c.mu.Unlock()
	if !ok {
		if src, err := index.ReadDisk(path); err == nil {
			starts = []uint32{0}
			for i := bytes.IndexByte(src, '\n'); i >= 0; {
				starts = append(starts, uint32(i+1))
				j := bytes.IndexByte(src[i+1:], '\n')
				if j < 0 {
					break
				}
				i += j + 1
			}
		}
		c.mu.Lock()
		c.starts[path] = starts
		c.mu.Unlock()
	}
	if starts == nil {
		return 0
	}
	return sort.Search(len(starts), func(i int) bool { return starts[i] > off })
}
