package listener

import (
	"bytes"
	"context"
	"crypto/rsa"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

// TestKillServeSandbox: the real `baohan serve` takes 300 new orders (2.1)
// sent at once by platform/sandbox, each on the platform's retry schedule
// (shortened), and is killed with SIGKILL once 100 are acknowledged. While
// it is down, every order acknowledged before the kill is in the store,
// with the answer the platform got. It is restarted; the platform's
// repeats bring the rest; then each of the 300 orders is in the store
// once, with one idempotency row and one event, and every answer the
// platform holds is the stored one.
func TestKillServeSandbox(t *testing.T) {
	// Parallel: it waits on child processes or the network; the other
	// tests of this kind run meanwhile (never beside the sequential ones).
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL/SIGTERM semantics are Unix")
	}
	if testing.Short() {
		t.Skip("builds the binary and sends 300 callbacks; skipped with -short")
	}
	const total, killAfter = 300, 80
	dir, bin, key, addr, data, cfg := startServeSetup(t)

	var logs lockedBuffer
	defer func() {
		if t.Failed() {
			t.Logf("listener output:\n%s", logs.String())
		}
	}()
	start := func() *proc { return startProc(t, serveCommand(bin, dir, cfg, data), "http://"+addr, &logs) }

	// The manual's schedule is 15 s to 1 h between attempts; here 60
	// attempts 250 ms apart, so the repeats outlast the restart.
	schedule := make([]time.Duration, 60)
	for i := range schedule {
		schedule[i] = 250 * time.Millisecond
	}
	sb := sandbox.New(sandbox.Options{APIKey: "k", APISecret: testSecret, BtcID: 123, GuarantorKey: key,
		CallbackBase: "http://" + addr, CallbackTimeout: 30 * time.Second, RetrySchedule: schedule})
	defer sb.Close()

	p := start()
	type sent struct {
		orderNo string
		d       *sandbox.Delivery
	}
	ctx := context.Background()
	deliveries := make([]sent, total)
	for i := range deliveries {
		o, d := sb.NewOrder(ctx, sandbox.OrderSpec{})
		deliveries[i] = sent{string(o.OrderNo), d}
	}
	acked := func() map[string][]byte {
		m := map[string][]byte{}
		for _, s := range deliveries {
			select {
			case <-s.d.Done():
				if s.d.Err() == nil {
					m[s.orderNo] = s.d.Answer()
				}
			default:
			}
		}
		return m
	}
	for len(acked()) < killAfter {
		select {
		case <-p.done:
			t.Fatalf("serve exited before the kill: %v", p.err)
		case <-time.After(2 * time.Millisecond):
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	// Every delivery acknowledged now was acknowledged by the dead process.
	before := acked()
	if len(before) >= total {
		t.Fatalf("all %d callbacks were acknowledged before the kill: it proves nothing", len(before))
	}
	t.Logf("killed with %d of %d callbacks acknowledged", len(before), total)

	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for no, answer := range before {
		if _, err := st.GetOrder(ctx, no); err != nil {
			t.Errorf("order %s acknowledged before the kill is not in the store: %v", no, err)
			continue
		}
		stored, ok, err := st.InboundAnswer(ctx, platform.CallbackApplyGuarantee, no)
		if err != nil || !ok || !bytes.Equal(stored, answer) {
			t.Errorf("order %s: platform got %s, store holds %s (%v %v)", no, answer, stored, ok, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	p = start()
	wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for _, s := range deliveries {
		if err := s.d.Wait(wctx); err != nil {
			t.Fatalf("order %s never acknowledged after the restart: %v", s.orderNo, err)
		}
	}
	if n, err := st.CountOrders(ctx, store.OrderQuery{}); err != nil || n != total {
		t.Fatalf("%d orders in the store, want %d (%v)", n, total, err)
	}
	events := map[string]int{}
	for after := int64(0); ; {
		ev, err := st.EventsAfter(ctx, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev) == 0 {
			break
		}
		for _, e := range ev {
			if e.Kind == store.KindCallback && e.Method == platform.CallbackApplyGuarantee {
				events[e.Ref]++
			}
			after = e.ID
		}
	}
	repeats := 0
	for _, s := range deliveries {
		if n := events[s.orderNo]; n != 1 {
			t.Errorf("order %s has %d callback events, want 1", s.orderNo, n)
		}
		stored, ok, err := st.InboundAnswer(ctx, platform.CallbackApplyGuarantee, s.orderNo)
		if err != nil || !ok || !bytes.Equal(stored, s.d.Answer()) {
			t.Errorf("order %s: platform got %s, store holds %s (%v %v)", s.orderNo, s.d.Answer(), stored, ok, err)
		}
		if s.d.Attempts() > 1 {
			repeats++
		}
	}
	if len(events) != total {
		t.Errorf("%d orders have events, want %d", len(events), total)
	}
	t.Logf("after the restart: %d orders, %d of them needed repeats", total, repeats)

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if p.err != nil {
		t.Errorf("after SIGTERM: %v (want exit 0)", p.err)
	}
}

// The module root's binary, built once for the package's tests (a build
// takes long on a loaded machine; three tests run it).
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// buildBaohan builds the module root's binary (once) and returns its path.
func buildBaohan(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		root, err := filepath.Abs("..")
		if err != nil {
			binErr = err
			return
		}
		if binDir, binErr = os.MkdirTemp("", "baohan-listener-test-"); binErr != nil {
			return
		}
		bin := filepath.Join(binDir, "baohan")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build of %s: %v\n%s", root, err, out)
			return
		}
		binPath = bin
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// startServeSetup prepares a `baohan serve` run: the binary (built once), a
// folder with the test keys and a config whose listener is on a free
// loopback address and whose store is DIR/data.
func startServeSetup(t *testing.T) (dir, bin string, key *rsa.PrivateKey, addr, data, cfg string) {
	t.Helper()
	dir = t.TempDir()
	bin = buildBaohan(t)
	key, _ = keys(t)
	writeKeys(t, dir, key)
	addr = freeAddr(t)
	data = filepath.Join(dir, "data")
	cfg = writeServeConfig(t, dir, addr, data)
	return dir, bin, key, addr, data, cfg
}

// writeServeConfig writes DIR/config.toml for `baohan serve` with the keys
// of writeKeys, the listener on addr and the store in data.
func writeServeConfig(t *testing.T, dir, addr, data string) string {
	t.Helper()
	cfg := filepath.Join(dir, "config.toml")
	toml := fmt.Sprintf(`[platform]
base_url = "http://127.0.0.1:9/api/guarantor/v1/"
api_key = "loadtest"
api_secret = %q
btc_id = 123
platform_public_key = "keys/rsa_pk.pem"
public_key = "keys/rsa_pk.pem"
private_key = "keys/rsa_sk.pem"

[listener]
addr = %q

[guarantor]
name = "福州某某融资担保有限公司"

[store]
dir = %q
`, testSecret, addr, data)
	if err := os.WriteFile(cfg, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}
