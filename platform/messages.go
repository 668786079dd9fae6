package platform

// The 16 messages of the manual: 9 calls the guarantor makes (1.1, 2.2, 2.3,
// 2.5, 2.9, 2.11, 3.2, 3.3, 4.1) with their answers, and 7 callbacks it
// serves (2.1, 2.4, 2.6, 2.7, 2.8, 2.10, 3.1) with their answers. JSON tags
// are the manual's field names. Fields the manual types int in 2.2, 2.3,
// 2.5, 2.9, 2.11 are Int (sent as numbers); everything else goes as strings
// (protocol.md). Incoming messages use Str/Int/SerialNum, which accept either
// form.

// Method names (the "method" field of calls, "request_method" of callbacks).
const (
	MethodGetAccessToken     = "get_access_token"              // 1.1
	MethodGetGuaranteeInfo   = "get_guarantee_info"            // 2.2
	MethodNotifyOrderStatus  = "notify_order_status"           // 2.3 and the 2.4 callback
	MethodPushGuarantee      = "guarantor_push_guarantee"      // 2.5
	MethodRemoveGuarantee    = "remove_guarantee"              // 2.9
	MethodCancelOrder        = "cancel_order"                  // 2.11
	MethodUpdateClaimResult  = "guarantor_update_claim_result" // 3.2
	MethodGetClaimInfo       = "guarantor_get_lp_info"         // 3.3
	MethodGetFileURL         = "get_file_url"                  // 4.1
	CallbackApplyGuarantee   = "apply_guarantee"               // 2.1
	CallbackOrderStatus      = "notify_order_status"           // 2.4
	CallbackGuaranteeRelease = "guarantee_release"             // 2.8
	CallbackReleaseSearch    = "guarantee_release_search"      // 2.10
	CallbackApplyClaim       = "apply_claim"                   // 3.1
)

// EnterInstitutionType is the value of enter_institution_type for a
// guarantor (担保公司).
const EnterInstitutionType = 2

// Common is what every business call carries besides its own fields.
type Common struct {
	Method               string `json:"method"`
	Timestamp            string `json:"timestamp"`
	BtcID                Int    `json:"btc_id"`
	EnterInstitutionType Int    `json:"enter_institution_type"`
}

// CommonStr is Common for the calls whose btc_id and
// enter_institution_type the manual types string (3.2, 3.3, 4.1).
type CommonStr struct {
	Method               string `json:"method"`
	Timestamp            string `json:"timestamp"`
	BtcID                Str    `json:"btc_id"`
	EnterInstitutionType Str    `json:"enter_institution_type"`
}

// Answer is the envelope of every answer, the platform's and ours.
type Answer struct {
	Status int    `json:"status"`
	Msg    string `json:"msg,omitempty"`
	Data   any    `json:"data,omitempty"`
}

// --- 1.1 get_access_token ---

// TokenRequest is 1.1's plaintext, encrypted with api_rsa_pk.
type TokenRequest struct {
	Method    string `json:"method"`
	APIKey    string `json:"api_key"`
	APISecret string `json:"api_secret"`
	Timestamp string `json:"timestamp"`
}

// TokenData is 1.1's answer data.
type TokenData struct {
	AccessToken Str `json:"access_token"`
	ExpiredAt   Int `json:"expired_at"` // Unix seconds
}

// --- 2.1 apply_guarantee (callback) ---

// SignFile is an element of guarantee_sign_files (2.1, 2.2).
type SignFile struct {
	FileID   Str `json:"file_id"`
	FileURL  Str `json:"file_url"`
	FileName Str `json:"file_name,omitempty"`
}

