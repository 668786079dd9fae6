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

// list orders --json names every platform file: the name 2.1 sent, else
// the name its download gave (as the desk shows it), never "".
func TestListOrdersFileNames(t *testing.T) {
	e := cmdtest.New(t)
	e.F.DataDir = t.TempDir()
	s, err := e.F.StoreOnly()
	if err != nil {
		t.Fatal(err)
	}
	fields := `{"order_no":"1813","guarantee_sign_files":"[{\"file_id\":\"F1\",\"file_name\":\"保函格式.pdf\",\"file_url\":\"https://x/1\"}]",` +
		`"attach_files":"[{\"file_id\":\"F2\",\"file_url\":\"https://x/2\"}]"}`
	ctx := context.Background()
	if err := s.Update(ctx, func(tx *store.Tx) error {
		return tx.UpsertOrder(store.Order{OrderNo: "1813", OrderStatus: "WAIT_PAY", Fields: json.RawMessage(fields)})
	}); err != nil {
		t.Fatal(err)
	}
	sha := strings.Repeat("ab", 32)
	if err := s.RecordDownload(ctx, store.Download{FileID: "F2", SHA256: sha, Name: "招标文件.pdf", Size: 10}); err != nil {
		t.Fatal(err)
	}
	e.F.JSON = true
	if err := cmdtest.Run(NewCmdList(e.F, nil), "orders"); err != nil {
		t.Fatal(err)
	}
	var got []records.Order
	if err := json.Unmarshal(e.Out.Bytes(), &got); err != nil || len(got) != 1 {
		t.Fatalf("orders json: %v %s", err, e.Out.String())
	}
	o := got[0]
	if len(o.GuaranteeSignFiles) != 1 || o.GuaranteeSignFiles[0].FileName != "保函格式.pdf" ||
		len(o.AttachFiles) != 1 || o.AttachFiles[0].FileName != "招标文件.pdf" || o.AttachFiles[0].SHA256 != sha {
		t.Fatalf("files: sign %+v attach %+v", o.GuaranteeSignFiles, o.AttachFiles)
	}
}
