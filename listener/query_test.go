package listener

import (
	"encoding/json"
	"strings"
	"testing"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

func TestQuery(t *testing.T) {
	e := newEnv(t)
	e.seedIssued("1813000301", "FZDB2026000301", "806097210890174301", "")

	status, answer := e.sendOnce(queryCallback("FZDB2026000301", "806097210890174301"))
	want := `{"status":200,"data":{"guarantee_no":"FZDB2026000301","serial_num":"806097210890174301","ktype":1,` +
		`"proposer":"福建某某建设工程有限公司","warrantee":"福建某某建设工程有限公司","beneficiary":"福州市鼓楼区教育局",` +
		`"proitem":"福州市鼓楼区某某小学改造工程施工（标段一）投标保证","variety":1,"amount":80000.00,` +
		`"guarantee_start_date":"2026-03-11","guarantee_end_date":"2026-07-07","is_avert":2}}`
	if status != 200 || string(answer) != want {
		t.Fatalf("answer %s\nwant   %s", answer, want)
	}
	ev := e.events()
	if len(ev) != 1 || ev[0].Method != MethodQuery || ev[0].Ref != "FZDB2026000301" {
		t.Errorf("events %+v", ev)
	}
	if snap := e.snapshot(); snap.count("inbound") != 0 {
		t.Errorf("a query wrote an idempotency row: %v", snap.tables)
	}
}

// TestQueryPeriodFromOrder: the order's own guarantee period wins over the
// computed one.
func TestQueryPeriodFromOrder(t *testing.T) {
	e := newEnv(t)
	o, _ := e.seedIssued("1813000302", "FZDB2026000302", "806097210890174302", "")
	o.GuaranteeStartDate, o.GuaranteeEndDate = "2026-03-12", "2026-07-01"
	e.update(func(tx *store.Tx) error { return tx.UpsertOrder(o) })
	r := e.send(queryCallback("FZDB2026000302", "806097210890174302"))
	r.want(t, 200, 200)
	if got := string(r.Data); !strings.Contains(got, `"guarantee_start_date":"2026-03-12","guarantee_end_date":"2026-07-01"`) {
		t.Errorf("data %s", got)
	}
}

func TestGuaranteePeriod(t *testing.T) {
	for _, c := range []struct {
		deadline, valid, start, end string
	}{
		{"2026-03-11 09:30", "90", "2026-03-11", "2026-07-07"},
		{"2026-12-20 9:5", "60", "2026-12-20", "2027-03-18"},
		{"", "90", "", ""},
		{"2026-03-11 09:30", "", "2026-03-11", ""},
	} {
		s, e := platform.GuaranteePeriod(store.Order{BidDeadline: c.deadline, ValidDay: c.valid})
		if s != c.start || e != c.end {
			t.Errorf("%q + %s days: %s %s, want %s %s", c.deadline, c.valid, s, e, c.start, c.end)
		}
	}
}

// TestQuerySerialAsNumber: serial_num beyond 2^53 sent as a JSON number is
// matched by its exact digits.
func TestQuerySerialAsNumber(t *testing.T) {
	e := newEnv(t)
	e.seedIssued("1813000303", "FZDB2026000303", "806097210890174303", "")
	f := fieldsOf(t, queryCallback("FZDB2026000303", "").Msg)
	f["serial_num"] = json.RawMessage(`806097210890174303`)
	r := e.send(sandbox.Callback{Path: sandbox.PathQuery, Msg: f})
	r.want(t, 200, 200)
	if !strings.Contains(string(r.Data), `"serial_num":"806097210890174303"`) {
		t.Errorf("data %s", r.Data)
	}
	f["serial_num"] = json.RawMessage(`806097210890174304`)
	e.send(sandbox.Callback{Path: sandbox.PathQuery, Msg: f}).want(t, 200, 2702)
}

// TestQueriesRepeated: 20 concurrent copies of each query (2.6, 2.7, 2.10)
// get the same answer and write no record, one event each.
func TestQueriesRepeated(t *testing.T) {
	e := newEnv(t)
	pdf := readTestPDF(t, "signed.pdf")
	o, g := e.seedIssued("1813000304", "FZDB2026000304", "806097210890174304", sha(pdf))
	before := e.snapshot()
	for _, cb := range []sandbox.Callback{
		verifyCallback(g.SerialNum, pdf),
		queryCallback(g.GuaranteeNo, g.SerialNum),
		releaseQueryCallback(o.BlockNumber, g.GuaranteeNo, g.SerialNum),
	} {
		answers := make([]string, 20)
		concurrently(20, func(i int) {
			r := e.send(cb)
			r.want(t, 200, 200)
			var a map[string]any
			_ = json.Unmarshal(r.Data, &a)
			delete(a, "timestamp") // 2.6 answers with the time of the answer
			b, _ := json.Marshal(a)
			answers[i] = string(b)
		})
		for i, a := range answers {
			if a != answers[0] {
				t.Errorf("%s answer %d: %s, first %s", cb.Path, i, a, answers[0])
			}
		}
	}
	after := e.snapshot()
	if after.count("events") != before.count("events")+60 {
		t.Errorf("events %d, want %d", after.count("events"), before.count("events")+60)
	}
	after.tables["events"] = before.tables["events"]
	after.sameAs(t, before)
}

// TestQueryLearnsLostSerial: a guarantee the platform took whose push answer
// was lost (2428 reconciled) has no serial here; the first signed 查验 naming
// it with its number teaches the serial, and it is answered.
func TestQueryLearnsLostSerial(t *testing.T) {
	e := newEnv(t)
	e.seedIssued("1813000305", "FZDB2026000305", "", "")
	r := e.send(queryCallback("FZDB2026000305", "806097210890174305"))
	r.want(t, 200, 200)
	g, err := e.st.GetGuarantee(t.Context(), "FZDB2026000305")
	if err != nil || g.SerialNum != "806097210890174305" {
		t.Fatalf("serial not learnt: %q %v", g.SerialNum, err)
	}
	// Once known, a different serial is refused as before.
	e.send(queryCallback("FZDB2026000305", "806097210890174999")).want(t, 200, 2702)
}
