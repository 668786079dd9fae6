package listener

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

// TestVerifyFindsOurLetterBySHA256 (issue 20, item 4): a 2.6 for our own
// letter whose serial we never learnt (a lost 2.5 answer, a reconciled
// 2428) finds it by the file's SHA-256 among the PDFs we pushed, answers
// it, and adopts the serial (logged). On the base commit it was answered
// 2605 无法识别该文件.
func TestVerifyFindsOurLetterBySHA256(t *testing.T) {
	e := newEnv(t)
	pdf := readTestPDF(t, "signed.pdf")
	sum := sha256.Sum256(pdf)
	e.seedIssued("1813000401", "FZDB2026000401", "", hex.EncodeToString(sum[:]))
	const serial = "806097210890174401"
	r := e.send(verifyCallback(serial, pdf))
	r.want(t, 200, 200)
	var a platform.VerifyAnswer
	if err := json.Unmarshal(r.Data, &a); err != nil || string(a.SerialNum) != serial {
		t.Fatalf("answer %s: %v", r.Raw, err)
	}
	g, err := e.st.GetGuarantee(context.Background(), "FZDB2026000401")
	if err != nil || g.SerialNum != serial {
		t.Fatalf("serial not adopted: %+v %v", g, err)
	}
	adopted := false
	for _, ev := range e.events() {
		if ev.Ref == "FZDB2026000401" && strings.Contains(ev.Summary, serial) && strings.Contains(ev.Summary, "SHA-256") {
			adopted = true
		}
	}
	if !adopted {
		t.Errorf("the adoption is not in the log: %+v", e.events())
	}
	// Another file with an unknown serial is still not ours.
	r = e.send(verifyCallback("806097210890174499", sandbox.MinimalPDF("别的保函")))
	r.want(t, 200, platform.VerifyUnreadable)
}

// TestAcceptedHeldRevocationAdoptsSerial (issue 20, item 4): a held 2.8
// the clerk accepts adopts the serial it names for our guarantee whose
// serial we never learnt, so that the guarantee can be released. On the
// base commit the accepted path skipped the check that adopts it and the
// guarantee stayed unreleasable (no serial, 2.10 answering 1).
func TestAcceptedHeldRevocationAdoptsSerial(t *testing.T) {
	e := newEnv(t)
	_, g := e.seedIssued("1813000402", "FZDB2026000402", "", "")
	const serial = "806097210890174402"
	items := []platform.RevokeItem{
		{GuaranteeNo: platform.Str(g.GuaranteeNo), Principal: platform.Str(g.Principal), SerialNum: serial},
		{GuaranteeNo: "FZDB2026999402", Principal: "别家建设有限公司", SerialNum: "806097210890179402"},
	}
	cb := revokeCallback(t, "R2026000402", g.BlockNumber, items, nil, nil, "")
	e.send(cb).want(t, 200, platform.StatusFailed)
	held, err := e.st.ListHeld(context.Background(), store.HeldQuery{State: store.HeldHeld})
	if err != nil || len(held) != 1 {
		t.Fatalf("held %+v %v", held, err)
	}
	if _, err := e.srv.DecideHeld(context.Background(), held[0].ID, true, "平台名单多列了别家保函"); err != nil {
		t.Fatal(err)
	}
	got, _ := e.st.GetGuarantee(context.Background(), g.GuaranteeNo)
	if got.SerialNum != serial {
		t.Fatalf("serial not adopted on accept: %+v", got)
	}
	if code, _, _ := e.st.ReleaseStatus(context.Background(), g.GuaranteeNo, serial); code != platform.ReleaseAwaiting {
		t.Errorf("2.10 code %d, want 4 待解保", code)
	}
	e.send(at(t, cb, 0)).want(t, 200, 200)
}

