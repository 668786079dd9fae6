package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchOrder makes a realistic order: Chinese names, a 2.1-sized fields
// object and raw payload.
func benchOrder(i int, rng *rand.Rand) Order {
	statuses := []string{"WAIT_FIRST_TRAIL", "WAIT_OFFER", "WAIT_PAY", "WAIT_OUT_GUARANTEE",
		"HAS_OUT_GUARANTEE", "FINISH", "FINISH", "FINISH", "FINISH", "CANCEL"}
	o := Order{
		OrderNo:            fmt.Sprintf("18%08d", i),
		OrderStatus:        statuses[rng.IntN(len(statuses))],
		BlockNumber:        fmt.Sprintf("E3501%013d-%03d", rng.IntN(1e9), rng.IntN(20)),
		BlockName:          fmt.Sprintf("福州市第%d中学教学楼改造工程施工（标段%d）", rng.IntN(5000), rng.IntN(9)+1),
		Principal:          fmt.Sprintf("福建省第%d建筑工程有限公司", rng.IntN(20000)),
		Creditor:           fmt.Sprintf("福州市%d区教育局", rng.IntN(300)),
		GuaranteeAmount:    fmt.Sprintf("%d.00", 10000+rng.IntN(800000)),
		BidDeadline:        time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(900*24*2)) * 30 * time.Minute).Format("2006-01-02 15:04"),
		ValidDay:           "90",
		ProjectType:        "construction",
		GuaranteeStartDate: "2025-01-01",
		GuaranteeEndDate:   "2025-04-28",
	}
	f := map[string]any{
		"request_method": "apply_guarantee", "order_no": o.OrderNo, "order_status": o.OrderStatus, "ktype": "1",
		"block_number": o.BlockNumber, "block_name": o.BlockName, "project_type": o.ProjectType,
		"bid_deadline": o.BidDeadline, "valid_day": o.ValidDay, "guarantee_amount": o.GuaranteeAmount,
		"project_amount": "12000000.00", "creditor": o.Creditor, "principal": o.Principal,
		"principal_name": "张三", "principal_phone": "13800000000", "principal_legal_person": "李四",
		"principal_legal_id_card": "350102198001010000", "principal_legal_phone": "13900000000",
		"principal_phone_social_credit_code": "91350100MA00000000", "principal_address": "福建省福州市鼓楼区某某路1号",
		"principal_bank_account_no": "6222000000000000000", "principal_bank_account_name": "中国工商银行福州分行",
		"address": "福建省福州市", "btc_name": "福州市公共资源交易中心",
		"guarantee_sign_files": `[{"file_id":"123456","file_url":"https://example.invalid/f/123456?sig=abcdef0123456789","file_name":"投标保函.pdf"}]`,
	}
	b, _ := json.Marshal(f)
	o.Fields = b
	o.Raw = b
	return o
}

// BenchmarkOrders100k fills a store with 100 000 orders (in transactions of
// 1000; the time is logged) and measures the queries the desk and the CLI
// run against it.
//
//	go test -run '^$' -bench Orders100k -benchtime 200x ./store/
func BenchmarkOrders100k(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	rng := rand.New(rand.NewPCG(1, 2))
	const total, batch = 100_000, 1000
	start := time.Now()
	for i := 0; i < total; i += batch {
		err := s.Update(ctx, func(tx *Tx) error {
			for j := i; j < i+batch; j++ {
				if err := tx.UpsertOrder(benchOrder(j, rng)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("inserted %d orders in batches of %d: %v (%.0f orders/s)", total, batch, time.Since(start),
		float64(total)/time.Since(start).Seconds())
	if _, err := s.w.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}

	// A cursor from the middle of the list.
	var mid Cursor
	{
		q := OrderQuery{Limit: MaxLimit}
		for i := 0; i < 10; i++ {
			_, next, err := s.ListOrders(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			q.After = next
		}
		mid = q.After
	}

	for _, c := range []struct {
		name string
		q    OrderQuery
	}{
		{"FirstPage", OrderQuery{Limit: 50}},
		{"FirstPageByUpdated", OrderQuery{Limit: 50, Sort: ByUpdated}},
		{"MiddlePage", OrderQuery{Limit: 50, After: mid}},
		{"StatusPage", OrderQuery{Limit: 50, Status: []string{"WAIT_PAY", "WAIT_OUT_GUARANTEE"}}},
		{"FilterCommon", OrderQuery{Limit: 50, Filter: "第12"}},      // many matches
		{"FilterRare", OrderQuery{Limit: 50, Filter: "1800012345"}}, // one match
		{"FilterNone", OrderQuery{Limit: 50, Filter: "不存在的公司"}},     // no match
		{"FilterShortCommon", OrderQuery{Limit: 50, Filter: "福州"}},  // < 3 characters: no trigram index
		{"FilterShortRare", OrderQuery{Limit: 50, Filter: "99"}},
		{"FilterShortNone", OrderQuery{Limit: 50, Filter: "无有"}},
	} {
		b.Run("List/"+c.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				page, _, err := s.ListOrders(ctx, c.q)
				if err != nil {
					b.Fatal(err)
				}
				n = len(page)
			}
			b.ReportMetric(float64(n), "rows")
		})
	}
	b.Run("Count/All", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.CountOrders(ctx, OrderQuery{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Count/Filter", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.CountOrders(ctx, OrderQuery{Filter: "第12"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Pending", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Pending(ctx, 50); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetOrder", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.GetOrder(ctx, "1800050000"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DataVersion", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.DataVersion(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CallbackCommit", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			no := fmt.Sprintf("19%08d", i)
			_, _, err := s.Callback(ctx, "apply_guarantee", no, "", func(tx *Tx) ([]byte, error) {
				if err := tx.UpsertOrder(benchOrder(i, rng)); err != nil {
					return nil, err
				}
				_, err := tx.AddEvent(Event{Kind: KindCallback, Ref: no})
				return []byte(`{"status":200}`), err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
