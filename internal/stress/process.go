package stress

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// RSS returns a Memory sampler for process pid: its resident set size
// (VmRSS in /proc/PID/status, Linux), 0 when it cannot be read.
func RSS(pid int) func() uint64 {
	return func() uint64 { return procStatus(pid, "VmRSS:") }
}

// PeakRSS is the resident set's high-water mark of process pid (VmHWM),
// which the kernel keeps between samples; read it while the process runs
// (an exited process has none). 0 when it cannot be read.
func PeakRSS(pid int) uint64 {
	return procStatus(pid, "VmHWM:")
}

// Children returns the pids of the child processes of process pid
// (from /proc/PID/task/*/children, Linux): rivet never runs anything, so
// a language server with a child broke that rule.
func Children(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// procStatus reads a kB field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) uint64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for sc := bufio.NewScanner(bytes.NewReader(data)); sc.Scan(); {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// LogPanics returns the lines of a server log (slog's text format, as
// `rivet serve --log` writes it) that record a recovered panic, and the
// runtime's own panic and fatal error reports.
func LogPanics(log []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 64<<10), 16<<20) // a line may carry a whole stack
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, `msg="handler panicked"`) || strings.Contains(line, `msg="panic in background work"`) ||
			strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: ") {
			out = append(out, line[:min(len(line), 600)])
		}
	}
	return out
}
