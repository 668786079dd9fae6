package pdfsign

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Isolated checks: a file from outside (the 2.6 endpoint, a file a clerk
// picked) is checked in a child process of the running executable, so that
// a limit really holds whatever the parse does: the child's memory is
// capped (Linux: RLIMIT_AS; Windows: a Job Object with a process memory
// limit; macOS: see isolate_other.go), its Go heap is steered below that,
// and it is killed when the time is up, so a timeout ends the work, not
// only the answer. The parent only reads the child's JSON report
// (bounded).
//
// The child's standard input is a pipe from the parent. The child waits
// for one go-ahead byte on it before it touches the file, so that the
// parent can confine it first (confineChild: the Job Object on Windows);
// a child whose parent could not confine it is killed unread. The pipe
// also ends the child when the parent dies (it reads end of file), where
// the system has no parent-death signal.
//
// The child is the same executable started with BAOHAN_PDFSIGN_CHILD set;
// this package's init runs the check and exits before the program's main
// (or a test binary's tests) start. Any program importing pdfsign can
// therefore use CheckFileIsolated without wiring anything in main.

// Child limits.
const (
	// ChildMemoryLimit caps the child's address space beyond what the Go
	// runtime had reserved at start.
	ChildMemoryLimit = 512 << 20
	childHeapLimit   = 192 << 20 // the Go heap target inside the child (soft: GC works harder near it)
	maxReportBytes   = 8 << 20   // the child's JSON report
)

const (
	envChild = "BAOHAN_PDFSIGN_CHILD"
	envFile  = "BAOHAN_PDFSIGN_FILE"
	envOpts  = "BAOHAN_PDFSIGN_OPTS"
	envTrust = "BAOHAN_PDFSIGN_TRUST"
)

func init() {
	if os.Getenv(envChild) != "1" {
		return
	}
	os.Exit(runChild(os.Stdout))
}

// The child's exit codes besides 0. A Go runtime fatal error (out of
// memory under the address-space cap) or an uncaught panic exits 2, so the
// child's own failures use other codes.
const (
	exitChildFailed = 3 // the child could not run: options, report output
	exitUnreadable  = 4 // CheckFile could not read the file
)

type childOptions struct {
	Revocation bool          `json:"revocation"`
	Timeout    time.Duration `json:"timeout"`
}

// runChild checks the file named in the environment and writes the report.
func runChild(w io.Writer) int {
	if err := awaitGoAhead(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "pdfsign child:", err)
		return exitChildFailed
	}
	go exitOnEOF(os.Stdin) // the parent's death ends the child on every system
	if err := checkConfined(); err != nil {
		fmt.Fprintln(os.Stderr, "pdfsign child: not confined:", err)
		return exitChildFailed
	}
	limitSelf()
	var co childOptions
	if err := json.Unmarshal([]byte(os.Getenv(envOpts)), &co); err != nil {
		fmt.Fprintln(os.Stderr, "pdfsign child: options:", err)
		return exitChildFailed
	}
	globalMu.Lock()
	_ = setupLocked(os.Getenv(envTrust))
	globalMu.Unlock()
	rep, err := CheckFile(context.Background(), os.Getenv(envFile), Options(co))
	if err != nil {
		fmt.Fprintln(os.Stderr, "pdfsign child:", err)
		return exitUnreadable
	}
	if err := json.NewEncoder(w).Encode(rep); err != nil {
		fmt.Fprintln(os.Stderr, "pdfsign child: report:", err)
		return exitChildFailed
	}
	return 0
}

// ErrNoIsolation is returned when the child process cannot be started.
var ErrNoIsolation = errors.New("pdfsign: cannot start the check process")

// CheckFileIsolated checks the PDF at path like CheckFile, in a child
// process bounded in memory (ChildMemoryLimit) and time (opt.Timeout, then
// the child is killed). A child that dies (out of memory, a crash) gives a
// report with CheckError set, which is never intact; so does a file the
// child cannot read (IsPDF false, the problem says so); a timeout gives a
// report with Complete false.
func CheckFileIsolated(ctx context.Context, path string, opt Options) (*Report, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("check %s: not a regular file", path)
	}
	exe, err := os.Executable()
	if _, e := os.Stat("/proc/self/exe"); e == nil {
		// The running image itself, even when the file was replaced by an
		// upgrade since the program started.
		exe, err = "/proc/self/exe", nil
	}
	if err != nil {
		return nil, fmt.Errorf("check %s: %w: %v", path, ErrNoIsolation, err)
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ts := ensureSetup()
	opts, _ := json.Marshal(childOptions{Revocation: opt.Revocation, Timeout: timeout})
	cctx, cancel := context.WithTimeout(ctx, timeout+2*time.Second) // the child stops itself at timeout
	defer cancel()
	cmd := exec.CommandContext(cctx, exe)
	cmd.Env = append(os.Environ(), envChild+"=1", envFile+"="+path, envOpts+"="+string(opts), envTrust+"="+ts.dir)
	cmd.SysProcAttr = childProcAttr()
	cmd.WaitDelay = time.Second
	var out bytes.Buffer
	var errOut bytes.Buffer
	cmd.Stdout = &limitedWriter{w: &out, n: maxReportBytes}
	cmd.Stderr = &limitedWriter{w: &errOut, n: 64 << 10}
	started := time.Now()
	stopped := func(msg string) *Report {
		return &Report{File: path, Size: st.Size(), CheckedAt: started.UTC(), Signatures: []Signature{}, Problems: []string{msg}}
	}
	runErr, confineErr := runConfined(cmd)
	if cctx.Err() != nil {
		if ctx.Err() != nil {
			return stopped("检查被中止，无法确认文件完好"), nil
		}
		return stopped(fmt.Sprintf("检查超时（超过 %d 秒），无法确认文件完好", int(timeout.Round(time.Second)/time.Second))), nil
	}
	if confineErr != nil {
		r := stopped("无法限制检查进程的内存，文件未检查，无法确认文件完好")
		r.Complete = true
		r.CheckError = "check process not confined: " + shorten(confineErr.Error(), 200)
		return r, nil
	}
	if errors.Is(runErr, ErrNoIsolation) {
		return nil, fmt.Errorf("check %s: %w", path, runErr)
	}
	if runErr != nil {
		code := -1
		var ee *exec.ExitError
		if errors.As(runErr, &ee) {
			code = ee.ExitCode()
		}
		rep := stopped("")
		rep.Complete = true
		childFailed(rep, code, runErr, errOut.String())
		return rep, nil
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		r := stopped("检查结果无法读取，无法确认文件完好")
		r.Complete = true
		r.CheckError = "check process output: " + err.Error()
		return r, nil
	}
	rep.File = path
	return &rep, nil
}

