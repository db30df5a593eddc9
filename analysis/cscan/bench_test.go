package cscan

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

//go:embed testdata/bench
var benchInputs embed.FS

// BenchmarkScan scans the kernel-style inputs of testdata/bench, written
// for the purpose: a platform driver and its header.
func BenchmarkScan(b *testing.B) {
	for _, name := range []string{"driver.c", "widget.h"} {
		src, err := benchInputs.ReadFile("testdata/bench/" + name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) { benchScan(b, [][]byte{src}) })
	}
}

// BenchmarkKernelSample scans the precision sample of the tree held in
// memory (RIVET_KERNEL).
func BenchmarkKernelSample(b *testing.B) {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		b.Skip("RIVET_KERNEL is not set")
	}
	var srcs [][]byte
	for _, f := range sampleFiles(&testing.T{}, root) {
		src, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	benchScan(b, srcs)
}

// benchScan scans srcs once per iteration and also reports throughput per
// CPU-second of the process, which a busy machine does not distort.
func benchScan(b *testing.B, srcs [][]byte) {
	var total int64
	for _, src := range srcs {
		total += int64(len(src))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		for _, src := range srcs {
			Scan(src)
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(total)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
}

// BenchmarkKernelTree scans every .c and .h file of the tree, held in
// memory (RIVET_KERNEL). One iteration is the whole tree.
func BenchmarkKernelTree(b *testing.B) {
	root := os.Getenv("RIVET_KERNEL")
	if root == "" {
		b.Skip("RIVET_KERNEL is not set")
	}
	var srcs [][]byte
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isCFile(p) || !d.Type().IsRegular() {
			return err
		}
		src, err := os.ReadFile(p)
		srcs = append(srcs, src)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	benchScan(b, srcs)
}
