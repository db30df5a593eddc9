package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// The architecture invariants of docs/ARCHITECTURE.md, checked on the
// import graph that `go list` reports.

type pkg struct {
	ImportPath string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

const module = "github.com/rivet-lsp/rivet"

func rel(path string) string { return strings.TrimPrefix(strings.TrimPrefix(path, module), "/") }

func TestArchitectureImports(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		me := rel(p.ImportPath)
		for _, imp := range p.Imports {
			switch {
			// Only treesitter imports go-tree-sitter.
			case strings.HasPrefix(imp, "github.com/smacker/go-tree-sitter"):
				if !strings.HasPrefix(me, "treesitter") {
					t.Errorf("%s imports %s: only treesitter/ may", me, imp)
				}
			// Only server/ (and the LSP test client and benchmark driver)
			// import go.lsp.dev.
			case strings.HasPrefix(imp, "go.lsp.dev/"):
				if !strings.HasPrefix(me, "server") && me != "internal/lsptest" && me != "internal/tools/lspbench" {
					t.Errorf("%s imports %s: only server/ may", me, imp)
				}
			// Imports point down: treesitter knows no analysis, analysis
			// knows no server, report or main.
			case strings.HasPrefix(imp, module+"/"):
				dep := rel(imp)
				if strings.HasPrefix(me, "treesitter") && !strings.HasPrefix(dep, "treesitter") {
					t.Errorf("%s imports %s: treesitter/ imports nothing of rivet's above it", me, dep)
				}
				if strings.HasPrefix(me, "analysis") && (strings.HasPrefix(dep, "server") || strings.HasPrefix(dep, "report")) {
					t.Errorf("%s imports %s: analysis/ never imports upward", me, dep)
				}
			// rivet never runs a program: only developer tools may.
			case imp == "os/exec":
				if !strings.HasPrefix(me, "internal/tools/") {
					t.Errorf("%s imports os/exec: rivet never runs anything (only internal/tools may)", me)
				}
			}
		}
	}
}

// TestNeverWritesIntoTheTree runs check, index and a server session on a
// copy of the sample tree and checks that no file in it changed, appeared
// or vanished, and that the cache went under XDG_CACHE_HOME.
func TestNeverWritesIntoTheTree(t *testing.T) {
	tree := t.TempDir()
	copyTree(t, "testdata/kernel", tree)
	before := snapshotTree(t, tree)
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	var out bytes.Buffer
	for _, args := range [][]string{{"check", tree}, {"index", tree}, {"check", "--format", "sarif", tree}} {
		out.Reset()
		if code := run(context.Background(), args, nil, &out, &out); code == exitUsage {
			t.Fatalf("rivet %v: exit %d\n%s", args, code, out.String())
		}
	}
	// An editor session: open, edit (never saved) and close a file; ask
	// every request that has fixes or edits to offer about every Rust
	// file; report saves, files changed on disk and new settings.
	c := lsptest.Start(t, lsptest.Options{Server: server.Options{CacheDir: filepath.Join(cache, "rivet")}})
	c.Initialize(lsptest.Root(tree))
	c.WaitIndexed(0)
	uri := lsptest.FileURI(filepath.Join(tree, "drivers/demo/checks.rs"))
	c.OpenDocument(uri, "fn edited() {}\n")
	c.ChangeDocument(uri, lsptest.Replace("fn edited_again() {}\n"))
	c.CloseDocument(uri)
	askEverything(t, c, tree)
	c.Shutdown()
	c.Exit()
	if after := snapshotTree(t, tree); after != before {
		t.Errorf("the tree changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	var cached int
	filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			cached++
		}
		return nil
	})
	if cached == 0 {
		t.Errorf("no cache file under XDG_CACHE_HOME=%s", cache)
	}
}

// askEverything opens each Rust file of tree and sends, at every line,
// the requests whose answers carry fixes, edits or locations, then
// reports a save, a change on disk of every file and new settings.
func askEverything(t *testing.T, c *lsptest.Client, tree string) {
	t.Helper()
	var changes []map[string]any
	filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		uri := lsptest.FileURI(p)
		changes = append(changes, map[string]any{"uri": uri, "type": 2})
		if filepath.Ext(p) != ".rs" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		c.OpenDocument(uri, string(data))
		doc := map[string]any{"uri": uri}
		lines := strings.Count(string(data), "\n") + 1
		whole := map[string]any{"start": map[string]int{"line": 0, "character": 0}, "end": map[string]int{"line": lines, "character": 0}}
		for line := range lines {
			pos := map[string]int{"line": line, "character": 8}
			at := map[string]any{"textDocument": doc, "position": pos}
			for _, m := range []string{"textDocument/hover", "textDocument/definition", "textDocument/declaration", "textDocument/prepareCallHierarchy"} {
				c.Call(m, at, nil)
			}
			span := map[string]any{"start": pos, "end": pos}
			c.Call("textDocument/codeAction", map[string]any{"textDocument": doc, "range": span, "context": map[string]any{"diagnostics": []any{}}}, nil)
		}
		c.Call("textDocument/inlayHint", map[string]any{"textDocument": doc, "range": whole}, nil)
		c.Call("textDocument/codeLens", map[string]any{"textDocument": doc}, nil)
		c.Call("textDocument/diagnostic", map[string]any{"textDocument": doc}, nil)
		c.Notify("textDocument/didSave", map[string]any{"textDocument": doc})
		c.CloseDocument(uri)
		return nil
	})
	c.Notify("workspace/didChangeWatchedFiles", map[string]any{"changes": changes})
	c.Notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"exclude": []string{"Documentation/**"}}})
	c.WaitIndexed(0) // the new exclude indexes again
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, r), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, r), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// snapshotTree lists every path under root with its size, mode and
// modification time.
func snapshotTree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(root, p)
		fmt.Fprintf(&b, "%s %s %s", r, fi.Mode(), fi.ModTime().Format(time.RFC3339Nano))
		if !d.IsDir() {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, " %x", sha256.Sum256(data))
		}
		b.WriteString("\n")
		return nil
	})
	return b.String()
}
