package listener

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
)

// Fuzzing the inbound side: FuzzCallback feeds each callback handler
// decrypted fields it never expected; FuzzMultipart feeds the whole
// Handler multipart bodies of every shape around a valid param. Both
// against a real store. Seeds: testdata/fuzz/<Target>/ (regenerate with
// BAOHAN_WRITE_FUZZ_SEEDS=1 go test -run TestWriteFuzzSeeds ./listener/).
//
// Properties: no panic; no answer of HTTP 500 from a healthy store (that
// would make the platform repeat forever); a refusal leaves no trace; an
// acceptance names the callback (its identifying fields are not empty) and
// a repeat of it changes nothing and gets the same answer; the spool is
// empty after every request.

// fuzzNow is the listener's clock while fuzzing: seeds carry its timestamp.
var fuzzNow = time.Date(2026, 3, 2, 10, 0, 0, 0, platform.CST)

const (
	fuzzOrder     = "1813009001"
	fuzzGuarantee = "FZDB2026009001"
	fuzzSerial    = "806097210890179001"
	paramMark     = "@PARAM@"
)

// fuzzEnv is a listener on a fresh store with one issued guarantee, its
// clock at fuzzNow.
func fuzzEnv(tb testing.TB) (*env, []byte) {
	e := newEnv(tb, func(c *Config) { c.Now = func() time.Time { return fuzzNow } })
	pdf := sandbox.MinimalPDF("保函 " + fuzzGuarantee)
	e.seedIssued(fuzzOrder, fuzzGuarantee, fuzzSerial, sha(pdf))
	return e, pdf
}

// fuzzCallbacks are one valid callback per endpoint (endpoints order),
// timestamped fuzzNow.
func fuzzCallbacks(tb testing.TB, e *env, pdf []byte) []sandbox.Callback {
	block := "E3501000001" + fuzzOrder[len(fuzzOrder)-3:]
	decl := sandbox.DeclarationPDF(block, "福州市鼓楼区教育局")
	item := []platform.RevokeItem{{GuaranteeNo: platform.Str(fuzzGuarantee), Principal: "福建某某建设工程有限公司", SerialNum: platform.SerialNum(fuzzSerial)}}
	cbs := map[string]sandbox.Callback{
		"/callbacks/apply_guarantee": e.applyCallback("1813009002"),
		"/callbacks/order_status":    statusCallback(fuzzOrder, "HAS_OUT_GUARANTEE", "FINISH"),
		"/callbacks/verify":          verifyCallback(fuzzSerial, pdf),
		"/callbacks/query":           queryCallback(fuzzGuarantee, fuzzSerial),
		"/callbacks/revoke":          revokeCallback(tb, "R2026009001", block, item, nil, decl, sha(decl)),
		"/callbacks/release_query":   releaseQueryCallback(block, fuzzGuarantee, fuzzSerial),
		"/callbacks/claim": claimCallback(claimMsg("LP2026009001", "APPLY_WAIT_DEAL", fuzzGuarantee, block), pdf,
			sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: sandbox.MinimalPDF("索赔通知书")}),
	}
	out := make([]sandbox.Callback, len(endpoints))
	for i, ep := range endpoints {
		cb, ok := cbs[ep.path]
		if !ok {
			tb.Fatalf("no fuzz callback for %s", ep.path)
		}
		f := fieldsOf(tb, cb.Msg)
		f["timestamp"] = jsonStr(platform.Timestamp(fuzzNow))
		cb.Msg = f
		out[i] = cb
	}
	return out
}

// keyFields are the fields that identify each callback.
var keyFields = map[string][]string{
	platform.CallbackApplyGuarantee:   {"order_no"},
	platform.CallbackOrderStatus:      {"order_no", "order_status"},
	MethodVerify:                      {"serial_num"},
	MethodQuery:                       {"guarantee_no", "serial_num"},
	platform.CallbackGuaranteeRelease: {"revoke_no"},
	platform.CallbackReleaseSearch:    {"guarantee_no", "serial_num"},
	platform.CallbackApplyClaim:       {"claim_no", "status"},
}

