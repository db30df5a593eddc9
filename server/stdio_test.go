package server_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rivet-lsp/rivet/server"
)

// TestMain lets the test binary act as `rivet serve`: with
// RIVET_TEST_SERVE_STDIO set it runs the server over its own stdin and
// stdout, exactly as Stdio's documentation tells main to.
func TestMain(m *testing.M) {
	if os.Getenv("RIVET_TEST_SERVE_STDIO") != "" {
		err := server.Serve(context.Background(), server.Stdio(os.Stdin, os.Stdout), server.Options{})
		os.Exit(server.ExitCode(err))
	}
	os.Exit(m.Run())
}

func frame(body string) string {
	return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
}

// TestStdioExitCodes runs the server as a child process over real pipes and
// checks the process exit code the specification asks for.
func TestStdioExitCodes(t *testing.T) {
	initialize := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{}}}`) +
		frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
	shutdown := frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`)
	exit := frame(`{"jsonrpc":"2.0","method":"exit"}`)
	for _, tc := range []struct {
		name      string
		input     string
		keepOpen  bool // leave stdin open after the input, so only exit can end the server
		wantCode  int
		wantReply string
	}{
		{"shutdown then exit", initialize + shutdown + exit, true, 0, `"result":null,"id":2`},
		{"exit without shutdown", initialize + exit, true, 1, `"id":1`},
		{"stdin closed", initialize, false, 1, `"id":1`},
		{"stdin closed after shutdown", initialize + shutdown, false, 0, `"id":2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "RIVET_TEST_SERVE_STDIO=1")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stdout strings.Builder
			cmd.Stdout = &stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			io.WriteString(stdin, tc.input)
			if !tc.keepOpen {
				stdin.Close()
			}
			err = cmd.Wait()
			stdin.Close()
			code := 0
			if exitErr, ok := err.(*exec.ExitError); ok {
				code = exitErr.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d", code, tc.wantCode)
			}
			if !strings.Contains(stdout.String(), tc.wantReply) {
				t.Errorf("stdout %q lacks %s", stdout.String(), tc.wantReply)
			}
		})
	}
}
