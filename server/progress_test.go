package server_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/internal/lsptest"
	"github.com/rivet-lsp/rivet/server"
)

// progressValue is the value of a $/progress notification, any kind.
type progressValue struct {
	Kind       string  `json:"kind"`
	Title      string  `json:"title"`
	Message    string  `json:"message"`
	Percentage *uint32 `json:"percentage"`
}

// TestIndexingProgress indexes the sample kernel for a client that
// supports work-done progress and checks the sequence: create, begin
// (titled, at 0%), reports with non-decreasing percentages, end with a
// summary.
func TestIndexingProgress(t *testing.T) {
	var caps server.ClientCapabilities
	caps.Window = &protocol.WindowClientCapabilities{WorkDoneProgress: true}
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(kernelRoot(t)), lsptest.Capabilities(caps))
	c.WaitIndexed(0)

	var created struct {
		Token json.RawMessage `json:"token"`
	}
	if err := c.WaitForRequest(protocol.MethodWorkDoneProgressCreate, nil, 0).Decode(&created); err != nil {
		t.Fatal(err)
	}
	token := created.Token
	if len(token) < 3 || token[0] != '"' {
		t.Fatalf("token %s, want a non-empty string", token)
	}
	c.WaitFor(protocol.MethodProgress, func(m lsptest.Message) bool {
		v, tok := decodeProgress(t, m)
		return tok == string(token) && v.Kind == "end"
	}, 0)

	var seq []progressValue
	createdAt, beginAt := -1, -1
	for i, m := range c.Messages() {
		switch m.Method {
		case protocol.MethodWorkDoneProgressCreate:
			createdAt = i
		case protocol.MethodProgress:
			v, tok := decodeProgress(t, m)
			if tok != string(token) {
				t.Errorf("progress for token %s, want %s", tok, token)
			}
			if v.Kind == "begin" {
				beginAt = i
			}
			seq = append(seq, v)
		}
	}
	if createdAt < 0 || beginAt < createdAt {
		t.Errorf("create at message %d, begin at %d: want create first", createdAt, beginAt)
	}
	if len(seq) < 3 || seq[0].Kind != "begin" || seq[len(seq)-1].Kind != "end" {
		t.Fatalf("progress sequence %+v: want begin, report(s), end", seq)
	}
	if seq[0].Title != "rivet: indexing" || seq[0].Percentage == nil || *seq[0].Percentage != 0 {
		t.Errorf("begin = %+v, want title %q at 0%%", seq[0], "rivet: indexing")
	}
	last := uint32(0)
	filesReport := regexp.MustCompile(`^[0-9,]+/[0-9,]+ files$`)
	sawFiles := false
	for _, v := range seq[1 : len(seq)-1] {
		if v.Kind != "report" || v.Percentage == nil || *v.Percentage < last || *v.Percentage > 100 {
			t.Errorf("report %+v after %d%%: want a report with a percentage that does not go back", v, last)
			continue
		}
		last = *v.Percentage
		sawFiles = sawFiles || filesReport.MatchString(v.Message)
	}
	if !sawFiles {
		t.Errorf("no report says N/M files: %+v", seq)
	}
	if end := seq[len(seq)-1]; !regexp.MustCompile(`^[0-9,]+ files in [0-9]+\.[0-9] s`).MatchString(end.Message) {
		t.Errorf("end message %q, want a summary like %q", end.Message, "65,047 files in 8.2 s")
	}
}

// TestNoProgressWithoutCapability: a client that does not advertise
// window.workDoneProgress gets no token request and no $/progress.
func TestNoProgressWithoutCapability(t *testing.T) {
	c := lsptest.Start(t, lsptest.Options{})
	c.Initialize(lsptest.Root(kernelRoot(t)))
	c.WaitIndexed(0)
	for _, m := range c.Messages() {
		if m.Method == protocol.MethodWorkDoneProgressCreate || m.Method == protocol.MethodProgress {
			t.Errorf("unexpected %s %s", m.Method, m.Params)
		}
	}
}

func decodeProgress(t *testing.T, m lsptest.Message) (progressValue, string) {
	t.Helper()
	var p struct {
		Token json.RawMessage `json:"token"`
		Value progressValue   `json:"value"`
	}
	if err := m.Decode(&p); err != nil {
		t.Fatalf("undecodable $/progress %s: %v", m.Params, err)
	}
	return p.Value, string(p.Token)
}
