package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"baohan/platform"
)

// callbackEnv is a sandbox (not started: callbacks need no API) sending to
// a fake listener with a tiny retry schedule.
func callbackEnv(t *testing.T, schedule ...time.Duration) (*Server, *fakeListener) {
	t.Helper()
	k := testKeys(t)
	l := newFakeListener(t, k)
	opt := k.Options()
	opt.CallbackBase = l.srv.URL
	opt.RetrySchedule = schedule
	s := New(opt)
	t.Cleanup(func() { s.Close() })
	return s, l
}

func tiny(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Millisecond
	}
	return out
}

func statusNotice() platform.OrderStatusNotice {
	return platform.OrderStatusNotice{RequestMethod: platform.CallbackOrderStatus, OrderNo: "1813037628",
		BlockNumber: "E3501000001", BlockName: "标段一", Principal: "福州某建设有限公司", Creditor: "福州某建设单位",
		Applicant: "福州某建设有限公司", OrderStatusOld: "WAIT_PAY", OrderStatus: platform.OrderWaitOutGuarantee}
}

func TestSendRetriesUntilAcknowledged(t *testing.T) {
	s, l := callbackEnv(t, tiny(9)...)
	l.failN = 2 // two HTTP 500s
	refused := 0
	l.answer = func(r received) (int, any) {
		if refused == 0 { // then one JSON refusal
			refused++
			return platform.StatusFailed, nil
		}
		return platform.StatusOK, nil
	}
	d := s.Send(ctx, Callback{Path: PathOrderStatus, Msg: statusNotice()})
	waitDone(t, d)
	if d.Err() != nil {
		t.Fatal(d.Err())
	}
	if d.Attempts() != 4 {
		t.Fatalf("attempts = %d, want 4", d.Attempts())
	}
	var ans struct{ Status int }
	if err := json.Unmarshal(d.Answer(), &ans); err != nil || ans.Status != 200 {
		t.Fatalf("answer %s", d.Answer())
	}
	got := l.received(PathOrderStatus)
	if len(got) != 2 || got[1].Multi {
		t.Fatalf("received %d (multipart %v)", len(got), got[1].Multi)
	}
	if ts := got[1].str("timestamp"); platform.CheckTimestamp(ts, time.Now()) != nil {
		t.Fatalf("timestamp %q not filled", ts)
	}
	if got[1].str("order_status_old") != "WAIT_PAY" {
		t.Fatalf("fields %v", got[1].Fields)
	}
}

func TestSendGivesUp(t *testing.T) {
	s, l := callbackEnv(t, tiny(3)...)
	l.failN = 1000
	d := s.Send(ctx, Callback{Path: PathOrderStatus, Msg: statusNotice()})
	waitDone(t, d)
	if !errors.Is(d.Err(), ErrGaveUp) {
		t.Fatalf("err %v", d.Err())
	}
	if d.Attempts() != 4 {
		t.Fatalf("attempts = %d, want 1 + 3 retries", d.Attempts())
	}
	if n := l.hitCount(); n != 4 {
		t.Fatalf("listener hit %d times", n)
	}
}

func TestDefaultScheduleIsTheManuals(t *testing.T) {
	want := []int{15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600}
	if len(DefaultRetrySchedule) != len(want) {
		t.Fatalf("schedule %v", DefaultRetrySchedule)
	}
	for i, sec := range want {
		if DefaultRetrySchedule[i] != time.Duration(sec)*time.Second {
			t.Fatalf("schedule %v", DefaultRetrySchedule)
		}
	}
}

func TestCloseStopsDeliveries(t *testing.T) {
	s, l := callbackEnv(t, time.Hour)
	l.failN = 1000
	l.hitCh = make(chan string, 10)
	d := s.Send(ctx, Callback{Path: PathOrderStatus, Msg: statusNotice()})
	<-l.hitCh // the first attempt failed; the next one is an hour away
	s.Close()
	waitDone(t, d)
	if d.Err() == nil || d.Attempts() != 1 {
		t.Fatalf("after Close: attempts %d err %v", d.Attempts(), d.Err())
	}
	if d2 := s.Send(ctx, Callback{Path: PathOrderStatus, Msg: statusNotice()}); !errors.Is(d2.Err(), ErrClosed) {
		t.Fatalf("send after close: %v", d2.Err())
	}
}

