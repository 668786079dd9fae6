package pdfsign

// Benchmarks, each against a reference tool on the same file in the same run:
//
//	go test -run '^$' -bench . -benchtime 10x ./pdfsign/
//
// BenchmarkHash100MB/baohan vs /openssl: HashFile (what `baohan hash` runs)
// against `openssl dgst -sha256` on one 100 MB file (page cache warm; the
// openssl figure includes starting the process, a few milliseconds).
// BenchmarkCheck10MB/baohan vs /qpdf: the full check of a signed 10 MB PDF
// against `qpdf --check`. The reference sub-benchmarks skip when the tool is
// not installed (apt-get install -y openssl qpdf).

import (
	"context"
	crand "crypto/rand"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func writeTemp(b *testing.B, name string, fill func(w io.Writer) error) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := fill(f); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

func runTool(b *testing.B, tool string, args ...string) {
	b.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		b.Skipf("%s is not installed (apt-get install -y %s)", tool, tool)
	}
	for b.Loop() {
		out, err := exec.Command(tool, args...).CombinedOutput()
		if err != nil {
			b.Fatalf("%s: %v\n%s", tool, err, out)
		}
	}
}

func BenchmarkHash100MB(b *testing.B) {
	const size = 100 << 20
	path := writeTemp(b, "100mb.bin", func(w io.Writer) error {
		var seed [32]byte
		_, _ = crand.Read(seed[:])
		_, err := io.CopyN(w, mrand.NewChaCha8(seed), size)
		return err
	})
	b.Run("baohan", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, n, err := HashFile(path); err != nil || n != size {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("openssl", func(b *testing.B) {
		b.SetBytes(size)
		runTool(b, "openssl", "dgst", "-sha256", path)
	})
}

func BenchmarkCheck10MB(b *testing.B) {
	// Generated here rather than committed: a signed PDF with a 10 MB image.
	data := genPDF(b, genSpec{payload: 10 << 20})
	path := writeTemp(b, "10mb.pdf", func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	b.Run("baohan", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			rep, err := CheckFile(context.Background(), path, Options{})
			if err != nil || !rep.Intact() || !rep.Signed() {
				b.Fatalf("%v %v", err, rep.Problems)
			}
		}
	})
	b.Run("qpdf", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		runTool(b, "qpdf", "--check", path)
	})
}

// TestTenMegabytePDF checks the generated 10 MB PDF once (its verdict).
func TestTenMegabytePDF(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	data := genPDF(t, genSpec{payload: 10 << 20})
	path := filepath.Join(t.TempDir(), "10mb.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := CheckFile(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Intact() || !rep.Signed() || !rep.ValidRelaxed || rep.Pages != 1 || rep.Size < 10<<20 {
		t.Fatalf("10 MB PDF: intact %v signed %v valid %v pages %d size %d problems %v %+v",
			rep.Intact(), rep.Signed(), rep.ValidRelaxed, rep.Pages, rep.Size, rep.Problems, rep.Signatures)
	}
	s := rep.Signatures[0]
	if !s.CoversWholeFile || s.SigningTimeSource != TimeFromSignedAttribute || s.SignerCN != "王五" {
		t.Errorf("%+v", s)
	}
	// One byte of the image changed inside the signed range: modified.
	data[len(data)/2] ^= 1
	rep, err = Check(context.Background(), bytesReaderAt(data), int64(len(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Intact() || rep.Signatures[0].DigestOK || rep.VerifyAnswer().IsModified != Modified {
		t.Errorf("tampered 10 MB PDF: intact %v", rep.Intact())
	}
}

type bytesAt []byte

func (b bytesAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func bytesReaderAt(b []byte) io.ReaderAt { return bytesAt(b) }
