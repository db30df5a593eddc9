package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rivet-lsp/rivet/analysis/facts"
	"github.com/rivet-lsp/rivet/analysis/rules"
	"github.com/rivet-lsp/rivet/report"
)

// The files the diagnostics below point into, by absolute path. The Rust
// file has a multi-byte character before a report, so byte and character
// columns differ.
var files = map[string]string{
	"/work/tree/drivers/demo/demo.rs":    "fn f() {\n    let s = \"é\"; unsafe { g() };\n}\n",
	"/work/tree/include/demo.h":          "int g(void);\n",
	"/work/tree/rust/bindgen_parameters": "# blocklist\n--blocklist-type g_t\n",
}

func source(path string) ([]byte, error) {
	text, ok := files[path]
	if !ok {
		return nil, errors.New("no such file")
	}
	return []byte(text), nil
}

// span returns the span of the first occurrence of s in path.
func span(t *testing.T, path, s string) facts.Span {
	t.Helper()
	i := strings.Index(files[path], s)
	if i < 0 {
		t.Fatalf("%s has no %q", path, s)
	}
	return facts.Span{Start: uint32(i), End: uint32(i + len(s))}
}

// diagnostics are three reports: with a related location in a source
// file, with one on a line of a non-source file, and in a file outside
// the base directory that cannot be read.
func diagnostics(t *testing.T) []rules.Diagnostic {
	const rs, h, params = "/work/tree/drivers/demo/demo.rs", "/work/tree/include/demo.h", "/work/tree/rust/bindgen_parameters"
	return []rules.Diagnostic{
		{
			Path: rs, Span: span(t, rs, "unsafe"), Code: "unsafe-missing-safety", Severity: rules.Warning,
			Message: "unsafe block without a `// SAFETY:` comment",
			Related: []rules.Related{{Path: h, Span: span(t, h, "g"), Message: "the C function"}},
		},
		{
			Path: rs, Span: span(t, rs, "g()"), Code: "ffi-unresolved", Severity: rules.Error,
			Message: "g is blocklisted",
			Related: []rules.Related{{Path: params, Line: 2, Message: "the blocklist rule"}},
		},
		{Path: "/elsewhere/x.rs", Span: facts.Span{Start: 4, End: 5}, Code: "repr-c-missing", Severity: rules.Hint, Message: "a hint"},
	}
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := report.Text(&b, diagnostics(t), report.NewLocator(source, "/work/tree")); err != nil {
		t.Fatal(err)
	}
	want := "drivers/demo/demo.rs:2:19: warning: unsafe block without a `// SAFETY:` comment [unsafe-missing-safety]\n" +
		"    include/demo.h:1:5: note: the C function\n" +
		"drivers/demo/demo.rs:2:28: error: g is blocklisted [ffi-unresolved]\n" +
		"    rust/bindgen_parameters:2:1: note: the blocklist rule\n" +
		"/elsewhere/x.rs:1:5: hint: a hint [repr-c-missing]\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("text output (-want +got):\n%s", diff)
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := report.JSON(&b, diagnostics(t), report.NewLocator(source, "/work/tree")); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, b.String())
	}
	want := []map[string]any{
		{
			"file": "drivers/demo/demo.rs", "line": 2.0, "column": 19.0, "end": map[string]any{"line": 2.0, "column": 25.0},
			"severity": "warning", "code": "unsafe-missing-safety", "message": "unsafe block without a `// SAFETY:` comment",
			"related": []any{map[string]any{"file": "include/demo.h", "line": 1.0, "column": 5.0, "message": "the C function"}},
		},
		{
			"file": "drivers/demo/demo.rs", "line": 2.0, "column": 28.0, "end": map[string]any{"line": 2.0, "column": 31.0},
			"severity": "error", "code": "ffi-unresolved", "message": "g is blocklisted",
			"related": []any{map[string]any{"file": "rust/bindgen_parameters", "line": 2.0, "column": 1.0, "message": "the blocklist rule"}},
		},
		{
			"file": "/elsewhere/x.rs", "line": 1.0, "column": 5.0, "end": map[string]any{"line": 1.0, "column": 6.0},
			"severity": "hint", "code": "repr-c-missing", "message": "a hint",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON output (-want +got):\n%s", diff)
	}

	// No diagnostics is an empty array, not null.
	b.Reset()
	if err := report.JSON(&b, nil, report.NewLocator(source, "/work/tree")); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(b.String()) != "[]" {
		t.Errorf("no diagnostics: %q, want []", b.String())
	}
}

// sarifSchema compiles the SARIF 2.1.0 schema of testdata (see
// testdata/README.md for where it comes from).
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sarifLog is the part of a SARIF log the test looks at.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		ColumnKind         string `json:"columnKind"`
		OriginalURIBaseIDs map[string]struct {
			URI string `json:"uri"`
		} `json:"originalUriBaseIds"`
		Tool struct {
			Driver struct {
				Name    string `json:"name"`
				Version string `json:"version"`
				Rules   []struct {
					ID               string `json:"id"`
					HelpURI          string `json:"helpUri"`
					ShortDescription struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
					Help struct {
						Text     string `json:"text"`
						Markdown string `json:"markdown"`
					} `json:"help"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex *int   `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations        []sarifLocation `json:"locations"`
			RelatedLocations []sarifLocation `json:"relatedLocations"`
		} `json:"results"`
	} `json:"runs"`
}

