package listener

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"baohan/listener/loadtest"
	"baohan/platform"
	"baohan/store"
)

// The SIGKILL tests: a listener process receives callbacks from many
// senders, is killed with SIGKILL mid-flow, restarted, and every callback
// it acknowledged must be in the store. TestKillServe runs the real
// `baohan serve` binary; TestKillListenerProcess runs the same flow with
// this test binary as the listener process (helperServe below does what
// `serve` does), so the listener's own durability is proved even before
// main.go exists.

const helperEnv = "BAOHAN_LISTENER_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "serve":
		os.Exit(helperServe())
	case "put":
		os.Exit(helperPut())
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// helperServe is a minimal `baohan serve`: store, lock, listener, graceful
// shutdown on SIGINT/SIGTERM, exit 0.
func helperServe() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	dir, addr := os.Getenv("HELPER_DATA"), os.Getenv("HELPER_ADDR")
	pemText, err := os.ReadFile(os.Getenv("HELPER_KEY"))
	if err != nil {
		log.Error("read key", "err", err)
		return 2
	}
	key, err := platform.ParsePrivateKey(pemText)
	if err != nil {
		log.Error("parse key", "err", err)
		return 2
	}
	st, err := store.Open(dir)
	if err != nil {
		log.Error("open store", "err", err)
		return 2
	}
	defer st.Close()
	release, err := Lock(dir, Info{Addr: addr})
	if err != nil {
		log.Error("lock", "err", err)
		return 2
	}
	defer release()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := New(Config{Addr: addr, APISecret: os.Getenv("HELPER_SECRET"), PrivateKey: key, Logger: log}, st)
	if err := srv.Run(ctx, 0); err != nil {
		log.Error("serve", "err", err)
		return 1
	}
	return 0
}

func TestKillListenerProcess(t *testing.T) {
	// Parallel: it waits on child processes or the network; the other
	// tests of this kind run meanwhile (never beside the sequential ones).
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL/SIGTERM semantics are Unix")
	}
	key, _ := keys(t)
	dir := t.TempDir()
	keyFile := writeKeys(t, dir, key)
	addr := freeAddr(t)
	start := func() *exec.Cmd {
		cmd := childCommand(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"=serve", "HELPER_DATA="+filepath.Join(dir, "data"),
			"HELPER_ADDR="+addr, "HELPER_KEY="+keyFile, "HELPER_SECRET="+testSecret)
		return cmd
	}
	killFlow(t, start, "http://"+addr, filepath.Join(dir, "data"), key)
}

// TestKillServe is the same flow with the real binary: `go build` of the
// module root, then `baohan serve --config FILE --data DIR`.
func TestKillServe(t *testing.T) {
	// Parallel: it waits on child processes or the network; the other
	// tests of this kind run meanwhile (never beside the sequential ones).
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL/SIGTERM semantics are Unix")
	}
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir, bin, key, addr, data, cfg := startServeSetup(t)
	start := func() *exec.Cmd { return serveCommand(bin, dir, cfg, data) }
	killFlow(t, start, "http://"+addr, data, key)
}

