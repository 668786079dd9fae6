package pdfsign

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzCheck runs the check over mutated PDFs: it must not panic, must return
// within its time limit, and must never call a signature intact that it did
// not verify. The seed corpus is in testdata/fuzz/FuzzCheck (committed) plus
// the small fixtures.
//
//	go test -fuzz FuzzCheck -fuzztime 30s ./pdfsign/
func FuzzCheck(f *testing.F) {
	for _, name := range []string{"signed.pdf", "unsigned.pdf", "two-signatures.pdf", "appended.pdf", "truncated.pdf"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Check(context.Background(), bytes.NewReader(data), int64(len(data)), Options{Timeout: 10 * time.Second})
		if err != nil {
			t.Fatalf("error on an in-memory reader: %v", err)
		}
		if !rep.Complete {
			t.Logf("check did not complete: %v", rep.Problems)
			return
		}
		if rep.Intact() {
			if !rep.IsPDF || !rep.ValidRelaxed {
				t.Fatal("intact but not a valid PDF")
			}
			for _, s := range rep.Signatures {
				if !s.Supported || !s.DigestOK || !s.SignatureOK || !(s.CoversWholeFile || s.LaterUpdatesOnlySignatures) {
					t.Fatalf("intact with an unproved signature: %+v", s)
				}
			}
		}
		if a := rep.VerifyAnswer(); a.IsModified == NotModified && !(rep.Signed() && rep.Intact()) {
			t.Fatal("is_modified 2 without an intact signature")
		}
		ok, _, reason := rep.PushVerdict()
		if ok == (reason != "") {
			t.Fatalf("push verdict %v with reason %q", ok, reason)
		}
		if err := WriteText(io.Discard, rep); err != nil {
			t.Fatal(err)
		}
	})
}
