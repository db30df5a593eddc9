package cscan

import "testing"

// FuzzScan checks that any bytes scan without a panic, within bounds, with
// every name inside its declaration. The seed corpus is in
// testdata/fuzz/FuzzScan.
func FuzzScan(f *testing.F) {
	f.Add([]byte("static int f(void) { return g(1); }\n"))
	f.Add([]byte("#if 0\n{\n#else\nstruct s { enum { A } e; };\n#endif\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		checkInvariants(t, src, Scan(src))
	})
}
