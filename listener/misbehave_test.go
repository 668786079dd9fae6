package listener

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

// Tests of issue 9: the platform repeating, revisiting and sending what our
// records do not expect. Each talks to the real listener over loopback,
// with the sandbox sealing the callbacks.

// at is a copy of a callback with its timestamp d ago (a genuine later
// visit has a later timestamp; a retry may keep the first one).
func at(t *testing.T, cb sandbox.Callback, d time.Duration) sandbox.Callback {
	t.Helper()
	f := fieldsOf(t, cb.Msg)
	f["timestamp"] = jsonStr(tsAgo(d))
	cb.Msg = f
	return cb
}

func (e *env) order(no string) store.Order {
	e.t.Helper()
	o, err := e.st.GetOrder(context.Background(), no)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// TestOrderStatusRevisit (item 1): 退回, resubmitted, 退回 again and
// resubmitted again are four transitions; the last is applied, not taken
// for a repeat of the second.
func TestOrderStatusRevisit(t *testing.T) {
	e := newEnv(t)
	e.seedIssued("1813000201", "FZDB2026000201", "806097210890174201", "")
	e.update(func(tx *store.Tx) error { return tx.SetOrderStatus("1813000201", "WAIT_SUBMIT_FIRST_TRAIL") })
	steps := []struct{ old, now string }{
		{"WAIT_SUBMIT_FIRST_TRAIL", "WAIT_FIRST_TRAIL"}, // 退回
		{"WAIT_FIRST_TRAIL", "WAIT_SUBMIT_FIRST_TRAIL"}, // resubmitted
		{"WAIT_SUBMIT_FIRST_TRAIL", "WAIT_FIRST_TRAIL"}, // 退回 again
		{"WAIT_FIRST_TRAIL", "WAIT_SUBMIT_FIRST_TRAIL"}, // resubmitted again
	}
	for i, s := range steps {
		e.send(at(t, statusCallback("1813000201", s.old, s.now), time.Duration(10-i)*time.Minute)).want(t, 200, 200)
		if got := e.order("1813000201").OrderStatus; got != s.now {
			t.Fatalf("step %d: order is %s, want %s", i+1, got, s.now)
		}
	}
	// A re-signed repeat of the last one changes nothing.
	e.send(at(t, statusCallback("1813000201", "WAIT_FIRST_TRAIL", "WAIT_SUBMIT_FIRST_TRAIL"), time.Minute)).want(t, 200, 200)
	n := 0
	for _, ev := range e.events() {
		if ev.Kind == store.KindCallback {
			n++
		}
	}
	if n != 4 {
		t.Errorf("%d transitions recorded, want 4", n)
	}
	// Each return to a state it had been in is applied and then confirmed
	// with 2.2 (protocol.md; issue 20, item 7): the order waits for it.
	if o := e.order("1813000201"); o.OrderStatus != "WAIT_SUBMIT_FIRST_TRAIL" || !o.Flagged || !strings.Contains(o.FlagReason, "2.2") {
		t.Errorf("order %+v", o)
	}
}

// TestOrderStatusLateRetry (item 1): a late retry of WAIT_PAY ->
// WAIT_OUT_GUARANTEE, for an order issued since, does not put it back to
// 待出函: it is recorded, answered 200, and the order is settled with 2.2;
// while 2.2 fails the order stays flagged and is tried again later.
func TestOrderStatusLateRetry(t *testing.T) {
	e := newEnv(t)
	e.seedIssued("1813000202", "FZDB2026000202", "806097210890174202", "")
	e.fetcher.err = context.DeadlineExceeded
	e.send(at(t, statusCallback("1813000202", "WAIT_PAY", "WAIT_OUT_GUARANTEE"), 3*time.Hour)).want(t, 200, 200)
	if err := e.srv.Shutdown(context.Background()); err != nil { // waits for the 2.2
		t.Fatal(err)
	}
	o := e.order("1813000202")
	if o.OrderStatus != "HAS_OUT_GUARANTEE" || !o.Flagged || !strings.Contains(o.FlagReason, "不符") {
		t.Errorf("order %+v", o)
	}
	if calls := e.fetcher.Calls(); len(calls) != 1 || calls[0] != "1813000202" {
		t.Errorf("2.2 fetches %v", calls)
	}
	// Not due yet, then due: SettleOrders tries again.
	if n, err := e.srv.SettleOrders(context.Background()); err != nil || n != 0 || len(e.fetcher.Calls()) != 1 {
		t.Errorf("settled %d (%v) before the retry was due, fetches %v", n, err, e.fetcher.Calls())
	}
	e.srv.cfg.Now = func() time.Time { return time.Now().Add(SettleRetry + time.Minute) }
	e.fetcher.err = nil
	if n, err := e.srv.SettleOrders(context.Background()); err != nil || n != 1 {
		t.Errorf("settled %d, %v", n, err)
	}
}

// TestOrderStatusOutside54 (item 1): a state not in 5.4 is held, not
// stored as it came; accepted, it is applied and the repeat answered 200.
func TestOrderStatusOutside54(t *testing.T) {
	e := newEnv(t)
	e.seedIssued("1813000203", "FZDB2026000203", "806097210890174203", "")
	cb := at(t, statusCallback("1813000203", "HAS_OUT_GUARANTEE", "REFUNDED"), time.Minute)
	r := e.send(cb)
	r.want(t, 200, 404)
	if !strings.Contains(r.Msg, "5.4") || !strings.Contains(r.Msg, msgHeld) {
		t.Errorf("msg %q", r.Msg)
	}
	if o := e.order("1813000203"); o.OrderStatus != "HAS_OUT_GUARANTEE" {
		t.Errorf("order %+v", o)
	}
	held, _ := e.st.ListHeld(context.Background(), store.HeldQuery{State: store.HeldHeld})
	if len(held) != 1 || held[0].Ref != "1813000203" || held[0].Method != platform.CallbackOrderStatus {
		t.Fatalf("held %+v", held)
	}
	if _, err := e.srv.DecideHeld(context.Background(), held[0].ID, true, "平台新增状态，已电话确认"); err != nil {
		t.Fatal(err)
	}
	if o := e.order("1813000203"); o.OrderStatus != "REFUNDED" {
		t.Errorf("after accept: order %+v", o)
	}
	transitions := func() (n int64) {
		if err := e.st.Update(context.Background(), func(tx *store.Tx) (err error) { n, err = tx.Transitions("1813000203"); return }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	n, events := transitions(), len(e.events())
	// The platform's repeats after the acceptance are answered 200 and
	// change nothing (the transition is not applied again).
	e.send(at(t, cb, 0)).want(t, 200, 200)
	e.send(at(t, cb, 0)).want(t, 200, 200)
	if got := transitions(); got != n {
		t.Errorf("repeats of the accepted 2.4 applied it again: %d transitions, were %d", got, n)
	}
	if got := len(e.events()); got != events {
		t.Errorf("repeats of the accepted 2.4 wrote %d events", got-events)
	}
}

// TestHeldRevocation (item 3): a revocation naming a guarantee we never
// issued is held with its reason, plaintext and declaration file, refused
// so that the platform repeats it, counted on each repeat; accepted, it is
// stored and the next repeat is answered 200.
func TestHeldRevocation(t *testing.T) {
	e := newEnv(t)
	_, g := e.seedIssued("1813000204", "FZDB2026000204", "806097210890174204", "")
	items := []platform.RevokeItem{
		{GuaranteeNo: platform.Str(g.GuaranteeNo), Principal: platform.Str(g.Principal), SerialNum: platform.SerialNum(g.SerialNum)},
		{GuaranteeNo: "FZDB2026999204", Principal: "别家建设有限公司", SerialNum: "806097210890179204"},
	}
	decl := []byte("%PDF-1.4 撤销保函声明")
	cb := revokeCallback(t, "R2026000204", g.BlockNumber, items, nil, decl, "")
	r := e.send(cb)
	r.want(t, 200, 404)
	if !strings.Contains(r.Msg, "FZDB2026999204") || !strings.Contains(r.Msg, msgHeld) {
		t.Errorf("msg %q", r.Msg)
	}
	e.send(at(t, cb, 0)).want(t, 200, 404) // re-signed repeat
	if _, err := e.st.GetRevocation(context.Background(), "R2026000204"); err == nil {
		t.Fatal("a held revocation was stored as a record")
	}
	held, err := e.st.ListHeld(context.Background(), store.HeldQuery{})
	if err != nil || len(held) != 1 {
		t.Fatalf("held %+v %v", held, err)
	}
	h := held[0]
	if h.State != store.HeldHeld || h.Repeats != 1 || h.Ref != "R2026000204" || !strings.Contains(h.Reason, "不是本公司出具的保函") ||
		!strings.Contains(h.Plaintext, `"revoke_no":"R2026000204"`) || len(h.Files) != 1 || !e.st.HasFile(h.Files[0].SHA256) {
		t.Errorf("held %+v", h)
	}
	p, _ := e.st.Pending(context.Background(), 10)
	if p.HeldTotal != 1 {
		t.Errorf("待办 has %d held", p.HeldTotal)
	}
	if _, err := e.srv.DecideHeld(context.Background(), h.ID, true, "平台确认名单有误，本公司保函照撤"); err != nil {
		t.Fatal(err)
	}
	rev, err := e.st.GetRevocation(context.Background(), "R2026000204")
	if err != nil || rev.DeclareFileSHA256 != h.Files[0].SHA256 || len(rev.Items) != 2 {
		t.Fatalf("accepted revocation %+v %v", rev, err)
	}
	e.send(at(t, cb, 0)).want(t, 200, 200)
	if _, err := e.srv.DecideHeld(context.Background(), h.ID, false, ""); err == nil {
		t.Error("a decided callback was decided again")
	}
	if p, _ := e.st.Pending(context.Background(), 10); p.HeldTotal != 0 {
		t.Errorf("待办 still has %d held", p.HeldTotal)
	}
}

// TestHeldClaim (item 3): a claim for an unknown guarantee is held;
// dismissed, it keeps being refused.
func TestHeldClaim(t *testing.T) {
	e := newEnv(t)
	pdf := readTestPDF(t, "signed.pdf")
	cb := claimCallback(claimMsg("LP2026000205", "APPLY_WAIT_DEAL", "FZDB2026999205", "E3501000001205"), pdf,
		sandbox.File{Field: "attach_file0", Name: "索赔函.pdf", Data: []byte("%PDF-1.4 索赔函")})
	r := e.send(cb)
	r.want(t, 200, 404)
	held, _ := e.st.ListHeld(context.Background(), store.HeldQuery{})
	if len(held) != 1 || held[0].Method != platform.CallbackApplyClaim || len(held[0].Files) != 2 {
		t.Fatalf("held %+v", held)
	}
	if _, err := e.srv.DecideHeld(context.Background(), held[0].ID, false, "不是本公司保函"); err != nil {
		t.Fatal(err)
	}
	r = e.send(at(t, cb, 0))
	r.want(t, 200, 404)
	if !strings.Contains(r.Msg, "驳回") {
		t.Errorf("msg %q", r.Msg)
	}
	if _, err := e.st.GetClaim(context.Background(), "LP2026000205"); err == nil {
		t.Error("a dismissed claim was stored")
	}
}

// TestNamesNFKC (item 3): names in full-width forms or with spaces are the
// same names (protocol.md): the claim is taken, not held.
func TestNamesNFKC(t *testing.T) {
	e := newEnv(t)
	_, g := e.seedIssued("1813000206", "FZDB2026000206", "806097210890174206", "")
	m := claimMsg("LP2026000206", "APPLY_WAIT_DEAL", g.GuaranteeNo, g.BlockNumber)
	m.Creditor = platform.Str(" 福州市鼓楼区 教育局 ")
	m.Principal = "福建某某建设工程有限公司"
	m.BlockNumber = platform.Str(strings.ReplaceAll(g.BlockNumber, "E", "Ｅ")) // full-width Ｅ
	e.send(claimCallback(m, readTestPDF(t, "signed.pdf"), sandbox.File{Field: "attach_file0", Name: "a.pdf", Data: []byte("%PDF-1.4 a")})).want(t, 200, 200)
	if _, err := e.st.GetClaim(context.Background(), "LP2026000206"); err != nil {
		t.Fatal(err)
	}
}

// TestApplyGuaranteeConflict (2.1 repeated with changed content): the first
// version is kept, the new one beside it with the fields that differ, the
// answer is the first one, and the order is flagged for the clerk.
func TestApplyGuaranteeConflict(t *testing.T) {
	e := newEnv(t)
	cb := e.applyCallback("1813000207")
	first := e.send(cb)
	first.want(t, 200, 200)
	f := fieldsOf(t, cb.Msg)
	f["guarantee_amount"] = jsonStr("999999.00")
	f["timestamp"] = jsonStr(tsAgo(0))
	second := e.send(sandbox.Callback{Path: cb.Path, Msg: f})
	if string(second.Raw) != string(first.Raw) {
		t.Errorf("conflict answered %s, first %s", second.Raw, first.Raw)
	}
	e.send(sandbox.Callback{Path: cb.Path, Msg: f}) // its own repeat
	o := e.order("1813000207")
	if o.GuaranteeAmount == "999999.00" || !o.Flagged || !strings.Contains(o.FlagReason, "guarantee_amount") {
		t.Errorf("order %+v", o)
	}
	cs, err := e.st.OrderConflicts(context.Background(), "1813000207")
	if err != nil || len(cs) != 1 || len(cs[0].Diff) != 1 || cs[0].Diff[0].Field != "guarantee_amount" ||
		cs[0].Diff[0].New != "999999.00" || cs[0].Repeats != 1 || !strings.Contains(cs[0].Plaintext, "999999.00") {
		t.Errorf("conflicts %+v %v", cs, err)
	}
	// The exact plaintext is kept with the first answer.
	if !strings.Contains(string(o.Raw), `"sign":`) {
		t.Errorf("raw is not the plaintext: %s", o.Raw)
	}

	// The clerk takes the new version: its particulars become the order's,
	// the state stays, the conflict's flag goes; a second take is refused.
	if err := e.st.Update(context.Background(), func(tx *store.Tx) error { return tx.SetOrderStatus("1813000207", "WAIT_PAY") }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.srv.TakeOrderVersion(context.Background(), "1813000207", cs[0].ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown version: %v", err)
	}
	taken, diff, err := e.srv.TakeOrderVersion(context.Background(), "1813000207", cs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if taken.GuaranteeAmount != "999999.00" || taken.OrderStatus != "WAIT_PAY" || taken.Flagged || len(diff) != 1 {
		t.Errorf("after taking the new version: %+v, diff %+v", taken, diff)
	}
	if !strings.Contains(string(taken.Fields), `"999999.00"`) || strings.Contains(string(taken.Fields), `"sign"`) {
		t.Errorf("fields after taking: %s", taken.Fields)
	}
	if ev := e.events(); !strings.Contains(ev[len(ev)-1].Summary, "已采用保函申请订单（2.1）的第") {
		t.Errorf("last event %+v", ev[len(ev)-1])
	}
	if _, _, err := e.srv.TakeOrderVersion(context.Background(), "1813000207", cs[0].ID); err == nil || !strings.Contains(err.Error(), "已采用过") {
		t.Errorf("second take: %v", err)
	}

	// Once the guarantee is out, a new version is not taken.
	cb = e.applyCallback("1813000206")
	e.send(cb).want(t, 200, 200)
	if err := e.st.Update(context.Background(), func(tx *store.Tx) error { return tx.SetOrderStatus("1813000206", "HAS_OUT_GUARANTEE") }); err != nil {
		t.Fatal(err)
	}
	f = fieldsOf(t, cb.Msg)
	f["principal"] = jsonStr("另一家公司")
	f["timestamp"] = jsonStr(tsAgo(0))
	e.send(sandbox.Callback{Path: cb.Path, Msg: f}).want(t, 200, 200)
	cs, _ = e.st.OrderConflicts(context.Background(), "1813000206")
	if len(cs) != 1 {
		t.Fatalf("conflicts of an issued order: %+v", cs)
	}
	if _, _, err := e.srv.TakeOrderVersion(context.Background(), "1813000206", cs[0].ID); err == nil || !strings.Contains(err.Error(), "不能再采用新版本") {
		t.Errorf("taking a version of an issued order: %v", err)
	}
	if o := e.order("1813000206"); o.Principal == "另一家公司" {
		t.Errorf("issued order changed: %+v", o)
	}
}

// TestKtype (item 7): a 2.1 for another kind of guarantee is refused.
func TestKtype(t *testing.T) {
	e := newEnv(t)
	f := fieldsOf(t, e.applyCallback("1813000208").Msg)
	f["ktype"] = jsonStr("2")
	r := e.send(sandbox.Callback{Path: sandbox.PathApplyGuarantee, Msg: f})
	r.want(t, 200, 404)
	if !strings.Contains(r.Msg, "直开式") {
		t.Errorf("msg %q", r.Msg)
	}
}

// postPlain encrypts a plaintext as it is (no re-encoding) and posts it.
func (e *env) postPlain(path, plain string) reply {
	e.t.Helper()
	param, err := platform.EncryptParam(&e.key.PublicKey, []byte(plain))
	if err != nil {
		e.t.Fatal(err)
	}
	return e.post(path, "application/x-www-form-urlencoded", []byte(url.Values{"param": {param}}.Encode()))
}

// signedPlain is fields with their sign, as JSON text; extra is spliced in
// verbatim before the sign (a second field of the same name, say).
func signedPlain(t *testing.T, f platform.Fields, extra string) string {
	t.Helper()
	if platform.FieldText(f["timestamp"]) == "" {
		f["timestamp"] = jsonStr(tsAgo(0))
	}
	sign := platform.Sign(testSecret, f, false)
	b, err := platform.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(b), "}") + extra + `,"sign":"` + sign + `"}`
}

// TestStrictJSON (item 8): names are matched exactly; duplicated or
// case-fold-equal names are refused 1000; identifying fields must be
// strings without surrounding white space.
func TestStrictJSON(t *testing.T) {
	e := newEnv(t)
	e.seedIssued("1813000209", "FZDB2026000209", "806097210890174209", "")
	e.update(func(tx *store.Tx) error { return tx.SetOrderStatus("1813000209", "WAIT_PAY") })
	base := func() platform.Fields {
		return fieldsOf(t, statusCallback("1813000209", "WAIT_PAY", "WAIT_OUT_GUARANTEE").Msg)
	}
	before := e.snapshot()
	for _, c := range []struct {
		name   string
		plain  string
		status int
	}{
		{"duplicate name", signedPlain(t, base(), `,"order_status":"FINISH"`), platform.StatusDecryptFailed},
		{"case-folded twin", signedPlain(t, base(), `,"ORDER_STATUS":"FINISH"`), platform.StatusDecryptFailed},
		{"long s twin", signedPlain(t, base(), `,"order_ſtatus":"FINISH"`), platform.StatusDecryptFailed},
		{"order_no with spaces", func() string {
			f := base()
			f["order_no"] = jsonStr(" 1813000209 ")
			return signedPlain(t, f, "")
		}(), platform.StatusFailed},
		{"order_no an object", func() string {
			f := base()
			f["order_no"] = json.RawMessage(`{"no":"1813000209"}`)
			return signedPlain(t, f, "")
		}(), platform.StatusFailed},
		{"order_no a number", func() string {
			f := base()
			f["order_no"] = json.RawMessage(`1813000209`)
			return signedPlain(t, f, "")
		}(), platform.StatusFailed},
	} {
		r := e.postPlain(sandbox.PathOrderStatus, c.plain)
		if r.HTTP != http.StatusOK || r.Status != c.status {
			t.Errorf("%s: answered %s, want status %d", c.name, r.Raw, c.status)
		}
		// An identifying field of the wrong type or with white space is
		// authentic but of the wrong shape: held (protocol.md).
		if held := strings.Contains(r.Msg, msgHeld); held != (c.status == platform.StatusFailed) {
			t.Errorf("%s: answered %s, held %v", c.name, r.Raw, held)
		}
	}
	after := e.snapshot()
	if after.count("held") != 3 {
		t.Errorf("%d held callbacks, want 3", after.count("held"))
	}
	after.tables["held"], after.tables["events"] = before.tables["held"], before.tables["events"]
	after.sameAs(t, before)
	if o := e.order("1813000209"); o.OrderStatus != "WAIT_PAY" {
		t.Errorf("order %+v", o)
	}
	// A name that only folds to a known one is not that field: ORDER_STATUS
	// alone leaves order_status missing.
	f := base()
	delete(f, "order_status")
	f["ORDER_STATUS"] = jsonStr("WAIT_OUT_GUARANTEE")
	r := e.postPlain(sandbox.PathOrderStatus, signedPlain(t, f, ""))
	if r.Status != platform.StatusFailed || !strings.Contains(r.Msg, "order_status") {
		t.Errorf("folded name answered %s", r.Raw)
	}
	// The exact plaintext is what the record keeps.
	plain := signedPlain(t, base(), "")
	e.postPlain(sandbox.PathOrderStatus, plain).want(t, 200, 200)
	var found bool
	for _, ev := range e.events() {
		if ev.Detail == plain {
			found = true
		}
	}
	if !found {
		t.Error("no event keeps the exact plaintext")
	}
}

// TestTenMBOnlyForAttachments (issue 9, item 7): the manual's 10 MB is the
// limit of a claim's attachments; a larger guarantee_pdf is taken.
func TestTenMBOnlyForAttachments(t *testing.T) {
	e := newEnv(t)
	_, g := e.seedIssued("1813000210", "FZDB2026000210", "806097210890174210", "")
	big := append([]byte("%PDF-1.7\n"), make([]byte, MaxAttachmentBytes+1)...)
	small := sandbox.File{Field: "attach_file0", Name: "a.pdf", Data: []byte("%PDF-1.4 a")}
	e.send(claimCallback(claimMsg("LP2026000210", "APPLY_WAIT_DEAL", g.GuaranteeNo, g.BlockNumber), big, small)).want(t, 200, 200)
	r := e.send(claimCallback(claimMsg("LP2026000211", "APPLY_WAIT_DEAL", g.GuaranteeNo, g.BlockNumber), []byte("%PDF-1.4 g"),
		sandbox.File{Field: "attach_file0", Name: "大.zip", Data: big}))
	r.want(t, 200, 404)
	if !strings.Contains(r.Msg, "attach_file0 超过 10 MB") {
		t.Errorf("msg %q", r.Msg)
	}
}

// TestClaimProgress (3.1 and 5.7): a later 3.1 moves the claim to a later
// state; an earlier state is a late retry, recorded but not applied; one
// that changes the amount is held.
func TestClaimProgress(t *testing.T) {
	e := newEnv(t)
	_, g := e.seedIssued("1813000212", "FZDB2026000212", "806097210890174212", "")
	pdf := []byte("%PDF-1.4 g")
	a0 := sandbox.File{Field: "attach_file0", Name: "a.pdf", Data: []byte("%PDF-1.4 a")}
	send := func(status, amount string) reply {
		m := claimMsg("LP2026000212", status, g.GuaranteeNo, g.BlockNumber)
		if amount != "" {
			m.ClaimAmount = platform.Str(amount)
		}
		return e.send(claimCallback(m, pdf, a0))
	}
	status := func() string {
		c, err := e.st.GetClaim(context.Background(), "LP2026000212")
		if err != nil {
			t.Fatal(err)
		}
		return c.Status
	}
	send("APPLY_WAIT_DEAL", "").want(t, 200, 200)
	send("DEAL_PASS", "").want(t, 200, 200)
	if s := status(); s != "DEAL_PASS" {
		t.Fatalf("claim %s", s)
	}
	// A late retry of the first state, re-signed: answered, not applied.
	send("APPLY_WAIT_DEAL", "").want(t, 200, 200)
	if s := status(); s != "DEAL_PASS" {
		t.Fatalf("a late 3.1 put the claim back to %s", s)
	}
	// The same claim in the same state with another amount: no repeat, held.
	r := send("DEAL_PASS", "88888.00")
	r.want(t, 200, 404)
	if !strings.Contains(r.Msg, msgHeld) {
		t.Errorf("same state, changed amount: %q", r.Msg)
	}
	// The same claim with another amount: held.
	r = send("GUARANTOR_COMPENSATE", "99999.00")
	r.want(t, 200, 404)
	if !strings.Contains(r.Msg, msgHeld) || status() != "DEAL_PASS" {
		t.Errorf("changed amount: %q, claim %s", r.Msg, status())
	}
}
