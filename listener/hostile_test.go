package listener

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
)

// The listener under hostile traffic (issue 12): requests nobody signed
// cost bounded CPU and disk, never crowd out the platform's callbacks,
// are refused instead of half-read, and leave nothing behind, not even
// after a crash.

// waitUntil polls cond every few milliseconds until it holds (a condition,
// not a fixed sleep), failing after a generous minute.
func waitUntil(t testing.TB, what string, cond func() bool, state ...func() string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			for _, s := range state {
				t.Log(s())
			}
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// randomParam is the base64 of n random RSA-sized blocks: junk that passes
// every check before the RSA work.
func randomParam(t testing.TB, blocks int) string {
	t.Helper()
	b := make([]byte, blocks*256)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// multipartBody is a multipart body of a param part and file parts, in order.
func multipartBody(t testing.TB, param string, files ...sandbox.File) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("param", param); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.Field, f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.Data)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// TestJunkFloodGenuineAnswered: 32 senders post 1 MB junk params as fast as
// they are answered (each the worst junk there is: 2,048 random blocks,
// the cap, padded with line breaks to 1 MB, so that every one is admitted
// to RSA work), while the platform's genuine callbacks keep arriving. Every
// genuine callback is answered 200 (its latency is reported); the junk gets
// 1000 or 503, nothing of it is stored, and its CPU cost per request is
// reported.
func TestJunkFloodGenuineAnswered(t *testing.T) {
	const senders, genuine = 32, 12
	e := newEnv(t) // the default limits: RSAWait MaxRSAWait
	_, g := e.seedIssued("1813000901", "FZDB2026000901", "806097210890174901", "")

	param := randomParam(t, MaxParamBlocks)
	param += strings.Repeat("\n", MaxParamBytes-len(param))
	junkCT, junkBody := multipartBody(t, param)

	// The over-cap junk first: a 1 MB param of random base64 (3,072
	// blocks) is refused before any RSA work.
	over := randomParam(t, 3072)
	if len(over) != MaxParamBytes {
		t.Fatalf("over-cap param of %d bytes", len(over))
	}
	_, overMB := multipartBody(t, over)
	const overN = 8
	granted0, cpu0, t0 := e.srv.rsaBlocks.Load(), cpuTime(), time.Now()
	for range overN {
		ct, body := multipartBody(t, over)
		r := e.post("/callbacks/order_status", ct, body)
		r.want(t, http.StatusOK, 404)
		if !strings.Contains(r.Msg, "加密块") {
			t.Fatalf("over-cap junk: %s", r.Raw)
		}
	}
	overCPU, overWall := (cpuTime()-cpu0)/overN, time.Since(t0)/overN
	if n := e.srv.rsaBlocks.Load() - granted0; n != 0 {
		t.Errorf("over-cap junk got %d RSA blocks", n)
	}
	t.Logf("1 MB junk over the cap (%d bytes, 3,072 blocks): refused before RSA, %.1f ms CPU and %.1f ms per request (both ends, in this process)",
		len(overMB), ms(overCPU), ms(overWall))

	before := e.snapshot()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders, MaxConnsPerHost: senders}}
	defer client.CloseIdleConnections()
	var (
		junk junkTally
		wg   sync.WaitGroup
	)
	cpuFlood0, grantedFlood0, flood0 := cpuTime(), e.srv.rsaBlocks.Load(), time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				junk.post(ctx, client, e.ts.URL+"/callbacks/order_status", junkCT, junkBody)
			}
		}()
	}
	// One address may have MaxRSAPerAddrBlocks admitted: about ten such
	// params (each estimated from its length).
	full := min(senders/2, MaxRSAPerAddrBlocks/(MaxParamBytes/decodeUnit+(MaxParamBytes*3/4+255)/256))
	waitUntil(t, "the junk fills the RSA queue", func() bool { return e.srv.rsa.inQueue() >= full })

	var lat []time.Duration
	genuineBlocks := int64(0)
	for i := range genuine {
		var cb sandbox.Callback
		if i%2 == 0 {
			cb = e.applyCallback(fmt.Sprintf("18130009%02d", 10+i))
		} else {
			cb = queryCallback(g.GuaranteeNo, g.SerialNum)
		}
		p, err := e.sb.SealParam(cb.Msg)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := platform.NewParamDecrypter(e.key, p)
		genuineBlocks += int64(d.Blocks())
		ct, body, err := sandbox.EncodeBody(p, false)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		r := e.post(cb.Path, ct, body)
		lat = append(lat, time.Since(start))
		r.want(t, http.StatusOK, 200)
		if q := e.srv.rsa.inQueue(); q < full {
			t.Logf("genuine %d: only %d junk requests in the RSA queue", i, q)
		}
	}
	// Let every sender be answered at least once, so that the cost per
	// junk request is measured on whole requests.
	waitUntil(t, "every junk sender answered once", func() bool { return junk.count.Load() >= senders })
	floodCPU, floodBlocks, floodWall := cpuTime()-cpuFlood0, e.srv.rsaBlocks.Load()-grantedFlood0-genuineBlocks, time.Since(flood0)
	junkDone := junk.count.Load()
	stop()
	wg.Wait()

	sorted := append([]time.Duration(nil), lat...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	t.Logf("genuine callbacks under %d junk senders: %d answered 200, latency median %s, max %s (all: %v)",
		senders, len(lat), sorted[len(sorted)/2].Round(time.Millisecond), sorted[len(sorted)-1].Round(time.Millisecond), roundAll(lat))
	// The latency is a figure, not an assertion (it depends on the
	// machine's load); that a genuine callback goes before the junk is
	// asserted without a clock by TestRSAGateTurns and
	// TestTinyJunkFloodGenuineAnswered.
	junk.mu.Lock()
	t.Logf("junk answers during %s: %v", floodWall.Round(time.Millisecond), junk.answers)
	for a := range junk.answers {
		if !strings.HasPrefix(a, "HTTP 503 status 404 "+msgBusy) && !strings.HasPrefix(a, "HTTP 200 status 1000 ") {
			t.Errorf("junk answered %q", a)
		}
	}
	junk.mu.Unlock()
	t.Logf("junk at the cap: %d requests answered, %d RSA blocks decrypted for junk (%.0f per request), %.0f ms CPU per junk request (process CPU %s over %s, both ends, genuine callbacks included)",
		junkDone, floodBlocks, float64(floodBlocks)/float64(junkDone), ms(floodCPU)/float64(junkDone), floodCPU.Round(time.Millisecond), floodWall.Round(time.Millisecond))
	after := e.snapshot()
	if after.count("orders") != before.count("orders")+genuine/2 {
		t.Errorf("orders %d, want %d", after.count("orders"), before.count("orders")+genuine/2)
	}
	if len(after.spool) != 0 {
		t.Errorf("spool after the flood: %v", after.spool)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error { return platform.Decode(b, v) }

// TestParamCapFitsLargeRevocation: a 2.8 of a large block fits under
// MaxParamBlocks even at its largest: 1,200 entries (400 in each of the
// three lists: several hundred guarantees, some in more than one list),
// 40-character principals that PHP's json_encode escapes as \uXXXX inside
// the JSON string (7 bytes a character once the outer JSON escapes the
// backslash). One block over the cap is refused before any RSA work, with
// its own message (a length is no secret: no oracle).
func TestParamCapFitsLargeRevocation(t *testing.T) {
	e := newEnv(t)
	const perList = 400
	// PHP's json_encode escapes Chinese as \uXXXX unless told otherwise:
	// the inner JSON text at its largest.
	principal := strings.Repeat("福", 30) + "建设工程集团有限公司"
	esc := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		return b.String()
	}
	var items []string
	for i := range perList {
		items = append(items, fmt.Sprintf(`{"guarantee_no":"FZDB2026%06d","principal":"%s","serial_num":"8060972108901%05d"}`, i, esc(principal), i))
	}
	list := "[" + strings.Join(items, ",") + "]"
	data := `{"revoke_success_data":` + list + `,"current_revoke_data":` + list + `,"penalty_data":` + list + `}`
	cb := revokeCallback(t, "R2026000901", "E3501000001901", nil, nil, nil, "")
	m := cb.Msg.(platform.RevokeNotice)
	m.RevokeGuaranteeData = platform.Str(data)
	param := sealWith(t, testSecret, &e.key.PublicKey, m)
	d, err := platform.NewParamDecrypter(e.key, param)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("2.8 with %d entries (3 lists of %d, %d-character principals as \\uXXXX): %d bytes of param, %d RSA blocks (cap %d)",
		3*perList, perList, len([]rune(principal)), len(param), d.Blocks(), MaxParamBlocks)
	if d.Blocks() > MaxParamBlocks {
		t.Fatalf("a legitimate 2.8 of %d blocks does not fit the cap %d", d.Blocks(), MaxParamBlocks)
	}

	g0 := e.srv.rsaBlocks.Load()
	ct, body := multipartBody(t, randomParam(t, MaxParamBlocks+1))
	r := e.post(sandbox.PathRevoke, ct, body)
	r.want(t, http.StatusOK, 404)
	if !strings.Contains(r.Msg, "加密块") {
		t.Errorf("over the cap: %s", r.Raw)
	}
	if n := e.srv.rsaBlocks.Load() - g0; n != 0 {
		t.Errorf("%d RSA blocks spent on a param over the cap", n)
	}
}

// stalledUpload posts a multipart body through a pipe: the parts given,
// then fill bytes of a file part that never ends until release is called.
type stalledUpload struct {
	pw      *io.PipeWriter
	done    chan reply
	filled  chan struct{} // closed once the fill bytes are written (or the write failed)
	release func()
}

func startStalled(t testing.TB, base, path string, prefix func(mw *multipart.Writer), stallField string, fill int) *stalledUpload {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	su := &stalledUpload{pw: pw, done: make(chan reply, 1), filled: make(chan struct{})}
	req, err := http.NewRequest(http.MethodPost, base+path, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			su.done <- reply{}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		r := reply{HTTP: resp.StatusCode, Raw: b}
		_ = jsonUnmarshal(b, &r)
		su.done <- r
	}()
	relc := make(chan struct{})
	var once sync.Once
	su.release = func() { once.Do(func() { close(relc) }) }
	// A test that fails midway still ends its uploads, so that the
	// server's Close does not wait for them forever.
	t.Cleanup(su.release)
	go func() {
		defer pw.Close()
		var fillOnce sync.Once
		filled := func() { fillOnce.Do(func() { close(su.filled) }) }
		defer filled()
		if prefix != nil {
			prefix(mw)
		}
		w, err := mw.CreateFormFile(stallField, stallField+".bin")
		if err != nil {
			return
		}
		chunk := bytes.Repeat([]byte{'x'}, 32<<10)
		for n := 0; n < fill; n += len(chunk) {
			if _, err := w.Write(chunk[:min(len(chunk), fill-n)]); err != nil {
				return
			}
		}
		filled()
		<-relc
		mw.Close()
	}()
	return su
}

// TestJunkUploadsWithinBudget: junk multipart uploads cost no disk when
// param comes first (refused before the files are read), at most the
// budget when the files come first; a genuine claim is accepted meanwhile;
// below the free-space reserve uploads are answered 503 while form
// callbacks still go through.
func TestJunkUploadsWithinBudget(t *testing.T) {
	const budget = 8 << 20
	e := newEnv(t, func(c *Config) { c.SpoolBudgetBytes = budget })
	pdf := readTestPDF(t, "signed.pdf")
	o, g := e.seedIssued("1813000911", "FZDB2026000911", "806097210890174911", sha(pdf))
	spool := filepath.Join(e.dir, "spool")

	// Param first, as the platform sends it: 8 junk uploads of 20 MB each
	// are refused without a byte spooled.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			param := "AAAA"
			if i%2 == 1 {
				param = randomParam(t, 4)
			}
			su := startStalled(t, e.ts.URL, sandbox.PathClaim, func(mw *multipart.Writer) { mw.WriteField("param", param) }, "guarantee_pdf", 20<<20)
			r := <-su.done
			su.release()
			if r.HTTP != 0 && (r.HTTP != 200 || r.Status != 1000) {
				t.Errorf("param-first junk answered %d %s", r.HTTP, r.Raw)
			}
		}()
	}
	wg.Wait()
	if n := e.srv.spooled.Load(); n != 0 {
		t.Errorf("param-first junk spooled %d bytes", n)
	}
	t.Logf("8 junk uploads of 20 MB, param first: refused, %d bytes spooled", e.srv.spooled.Load())

	// Files first: 6 junk uploads of 3 MB each stall in their file; 18 MB
	// asked, the budget is 8 MB.
	var stalled []*stalledUpload
	for range 6 {
		stalled = append(stalled, startStalled(t, e.ts.URL, sandbox.PathClaim, nil, "attach_file0", 3<<20))
	}
	// Settled: each upload was refused, or holds its 3 MB (less what the
	// multipart reader keeps back to look for the boundary).
	answered := func() (n int) {
		for _, su := range stalled {
			select {
			case r := <-su.done:
				su.done <- r
				n++
			default:
			}
		}
		return n
	}
	// Settled: every upload was answered, or its client wrote all of its
	// file (a pipe write returns only once the transport took the bytes)
	// and the server took what it could of it.
	waitUntil(t, "the junk holds the budget or is refused", func() bool {
		n := answered()
		if n == 0 {
			return false
		}
		for _, su := range stalled {
			select {
			case <-su.filled:
			default:
				if len(su.done) == 0 {
					return false
				}
			}
		}
		return e.srv.budget.inUse() >= int64(6-n)*(3<<20-64<<10)
	}, func() string {
		var b strings.Builder
		for i, su := range stalled {
			filled, done := false, len(su.done) > 0
			select {
			case <-su.filled:
				filled = true
			default:
			}
			fmt.Fprintf(&b, "upload %d: filled %v, answered %v; ", i, filled, done)
		}
		fmt.Fprintf(&b, "budget in use %d\nlog:\n%s", e.srv.budget.inUse(), e.logs.String())
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "baohan/listener") && !strings.Contains(g, "testing.tRunner") {
				b.WriteString("\n" + g)
			}
		}
		return b.String()
	})
	diskNow, refused := dirBytes(t, spool), answered()
	t.Logf("files first: 6 junk uploads of 3 MB, %d refused, the others stalled holding %d bytes of spool (budget %d, peak %d)",
		refused, diskNow, budget, e.srv.budget.maxUsed())
	if e.srv.budget.maxUsed() > budget || diskNow > budget {
		t.Errorf("junk held %d bytes (peak %d), budget %d", diskNow, e.srv.budget.maxUsed(), budget)
	}
	got503 := 0
	for _, su := range stalled {
		select {
		case r := <-su.done:
			su.done <- r
			switch {
			case r.HTTP == http.StatusServiceUnavailable && r.Msg == msgBusy:
				got503++
			case r.HTTP != 0: // 0: the connection closed before the answer was read
				t.Errorf("junk over the budget answered %d %s", r.HTTP, r.Raw)
			}
		default:
		}
	}
	if got503 == 0 {
		t.Error("no junk upload was answered 503 at the budget")
	}

	// Meanwhile a genuine claim (param first: authenticated before its
	// files, outside the budget) is accepted.
	cb := claimCallback(claimMsg("LP2026000911", "APPLY_WAIT_DEAL", g.GuaranteeNo, o.BlockNumber), pdf,
		sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: sandbox.MinimalPDF("索赔通知书")},
		sandbox.File{Field: "attach_file1", Name: "照片.jpg", Data: bytes.Repeat([]byte{0xff}, 2<<20)})
	e.send(cb).want(t, http.StatusOK, 200)

	for _, su := range stalled {
		su.release()
		<-su.done
	}
	if s := e.snapshot(); len(s.spool) != 0 || e.srv.budget.inUse() != 0 {
		t.Errorf("after the junk: spool %v, budget in use %d", s.spool, e.srv.budget.inUse())
	}

	// Below the free-space reserve: uploads 503, form callbacks 200.
	low := newEnv(t, func(c *Config) { c.FreeReserveBytes = 1 << 62 })
	lo, lg := low.seedIssued("1813000912", "FZDB2026000912", "806097210890174912", sha(pdf))
	r := low.send(claimCallback(claimMsg("LP2026000912", "APPLY_WAIT_DEAL", lg.GuaranteeNo, lo.BlockNumber), pdf,
		sandbox.File{Field: "attach_file0", Name: "a.pdf", Data: sandbox.MinimalPDF("a")}))
	r.want(t, http.StatusServiceUnavailable, 404)
	if !strings.Contains(low.logs.String(), "free disk space below the reserve") {
		t.Errorf("no log line names the reserve:\n%s", low.logs.String())
	}
	ev := low.events()
	if len(ev) != 1 || ev[0].Kind != "fault" || !strings.Contains(ev[0].Summary, "磁盘空间不足") {
		t.Errorf("events below the reserve: %+v (want one low-disk fault)", ev)
	}
	low.send(low.applyCallback("1813000913")).want(t, http.StatusOK, 200)
	if s := low.snapshot(); s.count("claims") != 0 || len(s.spool) != 0 {
		t.Errorf("below the reserve: %d claims, spool %v", s.count("claims"), s.spool)
	}
}

