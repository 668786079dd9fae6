package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"baohan/platform/sandbox"
	"baohan/store"
)

// TestCLIHeldClaim (issue 9, item 3): a claim the platform sends for a
// guarantee we never issued is held, not dropped: `list held --json` shows
// it with its reason; `held accept` applies it and the platform's next
// repeat is answered 200.
func TestCLIHeldClaim(t *testing.T) {
	e := newCLIEnv(t)
	ctx := context.Background()
	// The platform believes in a guarantee this firm never pushed.
	gpdf := sandbox.File{Field: "guarantee_pdf", Name: "g.pdf", Data: sandbox.MinimalPDF("g")}
	e.sb.PutGuarantee(sandbox.Guarantee{GuaranteeNo: "FZDB2026099001", SerialNum: "806097210890990001", OrderNo: "1813099001",
		PDFFileID:   e.sb.AddFile(gpdf.Name, gpdf.Data),
		BlockNumber: "E35010000990001", BlockName: "某某工程（标段一）", Principal: "福建某某建设工程有限公司", Creditor: "福州市某某局"})
	// The files are named here, so that the repeat below sends the first
	// delivery's files (a repeat with other files is held: protocol.md).
	attach := []sandbox.File{{Name: "a.pdf", Data: sandbox.MinimalPDF("a")}, {Name: "b.pdf", Data: sandbox.MinimalPDF("b")}}
	claim, d, err := e.sb.ApplyClaim(ctx, "FZDB2026099001", attach...)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.Wait(wctx); err == nil {
		t.Fatal("a claim for an unknown guarantee was acknowledged")
	}
	var held []map[string]any
	decodeJSON(t, e.mustCLI("list", "held", "--json"), &held)
	if len(held) != 1 {
		t.Fatalf("held %v", held)
	}
	h := held[0]
	for _, k := range []string{"id", "method", "key", "reason", "received_at", "state", "repeats"} {
		if _, ok := h[k]; !ok {
			t.Errorf("held lacks %s: %v", k, h)
		}
	}
	if h["method"] != "apply_claim" || h["state"] != "held" || h["ref"] != string(claim.ClaimNo) ||
		!strings.Contains(h["reason"].(string), "不是本公司出具的保函") || h["repeats"].(float64) < 1 {
		t.Errorf("held %v", h)
	}
	id := strconv.FormatInt(int64(h["id"].(float64)), 10)
	e.wantExit(2, "held", "accept", "999")
	e.mustCLI("held", "accept", id, "--note", "平台确认该保函由本公司出具（线下签发）")
	cl, err := e.st.GetClaim(ctx, string(claim.ClaimNo))
	if err != nil || cl.Status != store.ClaimApplyWaitDeal || len(cl.Attachments) != 2 {
		t.Fatalf("accepted claim %+v %v", cl, err)
	}
	wait(t, e.sb.Send(ctx, sandbox.Callback{Path: sandbox.PathClaim, Msg: claim.ApplyClaim, Multipart: true, Files: []sandbox.File{
		gpdf, {Field: "attach_file0", Name: "a.pdf", Data: attach[0].Data}, {Field: "attach_file1", Name: "b.pdf", Data: attach[1].Data}}}))
	decodeJSON(t, e.mustCLI("list", "held", "--json"), &held)
	if len(held) != 1 || held[0]["state"] != "accepted" {
		t.Errorf("held after accept %v", held)
	}
	e.wantExit(2, "held", "dismiss", id)
}

