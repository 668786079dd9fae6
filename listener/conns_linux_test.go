package listener

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"baohan/listener/loadtest"
	"baohan/platform"
)

// childNofile is the descriptor limit of the listener in TestConnCap.
const childNofile = 256

// TestConnCap (issue 24, item 3): a listener under a 256-descriptor limit
// (in a child process: the limit is per process) is held by 1,100
// connections from this process, half idle keep-alive after a /healthz,
// half open without a byte. A genuine 2.1 and /healthz are still answered
// 200, the child's open descriptors stay below its limit with room kept,
// and its connections at the cap. Before the cap, the accepts failed with
// "too many open files" and nothing was answered.
func TestConnCap(t *testing.T) {
	if testing.Short() {
		t.Skip("a child process and 1,100 connections; skipped with -short")
	}
	const held = 1100
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur < held+200 {
		t.Skipf("this process may open %d descriptors, not enough to hold %d connections", r.Cur, held)
	}
	key, _ := keys(t)
	keyFile := writeKeys(t, t.TempDir(), key)
	cmd := childCommand(os.Args[0], "-test.run=^TestConnCapChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "BAOHAN_CONN_CHILD=1", "BAOHAN_CONN_KEY="+keyFile)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	var addr string
	var out strings.Builder
	for addr == "" && lines.Scan() {
		out.WriteString(lines.Text() + "\n")
		if a, ok := strings.CutPrefix(lines.Text(), "ADDR="); ok {
			addr = a
		}
	}
	if addr == "" {
		t.Fatalf("child gave no address:\n%s%s", out.String(), stderr.String())
	}
	rest := make(chan string, 1)
	go func() {
		var b strings.Builder
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
		}
		rest <- b.String()
	}()

	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	idle := 0
	for i := range held {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		if i%2 == 1 {
			continue // open, silent
		}
		// Keep-alive: one request, then idle. A connection closed to make
		// room answers nothing; that is the cap at work.
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			continue
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		c.SetDeadline(time.Time{})
		idle++
	}
	fds := func() int {
		ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	during := fds()

	bodies, err := loadtest.Seal(loadtest.Options{APISecret: testSecret, PublicKey: &key.PublicKey, Kind: loadtest.KindApply, Prefix: "2403"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}}
	resp, err := client.Post("http://"+addr+"/callbacks/apply_guarantee", "application/x-www-form-urlencoded", bytes.NewReader(bodies[0]))
	if err != nil {
		t.Fatalf("genuine 2.1 with %d connections held: %v", held, err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(raw, []byte(`{"status":200`)) {
		t.Errorf("genuine 2.1: HTTP %d %s", resp.StatusCode, raw)
	}
	h, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("/healthz with %d connections held: %v", held, err)
	}
	h.Body.Close()
	if h.StatusCode != 200 {
		t.Errorf("/healthz: HTTP %d", h.StatusCode)
	}
	after := fds()
	cap := connCap(childNofile)
	t.Logf("%d connections held (%d answered /healthz before going idle); the child (limit %d, cap %d connections) had %d descriptors open while held, %d after the genuine 2.1 (HTTP %d) and /healthz",
		held, idle, childNofile, cap, during, after, resp.StatusCode)
	if during > cap+connDescriptorReserve || after > cap+connDescriptorReserve {
		t.Errorf("child descriptors %d / %d, want at most the cap %d and its reserve %d", during, after, cap, connDescriptorReserve)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("child: %v", err)
	}
	tail := <-rest
	if !strings.Contains(tail, "--- PASS: TestConnCapChild") {
		t.Errorf("child:\n%s%s%s", out.String(), tail, stderr.String())
	}
	t.Logf("child:\n%s", tail)
}

// TestConnCapChild is TestConnCap's listener: it lowers its descriptor
// limit, serves on loopback, prints its address and serves until its
// standard input ends.
func TestConnCapChild(t *testing.T) {
	if os.Getenv("BAOHAN_CONN_CHILD") != "1" {
		t.Skip("run by TestConnCap")
	}
	lim := syscall.Rlimit{Cur: childNofile, Max: childNofile}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	// The parent's key, so that its callback is genuine here.
	pemText, err := os.ReadFile(os.Getenv("BAOHAN_CONN_KEY"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := platform.ParsePrivateKey(pemText)
	if err != nil {
		t.Fatal(err)
	}
	keysOnce.Do(func() { testKey, otherKey = key, key })
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.srv.Serve(ln)
	waitUntil(t, "serving", func() bool { e.srv.mu.Lock(); defer e.srv.mu.Unlock(); return e.srv.srv != nil })
	fmt.Printf("ADDR=%s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	if l := e.srv.conns; l != nil {
		l.mu.Lock()
		t.Logf("cap %d: %d connections open at the end, %d closed to make room", l.max, len(l.conns), l.closed)
		l.mu.Unlock()
	}
	if logs := e.logs.String(); strings.Contains(logs, "too many open files") {
		t.Errorf("descriptors ran out:\n%s", logs)
	}
}
