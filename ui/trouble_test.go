package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/platform/sandbox/sandboxtest"
	"baohan/store"
	"baohan/ui/components/action"
	"baohan/ui/components/statusbar"
)

// addTrouble adds to the fixture a push whose answer never came (结果未知)
// and a callback the listener could not store (故障).
func addTrouble(t *testing.T, db *store.Store) {
	t.Helper()
	ctx := context.Background()
	id, err := db.StartAttempt(ctx, platform.MethodPushGuarantee, "1813037629", `{"order_no":"1813037629","guarantee_no":"G2025010"}`)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishAttempt(ctx, id, store.AttemptUnknown, 0, "post push_guarantee: context deadline exceeded (Client.Timeout exceeded while awaiting headers)", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddEvent(ctx, faultEvent(ms("09:45"))); err != nil {
		t.Fatal(err)
	}
	execSQL(t, db, sqlStmt{`UPDATE attempts SET started_at = ?, finished_at = ?`, []any{ms("09:50"), ms("09:51")}})
}

func faultEvent(at int64) store.Event {
	return store.Event{At: at, Kind: store.KindFault, Direction: store.DirIn, Method: "apply_claim", Ref: "LP2025003", Status: 500,
		Summary: "回调 apply_claim（3.1）未能保存，已请平台重发：database or disk is full"}
}

// The 待办 pane lists faults and calls whose outcome is unknown above the
// rest, and counts the unknown ones.
func TestGoldenTrouble(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sizeName("todo_trouble", sz.w, sz.h), func(t *testing.T) {
			db := fixtureStore(t)
			addTrouble(t, db)
			d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, sz.w, sz.h)
			v := d.view()
			for _, want := range []string{"待办 9 项", "故障（近 24 小时） 1", "结果未知的调用（需核对） 1", "推送电子保函", "06-10 09:50", "R 核对结果未知的调用"} {
				if !strings.Contains(v, want) {
					t.Errorf("no %q on the screen:\n%s", want, v)
				}
			}
			golden.RequireEqual(t, []byte(d.final()))
		})
	}
}

// A fault the live tail brings shows in the status bar, marked '!', until
// the clerk presses esc; it stays listed in 待办.
func TestFaultInStatusBar(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sizeName("todo_fault_live", sz.w, sz.h), func(t *testing.T) {
			db := fixtureStore(t)
			d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, sz.w, sz.h)
			if _, err := db.AddEvent(context.Background(), faultEvent(ms("09:59"))); err != nil {
				t.Fatal(err)
			}
			d.waitFor("the fault", func(m *Model) bool {
				return m.bar.Fault() != nil && len(m.todo.Faults()) == 1 && m.todo.Settled()
			})
			d.settle()
			v := d.view()
			lines := strings.Split(v, "\n")
			if bar := lines[len(lines)-2]; !strings.HasPrefix(bar, " ! 故障：回调 apply_claim") {
				t.Errorf("status bar: %q", bar)
			}
			golden.RequireEqual(t, []byte(v))
			d.keys("esc")
			d.inspect(func(m *Model) {
				if m.bar.Fault() != nil || m.pc.Bells != 2 { // the fault, and the fixture's order inside 24 hours of its deadline
					t.Errorf("after esc: fault %v, bells %d", m.bar.Fault(), m.pc.Bells)
				}
			})
			if v := d.view(); strings.Contains(v, " ! 故障") || !strings.Contains(v, "故障（近 24 小时） 1") {
				t.Errorf("after esc:\n%s", v)
			}
		})
	}
}

// A fault older than a day is not listed.
func TestOldFaultNotListed(t *testing.T) {
	db := fixtureStore(t)
	if _, err := db.AddEvent(context.Background(), faultEvent(ms("09:00")-25*3600*1000)); err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 80, 24)
	if v := d.view(); strings.Contains(v, "故障") {
		t.Errorf("an old fault is listed:\n%s", v)
	}
}