// TestCLIReleaseMean (issue 9, item 2): the platform answers 2.9 with an
// error_total that counts an empty {} (the manual's own example): nothing
// is marked released, since the error may be about any item; the platform
// answers the repeat with a string data, which means the whole call
// succeeded, and only then is the guarantee released locally.
func TestCLIReleaseMean(t *testing.T) {
	e := newCLIEnv(t, func(o *sandbox.Options) { o.Mean = true })
	ctx := context.Background()
	order, d := e.sb.NewOrder(ctx, sandbox.OrderSpec{})
	wait(t, d)
	no := string(order.OrderNo)
	e.mustCLI("order", "status", no, "WAIT_OUT_GUARANTEE", "--amount", "300.00")
	e.mustCLI("guarantee", "push", no, "--no", "BH2026901", "--pdf", "testdata/pdf/signed.pdf")
	_, d, err := e.sb.Revoke(ctx, sandbox.RevokeSpec{BlockNumber: string(order.BlockNumber), Declaration: sandbox.DeclarationPDF(string(order.BlockNumber), string(order.Creditor))})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_ = d.Wait(wctx) // mean: the batch also names a guarantee we never issued, so it is held
	var held []map[string]any
	decodeJSON(t, e.mustCLI("list", "held", "--json"), &held)
	if len(held) != 1 || held[0]["method"] != "guarantee_release" {
		t.Fatalf("held %v", held)
	}
	e.mustCLI("held", "accept", strconv.FormatInt(int64(held[0]["id"].(float64)), 10), "--note", "平台名单多列了别家保函，本公司保函照撤")

	code, out, errs := e.cli("guarantee", "release", "BH2026901")
	if code != 1 || !strings.Contains(out, "结果不明") || !strings.Contains(out, "未指明保函") {
		t.Errorf("first release: exit %d, printed %q", code, out)
	}
	// In doubt is never counted as refused (protocol.md, 2.9).
	if strings.Contains(errs, "拒绝") || !strings.Contains(errs, "结果不明") {
		t.Errorf("first release: the exit message says %q", errs)
	}
	if g, _ := e.st.GetGuarantee(ctx, "BH2026901"); g.ReleasedAt != 0 {
		t.Fatal("released locally though an error of the answer names no item")
	}
	if g, _ := e.sb.Guarantee("BH2026901"); !g.Released {
		t.Fatal("the platform did not release")
	}
	e.mustCLI("guarantee", "release", "BH2026901")
	if g, _ := e.st.GetGuarantee(ctx, "BH2026901"); g.ReleasedAt == 0 {
		t.Fatal("a string data on status 200 was not taken for success")
	}
	if n := e.sb.CountCalls("remove_guarantee"); n != 2 {
		t.Errorf("%d remove_guarantee calls", n)
	}
}

// TestSandboxMeanFlag: `baohan sandbox --mean` is offered.
func TestSandboxMeanFlag(t *testing.T) {
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"sandbox", "--help"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "--mean") {
		t.Errorf("no --mean in:\n%s", out.String())
	}
}

// TestCLIOrderTake: the platform sends an order's 2.1 again with another
// amount; the first version stays, the order is flagged, and `order take`
// makes the new version the order's (protocol.md: the clerk may take it).
func TestCLIOrderTake(t *testing.T) {
	e := newCLIEnv(t)
	ctx := context.Background()
	order, d := e.sb.NewOrder(ctx, sandbox.OrderSpec{})
	wait(t, d)
	no := string(order.OrderNo)
	e.wantExit(2, "order", "take", no) // nothing waits yet
	changed, _ := e.sb.Order(no)
	changed.GuaranteeAmount = "876543.21"
	e.sb.PutOrder(changed)
	wait(t, e.sb.SendOrder(ctx, no))
	if o, err := e.st.GetOrder(ctx, no); err != nil || o.GuaranteeAmount == "876543.21" || !o.Flagged {
		t.Fatalf("after the changed 2.1: %+v %v", o, err)
	}
	var got struct {
		Order struct {
			GuaranteeAmount string `json:"guarantee_amount"`
			Flagged         bool   `json:"flagged"`
		} `json:"order"`
		Changed []struct {
			Field, First, New string
		} `json:"changed"`
	}
	decodeJSON(t, e.mustCLI("order", "take", no, "--json"), &got)
	if got.Order.GuaranteeAmount != "876543.21" || got.Order.Flagged || len(got.Changed) != 1 ||
		got.Changed[0].Field != "guarantee_amount" || got.Changed[0].New != "876543.21" {
		t.Errorf("order take: %+v", got)
	}
	e.wantExit(2, "order", "take", no) // taken: nothing waits
}
