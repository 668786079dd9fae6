package pdfsign

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// fakeJobs is jobAPI over a call log; fail names the step that fails.
type fakeJobs struct {
	calls []string
	limit jobLimits
	fail  string
}

func (f *fakeJobs) step(name string) error {
	f.calls = append(f.calls, name)
	if f.fail == strings.Fields(name)[0] {
		return errors.New(name + " refused")
	}
	return nil
}

func (f *fakeJobs) CreateJob() (jobHandle, error) { return 7, f.step("create") }
func (f *fakeJobs) SetLimits(job jobHandle, l jobLimits) error {
	f.limit = l
	return f.step(fmt.Sprintf("limits %d", job))
}
func (f *fakeJobs) OpenProcess(pid int) (jobHandle, error) {
	return 9, f.step(fmt.Sprintf("open %d", pid))
}
func (f *fakeJobs) Assign(job, p jobHandle) error { return f.step(fmt.Sprintf("assign %d %d", job, p)) }
func (f *fakeJobs) Terminate(p jobHandle) error   { return f.step(fmt.Sprintf("terminate %d", p)) }
func (f *fakeJobs) Close(h jobHandle) error       { return f.step(fmt.Sprintf("close %d", h)) }

// TestConfineInJob drives the Windows Job Object steps through jobAPI:
// the limits are set before the child is assigned, the job handle stays
// open until release (kill-on-close is the parent-death guard), and any
// failing step terminates the child and leaves no handle open.
func TestConfineInJob(t *testing.T) {
	f := &fakeJobs{}
	release, err := confineInJob(f, 4242, childJobLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"create", "limits 7", "open 4242", "assign 7 9", "close 9"}
	if !reflect.DeepEqual(f.calls, want) {
		t.Errorf("calls %q, want %q", f.calls, want)
	}
	if f.limit != (jobLimits{ProcessMemory: 512 << 20, ActiveProcesses: 1, KillOnClose: true, DieOnUnhandledException: true}) {
		t.Errorf("limits %+v", f.limit)
	}
	release()
	release()
	if got := f.calls[len(f.calls)-1]; got != "close 7" || len(f.calls) != len(want)+1 {
		t.Errorf("release: calls %q", f.calls)
	}

	for _, c := range []struct {
		fail string
		want []string
	}{
		{"create", []string{"create"}},
		{"limits", []string{"create", "limits 7", "close 7"}},
		{"open", []string{"create", "limits 7", "open 4242", "close 7"}},
		{"assign", []string{"create", "limits 7", "open 4242", "assign 7 9", "terminate 9", "close 9", "close 7"}},
	} {
		f := &fakeJobs{fail: c.fail}
		release, err := confineInJob(f, 4242, childJobLimits())
		if err == nil || release != nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s fails: release %v, err %v", c.fail, release != nil, err)
		}
		if !reflect.DeepEqual(f.calls, c.want) {
			t.Errorf("%s fails: calls %q, want %q", c.fail, f.calls, c.want)
		}
	}
	// Limits that would not cap or not end the child are refused unused.
	for _, l := range []jobLimits{{KillOnClose: true}, {ProcessMemory: 1 << 20}} {
		f := &fakeJobs{}
		if _, err := confineInJob(f, 1, l); err == nil || len(f.calls) != 0 {
			t.Errorf("limits %+v: err %v, calls %q", l, err, f.calls)
		}
	}
}

// TestCheckJobLimits: the child reads the file only inside a job at least
// as strict as the one the parent makes.
func TestCheckJobLimits(t *testing.T) {
	want := childJobLimits()
	for _, c := range []struct {
		got jobLimits
		ok  bool
	}{
		{want, true},
		{jobLimits{ProcessMemory: 64 << 20, ActiveProcesses: 1, KillOnClose: true}, true},
		{jobLimits{}, false}, // not in a job, or a job without limits
		{jobLimits{ProcessMemory: want.ProcessMemory + 1, ActiveProcesses: 1, KillOnClose: true}, false},
		{jobLimits{ProcessMemory: want.ProcessMemory, KillOnClose: true}, false},
		{jobLimits{ProcessMemory: want.ProcessMemory, ActiveProcesses: 2, KillOnClose: true}, false},
		{jobLimits{ProcessMemory: want.ProcessMemory, ActiveProcesses: 1}, false},
	} {
		if err := checkJobLimits(c.got, want); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.got, err)
		}
	}
}

// TestIsolatedConfinedBeforeRead: the parent confines the child before
// the child touches the file. The confinement here removes the file: a
// child that waited for it finds the file gone. A confinement that fails
// kills the child unread, and the report says the file was not checked.
func TestIsolatedConfinedBeforeRead(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the child checks its own Job Object there, which the fake confinement does not make; TestConfineInJob drives the steps")
	}
	b, err := os.ReadFile(filepath.Join(fixtureDir, "signed.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	old := confineChild
	t.Cleanup(func() { confineChild = old })
	released := 0
	confineChild = func(p *os.Process) (func(), error) {
		if err := p.Signal(syscall.Signal(0)); err != nil {
			t.Errorf("the child is not running while it is confined: %v", err)
		}
		if err := os.Remove(path); err != nil {
			t.Error(err)
		}
		return func() { released++ }, nil
	}
	rep, err := CheckFileIsolated(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Intact() || !strings.HasPrefix(rep.CheckError, "check process could not read the file") ||
		len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "文件已不存在") || released != 1 {
		t.Errorf("file removed while confining: released %d, CheckError %q, Problems %q", released, rep.CheckError, rep.Problems)
	}

	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var child *os.Process
	confineChild = func(p *os.Process) (func(), error) {
		child = p
		return nil, errors.New("create job object: Access is denied.")
	}
	rep, err = CheckFileIsolated(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Intact() || !rep.Complete || rep.CheckError != "check process not confined: create job object: Access is denied." ||
		len(rep.Problems) != 1 || !strings.HasPrefix(rep.Problems[0], "无法限制检查进程的内存") || len(rep.Signatures) != 0 {
		t.Errorf("confinement failed: %+v", rep)
	}
	if ok, _, reason := rep.PushVerdict(); ok || reason == "" {
		t.Errorf("push verdict %v %q", ok, reason)
	}
	if child == nil || child.Signal(syscall.Signal(0)) == nil {
		t.Errorf("the unconfined child is still running")
	}
}
