package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/rivet-lsp/rivet/analysis"
	"github.com/rivet-lsp/rivet/analysis/config"
	"github.com/rivet-lsp/rivet/analysis/index"
	"github.com/rivet-lsp/rivet/analysis/rules"
	"github.com/rivet-lsp/rivet/report"
)

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", "rivet check [flags] [PATH...]", stderr)
	format := fs.String("format", "text", "output `format`: text, json or sarif")
	failOn := fs.String("fail-on", "warning", "exit 1 when a report at or above this `severity` exists: error, warning or never")
	explain := fs.String("explain", "", "print the documentation of rule `CODE` and exit")
	ruleList := fs.String("rules", "", "comma-separated rule `codes` to run (default: every enabled rule)")
	noCache := fs.Bool("no-cache", false, "neither read nor write the facts cache")
	progressMode := fs.String("progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always or never")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *explain != "" {
		r := rules.ByCode(*explain)
		if r == nil {
			fmt.Fprintf(stderr, "rivet check: no rule %q; rules: %s\n", *explain, strings.Join(rules.Codes(), ", "))
			return exitUsage
		}
		fmt.Fprint(stdout, r.Doc)
		return exitOK
	}
	var threshold rules.Severity
	switch *failOn {
	case "error":
		threshold = rules.Error
	case "warning":
		threshold = rules.Warning
	case "never":
	default:
		fmt.Fprintf(stderr, "rivet check: --fail-on %q: want error, warning or never\n", *failOn)
		return exitUsage
	}
	switch *format {
	case "text", "json", "sarif":
	default:
		fmt.Fprintf(stderr, "rivet check: --format %q: want text, json or sarif\n", *format)
		return exitUsage
	}
	var only []string
	if *ruleList != "" {
		for _, c := range strings.Split(*ruleList, ",") {
			c = strings.TrimSpace(c)
			if rules.ByCode(c) == nil {
				fmt.Fprintf(stderr, "rivet check: --rules: no rule %q\n", c)
				return exitUsage
			}
			only = append(only, c)
		}
	}

	roots, only1, err := checkRoots(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "rivet check: %v\n", err)
		return exitUsage
	}
	ws, cfg := newWorkspace("check", roots, !*noCache, stderr)

	bar := newProgress(*progressMode, stderr)
	start := time.Now()
	st, err := ws.Build(ctx, func(p analysis.BuildProgress) { bar.index(p) })
	if err != nil {
		bar.finish()
		fmt.Fprintf(stderr, "rivet check: %v\n", err)
		return exitUsage
	}
	for _, e := range st.WalkErrors {
		fmt.Fprintf(stderr, "rivet check: %v\n", e)
	}
	if st.CacheErr != nil {
		fmt.Fprintf(stderr, "rivet check: cache: %v\n", st.CacheErr)
	}
	saved := make(chan error, 1)
	go func() { saved <- ws.SaveCache() }()
	diags, err := ws.Check(ctx, analysis.CheckOptions{Config: cfg, Rules: only, Progress: bar.check})
	bar.finish()
	if err := <-saved; err != nil {
		fmt.Fprintf(stderr, "rivet check: cache: %v\n", err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "rivet check: %v\n", err)
		if ctx.Err() != nil {
			return exitUsage
		}
	}
	if only1 != "" {
		diags = filterPath(diags, only1)
	}

	cwd, _ := os.Getwd()
	loc := report.NewLocator(ws.Read, cwd)
	switch *format {
	case "text":
		err = report.Text(stdout, diags, loc)
	case "json":
		err = report.JSON(stdout, diags, loc)
	case "sarif":
		err = report.SARIF(stdout, diags, loc, version())
	}
	if err != nil {
		fmt.Fprintf(stderr, "rivet check: write: %v\n", err)
		return exitUsage
	}
	sum := report.Count(diags)
	fmt.Fprintf(stderr, "rivet: %d files indexed (%d Rust, %d C), %d checked; %d errors, %d warnings, %d infos in %.1fs\n",
		st.Files, st.RustFiles, st.CFiles, checkedFiles(ws), sum.Errors, sum.Warnings, sum.Infos+sum.Hints,
		time.Since(start).Seconds())
	for _, d := range diags {
		if threshold != 0 && d.Severity >= threshold {
			return exitReports
		}
	}
	return exitOK
}

// newWorkspace makes the workspace of a batch command: the configuration
// of the first root (problems reported on stderr, defaults in force) and
// the user's facts cache unless noCache.
func newWorkspace(cmd string, roots []string, useCache bool, stderr io.Writer) (*analysis.Workspace, *config.Config) {
	cfg, probs := config.Load(roots[0], rules.Codes())
	for _, p := range probs {
		fmt.Fprintf(stderr, "rivet %s: %v (defaults in force)\n", cmd, p)
	}
	opts := analysis.Options{Skip: cfg.Skip(roots[0]), FFIModules: cfg.FFIModules}
	if useCache {
		if dir, err := index.CacheDir(); err == nil {
			opts.CacheDir = dir
		}
	}
	return analysis.NewWorkspace(roots, opts), cfg
}

// checkRoots turns the PATH arguments into workspace roots. A file
// argument checks that file within its directory's tree; only1 is then
// its path.
func checkRoots(args []string) (roots []string, only1 string, err error) {
	if len(args) == 0 {
		args = []string{"."}
	}
	for _, a := range args {
		a = strings.TrimSuffix(a, "/...")
		fi, err := os.Stat(a)
		if err != nil {
			return nil, "", err
		}
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil, "", err
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		if !fi.IsDir() {
			if len(args) > 1 {
				return nil, "", fmt.Errorf("%s: give either one file or directories", a)
			}
			if _, ok := index.LangOf(a); !ok {
				return nil, "", fmt.Errorf("%s: not a C or Rust file", a)
			}
			return []string{filepath.Dir(abs)}, filepath.ToSlash(abs), nil
		}
		roots = append(roots, abs)
	}
	return roots, "", nil
}

func filterPath(ds []rules.Diagnostic, path string) []rules.Diagnostic {
	var out []rules.Diagnostic
	for _, d := range ds {
		if d.Path == path {
			out = append(out, d)
		}
	}
	return out
}

func checkedFiles(ws *analysis.Workspace) int {
	snap, release := ws.Index.Snapshot()
	defer release()
	n := 0
	snap.Files(func(f *index.File) bool {
		if f.Rust != nil || (f.C != nil && index.WantsFullFacts(f.Path, snap.Kernel())) {
			n++
		}
		return true
	})
	return n
}

// progress draws a bar on stderr while indexing and checking.
type progress struct {
	bar *progressbar.ProgressBar
}

func newProgress(mode string, stderr io.Writer) *progress {
	on := mode == "always"
	if mode == "auto" {
		if f, ok := stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			on = true
		}
	}
	if !on {
		return &progress{}
	}
	return &progress{bar: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("indexing"),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond),
	)}
}

func (p *progress) index(ip analysis.BuildProgress) {
	if p.bar == nil {
		return
	}
	p.bar.Describe(ip.Phase)
	if ip.Total > 0 {
		p.bar.ChangeMax(ip.Total)
		p.bar.Set(ip.Done)
	}
}

func (p *progress) check(done, total int) {
	if p.bar == nil {
		return
	}
	if done == 1 {
		p.bar.Describe("checking")
		p.bar.ChangeMax(total)
	}
	p.bar.Set(done)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
