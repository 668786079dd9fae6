package pdfsign

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// unreadableFile gives a regular file this process can stat but not open
// for reading: a file of mode 000, or for root (who reads any mode) a
// write-only sysfs attribute.
func unreadableFile(t *testing.T) string {
	if os.Geteuid() != 0 {
		p := filepath.Join(t.TempDir(), "unreadable.pdf")
		if err := os.WriteFile(p, []byte("%PDF-1.7\n"), 0o000); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, p := range []string{"/sys/bus/pci/rescan", "/sys/class/zram-control/hot_remove"} {
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			continue
		}
		if f, err := os.Open(p); err == nil {
			f.Close()
			continue
		}
		return p
	}
	t.Skip("running as root without a write-only sysfs file: no unreadable regular file")
	return ""
}

// TestCheckFileIsolatedUnreadable: a file the child cannot read is a check
// error that says so, not a PDF over the memory limit.
func TestCheckFileIsolatedUnreadable(t *testing.T) {
	path := unreadableFile(t)
	rep, err := CheckFileIsolated(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.IsPDF || rep.Intact() || !strings.HasPrefix(rep.CheckError, "check process could not read the file: ") ||
		len(rep.Problems) != 1 || !strings.HasPrefix(rep.Problems[0], "检查进程无法读取文件") {
		t.Errorf("unreadable: IsPDF %v, CheckError %q, Problems %q", rep.IsPDF, rep.CheckError, rep.Problems)
	}
	t.Logf("%s: %s; %s", path, rep.CheckError, rep.Problems)
	if ok, _, reason := rep.PushVerdict(); ok || !strings.Contains(reason, "无法读取文件") {
		t.Errorf("push verdict %v %q", ok, reason)
	}
}

// TestChildFailed: the child's exit codes and its stderr give the report.
func TestChildFailed(t *testing.T) {
	long := strings.Repeat("x", 1000)
	cases := []struct {
		code          int
		errOut        string
		isPDF         bool
		problem, cerr string
	}{
		{exitUnreadable, "pdfsign child: check /a.pdf: open /a.pdf: permission denied\n", false,
			"检查进程无法读取文件（没有读取权限），无法确认文件完好", "check process could not read the file: pdfsign child: check /a.pdf: open /a.pdf: permission denied"},
		{exitUnreadable, "pdfsign child: check /a.pdf: open /a.pdf: no such file or directory", false,
			"检查进程无法读取文件（文件已不存在），无法确认文件完好", "check process could not read the file: "},
		{exitChildFailed, "pdfsign child: options: bad", false, "检查进程运行出错，无法确认文件完好", "check process failed: pdfsign child: options: bad"},
		// The Go runtime's fatal errors (out of memory) exit 2; a kill is -1.
		{2, "fatal error: runtime: out of memory\n", true, "文件检查超出了内存或资源限制", "check process failed: exit status 2: fatal error: runtime: out of memory"},
		{-1, "", true, "文件检查超出了内存或资源限制", "check process failed: signal: killed: signal: killed"},
		{exitUnreadable, long, false, "检查进程无法读取文件，", "check process could not read the file: " + strings.Repeat("x", 200) + "…"},
	}
	for _, c := range cases {
		runErr := errors.New("exit status " + strconv.Itoa(c.code))
		if c.code == -1 {
			runErr = errors.New("signal: killed")
		}
		rep := &Report{}
		childFailed(rep, c.code, runErr, c.errOut)
		if rep.IsPDF != c.isPDF || len(rep.Problems) != 1 || !strings.HasPrefix(rep.Problems[0], c.problem) ||
			!strings.HasPrefix(rep.CheckError, c.cerr) || len([]rune(rep.CheckError)) > 300 {
			t.Errorf("exit %d: IsPDF %v, Problems %q, CheckError %q", c.code, rep.IsPDF, rep.Problems, rep.CheckError)
		}
	}
}