// stored tells whether an endpoint keeps a record (idempotency row).
func stored(method string) bool {
	switch method {
	case platform.CallbackApplyGuarantee, platform.CallbackOrderStatus, platform.CallbackGuaranteeRelease, platform.CallbackApplyClaim:
		return true
	}
	return false
}

// unchanged fails when the store gained anything but health probes.
// heldOnly: a refusal that holds the callback (authentic, but it failed a
// check: protocol.md) adds one held row, its event and the files it kept,
// nothing else.
func heldOnly(t *testing.T, e *env, before snapshot, what string) {
	t.Helper()
	after := e.snapshot()
	if after.tables["held"] > before.tables["held"]+1 {
		t.Fatalf("%s: held grew by %d", what, after.tables["held"]-before.tables["held"])
	}
	for n, c := range after.tables {
		if n != "health" && n != "held" && n != "events" && c != before.tables[n] {
			t.Fatalf("%s held: table %s has %d rows, had %d", what, n, c, before.tables[n])
		}
	}
	if len(after.spool) != 0 {
		t.Fatalf("%s held: spool not empty: %v", what, after.spool)
	}
}

func unchanged(t *testing.T, e *env, before snapshot, what string) {
	t.Helper()
	after := e.snapshot()
	for n, c := range after.tables {
		if n != "health" && c != before.tables[n] {
			t.Fatalf("%s: table %s has %d rows, had %d", what, n, c, before.tables[n])
		}
	}
	if strings.Join(after.files, ",") != strings.Join(before.files, ",") {
		t.Fatalf("%s: file store has %v, had %v", what, after.files, before.files)
	}
	if len(after.spool) != 0 {
		t.Fatalf("%s: spool not empty: %v", what, after.spool)
	}
}

// FuzzCallback: decrypted fields (any JSON object) into each handler.
func FuzzCallback(f *testing.F) {
	e, _ := fuzzEnv(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, kind uint8, plain []byte) {
		e.t = t // iterations run one at a time in each worker
		ep := endpoints[int(kind)%len(endpoints)]
		var fields platform.Fields
		if err := json.Unmarshal(plain, &fields); err != nil || fields == nil {
			return // the codec refuses it before any handler (FuzzOpen)
		}
		handle := func() (*result, error) {
			c := &call{s: e.srv, ep: ep, ctx: ctx, start: time.Now(), remote: "192.0.2.1", fields: fields, plain: plain}
			return ep.handle(e.srv, c)
		}
		before := e.snapshot()
		res, err := handle()
		if err != nil {
			rf, ok := err.(*refusal)
			if !ok {
				t.Fatalf("%s: a healthy store answered a system fault (HTTP 500): %v", ep.path, err)
			}
			if strings.Contains(rf.msg, msgHeld) {
				heldOnly(t, e, before, ep.path)
				return
			}
			unchanged(t, e, before, ep.path+" refused")
			return
		}
		var ans struct {
			Status int `json:"status"`
		}
		if err := json.Unmarshal(res.answer, &ans); err != nil || ans.Status != platform.StatusOK {
			t.Fatalf("%s: accepted with answer %s", ep.path, res.answer)
		}
		for _, k := range keyFields[ep.method] {
			if strings.TrimSpace(platform.FieldText(fields[k])) == "" {
				t.Fatalf("%s: accepted without %s: %s", ep.path, k, plain)
			}
		}
		mid := e.snapshot()
		again, err := handle()
		if err != nil {
			t.Fatalf("%s: accepted once, then refused: %v", ep.path, err)
		}
		if !bytes.Equal(again.answer, res.answer) {
			t.Fatalf("%s: repeat answered %s, first %s", ep.path, again.answer, res.answer)
		}
		if stored(ep.method) {
			if !again.duplicate {
				t.Fatalf("%s: repeat not recognised as a duplicate", ep.path)
			}
			unchanged(t, e, mid, ep.path+" repeat")
		}
	})
}