func TestNewOrderCallback(t *testing.T) {
	s, l := callbackEnv(t)
	if _, err := s.Start("127.0.0.1:0"); err != nil { // file URLs need it
		t.Fatal(err)
	}
	l.answer = func(r received) (int, any) {
		return 200, platform.ApplyAnswer{OrderStatus: "WAIT_PAY", PayMethod: "REDIRECT"}
	}
	o, d := s.NewOrder(ctx, OrderSpec{})
	waitDone(t, d)
	if d.Err() != nil {
		t.Fatal(d.Err())
	}
	got := l.received(PathApplyGuarantee)
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	r := got[0]
	for _, f := range platform.ApplyGuaranteeRequired {
		if r.str(f) == "" {
			t.Errorf("2.1 field %s empty", f)
		}
	}
	if r.str("request_method") != "apply_guarantee" || r.str("ktype") != "1" || r.str("order_status") != "WAIT_FIRST_TRAIL" {
		t.Fatalf("fields %v", r.Fields)
	}
	dl, err := platform.ParseDeadline(r.str("bid_deadline"))
	if err != nil || len(r.str("bid_deadline")) != 16 || !dl.After(time.Now()) {
		t.Fatalf("bid_deadline %q: %v", r.str("bid_deadline"), err)
	}
	var files []platform.SignFile
	if err := json.Unmarshal([]byte(r.str("guarantee_sign_files")), &files); err != nil || len(files) != 1 {
		t.Fatalf("guarantee_sign_files %s", r.str("guarantee_sign_files"))
	}
	download(t, string(files[0].FileURL))
	// The platform follows the guarantor's answer.
	if cur, _ := s.Order(string(o.OrderNo)); cur.Status() != "WAIT_PAY" {
		t.Fatalf("order status %s after the answer", cur.Status())
	}

	d2, err := s.ChangeOrderStatus(ctx, string(o.OrderNo), platform.OrderWaitOutGuarantee)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, d2)
	st := l.received(PathOrderStatus)
	if len(st) != 1 || st[0].str("order_status_old") != "WAIT_PAY" || st[0].str("order_status") != platform.OrderWaitOutGuarantee ||
		st[0].str("applicant") != string(o.Principal) {
		t.Fatalf("2.4 %v", st)
	}
	for _, f := range platform.OrderStatusNoticeRequired {
		if st[0].str(f) == "" {
			t.Errorf("2.4 field %s empty", f)
		}
	}
	if cur, _ := s.Order(string(o.OrderNo)); cur.OrderAmount == "" {
		t.Fatal("no order amount with WAIT_OUT_GUARANTEE")
	}
}

// issued puts an order and its pushed guarantee into the sandbox.
func issued(s *Server, guaranteeNo string, spec OrderSpec) Guarantee {
	spec.Status = platform.OrderWaitOutGuarantee
	o := s.GenerateOrder(spec)
	s.PutOrder(o)
	pdf := MinimalPDF("Guarantee "+guaranteeNo, "x")
	id := s.AddFile(guaranteeNo+".pdf", pdf)
	f, _ := s.File(id)
	s.mu.Lock()
	s.serial++
	serial := s.serial
	s.mu.Unlock()
	g := Guarantee{GuaranteeNo: guaranteeNo, SerialNum: strconv.FormatUint(serial, 10), OrderNo: string(o.OrderNo),
		BlockNumber: string(o.BlockNumber), BlockName: string(o.BlockName), Principal: string(o.Principal),
		Creditor: string(o.Creditor), Guarantor: DefaultGuarantorName, PDFHash: f.SHA256, PDFFileID: id}
	s.PutGuarantee(g)
	return g
}