// ApplyGuarantee is the 2.1 callback: a new bid-bond order.
type ApplyGuarantee struct {
	RequestMethod                  Str `json:"request_method"`
	Timestamp                      Str `json:"timestamp"`
	BtcName                        Str `json:"btc_name,omitempty"`
	OrderNo                        Str `json:"order_no"`
	OrderStatus                    Str `json:"order_status"`
	Ktype                          Str `json:"ktype"`
	ProjectNumber                  Str `json:"project_number,omitempty"`
	ProjectName                    Str `json:"project_name,omitempty"`
	BlockNumber                    Str `json:"block_number"`
	BlockName                      Str `json:"block_name"`
	ProjectType                    Str `json:"project_type"`
	Address                        Str `json:"address,omitempty"`
	BidDeadline                    Str `json:"bid_deadline"`
	ValidDay                       Str `json:"valid_day"`
	GuaranteeAmount                Str `json:"guarantee_amount"`
	ProjectAmount                  Str `json:"project_amount"`
	ContractReckonAmount           Str `json:"contract_reckon_amount,omitempty"`
	ProjectCityCode                Str `json:"project_city_code,omitempty"`
	GuaranteeStartDate             Str `json:"guarantee_start_date,omitempty"`
	GuaranteeEndDate               Str `json:"guarantee_end_date,omitempty"`
	Creditor                       Str `json:"creditor"`
	CreditorName                   Str `json:"creditor_name,omitempty"`
	CreditorPhone                  Str `json:"creditor_phone,omitempty"` // the manual prints "creditor _phone"
	CreditorAccountBankName        Str `json:"creditor_account_bank_name,omitempty"`
	CreditorAccountBankNo          Str `json:"creditor_account_bank_no,omitempty"`
	TenderNoticeURL                Str `json:"tender_notice_url,omitempty"`
	TenderFileURL                  Str `json:"tender_file_url,omitempty"`
	BiddingAgent                   Str `json:"bidding_agent,omitempty"`
	BiddingAgentName               Str `json:"bidding_agent_name,omitempty"`
	BiddingAgentPhone              Str `json:"bidding_agent_phone,omitempty"`
	Principal                      Str `json:"principal"`
	PrincipalName                  Str `json:"principal_name"`
	PrincipalPhone                 Str `json:"principal_phone"`
	PrincipalEmail                 Str `json:"principal_email,omitempty"`
	PrincipalIDCard                Str `json:"principal_id_card,omitempty"`
	PrincipalLegalPerson           Str `json:"principal_legal_person"`
	PrincipalLegalIDCard           Str `json:"principal_legal_id_card"`
	PrincipalLegalPhone            Str `json:"principal_legal_phone"`
	PrincipalPhoneSocialCreditCode Str `json:"principal_phone_social_credit_code"`
	PrincipalAddress               Str `json:"principal_address"`
	PrincipalBankAccountNo         Str `json:"principal_bank_account_no"`
	PrincipalBankAccountName       Str `json:"principal_bank_account_name"`
	GuaranteeTemplateName          Str `json:"guarantee_template_name,omitempty"` // the manual prints "guarantee_template _name"
	GuaranteeSignFiles             Str `json:"guarantee_sign_files,omitempty"`    // JSON text of []SignFile
	AttachFiles                    Str `json:"attach_files,omitempty"`            // JSON text of []SignFile
}

// ApplyGuaranteeRequired lists 2.1's required fields (必须=是).
var ApplyGuaranteeRequired = []string{"request_method", "timestamp", "order_no", "order_status", "ktype",
	"block_number", "block_name", "project_type", "bid_deadline", "valid_day", "guarantee_amount",
	"project_amount", "creditor", "principal", "principal_name", "principal_phone",
	"principal_legal_person", "principal_legal_id_card", "principal_legal_phone",
	"principal_phone_social_credit_code", "principal_address", "principal_bank_account_no",
	"principal_bank_account_name"}

// ApplyAnswer is 2.1's answer data, taken from [apply] in the config.
type ApplyAnswer struct {
	OrderStatus string `json:"order_status" toml:"order_status"`
	PayMethod   string `json:"pay_method" toml:"pay_method"`
	RedirectURL string `json:"redirect_url" toml:"redirect_url"`
	Statement   string `json:"statement" toml:"statement"`
}

// --- 2.2 get_guarantee_info ---

// OrderInfoRequest is 2.2's plaintext.
type OrderInfoRequest struct {
	Common
	OrderNo string `json:"order_no"`
}

// OrderInfo is 2.2's answer data.
type OrderInfo struct {
	BtcName                        Str `json:"btc_name"`
	OrderNo                        Str `json:"order_no"`
	OrderStatus                    Str `json:"order_status"`
	Ktype                          Str `json:"ktype"`
	BlockNumber                    Str `json:"block_number"`
	BlockName                      Str `json:"block_name"`
	ProjectType                    Str `json:"project_type"`
	Address                        Str `json:"address"`
	BidDeadline                    Str `json:"bid_deadline"`
	ValidDay                       Str `json:"valid_day"`
	GuaranteeAmount                Str `json:"guarantee_amount"`
	ProjectAmount                  Str `json:"project_amount"`
	GuaranteeStartDate             Str `json:"guarantee_start_date"`
	GuaranteeEndDate               Str `json:"guarantee_end_date"`
	Creditor                       Str `json:"creditor"`
	CreditorName                   Str `json:"creditor_name"`
	CreditorPhone                  Str `json:"creditor_phone"`
	BiddingAgent                   Str `json:"bidding_agent"`
	BiddingAgentName               Str `json:"bidding_agent_name"`
	BiddingAgentPhone              Str `json:"bidding_agent_phone"`
	Principal                      Str `json:"principal"`
	PrincipalName                  Str `json:"principal_name"`
	PrincipalPhone                 Str `json:"principal_phone"`
	PrincipalPhoneSocialCreditCode Str `json:"principal_phone_social_credit_code"`
	GuaranteeTemplateFileName      Str `json:"guarantee_template_file_name"`
	GuaranteeSignFiles             Str `json:"guarantee_sign_files"`
	AttachFiles                    Str `json:"attach_files"`
	OrderAmount                    Str `json:"order_amount"`
}

