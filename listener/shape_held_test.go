package listener

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

// TestShapeHeldAcceptedRepeat200 (issue 20, items 1 and 2): an authentic
// callback that fails a check of its shape is held with its business
// number and its whole plaintext, shown in 待办, and refused so that the
// platform repeats it; the clerk accepts it, it is applied, and the
// platform's next repeat (re-signed, new timestamp) is answered 200. On
// the base commit each was refused with 404 and nothing kept (and a 3.1
// whose status is not a 5.7 code was stored and answered 200).
func TestShapeHeldAcceptedRepeat200(t *testing.T) {
	e := newEnv(t)
	pdf := readTestPDF(t, "signed.pdf")
	sum := sha256.Sum256(pdf)
	o, g := e.seedIssued("1813000301", "FZDB2026000301", "806097210890174301", hex.EncodeToString(sum[:]))
	e.update(func(tx *store.Tx) error { return tx.SetOrderStatus(o.OrderNo, "WAIT_PAY") })
	attach0 := sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: sandbox.MinimalPDF("索赔通知书")}
	big := sandbox.File{Field: "attach_file1", Name: "现场照片.zip", Data: bytes.Repeat([]byte("A"), MaxAttachmentBytes+1)}
	without := func(cb sandbox.Callback, field string) sandbox.Callback {
		f := fieldsOf(t, cb.Msg)
		delete(f, field)
		cb.Msg = f
		return cb
	}
	claim := func(no, status string, pdf []byte, files ...sandbox.File) sandbox.Callback {
		cb := claimCallback(claimMsg(no, status, g.GuaranteeNo, g.BlockNumber), pdf, files...)
		return cb
	}
	badData := revokeCallback(t, "R2026000301", g.BlockNumber, []platform.RevokeItem{{GuaranteeNo: platform.Str(g.GuaranteeNo),
		Principal: platform.Str(g.Principal), SerialNum: platform.SerialNum(g.SerialNum)}}, nil, nil, "")
	{
		m := badData.Msg.(platform.RevokeNotice)
		m.RevokeGuaranteeData = `{"current_revoke_data":[{"guarantee_no":"` + platform.Str(g.GuaranteeNo) + `","serial_num":`
		badData.Msg = m
	}
	cases := []struct {
		name, ref, reason string
		cb                sandbox.Callback
		applied           func() bool
	}{
		{"3.1 attachment over 10 MB", "LP2026000301", "超过 10 MB", claim("LP2026000301", "APPLY_WAIT_DEAL", pdf, attach0, big),
			func() bool {
				c, err := e.st.GetClaim(context.Background(), "LP2026000301")
				return err == nil && len(c.Attachments) == 2
			}},
		{"3.1 missing attach_file0", "LP2026000302", "attach_file0", claim("LP2026000302", "APPLY_WAIT_DEAL", pdf),
			func() bool { _, err := e.st.GetClaim(context.Background(), "LP2026000302"); return err == nil }},
		{"3.1 guarantee_pdf not a PDF", "LP2026000303", "不是 PDF", claim("LP2026000303", "APPLY_WAIT_DEAL", []byte("PK\x03\x04 zip"), attach0),
			func() bool { _, err := e.st.GetClaim(context.Background(), "LP2026000303"); return err == nil }},
		{"3.1 status WAIT_DEAL", "LP2026000304", "5.7", claim("LP2026000304", "WAIT_DEAL", pdf, attach0),
			func() bool {
				c, err := e.st.GetClaim(context.Background(), "LP2026000304")
				return err == nil && c.Status == "WAIT_DEAL"
			}},
		{"3.1 status lower case", "LP2026000305", "5.7", claim("LP2026000305", "apply_wait_deal", pdf, attach0),
			func() bool { _, err := e.st.GetClaim(context.Background(), "LP2026000305"); return err == nil }},
		{"3.1 status with a trailing space", "LP2026000306", "5.7", claim("LP2026000306", "APPLY_WAIT_DEAL ", pdf, attach0),
			func() bool { _, err := e.st.GetClaim(context.Background(), "LP2026000306"); return err == nil }},
		{"2.1 missing principal_bank_account_name", "1813000399", "principal_bank_account_name",
			without(e.applyCallback("1813000399"), "principal_bank_account_name"),
			func() bool { _, err := e.st.GetOrder(context.Background(), "1813000399"); return err == nil }},
		{"2.4 missing applicant", o.OrderNo, "applicant",
			without(statusCallback(o.OrderNo, "WAIT_PAY", "WAIT_OUT_GUARANTEE"), "applicant"),
			func() bool { return e.order(o.OrderNo).OrderStatus == "WAIT_OUT_GUARANTEE" }},
		{"2.8 revoke_guarantee_data does not parse", "R2026000301", "revoke_guarantee_data", badData,
			func() bool { _, err := e.st.GetRevocation(context.Background(), "R2026000301"); return err == nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.send(c.cb)
			r.want(t, 200, platform.StatusFailed)
			if !strings.Contains(r.Msg, c.reason) || !strings.Contains(r.Msg, msgHeld) {
				t.Errorf("msg %q: want it held, naming %q", r.Msg, c.reason)
			}
			if c.applied() {
				t.Fatal("applied before the clerk accepted it")
			}
			e.send(at(t, c.cb, 0)).want(t, 200, platform.StatusFailed) // the platform's repeat
			p, err := e.st.Pending(context.Background(), 100)
			if err != nil {
				t.Fatal(err)
			}
			var h *store.Held
			for i := range p.Held {
				if p.Held[i].Ref == c.ref {
					h = &p.Held[i]
				}
			}
			if h == nil {
				t.Fatalf("not in 待办: %+v", p.Held)
			}
			if h.Repeats != 1 || !strings.Contains(h.Reason, c.reason) {
				t.Errorf("held %+v", h)
			}
			// The whole plaintext is kept, every field as it came.
			want := fieldsOf(t, c.cb.Msg)
			got, err := platform.ParseFields([]byte(h.Plaintext))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range want {
				if k == "timestamp" || k == "sign" {
					continue
				}
				if platform.FieldText(got[k]) != platform.FieldText(v) {
					t.Errorf("held field %s = %s, sent %s", k, got[k], v)
				}
			}
			if len(h.Files) != len(c.cb.Files) {
				t.Errorf("held files %+v, sent %d", h.Files, len(c.cb.Files))
			}
			if _, err := e.srv.DecideHeld(context.Background(), h.ID, true, "已与平台核对"); err != nil {
				t.Fatal(err)
			}
			if !c.applied() {
				t.Error("accepted but not applied")
			}
			e.send(at(t, c.cb, 0)).want(t, 200, platform.StatusOK)
		})
	}
}

