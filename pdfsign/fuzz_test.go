package pdfsign

import (
	"bytes"
	"context"
	"io"
	mrand "math/rand/v2"
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

// FuzzSignedData runs the CMS reader and the signer check over mutated
// signature values (seeds: the CMS of pdfsig-, OpenSSL- and SM2-signed
// fixtures): no panic, and a mutated value never verifies against the
// original document's digest unless it is the original signature.
//
//	go test -fuzz FuzzSignedData -fuzztime 30s ./pdfsign/
func FuzzSignedData(f *testing.F) {
	for _, name := range []string{"signed.pdf", "ossl-rsa-pss.pdf", "ossl-ecdsa-p256.pdf", "ossl-sm2.pdf", "ossl-rsa-noattr.pdf"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			f.Fatal(err)
		}
		rep, err := Check(context.Background(), bytes.NewReader(data), int64(len(data)), Options{})
		if err != nil || len(rep.Signatures) == 0 {
			f.Fatal(name, err)
		}
		br := rep.Signatures[len(rep.Signatures)-1].ByteRange
		cms, err := gapContents(bytes.NewReader(data), [2]int64{br[1], br[2]})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.TrimRight(cms, "\x00"))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		sd, err := parseSignedData(raw)
		if err != nil {
			return
		}
		s := &Signature{Kind: KindSignature}
		for i := range sd.signers {
			_ = checkSigner(s, sd, &sd.signers[i], func(d digestAlg) ([]byte, error) {
				h := d.new()
				h.Write([]byte("not the signed document"))
				return h.Sum(nil), nil
			})
		}
		for _, c := range sd.certs {
			_, _ = keyOf(c)
		}
	})
}

// TestMutatedSignedData: 3000 deterministic mutations of real signature
// values (a few bytes each) through the CMS reader and the signer check:
// no panic, and none verifies against a document it did not sign. (The
// fuzzer above explores further; this runs in every `go test`.)
func TestMutatedSignedData(t *testing.T) {
	var seeds [][]byte
	for _, name := range []string{"signed.pdf", "ossl-rsa-pss.pdf", "ossl-ecdsa-p256.pdf", "ossl-sm2.pdf", "ossl-rsa-noattr.pdf"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Check(context.Background(), bytes.NewReader(data), int64(len(data)), Options{})
		if err != nil || len(rep.Signatures) == 0 {
			t.Fatal(name, err)
		}
		br := rep.Signatures[len(rep.Signatures)-1].ByteRange
		cms, err := gapContents(bytes.NewReader(data), [2]int64{br[1], br[2]})
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, bytes.TrimRight(cms, "\x00"))
	}
	r := mrand.New(mrand.NewPCG(1, 2))
	for i := range 3000 {
		raw := append([]byte{}, seeds[i%len(seeds)]...)
		for range 1 + r.IntN(4) {
			raw[r.IntN(len(raw))] = byte(r.IntN(256))
		}
		sd, err := parseSignedData(raw)
		if err != nil {
			continue
		}
		s := &Signature{Kind: KindSignature}
		for j := range sd.signers {
			res := checkSigner(s, sd, &sd.signers[j], func(d digestAlg) ([]byte, error) {
				h := d.new()
				h.Write([]byte("not the signed document"))
				return h.Sum(nil), nil
			})
			if res.err == "" {
				t.Fatalf("mutation %d verified against another document", i)
			}
		}
	}
}