// The status bar warns when this machine's clock is 5 minutes or more off
// the platform's.
func TestClockSkewWarning(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	for _, c := range []struct {
		skew time.Duration
		want string
	}{
		{4 * time.Minute, ""},
		{-7*time.Minute - 20*time.Second, "本机时钟与平台相差约 7 分钟（本机慢）"},
		{12 * time.Minute, "本机时钟与平台相差约 12 分钟（本机快）"},
	} {
		d.tm.Send(statusbar.SkewMsg{Skew: c.skew, OK: true})
		d.settle()
		lines := strings.Split(d.view(), "\n")
		bar := lines[len(lines)-2]
		if c.want == "" && strings.Contains(bar, "时钟") || c.want != "" && !strings.HasPrefix(bar, " ! "+c.want) {
			t.Errorf("skew %v: status bar %q", c.skew, bar)
		}
	}
}

// R reconciles against the simulated platform: a push whose answer was
// dropped is 结果未知 on 待办; R finds the order issued and settles it.
func TestReconcileKey(t *testing.T) {
	ctx := context.Background()
	env := sandboxtest.New(t, sandboxtest.WithoutListener())
	sb, db, client, wf := env.Sandbox, env.Store, env.Client, env.Workflows
	o := sb.GenerateOrder(sandbox.OrderSpec{Status: platform.OrderWaitOutGuarantee})
	sb.PutOrder(o)
	if err := db.Update(ctx, func(tx *store.Tx) error {
		return tx.UpsertOrder(store.Order{OrderNo: string(o.OrderNo), OrderStatus: platform.OrderWaitOutGuarantee,
			BlockNumber: string(o.BlockNumber), BlockName: string(o.BlockName), Principal: string(o.Principal),
			Creditor: string(o.Creditor), GuaranteeAmount: string(o.GuaranteeAmount), BidDeadline: string(o.BidDeadline),
			ValidDay: string(o.ValidDay)})
	}); err != nil {
		t.Fatal(err)
	}
	plan, err := wf.PlanPush(ctx, platform.PushInput{OrderNo: string(o.OrderNo), GuaranteeNo: "BH-R1", PDFPath: filepath.Join("testdata", "pdf", "signed.pdf")})
	if err != nil {
		t.Fatal(err)
	}
	sb.InjectFault(platform.MethodPushGuarantee, sandbox.Drop())
	if _, err := wf.Execute(ctx, plan); !platform.OutcomeUnknown(err) {
		t.Fatalf("dropped answer: %v", err)
	}

	d := newDesk(t, Options{Store: db, Workflows: wf, Client: client, Sandbox: true, Now: time.Now}, 120, 36)
	if v := d.view(); !strings.Contains(v, "结果未知的调用（需核对） 1") || !strings.Contains(v, "BH-R1") && !strings.Contains(v, string(o.OrderNo)) {
		t.Fatalf("no unknown call on 待办:\n%s", v)
	}
	d.keys("R")
	d.waitFor("the reconciliation", func(m *Model) bool {
		a, ok := m.pc.Top().(*action.View)
		return ok && a.State() == action.StateResult
	})
	v := d.view()
	if !strings.Contains(v, "核对结果未知的调用") || !strings.Contains(v, "已出函") || !strings.Contains(v, "不再重复推送") {
		t.Fatalf("reconciliation result:\n%s", v)
	}
	d.keys("esc")
	d.waitFor("待办 without the call", func(m *Model) bool {
		return m.pc.Top() == nil && m.todo.Settled() && len(m.todo.Unresolved()) == 0
	})
	if v := d.view(); strings.Contains(v, "结果未知的调用") {
		t.Fatalf("still listed:\n%s", v)
	}
	if n := sb.CountCalls(platform.MethodPushGuarantee); n != 1 {
		t.Fatalf("%d pushes", n)
	}
}

func sizeName(name string, w, h int) string { return fmt.Sprintf("%s_%dx%d", name, w, h) }