// --- 2.3 notify_order_status ---

// NotifyOrderStatusRequest is 2.3's plaintext.
type NotifyOrderStatusRequest struct {
	Common
	OrderNo     string `json:"order_no"`
	OrderStatus string `json:"order_status"`
	OrderAmount string `json:"order_amount,omitempty"` // required for WAIT_OUT_GUARANTEE
	IsWithdraw  string `json:"is_withdraw,omitempty"`  // "1": approval sent back (审批退回)
	Statement   string `json:"statement,omitempty"`    // required when is_withdraw=1
}

// --- 2.4 notify_order_status (callback) ---

// OrderStatusNotice is the 2.4 callback.
type OrderStatusNotice struct {
	RequestMethod  Str `json:"request_method"`
	Timestamp      Str `json:"timestamp"`
	OrderNo        Str `json:"order_no"`
	BlockNumber    Str `json:"block_number"`
	BlockName      Str `json:"block_name"`
	Principal      Str `json:"principal"`
	Creditor       Str `json:"creditor"`
	Applicant      Str `json:"applicant"`
	OrderStatusOld Str `json:"order_status_old"`
	OrderStatus    Str `json:"order_status"`
}

// OrderStatusNoticeRequired lists 2.4's required fields.
var OrderStatusNoticeRequired = []string{"request_method", "timestamp", "order_no", "block_number",
	"block_name", "principal", "creditor", "applicant", "order_status_old", "order_status"}

// --- 2.5 guarantor_push_guarantee ---

// PushGuaranteeRequest is 2.5's plaintext; the PDF goes beside it as the
// unencrypted multipart file guarantee_pdf.
type PushGuaranteeRequest struct {
	Common
	OrderNo          string `json:"order_no"`
	GuaranteeNo      string `json:"guarantee_no"`
	Principal        string `json:"principal"`
	Creditor         string `json:"creditor"`
	Guarantor        string `json:"guarantor"`
	OutGuaranteeTime string `json:"out_guarantee_time"` // YYYY-MM-DD HH:MM:SS
	GuaranteePDFHash string `json:"guarantee_pdf_hash"` // SHA-256 hex of the bytes sent
	TransNo          string `json:"trans_no,omitempty"`
	// Fields the status codes 2402-2414 name but the table omits
	// (protocol.md), filled from the store.
	GuaranteeState     string `json:"guarantee_state"`
	GuaranteeItem      string `json:"guarantee_item"`
	GuaranteeType      string `json:"guarantee_type"`
	BlockNumber        string `json:"block_number"`
	BlockName          string `json:"block_name"`
	Applicant          string `json:"applicant"`
	GuaranteeAmount    string `json:"guarantee_amount"`
	GuaranteeApplyTime string `json:"guarantee_apply_time"`
	GuaranteeStartDate string `json:"guarantee_start_date"`
	GuaranteeEndDate   string `json:"guarantee_end_date"`
}

// PushResult is 2.5's answer data.
type PushResult struct {
	SerialNum SerialNum `json:"serial_num"`
}

// --- 2.6 verify (验真, callback) ---

// VerifyRequest is the 2.6 callback's plaintext; the PDF comes beside it.
type VerifyRequest struct {
	Timestamp Str       `json:"timestamp"`
	SerialNum SerialNum `json:"serial_num"`
}

// VerifyAnswer is 2.6's answer data.
type VerifyAnswer struct {
	SerialNum  SerialNum `json:"serial_num"`
	SignName   string    `json:"sign_name"`
	SignTime   string    `json:"sign_time"` // YYYY-MM-DD HH:MM:SS, UTC+8
	Issuer     string    `json:"issuer"`
	Timestamp  int64     `json:"timestamp"`   // Unix seconds, as the manual's example shows
	IsModified int       `json:"is_modified"` // 1 modified, 2 intact
}

// --- 2.7 query (查验, callback) ---

