package cscan

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// describeSites renders call sites as "caller line:col", one-based.
func describeSites(src []byte, sites []CallSite) []string {
	scan := Scan(src)
	var out []string
	for _, s := range sites {
		line := bytes.Count(src[:s.Span.Start], []byte{'\n'}) + 1
		col := int(s.Span.Start) - (bytes.LastIndexByte(src[:s.Span.Start], '\n') + 1) + 1
		out = append(out, fmt.Sprintf("%s %d:%d", scan.Decls[s.Func].Name, line, col))
	}
	return out
}

func TestCallSites(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "calls in bodies, not the prototype or the definition's name",
			src: `void put(int x);
void put(int x) { put(x - 1); }
static int a(void)
{
	put(1);
	return put (2), 0;
}
`,
			want: []string{"put 2:19", "a 5:2", "a 6:9"},
		},
		{
			name: "comments, literals and members are not calls",
			src: `int b(struct s *s)
{
	/* put(1) */ // put(2)
	s->put(3);
	s.put(4);
	puts("put(5)");
	return 'p' + put(6);
}
`,
			want: []string{"b 7:15"},
		},
		{
			name: "macro bodies, initialisers and other names are not body calls",
			src: `#define PUT(x) put(x)
static int (*fp)(int) = put;
int output(int put_x) { return put_x + output(0) + input_put(1); }
`,
			want: nil,
		},
		{
			name: "a call inside a conditional group and after a continuation",
			src:  "int c(void)\n{\n#ifdef X\n\tput(1);\n#endif\n\treturn \\\n\t\tput(2);\n}\n",
			want: []string{"c 4:2", "c 7:3"},
		},
		{
			name: "name absent",
			src:  "int d(void) { return 0; }\n",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.src)
			got := describeSites(src, CallSites(src, nil, "put"))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CallSites(put) -want +got:\n%s", diff)
			}
			// A scan passed in gives the same answer.
			if diff := cmp.Diff(CallSites(src, nil, "put"), CallSites(src, Scan(src), "put")); diff != "" {
				t.Errorf("CallSites with a given scan differs:\n%s", diff)
			}
		})
	}
}

func TestIdentAt(t *testing.T) {
	src := []byte("int get_device(int x); /* put_device */ char *s = \"kfree\";\n#define K(a) kmalloc(a)\n")
	tests := []struct {
		at   string // the text the offset points into: the offset of its '|'
		want string // "" when no identifier
	}{
		{"get_|device", "get_device"},
		{"|get_device", "get_device"},
		{"get_device|(", "get_device"}, // just after the word
		{"int |get", "get_device"},
		{"put_|device", ""},
		{"kf|ree", ""},
		{"kmal|loc", "kmalloc"},
		{"K(|a)", "a"},
		{"x)|;", ""},
	}
	for _, tt := range tests {
		pre, post, _ := strings.Cut(tt.at, "|")
		at := bytes.Index(src, []byte(pre+post))
		if at < 0 {
			t.Fatalf("%q not in the source", pre+post)
		}
		off := at + len(pre)
		sp, ok := IdentAt(src, off)
		got := ""
		if ok {
			got = string(src[sp.Start:sp.End])
		}
		if got != tt.want {
			t.Errorf("IdentAt(%q) = %q, want %q", tt.at, got, tt.want)
		}
	}
	for _, off := range []int{-1, len(src) + 1} {
		if _, ok := IdentAt(src, off); ok {
			t.Errorf("IdentAt(%d) found an identifier outside the text", off)
		}
	}
}

// FuzzCallSites checks that any bytes give call sites inside the text,
// each the name, inside its function's span.
func FuzzCallSites(f *testing.F) {
	f.Add([]byte("static int f(void) { return g(1); }\n"), "g")
	f.Add([]byte("int f(void) { \"g(\" g(/*)*/ 1); '"), "g")
	f.Fuzz(func(t *testing.T, src []byte, name string) {
		scan := Scan(src)
		for _, s := range CallSites(src, scan, name) {
			if int(s.Span.End) > len(src) || string(src[s.Span.Start:s.Span.End]) != name {
				t.Fatalf("call site %v is not %q", s.Span, name)
			}
			if !scan.Decls[s.Func].Span.Contains(s.Span.Start) {
				t.Fatalf("call site %v outside its function %v", s.Span, scan.Decls[s.Func].Span)
			}
		}
		for off := range min(len(src)+1, 512) {
			if sp, ok := IdentAt(src, off); ok && (sp.Start > uint32(off) || sp.End < uint32(off)) {
				t.Fatalf("IdentAt(%d) = %v, not around the offset", off, sp)
			}
		}
	})
}

func TestCallSitesOf(t *testing.T) {
	src := []byte(`
static int a(void) { b(); c(1); /* b() */ return b(); }
int d(void) { e(); c(2); }
`)
	got := CallSitesOf(src, nil, map[string]bool{"b": true, "c": true, "z": true})
	if len(got["b"]) != 2 || len(got["c"]) != 2 || len(got["z"]) != 0 {
		t.Fatalf("CallSitesOf = %+v", got)
	}
	for name, sites := range got {
		if want := CallSites(src, nil, name); len(want) != len(sites) || want[0] != sites[0] {
			t.Errorf("%s: CallSitesOf %+v, CallSites %+v", name, sites, want)
		}
	}
}
