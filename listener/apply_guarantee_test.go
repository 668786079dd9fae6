package listener

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

func TestApplyGuarantee(t *testing.T) {
	e := newEnv(t)
	cb := e.applyCallback("1813037628")
	msg := cb.Msg.(platform.ApplyGuarantee)

	status, answer := e.sendOnce(cb)
	if status != 200 {
		t.Fatalf("status %d: %s", status, answer)
	}
	want := `{"status":200,"data":{"order_status":"WAIT_FIRST_TRAIL","pay_method":"REDIRECT","redirect_url":"https://pay.example.cn/p","statement":"请按提示支付保费"}}`
	if string(answer) != want {
		t.Fatalf("answer %s\nwant   %s", answer, want)
	}
	o, err := e.st.GetOrder(context.Background(), "1813037628")
	if err != nil {
		t.Fatal(err)
	}
	if o.OrderStatus != "WAIT_FIRST_TRAIL" || o.BlockName != string(msg.BlockName) || o.Principal != string(msg.Principal) ||
		o.GuaranteeAmount != string(msg.GuaranteeAmount) || o.BidDeadline != string(msg.BidDeadline) || o.Flagged {
		t.Errorf("stored order %+v", o)
	}
	var fields map[string]any
	if err := json.Unmarshal(o.Fields, &fields); err != nil {
		t.Fatal(err)
	}
	if _, ok := fields["sign"]; ok {
		t.Error("stored fields keep the sign")
	}
	if fields["principal_legal_id_card"] != string(msg.PrincipalLegalIDCard) {
		t.Errorf("fields lack principal_legal_id_card: %v", fields)
	}
	ev := e.events()
	if len(ev) != 1 || ev[0].Kind != store.KindCallback || ev[0].Direction != store.DirIn || ev[0].Method != "apply_guarantee" ||
		ev[0].Ref != "1813037628" || ev[0].Status != 200 || !strings.Contains(ev[0].Summary, "新订单 1813037628") ||
		!strings.Contains(ev[0].Detail, `"sign"`) || !strings.Contains(ev[0].Detail, `"order_no":"1813037628"`) || string(o.Raw) != ev[0].Detail {
		t.Errorf("events %+v", ev)
	}

	// The repeat, with a new timestamp and sign, changes nothing and gets
	// the same answer, byte for byte.
	status, again := e.sendOnce(cb)
	if status != 200 || !bytes.Equal(again, answer) {
		t.Fatalf("repeat answered %s", again)
	}
	snap := e.snapshot()
	if snap.count("orders") != 1 || snap.count("inbound") != 1 || snap.count("events") != 1 {
		t.Errorf("after repeat: %v", snap.tables)
	}
}

// TestApplyGuaranteeConcurrentRepeats sends 20 copies at once: one order,
// one idempotency row, one event, twenty identical answers.
func TestApplyGuaranteeConcurrentRepeats(t *testing.T) {
	e := newEnv(t)
	cb := e.applyCallback("1813037629")
	answers := make([][]byte, 20)
	concurrently(20, func(i int) {
		r := e.send(cb)
		answers[i] = r.Raw
	})
	for i, a := range answers {
		if !bytes.Equal(a, answers[0]) || !strings.HasPrefix(string(a), `{"status":200,`) {
			t.Errorf("answer %d: %s", i, a)
		}
	}
	snap := e.snapshot()
	if snap.count("orders") != 1 || snap.count("inbound") != 1 || snap.count("events") != 1 {
		t.Errorf("after 20 copies: %v", snap.tables)
	}
}

// TestApplyGuaranteeRepeatKeepsFirstAnswer: a repeat after the [apply]
// answer changed still gets the first answer, and a repeat whose timestamp
// has aged past 24 h too (it is not a new callback).
func TestApplyGuaranteeRepeatKeepsFirstAnswer(t *testing.T) {
	e := newEnv(t)
	cb := e.applyCallback("1813037630")
	first := e.send(cb)
	first.want(t, 200, 200)

	e.srv.cfg.Apply.OrderStatus = "WAIT_PAY"
	second := e.send(cb)
	if !bytes.Equal(first.Raw, second.Raw) {
		t.Errorf("repeat answered %s, first %s", second.Raw, first.Raw)
	}
	m := cb.Msg.(platform.ApplyGuarantee)
	m.Timestamp = platform.Str(tsAgo(30 * time.Hour))
	old := e.send(sandbox.Callback{Path: cb.Path, Msg: m})
	if !bytes.Equal(first.Raw, old.Raw) {
		t.Errorf("aged repeat answered %s", old.Raw)
	}
	// A new order with an aged timestamp is refused.
	n := e.applyCallback("1813037631").Msg.(platform.ApplyGuarantee)
	n.Timestamp = platform.Str(tsAgo(30 * time.Hour))
	e.send(sandbox.Callback{Path: cb.Path, Msg: n}).want(t, 200, 404)
}

// TestApplyGuaranteeAfterStatus: an order first seen in a 2.4 (stored,
// flagged) keeps its later status when its 2.1 arrives afterwards.
func TestApplyGuaranteeAfterStatus(t *testing.T) {
	e := newEnv(t)
	e.send(statusCallback("1813037632", "WAIT_OFFER", "WAIT_PAY")).want(t, 200, 200)
	e.send(e.applyCallback("1813037632")).want(t, 200, 200)
	o, err := e.st.GetOrder(context.Background(), "1813037632")
	if err != nil {
		t.Fatal(err)
	}
	// The 2.4 about an unknown order was recorded, not applied: the order
	// stays flagged until 2.2 settles it.
	if o.OrderStatus != "WAIT_FIRST_TRAIL" || o.BidDeadline == "" || !o.Flagged {
		t.Errorf("order %+v", o)
	}
}

// TestTimestamp12Digits: the manual also shows YYYYMMDDHHMM.
func TestTimestamp12Digits(t *testing.T) {
	e := newEnv(t)
	m := e.applyCallback("1813037633").Msg.(platform.ApplyGuarantee)
	m.Timestamp = platform.Str(time.Now().In(platform.CST).Format(platform.TimestampLayout12))
	e.send(sandbox.Callback{Path: sandbox.PathApplyGuarantee, Msg: m}).want(t, http.StatusOK, 200)
}

// TestNumbersAsJSONNumbers: fields the manual types string may come as
// numbers (order_no, valid_day, amounts); they are read and signed as text.
func TestNumbersAsJSONNumbers(t *testing.T) {
	e := newEnv(t)
	f := fieldsOf(t, e.applyCallback("1813037634").Msg)
	f["valid_day"] = json.RawMessage(`90`)
	f["guarantee_amount"] = json.RawMessage(`80000.00`)
	e.send(sandbox.Callback{Path: sandbox.PathApplyGuarantee, Msg: f}).want(t, http.StatusOK, 200)
	o, err := e.st.GetOrder(context.Background(), "1813037634")
	if err != nil {
		t.Fatal(err)
	}
	if o.GuaranteeAmount != "80000.00" || o.ValidDay != "90" {
		t.Errorf("order %+v", o)
	}
}
