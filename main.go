// Command rivet is a language server and checker for Linux-kernel trees
// that mix C and Rust.
//
//	rivet serve [--stdio] [--log FILE] [--log-level LEVEL]   LSP over stdio
//	rivet check [flags] [PATH...]                           batch analysis
//	rivet index [--no-cache] [--json] [PATH...]             index and fill the cache
//	rivet version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// Exit codes of every subcommand.
const (
	exitOK      = 0
	exitReports = 1 // `check` found reports at or above --fail-on
	exitUsage   = 2 // bad usage or an I/O error
)

const usage = `rivet: a language server and checker for kernel trees that mix C and Rust

Usage:
  rivet serve [--stdio] [--log FILE] [--log-level LEVEL]
        speak the Language Server Protocol over stdin/stdout
  rivet check [--format text|json|sarif] [--fail-on error|warning|never] [PATH...]
        index PATH (default .) and print what the rules report
  rivet check --explain CODE
        print the documentation of a rule
  rivet index [--no-cache] [--json] [PATH...]
        index PATH (default .), fill the facts cache and print statistics
  rivet version
        print the version

Run 'rivet COMMAND --help' for a command's flags.
`

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		// A kernel-sized index holds ~450 MB of live facts; without a limit
		// the collector lets the heap double before running. Keep the
		// process under 1 GB unless the user says otherwise.
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// memoryLimit is the soft heap limit set unless GOMEMLIMIT is.
const memoryLimit = 850 << 20

// run is main without the process: testable, and it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdin, stdout, stderr)
	case "check":
		return runCheck(ctx, args[1:], stdout, stderr)
	case "index":
		return runIndex(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "rivet", version())
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "rivet: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// version is the module version when built with `go install`, else the
// VCS revision, else "devel".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; it returns the exit code to use when parsing
// ends the command (help or a usage error).
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}
