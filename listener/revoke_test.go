package listener

import (
	"bytes"
	"context"
	"testing"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

func TestRevoke(t *testing.T) {
	e := newEnv(t)
	o, g := e.seedIssued("1813000501", "FZDB2026000501", "806097210890174501", "")
	decl := sandbox.DeclarationPDF(o.BlockNumber, o.Creditor)
	item := []platform.RevokeItem{{GuaranteeNo: platform.Str(g.GuaranteeNo), Principal: platform.Str(g.Principal), SerialNum: platform.SerialNum(g.SerialNum)}}
	cb := revokeCallback(t, "R2026000501", o.BlockNumber, item, nil, decl, sha(decl))

	status, answer := e.sendOnce(cb)
	if status != 200 || string(answer) != `{"status":200}` {
		t.Fatalf("answer %d %s", status, answer)
	}
	r, err := e.st.GetRevocation(context.Background(), "R2026000501")
	if err != nil {
		t.Fatal(err)
	}
	if r.DeclareFileSHA256 != sha(decl) || r.DeclareFileHashClaimed != sha(decl) || len(r.Items) != 1 ||
		r.Items[0].List != store.ListCurrent || r.Items[0].SerialNum != g.SerialNum || r.Creditor != o.Creditor {
		t.Errorf("revocation %+v", r)
	}
	f, err := e.st.OpenFile(r.DeclareFileSHA256)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()

	// Sequential and 20 concurrent repeats: one record, one event, one file.
	e.send(cb).want(t, 200, 200)
	concurrently(20, func(int) {
		if r := e.send(cb); !bytes.Equal(r.Raw, answer) {
			t.Errorf("copy answered %s", r.Raw)
		}
	})
	snap := e.snapshot()
	if snap.count("revocations") != 1 || snap.count("revocation_items") != 1 || snap.count("inbound") != 1 ||
		snap.count("events") != 1 || len(snap.files) != 1 || len(snap.spool) != 0 {
		t.Errorf("after repeats: %v files %v spool %v", snap.tables, snap.files, snap.spool)
	}
	if code, _, _ := e.st.ReleaseStatus(context.Background(), g.GuaranteeNo, g.SerialNum); code != store.ReleasePending {
		t.Errorf("release status %d", code)
	}
}

// TestRevokeWithoutFile: the declaration file and its hash are optional;
// a file without a hash is kept.
func TestRevokeWithoutFile(t *testing.T) {
	e := newEnv(t)
	o, g := e.seedIssued("1813000502", "FZDB2026000502", "806097210890174502", "")
	item := []platform.RevokeItem{{GuaranteeNo: platform.Str(g.GuaranteeNo), Principal: platform.Str(g.Principal), SerialNum: platform.SerialNum(g.SerialNum)}}
	e.send(revokeCallback(t, "R2026000502", o.BlockNumber, item, nil, nil, "")).want(t, 200, 200)
	decl := sandbox.MinimalPDF("声明")
	e.send(revokeCallback(t, "R2026000503", o.BlockNumber, nil, item, decl, "")).want(t, 200, 200)
	r, err := e.st.GetRevocation(context.Background(), "R2026000503")
	if err != nil {
		t.Fatal(err)
	}
	if r.DeclareFileSHA256 != sha(decl) || r.DeclareFileHashClaimed != "" || r.Items[0].List != store.ListPenalty {
		t.Errorf("revocation %+v", r)
	}
	// The hash may come in upper case.
	decl2 := sandbox.MinimalPDF("声明二")
	up := []byte(sha(decl2))
	e.send(revokeCallback(t, "R2026000504", o.BlockNumber, item, nil, decl2, string(bytes.ToUpper(up)))).want(t, 200, 200)
}
