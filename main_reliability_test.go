package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/platform/sandbox/sandboxtest"
	"baohan/store"
	"baohan/ui/cli"
	"baohan/ui/cli/desk"
)

// syncBuffer is a bytes.Buffer for writers in several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// serveEnv is the simulated platform and a config whose listener is
// `baohan serve` run in this process (run(), as main does).
type serveEnv struct {
	t       *testing.T
	keys    *sandbox.Keys
	sb      *sandbox.Server
	dir     string
	cfgPath string
	data    string
	addr    string
}

func newServeEnv(t *testing.T) *serveEnv {
	t.Helper()
	env := sandboxtest.New(t, sandboxtest.WithoutStore(), sandboxtest.WithoutListener(), sandboxtest.WithSandbox(func(o *sandbox.Options) {
		o.RetrySchedule = []time.Duration{20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond}
	}))
	return &serveEnv{t: t, keys: env.Keys, sb: env.Sandbox, dir: env.Dir, cfgPath: env.ConfigPath, data: env.DataDir, addr: env.ListenerAddr}
}

// serve runs `baohan serve` until the returned stop is called; stop
// returns its exit code. Its stdout and stderr go to out.
func (e *serveEnv) serve(out io.Writer) (stop func() int) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"serve", "--config", e.cfgPath}, out, out) }()
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := c.Get("http://" + e.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case n := <-code:
			cancel()
			e.t.Fatalf("serve exited %d before it was healthy", n)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			e.t.Fatal("serve not healthy after 30 s")
		}
	}
	var once sync.Once
	result := 0
	stop = func() int {
		once.Do(func() { cancel(); result = <-code })
		return result
	}
	e.t.Cleanup(func() { stop() })
	return stop
}

func (e *serveEnv) cli(args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code = run(ctx, append(args, "--config", e.cfgPath), &out, &errb)
	return code, out.String(), errb.String()
}

// TestDeskUsesRunningServe: with `baohan serve` running for the data
// folder, the desk finds it (and gives the status bar its address) instead
// of starting a second listener; a second serve refuses with exit 2.
func TestDeskUsesRunningServe(t *testing.T) {
	e := newServeEnv(t)
	if _, running := desk.ExternalListener(e.data); running {
		t.Fatal("a listener is reported before any runs")
	}
	var out syncBuffer
	stop := e.serve(&out)
	addr, running := desk.ExternalListener(e.data)
	if !running || addr != e.addr {
		t.Fatalf("desk sees listener %q running=%v, want %s", addr, running, e.addr)
	}
	code, _, errs := e.cli("serve")
	if code != cli.ExitUsage || !strings.Contains(errs, "已在运行") || !strings.Contains(errs, e.addr) {
		t.Fatalf("second serve: exit %d: %s", code, errs)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exit %d:\n%s", code, out.String())
	}
	if _, running := desk.ExternalListener(e.data); running {
		t.Fatal("listener still reported after serve stopped")
	}
}

// TestListShowsUnresolved: a call whose answer was lost is named on stderr
// by every `baohan list` (stdout stays one JSON document) until `baohan
// reconcile` settles it.
func TestListShowsUnresolved(t *testing.T) {
	e := newCLIEnv(t)
	order, d := e.sb.NewOrder(context.Background(), sandbox.OrderSpec{})
	wait(t, d)
	no := string(order.OrderNo)
	e.sb.InjectFault(platform.MethodNotifyOrderStatus, sandbox.Drop())
	errs := e.wantExit(1, "order", "status", no, "WAIT_PAY")
	if !strings.Contains(errs, "结果未知") {
		t.Fatalf("lost answer not named: %s", errs)
	}
	code, out, errs := e.cli("list", "orders", "--json")
	var orders []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &orders) != nil || len(orders) != 1 {
		t.Fatalf("list orders: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "1 个调用结果未知") || !strings.Contains(errs, "订单状态通知 "+no) || !strings.Contains(errs, "baohan reconcile") {
		t.Fatalf("list does not show the unresolved call: %q", errs)
	}
	out = e.mustCLI("reconcile")
	if !strings.Contains(out, "通知已生效") {
		t.Fatalf("reconcile: %s", out)
	}
	if _, _, errs := e.cli("list", "orders"); strings.Contains(errs, "结果未知") {
		t.Fatalf("still shown after reconciling: %s", errs)
	}
	if n := e.sb.CountCalls(platform.MethodNotifyOrderStatus); n != 1 {
		t.Fatalf("notification sent %d times", n)
	}
}

