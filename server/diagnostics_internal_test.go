package server

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// passProbe is a pass function for passScheduler tests: each pass
// reports its start, then blocks until released or cancelled, and
// publishes its number.
type passProbe struct {
	t       *testing.T
	started chan *probePass

	mu        sync.Mutex
	running   int
	most      int   // the most passes running at once
	published []int // numbers of the published passes
	n         int
}

type probePass struct {
	n       int
	ctx     context.Context
	release chan struct{}
}

func newPassProbe(t *testing.T) *passProbe {
	return &passProbe{t: t, started: make(chan *probePass, 16)}
}

func (p *passProbe) run(ctx context.Context, _ protocol.DocumentURI) func() {
	p.mu.Lock()
	p.n++
	pass := &probePass{n: p.n, ctx: ctx, release: make(chan struct{})}
	p.running++
	p.most = max(p.most, p.running)
	p.mu.Unlock()
	p.started <- pass
	select {
	case <-pass.release:
	case <-ctx.Done():
	}
	p.mu.Lock()
	p.running--
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		p.published = append(p.published, pass.n)
		p.mu.Unlock()
	}
}

// next waits for the next pass to start.
func (p *passProbe) next() *probePass {
	p.t.Helper()
	select {
	case pass := <-p.started:
		return pass
	case <-time.After(10 * time.Second):
		p.t.Fatal("no pass started")
		return nil
	}
}

// idle fails if a pass starts within a short while.
func (p *passProbe) idle() {
	p.t.Helper()
	select {
	case pass := <-p.started:
		p.t.Fatalf("unexpected pass %d", pass.n)
	case <-time.After(50 * time.Millisecond):
	}
}

func (p *passProbe) state() (most int, published []int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.most, append([]int(nil), p.published...)
}

const testURI = protocol.DocumentURI("file:///k/lib.rs")

// TestPassSchedulerEditCancels: an edit cancels the running pass, whose
// result is not published, and the next pass waits for it to return.
func TestPassSchedulerEditCancels(t *testing.T) {
	probe := newPassProbe(t)
	sched := newPassScheduler(context.Background(), probe.run)
	sched.edited(testURI)
	first := probe.next()
	sched.edited(testURI)
	if err := waitDone(first.ctx); err != nil {
		t.Fatal("the running pass was not cancelled by an edit")
	}
	second := probe.next()
	close(second.release)
	probe.idle()
	most, published := probe.state()
	if most != 1 || len(published) != 1 || published[0] != second.n {
		t.Errorf("most running %d, published %v: want 1 and only pass %d", most, published, second.n)
	}
}

// TestPassSchedulerCoalesces: changes of facts while a pass runs ask for
// exactly one more pass, after it.
func TestPassSchedulerCoalesces(t *testing.T) {
	probe := newPassProbe(t)
	sched := newPassScheduler(context.Background(), probe.run)
	sched.invalidate(testURI, 0)
	first := probe.next()
	for i := 0; i < 5; i++ {
		sched.invalidate(testURI, 0)
	}
	if first.ctx.Err() != nil {
		t.Fatal("a change of facts cancelled the running pass")
	}
	close(first.release)
	second := probe.next()
	close(second.release)
	probe.idle()
	most, published := probe.state()
	if most != 1 || len(published) != 2 {
		t.Errorf("most running %d, published %v: want 1 and two passes", most, published)
	}
}

// TestPassSchedulerEditsRestart: edits while a pass runs cancel it and
// make exactly one more pass, after it returns.
func TestPassSchedulerEditsRestart(t *testing.T) {
	probe := newPassProbe(t)
	sched := newPassScheduler(context.Background(), probe.run)
	sched.edited(testURI) // nothing runs: at once
	first := probe.next()
	for i := 0; i < 4; i++ {
		sched.edited(testURI)
	}
	if err := waitDone(first.ctx); err != nil {
		t.Fatal("the edits did not cancel the running pass")
	}
	second := probe.next()
	close(second.release)
	probe.idle()
	if most, published := probe.state(); most != 1 || len(published) != 1 || published[0] != second.n {
		t.Errorf("most running %d, published %v: want 1 and only pass %d", most, published, second.n)
	}
}

// TestPassSchedulerForget: after forget nothing of the document is
// published, and its waiting pass never starts.
func TestPassSchedulerForget(t *testing.T) {
	probe := newPassProbe(t)
	sched := newPassScheduler(context.Background(), probe.run)
	sched.edited(testURI)
	pass := probe.next()
	sched.invalidate(testURI, 0) // one more asked for
	if !sched.forget(testURI) {
		t.Fatal("forget: document unknown")
	}
	close(pass.release)
	probe.idle()
	if _, published := probe.state(); len(published) != 0 {
		t.Errorf("published %v after forget", published)
	}
	if sched.forget(testURI) {
		t.Error("forget twice: still known")
	}
	sched.invalidate(testURI, time.Hour)
	sched.stop()
	sched.edited(testURI)
	probe.idle()
}

func waitDone(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(10 * time.Second):
		return context.DeadlineExceeded
	}
}

// TestPassSchedulerYield: yield cancels the passes of every document
// (their results are not published) and runs each once more after it
// returns; documents without a running pass get none.
func TestPassSchedulerYield(t *testing.T) {
	probe := newPassProbe(t)
	sched := newPassScheduler(context.Background(), probe.run)
	other := protocol.DocumentURI("file:///k/other.rs")
	idle := protocol.DocumentURI("file:///k/idle.rs")
	sched.edited(testURI)
	sched.edited(other)
	first, second := probe.next(), probe.next()
	sched.invalidate(idle, time.Hour) // waiting, not running
	sched.yield()
	for _, pass := range []*probePass{first, second} {
		if err := waitDone(pass.ctx); err != nil {
			t.Fatalf("yield did not cancel pass %d", pass.n)
		}
	}
	again := []*probePass{probe.next(), probe.next()}
	for _, pass := range again {
		close(pass.release)
	}
	probe.idle()
	_, published := probe.state()
	if len(published) != 2 || !containsAll(published, again[0].n, again[1].n) {
		t.Errorf("published %v: want only the passes run again, %d and %d", published, again[0].n, again[1].n)
	}
	sched.stop()
}

func containsAll(xs []int, want ...int) bool {
	for _, w := range want {
		found := false
		for _, x := range xs {
			found = found || x == w
		}
		if !found {
			return false
		}
	}
	return true
}
