package store

import (
	"encoding/json"
	"errors"
)

// ErrNotFound is returned (wrapped) when a record asked for by its number does
// not exist. Test with errors.Is.
var ErrNotFound = errors.New("not found")

// ErrTooLarge is returned (wrapped) by PutFile when the content exceeds the
// allowed size. Nothing is kept of such a file.
var ErrTooLarge = errors.New("file too large")

// ErrBadHash is returned (wrapped) when a SHA-256 given to the file store is
// not 64 lower-case hex digits.
var ErrBadHash = errors.New("not a lower-case hex SHA-256")

// Order states of manual 5.4 (直开式) that the store's queries rely on.
const (
	OrderHasOutGuarantee = "HAS_OUT_GUARANTEE" // 已出函
	OrderFinish          = "FINISH"            // 交易完成
	OrderCancel          = "CANCEL"            // 交易取消
)

// Claim states of manual 5.7 that the store's Pending query relies on.
const (
	ClaimApplyWaitDeal = "APPLY_WAIT_DEAL" // 申请理赔/待受理
	ClaimDealPass      = "DEAL_PASS"       // 受理通过
)

// Order is a 保函申请订单 (manual 2.1 / 2.2). Text fields hold the values
// exactly as the platform sent them (amounts and dates are never parsed).
type Order struct {
	OrderNo            string `json:"order_no"`
	OrderStatus        string `json:"order_status"`
	BlockNumber        string `json:"block_number"`
	BlockName          string `json:"block_name"`
	Principal          string `json:"principal"`
	Creditor           string `json:"creditor"`
	GuaranteeAmount    string `json:"guarantee_amount"`
	BidDeadline        string `json:"bid_deadline"` // 'YYYY-MM-DD HH:MM' as sent
	ValidDay           string `json:"valid_day"`
	ProjectType        string `json:"project_type"`
	GuaranteeStartDate string `json:"guarantee_start_date"`
	GuaranteeEndDate   string `json:"guarantee_end_date"`
	OrderAmount        string `json:"order_amount"`

	// Fields is a JSON object of every field as received (2.1 callback or
	// 2.2 answer). UpsertOrder merges it key by key into the stored object.
	Fields json.RawMessage `json:"fields,omitempty"`
	// Raw is the last decrypted JSON received from the platform for this
	// order, verbatim (nil if none).
	Raw json.RawMessage `json:"raw,omitempty"`

	// Flagged marks an order that became known through a callback about an
	// order we had not received (假通知 check); FlagReason says why.
	Flagged    bool   `json:"flagged"`
	FlagReason string `json:"flag_reason,omitempty"`
	// Stub, on writes: the order is known only from a callback about an
	// order we did not know (2.4); a 1101 then removes it. A later write
	// without it (its 2.1, a 2.2 answer) makes it a real order. Not read.
	Stub bool `json:"-"`

	CreatedAt int64 `json:"created_at"` // unix ms, set by the store
	UpdatedAt int64 `json:"updated_at"` // unix ms, set by the store
}

// Guarantee is an issued 电子保函 (manual 2.5) and its release (2.9).
type Guarantee struct {
	GuaranteeNo string `json:"guarantee_no"`
	OrderNo     string `json:"order_no"`
	// SerialNum is the platform's 保函序列号, exact decimal digits as text (it
	// exceeds 2^53: never pass it through a float).
	SerialNum        string `json:"serial_num"`
	BlockNumber      string `json:"block_number"`
	BlockName        string `json:"block_name"`
	Principal        string `json:"principal"`
	Creditor         string `json:"creditor"`
	Guarantor        string `json:"guarantor"`
	PDFSHA256        string `json:"pdf_sha256"`
	PDFSize          int64  `json:"pdf_size"`
	OutGuaranteeTime string `json:"out_guarantee_time"` // 'YYYY-MM-DD HH:MM:SS'
	TransNo          string `json:"trans_no"`
	PushedAt         int64  `json:"pushed_at"`    // unix ms; 0 = not (yet) accepted by the platform
	ReleasedAt       int64  `json:"released_at"`  // unix ms; 0 = not released
	ReleaseDate      string `json:"release_date"` // remove_guarantee_date sent with 2.9

	// ReleaseStatus is the 2.10 code (1-5) derived by the store on reads;
	// ignored on writes.
	ReleaseStatus int `json:"release_status"`
	// ReleaseDoubtAt (unix ms, 0 none): a 2.9 answer left the release in
	// doubt (解保结果不明); 2.10 answers 4 meanwhile. Ignored on writes.
	ReleaseDoubtAt int64 `json:"release_doubt_at"`

	Fields    json.RawMessage `json:"fields,omitempty"` // JSON object, merged on PutGuarantee
	CreatedAt int64           `json:"created_at"`
	UpdatedAt int64           `json:"updated_at"`
}

// Revocation lists (manual 2.8 revoke_guarantee_data).
const (
	ListSuccess = "success" // revoke_success_data: 已发起撤销名单
	ListCurrent = "current" // current_revoke_data: 当次撤销名单
	ListPenalty = "penalty" // penalty_data: 罚没名单
)

// Revocation is one 保函撤销 batch (manual 2.8), identified by revoke_no.
type Revocation struct {
	RevokeNo    string `json:"revoke_no"`
	BlockNumber string `json:"block_number"`
	BlockName   string `json:"block_name"`
	Creditor    string `json:"creditor"`
	Note        string `json:"note"`
	// DeclareFileSHA256 is the SHA-256 of the revoke_guarantee_declare_file
	// actually received and kept in the file store ("" if none).
	DeclareFileSHA256 string `json:"declare_file_sha256"`
	// DeclareFileHashClaimed is revoke_guarantee_declare_file_hash as sent.
	DeclareFileHashClaimed string `json:"declare_file_hash_claimed"`
	// Data is the revoke_guarantee_data text exactly as received.
	Data       string           `json:"data"`
	Raw        json.RawMessage  `json:"raw,omitempty"`
	ReceivedAt int64            `json:"received_at"` // unix ms; 0 on write = now
	Items      []RevocationItem `json:"items"`
}