type sarifLocation struct {
	ID               int `json:"id"`
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine   int `json:"startLine"`
			StartColumn int `json:"startColumn"`
			EndLine     int `json:"endLine"`
			EndColumn   int `json:"endColumn"`
		} `json:"region"`
	} `json:"physicalLocation"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
}

func TestSARIF(t *testing.T) {
	var b bytes.Buffer
	if err := report.SARIF(&b, diagnostics(t), report.NewLocator(source, "/work/tree"), "1.2.3"); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sarifSchema(t).Validate(inst); err != nil {
		t.Fatalf("the SARIF log does not validate against the SARIF 2.1.0 schema: %v\n%s", err, b.String())
	}

	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q with %d runs, want 2.1.0 with one", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if run.ColumnKind != "unicodeCodePoints" {
		t.Errorf("columnKind %q", run.ColumnKind)
	}
	if base := run.OriginalURIBaseIDs["SRCROOT"].URI; base != "file:///work/tree/" {
		t.Errorf("SRCROOT is %q, want file:///work/tree/", base)
	}
	d := run.Tool.Driver
	if d.Name != "rivet" || d.Version != "1.2.3" {
		t.Errorf("driver %q %q", d.Name, d.Version)
	}
	// Every registered rule is described, with help text and its page.
	if len(d.Rules) != len(rules.All()) {
		t.Errorf("%d rules, want %d", len(d.Rules), len(rules.All()))
	}
	for i, r := range d.Rules {
		rule := rules.ByCode(r.ID)
		if rule == nil {
			t.Errorf("rule %d: unknown id %q", i, r.ID)
			continue
		}
		if r.HelpURI != rule.URL() || r.ShortDescription.Text != rule.Title || r.Help.Markdown != rule.Doc || !strings.Contains(r.Help.Text, rule.URL()) {
			t.Errorf("rule %s: help %+v", r.ID, r)
		}
		if want := map[rules.Severity]string{rules.Error: "error", rules.Warning: "warning"}[rule.Severity]; want != "" && r.DefaultConfiguration.Level != want {
			t.Errorf("rule %s: default level %q, want %q", r.ID, r.DefaultConfiguration.Level, want)
		}
	}

	if len(run.Results) != 3 {
		t.Fatalf("%d results, want 3", len(run.Results))
	}
	for i, want := range []struct {
		rule, level, uri, base string
		line, col, endCol      int
	}{
		{"unsafe-missing-safety", "warning", "drivers/demo/demo.rs", "SRCROOT", 2, 18, 24},
		{"ffi-unresolved", "error", "drivers/demo/demo.rs", "SRCROOT", 2, 27, 30},
		{"repr-c-missing", "note", "file:///elsewhere/x.rs", "", 1, 5, 6},
	} {
		res := run.Results[i]
		if res.RuleID != want.rule || res.Level != want.level {
			t.Errorf("result %d: %s %s, want %s %s", i, res.RuleID, res.Level, want.rule, want.level)
		}
		if res.RuleIndex == nil || d.Rules[*res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleIndex %v does not point at %s", i, res.RuleIndex, res.RuleID)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != want.uri || loc.ArtifactLocation.URIBaseID != want.base {
			t.Errorf("result %d: artifact %+v, want %s based on %q", i, loc.ArtifactLocation, want.uri, want.base)
		}
		if r := loc.Region; r.StartLine != want.line || r.StartColumn != want.col || r.EndColumn != want.endCol {
			t.Errorf("result %d: region %+v, want line %d columns %d-%d (characters)", i, r, want.line, want.col, want.endCol)
		}
	}
	rel := run.Results[1].RelatedLocations
	if len(rel) != 1 || rel[0].ID != 1 || rel[0].Message.Text != "the blocklist rule" ||
		rel[0].PhysicalLocation.ArtifactLocation.URI != "rust/bindgen_parameters" || rel[0].PhysicalLocation.Region.StartLine != 2 {
		t.Errorf("related locations %+v", rel)
	}
}

// TestSARIFEmpty: a run without results is still a valid log.
func TestSARIFEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := report.SARIF(&b, nil, report.NewLocator(source, "/work/tree"), "devel"); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sarifSchema(t).Validate(inst); err != nil {
		t.Fatalf("empty log: %v\n%s", err, b.String())
	}
}

// TestSARIFSchemaRejects: the schema catches a broken log, so the
// validations above can fail.
func TestSARIFSchemaRejects(t *testing.T) {
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(`{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"level": "fatal"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := sarifSchema(t).Validate(inst); err == nil {
		t.Error("a log without a driver name and with level fatal validated")
	}
}

func TestCount(t *testing.T) {
	got := report.Count(diagnostics(t))
	if want := (report.Summary{Errors: 1, Warnings: 1, Hints: 1}); got != want {
		t.Errorf("Count = %+v, want %+v", got, want)
	}
}
