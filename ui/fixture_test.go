package ui

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"
	"github.com/muesli/termenv"

	"baohan/platform"
	"baohan/store"
)

func TestMain(m *testing.M) {
	os.Setenv("RUNEWIDTH_EASTASIAN", "0")
	runewidth.DefaultCondition.EastAsianWidth = false
	lipgloss.SetColorProfile(termenv.Ascii)
	code := m.Run()
	if bigStore != nil {
		bigStore.Close()
	}
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// fixedNow is the desk's clock in tests: 2025-06-10 10:00:00 北京时间.
var fixedNow = time.Date(2025, 6, 10, 10, 0, 0, 0, platform.CST)

func clockNow() time.Time { return fixedNow }

// ms is a time of the fixture day in unix milliseconds.
func ms(hhmm string) int64 {
	t, err := time.ParseInLocation("2006-01-02 15:04", "2025-06-10 "+hhmm, platform.CST)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// fixtureStore is a small store of a working day: orders in several states
// (one due in under 24 hours, one past its deadline, one flagged), issued
// guarantees (one awaiting release after a revocation, one released),
// claims waiting for 受理 and for a result, and a log of callbacks and calls.
//
// The fixture is built once per test process (buildFixture) and each test
// gets a copy of its folder: building it is most of a golden screen's time.
func fixtureStore(t testing.TB) *store.Store {
	t.Helper()
	fixtureOnce.Do(func() { fixtureDir, fixtureErr = buildFixture() })
	if fixtureErr != nil {
		t.Fatalf("build the fixture: %v", fixtureErr)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(fixtureDir)); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var (
	fixtureOnce sync.Once
	fixtureDir  string // the fixture's folder, closed; removed by TestMain
	fixtureErr  error
)

// buildFixture writes the fixture store into a folder of its own and
// closes it.
func buildFixture() (dir string, err error) {
	dir, err = os.MkdirTemp("", "baohan-ui-fixture-")
	if err != nil {
		return "", err
	}
	ft := &fixtureT{}
	func() {
		defer func() {
			if r := recover(); r != nil && r != errFixture {
				panic(r)
			}
		}()
		fillFixture(ft, dir)
	}()
	return dir, ft.err
}

// fixtureT stands in for the testing.TB the fixture's code reports to
// while it is built outside any one test.
type fixtureT struct {
	testing.TB
	err error
}

var errFixture = errors.New("fixture failed")

func (f *fixtureT) Helper() {}
func (f *fixtureT) Fatal(args ...any) {
	f.err = errors.New(fmt.Sprint(args...))
	panic(errFixture)
}
func (f *fixtureT) Fatalf(format string, args ...any) {
	f.err = fmt.Errorf(format, args...)
	panic(errFixture)
}

// fillFixture writes the fixture into the store folder dir and closes it.
func fillFixture(t *fixtureT, dir string) {
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	pdf, err := db.PutFile(bytes.NewReader([]byte("%PDF-1.7\n% guarantee G2025001\n%%EOF\n")), 0)
	if err != nil {
		t.Fatal(err)
	}
	declare, err := db.PutFile(bytes.NewReader([]byte("%PDF-1.7\n% declaration R20250601\n%%EOF\n")), 0)
	if err != nil {
		t.Fatal(err)
	}
	claimLetter, err := db.PutFile(bytes.NewReader([]byte("%PDF-1.7\n% 索赔函\n%%EOF\n")), 0)
	if err != nil {
		t.Fatal(err)
	}

	signFiles, _ := json.Marshal([]map[string]string{{"file_id": "F1001", "file_url": "https://ebg.conzhu.net/file?id=F1001&access_token=SECRET-TOKEN", "file_name": "投标保函格式.pdf"}})
	order1Fields := mustJSON(map[string]any{
		"order_no": "1813037628", "order_status": "WAIT_FIRST_TRAIL", "ktype": "1", "btc_name": "福州市公共资源交易中心",
		"block_number": "BN-2025-001", "block_name": "福州市第三中学教学楼改造工程（标段一）", "project_type": "construction",
		"bid_deadline": "2025-06-11 09:30", "valid_day": "90", "guarantee_amount": "200000.00", "project_amount": "12000000.00",
		"creditor": "福州市第三中学", "principal": "福建省建工集团有限公司", "principal_name": "林海", "principal_phone": "13800000001",
		"principal_phone_social_credit_code": "91350000MA0000001X", "guarantee_sign_files": string(signFiles),
		"attach_files": []map[string]string{{"file_id": "F1002", "file_url": "https://ebg.conzhu.net/file?id=F1002"}},
		"access_token": "SHOULD-NOT-SHOW",
	})
	orders := []store.Order{
		{OrderNo: "1813037628", OrderStatus: "WAIT_FIRST_TRAIL", BlockNumber: "BN-2025-001", BlockName: "福州市第三中学教学楼改造工程（标段一）",
			Principal: "福建省建工集团有限公司", Creditor: "福州市第三中学", GuaranteeAmount: "200000.00", BidDeadline: "2025-06-11 09:30",
			ValidDay: "90", ProjectType: "construction", GuaranteeStartDate: "2025-06-11", GuaranteeEndDate: "2025-10-07",
			Fields: order1Fields, Raw: order1Fields},
		{OrderNo: "1813037629", OrderStatus: "WAIT_OUT_GUARANTEE", BlockNumber: "BN-2025-002", BlockName: "闽江路排水管网工程",
			Principal: "福州永安建设有限公司", Creditor: "福州市城乡建设局", GuaranteeAmount: "50000", OrderAmount: "500.00",
			BidDeadline: "2025-06-15 09:00", ValidDay: "60"},
		{OrderNo: "1813037630", OrderStatus: "WAIT_PAY", BlockNumber: "BN-2025-005", BlockName: "仓山区道路绿化提升工程",
			Principal: "福建绿城园林工程有限公司", Creditor: "仓山区园林中心", GuaranteeAmount: "30000.00", BidDeadline: "2025-06-09 17:00"},
		{OrderNo: "1813037631", OrderStatus: "HAS_OUT_GUARANTEE", BlockNumber: "BN-2025-003", BlockName: "鼓楼区老旧小区改造",
			Principal: "福州鼓楼建工有限公司", Creditor: "鼓楼区住建局", GuaranteeAmount: "80000.00", BidDeadline: "2025-06-20 09:00"},
		{OrderNo: "1813037633", OrderStatus: "HAS_OUT_GUARANTEE", BlockNumber: "BN-2025-004", BlockName: "马尾港区仓储中心",
			Principal: "马尾港建设有限公司", Creditor: "马尾港务集团", GuaranteeAmount: "120000.00", BidDeadline: "2025-05-20 09:00"},
		{OrderNo: "1813037632", OrderStatus: "CANCEL", BlockNumber: "BN-2025-006", BlockName: "晋安区体育公园",
			Principal: "晋安体育建设有限公司", Creditor: "晋安区体育局", GuaranteeAmount: "40000.00", BidDeadline: "2025-06-18 10:00"},
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		for _, o := range orders {
			if err := tx.UpsertOrder(o); err != nil {
				return err
			}
		}
		if err := tx.FlagOrder("1813099999", "订单状态更新所指订单本地没有（假通知？）"); err != nil {
			return err
		}
		gs := []store.Guarantee{
			{GuaranteeNo: "G2025001", OrderNo: "1813037631", SerialNum: "806097210890174123", BlockNumber: "BN-2025-003", BlockName: "鼓楼区老旧小区改造",
				Principal: "福州鼓楼建工有限公司", Creditor: "鼓楼区住建局", Guarantor: "福州某某融资担保有限公司", PDFSHA256: pdf.SHA256, PDFSize: pdf.Size,
				OutGuaranteeTime: "2025-06-05 15:12:12", PushedAt: ms("08:00") - 5*86400000},
			{GuaranteeNo: "G2025002", OrderNo: "1813037633", SerialNum: "806097210890174124", BlockNumber: "BN-2025-004", BlockName: "马尾港区仓储中心",
				Principal: "马尾港建设有限公司", Creditor: "马尾港务集团", Guarantor: "福州某某融资担保有限公司", PDFSHA256: pdf.SHA256, PDFSize: pdf.Size,
				OutGuaranteeTime: "2025-05-18 10:00:00", PushedAt: ms("08:00") - 20*86400000},
			{GuaranteeNo: "G2024099", OrderNo: "1813000001", SerialNum: "806097210890170001", BlockNumber: "BN-2024-099", BlockName: "连江县海堤加固",
				Principal: "连江水利工程有限公司", Creditor: "连江县水利局", Guarantor: "福州某某融资担保有限公司",
				OutGuaranteeTime: "2024-12-01 09:00:00", PushedAt: ms("08:00") - 180*86400000},
		}
		for _, g := range gs {
			if err := tx.PutGuarantee(g); err != nil {
				return err
			}
		}
		if err := tx.MarkReleased("G2024099", "2025-03-01 10:00:00"); err != nil {
			return err
		}
		data := `{"revoke_success_data":[],"current_revoke_data":[{"guarantee_no":"G2025002","principal":"马尾港建设有限公司","serial_num":"806097210890174124"}],"penalty_data":[]}`
		if err := tx.PutRevocation(store.Revocation{RevokeNo: "R20250601", BlockNumber: "BN-2025-004", BlockName: "马尾港区仓储中心",
			Creditor: "马尾港务集团", Note: "项目已定标，撤销未中标单位保函", DeclareFileSHA256: declare.SHA256, DeclareFileHashClaimed: declare.SHA256,
			Data: data, ReceivedAt: ms("08:30"),
			Items: []store.RevocationItem{{List: store.ListCurrent, GuaranteeNo: "G2025002", Principal: "马尾港建设有限公司", SerialNum: "806097210890174124"}}}); err != nil {
			return err
		}
		if err := tx.PutRevocation(store.Revocation{RevokeNo: "R20250301", BlockNumber: "BN-2024-099", BlockName: "连江县海堤加固",
			Creditor: "连江县水利局", Note: "工程完工", ReceivedAt: ms("08:30") - 101*86400000,
			Items: []store.RevocationItem{{List: store.ListCurrent, GuaranteeNo: "G2024099", Principal: "连江水利工程有限公司", SerialNum: "806097210890170001"},
				{List: store.ListPenalty, GuaranteeNo: "G2024088", Principal: "某失信单位", SerialNum: "806097210890170002"}}}); err != nil {
			return err
		}
		claims := []store.Claim{
			{ClaimNo: "LP2025001", Status: "APPLY_WAIT_DEAL", GuaranteeNo: "G2025001", BlockNumber: "BN-2025-003", BlockName: "鼓楼区老旧小区改造",
				Principal: "福州鼓楼建工有限公司", Creditor: "鼓楼区住建局", Guarantor: "福州某某融资担保有限公司", OutGuarantee: "福州某某融资担保有限公司",
				ClaimAmount: "80000.00", ClaimReason: "中标后拒绝签订合同", ContactPerson: "陈明", ContactPhone: "13900000002", ContactMail: "chen@example.cn",
				GuaranteePDFSHA256: pdf.SHA256,
				Attachments:        []store.ClaimAttachment{{Field: "attach_file0", Name: "索赔函.pdf", Size: claimLetter.Size, SHA256: claimLetter.SHA256}}},
			{ClaimNo: "LP2025002", Status: "DEAL_PASS", GuaranteeNo: "G2025002", BlockNumber: "BN-2025-004", BlockName: "马尾港区仓储中心",
				Principal: "马尾港建设有限公司", Creditor: "马尾港务集团", Guarantor: "福州某某融资担保有限公司",
				ClaimAmount: "120000.00", ClaimReason: "撤回投标文件", ContactPerson: "王芳", ContactPhone: "13900000003", ContactMail: "wang@example.cn"},
		}
		for _, c := range claims {
			if err := tx.PutClaim(c); err != nil {
				return err
			}
		}
		events := []store.Event{
			{At: ms("08:30"), Kind: store.KindCallback, Direction: store.DirIn, Method: "guarantee_release", Ref: "R20250601", Status: 200,
				Summary: "保函撤销 R20250601：当次撤销 1 笔", Detail: data},
			{At: ms("09:00"), Kind: store.KindCallback, Direction: store.DirIn, Method: "apply_guarantee", Ref: "1813037628", Status: 200,
				Summary: "新订单 1813037628 福州市第三中学教学楼改造工程（标段一）", Detail: string(order1Fields)},
			{At: ms("09:05"), Kind: store.KindCall, Direction: store.DirOut, Method: "get_guarantee_info", Ref: "1813037629", Status: 200, LatencyMS: 182,
				Summary: "获取订单信息 1813037629：待出函(WAIT_OUT_GUARANTEE)", Detail: `{"order_no":"1813037629","api_secret":"s3cr3t","access_token":"tok-123"}`},
			{At: ms("09:10"), Kind: store.KindFlag, Direction: store.DirIn, Method: "notify_order_status", Ref: "1813099999", Status: 200,
				Summary: "订单状态更新所指订单本地没有，已标记并去平台获取"},
			{At: ms("09:20"), Kind: store.KindCall, Direction: store.DirOut, Method: "notify_order_status", Ref: "1813037630", Status: 2313, LatencyMS: 95,
				Summary: "订单状态通知 1813037630：平台拒绝 notify_order_status：2313 该订单不允许审批操作", Detail: `{"order_no":"1813037630","order_status":"WAIT_OUT_GUARANTEE","order_amount":"300.00"}`},
			{At: ms("09:40"), Kind: store.KindCallback, Direction: store.DirIn, Method: "apply_claim", Ref: "LP2025001", Status: 200,
				Summary: "理赔申请 LP2025001：保函 G2025001 索赔 80000.00 元"},
		}
		for _, e := range events {
			if _, err := tx.AddEvent(e); err != nil {
				return err
			}
		}
		if _, err := tx.AddClaimResult(store.ClaimResult{ClaimNo: "LP2025002", DoType: 1, Status: 1, Note: "材料齐全，同意受理", At: ms("09:30")}); err != nil {
			return err
		}
		return tx.SaveToken("tok-123", fixedNow.Add(time.Hour+52*time.Minute).Unix())
	})
	if err != nil {
		t.Fatal(err)
	}
	fixTimes(t, db)
}

// fixTimes sets the times the store takes from the wall clock to the
// fixture's day, so that screens are the same on every run. (The store has
// no clock to inject; this reaches into its file directly, in tests only.)
func fixTimes(t testing.TB, db *store.Store) {
	t.Helper()
	execSQL(t, db,
		sqlStmt{`UPDATE orders SET created_at = ?, updated_at = ? + (rowid * 60000)`, []any{ms("09:00"), ms("09:00")}},
		sqlStmt{`UPDATE guarantees SET created_at = ?, updated_at = ? WHERE guarantee_no = 'G2025001'`, []any{ms("08:00") - 5*86400000, ms("08:00") - 5*86400000}},
		sqlStmt{`UPDATE guarantees SET created_at = ?, updated_at = ? WHERE guarantee_no = 'G2025002'`, []any{ms("08:00") - 20*86400000, ms("08:30")}},
		sqlStmt{`UPDATE guarantees SET created_at = ?, updated_at = ?, released_at = ? WHERE guarantee_no = 'G2024099'`, []any{ms("08:00") - 180*86400000, ms("08:00") - 100*86400000, ms("08:00") - 100*86400000}},
		sqlStmt{`UPDATE claims SET received_at = ?, updated_at = ? WHERE claim_no = 'LP2025001'`, []any{ms("09:40"), ms("09:40")}},
		sqlStmt{`UPDATE claims SET received_at = ?, updated_at = ? WHERE claim_no = 'LP2025002'`, []any{ms("08:00") - 2*86400000, ms("09:30")}},
		sqlStmt{`UPDATE claim_statuses SET at = ?`, []any{ms("09:40")}},
		sqlStmt{`UPDATE claim_attachments SET at = ?`, []any{ms("09:40")}},
	)
}

// sqlStmt is one statement execSQL runs.
type sqlStmt struct {
	q    string
	args []any
}

// execSQL runs statements on the store's database file directly (tests
// only: to set times the store takes from the wall clock).
func execSQL(t testing.TB, db *store.Store, stmts ...sqlStmt) {
	t.Helper()
	sqldb, err := sql.Open("sqlite", "file:"+filepath.Join(db.Dir(), store.DBName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer sqldb.Close()
	for _, s := range stmts {
		if _, err := sqldb.Exec(s.q, s.args...); err != nil {
			t.Fatalf("exec %s: %v", s.q, err)
		}
	}
}