// RevocationItem is one row of one of the three lists of a Revocation.
type RevocationItem struct {
	List        string `json:"list"` // ListSuccess, ListCurrent or ListPenalty
	GuaranteeNo string `json:"guarantee_no"`
	Principal   string `json:"principal"`
	SerialNum   string `json:"serial_num"`
}

// Claim is a 理赔申请 (manual 3.1, refreshed by 3.3).
type Claim struct {
	ClaimNo            string `json:"claim_no"`
	Status             string `json:"status"` // latest status received (5.7)
	GuaranteeNo        string `json:"guarantee_no"`
	BlockNumber        string `json:"block_number"`
	BlockName          string `json:"block_name"`
	Principal          string `json:"principal"`
	Creditor           string `json:"creditor"`
	Guarantor          string `json:"guarantor"`
	OutGuarantee       string `json:"out_guarantee"`
	ClaimAmount        string `json:"claim_amount"`
	ClaimReason        string `json:"claim_reason"`
	ContactPerson      string `json:"contact_person"`
	ContactPhone       string `json:"contact_phone"`
	ContactMail        string `json:"contact_mail"`
	GuaranteePDFSHA256 string `json:"guarantee_pdf_sha256"` // the guarantee_pdf received with 3.1

	Fields     json.RawMessage `json:"fields,omitempty"` // JSON object, merged on PutClaim
	Raw        json.RawMessage `json:"raw,omitempty"`
	ReceivedAt int64           `json:"received_at"` // unix ms of first receipt
	UpdatedAt  int64           `json:"updated_at"`

	// Attachments: on PutClaim, added (an attachment already stored with the
	// same field and sha256 is kept once). On reads, all of them.
	Attachments []ClaimAttachment `json:"attachments"`
	// Statuses and Results are filled by GetClaim only; ignored on writes.
	Statuses []ClaimStatus `json:"statuses,omitempty"`
	Results  []ClaimResult `json:"results,omitempty"`
}

// ClaimAttachment is one attach_fileN of a claim, kept in the file store.
type ClaimAttachment struct {
	Field  string `json:"field"` // form field name, e.g. "attach_file0"
	Name   string `json:"name"`  // sanitised original file name
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Unsafe: not a type the manual lists, or content that does not match
	// the name (platform/filetype, decided by the listener at intake). It
	// is kept as evidence and never opened.
	Unsafe bool `json:"unsafe,omitempty"`
}

// ClaimStatus is one status a claim has been seen in, with when it was first seen.
type ClaimStatus struct {
	Status string `json:"status"`
	At     int64  `json:"at"` // unix ms
}

// ClaimResult is what we sent with 3.2 guarantor_update_claim_result.
type ClaimResult struct {
	ID        int64  `json:"id"`
	ClaimNo   string `json:"claim_no"`
	DoType    int    `json:"do_type"` // 1 受理 2 理赔 3 追偿
	Status    int    `json:"status"`
	Note      string `json:"note"`
	AttemptID int64  `json:"attempt_id,omitempty"` // the Attempt that carried it, if known
	At        int64  `json:"at"`                   // unix ms; 0 on write = now
}

// Event kinds and directions (suggested values; the store does not check Kind).
const (
	KindCallback = "callback"
	KindCall     = "call"
	KindFlag     = "flag"
	KindFault    = "fault"

	DirIn  = "in"
	DirOut = "out"
)

// Event is one line of the append-only journal the desk tails.
type Event struct {
	ID        int64  `json:"id"`
	At        int64  `json:"at"` // unix ms; 0 on write = now
	Kind      string `json:"kind"`
	Direction string `json:"direction"` // DirIn, DirOut or ""
	Method    string `json:"method"`
	Ref       string `json:"ref"` // order/guarantee/claim/revoke no
	Status    int    `json:"status"`
	LatencyMS int64  `json:"latency_ms"`
	Summary   string `json:"summary"` // Chinese one-liner for the clerk
	Detail    string `json:"detail"`  // JSON, secrets masked by the caller
}

// Attempt states.
const (
	AttemptSending = "sending" // recorded, request not known to have completed
	AttemptOK      = "ok"      // platform answered 200
	AttemptRefused = "refused" // platform answered non-200
	AttemptFailed  = "failed"  // certainly not delivered (e.g. connection refused)
	AttemptUnknown = "unknown" // may or may not have been applied (timeout after send)
)

// Attempt is one outbound call, recorded before it is sent.
type Attempt struct {
	ID         int64  `json:"id"`
	Method     string `json:"method"`
	Ref        string `json:"ref"`
	Request    string `json:"request"` // JSON, masked by the caller
	State      string `json:"state"`
	Status     int    `json:"status"`
	Msg        string `json:"msg"`
	Response   string `json:"response"`
	StartedAt  int64  `json:"started_at"`  // unix ms
	FinishedAt int64  `json:"finished_at"` // unix ms, 0 while sending
	LatencyMS  int64  `json:"latency_ms"`
	// Plaintext is the exact signed plaintext sent (secrets masked); the
	// platform's answer body is Response.
	Plaintext string `json:"plaintext"`
}

// FileRef names a file in the content-addressed file store.
type FileRef struct {
	SHA256 string `json:"sha256"` // lower-case hex
	Size   int64  `json:"size"`
}
