// Command stress drives a real `rivet serve` process over stdio with the
// stress client of internal/stress and prints its report: what was sent,
// how it was answered, latencies, peak RSS and every broken guarantee. It
// exits 1 when a guarantee broke, when the server logged a recovered
// panic, or when the server did not exit with status 0 after shutdown
// and exit.
//
//	go build -o /tmp/rivet . && go run ./internal/tools/stress -rivet /tmp/rivet \
//	    -root /path/to/linux -duration 10m
//
// The server runs with XDG_CACHE_HOME in a temporary directory (or
// -cache), so the user's facts cache is never touched; its log (and, if
// it hangs, the goroutine dump SIGQUIT makes it print) goes to -log.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rivet-lsp/rivet/internal/stress"
)

func main() {
	rivet := flag.String("rivet", "rivet", "the rivet binary")
	roots := flag.String("root", "testdata/kernel", "workspace roots, comma-separated (read, never written)")
	duration := flag.Duration("duration", time.Minute, "how long random traffic runs")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "random seed")
	utf8 := flag.Bool("utf8", false, "negotiate UTF-8 positions (default UTF-16)")
	pull := flag.Bool("pull", false, "declare pull diagnostics")
	timeout := flag.Duration("timeout", time.Minute, "the bound on any answer")
	rssLimit := flag.Uint64("rss-limit", 0, "fail when the server's RSS exceeds this many MiB (0: no limit)")
	logPath := flag.String("log", "", "the server's log file (default: a temporary file, kept and named on failure)")
	cache := flag.String("cache", "", "XDG_CACHE_HOME for the server (default: a temporary directory)")
	flag.Parse()

	code, err := run(*rivet, strings.Split(*roots, ","), stress.Options{
		Duration: *duration, Seed: *seed, UTF8: *utf8, Pull: *pull, ReplyTimeout: *timeout,
		MemoryLimit: *rssLimit << 20,
		Logf:        func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) },
	}, *logPath, *cache)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stress:", err)
	}
	os.Exit(code)
}

// run starts the server, drives it, and returns the exit code.
func run(rivet string, roots []string, opts stress.Options, logPath, cache string) (int, error) {
	tmp, err := os.MkdirTemp("", "rivet-stress-")
	if err != nil {
		return 2, err
	}
	defer os.RemoveAll(tmp)
	for i, r := range roots {
		if roots[i], err = filepath.Abs(r); err != nil {
			return 2, err
		}
	}
	opts.Roots = roots
	opts.Scratch = filepath.Join(tmp, "scratch")
	if cache == "" {
		cache = filepath.Join(tmp, "cache")
	}
	tempLog := logPath == ""
	if tempLog {
		f, err := os.CreateTemp("", "rivet-stress-*.log")
		if err != nil {
			return 2, err
		}
		f.Close()
		logPath = f.Name()
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return 2, err
	}
	defer logFile.Close()

	cmd := exec.Command(rivet, "serve", "--log", logPath, "--log-level", "info")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache)
	cmd.Stderr = logFile // the runtime's panic and SIGQUIT reports
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 2, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 2, err
	}
	if err := cmd.Start(); err != nil {
		return 2, err
	}
	pid := cmd.Process.Pid
	rss := stress.RSS(pid)
	var spawned atomic.Int64
	var peak atomic.Uint64 // VmHWM as last read: a process that has exited has none
	notePeak := func() {
		if p := stress.PeakRSS(pid); p > peak.Load() {
			peak.Store(p)
		}
	}
	opts.Memory = func() uint64 { // and, while at it, what the server runs and its high-water mark
		spawned.Add(int64(len(stress.Children(pid))))
		notePeak()
		return rss()
	}
	opts.Stuck = func() string {
		cmd.Process.Signal(syscall.SIGQUIT) // Go prints every goroutine's stack, then exits
		return "the server's goroutine stacks are in " + logPath
	}
	exited := make(chan error, 1)
	rep, runErr := stress.Run(context.Background(), stdout, stdin, opts)
	notePeak() // the server may still be running; if it exited, the last sample stands
	go func() { exited <- cmd.Wait() }()
	var exitErr error
	select {
	case exitErr = <-exited:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		exitErr = errors.New("the server did not exit within 15 s of exit; killed")
		<-exited
	}
	if rep == nil {
		return 1, errors.Join(runErr, exitErr)
	}
	if exitErr != nil {
		rep.Failures = append(rep.Failures, fmt.Sprintf("server process: %v, want exit status 0", exitErr))
	}
	if n := spawned.Load(); n > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("the server had child processes in %d samples: rivet never runs anything", n))
	}
	if log, err := os.ReadFile(logPath); err == nil {
		for _, p := range stress.LogPanics(log) {
			rep.Failures = append(rep.Failures, "server log: "+p)
		}
	}
	fmt.Print(rep)
	fmt.Printf("peak RSS (VmHWM) %d MiB\n", peak.Load()>>20)
	if runErr != nil || rep.Failed() {
		fmt.Printf("server log: %s\n", logPath)
		return 1, runErr
	}
	if tempLog {
		os.Remove(logPath)
	}
	return 0, nil
}
