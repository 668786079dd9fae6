package pdfsign

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckFileIsolated: the check in a child process (this test binary in
// child mode) gives the verdict of the check in process; a time limit ends
// the child and gives an incomplete report, never a verdict.
func TestCheckFileIsolated(t *testing.T) {
	for _, name := range []string{"signed.pdf", "tampered.pdf", "ossl-sm2.pdf", "inc-annot.pdf"} {
		path := filepath.Join(fixtureDir, name)
		in, err := CheckFile(context.Background(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := CheckFileIsolated(context.Background(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !out.Complete || out.Intact() != in.Intact() || out.Conclusion() != in.Conclusion() ||
			out.SHA256 != in.SHA256 || out.VerifyAnswer() != in.VerifyAnswer() {
			t.Errorf("%s: isolated %v %q, in process %v %q", name, out.Intact(), out.Conclusion(), in.Intact(), in.Conclusion())
		}
	}
	b, err := os.ReadFile(filepath.Join(fixtureDir, "inc-content.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := CheckBytesIsolated(context.Background(), b, Options{}); err != nil || !rep.Complete || rep.Intact() || rep.File != "" {
		t.Errorf("bytes: %v %+v", err, rep)
	}
	rep, err := CheckFileIsolated(context.Background(), filepath.Join(fixtureDir, "signed.pdf"), Options{Timeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Complete || rep.Intact() || rep.VerifyAnswer().IsModified != Modified {
		t.Errorf("timed out: complete %v intact %v", rep.Complete, rep.Intact())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if rep, err := CheckFileIsolated(ctx, filepath.Join(fixtureDir, "signed.pdf"), Options{}); err != nil || rep.Complete {
		t.Errorf("cancelled: %v %+v", err, rep)
	}
}