// TestVerifyQueryOwnRefusalCodes (issue 20, item 14): 2.6 and 2.7 refuse
// from their own tables (protocol.md, "Refusal codes"): a stale
// timestamp 2608 / 2705, a malformed serial_num 2605 / 2701, a malformed
// guarantee_no 2700. On the base commit these were 404.
func TestVerifyQueryOwnRefusalCodes(t *testing.T) {
	e := newEnv(t)
	pdf := readTestPDF(t, "signed.pdf")
	sum := sha256.Sum256(pdf)
	_, g := e.seedIssued("1813000403", "FZDB2026000403", "806097210890174403", hex.EncodeToString(sum[:]))
	with := func(cb sandbox.Callback, name string, raw json.RawMessage) sandbox.Callback {
		f := fieldsOf(t, cb.Msg)
		f[name] = raw
		cb.Msg = f
		return cb
	}
	for _, c := range []struct {
		name   string
		cb     sandbox.Callback
		status int
	}{
		{"2.6 stale timestamp", at(t, verifyCallback(g.SerialNum, pdf), 25*time.Hour), platform.VerifyTimeout},
		{"2.6 timestamp ahead", at(t, verifyCallback(g.SerialNum, pdf), -11*time.Minute), platform.VerifyTimeout},
		{"2.6 serial_num with spaces", verifyCallback(" "+g.SerialNum+" ", pdf), platform.VerifyUnreadable},
		{"2.6 serial_num an object", with(verifyCallback(g.SerialNum, pdf), "serial_num", json.RawMessage(`{"n":1}`)), platform.VerifyUnreadable},
		{"2.6 serial_num not digits", verifyCallback("80609721089017440X", pdf), platform.VerifyUnreadable},
		{"2.6 serial_num missing", verifyCallback("", pdf), platform.VerifySerialMissing},
		{"2.7 stale timestamp", at(t, queryCallback(g.GuaranteeNo, g.SerialNum), 25*time.Hour), platform.QueryTimeout},
		{"2.7 guarantee_no an object", with(queryCallback(g.GuaranteeNo, g.SerialNum), "guarantee_no", json.RawMessage(`{"no":"x"}`)), platform.QueryGuaranteeNoMissing},
		{"2.7 serial_num with spaces", queryCallback(g.GuaranteeNo, g.SerialNum+" "), platform.QuerySerialMissing},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.send(c.cb)
			r.want(t, 200, c.status)
			if r.Msg == "" {
				t.Errorf("no msg: %s", r.Raw)
			}
		})
	}
	for _, ev := range e.events() {
		// The one trace allowed: the clock fault of the timestamp ahead.
		if ev.Kind != store.KindFault || !strings.Contains(ev.Summary, "时钟偏差") {
			t.Errorf("event after refusals: %+v", ev)
		}
	}
}

// TestUnreadableBidDeadlineFlaggedAndAlerted (issue 20, item 8): a 2.1
// whose bid_deadline does not read is stored, flagged with the text as it
// came, and alerts at once as if due now; a T between date and clock
// reads. On the base commit it was stored with no flag and never alerted.
func TestUnreadableBidDeadlineFlaggedAndAlerted(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		no, deadline string
		unreadable   bool
	}{
		{"1813000501", "2026-12-08T11:48:02+08:00", true},
		{"1813000502", "12/08/2026 11:48", true},
		{"1813000503", "2026-12-08T11:48", false},
		{"1813000504", "2026-12-08 11:48:02", false},
	} {
		cb := e.applyCallback(c.no)
		f := fieldsOf(t, cb.Msg)
		f["bid_deadline"] = jsonStr(c.deadline)
		cb.Msg = f
		e.send(cb).want(t, 200, 200)
		o := e.order(c.no)
		if o.BidDeadline != c.deadline {
			t.Errorf("%s: stored deadline %q, sent %q", c.no, o.BidDeadline, c.deadline)
		}
		if o.Flagged != c.unreadable || (c.unreadable && !strings.Contains(o.FlagReason, c.deadline)) {
			t.Errorf("%s %q: flagged %v %q", c.no, c.deadline, o.Flagged, o.FlagReason)
		}
		a, _ := platform.OrderDeadlineAlert(o, time.Date(2026, 1, 1, 0, 0, 0, 0, platform.CST))
		if (a == platform.AlertHours) != c.unreadable {
			t.Errorf("%s %q: alert %v a year before", c.no, c.deadline, a)
		}
		if c.unreadable && !strings.Contains(platform.DeadlineAlertText(o, a), c.deadline) {
			t.Errorf("alert text %q", platform.DeadlineAlertText(o, a))
		}
	}
}

