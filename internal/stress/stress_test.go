package stress_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rivet-lsp/rivet/internal/stress"
	"github.com/rivet-lsp/rivet/server"
)

// TestStress drives an in-process server with two short sessions over
// testdata/kernel plus the hostile scratch tree: UTF-16 positions with
// pushed diagnostics, then UTF-8 with pulled ones. RIVET_STRESS=DURATION
// sets each session's length (default 5s); RIVET_KERNEL=PATH adds a
// kernel tree as a root; RIVET_STRESS_SEED fixes the seed;
// RIVET_STRESS_LOG=PATH writes the server's debug log to PATH.SESSION.
func TestStress(t *testing.T) {
	duration := 5 * time.Second
	if v := os.Getenv("RIVET_STRESS"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("RIVET_STRESS=%q: %v", v, err)
		}
		duration = d
	}
	testdata, err := filepath.Abs("../../testdata/kernel")
	if err != nil {
		t.Fatal(err)
	}
	roots := []string{testdata}
	limit, every := uint64(512<<20), time.Second
	if k := os.Getenv("RIVET_KERNEL"); k != "" {
		// A collection of a kernel-sized heap is not free: sample less.
		roots, limit, every = []string{k}, 3<<30, 10*time.Second
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("RIVET_STRESS_SEED"); v != "" {
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("RIVET_STRESS_SEED=%q: %v", v, err)
		}
	}
	for i, session := range []struct {
		name       string
		utf8, pull bool
	}{{"utf16-push", false, false}, {"utf8-pull", true, true}} {
		t.Run(session.name, func(t *testing.T) {
			log := &tailBuffer{max: 256 << 10}
			opts := stress.Options{
				Roots:        roots,
				Scratch:      filepath.Join(t.TempDir(), "scratch"),
				Duration:     duration,
				Seed:         seed + uint64(i),
				UTF8:         session.utf8,
				Pull:         session.pull,
				ReplyTimeout: 60 * time.Second,
				MemoryLimit:  limit,
				MemoryEvery:  every,
				Logf:         t.Logf,
			}
			var logOut io.Writer = log
			level := slog.LevelInfo
			if p := os.Getenv("RIVET_STRESS_LOG"); p != "" { // the whole debug log, for digging
				f, err := os.Create(fmt.Sprintf("%s.%s", p, session.name))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				logOut, level = io.MultiWriter(log, f), slog.LevelDebug
			}
			sopts := server.Options{
				CacheDir: t.TempDir(),
				Logger:   slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level})),
			}
			rep, err := stress.InProcess(context.Background(), opts, sopts)
			if err != nil {
				t.Fatalf("seed %d: %v\nserver log (tail):\n%s", opts.Seed, err, log)
			}
			t.Logf("%s", rep)
			if rep.Requests() < 25 { // a sanity floor: -race runs send far fewer than plain ones
				t.Errorf("only %d requests sent in %v", rep.Requests(), rep.Duration)
			}
			if rep.Failed() {
				t.Errorf("seed %d (RIVET_STRESS_SEED=%d reruns it): %d failures; server log (tail):\n%s",
					opts.Seed, seed, len(rep.Failures)+rep.MoreFailures, log)
			}
		})
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
