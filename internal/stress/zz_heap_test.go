package stress_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/rivet-lsp/rivet/analysis"
)

func TestZZDeep(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ZZ_N"))
	ctx := context.Background()
	for _, c := range []struct{ name, text string }{
		{"/x.rs", "fn f() { let x = " + string(bytes.Repeat([]byte("1 + "), n)) + "1; }\n"},
		{"/x.c", "int x = " + string(bytes.Repeat([]byte("1 + "), n)) + "1;\n"},
	} {
		dir := t.TempDir()
		ws := analysis.NewWorkspace([]string{dir}, analysis.Options{})
		path := ws.Roots()[0] + c.name
		start := time.Now()
		ws.Open(ctx, path, 1, []byte(c.text))
		t.Logf("%s %d MB: open %v", c.name, len(c.text)>>20, time.Since(start))
	}
}
