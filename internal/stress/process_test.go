package stress

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The process tests run `rivet serve` as a real child process: built once
// into a directory any user can read, so it can also run as nobody.

var (
	binDir  string
	binOnce sync.Once
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// rivetBinary builds the rivet command once per test binary.
func rivetBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "rivet-stress-bin-"); binErr != nil {
			return
		}
		if binErr = os.Chmod(binDir, 0o755); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "rivet")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/rivet-lsp/rivet").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// child is a `rivet serve` child process and a connection to it.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.Reader
	c      *conn // set by connect
	log    string
	exited chan struct{}
	err    error // cmd.Wait's, once exited is closed
}

// startServer runs `rivet serve` with its facts cache under a temporary
// XDG_CACHE_HOME, as uid/gid 65534 through setpriv when asNobody.
func startServer(t *testing.T, asNobody bool) *child {
	t.Helper()
	dir := worldReadableDir(t)
	cache := filepath.Join(dir, "cache")
	if err := os.Mkdir(cache, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(cache, 0o777) // past the umask
	s := &child{log: filepath.Join(dir, "serve.log"), exited: make(chan struct{})}
	args := []string{rivetBinary(t), "serve", "--log-level", "debug"}
	if asNobody {
		args = append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"}, args...)
	}
	s.cmd = exec.Command(args[0], args[1:]...)
	s.cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache)
	logFile, err := os.Create(s.log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	s.cmd.Stderr = logFile
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if s.stdout, err = s.cmd.StdoutPipe(); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		<-s.exited
		if t.Failed() {
			log, _ := os.ReadFile(s.log)
			t.Logf("server log:\n%s", log)
		}
	})
	return s
}

// worldReadableDir is a temporary directory any user can enter.
func worldReadableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rivet-stress-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// connect opens a bare connection to the server: server-to-client
// requests answered with null, notifications ignored.
func (s *child) connect() {
	s.c = newConn(s.stdin)
	s.c.answer = func(string, json.RawMessage) (any, *rpcError) { return nil, nil }
	s.c.notified = func(string, json.RawMessage) {}
	s.c.violation = func(string, ...any) {}
	go s.c.readLoop(s.stdout)
}

// initialize connects and opens the session with the client process pid
// (0: null).
func (s *child) initialize(t *testing.T, pid int) {
	t.Helper()
	s.connect()
	params := fmt.Sprintf(`{"processId":%d,"capabilities":{}}`, pid)
	if pid == 0 {
		params = `{"processId":null,"capabilities":{}}`
	}
	cl, err := s.c.send("initialize", json.RawMessage(params), false, expectResult)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-cl.done:
	case <-time.After(30 * time.Second):
		t.Fatal("initialize unanswered")
	}
	if cl.err != nil {
		t.Fatalf("initialize: %v", cl.err.Message)
	}
	if err := s.c.notify("initialized", json.RawMessage(`{}`)); err != nil {
		t.Fatal(err)
	}
}

// exitCode waits up to timeout for the process to end and returns its
// exit code and how long it took.
func (s *child) exitCode(t *testing.T, timeout time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	select {
	case <-s.exited:
	case <-time.After(timeout):
		t.Fatalf("the server process still runs %v later", timeout)
	}
	took := time.Since(start)
	var exitErr *exec.ExitError
	switch {
	case s.err == nil:
		return 0, took
	case errors.As(s.err, &exitErr):
		return exitErr.ExitCode(), took
	}
	t.Fatalf("waiting for the server: %v", s.err)
	return -1, took
}