// TestHeldFieldsTables (issue 20, item 1): the held view lists every field
// by its Chinese name with its whole value, and a 2.8's guarantee lists
// as tables: a long list is never cut.
func TestHeldFieldsTables(t *testing.T) {
	e := newEnv(t)
	var items []platform.RevokeItem
	for i := range 40 {
		items = append(items, platform.RevokeItem{GuaranteeNo: platform.Str("FZDB20269" + strings.Repeat("0", 4) + string(rune('0'+i/10)) + string(rune('0'+i%10))),
			Principal: "福建某某建设工程有限公司", SerialNum: platform.SerialNum("80609721089017" + string(rune('0'+i/10)) + string(rune('0'+i%10)) + "01")})
	}
	cb := revokeCallback(t, "R2026000399", "E3501000001399", items, nil, nil, "")
	r := e.send(cb)
	r.want(t, 200, platform.StatusFailed)
	held, err := e.st.ListHeld(context.Background(), store.HeldQuery{State: store.HeldHeld})
	if err != nil || len(held) != 1 {
		t.Fatalf("held %+v %v", held, err)
	}
	fields := platform.HeldFields(held[0].Plaintext)
	var data *platform.HeldField
	for i := range fields {
		if fields[i].Title == fields[i].Name && fields[i].Name != "note" {
			t.Errorf("field %s has no Chinese name", fields[i].Name)
		}
		if fields[i].Name == "revoke_guarantee_data" {
			data = &fields[i]
		}
	}
	if data == nil {
		t.Fatalf("no revoke_guarantee_data in %+v", fields)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(data.Value), &raw); err != nil {
		t.Fatalf("value cut: %v: %s", err, data.Value)
	}
	var current *platform.HeldTable
	for i := range data.Tables {
		if data.Tables[i].Name == "current_revoke_data" {
			current = &data.Tables[i]
		}
	}
	if current == nil || current.Title != "当次撤销的保函" || len(current.Rows) != 40 {
		t.Fatalf("tables %+v", data.Tables)
	}
	col := map[string]int{}
	for i, c := range current.Columns {
		col[c] = i
	}
	for i, row := range current.Rows {
		if row[col["guarantee_no"]] != string(items[i].GuaranteeNo) || row[col["serial_num"]] != string(items[i].SerialNum) {
			t.Errorf("row %d %v, want %+v", i, row, items[i])
		}
	}
	if current.Titles[col["guarantee_no"]] != platform.FieldTitle("guarantee_no") {
		t.Errorf("titles %v", current.Titles)
	}
}

