package listener

import (
	"encoding/json"
	"testing"

	"baohan/platform"
	"baohan/store"
)

// TestReleaseQuery walks one guarantee through 2 → 4 → 5 and another to 3,
// and asks about unknown, mismatched and other-block guarantees (1).
func TestReleaseQuery(t *testing.T) {
	e := newEnv(t)
	o, g := e.seedIssued("1813000401", "FZDB2026000401", "806097210890174401", "")
	_, p := e.seedIssued("1813000402", "FZDB2026000402", "806097210890174402", "")
	p.BlockNumber = o.BlockNumber // two bidders on one 标段
	e.update(func(tx *store.Tx) error { return tx.PutGuarantee(p) })

	ask := func(block, gno, serial string) platform.ReleaseAnswer {
		t.Helper()
		r := e.send(releaseQueryCallback(block, gno, serial))
		r.want(t, 200, 200)
		var a platform.ReleaseAnswer
		if err := json.Unmarshal(r.Data, &a); err != nil {
			t.Fatal(err)
		}
		if a.GuaranteeNo != gno || string(a.SerialNum) != serial {
			t.Errorf("answer names %s %s", a.GuaranteeNo, a.SerialNum)
		}
		return a
	}
	if a := ask(o.BlockNumber, g.GuaranteeNo, g.SerialNum); a.Status != "2" || a.RevokeGuaranteeDate != "" {
		t.Errorf("before revocation: %+v", a)
	}
	if a := ask(o.BlockNumber, "FZDB2026999999", g.SerialNum); a.Status != "1" {
		t.Errorf("unknown: %+v", a)
	}
	if a := ask(o.BlockNumber, g.GuaranteeNo, "806097210890170000"); a.Status != "1" {
		t.Errorf("serial mismatch: %+v", a)
	}
	if a := ask("E9999", g.GuaranteeNo, g.SerialNum); a.Status != "1" {
		t.Errorf("other block: %+v", a)
	}

	item := func(g store.Guarantee) []platform.RevokeItem {
		return []platform.RevokeItem{{GuaranteeNo: platform.Str(g.GuaranteeNo), Principal: platform.Str(g.Principal), SerialNum: platform.SerialNum(g.SerialNum)}}
	}
	e.send(revokeCallback(t, "R2026000401", o.BlockNumber, item(g), item(p), nil, "")).want(t, 200, 200)
	if a := ask(o.BlockNumber, g.GuaranteeNo, g.SerialNum); a.Status != "4" {
		t.Errorf("revoked: %+v", a)
	}
	if a := ask(o.BlockNumber, p.GuaranteeNo, p.SerialNum); a.Status != "3" {
		t.Errorf("penalised: %+v", a)
	}
	e.update(func(tx *store.Tx) error { return tx.MarkReleased(g.GuaranteeNo, "2026-04-01 10:00:00") })
	if a := ask(o.BlockNumber, g.GuaranteeNo, g.SerialNum); a.Status != "5" || a.RevokeGuaranteeDate != "2026-04-01 10:00:00" {
		t.Errorf("released: %+v", a)
	}
	if n := e.snapshot().count("inbound"); n != 1 {
		t.Errorf("%d idempotency rows, want the revocation's only", n)
	}
}