func TestRevokeCallback(t *testing.T) {
	s, l := callbackEnv(t)
	a := issued(s, "BH-R1", OrderSpec{})
	b := issued(s, "BH-R2", OrderSpec{BlockNumber: a.BlockNumber, BlockName: a.BlockName, Creditor: a.Creditor})
	c := issued(s, "BH-R3", OrderSpec{BlockNumber: a.BlockNumber, BlockName: a.BlockName, Creditor: a.Creditor})
	decl := DeclarationPDF(a.BlockNumber, a.Creditor)
	rev, d, err := s.Revoke(ctx, RevokeSpec{BlockNumber: a.BlockNumber, Current: []string{a.GuaranteeNo}, Declaration: decl})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, d)
	got := l.received(PathRevoke)
	if len(got) != 1 || !got[0].Multi {
		t.Fatalf("received %+v", got)
	}
	r := got[0]
	for _, f := range platform.RevokeNoticeRequired {
		if r.str(f) == "" {
			t.Errorf("2.8 field %s empty", f)
		}
	}
	sum := sha256.Sum256(r.Files["revoke_guarantee_declare_file"])
	if !bytes.Equal(r.Files["revoke_guarantee_declare_file"], decl) || r.str("revoke_guarantee_declare_file_hash") != hex.EncodeToString(sum[:]) {
		t.Fatal("declaration or its hash wrong")
	}
	var data platform.RevokeData
	if err := json.Unmarshal([]byte(r.str("revoke_guarantee_data")), &data); err != nil {
		t.Fatal(err)
	}
	if len(data.CurrentRevokeData) != 1 || string(data.CurrentRevokeData[0].SerialNum) != a.SerialNum ||
		data.RevokeSuccessData == nil || data.PenaltyData == nil {
		t.Fatalf("data %s", r.str("revoke_guarantee_data"))
	}
	if r.str("revoke_no") != rev.RevokeNo {
		t.Fatal("revoke_no differs")
	}

	// The second batch: the rest, one forfeited; the first is listed as
	// already notified (已发起撤销名单).
	_, d, err = s.Revoke(ctx, RevokeSpec{BlockNumber: a.BlockNumber, Penalty: []string{c.GuaranteeNo}})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, d)
	got = l.received(PathRevoke)
	if err := json.Unmarshal([]byte(got[1].str("revoke_guarantee_data")), &data); err != nil {
		t.Fatal(err)
	}
	if len(data.RevokeSuccessData) != 1 || string(data.RevokeSuccessData[0].GuaranteeNo) != a.GuaranteeNo ||
		len(data.CurrentRevokeData) != 1 || string(data.CurrentRevokeData[0].GuaranteeNo) != b.GuaranteeNo ||
		len(data.PenaltyData) != 1 || string(data.PenaltyData[0].GuaranteeNo) != c.GuaranteeNo {
		t.Fatalf("second batch %s", got[1].str("revoke_guarantee_data"))
	}
	if _, ok := got[1].Files["revoke_guarantee_declare_file"]; ok || got[1].str("revoke_guarantee_declare_file_hash") != "" {
		t.Fatal("declaration sent though none was given")
	}
	if _, _, err := s.Revoke(ctx, RevokeSpec{BlockNumber: "nope"}); err == nil {
		t.Fatal("revocation of an unknown block")
	}
}

func TestApplyClaimCallback(t *testing.T) {
	s, l := callbackEnv(t)
	g := issued(s, "BH-C1", OrderSpec{})
	jpg := SmallJPEG(40, 30)
	c, d, err := s.ApplyClaim(ctx, g.GuaranteeNo, File{Name: "中标通知书.pdf", Data: MinimalPDF("x")}, File{Name: "照片.jpg", Data: jpg})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, d)
	got := l.received(PathClaim)
	if len(got) != 1 || !got[0].Multi {
		t.Fatalf("received %+v", got)
	}
	r := got[0]
	for _, f := range platform.ApplyClaimRequired {
		if r.str(f) == "" {
			t.Errorf("3.1 field %s empty", f)
		}
	}
	pdf, _ := s.File(g.PDFFileID)
	if !bytes.Equal(r.Files["guarantee_pdf"], pdf.Data) || !bytes.Equal(r.Files["attach_file1"], jpg) ||
		r.Names["attach_file0"] != "中标通知书.pdf" || len(r.Files) != 3 {
		t.Fatalf("files %v", r.Names)
	}
	if r.str("claim_no") != string(c.ClaimNo) || r.str("status") != platform.ClaimApplyWaitDeal || r.str("serial_num") != "" {
		t.Fatalf("fields %v", r.Fields)
	}
}

