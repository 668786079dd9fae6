package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
	"baohan/ui/components/action"
	"baohan/ui/components/detail"
	"baohan/ui/components/issue"
)

const (
	letterTemplate = "../testdata/letter/template.pdf"
	letterCert     = "../testdata/letter/firm-rsa.p12"
	letterPassword = "baohan-test"
)

// hexRun is a SHA-256 (or any long hex run): a signed letter's hash changes
// with the CMS signing time, so goldens show it masked.
var hexRun = regexp.MustCompile(`[0-9a-f]{64}`)

// signedAt is the CMS signing time (the signer's clock, not the desk's),
// and a signed file's size varies by a byte or two with the DER of its
// signature.
var (
	signedAt  = regexp.MustCompile(`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}（北京时间，来源：签名属性`)
	sizeBytes = regexp.MustCompile(`\d+ 字节|\d+\.\d KB`)
)

// maskSigned hides what changes from one signature to the next.
func maskSigned(s string) string {
	s = hexRun.ReplaceAllString(s, strings.Repeat("#", 64))
	s = signedAt.ReplaceAllString(s, "YYYY-MM-DD hh:mm:ss（北京时间，来源：签名属性")
	return sizeBytes.ReplaceAllStringFunc(s, func(m string) string { return regexp.MustCompile(`\d`).ReplaceAllString(m, "9") })
}

// openIssue starts 签发 on the fixture's order in 待出函 (1813037629, the
// fourth row of 订单) from the firm's template.
func openIssue(d *desk) {
	d.keys("2", "j", "j", "j", "i")
	d.waitFor("the issue flow", func(m *Model) bool { v, ok := m.pc.Top().(*issue.View); return ok && v.Step() == issue.StepSource })
	d.keys("tab", "text:"+letterTemplate, "tab", "text:BH2025-0001", "enter")
	d.waitFor("the review", func(m *Model) bool { v, ok := m.pc.Top().(*issue.View); return ok && v.Step() == issue.StepReview })
}

// The review step (the facts LetterFor computes, 大写 included) and the
// result step (pdfsign's report, SHA-256) at 80x24 and 120x36.
func TestGoldenIssue(t *testing.T) {
	for _, step := range []string{"review", "signed"} {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", step, sz.w, sz.h), func(t *testing.T) {
				db := fixtureStore(t)
				d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, sz.w, sz.h)
				openIssue(d)
				if step == "signed" {
					d.keys("enter", "text:"+letterCert, "tab", "tab", "tab", "text:"+letterPassword, "enter")
					d.waitFor("the signed letter", func(m *Model) bool { v, ok := m.pc.Top().(*issue.View); return ok && v.Step() == issue.StepSigned })
				}
				golden.RequireEqual(t, []byte(maskSigned(d.final())))
			})
		}
	}
}

