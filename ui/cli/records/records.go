// Package records is how the commands show the store's records: the typed
// objects of `list --json`, `order info --json` and the like
// (shared/interface.md: the manual's field names where one exists), and
// their text.
package records

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"baohan/platform"
	"baohan/store"
)

// Order is an order's JSON object.
type Order struct {
	OrderNo         string `json:"order_no"`
	OrderStatus     string `json:"order_status"`
	BlockNumber     string `json:"block_number"`
	BlockName       string `json:"block_name"`
	Principal       string `json:"principal"`
	Creditor        string `json:"creditor"`
	GuaranteeAmount string `json:"guarantee_amount"`
	BidDeadline     string `json:"bid_deadline"`
	ValidDay        string `json:"valid_day"`
	OrderAmount     string `json:"order_amount"`
	Flagged         bool   `json:"flagged"`
	// The platform's files (interface.md), filled by AddOrderFiles:
	// file_id for guarantee issue --sign-file, sha256 once downloaded.
	GuaranteeSignFiles []OrderFile `json:"guarantee_sign_files"`
	AttachFiles        []OrderFile `json:"attach_files"`
}

// OrderFile is one file of an order's guarantee_sign_files or
// attach_files.
type OrderFile struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name"`
	SHA256   string `json:"sha256,omitempty"` // once downloaded into the file store
}

// FileName is a platform file's name: the one the platform sent with it
// (2.1 file_name), else the one its download gave ("" when neither).
func FileName(sent, downloaded string) string {
	if sent != "" {
		return sent
	}
	return downloaded
}

// AddOrderFiles fills each order's guarantee_sign_files and attach_files
// from the stored fields, with the sha256 of those already downloaded.
func AddOrderFiles(ctx context.Context, s *store.Store, orders []Order) error {
	nos := make([]string, 0, len(orders))
	for _, o := range orders {
		nos = append(nos, o.OrderNo)
	}
	fields, err := s.OrderFields(ctx, nos)
	if err != nil {
		return err
	}
	lists := make([][2][]platform.SignFile, len(orders))
	var ids []string
	for i, no := range nos {
		sign, attach := platform.OrderFiles(fields[no])
		lists[i] = [2][]platform.SignFile{sign, attach}
		for _, f := range append(append([]platform.SignFile{}, sign...), attach...) {
			ids = append(ids, string(f.FileID))
		}
	}
	dl, err := s.Downloads(ctx, ids)
	if err != nil {
		return err
	}
	list := func(files []platform.SignFile) []OrderFile {
		out := []OrderFile{}
		for _, f := range files {
			d := dl[string(f.FileID)]
			out = append(out, OrderFile{FileID: string(f.FileID), FileName: FileName(string(f.FileName), d.Name), SHA256: d.SHA256})
		}
		return out
	}
	for i := range orders {
		orders[i].GuaranteeSignFiles, orders[i].AttachFiles = list(lists[i][0]), list(lists[i][1])
	}
	return nil
}

// OrderOf is o's JSON object.
func OrderOf(o store.Order) Order {
	return Order{OrderNo: o.OrderNo, OrderStatus: o.OrderStatus, BlockNumber: o.BlockNumber,
		BlockName: o.BlockName, Principal: o.Principal, Creditor: o.Creditor,
		GuaranteeAmount: o.GuaranteeAmount, BidDeadline: o.BidDeadline, ValidDay: o.ValidDay,
		OrderAmount: o.OrderAmount, Flagged: o.Flagged}
}

// Guarantee is a guarantee's JSON object.
type Guarantee struct {
	GuaranteeNo      string `json:"guarantee_no"`
	SerialNum        string `json:"serial_num"`
	OrderNo          string `json:"order_no"`
	ReleaseStatus    int    `json:"release_status"`
	PDFSHA256        string `json:"pdf_sha256"`
	BlockNumber      string `json:"block_number"`
	OutGuaranteeTime string `json:"out_guarantee_time"`
	ReleaseDate      string `json:"release_date"`
	Pushed           bool   `json:"pushed"`
}

// GuaranteeOf is g's JSON object.
func GuaranteeOf(g store.Guarantee) Guarantee {
	return Guarantee{GuaranteeNo: g.GuaranteeNo, SerialNum: g.SerialNum, OrderNo: g.OrderNo,
		ReleaseStatus: g.ReleaseStatus, PDFSHA256: g.PDFSHA256, BlockNumber: g.BlockNumber,
		OutGuaranteeTime: g.OutGuaranteeTime, ReleaseDate: g.ReleaseDate, Pushed: g.PushedAt > 0}
}

// RevokedGuarantee is one guarantee of a revocation's lists.
type RevokedGuarantee struct {
	GuaranteeNo string `json:"guarantee_no"`
	Principal   string `json:"principal"`
	SerialNum   string `json:"serial_num"`
}

// Revocation is a revocation's JSON object, its items in the manual's
// three lists.
type Revocation struct {
	RevokeNo    string             `json:"revoke_no"`
	BlockNumber string             `json:"block_number"`
	BlockName   string             `json:"block_name"`
	Creditor    string             `json:"creditor"`
	Note        string             `json:"note"`
	Success     []RevokedGuarantee `json:"revoke_success_data"`
	Current     []RevokedGuarantee `json:"current_revoke_data"`
	Penalty     []RevokedGuarantee `json:"penalty_data"`
}