// QueryRequest is the 2.7 callback's plaintext.
type QueryRequest struct {
	Timestamp   Str       `json:"timestamp"`
	GuaranteeNo Str       `json:"guarantee_no"`
	SerialNum   SerialNum `json:"serial_num"`
}

// QueryAnswer is 2.7's answer data.
type QueryAnswer struct {
	GuaranteeNo        string    `json:"guarantee_no"`
	SerialNum          SerialNum `json:"serial_num"`
	Ktype              int       `json:"ktype"` // 1 直开式
	Proposer           string    `json:"proposer"`
	Warrantee          string    `json:"warrantee"`
	Beneficiary        string    `json:"beneficiary"`
	Proitem            string    `json:"proitem"`
	Variety            int       `json:"variety"` // 1 投标保函
	Amount             Decimal   `json:"amount"`
	GuaranteeStartDate string    `json:"guarantee_start_date"`
	GuaranteeEndDate   string    `json:"guarantee_end_date"`
	IsAvert            int       `json:"is_avert"` // 1 转开, 2 not
}

// --- 2.8 guarantee_release (撤销, callback) ---

// RevokeNotice is the 2.8 callback; the declaration PDF may come beside it.
type RevokeNotice struct {
	RequestMethod                  Str `json:"request_method"`
	Timestamp                      Str `json:"timestamp"`
	RevokeNo                       Str `json:"revoke_no"`
	BlockName                      Str `json:"block_name"`
	BlockNumber                    Str `json:"block_number"`
	Creditor                       Str `json:"creditor"`
	Note                           Str `json:"note"`
	RevokeGuaranteeData            Str `json:"revoke_guarantee_data"` // JSON text of RevokeData
	RevokeGuaranteeDeclareFileHash Str `json:"revoke_guarantee_declare_file_hash,omitempty"`
}

// RevokeNoticeRequired lists 2.8's required fields. The manual marks note
// required; an empty note is accepted as present.
var RevokeNoticeRequired = []string{"request_method", "timestamp", "revoke_no", "block_name",
	"block_number", "creditor", "revoke_guarantee_data"}

// RevokeItem is one guarantee in a 2.8 list.
type RevokeItem struct {
	GuaranteeNo Str       `json:"guarantee_no"`
	Principal   Str       `json:"principal"`
	SerialNum   SerialNum `json:"serial_num"`
}

// RevokeData is the decoded revoke_guarantee_data of 2.8.
type RevokeData struct {
	RevokeSuccessData []RevokeItem `json:"revoke_success_data"` // 已发起撤销名单
	CurrentRevokeData []RevokeItem `json:"current_revoke_data"` // 当次撤销名单
	PenaltyData       []RevokeItem `json:"penalty_data"`        // 罚没名单
}

// --- 2.9 remove_guarantee (解保) ---

// RemoveGuaranteeRequest is 2.9's plaintext.
type RemoveGuaranteeRequest struct {
	Common
	BlockNumber         string `json:"block_number"`
	BlockName           string `json:"block_name"`
	Creditor            string `json:"creditor"`
	RemoveGuaranteeData string `json:"remove_guarantee_data"` // JSON text of []RemoveItem
}

// RemoveItem is one guarantee released in 2.9.
type RemoveItem struct {
	GuaranteeNo         string    `json:"guarantee_no"`
	RemoveGuaranteeDate string    `json:"remove_guarantee_date"` // YYYY-MM-DD HH:MM:SS
	SerialNum           SerialNum `json:"serial_num"`
}

// RemoveResult is 2.9's answer data: the per-item errors.
type RemoveResult struct {
	Error struct {
		ErrorTotal Int           `json:"error_total"`
		Data       []RemoveError `json:"data,omitempty"`
	} `json:"error"`
}

// RemoveError is one refused item of 2.9.
type RemoveError struct {
	ErrorMsg  Str `json:"error_msg"`
	ErrorInfo struct {
		GuaranteeNo         Str       `json:"guarantee_no"`
		RemoveGuaranteeDate Str       `json:"remove_guarantee_date"`
		SerialNum           SerialNum `json:"serial_num"`
	} `json:"error_info"`
}

// --- 2.10 guarantee_release_search (解保查询, callback) ---

// ReleaseQuery is the 2.10 callback.
type ReleaseQuery struct {
	RequestMethod Str       `json:"request_method"`
	Timestamp     Str       `json:"timestamp"`
	BlockNumber   Str       `json:"block_number"`
	GuaranteeNo   Str       `json:"guarantee_no"`
	SerialNum     SerialNum `json:"serial_num"`
}

