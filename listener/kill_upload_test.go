package listener

import (
	"mime/multipart"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"baohan/platform/sandbox"
	"baohan/store"
)

// helperPut is a process that stores its stdin in the file store
// (store.PutFile), for TestKillMidUpload to kill in the middle.
func helperPut() int {
	st, err := store.Open(os.Getenv("HELPER_DATA"))
	if err != nil {
		return 2
	}
	defer st.Close()
	if _, err := st.PutFile(os.Stdin, 0); err != nil {
		return 1
	}
	return 0
}

// TestKillMidUpload: a listener process is SIGKILLed while uploads are in
// the middle of their files (genuine claims spooling after their param was
// authenticated, junk spooling before any param) and while another process
// writes a file store temp; after the restart no orphan file remains in
// DIR/spool or DIR/files/tmp, and the log reports what was reclaimed.
func TestKillMidUpload(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL semantics are Unix")
	}
	key, _ := keys(t)
	dir := t.TempDir()
	keyFile := writeKeys(t, dir, key)
	addr := freeAddr(t)
	data := filepath.Join(dir, "data")
	base := "http://" + addr
	var logs lockedBuffer
	run := func() *proc {
		cmd := childCommand(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"=serve", "HELPER_DATA="+data,
			"HELPER_ADDR="+addr, "HELPER_KEY="+keyFile, "HELPER_SECRET="+testSecret)
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p := &proc{cmd: cmd, done: make(chan struct{})}
		go func() { p.err = cmd.Wait(); close(p.done) }()
		t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.done })
		waitHealthy(t, base, p, &logs)
		return p
	}
	defer func() {
		if t.Failed() {
			t.Logf("listener output:\n%s", logs.String())
		}
	}()
	p := run()
	spool, tmp := filepath.Join(data, "spool"), filepath.Join(data, "files", "tmp")

	// Three genuine claims, param first, each stalled in a 1 MB attachment;
	// two junk uploads, files first, stalled likewise.
	var ups []*stalledUpload
	for i := range 3 {
		m := claimMsg("LP20260009"+strconv.Itoa(30+i), "APPLY_WAIT_DEAL", "FZDB2026000930", "E3501000001930")
		param := sealWith(t, testSecret, &key.PublicKey, m)
		ups = append(ups, startStalled(t, base, sandbox.PathClaim, func(mw *multipart.Writer) {
			mw.WriteField("param", param)
			w, _ := mw.CreateFormFile("guarantee_pdf", "保函.pdf")
			w.Write(sandbox.MinimalPDF("保函"))
		}, "attach_file0", 1<<20))
	}
	for range 2 {
		ups = append(ups, startStalled(t, base, sandbox.PathClaim, nil, "attach_file0", 1<<20))
	}
	// Another process in the middle of a file store write.
	put := childCommand(os.Args[0], "-test.run=^$")
	put.Env = append(os.Environ(), helperEnv+"=put", "HELPER_DATA="+data)
	stdin, err := put.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := put.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := stdin.Write(make([]byte, 256<<10)); err != nil {
		t.Fatal(err)
	}
	// 3 x (guarantee_pdf + attach_file0) + 2 x attach_file0 in the spool.
	waitUntil(t, "the uploads are spooling", func() bool {
		return len(listFiles(t, spool)) == 8 && dirBytes(t, spool) >= 5*(1<<20-4096)
	})
	waitUntil(t, "the file store temp is written", func() bool { return dirBytes(t, tmp) >= 256<<10 })

	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if err := put.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = put.Wait()
	stdin.Close()
	for _, su := range ups {
		su.release()
		<-su.done
	}
	left := listFiles(t, spool)
	leftTmp := listFiles(t, tmp)
	leftBytes := dirBytes(t, spool) + dirBytes(t, tmp)
	t.Logf("after SIGKILL: %d spool files, %d file store temps, %d bytes", len(left), len(leftTmp), leftBytes)
	if len(left) != 8 || len(leftTmp) != 1 {
		t.Fatalf("the kill left spool %v, temps %v: not the crash this test means", left, leftTmp)
	}

	mark := len(logs.String())
	p = run()
	if got := listFiles(t, spool); len(got) != 0 {
		t.Errorf("orphans in the spool after the restart: %v", got)
	}
	if got := listFiles(t, tmp); len(got) != 0 {
		t.Errorf("orphans in files/tmp after the restart: %v", got)
	}
	m := regexp.MustCompile(`swept leftover upload files" when=start files=(\d+) bytes=(\d+)`).FindStringSubmatch(logs.String()[mark:])
	if m == nil {
		t.Fatalf("no sweep line in the log:\n%s", logs.String())
	}
	if m[1] != "9" || m[2] != strconv.FormatInt(leftBytes, 10) {
		t.Errorf("log reports %s files, %s bytes; the kill left 9 files, %d bytes", m[1], m[2], leftBytes)
	}
	t.Logf("restart log: %s", strings.TrimSpace(m[0]))
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// TestTwoServeAtOnce: two `baohan serve` started at the same moment on one
// data folder: one serves, the other exits naming why, never "pid 0".
func TestTwoServeAtOnce(t *testing.T) {
	// Parallel: it waits on child processes or the network; the other
	// tests of this kind run meanwhile (never beside the sequential ones).
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("SIGTERM semantics are Unix")
	}
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir, bin, _, addr, data, cfg := startServeSetup(t)
	for round := range 3 {
		var outs [2]lockedBuffer
		var ps [2]*proc
		for i := range ps {
			cmd := serveCommand(bin, dir, cfg, data)
			cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
			ps[i] = &proc{cmd: cmd, done: make(chan struct{})}
		}
		for _, p := range ps {
			if err := p.cmd.Start(); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range ps {
			go func() { p.err = p.cmd.Wait(); close(p.done) }()
		}
		var loser, winner int
		select {
		case <-ps[0].done:
			loser, winner = 0, 1
		case <-ps[1].done:
			loser, winner = 1, 0
		}
		msg := outs[loser].String()
		t.Logf("round %d: the second serve said: %s", round, strings.TrimSpace(msg))
		if strings.Contains(msg, "pid 0") || !(strings.Contains(msg, "already") || strings.Contains(msg, addr)) {
			t.Errorf("round %d: the second serve said %q", round, msg)
		}
		waitHealthy(t, "http://"+addr, ps[winner], &outs[winner])
		if err := ps[winner].cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		<-ps[winner].done
		if ps[winner].err != nil {
			t.Errorf("round %d: serve after SIGTERM: %v\n%s", round, ps[winner].err, outs[winner].String())
		}
	}
}
