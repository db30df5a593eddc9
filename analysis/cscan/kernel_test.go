package cscan

// Tests against a real kernel tree. They run only when RIVET_KERNEL names
// one (see shared/kernel-source.sh), so `go test ./...` needs no kernel.
//
//	RIVET_KERNEL=/root/.cache/rivet-kernels/linux-7.3 go test ./analysis/cscan -run Kernel -v
//
// RIVET_CSCAN_DIFF=file writes every disagreement with ctags there;
// RIVET_CTAGS_R=1 also times `ctags -R` over the whole tree.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func kernelRoot(t *testing.T) string {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		t.Skip("RIVET_KERNEL is not set")
	}
	return root
}

// kernelSample is the precision sample: every step-th C file of each
// area, in path order.
var kernelSample = []struct {
	dir  string
	step int
}{
	{"include/linux", 30},
	{"kernel", 8},
	{"mm", 3},
	{"drivers", 400},
	{"rust/helpers", 1},
}

func sampleFiles(t *testing.T, root string) []string {
	var files []string
	for _, area := range kernelSample {
		var all []string
		err := filepath.WalkDir(filepath.Join(root, area.dir), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && isCFile(p) {
				rel, _ := filepath.Rel(root, p)
				all = append(all, rel)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(all)
		for k := 0; k < len(all); k += area.step {
			files = append(files, all[k])
		}
	}
	return files
}

func isCFile(p string) bool { return strings.HasSuffix(p, ".c") || strings.HasSuffix(p, ".h") }

// tagKey identifies a tag for comparison.
type tagKey struct {
	path, kind, name string
	line             int
}

// ctagsKind names a scanned declaration the way ctags' C parser does.
func ctagsKind(d facts.ScanDecl) string {
	switch d.Kind {
	case facts.DeclFunc:
		if d.Has(facts.FlagDefinition) {
			return "function"
		}
		return "prototype"
	case facts.DeclMacro:
		return "macro"
	case facts.DeclStruct:
		return "struct"
	case facts.DeclUnion:
		return "union"
	case facts.DeclEnum:
		return "enum"
	case facts.DeclEnumerator:
		return "enumerator"
	case facts.DeclTypedef:
		return "typedef"
	case facts.DeclGlobal:
		if d.Has(facts.FlagExtern) {
			return "externvar"
		}
		return "variable"
	}
	return d.Kind.String()
}

func runCtags(t *testing.T, root string, files []string) map[tagKey]bool {
	cmd := exec.Command("ctags", "--languages=C", "--langmap=C:+.h", "--kinds-C=+px",
		"--fields=+nK", "--output-format=json", "-o", "-", "-L", "-")
	cmd.Dir = root
	cmd.Stdin = strings.NewReader(strings.Join(files, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ctags (install universal-ctags): %v", err)
	}
	tags := map[tagKey]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var tag struct {
			Type, Name, Path, Kind string
			Line                   int
		}
		if err := json.Unmarshal(sc.Bytes(), &tag); err != nil {
			t.Fatalf("ctags output %q: %v", sc.Text(), err)
		}
		tags[tagKey{tag.Path, tag.Kind, tag.Name, tag.Line}] = true
	}
	return tags
}

// TestKernelCtagsAgreement compares the declarations found in a sample of
// the tree with Universal Ctags' C parser, per kind. Where the source
// shows that ctags is wrong (see ctagsMistake), the difference is counted
// apart, and the floors apply to the agreement on the rest.
func TestKernelCtagsAgreement(t *testing.T) {
	root := kernelRoot(t)
	files := sampleFiles(t, root)
	theirs := runCtags(t, root, files)
	ours := map[tagKey]bool{}
	srcLines := map[string][]string{}
	bodies := map[string][][2]int{} // one-based first and last line of our function bodies
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		srcLines[f] = strings.Split(string(src), "\n")
		for _, d := range Scan(src).Decls {
			ours[tagKey{f, ctagsKind(d), d.Name, int(d.Line) + 1}] = true
			if d.Kind == facts.DeclFunc && d.Has(facts.FlagDefinition) {
				last := bytes.Count(src[:d.Span.End], []byte("\n")) + 1
				bodies[f] = append(bodies[f], [2]int{int(d.Line) + 1, last})
			}
		}
	}
	// Tags ctags puts on a line where we found something else.
	theirLines := map[[2]string]string{}
	for k := range theirs {
		theirLines[[2]string{k.path, fmt.Sprint(k.line)}] = k.name
	}

	type counts struct{ both, onlyOurs, onlyTheirs, excused int }
	per := map[string]*counts{}
	get := func(kind string) *counts {
		if per[kind] == nil {
			per[kind] = &counts{}
		}
		return per[kind]
	}
	excuses := map[string]int{}
	var diff []string
	for k := range ours {
		c := get(k.kind)
		switch {
		case theirs[k]:
			c.both++
		case isAnnotationName(theirLines[[2]string{k.path, fmt.Sprint(k.line)}]):
			c.excused++
			excuses["ctags took an annotation for the name"]++
		default:
			c.onlyOurs++
			diff = append(diff, fmt.Sprintf("+ours   %s:%d %s %s", k.path, k.line, k.kind, k.name))
		}
	}
	for k := range theirs {
		if ours[k] || per[k.kind] == nil && !slices.Contains(comparedKinds, k.kind) {
			continue
		}
		c := get(k.kind)
		if why := ctagsMistake(k, srcLines[k.path], bodies[k.path]); why != "" {
			c.excused++
			excuses[why]++
			continue
		}
		c.onlyTheirs++
		diff = append(diff, fmt.Sprintf("-ctags  %s:%d %s %s", k.path, k.line, k.kind, k.name))
	}
	t.Logf("%d files; recall = found/ctags, precision = confirmed/found, both after leaving out ctags' mistakes", len(files))
	for _, k := range comparedKinds {
		c := per[k]
		if c == nil {
			continue
		}
		recall := float64(c.both) / float64(c.both+c.onlyTheirs)
		precision := float64(c.both) / float64(c.both+c.onlyOurs)
		t.Logf("%-10s agree %5d  only ctags %4d  only ours %4d  ctags wrong %4d  recall %.3f  precision %.3f",
			k, c.both, c.onlyTheirs, c.onlyOurs, c.excused, recall, precision)
		if min := minAgreement[k]; recall < min || precision < min {
			t.Errorf("%s: recall %.3f, precision %.3f, want both >= %.2f", k, recall, precision, min)
		}
	}
	for why, n := range excuses {
		t.Logf("ctags wrong: %4d %s", n, why)
	}
	if p := os.Getenv("RIVET_CSCAN_DIFF"); p != "" {
		slices.Sort(diff)
		if err := os.WriteFile(p, []byte(strings.Join(diff, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var comparedKinds = []string{"function", "prototype", "macro", "struct", "union", "enum", "enumerator", "typedef", "variable", "externvar"}

func isAnnotationName(name string) bool {
	switch classify([]byte(name)) {
	case wAttrCall, wAttrWord, wMustCheck:
		return true
	}
	return false
}

// ctagsMistake says why a tag only ctags reports is wrong, as the source
// shows it, or "" when nothing shows it.
func ctagsMistake(k tagKey, lines []string, bodies [][2]int) string {
	line := ""
	if k.line-1 < len(lines) {
		line = strings.TrimSpace(lines[k.line-1])
	}
	switch {
	case strings.HasPrefix(k.name, "__anon"):
		return "anonymous record (cscan keeps tagged ones only)"
	case isAnnotationName(k.name):
		return "an annotation taken for a name"
	case (k.kind == "prototype" || k.kind == "function") && isInvocationOf(line, k.name) && endsStatement(lines, k.line-2):
		return "a macro invocation taken for a function (invocation at line start, no type)"
	case k.kind == "prototype" && isCallInExpression(lines, k.line-1, k.name):
		return "a call in an initializer or assertion taken for a prototype"
	case (k.kind == "enum" || k.kind == "enumerator") && inEnumArray(lines, k.line-1):
		return "an array of enum type taken for an enum definition"
	}
	for _, b := range bodies {
		if b[0] < k.line && k.line <= b[1] {
			return "declared inside a function body"
		}
	}
	return ""
}

// endsStatement reports whether the source before line k (zero-based)
// ends a statement or a directive, so that line k starts a new one: a
// type written on the line above is no type of the line.
func endsStatement(lines []string, k int) bool {
	for ; k >= 0; k-- {
		l := strings.TrimSpace(lines[k])
		switch {
		case l == "":
			continue
		case strings.HasPrefix(l, "#"), strings.HasSuffix(l, "*/"), strings.HasPrefix(l, "//"):
			return true
		}
		last := l[len(l)-1]
		return strings.ContainsRune(";}){\\", rune(last))
	}
	return true
}

// isCallInExpression reports whether name( on line k (zero-based) is
// called in an initializer (after `=`) or a static assertion.
func isCallInExpression(lines []string, k int, name string) bool {
	l := strings.TrimSpace(lines[k])
	before, _, found := strings.Cut(l, name+"(")
	if !found {
		return false
	}
	prev := ""
	if k > 0 {
		prev = strings.TrimSpace(lines[k-1])
	}
	return strings.Contains(before, "=") || strings.HasSuffix(prev, "=") ||
		strings.HasPrefix(l, "static_assert(") || strings.HasPrefix(l, "_Static_assert(")
}

// inEnumArray reports whether line k (zero-based) is in or starts the
// initializer of an array of enum type (`static enum x names[] = {`).
func inEnumArray(lines []string, k int) bool {
	for j := k; j >= 0 && j > k-500; j-- {
		l := lines[j]
		if strings.Contains(l, "enum ") {
			return strings.Contains(l, "[") && strings.Contains(l, "=")
		}
		if j < k && strings.Contains(l, ";") {
			return false
		}
	}
	return false
}

// isInvocationOf reports whether line starts with `name(`, after `static`
// or `const`.
func isInvocationOf(line, name string) bool {
	line = strings.TrimPrefix(strings.TrimPrefix(line, "static "), "const ")
	rest, ok := strings.CutPrefix(line, name)
	return ok && strings.HasPrefix(strings.TrimSpace(rest), "(")
}

// minAgreement is the agreement with ctags each kind must keep. Most of
// the remaining differences are ctags' mistakes (see the report in
// TestKernelCtagsAgreement's history); the floors catch regressions.
var minAgreement = map[string]float64{
	"function":  0.97,
	"prototype": 0.95,
	"macro":     0.99,
	"struct":    0.97,
	"typedef":   0.97,
}

// TestKernelWholeTree scans every .c and .h file of the tree with two
// goroutines and logs the throughput, the declarations per kind, the
// memory the results hold, and how often the brace structure had to be
// recovered.
func TestKernelWholeTree(t *testing.T) {
	root := kernelRoot(t)
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && isCFile(p) && d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	results := make([]*facts.Scan, len(paths))
	sts := make([]stats, len(paths))
	var nBytes, next atomic.Int64
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	start := time.Now()
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(paths) {
					return
				}
				src, err := os.ReadFile(paths[k])
				if err != nil {
					t.Error(err)
					return
				}
				results[k], sts[k] = scan(src)
				nBytes.Add(int64(len(src)))
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	cpu := cpuTime() - cpu0

	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	mb := float64(nBytes.Load()) / 1e6
	t.Logf("%d files, %.0f MB read and scanned by 2 goroutines: wall %v (%.0f MB/s), CPU %v user+sys (%.0f MB/s per core)",
		len(paths), mb, wall.Round(time.Millisecond), mb/wall.Seconds(), cpu.Round(time.Millisecond), mb/cpu.Seconds())
	t.Logf("results hold %.1f MB of heap", float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/1e6)

	perKind := map[facts.DeclKind]int{}
	var nCallees, nIncludes, nCleanups int
	for _, r := range results {
		for _, d := range r.Decls {
			perKind[d.Kind]++
		}
		nCallees += len(r.Callees)
		nIncludes += len(r.Includes)
		nCleanups += len(r.Cleanups)
	}
	for k := facts.DeclFunc; k <= facts.DeclEnumerator; k++ {
		t.Logf("%-10s %8d", k, perKind[k])
	}
	t.Logf("includes %d, callee names %d (distinct per file), cleanups %d", nIncludes, nCallees, nCleanups)

	var withRecovery, strayClose, openAtEOF, brokenStmt, overflowed, condRestore int
	var worst []string
	for k, st := range sts {
		if st.recoveries() > 0 {
			withRecovery++
		}
		if st.recoveries() > 0 || st.condRestore > 0 || st.overflowed > 0 {
			if len(worst) < 20 {
				worst = append(worst, fmt.Sprintf("%s %+v", paths[k], st))
			}
		}
		strayClose += st.strayClose
		openAtEOF += st.openAtEOF
		brokenStmt += st.brokenStmt
		overflowed += st.overflowed
		if st.condRestore > 0 {
			condRestore++
		}
	}
	t.Logf("brace recovery: %d files of %d (stray `}` %d, open at EOF %d, statements cut short %d); %d files had #if branches ending at different depths; %d statements too long",
		withRecovery, len(paths), strayClose, openAtEOF, brokenStmt, condRestore, overflowed)
	for _, w := range worst {
		t.Log("  ", w)
	}
	runtime.KeepAlive(results)

	if os.Getenv("RIVET_CTAGS_R") != "" {
		out := filepath.Join(t.TempDir(), "tags")
		t0 := time.Now()
		cmd := exec.Command("ctags", "-R", "-f", out, ".")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ctags -R: %v\n%s", err, b)
		}
		d := time.Since(t0)
		ctagsCPU := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		t.Logf("ctags -R (every language, one process): wall %v, CPU %v; cscan is %.1fx faster in wall time, %.1fx in CPU time",
			d.Round(time.Millisecond), ctagsCPU.Round(time.Millisecond), d.Seconds()/wall.Seconds(), ctagsCPU.Seconds()/cpu.Seconds())
	}
}
