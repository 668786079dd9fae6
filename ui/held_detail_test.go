package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/detail"
)

// A held revocation (2.8) with long lists can be read in full before A A
// accepts it: its detail names every field in Chinese, shows the three
// lists of revoke_guarantee_data as tables, cuts nothing, and scrolls to
// the end.
func TestHeldRevocationDetailInFull(t *testing.T) {
	db := fixtureStore(t)
	type item struct {
		GuaranteeNo string `json:"guarantee_no"`
		Principal   string `json:"principal"`
		SerialNum   string `json:"serial_num"`
	}
	var current, penalty []item
	for i := range 30 {
		current = append(current, item{fmt.Sprintf("G2099%04d", i), fmt.Sprintf("福建省某某建设工程集团有限公司第%02d分公司（联合体牵头人）", i), fmt.Sprintf("8060972108909%05d", i)})
	}
	penalty = append(penalty, item{"G2099P001", "福州某某路桥工程有限公司", "806097210890999999"})
	data, _ := json.Marshal(map[string][]item{"revoke_success_data": {}, "current_revoke_data": current, "penalty_data": penalty})
	plain, _ := json.Marshal(map[string]string{"request_method": "guarantee_release", "timestamp": "1735000000000", "revoke_no": "RV2099001",
		"block_name": "某某工程（标段一）", "block_number": "BN-2099-001", "creditor": "福州市某某局", "note": "招标终止，撤销全部保函",
		"revoke_guarantee_data": string(data)})
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Hold(store.Held{Method: platform.CallbackGuaranteeRelease, Key: "k-rv2099001", Ref: "RV2099001",
			Reason: "撤销名单中的保函不是本公司的", Plaintext: string(plain), ReceivedAt: ms("09:40"), LastAt: ms("09:40"),
			Files: []store.HeldFile{{Field: "revoke_guarantee_declare_file", Name: "撤销保函声明.pdf", Size: 862, SHA256: strings.Repeat("cd", 32)}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 80, 24)
	for range 40 {
		var kind common.RecordKind
		d.inspect(func(m *Model) {
			if s := m.panes[m.active].Selection(); s != nil {
				kind = s.Kind
			}
		})
		if kind == common.KindHeld {
			break
		}
		d.keys("j")
	}
	d.keys("enter")
	var sections []string
	d.inspect(func(m *Model) {
		v, ok := m.pc.Top().(*detail.View)
		if !ok {
			t.Fatalf("enter on the held row opened %T", m.pc.Top())
		}
		sections = v.Sections()
	})
	joined := strings.Join(sections, "|")
	for _, want := range []string{"当次撤销名单（30）", "罚没名单（1）", "已发起撤销名单（0）", "回调内容"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("no section %q in %q", want, sections)
		}
	}
	// Page through to the end; every line of every screen is read.
	var seen, flat strings.Builder
	last := ""
	for range 200 {
		v := d.view()
		seen.WriteString(v + "\n")
		for _, l := range strings.Split(v, "\n") {
			flat.WriteString(strings.TrimSpace(l)) // a row wrapped in its last column, joined
		}
		if v == last {
			break
		}
		last = v
		d.keys("pgdown")
	}
	all := seen.String()
	for _, it := range append(current, penalty...) {
		row := it.GuaranteeNo
		found := false
		for _, l := range strings.Split(all, "\n") {
			if strings.Contains(l, row) && strings.Contains(l, it.SerialNum) {
				found = true
			}
		}
		if !found || !strings.Contains(flat.String(), it.Principal) {
			t.Fatalf("item %+v not shown whole on one row", it)
		}
	}
	for _, label := range []string{"撤销保函声明文件", "要撤销的保函数据", "批次号", "受益人", "标段编号", "保函编号", "被保证人", "保函序列号"} {
		if !strings.Contains(all, label) {
			t.Fatalf("no %q on the screens", label)
		}
	}
	// No field is labelled by its English name.
	for _, l := range strings.Split(all, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, " >"), "revoke_") {
			t.Fatalf("an English label: %q", l)
		}
	}
}
