package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"time"
)

// runIndex indexes a tree, fills the facts cache and prints what it
// found: a way to warm the cache before opening an editor, and what the
// benchmark script times.
func runIndex(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("index", "rivet index [--no-cache] [--json] [PATH...]", stderr)
	noCache := fs.Bool("no-cache", false, "neither read nor write the facts cache (a cold index)")
	asJSON := fs.Bool("json", false, "print the statistics as JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	roots, only1, err := checkRoots(fs.Args())
	if err != nil || only1 != "" {
		if err == nil {
			err = fmt.Errorf("%s: index takes directories", only1)
		}
		fmt.Fprintf(stderr, "rivet index: %v\n", err)
		return exitUsage
	}
	ws, _ := newWorkspace("index", roots, !*noCache, stderr)
	start := time.Now()
	st, err := ws.Build(ctx, nil)
	if err != nil {
		fmt.Fprintf(stderr, "rivet index: %v\n", err)
		return exitUsage
	}
	ready := time.Since(start)
	if err := ws.SaveCache(); err != nil {
		fmt.Fprintf(stderr, "rivet index: cache: %v\n", err)
	}
	snap, release := ws.Index.Snapshot()
	decls := snap.NumCDecls()
	release()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	out := struct {
		Files, RustFiles, CFiles, FromCache, Skipped, DeclsParsed, Declarations int
		Bytes                                                                   int64
		ReadySeconds, TotalSeconds                                              float64
		HeapMB                                                                  uint64
	}{st.Files, st.RustFiles, st.CFiles, st.FromCache, st.Skipped, st.DeclsParsed, decls,
		st.Bytes, ready.Seconds(), time.Since(start).Seconds(), m.HeapAlloc >> 20}
	if *asJSON {
		json.NewEncoder(stdout).Encode(out)
		return exitOK
	}
	fmt.Fprintf(stdout, "rivet: %d files (%d Rust, %d C, %.0f MB), %d from the cache, %d skipped; %d C declarations, %d parsed for Rust; ready in %.2fs, %.2fs with the cache written\n",
		out.Files, out.RustFiles, out.CFiles, float64(out.Bytes)/1e6, out.FromCache, out.Skipped, out.Declarations, out.DeclsParsed, out.ReadySeconds, out.TotalSeconds)
	return exitOK
}