// TestHeldFileParts (issue 20, item 1): an authentic 3.1 with a file over
// the listener's own bound per file is held with that file's name, size and
// SHA-256 (not kept), the other files kept; one with a file field the
// callback does not take, or an empty required file, is held too. On the
// base commit each was refused with nothing kept.
func TestHeldFileParts(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxFileBytes = 1 << 20 })
	pdf := readTestPDF(t, "signed.pdf")
	sum := sha256.Sum256(pdf)
	_, g := e.seedIssued("1813000801", "FZDB2026000801", "806097210890174801", hex.EncodeToString(sum[:]))
	attach0 := sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: sandbox.MinimalPDF("索赔通知书")}
	big := bytes.Repeat([]byte("B"), 2<<20)
	bigSum := sha256.Sum256(big)
	cases := []struct {
		name, claimNo, reason string
		files                 []sandbox.File
	}{
		{"over the listener's bound", "LP2026000801", "仅保留其名称、大小和 SHA-256",
			[]sandbox.File{attach0, {Field: "attach_file1", Name: "现场录像.mp4", Data: big}}},
		{"a file field 3.1 does not take", "LP2026000802", "不接受文件字段",
			[]sandbox.File{attach0, {Field: "attach_file01", Name: "x.pdf", Data: sandbox.MinimalPDF("x")}}},
		{"an empty attach_file0", "LP2026000803", "为空",
			[]sandbox.File{{Field: "attach_file0", Name: "空.pdf", Data: []byte{}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cb := claimCallback(claimMsg(c.claimNo, "APPLY_WAIT_DEAL", g.GuaranteeNo, g.BlockNumber), pdf, c.files...)
			r := e.send(cb)
			r.want(t, 200, platform.StatusFailed)
			if !strings.Contains(r.Msg, c.reason) || !strings.Contains(r.Msg, msgHeld) {
				t.Fatalf("msg %q", r.Msg)
			}
			hs, err := e.st.ListHeld(context.Background(), store.HeldQuery{Filter: c.claimNo})
			if err != nil || len(hs) != 1 {
				t.Fatalf("held %+v %v", hs, err)
			}
			if c.claimNo == "LP2026000801" {
				var omitted *store.HeldFile
				for i, f := range hs[0].Files {
					if f.Field == "attach_file1" {
						omitted = &hs[0].Files[i]
					} else if !e.st.HasFile(f.SHA256) {
						t.Errorf("file %s not kept", f.Field)
					}
				}
				if omitted == nil || !omitted.Omitted || omitted.Size != int64(len(big)) || omitted.SHA256 != hex.EncodeToString(bigSum[:]) ||
					omitted.Name != "现场录像.mp4" || e.st.HasFile(omitted.SHA256) {
					t.Errorf("files %+v", hs[0].Files)
				}
			}
		})
	}
}
