//go:build !linux || !cgo

package treesitter

func releaseFreed() {}
