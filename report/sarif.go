package report

import (
	"io"
	"net/url"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/rivet-lsp/rivet/analysis/rules"
)

// SARIF writes the diagnostics as a SARIF 2.1.0 log with one run: every
// rule as a reporting descriptor (short and full description, Markdown
// help, help URI, default level) and every diagnostic as a result with
// its location and related locations. Paths under the locator's base are
// relative references against the run's SRCROOT base URI.
func SARIF(w io.Writer, ds []rules.Diagnostic, loc *Locator, toolVersion string) error {
	log, err := sarif.New(sarif.Version210)
	if err != nil {
		return err
	}
	run := sarif.NewRunWithInformationURI("rivet", "https://github.com/rivet-lsp/rivet")
	run.Tool.Driver.Version = &toolVersion
	run.ColumnKind = "unicodeCodePoints"
	if loc.base != "" {
		// Paths under the base are relative to SRCROOT, so a viewer on
		// another machine can map them to its checkout.
		root := uriOf(strings.TrimSuffix(loc.base, "/") + "/")
		run.WithOriginalUriBaseIds(map[string]*sarif.ArtifactLocation{srcRoot: sarif.NewSimpleArtifactLocation(root)})
	}
	ruleIndex := map[string]int{}
	for i, r := range rules.All() {
		ruleIndex[r.Code] = i
		run.AddRule(r.Code).
			WithName(r.Code).
			WithShortDescription(sarif.NewMultiformatMessageString(r.Title)).
			WithFullDescription(sarif.NewMultiformatMessageString(r.Title)).
			WithHelpURI(r.URL()).
			WithHelp(sarif.NewMultiformatMessageString(r.Title + " See " + r.URL()).WithMarkdown(r.Doc)).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(r.Severity)))
	}
	for _, d := range ds {
		res := run.CreateResultForRule(d.Code).
			WithLevel(level(d.Severity)).
			WithMessage(sarif.NewTextMessage(d.Message))
		if i, ok := ruleIndex[d.Code]; ok {
			res.WithRuleIndex(i)
		}
		res.AddLocation(location(loc, d.Path, d.Span.Start, d.Span.End, 0, ""))
		for i, rel := range d.Related {
			l := location(loc, rel.Path, rel.Span.Start, rel.Span.End, rel.Line, rel.Message)
			l.WithId(i + 1)
			res.AddRelatedLocation(l)
		}
	}
	log.AddRun(run)
	return log.PrettyWrite(w)
}

// srcRoot is the uriBaseId of paths relative to the locator's base.
const srcRoot = "SRCROOT"

func location(loc *Locator, path string, start, end uint32, line int, msg string) *sarif.Location {
	region := sarif.NewRegion()
	if line > 0 {
		region.WithStartLine(line)
	} else {
		s, e := loc.Pos(path, start), loc.Pos(path, end)
		region.WithStartLine(s.Line).WithStartColumn(s.CharColumn).WithEndLine(e.Line).WithEndColumn(e.CharColumn)
	}
	shown := loc.Display(path)
	artifact := sarif.NewSimpleArtifactLocation(uriOf(shown))
	if !strings.HasPrefix(shown, "/") {
		artifact.WithUriBaseId(srcRoot)
	}
	l := sarif.NewLocation().WithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(artifact).
		WithRegion(region))
	if msg != "" {
		l.WithMessage(sarif.NewTextMessage(msg))
	}
	return l
}

// uriOf makes a SARIF artifact URI: relative paths stay relative
// references, absolute ones become file URIs.
func uriOf(path string) string {
	if len(path) > 0 && path[0] == '/' {
		return (&url.URL{Scheme: "file", Path: path}).String()
	}
	return (&url.URL{Path: path}).String()
}

func level(s rules.Severity) string {
	switch s {
	case rules.Error:
		return "error"
	case rules.Warning:
		return "warning"
	}
	return "note"
}
