package export

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"baohan/platform"
	"baohan/store"
)

// BenchmarkExport10kOrders reads and writes a ledger of 10 000 orders.
func BenchmarkExport10kOrders(b *testing.B) {
	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	err = st.Update(context.Background(), func(tx *store.Tx) error {
		for i := range 10000 {
			if err := tx.UpsertOrder(store.Order{OrderNo: fmt.Sprintf("18%08d", i), OrderStatus: "WAIT_PAY", BlockNumber: fmt.Sprintf("BN-%05d", i),
				BlockName: "福州市某某工程施工（标段一）", Principal: "福建某某建设工程有限公司", Creditor: "福州市城乡建设局",
				GuaranteeAmount: "800000.00", BidDeadline: "2025-06-15 09:00", ValidDay: "90", ProjectType: "construction"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for _, ext := range []string{"xlsx", "csv"} {
		b.Run(ext, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l, err := platform.BuildLedger(context.Background(), st, "orders", platform.LedgerFilter{})
				if err != nil || len(l.Rows) != 10000 {
					b.Fatal(err)
				}
				if err := Write(filepath.Join(dir, "orders."+ext), l, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