// TestRevisitAppliedThenConfirmed (issue 20, item 7): a 2.4 into a state
// the order has been in before (after 退回, a late retry of the old
// transition looks the same as a genuine revisit) is applied and then
// confirmed with 2.2: a settle is scheduled. On the base commit it was
// applied and never checked.
func TestRevisitAppliedThenConfirmed(t *testing.T) {
	e := newEnv(t)
	const no = "1813000601"
	e.send(e.applyCallback(no)).want(t, 200, 200)
	due := func() bool {
		d, err := e.st.SettleDue(context.Background(), time.Now().Add(time.Minute).UnixMilli(), 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range d {
			if x == no {
				return true
			}
		}
		return false
	}
	o := e.order(no)
	notice := func(old, status string) sandbox.Callback {
		cb := statusCallback(no, old, status)
		m := cb.Msg.(platform.OrderStatusNotice)
		m.BlockNumber, m.BlockName = platform.Str(o.BlockNumber), platform.Str(o.BlockName)
		m.Principal, m.Creditor, m.Applicant = platform.Str(o.Principal), platform.Str(o.Creditor), platform.Str(o.Principal)
		cb.Msg = m
		return cb
	}
	first := notice("WAIT_FIRST_TRAIL", "WAIT_TUNE_UP")
	e.send(first).want(t, 200, 200)
	if due() {
		t.Fatal("a first visit is confirmed with 2.2")
	}
	e.send(notice("WAIT_TUNE_UP", "WAIT_FIRST_TRAIL")).want(t, 200, 200) // 退回
	e.update(func(tx *store.Tx) error { return tx.SettledOrder(no) })    // that revisit confirmed
	// The platform's late retry of the first transition, re-signed.
	e.send(at(t, first, 0)).want(t, 200, 200)
	o = e.order(no)
	if o.OrderStatus != "WAIT_TUNE_UP" {
		t.Errorf("not applied: %s", o.OrderStatus)
	}
	if !due() || !o.Flagged || !strings.Contains(o.FlagReason, "2.2") {
		t.Errorf("not confirmed with 2.2: due %v, order %+v", due(), o)
	}
}

// TestTakeVersionEmptiesFields (issue 20, item 15): taking a new version of
// a 2.1 takes it wholly: a field the new version emptied is emptied, not
// kept from the first. On the base commit the first version's value stayed.
func TestTakeVersionEmptiesFields(t *testing.T) {
	e := newEnv(t)
	const no = "1813000701"
	cb := e.applyCallback(no)
	f := fieldsOf(t, cb.Msg)
	f["guarantee_start_date"], f["guarantee_end_date"] = jsonStr("2026-12-20"), jsonStr("2027-04-18")
	f["principal_email"] = jsonStr("tb1@163.com")
	cb.Msg = f
	e.send(cb).want(t, 200, 200)
	v2 := fieldsOf(t, cb.Msg)
	v2["guarantee_start_date"], v2["guarantee_end_date"], v2["principal_email"] = jsonStr(""), jsonStr(""), jsonStr("")
	e.send(sandbox.Callback{Path: cb.Path, Msg: v2}).want(t, 200, 200)
	cs, err := e.st.OrderConflicts(context.Background(), no)
	if err != nil || len(cs) != 1 {
		t.Fatalf("conflicts %+v %v", cs, err)
	}
	o, _, err := e.srv.TakeOrderVersion(context.Background(), no, cs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.GuaranteeStartDate != "" || o.GuaranteeEndDate != "" {
		t.Errorf("emptied period kept: %s..%s", o.GuaranteeStartDate, o.GuaranteeEndDate)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(o.Fields, &fields); err != nil || platform.FieldText(fields["principal_email"]) != "" {
		t.Errorf("emptied principal_email kept: %s %v", fields["principal_email"], err)
	}
}
