package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/rivet-lsp/rivet/server"
)

func runServe(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "rivet serve [--stdio] [--log FILE] [--log-level LEVEL]", stderr)
	fs.Bool("stdio", true, "speak LSP over stdin/stdout (the only transport; accepted because VS Code's client appends it)")
	logFile := fs.String("log", "", "append the server log to `FILE` (default: stderr)")
	logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the session to `FILE` (for performance reports)")
	memProfile := fs.String("memprofile", "", "write a heap profile to `FILE` when the session ends")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "rivet serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	level, err := parseLevel(*logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "rivet serve: %v\n", err)
		return exitUsage
	}
	logOut := stderr
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			fmt.Fprintf(stderr, "rivet serve: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		logOut = f
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "rivet serve: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "rivet serve: %v\n", err)
			return exitUsage
		}
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		defer func() {
			if f, err := os.Create(*memProfile); err == nil {
				runtime.GC()
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		}()
	}
	in, out := readCloser(stdin), writeCloser(stdout)
	err = server.Serve(ctx, server.Stdio(in, out), server.Options{Logger: logger, Version: version()})
	if err != nil {
		logger.Info("session ended", "reason", err)
	}
	return server.ExitCode(err)
}

func readCloser(r io.Reader) io.ReadCloser {
	if rc, ok := r.(io.ReadCloser); ok {
		return rc
	}
	return io.NopCloser(r)
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

func writeCloser(w io.Writer) io.WriteCloser {
	if wc, ok := w.(io.WriteCloser); ok {
		return wc
	}
	return nopWriteCloser{w}
}
