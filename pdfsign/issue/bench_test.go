package issue

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// A letter signed twice (the firm's signature over a file that already
// carries one, as a 签署文件 may): both signatures stay valid for pdfsig,
// whichever cross-reference form the revision before used (the filled
// letter is written by pdfcpu with a cross-reference stream, the template
// by pikepdf with a table).
func TestSignTwice(t *testing.T) {
	id := makeIdentity(t, "rsa")
	cert := loadIdentity(t, id)
	filled, err := Fill(readTemplate(t), testLetter(t), testFont(t))
	if err != nil {
		t.Fatal(err)
	}
	for name, pdf := range map[string][]byte{"xref table": readTemplate(t), "xref stream": filled} {
		once, err := Sign(context.Background(), pdf, cert, SignOptions{Reason: "1"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := newUpdate(pdf)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.xrefStream; got != (name == "xref stream") {
			t.Errorf("%s: xrefStream = %v", name, got)
		}
		twice, err := Sign(context.Background(), once, cert, SignOptions{Reason: "2"})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(twice, once) {
			t.Fatalf("%s: the second signature rewrote the first revision", name)
		}
		rep := pdfsig(t, twice, "")
		if n := strings.Count(rep, "Signature is Valid"); n != 2 {
			t.Errorf("%s: %d valid signatures, want 2:\n%s", name, n, rep)
		}
		if !strings.Contains(rep, "Signature2") {
			t.Errorf("%s: the second field is not named Signature2:\n%s", name, rep)
		}
	}
}

// go test -bench . -benchtime 20x ./pdfsign/issue/
func BenchmarkSignRSA(b *testing.B)  { benchSign(b, "rsa", false) }
func BenchmarkSignSM2(b *testing.B)  { benchSign(b, "sm2", false) }
func BenchmarkSignSeal(b *testing.B) { benchSign(b, "rsa", true) }

func benchSign(b *testing.B, kind string, seal bool) {
	cert := loadIdentity(b, makeIdentity(b, kind))
	pdf := readTemplate(b)
	var opts SignOptions
	if seal {
		var err error
		if opts.Seal, err = os.ReadFile("../../testdata/letter/seal.png"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Sign(context.Background(), pdf, cert, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFill(b *testing.B) {
	tpl := readTemplate(b)
	l := testLetter(b)
	f := testFont(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Fill(tpl, l, f); err != nil {
			b.Fatal(err)
		}
	}
}
