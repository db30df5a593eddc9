package analysis

import (
	"context"
	"sync"

	"github.com/rivet-lsp/rivet/analysis/index"
)

// forEachFile calls fn for each file on up to workers goroutines, in no
// particular order, and stops handing out files once ctx ends; it returns
// ctx's error then. fn synchronises what it shares.
func forEachFile(ctx context.Context, workers int, files []*index.File, fn func(*index.File)) error {
	jobs := make(chan *index.File)
	var wg sync.WaitGroup
	for range min(max(workers, 1), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				fn(f)
			}
		}()
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	return ctx.Err()
}
