package list

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"baohan/store"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil/cmdtest"
	"baohan/ui/cli/records"
)

// list reads the store alone; every kind is a JSON array (empty, not null)
// and a table whose columns line up in display cells.
func TestListRun(t *testing.T) {
	dir := t.TempDir()
	e := cmdtest.New(t)
	e.F.DataDir = dir
	s, err := e.F.StoreOnly()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(context.Background(), func(tx *store.Tx) error {
		return tx.UpsertOrder(store.Order{OrderNo: "1813", OrderStatus: "WAIT_PAY", Principal: "福州某某建设有限公司", GuaranteeAmount: "10000.00"})
	}); err != nil {
		t.Fatal(err)
	}
	for _, kind := range Kinds {
		e.Out.Reset()
		e.F.JSON = true
		cmd := NewCmdList(e.F, nil)
		if err := cmdtest.Run(cmd, kind); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if !strings.HasPrefix(strings.TrimSpace(e.Out.String()), "[") {
			t.Fatalf("%s: not an array: %s", kind, e.Out.String())
		}
	}
	e.Out.Reset()
	e.F.JSON = true
	if err := cmdtest.Run(NewCmdList(e.F, nil), "orders"); err != nil {
		t.Fatal(err)
	}
	var got []records.Order
	if err := json.Unmarshal(e.Out.Bytes(), &got); err != nil || len(got) != 1 || got[0].Principal != "福州某某建设有限公司" {
		t.Fatalf("orders json: %v %s", err, e.Out.String())
	}
	e.Out.Reset()
	e.F.JSON = false
	if err := cmdtest.Run(NewCmdList(e.F, nil), "orders"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(e.Out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "待支付") {
		t.Fatalf("table:\n%s", e.Out.String())
	}
	// 被保证人 begins in the same display column on both lines.
	col := func(l, s string) int { return cellWidth(l[:strings.Index(l, s)]) }
	if col(lines[0], "被保证人") != col(lines[1], "福州某某") {
		t.Fatalf("columns do not line up:\n%s", e.Out.String())
	}
}

func cellWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x2E80 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// Without --data and without a config, list refuses (exit 2) instead of
// opening an empty store somewhere.
func TestListNeedsDataFolder(t *testing.T) {
	e := cmdtest.New(t)
	e.F.ConfigPath = t.TempDir() + "/none.toml"
	err := cmdtest.Run(NewCmdList(e.F, nil), "orders")
	if cli.ExitCode(err) != cli.ExitUsage || !strings.Contains(cli.Message(err), "--data") {
		t.Fatalf("no data folder: %v", err)
	}
}

// The filter flags reach the options wherever they stand, and a filter
// list held does not take is refused (exit 2) before a store is opened.
func TestListFilterFlags(t *testing.T) {
	e := cmdtest.New(t)
	var got *ListOptions
	cmd := NewCmdList(e.F, func(o *ListOptions) error { got = o; return nil })
	if err := cmdtest.Run(cmd, "orders", "--status", "WAIT_PAY,待出函", "--search", "榕", "--since", "2026-01-01", "--until", "2026-02-01 12:00:00"); err != nil {
		t.Fatal(err)
	}
	if got.Kind != "orders" || got.Status != "WAIT_PAY,待出函" || got.Search != "榕" || got.Since != "2026-01-01" || got.Until != "2026-02-01 12:00:00" {
		t.Fatalf("options %+v", got)
	}
	opened := false
	for _, args := range [][]string{{"--since", "2026-01-01"}, {"--status", "nosuch"}} {
		o := &ListOptions{Kind: "held", Store: func() (*store.Store, error) { opened = true; return nil, nil }}
		o.Status, o.Since = "", ""
		if args[0] == "--since" {
			o.Since = args[1]
		} else {
			o.Status = args[1]
		}
		if err := listRun(o); cli.ExitCode(err) != cli.ExitUsage {
			t.Fatalf("held %v: %v", args, err)
		}
	}
	if opened {
		t.Fatal("a refused filter opened the store")
	}
}
