package main

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
)

// TestCLIListHeldShape (issue 20, items 1 and 2; Done when): a 3.1 the
// platform sends with a status that is not a 5.7 code, for a guarantee we
// issued, is held; `list held --json` shows it with its business number
// (ref), every field of its plaintext as received, received_at as
// YYYY-MM-DD HH:MM:SS and its files; `held accept` applies it and the
// platform's next repeat is answered 200. On the base commit it was
// acknowledged, stored and absent from 待办.
func TestCLIListHeldShape(t *testing.T) {
	e := newCLIEnv(t)
	ctx := context.Background()
	order, d := e.sb.NewOrder(ctx, sandbox.OrderSpec{})
	wait(t, d)
	no := string(order.OrderNo)
	e.mustCLI("order", "status", no, "WAIT_OUT_GUARANTEE", "--amount", "300.00")
	e.mustCLI("guarantee", "push", no, "--no", "BH2026920", "--pdf", "testdata/pdf/signed.pdf")
	claim, d, err := e.sb.ApplyClaim(ctx, "BH2026920")
	if err != nil {
		t.Fatal(err)
	}
	wait(t, d) // the genuine claim
	m := claim.ApplyClaim
	m.ClaimNo = platform.Str(string(m.ClaimNo) + "9")
	m.Status = "WAIT_DEAL" // not a 5.7 code
	cb := sandbox.Callback{Path: sandbox.PathClaim, Msg: m, Multipart: true, Files: []sandbox.File{
		{Field: "guarantee_pdf", Name: "g.pdf", Data: sandbox.MinimalPDF("g")}, {Field: "attach_file0", Name: "a.pdf", Data: sandbox.MinimalPDF("a")}}}
	status, answer, err := e.sb.SendOnce(ctx, cb)
	if err != nil || status != platform.StatusFailed || !regexp.MustCompile(`"status":404`).Match(answer) {
		t.Fatalf("malformed 3.1: %d %s %v", status, answer, err)
	}
	var held []map[string]any
	decodeJSON(t, e.mustCLI("list", "held", "--json"), &held)
	if len(held) != 1 {
		t.Fatalf("held %v", held)
	}
	h := held[0]
	if h["ref"] != string(m.ClaimNo) || h["method"] != "apply_claim" {
		t.Errorf("held %v", h)
	}
	if at, _ := h["received_at"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`).MatchString(at) {
		t.Errorf("received_at %v", h["received_at"])
	}
	fields, _ := h["fields"].(map[string]any)
	if fields["status"] != "WAIT_DEAL" || fields["claim_no"] != string(m.ClaimNo) || fields["claim_reason"] != string(m.ClaimReason) {
		t.Errorf("fields %v", fields)
	}
	files, _ := h["files"].([]any)
	if len(files) != 2 {
		t.Errorf("files %v", files)
	}
	e.mustCLI("held", "accept", strconv.FormatInt(int64(h["id"].(float64)), 10), "--note", "平台确认状态写法有误")
	if _, err := e.st.GetClaim(ctx, string(m.ClaimNo)); err != nil {
		t.Fatalf("accepted claim not applied: %v", err)
	}
	f, _ := platform.ToFields(m)
	f["timestamp"], _ = platform.Marshal(platform.Timestamp(time.Now()))
	cb.Msg = f
	status, answer, err = e.sb.SendOnce(ctx, cb)
	if err != nil || status != 200 || !regexp.MustCompile(`^\{"status":200`).Match(answer) {
		t.Fatalf("the platform's repeat after accepting: %d %s %v", status, answer, err)
	}
}
