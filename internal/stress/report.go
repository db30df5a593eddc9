package stress

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// maxFailures bounds the failures a report keeps word for word.
const maxFailures = 50

// Report is what one session did and what the server did wrong.
type Report struct {
	Seed     uint64
	Duration time.Duration
	// Counts are what the driver did and how the server answered, by
	// kind: "sent textDocument/hover", "notified textDocument/didChange",
	// "answer: error -32800 RequestCancelled", "edits", ...
	Counts map[string]int
	// Received are the server's notifications and requests by method.
	Received map[string]int
	// ActionTime is the driver's time in each kind of step: mostly
	// writing, so it shows where the server's read loop was slow.
	ActionTime map[string]time.Duration
	// Latency is the answer time of each request method.
	Latency map[string]Latency
	// Builds are the index builds the server reported ready.
	Builds []string
	Memory Memory
	// Failures are the broken guarantees, the first maxFailures of them;
	// MoreFailures counts the rest.
	Failures     []string
	MoreFailures int

	durations map[string][]time.Duration
}

// Latency summarises answer times.
type Latency struct {
	N             int
	P50, P99, Max time.Duration
}

// Memory summarises the memory samples, in bytes.
type Memory struct {
	Samples           int
	First, Peak, Last uint64
}

func (m *Memory) add(v uint64) {
	if m.Samples == 0 {
		m.First = v
	}
	m.Samples++
	m.Peak = max(m.Peak, v)
	m.Last = v
}

func newReport(seed uint64) *Report {
	return &Report{Seed: seed, Counts: map[string]int{}, Received: map[string]int{},
		Latency: map[string]Latency{}, ActionTime: map[string]time.Duration{}, durations: map[string][]time.Duration{}}
}

// Failed reports whether any guarantee broke.
func (r *Report) Failed() bool { return len(r.Failures) > 0 }

// Requests is the number of requests sent.
func (r *Report) Requests() int {
	n := 0
	for k, v := range r.Counts {
		if strings.HasPrefix(k, "sent ") {
			n += v
		}
	}
	return n
}

func (r *Report) fail(msg string) {
	if len(r.Failures) < maxFailures {
		r.Failures = append(r.Failures, msg)
	} else {
		r.MoreFailures++
	}
}

func (r *Report) latency(method string, d time.Duration) {
	r.durations[method] = append(r.durations[method], d)
}

func (r *Report) summarize() {
	for m, ds := range r.durations {
		slices.Sort(ds)
		r.Latency[m] = Latency{N: len(ds), P50: ds[len(ds)/2], P99: ds[len(ds)*99/100], Max: ds[len(ds)-1]}
	}
}

// String formats the report for a log or a terminal.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d, %v: %d requests", r.Seed, r.Duration.Round(time.Millisecond), r.Requests())
	if r.Memory.Samples > 0 {
		fmt.Fprintf(&b, "; memory first %d MiB, peak %d MiB, last %d MiB (%d samples)",
			r.Memory.First>>20, r.Memory.Peak>>20, r.Memory.Last>>20, r.Memory.Samples)
	}
	b.WriteString("\n")
	writeCounts(&b, "driver and answers", r.Counts)
	writeCounts(&b, "from the server", r.Received)
	b.WriteString("driver time by step:\n")
	for _, k := range sortedKeys(r.ActionTime) {
		fmt.Fprintf(&b, "  %-36s %v\n", k, r.ActionTime[k].Round(time.Millisecond))
	}
	b.WriteString("latency:\n")
	for _, m := range sortedKeys(r.Latency) {
		l := r.Latency[m]
		fmt.Fprintf(&b, "  %-36s n=%-6d p50=%-10v p99=%-10v max=%v\n", m, l.N,
			l.P50.Round(time.Microsecond), l.P99.Round(time.Microsecond), l.Max.Round(time.Microsecond))
	}
	for _, s := range r.Builds {
		fmt.Fprintf(&b, "build: %s\n", s)
	}
	fmt.Fprintf(&b, "failures: %d\n", len(r.Failures)+r.MoreFailures)
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "  FAIL %s\n", f)
	}
	if r.MoreFailures > 0 {
		fmt.Fprintf(&b, "  ... and %d more\n", r.MoreFailures)
	}
	return b.String()
}

func writeCounts(b *strings.Builder, title string, m map[string]int) {
	fmt.Fprintf(b, "%s:\n", title)
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(b, "  %-60s %d\n", k, m[k])
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