func dirBytes(t testing.TB, dir string) int64 {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// TestRefuseInsteadOfDropping: a part that cannot be parsed, a file field
// the manual does not name, a duplicated form field and an empty required
// file each refuse the request with a msg; the authentic ones (param came
// first and opened) are held (protocol.md: a missing, empty, unknown or
// unparsable file part; issue 20, item 1), nothing else is stored.
func TestRefuseInsteadOfDropping(t *testing.T) {
	e := newEnv(t)
	pdf := readTestPDF(t, "signed.pdf")
	o, g := e.seedIssued("1813000921", "FZDB2026000921", "806097210890174921", sha(pdf))
	claim := claimMsg("LP2026000921", "APPLY_WAIT_DEAL", g.GuaranteeNo, o.BlockNumber)
	param := sealWith(t, testSecret, &e.key.PublicKey, claim)
	notice := sandbox.MinimalPDF("索赔通知书")

	// raw builds a multipart body by hand: param, guarantee_pdf, then the
	// parts given as header/content pairs.
	raw := func(parts ...string) (string, []byte) {
		var b bytes.Buffer
		part := func(disp, content string) {
			b.WriteString("--B\r\nContent-Disposition: " + disp + "\r\n\r\n" + content + "\r\n")
		}
		part(`form-data; name="param"`, param)
		part(`form-data; name="guarantee_pdf"; filename="保函.pdf"`, string(pdf))
		for i := 0; i+1 < len(parts); i += 2 {
			part(parts[i], parts[i+1])
		}
		b.WriteString("--B--\r\n")
		return "multipart/form-data; boundary=B", b.Bytes()
	}
	a0 := `form-data; name="attach_file0"; filename="索赔通知书.pdf"`
	cases := []struct {
		name   string
		parts  []string
		status int
		msg    string
	}{
		{"raw quote in a file name", []string{a0, string(notice), `form-data; name="attach_file1"; filename="合同"补充".pdf"`, "%PDF-1.4 x"}, 404, "Content-Disposition 无法解析"},
		{"no field name", []string{a0, string(notice), `form-data; filename="x.pdf"`, "%PDF-1.4 x"}, 404, "Content-Disposition 无法解析"},
		{"not form-data", []string{a0, string(notice), `attachment; name="attach_file1"; filename="x.pdf"`, "%PDF-1.4 x"}, 404, "Content-Disposition 无法解析"},
		{"attach_file01", []string{a0, string(notice), `form-data; name="attach_file01"; filename="x.pdf"`, "%PDF-1.4 x"}, 404, "不接受文件字段 attach_file01"},
		{"attach_file01 without a file name", []string{a0, string(notice), `form-data; name="attach_file01"`, "%PDF-1.4 x"}, 404, "不接受文件字段 attach_file01"},
		{"a file field the manual does not name", []string{a0, string(notice), `form-data; name="evidence"; filename="x.pdf"`, "%PDF-1.4 x"}, 404, "不接受文件字段 evidence"},
		{"empty attach_file0", []string{a0, ""}, 404, "attach_file0 为空"},
		{"empty attach_file0 without a name", []string{`form-data; name="attach_file0"; filename=""`, ""}, 404, "attach_file0 为空"},
		{"duplicated attach_file0", []string{a0, string(notice), a0, string(notice)}, 404, "文件字段重复"},
	}
	before := e.snapshot()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct, body := raw(c.parts...)
			r := e.post(sandbox.PathClaim, ct, body)
			r.want(t, http.StatusOK, c.status)
			if !strings.Contains(r.Msg, c.msg) {
				t.Errorf("msg %q, want %q", r.Msg, c.msg)
			}
			if held := strings.Contains(r.Msg, msgHeld); held != (c.msg != "文件字段重复") {
				t.Errorf("msg %q: held %v", r.Msg, held)
			}
		})
	}
	t.Run("empty guarantee_pdf", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("--B\r\nContent-Disposition: form-data; name=\"param\"\r\n\r\n" + param + "\r\n")
		b.WriteString("--B\r\nContent-Disposition: form-data; name=\"guarantee_pdf\"; filename=\"保函.pdf\"\r\n\r\n\r\n")
		b.WriteString("--B\r\nContent-Disposition: " + a0 + "\r\n\r\n" + string(notice) + "\r\n--B--\r\n")
		r := e.post(sandbox.PathClaim, "multipart/form-data; boundary=B", b.Bytes())
		r.want(t, http.StatusOK, 404)
		if !strings.Contains(r.Msg, "guarantee_pdf 为空") {
			t.Errorf("msg %q", r.Msg)
		}
	})
	t.Run("a file on a callback without files", func(t *testing.T) {
		p := sealWith(t, testSecret, &e.key.PublicKey, statusCallback(o.OrderNo, "HAS_OUT_GUARANTEE", "FINISH").Msg)
		ct, body := multipartBody(t, p, sandbox.File{Field: "attach_file0", Name: "x.pdf", Data: notice})
		r := e.post(sandbox.PathOrderStatus, ct, body)
		r.want(t, http.StatusOK, 404)
		if !strings.Contains(r.Msg, "不接受文件字段 attach_file0") {
			t.Errorf("msg %q", r.Msg)
		}
	})
	t.Run("param twice in a form", func(t *testing.T) {
		p := sealWith(t, testSecret, &e.key.PublicKey, statusCallback(o.OrderNo, "HAS_OUT_GUARANTEE", "FINISH").Msg)
		body := "param=" + url.QueryEscape(p) + "&param=" + url.QueryEscape("AAAA")
		r := e.post(sandbox.PathOrderStatus, "application/x-www-form-urlencoded", []byte(body))
		r.want(t, http.StatusOK, 404)
		if !strings.Contains(r.Msg, "表单字段重复：param") {
			t.Errorf("msg %q", r.Msg)
		}
	})
	after := e.snapshot()
	if after.count("held") == 0 {
		t.Error("no authentic callback was held")
	}
	after.tables["held"], after.tables["events"] = before.tables["held"], before.tables["events"]
	after.files = before.files // the held callbacks' files
	after.sameAs(t, before)

	// The same claim, well formed, is accepted.
	ct, body := raw(a0, string(notice))
	e.post(sandbox.PathClaim, ct, body).want(t, http.StatusOK, 200)
}

