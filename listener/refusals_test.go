package listener

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

// refusalFixture is an env with one issued guarantee the refusals aim at.
type refusalFixture struct {
	*env
	orderNo, gno, serial, block string
	pdf                         []byte
}

func newRefusalFixture(t *testing.T) *refusalFixture {
	e := newEnv(t)
	pdf := readTestPDF(t, "signed.pdf")
	sum := sha256.Sum256(pdf)
	o, g := e.seedIssued("1813000001", "FZDB2026000001", "806097210890174001", hex.EncodeToString(sum[:]))
	return &refusalFixture{env: e, orderNo: o.OrderNo, gno: g.GuaranteeNo, serial: g.SerialNum, block: o.BlockNumber, pdf: pdf}
}

// base is one valid callback of each kind with the codes its refusals take.
type base struct {
	name        string
	cb          sandbox.Callback
	decrypt     int
	sign        int
	receive     int    // wrong content type
	missing     string // a required field
	missingCode int
	timestamp   int // a timestamp outside the window (protocol.md, "Refusal codes")
}

func (f *refusalFixture) bases(t *testing.T) []base {
	item := []platform.RevokeItem{{GuaranteeNo: platform.Str(f.gno), Principal: "福建某某建设工程有限公司", SerialNum: platform.SerialNum(f.serial)}}
	return []base{
		{"2.1", f.applyCallback("1813000099"), 1000, 1001, 404, "principal_address", 404, 404},
		{"2.4", statusCallback(f.orderNo, "WAIT_PAY", "WAIT_OUT_GUARANTEE"), 1000, 1001, 404, "order_status_old", 404, 404},
		{"2.6", verifyCallback(f.serial, f.pdf), 2606, 2607, 2604, "serial_num", 2600, 2608},
		{"2.7", queryCallback(f.gno, f.serial), 1000, 1001, 404, "guarantee_no", 2700, 2705},
		{"2.8", revokeCallback(t, "R2026000001", f.block, item, nil, nil, ""), 1000, 1001, 404, "revoke_no", 404, 404},
		{"2.10", releaseQueryCallback(f.block, f.gno, f.serial), 1000, 1001, 404, "block_number", 404, 404},
		{"3.1", claimCallback(claimMsg("LP2026000001", "APPLY_WAIT_DEAL", f.gno, f.block), f.pdf,
			sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: sandbox.MinimalPDF("索赔通知书")}), 1000, 1001, 404, "claim_no", 404, 404},
	}
}

// encode makes the body of cb with param instead of its sealed message.
func encode(t testing.TB, cb sandbox.Callback, param string) (string, []byte) {
	t.Helper()
	ct, body, err := sandbox.EncodeBody(param, isMultipartPath(cb.Path), cb.Files...)
	if err != nil {
		t.Fatal(err)
	}
	return ct, body
}

