// Command indexbench times the phases of indexing a tree.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/rivet-lsp/rivet/analysis"
)

func main() {
	root := os.Args[1]
	if prof := os.Getenv("CPUPROFILE"); prof != "" {
		f, _ := os.Create(prof)
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	last := start
	phase := ""
	ws := analysis.NewWorkspace([]string{root}, analysis.Options{CacheDir: os.Getenv("CACHE")})
	st, err := ws.Build(context.Background(), func(p analysis.BuildProgress) {
		if p.Phase != phase {
			fmt.Printf("%-6s +%.2fs (at %.2fs)\n", phase, time.Since(last).Seconds(), time.Since(start).Seconds())
			phase, last = p.Phase, time.Now()
		}
	})
	fmt.Printf("%-6s +%.2fs (at %.2fs)\n", phase, time.Since(last).Seconds(), time.Since(start).Seconds())
	saveStart := time.Now()
	if err := ws.SaveCache(); err != nil {
		fmt.Println("save:", err)
	}
	fmt.Printf("save   +%.2fs\n", time.Since(saveStart).Seconds())
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	if prof := os.Getenv("MEMPROFILE"); prof != "" {
		f, _ := os.Create(prof)
		pprof.WriteHeapProfile(f)
		f.Close()
	}
	defer runtime.KeepAlive(ws)
	fmt.Printf("err=%v files=%d rust=%d c=%d cached=%d skipped=%d decls=%d heap=%dMB sys=%dMB total=%.2fs\n", err, st.Files, st.RustFiles, st.CFiles, st.FromCache, st.Skipped, st.DeclsParsed, m.HeapAlloc>>20, m.Sys>>20, time.Since(start).Seconds())
}
