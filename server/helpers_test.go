package server_test

import (
	"io"
	"strings"
)

// fmtState is a minimal fmt.State for calling Format directly.
type fmtState struct{ b *strings.Builder }

func (s fmtState) Write(p []byte) (int, error) { return s.b.Write(p) }
func (fmtState) Width() (int, bool)            { return 0, false }
func (fmtState) Precision() (int, bool)        { return 0, false }
func (fmtState) Flag(int) bool                 { return false }

// nopStream is a stream that is already at its end.
type nopStream struct{}

func (nopStream) Read([]byte) (int, error)    { return 0, io.EOF }
func (nopStream) Write(p []byte) (int, error) { return len(p), nil }
func (nopStream) Close() error                { return nil }

// nopWriteCloser discards what is written to it.
type nopWriteCloser struct{}

func (nopWriteCloser) Write(p []byte) (int, error) { return len(p), nil }
func (nopWriteCloser) Close() error                { return nil }