// TestSecretsNeverLeak runs a whole day with faults and forgeries through
// `baohan serve` and the CLI, then searches everything a person or a log
// collector could read - serve's log, every command's stdout and stderr,
// the desk's listener.log, and every table of the store except the token
// table (the activity pane is the events table) - for api_secret, the
// private key and every access token the platform issued.
func TestSecretsNeverLeak(t *testing.T) {
	e := newServeEnv(t)
	ctx := context.Background()
	var serveOut syncBuffer
	stop := e.serve(&serveOut)

	var haystack []string
	tokens := map[string]bool{}
	st, err := store.Open(e.data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	noteToken := func() {
		if tok, _, err := st.Token(ctx); err == nil && tok != "" {
			tokens[tok] = true
		}
	}
	cli := func(want int, args ...string) string {
		t.Helper()
		code, out, errs := e.cli(args...)
		haystack = append(haystack, "$ baohan "+strings.Join(args, " ")+"\n"+out+errs)
		noteToken()
		if want >= 0 && code != want {
			t.Fatalf("baohan %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errs)
		}
		return out + errs
	}

	order, d := e.sb.NewOrder(ctx, sandbox.OrderSpec{})
	if err := d.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	no := string(order.OrderNo)
	cli(0, "token")
	cli(0, "order", "info", no)
	// 1006: the token is renewed once.
	e.sb.InjectFault(platform.MethodGetGuaranteeInfo, sandbox.TokenExpiredOnce())
	cli(0, "order", "info", no)
	cli(0, "order", "status", no, "WAIT_PAY")
	// An answer lost, then reconciled.
	e.sb.InjectFault(platform.MethodNotifyOrderStatus, sandbox.Drop())
	cli(1, "order", "status", no, "WAIT_OUT_GUARANTEE", "--amount", "450.00")
	cli(-1, "list", "orders")
	cli(0, "reconcile")
	// HTTP 500 from a proxy, then the platform's own refusal.
	e.sb.InjectFault(platform.MethodGetGuaranteeInfo, sandbox.HTTP500())
	cli(1, "order", "info", no)
	cli(1, "order", "info", "9999999999")
	signed := filepath.Join("testdata", "pdf", "signed.pdf")
	if o, _ := e.sb.Order(no); o.Status() != platform.OrderWaitOutGuarantee {
		cli(0, "order", "status", no, "WAIT_OUT_GUARANTEE", "--amount", "450.00")
	}
	cli(0, "guarantee", "push", no, "--no", "BH-SECRET-1", "--pdf", signed)
	// The token call itself refused: the platform forgot the token, then
	// refuses the renewal (wrong sign, as with a wrong api_secret).
	e.sb.ExpireTokens()
	e.sb.InjectFault(platform.MethodGetAccessToken, sandbox.StatusTimes(platform.StatusSignFailed, 1))
	cli(1, "order", "info", no)
	cli(0, "order", "info", no)
	// A wrong api_secret in the environment: the platform refuses.
	t.Setenv("BAOHAN_API_SECRET", "wrong-"+e.keys.APISecret[:4])
	e.sb.ExpireTokens()
	if err := st.SaveToken(ctx, "", 0); err != nil {
		t.Fatal(err)
	}
	cli(1, "token")
	os.Unsetenv("BAOHAN_API_SECRET")
	cli(0, "token")
	cli(0, "list", "orders", "--json")
	cli(0, "list", "guarantees", "--json")

	// Forged and broken callbacks, and one from a platform clock 30 min ahead.
	post := func(path, contentType, body string) {
		resp, err := e.sb.PostRaw(ctx, path, contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		haystack = append(haystack, string(b))
	}
	form := func(param string) string { return url.Values{"param": {param}}.Encode() }
	msg := platform.OrderStatusNotice{RequestMethod: platform.CallbackOrderStatus, OrderNo: platform.Str(no), OrderStatus: "FINISH",
		OrderStatusOld: "HAS_OUT_GUARANTEE", BlockNumber: order.BlockNumber, BlockName: order.BlockName, Principal: order.Principal,
		Creditor: order.Creditor, Applicant: order.Principal, Timestamp: platform.Str(platform.Timestamp(time.Now()))}
	wrongSecret, _ := platform.Seal("not-"+e.keys.APISecret, &e.keys.GuarantorKey.PublicKey, msg)
	wrongKey, _ := platform.Seal(e.keys.APISecret, &e.keys.PlatformKey.PublicKey, msg)
	future := msg
	future.Timestamp = platform.Str(platform.Timestamp(time.Now().Add(30 * time.Minute)))
	fromFuture, _ := platform.Seal(e.keys.APISecret, &e.keys.GuarantorKey.PublicKey, future)
	for _, p := range []string{wrongSecret, wrongKey, fromFuture, "bm90IGVuY3J5cHRlZA==", "%%%"} {
		post(sandbox.PathOrderStatus, "application/x-www-form-urlencoded", form(p))
	}
	post(sandbox.PathClaim, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"param\"\r\n\r\n"+wrongSecret+"\r\n--x--\r\n")
	post(sandbox.PathVerify, "text/plain", "param="+wrongKey)
	// A good callback after all that.
	if d, err := e.sb.ChangeOrderStatus(ctx, no, platform.OrderFinish); err != nil {
		t.Fatal(err)
	} else if err := d.Wait(ctx); err != nil {
		t.Fatal(err)
	}

	if code := stop(); code != 0 {
		t.Fatalf("serve exit %d", code)
	}
	haystack = append(haystack, "serve:\n"+serveOut.String())
	if b, err := os.ReadFile(filepath.Join(e.data, "listener.log")); err == nil {
		haystack = append(haystack, string(b))
	}
	haystack = append(haystack, dumpTables(t, filepath.Join(e.data, store.DBName), "token")...)

	// The needles.
	needles := map[string]string{"api_secret": e.keys.APISecret}
	pemText, err := os.ReadFile(filepath.Join(e.dir, sandbox.PrivateKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemText)
	for _, der := range []string{base64.StdEncoding.EncodeToString(block.Bytes), strings.Join(strings.Fields(string(pemText)), "")} {
		for i := 0; i+32 <= len(der); i += 16 {
			needles[fmt.Sprintf("private key bytes %d-%d", i, i+32)] = der[i : i+32]
		}
	}
	if len(tokens) < 2 {
		t.Fatalf("only %d access tokens seen: the renewals did not happen", len(tokens))
	}
	for tok := range tokens {
		needles["access_token "+tok[:4]+"…"] = tok
	}
	all := strings.Join(haystack, "\n")
	for what, n := range needles {
		if strings.Contains(all, n) {
			i := strings.Index(all, n)
			t.Errorf("%s found in the output: …%s…", what, all[max(0, i-200):min(len(all), i+len(n)+50)])
		}
	}
	// The search covered what it should: the faults and refusals are there.
	for _, want := range []string{"callback refused", "验签失败", "解密失败", "时钟偏差", "结果未知", "1001"} {
		if !strings.Contains(all, want) {
			t.Errorf("the output has no %q: the flow did not run as planned", want)
		}
	}
	t.Logf("searched %d bytes for %d needles (%d access tokens)", len(all), len(needles), len(tokens))
}

// dumpTables is every row of every table of the database but skip, as text.
func dumpTables(t *testing.T, path string, skip ...string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	var out []string
	for _, n := range names {
		skipped := false
		for _, s := range skip {
			skipped = skipped || s == n
		}
		if skipped {
			continue
		}
		r, err := db.Query(`SELECT * FROM "` + n + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString(n)
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, " %s=%v", cols[i], v)
			}
			out = append(out, b.String())
		}
		r.Close()
	}
	return out
}

// TestBackupWhileServing: `baohan backup FILE` while `baohan serve` takes
// callbacks gives a consistent copy (every callback in it whole: its order,
// its idempotency row and its event), and `baohan restore` says how to go
// back.
func TestBackupWhileServing(t *testing.T) {
	e := newServeEnv(t)
	ctx := context.Background()
	var out syncBuffer
	stop := e.serve(&out)
	var ds []*sandbox.Delivery
	for range 60 {
		_, d := e.sb.NewOrder(ctx, sandbox.OrderSpec{})
		ds = append(ds, d)
	}
	backup := filepath.Join(t.TempDir(), "copy", store.DBName)
	if err := os.MkdirAll(filepath.Dir(backup), 0o700); err != nil {
		t.Fatal(err)
	}
	if code, o, errs := e.cli("backup", backup, "--data", e.data); code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, o, errs)
	}
	for _, d := range ds {
		if err := d.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exit %d", code)
	}
	copyStore, err := store.Open(filepath.Dir(backup))
	if err != nil {
		t.Fatal(err)
	}
	defer copyStore.Close()
	orders, err := copyStore.CountOrders(ctx, store.OrderQuery{})
	if err != nil {
		t.Fatal(err)
	}
	rows := dumpTables(t, backup)
	count := func(prefix string) int {
		n := 0
		for _, r := range rows {
			if strings.HasPrefix(r, prefix+" ") {
				n++
			}
		}
		return n
	}
	callbacks := 0 // events of the callbacks (the FileKeeper journals the files it keeps beside them)
	for _, r := range rows {
		if strings.HasPrefix(r, "events ") && strings.Contains(r, " kind=callback") {
			callbacks++
		}
	}
	if inbound, events := count("inbound"), callbacks; inbound != orders || events != orders {
		t.Fatalf("backup holds %d orders, %d idempotency rows, %d events: not one consistent moment", orders, inbound, events)
	}
	var ic string
	db, err := sql.Open("sqlite", "file:"+backup+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ic); err != nil || ic != "ok" {
		t.Fatalf("integrity_check %q %v", ic, err)
	}
	t.Logf("backup taken with %d of 60 orders in", orders)
	if code, o, _ := e.cli("restore"); code != 0 || !strings.Contains(o, "baohan.db") {
		t.Fatalf("restore: exit %d\n%s", code, o)
	}
}