// TestSweepLeftovers: files of the spool and of the file store's temp
// folder that no request owns go at the next sweep, whatever their age;
// files a request is still writing stay; the bytes reclaimed are logged.
func TestSweepLeftovers(t *testing.T) {
	e := newEnv(t)
	spool, tmp := filepath.Join(e.dir, "spool"), filepath.Join(e.dir, "files", "tmp")
	plant := func(dir, name string, size int, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), bytes.Repeat([]byte{'o'}, size), mode); err != nil {
			t.Fatal(err)
		}
	}
	plant(spool, "in-orphan1", 1000, 0o600)
	plant(spool, "in-orphan2", 2000, 0o600)
	plant(tmp, "put-orphan", 3000, 0o400) // a file store temp made read-only before its rename

	// A request in the middle of its upload (files first) owns its spool file.
	su := startStalled(t, e.ts.URL, sandbox.PathClaim, nil, "attach_file0", 64<<10)
	waitUntil(t, "the upload is spooling", func() bool { return len(listFiles(t, spool)) == 3 })
	// A file store write in progress owns its temp.
	pr, pw := io.Pipe()
	putDone := make(chan error, 1)
	go func() { _, err := e.st.PutFile(pr, 0); putDone <- err }()
	pw.Write([]byte("in progress"))
	waitUntil(t, "the file store writes its temp", func() bool { return len(listFiles(t, tmp)) == 2 })

	files, n := e.srv.sweep("periodic")
	if files != 3 || n != 6000 {
		t.Errorf("swept %d files, %d bytes; want 3 files, 6000 bytes", files, n)
	}
	if got := listFiles(t, spool); len(got) != 1 {
		t.Errorf("spool after the sweep: %v (want the live upload only)", got)
	}
	if got := listFiles(t, tmp); len(got) != 1 {
		t.Errorf("file store temps after the sweep: %v (want the live write only)", got)
	}
	if !strings.Contains(e.logs.String(), "swept leftover upload files") || !strings.Contains(e.logs.String(), "bytes=6000") {
		t.Errorf("the sweep is not logged with its bytes:\n%s", e.logs.String())
	}
	pw.Close()
	if err := <-putDone; err != nil {
		t.Fatal(err)
	}
	su.release()
	<-su.done
	if got := listFiles(t, spool); len(got) != 0 {
		t.Errorf("spool after the request: %v", got)
	}
}