// RevocationOf is r's JSON object.
func RevocationOf(r store.Revocation) Revocation {
	out := Revocation{RevokeNo: r.RevokeNo, BlockNumber: r.BlockNumber, BlockName: r.BlockName,
		Creditor: r.Creditor, Note: r.Note,
		Success: []RevokedGuarantee{}, Current: []RevokedGuarantee{}, Penalty: []RevokedGuarantee{}}
	for _, it := range r.Items {
		g := RevokedGuarantee{GuaranteeNo: it.GuaranteeNo, Principal: it.Principal, SerialNum: it.SerialNum}
		switch it.List {
		case store.ListSuccess:
			out.Success = append(out.Success, g)
		case store.ListCurrent:
			out.Current = append(out.Current, g)
		case store.ListPenalty:
			out.Penalty = append(out.Penalty, g)
		}
	}
	return out
}

// Attachment is a claim attachment's JSON object.
type Attachment struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Field  string `json:"field"`
	Unsafe bool   `json:"unsafe,omitempty"` // not a listed type with matching content: never opened
}

// Claim is a claim's JSON object.
type Claim struct {
	ClaimNo     string       `json:"claim_no"`
	GuaranteeNo string       `json:"guarantee_no"`
	Status      string       `json:"status"`
	ClaimAmount string       `json:"claim_amount"`
	ClaimReason string       `json:"claim_reason"`
	BlockNumber string       `json:"block_number"`
	Principal   string       `json:"principal"`
	Creditor    string       `json:"creditor"`
	Attachments []Attachment `json:"attachments"`
}

// ClaimOf is c's JSON object.
func ClaimOf(c store.Claim) Claim {
	att := []Attachment{}
	for _, x := range c.Attachments {
		att = append(att, Attachment{Name: x.Name, Size: x.Size, SHA256: x.SHA256, Field: x.Field, Unsafe: x.Unsafe})
	}
	return Claim{ClaimNo: c.ClaimNo, GuaranteeNo: c.GuaranteeNo, Status: c.Status,
		ClaimAmount: c.ClaimAmount, ClaimReason: c.ClaimReason, BlockNumber: c.BlockNumber,
		Principal: c.Principal, Creditor: c.Creditor, Attachments: att}
}

// Held is a held callback's JSON object (interface.md `list held`).
type Held struct {
	ID     int64  `json:"id"`
	Method string `json:"method"`
	Key    string `json:"key"`
	Ref    string `json:"ref"` // the business number: order, claim or revocation number
	Reason string `json:"reason"`
	// ReceivedAt is YYYY-MM-DD HH:MM:SS (China Standard Time), as every
	// time in --json output (interface.md).
	ReceivedAt string `json:"received_at"`
	State      string `json:"state"`
	Repeats    int    `json:"repeats"`
	Note       string `json:"note"`
	// Fields is every field of the plaintext as received (sign masked
	// nowhere: it is no secret); Plaintext the exact text.
	Fields    map[string]json.RawMessage `json:"fields"`
	Plaintext string                     `json:"plaintext"`
	Files     []HeldFile                 `json:"files"`
}

// HeldFile is one file of a held callback, and whether it was kept.
type HeldFile struct {
	Field  string `json:"field"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Kept   bool   `json:"kept"`
}

// HeldOf is h's JSON object.
func HeldOf(h store.Held) Held {
	out := Held{ID: h.ID, Method: h.Method, Key: h.Key, Ref: h.Ref, Reason: h.Reason,
		ReceivedAt: time.UnixMilli(h.ReceivedAt).In(platform.CST).Format(platform.DateTimeLayout),
		State:      h.State, Repeats: h.Repeats, Note: h.Note, Plaintext: h.Plaintext,
		Fields: map[string]json.RawMessage{}, Files: []HeldFile{}}
	if f, err := platform.ParseFields([]byte(h.Plaintext)); err == nil {
		for k, v := range f {
			out.Fields[k] = json.RawMessage(v)
		}
	}
	for _, f := range h.Files {
		out.Files = append(out.Files, HeldFile{Field: f.Field, Name: f.Name, Size: f.Size, SHA256: f.SHA256, Kept: !f.Omitted})
	}
	return out
}

// WriteOrder is an order as text (`order info`).
func WriteOrder(w io.Writer, o store.Order) {
	fmt.Fprintf(w, "订单 %s：%s\n标段 %s %s\n被保证人 %s\n受益人 %s\n担保金额 %s 元，投标截止 %s\n",
		o.OrderNo, platform.OrderStateLabel(o.OrderStatus), o.BlockNumber, o.BlockName, o.Principal, o.Creditor, o.GuaranteeAmount, o.BidDeadline)
}

// WriteClaim is a claim as text (`claim info`).
func WriteClaim(w io.Writer, c store.Claim) {
	fmt.Fprintf(w, "理赔 %s：%s\n保函编号 %s\n索赔金额 %s 元\n索赔理由 %s\n", c.ClaimNo, platform.ClaimStateLabel(c.Status), c.GuaranteeNo, c.ClaimAmount, c.ClaimReason)
}
