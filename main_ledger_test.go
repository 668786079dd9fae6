package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"baohan/platform/sandbox"
)

// list's filters, the orders' file lists in JSON, and export through the
// CLI (interface.md).
func TestCLIListFiltersAndExport(t *testing.T) {
	e := newCLIEnv(t)
	ctx := context.Background()
	a, d := e.sb.NewOrder(ctx, sandbox.OrderSpec{})
	wait(t, d)
	b, d := e.sb.NewOrder(ctx, sandbox.OrderSpec{})
	wait(t, d)

	var orders []map[string]any
	decodeJSON(t, e.mustCLI("list", "orders", "--json", "--search", string(a.BlockNumber)), &orders)
	if len(orders) != 1 || orders[0]["order_no"] != string(a.OrderNo) {
		t.Fatalf("--search by 标段编号 %s: %v", a.BlockNumber, orders)
	}
	files, ok := orders[0]["guarantee_sign_files"].([]any)
	if !ok || len(files) == 0 {
		t.Fatalf("guarantee_sign_files: %#v", orders[0]["guarantee_sign_files"])
	}
	if f := files[0].(map[string]any); f["file_id"] == "" {
		t.Fatalf("a sign file without file_id: %v", f)
	}
	if _, ok := orders[0]["attach_files"].([]any); !ok {
		t.Fatalf("attach_files: %#v", orders[0]["attach_files"])
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	decodeJSON(t, e.mustCLI("list", "orders", "--json", "--since", today, "--until", today, "--status", "待初审,WAIT_OUT_GUARANTEE,"+a.Status()), &orders)
	if len(orders) != 2 {
		t.Fatalf("--since/--until today, --status: %d orders", len(orders))
	}
	decodeJSON(t, e.mustCLI("list", "orders", "--json", "--until", "2020-01-01"), &orders)
	if len(orders) != 0 {
		t.Fatalf("--until 2020-01-01: %v", orders)
	}
	e.wantExit(2, "list", "orders", "--status", "NOPE")
	e.wantExit(2, "list", "orders", "--since", "yesterday")
	e.wantExit(2, "list", "revocations", "--status", "held")
	e.wantExit(2, "list", "held", "--status", "maybe")

	dir := t.TempDir()
	out := filepath.Join(dir, "orders.csv")
	var res map[string]any
	decodeJSON(t, e.mustCLI("export", "orders", "--out", out, "--search", string(b.OrderNo), "--json"), &res)
	if res["rows"] != float64(1) || res["path"] != out {
		t.Fatalf("export: %v", res)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) != 2 || recs[0][0] != "订单编号" || recs[1][0] != string(b.OrderNo) {
		t.Fatalf("exported CSV %v %q", err, recs)
	}
	if human := e.mustCLI("export", "guarantees", "--out", filepath.Join(dir, "g.xlsx")); !strings.Contains(human, "已导出保函台账 0 行") {
		t.Fatalf("export guarantees: %q", human)
	}
	e.wantExit(2, "export", "orders", "--out", filepath.Join(dir, "o.txt"))
	e.wantExit(2, "export", "nothing", "--out", filepath.Join(dir, "o.xlsx"))
}