// FuzzMultipart: a multipart body (boundary and bytes) for each callback
// path, with the marker @PARAM@ replaced by a valid param for that path,
// through the whole Handler.
func FuzzMultipart(f *testing.F) {
	e, pdf := fuzzEnv(f)
	cbs := fuzzCallbacks(f, e, pdf)
	params := make([][]byte, len(cbs))
	for i, cb := range cbs {
		p, err := e.sb.SealParam(cb.Msg)
		if err != nil {
			f.Fatal(err)
		}
		params[i] = []byte(p)
	}
	h := e.srv.Handler()
	f.Fuzz(func(t *testing.T, kind uint8, boundary string, body []byte) {
		e.t = t
		i := int(kind) % len(endpoints)
		ep := endpoints[i]
		body = bytes.ReplaceAll(body, []byte(paramMark), params[i])
		req := httptest.NewRequest(http.MethodPost, ep.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", mime.FormatMediaType("multipart/form-data", map[string]string{"boundary": boundary}))
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		}
		before := e.snapshot()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("%s: HTTP 500 from a healthy store: %s", ep.path, rec.Body.Bytes())
		}
		var ans struct {
			Status *int   `json:"status"`
			Msg    string `json:"msg"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || ans.Status == nil {
			t.Fatalf("%s: answer is not JSON with a status: %q", ep.path, rec.Body.Bytes())
		}
		if *ans.Status != platform.StatusOK {
			if strings.Contains(ans.Msg, msgHeld) {
				heldOnly(t, e, before, ep.path)
				return
			}
			unchanged(t, e, before, ep.path+" refused")
			return
		}
		if s := e.snapshot(); len(s.spool) != 0 {
			t.Fatalf("%s: spool not empty: %v", ep.path, s.spool)
		}
	})
}

// TestWriteFuzzSeeds writes the committed seed corpora of FuzzCallback and
// FuzzMultipart (only with BAOHAN_WRITE_FUZZ_SEEDS=1).
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("BAOHAN_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set BAOHAN_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz")
	}
	e, pdf := fuzzEnv(t)
	cbs := fuzzCallbacks(t, e, pdf)
	write := func(target, name string, values ...string) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		text := "go test fuzz v1\n" + strings.Join(values, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kind := func(i int) string { return fmt.Sprintf("byte(%q)", rune(i)) }
	for i, cb := range cbs {
		name := strings.TrimPrefix(endpoints[i].path, "/callbacks/")
		plain, err := platform.SignedPlaintext(testSecret, cb.Msg)
		if err != nil {
			t.Fatal(err)
		}
		write("FuzzCallback", "seed-"+name, kind(i), "[]byte("+strconv.Quote(string(plain))+")")

		ct, body, err := sandbox.EncodeBody(paramMark, true, cb.Files...)
		if err != nil {
			t.Fatal(err)
		}
		_, mp, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatal(err)
		}
		write("FuzzMultipart", "seed-"+name, kind(i), "string("+strconv.Quote(mp["boundary"])+")", "[]byte("+strconv.Quote(string(body))+")")
	}
	// Shapes around the valid ones: numbers for strings, nulls, nested
	// values, a duplicated param, a part without a name.
	write("FuzzCallback", "seed-odd-types", kind(1), "[]byte("+strconv.Quote(`{"request_method":"notify_order_status","order_no":1813009001,"order_status":null,"timestamp":20260302100000,"block_number":[],"principal":{},"creditor":"","applicant":"","order_status_old":true,"block_name":"x"}`)+")")
	write("FuzzCallback", "seed-spaces", kind(0), "[]byte("+strconv.Quote(`{"request_method":" apply_guarantee ","order_no":" ","timestamp":"202603021000"}`)+")")
	dup := "--b\r\nContent-Disposition: form-data; name=\"param\"\r\n\r\n" + paramMark + "\r\n--b\r\nContent-Disposition: form-data; name=\"param\"\r\n\r\n" + paramMark + "\r\n--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"
	write("FuzzMultipart", "seed-duplicate-param", kind(6), `string("b")`, "[]byte("+strconv.Quote(dup)+")")
}
