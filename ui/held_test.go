package ui

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"baohan/listener"
	"baohan/platform/sandbox"
	"baohan/platform/sandbox/sandboxtest"
	"baohan/store"
)

// A claim for a guarantee this firm never issued, sent by the sandbox to
// the real listener over loopback, is held and shows at once in 待办 in a
// section of its own, with its reason in Chinese (issue 9, item 3).
func TestGoldenHeld(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sizeName("todo_held", sz.w, sz.h), func(t *testing.T) {
			db := fixtureStore(t)
			// The real listener in front of the fixture store, the sandbox
			// sending it the claim.
			keys := sandboxtest.Keys(t)
			srv := listener.New(listener.Config{APISecret: keys.APISecret, PrivateKey: keys.GuarantorKey}, db)
			ts := httptest.NewServer(srv.Handler())
			defer ts.Close()
			sb := sandboxtest.New(t, sandboxtest.WithoutStore(), sandboxtest.WithoutListener(), sandboxtest.WithSandbox(func(o *sandbox.Options) {
				o.CallbackBase = ts.URL
				o.RetrySchedule = []time.Duration{time.Millisecond}
			})).Sandbox
			sb.PutGuarantee(sandbox.Guarantee{GuaranteeNo: "G2099001", SerialNum: "806097210890990001", BlockNumber: "BN-2099-001",
				BlockName: "某某工程（标段一）", Principal: "福建某某建设工程有限公司", Creditor: "福州市某某局"})
			claim, d, err := sb.ApplyClaim(context.Background(), "G2099001")
			if err != nil {
				t.Fatal(err)
			}
			<-d.Done() // the sandbox gives up after its (test) retries: the listener held it
			if hs, _ := db.ListHeld(context.Background(), store.HeldQuery{}); len(hs) != 1 {
				t.Fatalf("held %+v; answer %s", hs, d.Answer())
			}
			execSQL(t, db, sqlStmt{`UPDATE held SET received_at = ?, last_at = ?, ref = 'LP2025099'`, []any{ms("09:40"), ms("09:40")}})
			d2 := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true, DecideHeld: srv.DecideHeld}, sz.w, sz.h)
			v := d2.view()
			for _, want := range []string{"暂存的回调（核对未通过，待处理） 1", "理赔申请（3.1）", "理赔申请的保函 G2099001 不是本公司", "A 接受暂存回调"} {
				if !strings.Contains(v, want) {
					t.Errorf("no %q on the screen:\n%s", want, v)
				}
			}
			golden.RequireEqual(t, []byte(v))
			// A asks once more, the second A accepts: the claim is applied
			// and leaves the held section.
			d2.keys("A")
			if v := d2.view(); !strings.Contains(v, "再按一次 A 确认接受暂存回调 #1") {
				t.Errorf("no confirmation asked:\n%s", v)
			}
			d2.keys("A")
			d2.waitFor("the held claim accepted", func(m *Model) bool { return m.todo.Pending() != nil && m.todo.Pending().HeldTotal == 0 })
			if c, err := db.GetClaim(context.Background(), string(claim.ClaimNo)); err != nil || c.GuaranteeNo != "G2099001" {
				t.Errorf("accepted claim %+v %v", c, err)
			}
			if h, _ := db.GetHeld(context.Background(), 1); h.State != store.HeldAccepted || h.Note != "在工作台接受" {
				t.Errorf("held %+v", h)
			}
		})
	}
}