// childFailed fills rep for a child that ended with exit code code (-1:
// killed by a signal or not started) and wrote errOut: the file it could
// not read, its own failure, or else (a signal, the Go runtime's fatal
// error under the memory cap) a limit the file ran into.
func childFailed(rep *Report, code int, runErr error, errOut string) {
	detail := strings.TrimSpace(errOut)
	if detail == "" {
		detail = runErr.Error()
	}
	detail = shorten(detail, 200)
	switch code {
	case exitUnreadable:
		why := ""
		switch {
		case strings.Contains(errOut, "permission denied"):
			why = "（没有读取权限）"
		case strings.Contains(errOut, "no such file"):
			why = "（文件已不存在）"
		}
		rep.Problems = []string{"检查进程无法读取文件" + why + "，无法确认文件完好"}
		rep.CheckError = "check process could not read the file: " + detail
	case exitChildFailed:
		rep.Problems = []string{"检查进程运行出错，无法确认文件完好"}
		rep.CheckError = "check process failed: " + detail
	default:
		rep.Problems = []string{"文件检查超出了内存或资源限制（文件过大或结构异常），无法确认文件完好"}
		rep.IsPDF = true
		rep.CheckError = "check process failed: " + shorten(runErr.Error(), 100) + ": " + detail
	}
}

// goAhead is the byte the parent sends on the child's standard input
// once the child is confined.
const goAhead = 'G'

// confineChild puts a started, waiting child under the system's memory
// cap where the parent must do it (Windows: a Job Object) and returns what
// releases that cap after the child has ended. Tests replace it.
var confineChild = confineProcess

// runConfined starts cmd with a go-ahead pipe as its standard input,
// confines the child, lets it go and waits for it. A child that cannot be
// confined is killed before it reads anything: confineErr says why. A
// child that cannot be started gives an error wrapping ErrNoIsolation.
func runConfined(cmd *exec.Cmd) (runErr, confineErr error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoIsolation, err), nil
	}
	defer pw.Close()
	cmd.Stdin = pr
	err = cmd.Start()
	pr.Close()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoIsolation, err), nil
	}
	release, err := confineChild(cmd.Process)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	defer release()
	// A failed write means the child is gone already; Wait tells how.
	_, _ = pw.Write([]byte{goAhead})
	return cmd.Wait(), nil
}

// awaitGoAhead blocks until the parent's go-ahead byte arrives on r.
func awaitGoAhead(r io.Reader) error {
	var b [1]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return fmt.Errorf("no go-ahead from the parent: %v", err)
	}
	if b[0] != goAhead {
		return fmt.Errorf("unexpected go-ahead byte %q", b[0])
	}
	return nil
}

// limitedWriter keeps at most n bytes and drops the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	k := len(p)
	if len(p) > l.n {
		p = p[:l.n]
	}
	l.n -= len(p)
	if len(p) > 0 {
		if _, err := l.w.Write(p); err != nil {
			return 0, err
		}
	}
	return k, nil
}

// CheckBytesIsolated checks pdf like Check, in a bounded child process (see
// CheckFileIsolated): the bytes go to a private temporary file that the
// child reads and that is removed afterwards, so the verdict is about
// exactly these bytes (for the push gate: the bytes that will be pushed).
func CheckBytesIsolated(ctx context.Context, pdf []byte, opt Options) (*Report, error) {
	f, err := os.CreateTemp("", "baohan-check-*.pdf")
	if err != nil {
		return nil, fmt.Errorf("check: %w: %v", ErrNoIsolation, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(pdf); err != nil {
		f.Close()
		return nil, fmt.Errorf("check: write temporary file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("check: write temporary file: %w", err)
	}
	rep, err := CheckFileIsolated(ctx, f.Name(), opt)
	if rep != nil {
		rep.File = ""
	}
	return rep, err
}

// exitParentGone is the child's exit code when its go-ahead pipe closes
// under it: the parent has died or dropped it.
const exitParentGone = 6

// exitOnEOF reads r to its end, then ends the process.
func exitOnEOF(r io.Reader) {
	_, _ = io.Copy(io.Discard, r)
	os.Exit(exitParentGone)
}