// TestRefusals sends every kind of bad callback to every callback URL and
// checks the code and that nothing at all reached the store; /healthz
// answers afterwards.
func TestRefusals(t *testing.T) {
	f := newRefusalFixture(t)
	pub := &f.key.PublicKey
	_, other := keys(t)
	before := f.snapshot()

	type mutation struct {
		name   string
		param  func(b base) string
		status func(b base) int
		msg    string
	}
	fields := func(b base) platform.Fields { return fieldsOf(t, b.cb.Msg) }
	withTS := func(b base, ts string) platform.Fields {
		fl := fields(b)
		fl["timestamp"] = jsonStr(ts)
		return fl
	}
	mutations := []mutation{
		{"wrong sign", func(b base) string { return sealWith(t, "0000"+testSecret, pub, fields(b)) }, func(b base) int { return b.sign }, "验签失败"},
		{"other key", func(b base) string { return sealWith(t, testSecret, &other.PublicKey, fields(b)) }, func(b base) int { return b.decrypt }, "解密失败"},
		{"not base64", func(base) string { return "这不是*base64*!!" }, func(b base) int { return b.decrypt }, "解密失败"},
		{"not JSON", func(base) string {
			p, err := platform.EncryptParam(pub, []byte("<html>not json</html>"))
			if err != nil {
				t.Fatal(err)
			}
			return p
		}, func(b base) int { return b.decrypt }, "解密失败"},
		{"truncated", func(b base) string {
			p := sealWith(t, testSecret, pub, fields(b))
			return p[:len(p)/2]
		}, func(b base) int { return b.decrypt }, "解密失败"},
		{"stale timestamp", func(b base) string { return sealWith(t, testSecret, pub, withTS(b, tsAgo(25*time.Hour))) }, func(b base) int { return b.timestamp }, msgTimestamp},
		{"future timestamp", func(b base) string { return sealWith(t, testSecret, pub, withTS(b, tsAgo(-11*time.Minute))) }, func(b base) int { return b.timestamp }, msgTimestamp},
		{"bad timestamp", func(b base) string { return sealWith(t, testSecret, pub, withTS(b, "2026-03-01")) }, func(b base) int { return b.timestamp }, msgTimestamp},
		{"missing field", func(b base) string {
			fl := fields(b)
			delete(fl, b.missing)
			return sealWith(t, testSecret, pub, fl)
		}, func(b base) int { return b.missingCode }, "参数缺失："},
		{"no param", func(base) string { return "" }, func(base) int { return 404 }, "参数缺失：param"},
	}
	for _, b := range f.bases(t) {
		for _, m := range mutations {
			t.Run(b.name+"/"+m.name, func(t *testing.T) {
				ct, body := encode(t, b.cb, m.param(b))
				r := f.post(b.cb.Path, ct, body)
				r.want(t, http.StatusOK, m.status(b))
				if !strings.Contains(r.Msg, m.msg) {
					t.Errorf("msg %q, want it to contain %q", r.Msg, m.msg)
				}
			})
		}
		t.Run(b.name+"/wrong content type", func(t *testing.T) {
			param := sealWith(t, testSecret, pub, fields(b))
			r := f.post(b.cb.Path, "application/json", []byte(`{"param":"`+param+`"}`))
			r.want(t, http.StatusOK, b.receive)
			if !strings.Contains(r.Msg, "Content-Type") {
				t.Errorf("msg %q", r.Msg)
			}
		})
		t.Run(b.name+"/no content type", func(t *testing.T) {
			param := sealWith(t, testSecret, pub, fields(b))
			r := f.post(b.cb.Path, "", []byte(url.Values{"param": {param}}.Encode()))
			r.want(t, http.StatusOK, b.receive)
		})
		t.Run(b.name+"/GET", func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, f.ts.URL+b.cb.Path, nil)
			r := f.do(req)
			r.want(t, http.StatusMethodNotAllowed, 404)
		})
		t.Run(b.name+"/malformed multipart", func(t *testing.T) {
			r := f.post(b.cb.Path, "multipart/form-data; boundary=xyz", []byte("--xyz\r\nContent-Disposition: form-data; name=\"param\"\r\n\r\nabc"))
			r.want(t, http.StatusOK, b.receive)
		})
	}

	// The 假通知 checks and the file rules of each callback.
	seal := func(msg any) string { return sealWith(t, testSecret, pub, msg) }
	other2 := []platform.RevokeItem{{GuaranteeNo: "FZDB2026999999", Principal: "福建某某建设工程有限公司", SerialNum: "806097210890179999"}}
	wrongSerial := []platform.RevokeItem{{GuaranteeNo: platform.Str(f.gno), Principal: "福建某某建设工程有限公司", SerialNum: "806097210890170000"}}
	wrongPrincipal := []platform.RevokeItem{{GuaranteeNo: platform.Str(f.gno), Principal: "另一家建设有限公司", SerialNum: platform.SerialNum(f.serial)}}
	good := []platform.RevokeItem{{GuaranteeNo: platform.Str(f.gno), Principal: "福建某某建设工程有限公司", SerialNum: platform.SerialNum(f.serial)}}
	decl := sandbox.MinimalPDF("撤销保函声明")
	declSum := sha256.Sum256(decl)
	declHash := hex.EncodeToString(declSum[:])
	big := bytes.Repeat([]byte("A"), MaxAttachmentBytes+1)
	bigPDF := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("A"), DefaultMaxFileBytes+1)...)
	attach0 := sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: sandbox.MinimalPDF("索赔通知书")}
	claimOf := func(m platform.ApplyClaim, pdf []byte, files ...sandbox.File) sandbox.Callback {
		cb := claimCallback(m, pdf, files...)
		if pdf == nil {
			cb.Files = files
		}
		return cb
	}
	cm := func() platform.ApplyClaim { return claimMsg("LP2026000002", "APPLY_WAIT_DEAL", f.gno, f.block) }
	specific := []struct {
		name   string
		cb     sandbox.Callback
		status int
		msg    string
		held   bool // authentic, failed a 假通知 check or one of its shape: held, not dropped
	}{
		{"2.1 wrong request_method", func() sandbox.Callback {
			cb := f.applyCallback("1813000098")
			m := cb.Msg.(platform.ApplyGuarantee)
			m.RequestMethod = "apply_claim"
			cb.Msg = m
			return cb
		}(), 404, "request_method 应为 apply_guarantee", true},
		{"2.1 empty order_no", func() sandbox.Callback {
			cb := f.applyCallback("1813000097")
			m := cb.Msg.(platform.ApplyGuarantee)
			m.OrderNo = ""
			cb.Msg = m
			return cb
		}(), 404, "参数缺失：order_no", true},
		{"2.6 no guarantee_pdf", verifyCallback(f.serial, nil), 2601, "参数缺失：guarantee_pdf", false},
		{"2.6 not a PDF", verifyCallback(f.serial, []byte("GIF89a not a pdf")), 2602, "PDF", false},
		{"2.6 PDF over the listener's limit", verifyCallback(f.serial, bigPDF), 2603, "超过", false},
		{"2.6 unknown serial", verifyCallback("806097210890179999", f.pdf), 2605, "806097210890179999", false},
		{"2.7 unknown guarantee", queryCallback("FZDB2026999999", f.serial), 2702, "保函不存在", false},
		{"2.7 serial mismatch", queryCallback(f.gno, "806097210890170000"), 2702, "保函不存在", false},
		{"2.7 missing serial_num", queryCallback(f.gno, ""), 2701, "参数缺失：serial_num", false},
		{"2.8 unknown guarantee", revokeCallback(t, "R2026000002", f.block, other2, nil, nil, ""), 404, "不是本公司出具的保函", true},
		{"2.8 unknown guarantee in penalty list", revokeCallback(t, "R2026000003", f.block, good, other2, nil, ""), 404, "不是本公司出具的保函", true},
		{"2.8 serial mismatch", revokeCallback(t, "R2026000004", f.block, wrongSerial, nil, nil, ""), 404, "序列号", true},
		{"2.8 principal mismatch", revokeCallback(t, "R2026000005", f.block, wrongPrincipal, nil, nil, ""), 404, "被保证人", true},
		{"2.8 block mismatch", revokeCallback(t, "R2026000006", "E9999", good, nil, nil, ""), 404, "标段编号", true},
		{"2.8 wrong declaration hash", revokeCallback(t, "R2026000007", f.block, good, nil, decl, strings.Repeat("ab", 32)), 404, "revoke_guarantee_declare_file_hash 不一致", true},
		{"2.8 hash without file", revokeCallback(t, "R2026000008", f.block, good, nil, nil, declHash), 404, "缺少撤销保函声明文件", true},
		{"2.8 data not JSON", func() sandbox.Callback {
			cb := revokeCallback(t, "R2026000009", f.block, good, nil, nil, "")
			m := cb.Msg.(platform.RevokeNotice)
			m.RevokeGuaranteeData = "[{broken"
			cb.Msg = m
			return cb
		}(), 404, "revoke_guarantee_data", true},
		{"2.10 missing serial_num", releaseQueryCallback(f.block, f.gno, ""), 404, "参数缺失：serial_num", false},
		{"3.1 unknown guarantee", claimOf(claimMsg("LP2026000003", "APPLY_WAIT_DEAL", "FZDB2026999999", f.block), f.pdf, attach0), 404, "不是本公司出具的保函", true},
		{"3.1 creditor mismatch", func() sandbox.Callback {
			m := cm()
			m.Creditor = "另一个建设单位"
			return claimOf(m, f.pdf, attach0)
		}(), 404, "受益人", true},
		{"3.1 out_guarantee mismatch", func() sandbox.Callback {
			m := cm()
			m.OutGuarantee = "另一家担保公司"
			return claimOf(m, f.pdf, attach0)
		}(), 404, "出函担保公司", true},
		{"3.1 attachment over 10 MB", claimOf(cm(), f.pdf, attach0, sandbox.File{Field: "attach_file1", Name: "大文件.zip", Data: big}), 404, "attach_file1 超过 10 MB", true},
		{"3.1 no guarantee_pdf", claimOf(cm(), nil, attach0), 404, "参数缺失：guarantee_pdf", true},
		{"3.1 guarantee_pdf not a PDF", claimOf(cm(), []byte("PK\x03\x04 zip"), attach0), 404, "不是 PDF", true},
		{"3.1 no attach_file0", claimOf(cm(), f.pdf), 404, "参数缺失：attach_file0", true},
		{"3.1 traversal name and over 10 MB", claimOf(cm(), f.pdf, attach0, sandbox.File{Field: "attach_file1", Name: "../../../../etc/cron.d/x", Data: big}), 404, "超过", true},
	}
	for _, c := range specific {
		t.Run(c.name, func(t *testing.T) {
			ct, body := encode(t, c.cb, seal(c.cb.Msg))
			r := f.post(c.cb.Path, ct, body)
			r.want(t, http.StatusOK, c.status)
			if !strings.Contains(r.Msg, c.msg) {
				t.Errorf("msg %q, want it to contain %q", r.Msg, c.msg)
			}
			if c.held != strings.Contains(r.Msg, msgHeld) {
				t.Errorf("msg %q: held %v, want %v", r.Msg, !c.held, c.held)
			}
		})
	}

	after := f.snapshot()
	// The traces a refusal may leave (package doc): a single clock fault
	// event for the authentic callbacks from the future, and, for each
	// held callback, its held row, a flag event and its files.
	// The missing required field of 2.1, 2.4, 2.8 and 3.1 is held too
	// (protocol.md: any authentic callback that fails a check of its shape).
	nHeld := 4
	for _, c := range specific {
		if c.held {
			nHeld++
		}
	}
	ev := f.events()
	if len(ev) != 1+nHeld || ev[0].Kind != "fault" || !strings.Contains(ev[0].Summary, "时钟偏差") {
		t.Errorf("events after the refusals: %+v (want one clock fault and %d held)", ev, nHeld)
	}
	for _, e := range ev[1:] {
		if e.Kind != store.KindFlag || !strings.Contains(e.Summary, "已暂存待核对") {
			t.Errorf("event %+v is not a held callback's", e)
		}
	}
	if after.count("held") != nHeld {
		t.Errorf("%d held callbacks, want %d", after.count("held"), nHeld)
	}
	after.tables["events"] = before.tables["events"]
	after.tables["held"] = before.tables["held"]
	after.files = before.files // the held callbacks' files
	after.sameAs(t, before)
	if strings.Contains(f.logs.String(), "principal_phone") || strings.Contains(f.logs.String(), "福建某某建设工程有限公司") {
		t.Errorf("the log shows decrypted content:\n%s", f.logs.String())
	}
	req, _ := http.NewRequest(http.MethodGet, f.ts.URL+"/healthz", nil)
	f.do(req).want(t, http.StatusOK, 200)
}

