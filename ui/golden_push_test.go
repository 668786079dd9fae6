package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"baohan/store"
)

// The push summary with each warning on top (unsigned, another signer, a
// file already pushed for another guarantee, an out time in the future),
// and armed for the second confirmation, at 80x24 and 120x36.
func TestGoldenPush(t *testing.T) {
	cases := []struct {
		name  string
		pdf   string
		keys  []string
		setup func(t *testing.T, db *store.Store, opt *Options)
	}{
		{name: "unsigned", pdf: "../testdata/pdf/unsigned.pdf"},
		{name: "unsigned_armed", pdf: "../testdata/pdf/unsigned.pdf", keys: []string{"y"}},
		{name: "other_signer", pdf: "testdata/pdf/signed.pdf", setup: func(t *testing.T, db *store.Store, opt *Options) {
			opt.Workflows.Guarantor = "福建另一家融资担保有限公司"
		}},
		{name: "already_pushed", pdf: "testdata/pdf/signed.pdf", setup: func(t *testing.T, db *store.Store, opt *Options) {
			b, err := os.ReadFile("testdata/pdf/signed.pdf")
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			if err := db.Update(context.Background(), func(tx *store.Tx) error {
				return tx.PutGuarantee(store.Guarantee{GuaranteeNo: "G2025003", OrderNo: "1813037631", Guarantor: "福州某某融资担保有限公司",
					PDFSHA256: hex.EncodeToString(sum[:]), PDFSize: int64(len(b)), OutGuaranteeTime: "2025-06-05 15:12:12", PushedAt: ms("08:00")})
			}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "out_time_future", pdf: "testdata/pdf/signed.pdf", keys: nil, setup: nil},
	}
	for _, c := range cases {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, sz.w, sz.h), func(t *testing.T) {
				db := fixtureStore(t)
				opt := Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}
				if c.setup != nil {
					c.setup(t, db, &opt)
				}
				d := newDesk(t, opt, sz.w, sz.h)
				openPush(d, c.pdf)
				if c.name == "out_time_future" {
					d.keys("tab", "text:2026-06-10 10:00:00", "shift+tab")
				}
				d.keys("enter", "enter", "enter")
				d.keys(c.keys...)
				golden.RequireEqual(t, []byte(d.final()))
			})
		}
	}
}
