package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rivet-lsp/rivet/analysis/analysistest"
	"github.com/rivet-lsp/rivet/analysis/rules"
)

// The CLI, run in-process through run: exit codes, formats, --fail-on,
// --explain, bad usage. Every check runs with --no-cache, so no test
// touches the user's cache.

// cli runs rivet with args and returns its exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// warningTree has one warning (unsafe-missing-safety) and no error.
const warningTree = `
-- lib.rs --
pub fn f() {
    unsafe { g() };
}
`

// errorTree has one error (ffi-signature-mismatch) besides the warning.
const errorTree = `
-- board.h --
int board_reset(unsigned int flags);
-- lib.rs --
extern "C" {
    fn board_reset() -> i32;
}

pub fn f() {
    unsafe { board_reset() };
}
`

// cleanTree has nothing to report.
const cleanTree = `
-- lib.rs --
pub fn f() -> u32 {
    1
}
`

func TestCheckExitCodes(t *testing.T) {
	warn := analysistest.WriteTxtar(t, warningTree)
	errs := analysistest.WriteTxtar(t, errorTree)
	clean := analysistest.WriteTxtar(t, cleanTree)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"clean tree", []string{clean}, exitOK},
		{"a warning fails by default", []string{warn}, exitReports},
		{"a warning under --fail-on error", []string{"--fail-on", "error", warn}, exitOK},
		{"an error under --fail-on error", []string{"--fail-on", "error", errs}, exitReports},
		{"an error under --fail-on never", []string{"--fail-on", "never", errs}, exitOK},
		{"rules that report nothing", []string{"--rules", "repr-c-missing", errs}, exitOK},
		{"one file of a tree", []string{filepath.Join(errs, "lib.rs")}, exitReports},
		{"bad --format", []string{"--format", "xml", clean}, exitUsage},
		{"bad --fail-on", []string{"--fail-on", "sometimes", clean}, exitUsage},
		{"bad --rules", []string{"--rules", "no-such-rule", clean}, exitUsage},
		{"unknown flag", []string{"--frobnicate", clean}, exitUsage},
		{"missing path", []string{filepath.Join(clean, "nope")}, exitUsage},
		{"not a source file", []string{filepath.Join(clean, "lib.txt")}, exitUsage},
		{"unknown --explain", []string{"--explain", "no-such-rule"}, exitUsage},
		{"--help", []string{"--help"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "not a source file" {
				if err := os.WriteFile(filepath.Join(clean, "lib.txt"), []byte("text"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := append([]string{"check", "--no-cache", "--progress", "never"}, tc.args...)
			code, stdout, stderr := cli(t, args...)
			if code != tc.want {
				t.Errorf("rivet %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, tc.want, stdout, stderr)
			}
			if code == exitUsage && stderr == "" {
				t.Errorf("rivet %s: exit 2 without a word on stderr", strings.Join(args, " "))
			}
		})
	}
}

func TestCommandExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, exitUsage},
		{[]string{"frobnicate"}, exitUsage},
		{[]string{"version"}, exitOK},
		{[]string{"help"}, exitOK},
		{[]string{"serve", "extra"}, exitUsage},
		{[]string{"serve", "--log-level", "loud"}, exitUsage},
	} {
		if code, stdout, stderr := cli(t, tc.args...); code != tc.want {
			t.Errorf("rivet %q: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tc.args, code, tc.want, stdout, stderr)
		}
	}
	if _, stdout, _ := cli(t, "version"); !strings.HasPrefix(stdout, "rivet ") {
		t.Errorf("rivet version printed %q", stdout)
	}
}

// textLine is the compiler-style format of a report.
var textLine = regexp.MustCompile(`^(\S+):(\d+):(\d+): (error|warning|info|hint): (.+) \[([a-z-]+)\]$`)

func TestCheckText(t *testing.T) {
	root := analysistest.WriteTxtar(t, errorTree)
	code, stdout, stderr := cli(t, "check", "--no-cache", "--progress", "never", root)
	if code != exitReports {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	var reports []string
	for _, l := range lines {
		if strings.HasPrefix(l, "    ") {
			if !strings.Contains(l, ": note: ") {
				t.Errorf("indented line %q is not a note", l)
			}
			continue
		}
		m := textLine.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("line %q is not file:line:col: severity: message [code]", l)
			continue
		}
		reports = append(reports, m[1]+":"+m[2]+":"+m[3]+":"+m[4]+":"+m[6])
	}
	lib := filepath.ToSlash(filepath.Join(root, "lib.rs"))
	want := []string{lib + ":2:8:error:ffi-signature-mismatch", lib + ":6:5:warning:unsafe-missing-safety"}
	if strings.Join(reports, "\n") != strings.Join(want, "\n") {
		t.Errorf("reports:\n%s\nwant:\n%s", strings.Join(reports, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(stderr, "1 errors, 1 warnings") {
		t.Errorf("summary on stderr: %q", stderr)
	}
}

func TestCheckJSON(t *testing.T) {
	root := analysistest.WriteTxtar(t, errorTree)
	code, stdout, stderr := cli(t, "check", "--no-cache", "--progress", "never", "--format", "json", root)
	if code != exitReports {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	var got []struct {
		File     string `json:"file"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
		Severity string `json:"severity"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		Related  []struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"related"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if len(got) != 2 || got[0].Code != "ffi-signature-mismatch" || got[0].Line != 2 || got[0].Severity != "error" ||
		len(got[0].Related) != 1 || !strings.HasSuffix(got[0].Related[0].File, "board.h") || got[0].Related[0].Line != 1 {
		t.Errorf("reports: %+v", got)
	}
}

func TestCheckSARIF(t *testing.T) {
	root := analysistest.WriteTxtar(t, errorTree)
	code, stdout, stderr := cli(t, "check", "--no-cache", "--progress", "never", "--format", "sarif", root)
	if code != exitReports {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	f, err := os.Open("report/testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(stdout))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("not SARIF 2.1.0: %v", err)
	}
	if !strings.Contains(stdout, `"ruleId": "ffi-signature-mismatch"`) {
		t.Errorf("no ffi-signature-mismatch result:\n%s", stdout)
	}
}

func TestCheckExplain(t *testing.T) {
	for _, r := range rules.All() {
		code, stdout, stderr := cli(t, "check", "--explain", r.Code)
		if code != exitOK || stdout != r.Doc {
			t.Errorf("--explain %s: exit %d, printed %d bytes of %d (stderr %q)", r.Code, code, len(stdout), len(r.Doc), stderr)
		}
	}
	code, _, stderr := cli(t, "check", "--explain", "no-such-rule")
	if code != exitUsage || !strings.Contains(stderr, "ffi-signature-mismatch") {
		t.Errorf("--explain of an unknown rule: exit %d, stderr %q (want the list of rules)", code, stderr)
	}
}

// TestCheckConfigProblems: an invalid .rivet.toml is reported on stderr
// with its line, and the defaults stay in force.
func TestCheckConfigProblems(t *testing.T) {
	root := analysistest.WriteTxtar(t, warningTree+`
-- .rivet.toml --
[rules]
unsafe-missing-safety = "loud"
`)
	code, _, stderr := cli(t, "check", "--no-cache", "--progress", "never", root)
	if code != exitReports {
		t.Errorf("exit %d, want %d: the defaults report the warning", code, exitReports)
	}
	if !strings.Contains(stderr, ".rivet.toml:2: rules.unsafe-missing-safety:") {
		t.Errorf("stderr %q does not name the setting and its line", stderr)
	}
}
