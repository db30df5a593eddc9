// Package stress drives a rivet language server with random, hostile
// traffic and checks that it survives: thousands of requests of every
// kind the server advertises, at real and absurd positions, on open,
// unopened, deleted and unreadable documents; edits, some modelled and
// checked against the server's copy, some out of range; cancellations
// with numeric and string ids; storms of watched-file events; settings
// valid and not; bodies that are not JSON-RPC; and, under a scratch
// workspace root it owns, a tree laid out to hurt (megabyte lines,
// invalid UTF-8, binary files, a named pipe, symbolic-link loops and
// links out of the roots, unreadable directories) whose files it
// replaces and removes while the server indexes them.
//
// A Report counts what was sent and how the server answered, and lists
// every broken guarantee: a request unanswered within the reply timeout,
// an error a request did not deserve (InternalError always; a
// cancellation error for a request never cancelled; InvalidParams for
// well-formed params), a malformed or unmatched response, an edit lost
// or misapplied, stale diagnostics left on a closed document, a location
// reached through a link out of the roots, memory over a limit, and a
// session that does not end cleanly on shutdown and exit.
//
// InProcess runs the server in this process (memory is its Go heap, and
// a recovered panic in its log is a failure); internal/tools/stress runs
// a `rivet serve` binary (memory is its RSS). The test in this package
// runs a short session over testdata/kernel in `go test ./...`;
// RIVET_STRESS=DURATION lengthens it and RIVET_KERNEL=PATH adds a kernel
// tree as a workspace root.
package stress