// ReleaseQueryRequired lists 2.10's required fields.
var ReleaseQueryRequired = []string{"request_method", "timestamp", "block_number", "guarantee_no", "serial_num"}

// ReleaseAnswer is 2.10's answer data.
type ReleaseAnswer struct {
	GuaranteeNo         string    `json:"guarantee_no"`
	SerialNum           SerialNum `json:"serial_num"`
	Status              string    `json:"status"` // 1-5, see ReleaseStatusText
	RevokeGuaranteeDate string    `json:"revoke_guarantee_date"`
}

// --- 2.11 cancel_order ---

// CancelOrderRequest is 2.11's plaintext.
type CancelOrderRequest struct {
	Common
	OrderNo      string `json:"order_no"`
	CancelReason string `json:"cancel_reason"`
}

// --- 3.1 apply_claim (理赔申请, callback) ---

// ApplyClaim is the 3.1 callback; guarantee_pdf and attach_file0..N come
// beside it.
type ApplyClaim struct {
	RequestMethod Str `json:"request_method"`
	Timestamp     Str `json:"timestamp"`
	ClaimNo       Str `json:"claim_no"`
	Status        Str `json:"status"`
	GuaranteeNo   Str `json:"guarantee_no"`
	BlockName     Str `json:"block_name"`
	BlockNumber   Str `json:"block_number"`
	Principal     Str `json:"principal"`
	Creditor      Str `json:"creditor"`
	Guarantor     Str `json:"guarantor"`
	OutGuarantee  Str `json:"out_guarantee"`
	ClaimAmount   Str `json:"claim_amount"`
	ClaimReason   Str `json:"claim_reason"`
	ContactPerson Str `json:"contact_person"`
	ContactPhone  Str `json:"contact_phone"`
	ContactMail   Str `json:"contact_mail"`
}

// ApplyClaimRequired lists 3.1's required fields.
var ApplyClaimRequired = []string{"request_method", "timestamp", "claim_no", "status", "guarantee_no",
	"block_name", "block_number", "principal", "creditor", "guarantor", "out_guarantee",
	"claim_amount", "claim_reason", "contact_person", "contact_phone", "contact_mail"}

// --- 3.2 guarantor_update_claim_result ---

// ClaimResultRequest is 3.2's plaintext.
type ClaimResultRequest struct {
	CommonStr
	ClaimNo     string `json:"claim_no"`
	GuaranteeNo string `json:"guarantee_no"`
	Principal   string `json:"principal"`
	Creditor    string `json:"creditor"`
	Guarantor   string `json:"guarantor"`
	DoType      string `json:"do_type"` // 1 受理, 2 理赔, 3 追偿
	Status      string `json:"status"`  // per do_type, see ClaimResultChoices
	Note        string `json:"note"`
	// Fields the status codes 3202-3208 name but the table omits
	// (protocol.md), filled from the store.
	BlockNumber string `json:"block_number"`
	BlockName   string `json:"block_name"`
	ClaimState  string `json:"claim_state"` // the 5.7 state the result leads to
	UpdateTime  string `json:"update_time"` // YYYY-MM-DD HH:MM:SS
}

// --- 3.3 guarantor_get_lp_info ---

// ClaimInfoRequest is 3.3's plaintext.
type ClaimInfoRequest struct {
	CommonStr
	ClaimNo     string `json:"claim_no"`
	GuaranteeNo string `json:"guarantee_no"`
	Principal   string `json:"principal"`
	Creditor    string `json:"creditor"`
	Guarantor   string `json:"guarantor"`
}

// ClaimInfo is 3.3's answer data.
type ClaimInfo struct {
	ClaimNo       Str `json:"claim_no"`
	Status        Str `json:"status"`
	GuaranteeNo   Str `json:"guarantee_no"`
	BlockName     Str `json:"block_name"`
	BlockNumber   Str `json:"block_number"`
	Principal     Str `json:"principal"`
	Creditor      Str `json:"creditor"`
	Guarantor     Str `json:"guarantor"`
	ClaimAmount   Str `json:"claim_amount"`
	ClaimReason   Str `json:"claim_reason"`
	ContactPerson Str `json:"contact_person"`
	ContactPhone  Str `json:"contact_phone"`
	ContactMail   Str `json:"contact_mail"`
}

// --- 4.1 get_file_url ---

// FileURLRequest is 4.1's plaintext.
type FileURLRequest struct {
	CommonStr
	FileID string `json:"file_id"`
}

// FileURL is 4.1's answer data. The URL expires after 2 hours.
type FileURL struct {
	FileURL Str `json:"file_url"`
}