// TestLockRace: whoever sees the listener lock held also sees who holds
// it (two `serve` started at once printed "already runs (pid 0, )").
func TestLockRace(t *testing.T) {
	dir := t.TempDir()
	for i := range 200 {
		var wg sync.WaitGroup
		var release func()
		var lockErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			release, lockErr = Lock(dir, Info{Addr: "127.0.0.1:8720"})
		}()
		var seen *Info
		var running bool
		go func() {
			defer wg.Done()
			seen, running = Running(dir)
		}()
		wg.Wait()
		if lockErr != nil {
			t.Fatal(lockErr)
		}
		if running && (seen.PID == 0 || seen.Addr == "") {
			t.Fatalf("round %d: Running saw the lock held by %+v", i, seen)
		}
		// A second Lock meanwhile names the holder.
		if _, err := Lock(dir, Info{Addr: "127.0.0.1:8721"}); !errors.Is(err, ErrRunning) || !strings.Contains(err.Error(), "127.0.0.1:8720") {
			t.Fatalf("second lock: %v", err)
		}
		release()
	}
}

// TestRefusalOfAStalledUpload: an upload refused midway (here at the spool
// budget) is answered at once, though its client has stopped sending: the
// rest of a refused body is not read first (net/http would otherwise read
// up to 256 KB more before answering, and this client never sends them).
func TestRefusalOfAStalledUpload(t *testing.T) {
	const budget = 64 << 10
	e := newEnv(t, func(c *Config) { c.SpoolBudgetBytes = budget })
	su := startStalled(t, e.ts.URL, sandbox.PathClaim, nil, "attach_file0", budget+96<<10)
	<-su.filled
	select {
	case r := <-su.done:
		if r.HTTP != http.StatusServiceUnavailable || r.Msg != msgBusy {
			t.Fatalf("answered %d %s, want 503 %s", r.HTTP, r.Raw, msgBusy)
		}
	case <-time.After(time.Minute):
		t.Fatal("no answer to an upload refused at the budget while its client waits")
	}
	su.release()
}
