//go:build unix

package pdfsign

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestChildEndsWithParent: the check child ends when its go-ahead pipe
// closes, as it does when the parent dies, even while it is stuck in the
// file (a FIFO nobody writes: opening it blocks for ever). A child started
// without a go-ahead reads nothing.
func TestChildEndsWithParent(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "stuck.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	opts, _ := json.Marshal(childOptions{Timeout: DefaultTimeout})
	child := func() *exec.Cmd {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), envChild+"=1", envFile+"="+fifo, envOpts+"="+string(opts), envTrust+"=")
		return cmd
	}

	cmd := child()
	out, err := cmd.CombinedOutput() // standard input: the null device, no go-ahead
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitChildFailed || !strings.Contains(string(out), "no go-ahead") {
		t.Errorf("without a go-ahead: %v %s", err, out)
	}

	cmd = child()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = pr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pr.Close()
	if _, err := pw.Write([]byte{goAhead}); err != nil {
		t.Fatal(err)
	}
	pw.Close() // the parent is gone
	err = cmd.Wait()
	if !errors.As(err, &ee) || ee.ExitCode() != exitParentGone {
		t.Errorf("after the pipe closed: %v", err)
	}
}
