package treesitter

import (
	"context"
	"strings"
	"testing"
)

// maskCase is one masking example. In want, `~` stands for a byte the mask
// blanked; everything else must come out as written. anns lists the
// annotations as "Name(Args)", in order.
type maskCase struct {
	in, want string
	anns     []string
}

func checkMask(t *testing.T, lang Language, cases []maskCase) {
	t.Helper()
	for _, c := range cases {
		want := strings.ReplaceAll(c.want, "~", " ")
		if len(c.in) != len(want) {
			t.Errorf("bad case: %q and %q differ in length", c.in, c.want)
			continue
		}
		got, anns := Mask(lang, []byte(c.in))
		if string(got) != want {
			t.Errorf("Mask(%q)\n got %q\nwant %q", c.in, got, want)
		}
		checkMaskInvariants(t, []byte(c.in), got, anns)
		var names []string
		for _, a := range anns {
			names = append(names, a.Name+"("+a.Args+")")
		}
		if strings.Join(names, " ") != strings.Join(c.anns, " ") {
			t.Errorf("Mask(%q) annotations\n got %q\nwant %q", c.in, names, c.anns)
		}
	}
}

// checkParses fails unless each source has an ERROR or MISSING node when
// parsed raw and none once masked: the mask is what makes it readable.
func checkParses(t *testing.T, lang Language, srcs []string) {
	t.Helper()
	for _, src := range srcs {
		raw, err := ParseRaw(context.Background(), lang, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if !raw.HasError() {
			t.Errorf("raw parse of %q has no error: the case proves nothing", src)
		}
		raw.Close()
		tr := mustParse(t, lang, []byte(src))
		if tr.HasError() {
			t.Errorf("masked parse of %q has an error:\n%s\nmasked: %q", src, tr.Root().SExpr(), tr.Masked())
		}
		tr.Close()
	}
}

func TestMaskUnchangedIsSource(t *testing.T) {
	src := []byte("int main(void) { return 0; }")
	out, anns := Mask(C, src)
	if &out[0] != &src[0] || anns != nil {
		t.Errorf("Mask copied a text with nothing to mask")
	}
	if out, _ := Mask(Language(0), src); &out[0] != &src[0] {
		t.Errorf("Mask of an unknown language changed the text")
	}
}