// TestNoPaddingOracle: a param that is not base64, one whose RSA padding is
// wrong, one that decrypts to garbage and one cut short all get the very
// same answer, so that a sender cannot tell valid PKCS#1 v1.5 padding from
// invalid (Bleichenbacher).
func TestNoPaddingOracle(t *testing.T) {
	e := newEnv(t)
	_, other := keys(t)
	pub := &e.key.PublicKey
	garbage, err := platform.EncryptParam(pub, []byte{0xff, 0x00, 0x7b, 0x22})
	if err != nil {
		t.Fatal(err)
	}
	good := sealWith(t, testSecret, pub, statusCallback("1813001001", "WAIT_PAY", "WAIT_OUT_GUARANTEE").Msg)
	for _, path := range []string{"/callbacks/order_status", "/callbacks/verify", "/callbacks/query"} {
		var first []byte
		for _, param := range []string{"!!", sealWith(t, testSecret, &other.PublicKey, map[string]any{"a": "b"}), garbage, good[:344], good[:len(good)-4]} {
			r := e.post(path, "application/x-www-form-urlencoded", []byte(url.Values{"param": {param}}.Encode()))
			if first == nil {
				first = r.Raw
			}
			if !bytes.Equal(r.Raw, first) {
				t.Errorf("%s: answers differ: %s and %s", path, first, r.Raw)
			}
		}
	}
}
