package listener

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"baohan/listener/loadtest"
)

// TestServeUnauthBodiesBounded (issue 24, item 2): a listener process
// (`baohan serve`) takes 96 requests at once, each with a part
// header growing to 10 MB, then 400 connections each holding 1 MB of a
// form body it never finishes. Its resident peak (VmHWM) stays under
// 256 MB, and a genuine 2.1 sent while the 400 are held is answered 200.
// Before the bounds: 2.94 GB and 800 MB.
func TestServeUnauthBodiesBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("a child process and 500 connections; skipped with -short")
	}
	// The real binary (not this test binary, which may be built with the
	// race detector and its memory overhead).
	dir, bin, key, addr, data, cfg := startServeSetup(t)
	var logs lockedBuffer
	p := startProc(t, serveCommand(bin, dir, cfg, data), "http://"+addr, &logs)
	hwm0 := vmHWMOf(t, p.cmd.Process.Pid)

	// 96 part headers of up to 10 MB each, at once.
	var wg sync.WaitGroup
	answers := make(chan string, 96)
	for range 96 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				answers <- err.Error()
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(60 * time.Second))
			const size = 10 << 20
			fmt.Fprintf(c, "POST /callbacks/verify HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: %d\r\n\r\n--B\r\nContent-Disposition: form-data; name=\"param\"; x=\"", size+200)
			chunk := bytes.Repeat([]byte("a"), 64<<10)
			for sent := 0; sent < size; sent += len(chunk) {
				if _, err := c.Write(chunk); err != nil {
					break // refused and closed: the point
				}
			}
			b, _ := io.ReadAll(c)
			answers <- firstLine(string(b))
		}()
	}
	wg.Wait()
	close(answers)
	seen := map[string]int{}
	for a := range answers {
		seen[a]++
	}
	hwmHeaders := vmHWMOf(t, p.cmd.Process.Pid)
	t.Logf("96 part headers of up to 10 MB: answers %v; VmHWM %.1f MB (at start %.1f MB)", seen, mb(hwmHeaders), mb(hwm0))

	// 400 connections each holding 1 MB of a 1.1 MB form body.
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	mbBody := bytes.Repeat([]byte("a"), 1<<20)
	for i := range 400 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		c.SetWriteDeadline(time.Now().Add(30 * time.Second))
		fmt.Fprintf(c, "POST /callbacks/order_status HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\nparam=", 1100<<10)
		c.Write(mbBody) // a refused one is closed: the write fails, as it should
	}
	bodies, err := loadtest.Seal(loadtest.Options{APISecret: testSecret, PublicKey: &key.PublicKey, Kind: loadtest.KindApply, Prefix: "2402"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Post("http://"+addr+"/callbacks/apply_guarantee", "application/x-www-form-urlencoded", bytes.NewReader(bodies[0]))
	if err != nil {
		t.Fatalf("genuine 2.1 while 400 bodies are held: %v\n%s", err, logs.String())
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(raw, []byte(`{"status":200`)) {
		t.Errorf("genuine 2.1: HTTP %d %s", resp.StatusCode, raw)
	}
	hwm := vmHWMOf(t, p.cmd.Process.Pid)
	t.Logf("400 held 1 MB form bodies: VmHWM %.1f MB; genuine 2.1 HTTP %d", mb(hwm), resp.StatusCode)
	if hwm > 256<<20 {
		t.Errorf("serve peaked at %.0f MB (limit 256 MB)", mb(hwm))
	}
	if strings.Contains(logs.String(), "panic") {
		t.Errorf("serve log:\n%s", logs.String())
	}
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return "(closed)"
	}
	return s
}
