package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"baohan/platform"
	"baohan/store"
)

func testStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	err = st.Update(context.Background(), func(tx *store.Tx) error {
		for _, o := range []store.Order{
			{OrderNo: "1813037629", OrderStatus: "WAIT_OUT_GUARANTEE", BlockNumber: "BN-2025-002", BlockName: "闽江路排水管网工程",
				Principal: "福州永安建设有限公司", Creditor: "福州市城乡建设局", GuaranteeAmount: "50000", OrderAmount: "500.00",
				BidDeadline: "2025-06-15 09:00", ValidDay: "60", ProjectType: "construction"},
			{OrderNo: "1813037630", OrderStatus: "WAIT_PAY", BlockNumber: "BN-2025-005", BlockName: "=仓山区道路绿化提升工程",
				Principal: "福建绿城园林工程有限公司", Creditor: "仓山区园林中心", GuaranteeAmount: "1,230.50", BidDeadline: "2025-06-09 17:00"},
		} {
			if err := tx.UpsertOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func run(t *testing.T, st *store.Store, out string, opt Options) *Result {
	t.Helper()
	opt.Out = out
	opt.Store = func() (*store.Store, error) { return st, nil }
	if opt.Kind == "" {
		opt.Kind = "orders"
	}
	res, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// The CSV: a BOM, Chinese headers, amounts as plain numbers, times as
// 北京时间, a text that looks like a formula kept as text; the filter
// narrows it like `list`.
func TestExportCSV(t *testing.T) {
	st := testStore(t)
	path := filepath.Join(t.TempDir(), "orders.csv")
	if res := run(t, st, path, Options{}); res.Rows != 2 {
		t.Fatalf("rows %d", res.Rows)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatal("no byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"订单编号", "订单状态", "标段编号", "担保金额(元)", "投标截止时间", "项目类型"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("header %s missing: %q", h, recs[0])
		}
	}
	byNo := map[string][]string{}
	for _, r := range recs[1:] {
		byNo[r[col["订单编号"]]] = r
	}
	a, b2 := byNo["1813037629"], byNo["1813037630"]
	if a == nil || b2 == nil {
		t.Fatalf("rows %q", recs)
	}
	if a[col["担保金额(元)"]] != "50000" || b2[col["担保金额(元)"]] != "1230.5" {
		t.Errorf("amounts %q %q", a[col["担保金额(元)"]], b2[col["担保金额(元)"]])
	}
	if a[col["投标截止时间"]] != "2025-06-15 09:00:00" || a[col["订单状态"]] != "待出函" || a[col["项目类型"]] != "施工" {
		t.Errorf("row %q", a)
	}
	if got := b2[col["标段名称"]]; got != "'=仓山区道路绿化提升工程" {
		t.Errorf("formula-like text %q", got)
	}
	// --status and --search as in list.
	path2 := filepath.Join(t.TempDir(), "some.csv")
	if res := run(t, st, path2, Options{Status: "待支付"}); res.Rows != 1 {
		t.Errorf("--status 待支付: %d rows", res.Rows)
	}
	if res := run(t, st, path2, Options{Search: "BN-2025-002", Force: true}); res.Rows != 1 { // the file exists: --force
		t.Errorf("--search by 标段编号: %d rows", res.Rows)
	}
}

// export refuses an existing --out unless --force (interface.md's one
// overwrite rule), and leaves the file as it was.
func TestExportOverwrite(t *testing.T) {
	st := testStore(t)
	path := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(path, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := Options{Kind: "orders", Out: path, Store: func() (*store.Store, error) { return st, nil }}
	if _, err := Run(context.Background(), o); !platform.IsInputError(err) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("an existing --out: %v, want a refusal naming --force", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep" {
		t.Fatalf("the refused export changed the file: %q", b)
	}
	o.Force = true
	if res, err := Run(context.Background(), o); err != nil || res.Rows == 0 {
		t.Fatalf("--force: %+v %v", res, err)
	}
	if b, _ := os.ReadFile(path); string(b) == "keep" {
		t.Fatal("--force did not replace the file")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestExportRefusals(t *testing.T) {
	st := testStore(t)
	dir := t.TempDir()
	for _, o := range []Options{
		{Kind: "orders", Out: filepath.Join(dir, "a.txt")},
		{Kind: "orders", Out: filepath.Join(dir, "a.xlsx"), Status: "NOPE"},
		{Kind: "revocations", Out: filepath.Join(dir, "a.xlsx"), Status: "held"},
		{Kind: "orders", Out: filepath.Join(dir, "a.xlsx"), Since: "2025-13-01"},
	} {
		o.Store = func() (*store.Store, error) { return st, nil }
		if _, err := Run(context.Background(), o); !platform.IsInputError(err) {
			t.Errorf("%+v: %v, want a refusal", o, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "a.xlsx")); err == nil {
		t.Error("a refused export wrote a file")
	}
}

// The workbook, opened by LibreOffice (not by us): converted to CSV as
// shown, the headers are Chinese, amounts carry the number format (so they
// are numbers), deadlines show as formatted dates (so they are dates), and
// order numbers keep every digit.
func TestExportXLSXOpenedByLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice (LibreOffice) is not installed: apt-get install -y libreoffice-calc")
	}
	st := testStore(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "订单台账.xlsx")
	run(t, st, path, Options{})
	out := filepath.Join(dir, "out")
	// Token 9 (false: raw values) would print dates as numbers; "as shown"
	// (true) tells formatted numbers and dates from text.
	cmd := exec.Command(soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true`, "--outdir", out, path)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	b, err := os.ReadFile(filepath.Join(out, "订单台账.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	t.Logf("LibreOffice's CSV:\n%s", b)
	want := map[string]map[string]string{
		"1813037629": {"担保金额(元)": "50,000.00", "订单金额(元)": "500.00", "投标截止时间": "2025-06-15 09:00:00", "订单状态": "待出函", "有效期(天)": "60"},
		"1813037630": {"担保金额(元)": "1,230.50", "投标截止时间": "2025-06-09 17:00:00", "标段名称": "=仓山区道路绿化提升工程"},
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if strings.Join(recs[0][:3], ",") != "订单编号,订单状态,标段编号" {
		t.Fatalf("headers %q", recs[0])
	}
	seen := 0
	for _, r := range recs[1:] {
		w, ok := want[r[0]]
		if !ok {
			t.Fatalf("row %q: order number not kept whole", r)
		}
		seen++
		for h, v := range w {
			if got := r[col[h]]; got != v {
				t.Errorf("%s %s: LibreOffice shows %q, want %q", r[0], h, got, v)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("%d rows", seen)
	}
}