// TestProcessLife checks how a real `rivet serve` process ends: with
// status 0 after shutdown and exit; with status 1 when its stdin closes
// first, when it is told to terminate, and when the client process named
// at initialize dies — within the server's 3-second poll of that process.
func TestProcessLife(t *testing.T) {
	t.Run("shutdown and exit", func(t *testing.T) {
		s := startServer(t, false)
		s.initialize(t, 0)
		cl, err := s.c.send("shutdown", nil, false, expectResult)
		if err != nil {
			t.Fatal(err)
		}
		<-cl.done
		s.c.notify("exit", nil)
		if code, _ := s.exitCode(t, 10*time.Second); code != 0 {
			t.Errorf("exit status %d after shutdown and exit, want 0", code)
		}
	})
	t.Run("stdin closed", func(t *testing.T) {
		s := startServer(t, false)
		s.initialize(t, 0)
		s.stdin.Close()
		if code, took := s.exitCode(t, 10*time.Second); code != 1 {
			t.Errorf("exit status %d %v after stdin closed, want 1", code, took)
		}
	})
	t.Run("terminated", func(t *testing.T) {
		s := startServer(t, false)
		s.initialize(t, 0)
		s.cmd.Process.Signal(syscall.SIGTERM)
		if code, took := s.exitCode(t, 10*time.Second); code != 1 {
			t.Errorf("exit status %d %v after SIGTERM, want 1", code, took)
		}
	})
	t.Run("client died", func(t *testing.T) {
		client := exec.Command("sleep", "600")
		if err := client.Start(); err != nil {
			t.Skipf("cannot start a client process: %v", err)
		}
		s := startServer(t, false)
		s.initialize(t, client.Process.Pid)
		time.Sleep(3500 * time.Millisecond) // a poll or more with the client alive
		select {
		case <-s.exited:
			t.Fatal("the server exited while its client was alive")
		default:
		}
		client.Process.Kill()
		client.Wait() // reaped: a zombie still answers kill(pid, 0)
		code, took := s.exitCode(t, 10*time.Second)
		if code != 1 || took > 4*time.Second {
			t.Errorf("exit status %d %v after the client died, want 1 within the 3 s poll interval", code, took)
		}
		t.Logf("the server exited %v after its client died", took.Round(time.Millisecond))
	})
}

// TestChildrenSeesAChild is the control of TestProcessStress's check that
// the server starts no process.
func TestChildrenSeesAChild(t *testing.T) {
	kid := exec.Command("sleep", "60")
	if err := kid.Start(); err != nil {
		t.Skipf("cannot start a child process: %v", err)
	}
	defer func() { kid.Process.Kill(); kid.Wait() }()
	if kids := Children(os.Getpid()); !slices.Contains(kids, kid.Process.Pid) {
		t.Errorf("Children of this process: %v, want %d among them", kids, kid.Process.Pid)
	}
}

// TestProcessStress drives a `rivet serve` process with the stress
// client for a few seconds (RIVET_STRESS sets how long). Run as root, the
// server runs as nobody (setpriv), so the scratch tree's unreadable
// directory and file really are unreadable to it; it must index around
// them, answer about them, and still end with status 0.
func TestProcessStress(t *testing.T) {
	duration := 5 * time.Second
	if v := os.Getenv("RIVET_STRESS"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("RIVET_STRESS=%q: %v", v, err)
		}
		duration = d
	}
	asNobody := os.Getuid() == 0
	if _, err := exec.LookPath("setpriv"); asNobody && err != nil {
		t.Skip("running as root without setpriv: an unreadable tree cannot be made unreadable")
	}
	testdata, err := filepath.Abs("../../testdata/kernel")
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, asNobody)
	pid, rss := s.cmd.Process.Pid, RSS(s.cmd.Process.Pid)
	var mu sync.Mutex
	var spawned []int
	opts := Options{
		Roots:        []string{testdata},
		Scratch:      filepath.Join(worldReadableDir(t), "scratch"),
		Duration:     duration,
		Seed:         uint64(time.Now().UnixNano()),
		ReplyTimeout: time.Minute,
		Memory: func() uint64 { // and, while at it, what the server runs
			if kids := Children(pid); len(kids) > 0 {
				mu.Lock()
				spawned = append(spawned, kids...)
				mu.Unlock()
			}
			return rss()
		},
		MemoryLimit: 1 << 30,
		Logf:        t.Logf,
	}
	rep, err := Run(context.Background(), s.stdout, s.stdin, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", rep)
	if code, _ := s.exitCode(t, 15*time.Second); code != 0 {
		t.Errorf("exit status %d after the session, want 0", code)
	}
	log, _ := os.ReadFile(s.log)
	for _, p := range LogPanics(log) {
		t.Errorf("server log: %s", p)
	}
	if rep.Failed() {
		t.Errorf("seed %d: %d failures", opts.Seed, len(rep.Failures)+rep.MoreFailures)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(spawned) > 0 {
		t.Errorf("the server ran child processes %v: rivet never runs anything", spawned)
	}
	if asNobody && !bytes.Contains(log, []byte("permission denied")) {
		t.Error("running as nobody, the server met no unreadable path: the test did not test that")
	}
}
