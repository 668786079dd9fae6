package todo

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli/cmdutil/cmdtest"
)

// `baohan todo` reads 待办 from the store alone (no platform): an order not
// yet issued with the time to its deadline, a claim awaiting 受理, and the
// same as one JSON object with --json.
func TestTodoRun(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, platform.CST)
	for _, asJSON := range []bool{false, true} {
		e := cmdtest.New(t)
		e.F.DataDir, e.F.JSON = dir, asJSON
		s, err := e.F.StoreOnly()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Update(context.Background(), func(tx *store.Tx) error {
			if err := tx.UpsertOrder(store.Order{OrderNo: "1813", OrderStatus: "WAIT_PAY", BlockName: "一号标段", BidDeadline: "2026-03-01 15:30"}); err != nil {
				return err
			}
			return tx.UpsertOrder(store.Order{OrderNo: "1900", OrderStatus: platform.OrderWaitOutGuarantee, BidDeadline: "2026-03-02 10:30"})
		}); err != nil {
			t.Fatal(err)
		}
		cmd := NewCmdTodo(e.F, func(o *TodoOptions) error {
			o.Now = func() time.Time { return now }
			return todoRun(o)
		})
		if err := cmdtest.Run(cmd); err != nil {
			t.Fatal(err)
		}
		out := e.Out.String()
		if !asJSON {
			for _, want := range []string{"未出函订单（按投标截止时间；! 为不到 24 小时截止） 2", "1813", "待支付", "剩 5 小时 30 分", "待解保（收到撤销通知） 0", "无"} {
				if !strings.Contains(out, want) {
					t.Fatalf("text lacks %q:\n%s", want, out)
				}
			}
			if strings.Index(out, "1813") > strings.Index(out, "1900") {
				t.Fatalf("soonest deadline not first:\n%s", out)
			}
			// ! on the order due within 24 hours, not on the one due in 24½.
			for _, l := range strings.Split(out, "\n") {
				mark := strings.HasPrefix(strings.TrimSpace(l), "!")
				if strings.Contains(l, "1813") && !mark || strings.Contains(l, "1900") && mark {
					t.Fatalf("the ! mark: %q\n%s", l, out)
				}
			}
			continue
		}
		var doc struct {
			Orders      []store.Order   `json:"orders"`
			OrdersTotal int             `json:"orders_total"`
			Claims      []store.Claim   `json:"claims"`
			Unresolved  []store.Attempt `json:"unresolved"`
			Faults      []store.Event   `json:"faults"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not one JSON document: %v\n%s", err, out)
		}
		if doc.OrdersTotal != 2 || len(doc.Orders) != 2 || doc.Orders[0].OrderNo != "1813" || doc.Claims == nil || doc.Unresolved == nil || doc.Faults == nil {
			t.Fatalf("json %+v", doc)
		}
	}
}
