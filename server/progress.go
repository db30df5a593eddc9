package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/rivet-lsp/rivet/analysis"
)

// progressInterval is the least time between two reports of one
// work-done progress within a phase; a new phase is reported at once.
const progressInterval = 200 * time.Millisecond

// workDoneProgress reports one long task (an index build) to the client as
// work-done progress: window/workDoneProgress/create, then $/progress
// begin, reports, end. When the client does not support it, or refuses
// the token, its methods do nothing. Its methods are safe for concurrent
// use: the build reports from any goroutine.
type workDoneProgress struct {
	s     *Server
	token string // "": nothing is reported

	mu      sync.Mutex
	ended   bool
	last    time.Time // of the latest report
	phase   string    // of the latest report
	percent uint32    // of the latest report; reports never go back
	message string    // of the latest report
}

// beginProgress creates the progress token and sends begin with title,
// when the client advertises window.workDoneProgress.
func (s *Server) beginProgress(ctx context.Context, token, title string) *workDoneProgress {
	p := &workDoneProgress{s: s}
	if w := s.clientCaps.Window; w == nil || !w.WorkDoneProgress {
		return p
	}
	if err := s.Call(ctx, protocol.MethodWorkDoneProgressCreate, WorkDoneProgressCreateParams{Token: token}, nil); err != nil {
		s.logger.Info("no work-done progress", "token", token, "error", err)
		return p
	}
	p.token = token
	zero := uint32(0)
	p.last, p.phase, p.message = time.Now(), "walk", "listing files"
	p.send(WorkDoneProgressBegin{Kind: protocol.WorkDoneProgressKindBegin, Title: title, Message: p.message, Percentage: &zero})
	return p
}

// report sends a report for build progress bp: at once when its phase
// differs from the last report's, otherwise at most every
// progressInterval and only when it says something new.
func (p *workDoneProgress) report(bp analysis.BuildProgress) {
	if p.token == "" {
		return
	}
	percent, message := describeBuild(bp)
	p.mu.Lock()
	percent = max(percent, p.percent)
	now := time.Now()
	skip := p.ended || (bp.Phase == p.phase && (now.Sub(p.last) < progressInterval || (percent == p.percent && message == p.message)))
	if !skip {
		p.last, p.phase, p.percent, p.message = now, bp.Phase, percent, message
	}
	p.mu.Unlock()
	if !skip {
		p.send(WorkDoneProgressReport{Kind: protocol.WorkDoneProgressKindReport, Message: message, Percentage: &percent})
	}
}

// end sends the end of the progress with message; later calls do nothing.
func (p *workDoneProgress) end(message string) {
	if p.token == "" {
		return
	}
	p.mu.Lock()
	ended := p.ended
	p.ended = true
	p.mu.Unlock()
	if !ended {
		p.send(protocol.WorkDoneProgressEnd{Kind: protocol.WorkDoneProgressKindEnd, Message: message})
	}
}

func (p *workDoneProgress) send(value any) {
	// The session's context, not the task's: a cancelled build still
	// ends its progress.
	if err := p.s.Notify(p.s.base, protocol.MethodProgress, ProgressParams{Token: p.token, Value: value}); err != nil {
		p.s.logger.Debug("progress not sent", "error", err)
	}
}

// describeBuild maps a build's progress to a percentage and a message.
// Analysing files is most of a build; the declarations Rust uses and the
// cache save come after.
func describeBuild(bp analysis.BuildProgress) (percent uint32, message string) {
	switch bp.Phase {
	case "walk":
		return 0, "listing files"
	case "rust", "c":
		if bp.Total <= 0 {
			return 5, "analysing files"
		}
		return uint32(5 + 85*min(bp.Done, bp.Total)/bp.Total),
			fmt.Sprintf("%s/%s files", thousands(bp.Done), thousands(bp.Total))
	case "decls":
		return 90, fmt.Sprintf("parsing the C declarations of %s names Rust uses", thousands(bp.Total))
	case "save":
		return 98, "saving the facts cache"
	}
	return 0, bp.Phase
}