// killFlow: start the listener, send 160 new orders from 16 senders, SIGKILL
// it once 60 are acknowledged, restart it, check that every acknowledged
// order is stored, send all 160 again (all acknowledged now, none twice),
// and stop it with SIGTERM (exit 0).
func killFlow(t *testing.T, start func() *exec.Cmd, base, data string, key *rsa.PrivateKey) {
	const total, senders, killAfter = 160, 16, 40
	var logs lockedBuffer
	run := func() *proc { return startProc(t, start(), base, &logs) }
	defer func() {
		if t.Failed() {
			t.Logf("listener output:\n%s", logs.String())
		}
	}()

	opt := loadtest.Options{APISecret: testSecret, PublicKey: &key.PublicKey, Kind: loadtest.KindApply, Prefix: "5"}
	bodies, err := loadtest.Seal(opt, total)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	defer client.CloseIdleConnections()
	post := func(i int) ([]byte, bool) {
		resp, err := client.Post(base+"/callbacks/apply_guarantee", "application/x-www-form-urlencoded", bytes.NewReader(bodies[i]))
		if err != nil {
			return nil, false
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return b, err == nil && resp.StatusCode == 200 && bytes.HasPrefix(b, []byte(`{"status":200`))
	}

	p := run()
	var acked sync.Map // order number -> answer
	var nAcked atomic.Int64
	killed := make(chan struct{})
	var once sync.Once
	var next atomic.Int64
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				if answer, ok := post(i); ok {
					acked.Store(loadtest.OrderNo(opt.Prefix, i), answer)
					if nAcked.Add(1) >= killAfter {
						once.Do(func() {
							_ = p.cmd.Process.Signal(syscall.SIGKILL)
							close(killed)
						})
					}
				}
			}
		}()
	}
	wg.Wait()
	<-killed
	<-p.done
	if n := int(nAcked.Load()); n >= total {
		t.Fatalf("all %d callbacks were acknowledged: the kill came too late to prove anything", n)
	}
	t.Logf("killed with %d of %d callbacks acknowledged", nAcked.Load(), total)

	p = run()
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	missing := 0
	acked.Range(func(k, _ any) bool {
		if _, err := st.GetOrder(context.Background(), k.(string)); err != nil {
			missing++
			t.Errorf("acknowledged order %s not in the store after restart: %v", k, err)
		}
		return true
	})
	if missing > 0 {
		t.Fatalf("%d acknowledged callbacks lost", missing)
	}

	// The platform repeats what was not acknowledged; repeats of the
	// acknowledged ones get their first answer.
	for i := range total {
		answer, ok := post(i)
		if !ok {
			t.Fatalf("after restart callback %d: %s", i, answer)
		}
		if first, was := acked.Load(loadtest.OrderNo(opt.Prefix, i)); was && !bytes.Equal(first.([]byte), answer) {
			t.Errorf("repeat %d answered %s, first %s", i, answer, first)
		}
	}
	n, err := st.CountOrders(context.Background(), store.OrderQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if n != total {
		t.Errorf("%d orders, want %d", n, total)
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if p.err != nil {
		t.Errorf("after SIGTERM: %v (want exit 0)", p.err)
	}
	if info, running := Running(data); running {
		t.Errorf("listener lock still held after exit: %+v", info)
	}
}

// proc is a started listener process.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it has exited
	err  error         // its exit, valid after done
}

// serveCommand is `baohan serve` (bin) on the config and data folder of
// startServeSetup, with the test's folder as its XDG homes.
func serveCommand(bin, dir, cfg, data string) *exec.Cmd {
	// A data folder must exist (interface.md: only init and sandbox make
	// one); here it stands for the one `baohan init` made.
	if err := os.MkdirAll(data, 0o700); err != nil {
		panic(err)
	}
	cmd := childCommand(bin, "serve", "--config", cfg, "--data", data)
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	return cmd
}

// startProc starts cmd with its output in logs, reaps it, kills it when
// the test ends, and waits until the listener at base is healthy.
func startProc(t *testing.T, cmd *exec.Cmd, base string, logs *lockedBuffer) *proc {
	t.Helper()
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.done })
	waitHealthy(t, base, p, logs)
	return p
}

// waitHealthy polls /healthz until the listener answers (or its process ends).
func waitHealthy(t *testing.T, base string, p *proc, logs *lockedBuffer) {
	t.Helper()
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := c.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("listener exited (%v) before it was healthy:\n%s", p.err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("listener not healthy at %s after 60 s:\n%s", base, logs.String())
}

// writeKeys writes DIR/keys/rsa_sk.pem (0600) and rsa_pk.pem and returns
// the private key's path.
func writeKeys(t *testing.T, dir string, key *rsa.PrivateKey) string {
	t.Helper()
	kd := filepath.Join(dir, "keys")
	if err := os.MkdirAll(kd, 0o700); err != nil {
		t.Fatal(err)
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sk := filepath.Join(kd, "rsa_sk.pem")
	if err := os.WriteFile(sk, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(kd, "rsa_pk.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644); err != nil {
		t.Fatal(err)
	}
	return sk
}

// freeAddr is a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