func TestSynchronousCallbacks(t *testing.T) {
	s, l := callbackEnv(t)
	g := issued(s, "BH-V1", OrderSpec{})
	l.answer = func(r received) (int, any) {
		switch r.Path {
		case PathVerify:
			if len(r.Files["guarantee_pdf"]) == 0 {
				return platform.VerifyPDFMissing, nil
			}
			return 200, platform.VerifyAnswer{SerialNum: platform.SerialNum(r.str("serial_num")), SignName: DefaultGuarantorName,
				SignTime: "2026-11-27 10:00:00", Issuer: "CFCA", Timestamp: 1, IsModified: 2}
		case PathQuery:
			if r.str("guarantee_no") != g.GuaranteeNo {
				return platform.QueryNotFound, nil
			}
			return 200, platform.QueryAnswer{GuaranteeNo: r.str("guarantee_no"), SerialNum: platform.SerialNum(r.str("serial_num")),
				Ktype: 1, Amount: "80000.00", Variety: 1, IsAvert: 2}
		case PathReleaseQuery:
			return 200, map[string]any{"guarantee_no": r.str("guarantee_no"), "serial_num": r.str("serial_num"), "status": 2, "revoke_guarantee_date": ""}
		}
		return 404, nil
	}
	pdf, _ := s.File(g.PDFFileID)
	v, err := s.VerifyRequest(ctx, g.SerialNum, pdf.Data)
	if err != nil || string(v.SerialNum) != g.SerialNum || v.IsModified != 2 {
		t.Fatalf("verify %+v %v", v, err)
	}
	if got := l.received(PathVerify); !got[0].Multi || got[0].str("request_method") != "" {
		t.Fatal("2.6 is multipart and has no request_method")
	}
	q, err := s.QueryRequest(ctx, g.GuaranteeNo, g.SerialNum)
	if err != nil || q.Amount != "80000.00" || string(q.SerialNum) != g.SerialNum {
		t.Fatalf("query %+v %v", q, err)
	}
	_, err = s.QueryRequest(ctx, "BH-none", "1")
	var ae *AnswerError
	if !errors.As(err, &ae) || ae.Status != platform.QueryNotFound {
		t.Fatalf("unknown guarantee: %v", err)
	}
	rq, err := s.ReleaseQuery(ctx, g.BlockNumber, g.GuaranteeNo, g.SerialNum)
	if err != nil || rq.Status != platform.ReleaseNoRevocation {
		t.Fatalf("release query %+v %v", rq, err)
	}
	if got := l.received(PathReleaseQuery); got[0].str("request_method") != platform.CallbackReleaseSearch || got[0].str("block_number") != g.BlockNumber {
		t.Fatalf("2.10 fields %v", got[0].Fields)
	}
}

func TestForgedCallbacks(t *testing.T) {
	s, _ := callbackEnv(t)
	status, answer, err := s.SendOnce(ctx, Callback{Path: PathOrderStatus, Msg: statusNotice()})
	if err != nil || status != 200 {
		t.Fatalf("SendOnce: %d %s %v", status, answer, err)
	}
	// A param signed with another secret: the listener says 1001.
	f, _ := platform.ToFields(statusNotice())
	f["timestamp"], _ = json.Marshal(platform.Timestamp(time.Now()))
	param, _ := platform.Seal("not-the-secret", &s.opt.GuarantorKey.PublicKey, f)
	ct, body, _ := EncodeBody(param, false)
	resp, err := s.PostRaw(ctx, PathOrderStatus, ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "1001") {
		t.Fatalf("forged sign answered %s", b)
	}
	// A good param, sealed by SealParam, posted raw.
	param, err = s.SealParam(statusNotice())
	if err != nil {
		t.Fatal(err)
	}
	ct, body, _ = EncodeBody(param, true, File{Field: "x", Name: "a.pdf", Data: []byte("%PDF-1.4")})
	resp, err = s.PostRaw(ctx, PathOrderStatus, ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"status":200`) {
		t.Fatalf("raw post answered %s", b)
	}
}