// TestIssueWholeFlow drives 签发 in the desk against the simulated platform
// and the real listener over loopback: a 2.1 with 签署文件 and 附件 arrives,
// the FileKeeper keeps the files (the order's detail shows them kept with
// their SHA-256), the order goes to 待出函, the clerk presses i, keeps the
// platform's 签署文件 as the source, reviews the facts, gives the firm's
// certificate and password, signs, reads the report, and pushes (2.5)
// through the push confirmation; the platform's 2.6 验真 of the pushed
// file answers intact (is_modified=2).
func TestIssueWholeFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole flow takes a few seconds")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cert, err := filepath.Abs(letterCert)
	if err != nil {
		t.Fatal(err)
	}

	env := startDay(t)
	sb, db, client, wf, ln := env.Sandbox, env.Store, env.Client, env.Workflows, env.Listener
	// The keeper, as startListener runs it beside the listener.
	kctx, kstop := context.WithCancel(ctx)
	kdone := make(chan struct{})
	go func() { (&platform.FileKeeper{W: wf, Interval: 50 * time.Millisecond}).Run(kctx); close(kdone) }()
	defer func() { kstop(); <-kdone }()

	d := newDesk(t, Options{Store: db, Workflows: wf, Client: client, ListenerAddr: ln.Addr().String(),
		Sandbox: true, Now: time.Now}, 120, 36)

	// A new order with its 签署文件 arrives (2.1) at the listener.
	order, del := sb.NewOrder(ctx, sandbox.OrderSpec{BidDeadline: time.Now().Add(30 * time.Hour)})
	if err := del.Wait(ctx); err != nil {
		t.Fatalf("deliver apply_guarantee: %v", err)
	}
	no := string(order.OrderNo)
	d.waitFor("the new order on 待办", func(m *Model) bool { s := m.todo.Selection(); return s != nil && s.Key == no })

	// Its detail shows the files kept, with their SHA-256, once the keeper
	// has them (the detail is read again when a download ends).
	d.keys("enter")
	want := sha256.Sum256(mustFile(t, sb, order.TemplateFileID))
	d.waitFor("the 签署文件 kept in the detail", func(m *Model) bool {
		dv, ok := m.pc.Top().(*detail.View)
		if !ok || dv.Busy() {
			return false
		}
		n := 0
		for _, f := range dv.Files() {
			if f.FileID != "" && f.Stored {
				n++
				if f.FileID == order.TemplateFileID && f.SHA != hex.EncodeToString(want[:]) {
					t.Errorf("kept 签署文件 %s, platform's %x", f.SHA, want)
				}
			}
		}
		return n == 1+len(order.AttachFileIDs)
	})
	if v := d.view(); !strings.Contains(v, "[已存，o 打开]") || !strings.Contains(v, hex.EncodeToString(want[:])) {
		t.Fatalf("the detail does not show the kept 签署文件:\n%s", v)
	}
	d.keys("esc")

	// 待出函 (2.3), sent by the workflow: the desk follows the store.
	p, err := wf.PlanNotifyStatus(ctx, platform.StatusInput{OrderNo: no, Status: platform.OrderWaitOutGuarantee, Amount: "300.00"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Execute(ctx, p); err != nil {
		t.Fatal(err)
	}
	d.waitFor("the order in 待出函", func(m *Model) bool {
		s := m.todo.Selection()
		return s != nil && s.Key == no && s.Order.OrderStatus == platform.OrderWaitOutGuarantee
	})
	calls41 := sb.CountCalls(platform.MethodGetFileURL)

	// 签发: the platform's 签署文件 is the first source.
	d.keys("i")
	d.waitFor("the source step", func(m *Model) bool { v, ok := m.pc.Top().(*issue.View); return ok && v.Step() == issue.StepSource })
	// One tab: 模板文件 does not apply to a 签署文件 and is passed over.
	d.keys("tab")
	d.inspect(func(m *Model) {
		if f := m.pc.Top().(*issue.View).SourceForm().Focused(); f == nil || f.Name() != "guarantee_no" {
			t.Fatalf("tab from a 签署文件 source went to %v, want 保函编号", f)
		}
	})
	d.keys("text:BH-DESK-1", "enter")
	d.waitFor("the review", func(m *Model) bool { v, ok := m.pc.Top().(*issue.View); return ok && v.Step() == issue.StepReview })
	if v := d.view(); !strings.Contains(v, "担保金额（大写）") || !strings.Contains(v, string(order.Creditor)) {
		t.Fatalf("the review does not show the facts:\n%s", v)
	}
	// The firm's seal and the sandbox's time-stamp authority.
	seal, err := filepath.Abs("../testdata/letter/seal.png")
	if err != nil {
		t.Fatal(err)
	}
	d.keys("enter", "text:"+cert, "tab", "text:"+seal, "tab", "text:"+strings.TrimRight(sb.URL(), "/")+sandbox.TSAPath, "tab", "text:wrong", "enter")
	d.waitFor("the wrong password refused", func(m *Model) bool {
		v, ok := m.pc.Top().(*issue.View)
		return ok && v.Step() == issue.StepCert && v.Refusal() != ""
	})
	if v := d.view(); !strings.Contains(v, "密码不正确") || strings.Contains(v, "wrong") {
		t.Fatalf("wrong password: screen\n%s", v)
	}
	d.keys("text:"+letterPassword, "enter")
	var letter *platform.IssuedLetter
	d.waitFor("the signed letter", func(m *Model) bool {
		v, ok := m.pc.Top().(*issue.View)
		if ok && v.Step() == issue.StepSigned {
			var err error
			if letter, err = v.Signed(); err != nil {
				t.Fatalf("issue: %v", err)
			}
		}
		return ok && v.Step() == issue.StepSigned
	})
	if v := d.view(); !strings.Contains(v, "PDF检查：文件完整，签名有效") || !strings.Contains(v, letter.SHA256) || strings.Contains(v, letterPassword) {
		t.Fatalf("the signed step:\n%s", v)
	}
	if !db.HasFile(letter.SHA256) {
		t.Fatal("the signed letter is not in the file store")
	}
	if r := action.ReportText(letter.Report); !strings.Contains(r, "时间戳服务签发的时间戳") {
		t.Errorf("the letter is not time-stamped by the sandbox's TSA:\n%s", r)
	}
	if sb.CountCalls(platform.MethodGetFileURL) != calls41+1 {
		t.Errorf("4.1 calls for the signing: %d, want 1", sb.CountCalls(platform.MethodGetFileURL)-calls41)
	}

	// Push (2.5) through the push action's confirmation.
	d.keys("p")
	d.waitFor("the push confirmation", func(m *Model) bool {
		a, ok := m.pc.Top().(*action.View)
		return ok && a.State() == action.StateConfirm && a.Prepared().Report != nil && a.Prepared().Blocked == ""
	})
	if v := d.view(); !strings.Contains(v, "guarantee_pdf_hash") || !strings.Contains(v, letter.SHA256) {
		t.Fatalf("push confirmation:\n%s", v)
	}
	d.keys("enter") // never sends
	if _, ok := sb.Guarantee("BH-DESK-1"); ok {
		t.Fatal("enter pushed")
	}
	d.keys("y")
	d.inspect(func(m *Model) {
		if a, ok := m.pc.Top().(*action.View); ok && a.Armed() {
			t.Logf("push warnings: %v", a.Prepared().Overrides)
		}
	})
	d.waitFor("the push's answer", func(m *Model) bool { a, ok := m.pc.Top().(*action.View); return ok && a.State() == action.StateResult })
	assertNoError(t, d)
	d.keys("esc")
	d.inspect(func(m *Model) {
		if _, ok := m.pc.Top().(*issue.View); ok {
			t.Error("the issue flow stays open after its letter was pushed")
		}
	})
	g, ok := sb.Guarantee("BH-DESK-1")
	if !ok || g.PDFHash != letter.SHA256 {
		t.Fatalf("platform's guarantee %+v, letter %s", g, letter.SHA256)
	}
	lg, err := db.GetGuarantee(ctx, "BH-DESK-1")
	if err != nil || lg.SerialNum != g.SerialNum || lg.PDFSHA256 != letter.SHA256 || !db.HasFile(lg.PDFSHA256) {
		t.Fatalf("local guarantee %+v, %v", lg, err)
	}
	ans, err := sb.VerifyRequest(ctx, g.SerialNum, letter.PDF)
	if err != nil {
		t.Fatal(err)
	}
	if ans.IsModified != 2 {
		t.Errorf("2.6 验真 of the pushed letter: %+v, want is_modified 2", ans)
	}
}

// mustFile is a platform file's bytes as the sandbox holds them.
func mustFile(t *testing.T, sb *sandbox.Server, fileID string) []byte {
	t.Helper()
	f, ok := sb.File(fileID)
	if !ok {
		t.Fatalf("the sandbox has no file %s", fileID)
	}
	return f.Data
}

// An order's detail shows each platform file's state as the keeper leaves
// it: failed and to be retried (its journal event), downloading with a bar
// (the store's FileBoard, followed live), then kept with its SHA-256 once
// the download is recorded (the detail reads itself again).
func TestDetailFileStates(t *testing.T) {
	db := fixtureStore(t)
	ctx := context.Background()
	if _, err := db.AddEvent(ctx, store.Event{Kind: platform.EventKindFile, Direction: store.DirIn, Method: platform.MethodGetFileURL,
		Ref: "1813037628", Summary: "下载失败，将重试", Detail: `{"field":"attach_files","file_id":"F1002","file_name":"","error":"平台拒绝：状态码 2002"}`}); err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	d.keys("2", "j", "j")
	d.waitFor("order 1813037628 selected", func(m *Model) bool {
		s := m.panes[m.active].Selection()
		return s != nil && s.Key == "1813037628"
	})
	d.keys("enter")
	d.waitFor("the detail", func(m *Model) bool { dv, ok := m.pc.Top().(*detail.View); return ok && !dv.Busy() })
	if v := d.view(); !strings.Contains(v, "[下载失败，将自动重试") || !strings.Contains(v, "2002") {
		t.Fatalf("the failed 附件 is not shown:\n%s", v)
	}
	board := platform.Board(db)
	board.Set(platform.FileProgress{OrderNo: "1813037628", FileID: "F1001", Done: 500, Total: 1000})
	d.waitFor("the bar", func(m *Model) bool { return strings.Contains(m.View(), "[下载中") })
	if v := d.view(); !strings.Contains(v, "50%") || strings.Contains(v, "[未下载") {
		t.Fatalf("the download in progress:\n%s", v)
	}
	ref, err := db.PutFile(strings.NewReader("%PDF-1.4 投标保函格式"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordDownload(ctx, store.Download{FileID: "F1001", SHA256: ref.SHA256, Name: "投标保函格式.pdf", Size: ref.Size}); err != nil {
		t.Fatal(err)
	}
	board.Remove("F1001")
	d.waitFor("the file kept", func(m *Model) bool {
		v := m.View()
		return !strings.Contains(v, "[下载中") && strings.Contains(v, ref.SHA256)
	})
	if v := d.view(); !strings.Contains(v, "投标保函格式.pdf  (file_id F1001)") || !strings.Contains(v, "[已存，o 打开]") {
		t.Fatalf("the kept 签署文件:\n%s", v)
	}
}
