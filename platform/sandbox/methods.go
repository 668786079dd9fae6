package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"regexp"
	"strconv"
	"strings"
	"time"

	"baohan/platform"
)

// --- 1.1 get_access_token ---

func (s *Server) getAccessToken(q *request) answer {
	key := q.str("api_key")
	if key == "" {
		return fail(1002, "无权调用该接口：缺少 api_key")
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(s.opt.APIKey)) != 1 {
		return fail(1002, "无权调用该接口：api_key 不正确")
	}
	if subtle.ConstantTimeCompare([]byte(q.str("api_secret")), []byte(s.opt.APISecret)) != 1 {
		return fail(platform.StatusSignFailed, "验签失败：api_secret 不正确")
	}
	// Standard base64 with '+', '/' and '=', as the platform's tokens are:
	// the caller must escape it in the form.
	b := make([]byte, 96)
	_, _ = rand.Read(b)
	tok := base64.StdEncoding.EncodeToString(b)
	exp := s.now().Add(s.opt.TokenTTL)
	s.mu.Lock()
	// A new token voids the guarantor's earlier ones: two processes that
	// each renew on their own void each other's (protocol.md, 1.1).
	s.tokens = map[string]time.Time{tok: exp}
	s.mu.Unlock()
	if s.opt.Mean {
		// As a lifetime in seconds, which protocol.md also allows.
		return ok(map[string]any{"access_token": tok, "expired_at": int64(exp.Sub(s.now()).Round(time.Second) / time.Second)})
	}
	return ok(map[string]any{"access_token": tok, "expired_at": exp.Unix()})
}

// IssueToken makes an access token directly (tests of a stored token).
func (s *Server) IssueToken() (token string, expiresAt time.Time) {
	b := make([]byte, 96)
	_, _ = rand.Read(b)
	token = base64.StdEncoding.EncodeToString(b)
	expiresAt = s.now().Add(s.opt.TokenTTL)
	s.mu.Lock()
	s.tokens[token] = expiresAt
	s.mu.Unlock()
	return token, expiresAt
}

// --- 2.2 get_guarantee_info ---

func (s *Server) getGuaranteeInfo(q *request) answer {
	no := q.str("order_no")
	if no == "" {
		return fail(1100)
	}
	o, found := s.Order(no)
	if !found {
		return fail(1101, "订单不存在："+no)
	}
	return ok(s.orderInfo(o, q.root))
}

// orderInfo is 2.2's answer data for an order, with fresh file URLs.
func (s *Server) orderInfo(o Order, root string) platform.OrderInfo {
	a := o.ApplyGuarantee
	return platform.OrderInfo{
		BtcName: a.BtcName, OrderNo: a.OrderNo, OrderStatus: a.OrderStatus, Ktype: a.Ktype,
		BlockNumber: a.BlockNumber, BlockName: a.BlockName, ProjectType: a.ProjectType, Address: a.Address,
		BidDeadline: a.BidDeadline, ValidDay: a.ValidDay, GuaranteeAmount: a.GuaranteeAmount,
		ProjectAmount: a.ProjectAmount, GuaranteeStartDate: a.GuaranteeStartDate, GuaranteeEndDate: a.GuaranteeEndDate,
		Creditor: a.Creditor, CreditorName: a.CreditorName, CreditorPhone: a.CreditorPhone,
		BiddingAgent: a.BiddingAgent, BiddingAgentName: a.BiddingAgentName, BiddingAgentPhone: a.BiddingAgentPhone,
		Principal: a.Principal, PrincipalName: a.PrincipalName, PrincipalPhone: a.PrincipalPhone,
		PrincipalPhoneSocialCreditCode: a.PrincipalPhoneSocialCreditCode,
		GuaranteeTemplateFileName:      a.GuaranteeTemplateName,
		GuaranteeSignFiles:             platform.Str(s.signFilesJSON(root, o.TemplateFileID)),
		AttachFiles:                    platform.Str(s.attachFilesJSON(root, o.AttachFileIDs)),
		OrderAmount:                    platform.Str(o.OrderAmount),
	}
}

// signFilesJSON is guarantee_sign_files: [{file_id, file_url, file_name}].
func (s *Server) signFilesJSON(root, id string) string {
	list := []platform.SignFile{}
	if f, found := s.File(id); found {
		list = append(list, platform.SignFile{FileID: platform.Str(id), FileURL: platform.Str(s.fileURL(root, id)), FileName: platform.Str(f.Name)})
	}
	b, _ := platform.Marshal(list)
	return string(b)
}

// attachFilesJSON is attach_files: [{file_id, file_url}].
func (s *Server) attachFilesJSON(root string, ids []string) string {
	list := []platform.SignFile{}
	for _, id := range ids {
		list = append(list, platform.SignFile{FileID: platform.Str(id), FileURL: platform.Str(s.fileURL(root, id))})
	}
	b, _ := platform.Marshal(list)
	return string(b)
}

// --- 2.3 notify_order_status ---

// guarantorSettable tells whether the guarantor may report a state with
// 2.3: the 直开式 states up to 待出函. 已出函 comes with the push (2.5),
// 交易取消 with cancel_order (2.11), 交易完成 from the platform.
func guarantorSettable(state string) bool {
	switch state {
	case stateHasOutGuarantee, stateFinish, stateCancel:
		return false
	}
	return isState(state)
}

var amountRE = regexp.MustCompile(`^\d{1,14}(\.\d{1,2})?$`)

func (s *Server) notifyOrderStatus(q *request) answer {
	no := q.str("order_no")
	if no == "" {
		return fail(2300)
	}
	state := q.str("order_status")
	withdraw := q.str("is_withdraw")
	statement := q.str("statement")
	amount := q.str("order_amount")

	s.mu.Lock()
	o, found := s.orders[no]
	if !found {
		s.mu.Unlock()
		return fail(2302, "订单不存在："+no)
	}
	old := string(o.OrderStatus)
	a, good := func() (answer, bool) {
		switch {
		case state == "":
			return fail(2304, "参数缺失：order_status"), false
		case !guarantorSettable(state):
			return fail(2305, fmt.Sprintf("参数错误: status（%s 不是担保公司可通知的订单状态）", state)), false
		case stateClosed(old):
			return fail(2313, fmt.Sprintf("该订单不允许审批操作（订单状态 %s %s）", old, stateText(old))), false
		case withdraw != "" && withdraw != "0" && withdraw != "1":
			return fail(platform.StatusFailed, "参数错误：is_withdraw 只能是 0 或 1"), false
		case withdraw == "1" && statement == "":
			return fail(platform.StatusFailed, "参数缺失：statement（is_withdraw=1 时必填）"), false
		case state == stateWaitOutGuarantee && amount == "":
			return fail(2309, "参数缺失：order_amount（order_status=WAIT_OUT_GUARANTEE 时必填）"), false
		case amount != "" && !amountRE.MatchString(amount):
			return fail(2310, "参数错误：order_amount "+amount+" 不是最多两位小数的金额"), false
		}
		return ok("成功"), true
	}()
	if good {
		o.OrderStatus = platform.Str(state)
		if amount != "" {
			o.OrderAmount = amount
		}
		o.IsWithdraw, o.Statement = withdraw, statement
	}
	s.mu.Unlock()
	if good {
		s.log.Info("担保公司通知订单状态 (2.3)", "order_no", no, "from", old, "to", state)
		s.emit(Event{Kind: EventOrderStatus, OrderNo: no, OrderStatus: state})
	}
	return a
}

// --- 2.5 guarantor_push_guarantee ---

func (s *Server) pushGuarantee(q *request) answer {
	required := []struct {
		field string
		code  int
	}{
		// The manual's table of 2.5 codes names these fields, though its
		// field table omits some (protocol.md): each is required.
		{"order_no", 2400}, {"guarantee_no", 2401}, {"guarantee_state", 2402}, {"guarantee_item", 2403},
		{"guarantee_type", 2404}, {"block_number", 2405}, {"block_name", 2406}, {"principal", 2407},
		{"creditor", 2408}, {"guarantor", 2409}, {"applicant", 2410}, {"guarantee_amount", 2411},
		{"guarantee_apply_time", 2412}, {"guarantee_start_date", 2413}, {"guarantee_end_date", 2414},
		{"out_guarantee_time", 2415},
	}
	for _, r := range required {
		if q.str(r.field) == "" {
			return fail(r.code)
		}
	}
	pdf, pdfName, present, err := q.file("guarantee_pdf")
	if !present || len(pdf) == 0 {
		return fail(2416)
	}
	if err != nil {
		return fail(2421, "文件接收失败,[error_no:1]："+err.Error())
	}
	hash := strings.ToLower(q.str("guarantee_pdf_hash"))
	if hash == "" {
		return fail(2417)
	}
	outTime := q.str("out_guarantee_time")
	if _, err := time.ParseInLocation(platform.DateTimeLayout, outTime, platform.CST); err != nil {
		return fail(platform.StatusFailed, "参数错误：out_guarantee_time "+outTime+"（格式 yyyy-MM-dd HH:mm:ss）")
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return fail(2426)
	}
	if ct, _, _ := mime.ParseMediaType(q.fileType("guarantee_pdf")); ct != "application/pdf" {
		// protocol.md: the file part goes as application/pdf.
		return fail(2426, "保函文件格式错误,必须是PDF：文件部分的 Content-Type 为 "+q.fileType("guarantee_pdf")+"，应为 application/pdf")
	}
	for _, f := range []string{"guarantee_start_date", "guarantee_end_date"} {
		if _, err := time.ParseInLocation(platform.DateLayout, q.str(f), platform.CST); err != nil {
			return fail(platform.StatusFailed, "参数错误："+f+" "+q.str(f)+"（格式 yyyy-MM-dd）")
		}
	}
	sum := sha256.Sum256(pdf)
	if got := hex.EncodeToString(sum[:]); subtle.ConstantTimeCompare([]byte(got), []byte(hash)) != 1 {
		return fail(2422, "保函文件有误：guarantee_pdf_hash 与所传文件的 SHA-256 "+got+" 不符")
	}

	orderNo, guaranteeNo := q.str("order_no"), q.str("guarantee_no")
	if pdfName == "" {
		pdfName = guaranteeNo + ".pdf"
	}
	fileID := s.AddFile(pdfName, pdf)
	s.mu.Lock()
	o, found := s.orders[orderNo]
	var a answer
	switch {
	case !found:
		a = fail(2424, "对应的订单不存在："+orderNo)
	case s.guarantees[guaranteeNo] != nil:
		a = fail(platform.StatusGuaranteeExists, "保函编号已存在："+guaranteeNo)
	case string(o.OrderStatus) != stateWaitOutGuarantee:
		a = fail(2427, fmt.Sprintf("该订单不允许出函操作（订单状态 %s %s）", o.OrderStatus, stateText(string(o.OrderStatus))))
	case q.str("principal") != string(o.Principal):
		a = fail(2319, "被保证人名称不正确：订单的被保证人是 "+string(o.Principal))
	case q.str("creditor") != string(o.Creditor):
		a = fail(2321, "受益人名称不正确：订单的受益人是 "+string(o.Creditor))
	}
	if a.status != 0 {
		delete(s.files, fileID)
		s.mu.Unlock()
		return a
	}
	s.serial += 1 + uint64(randIntN(97))
	serial := strconv.FormatUint(s.serial, 10)
	g := &Guarantee{
		GuaranteeNo: guaranteeNo, SerialNum: serial, OrderNo: orderNo,
		BlockNumber: string(o.BlockNumber), BlockName: string(o.BlockName),
		Principal: q.str("principal"), Creditor: q.str("creditor"), Guarantor: q.str("guarantor"),
		OutGuaranteeTime: outTime, TransNo: q.str("trans_no"), PDFHash: hash, PDFFileID: fileID,
		GuaranteeItem: q.str("guarantee_item"), GuaranteeStartDate: q.str("guarantee_start_date"), GuaranteeEndDate: q.str("guarantee_end_date"),
	}
	s.guarantees[guaranteeNo] = g
	s.guarSeq = append(s.guarSeq, guaranteeNo)
	old := string(o.OrderStatus)
	o.OrderStatus = stateHasOutGuarantee
	o.GuaranteeNo = guaranteeNo
	notice := s.statusNoticeLocked(o, old)
	s.mu.Unlock()

	s.log.Info("担保公司推送电子保函 (2.5)", "order_no", orderNo, "guarantee_no", guaranteeNo, "serial_num", serial)
	s.notifyStatus(notice)
	s.emit(Event{Kind: EventPushed, OrderNo: orderNo, GuaranteeNo: guaranteeNo, OrderStatus: stateHasOutGuarantee})
	// serial_num is a JSON number, as the platform sends it; it exceeds
	// 2^53, so a reader that goes through float64 loses digits.
	return ok(map[string]any{"serial_num": json.Number(serial)})
}

// --- 2.9 remove_guarantee ---

type removeItem struct {
	GuaranteeNo         platform.Str       `json:"guarantee_no"`
	RemoveGuaranteeDate platform.Str       `json:"remove_guarantee_date"`
	SerialNum           platform.SerialNum `json:"serial_num"`
}

type removeError struct {
	ErrorMsg  string     `json:"error_msg"`
	ErrorInfo removeItem `json:"error_info"`
}

func (s *Server) removeGuarantee(q *request) answer {
	for _, f := range []string{"block_number", "block_name", "creditor", "remove_guarantee_data"} {
		if q.str(f) == "" {
			return fail(platform.StatusFailed, "参数缺失："+f)
		}
	}
	block := q.str("block_number")
	var items []removeItem
	if err := json.Unmarshal([]byte(q.str("remove_guarantee_data")), &items); err != nil || len(items) == 0 {
		return fail(platform.StatusFailed, "参数错误：remove_guarantee_data 应为非空的 JSON 数组")
	}
	var errs []removeError
	var released []string
	s.mu.Lock()
	for _, it := range items {
		no := strings.TrimSpace(string(it.GuaranteeNo))
		msg := ""
		g := s.guarantees[no]
		_, dateErr := time.ParseInLocation(platform.DateTimeLayout, string(it.RemoveGuaranteeDate), platform.CST)
		switch {
		case no == "" || g == nil:
			msg = "保函编号不存在"
		case string(it.SerialNum) != g.SerialNum:
			msg = "保函序列号不正确"
		case dateErr != nil:
			msg = "解保日期格式错误，应为 yyyy-MM-dd HH:mm:ss"
		case g.BlockNumber != block:
			msg = "该保函不属于标段 " + block
		case g.Penalty:
			msg = "该保函已被罚没，不能解保"
		case g.RevokeNo == "":
			msg = "该保函未收到撤销通知，不能解保"
		case g.Released:
			// A repeated release changes nothing and is no error.
		default:
			g.Released, g.ReleaseDate = true, string(it.RemoveGuaranteeDate)
			released = append(released, no)
		}
		if msg != "" {
			errs = append(errs, removeError{ErrorMsg: msg, ErrorInfo: it})
		}
	}
	s.mu.Unlock()
	for _, no := range released {
		s.log.Info("担保公司解保 (2.9)", "guarantee_no", no)
		s.emit(Event{Kind: EventReleased, GuaranteeNo: no})
	}
	if s.opt.Mean {
		s.mu.Lock()
		s.removeCalls++
		n := s.removeCalls
		s.mu.Unlock()
		switch {
		case n%2 == 1:
			// As the manual's example: an empty {} that names no item,
			// counted in error_total.
			data := make([]any, 0, len(errs)+1)
			for _, e := range errs {
				data = append(data, e)
			}
			data = append(data, struct{}{})
			return ok(map[string]any{"error": map[string]any{"error_total": len(errs) + 1, "data": data}})
		case len(errs) == 0:
			return ok("解保成功")
		}
	}
	e := map[string]any{"error_total": len(errs)}
	if len(errs) > 0 {
		e["data"] = errs
	}
	return ok(map[string]any{"error": e})
}

// --- 2.11 cancel_order ---

func (s *Server) cancelOrder(q *request) answer {
	no := q.str("order_no")
	if no == "" {
		return fail(2300)
	}
	reason := q.str("cancel_reason")
	s.mu.Lock()
	o, found := s.orders[no]
	var a answer
	switch {
	case !found:
		a = fail(2302, "订单不存在："+no)
	case reason == "":
		a = fail(platform.StatusFailed, "参数缺失：cancel_reason")
	case string(o.OrderStatus) == stateCancel:
		a = ok("成功") // already cancelled: a repeat changes nothing
	case stateClosed(string(o.OrderStatus)):
		a = fail(2313, fmt.Sprintf("该订单不允许审批操作（订单状态 %s %s，不能取消）", o.OrderStatus, stateText(string(o.OrderStatus))))
	}
	if a.status != 0 {
		s.mu.Unlock()
		return a
	}
	old := string(o.OrderStatus)
	o.OrderStatus = stateCancel
	o.CancelReason = reason
	notice := s.statusNoticeLocked(o, old)
	s.mu.Unlock()
	s.log.Info("担保公司取消订单 (2.11)", "order_no", no, "reason", reason)
	s.notifyStatus(notice)
	s.emit(Event{Kind: EventOrderCancelled, OrderNo: no, OrderStatus: stateCancel})
	return ok("成功")
}

// --- 3.2 guarantor_update_claim_result ---

// ClaimStateFor is the 5.7 state a 3.2 do_type/status pair leads to, or ""
// when the pair is not allowed (claimResults).
func ClaimStateFor(doType, status string) string {
	if claimResultText(doType, status) == "" {
		return ""
	}
	switch doType + "/" + status {
	case "1/1":
		return "DEAL_PASS"
	case "1/2":
		return "DEAL_RETURN"
	case "2/1":
		return "CLAIM_MEDIATE"
	case "2/2":
		return "GUARANTOR_COMPENSATE"
	case "2/4", "3/3":
		return "POLICYHOLDER_LIQUIDATION"
	case "2/5":
		return "REJECT_APPLY"
	case "3/1":
		return "COUNTER_GUARANTEE_RECOVERY"
	case "3/2":
		return "JUDICIAL_LITIGATION_RECOVERY"
	}
	return ""
}

func (s *Server) updateClaimResult(q *request) answer {
	for _, r := range []struct {
		field string
		code  int
	}{{"claim_no", 3200}, {"guarantee_no", 3201}, {"block_number", 3202}, {"block_name", 3203},
		{"principal", 3204}, {"creditor", 3205}, {"guarantor", 3206}, {"claim_state", 3207}, {"update_time", 3208}} {
		// The manual's table of 3.2 codes names these fields, though its
		// field table omits some (protocol.md): each is required.
		if q.str(r.field) == "" {
			return fail(r.code)
		}
	}
	doType, status := q.str("do_type"), q.str("status")
	if doType == "" || status == "" {
		return fail(platform.StatusFailed, "参数缺失：do_type 与 status 必填")
	}
	state := ClaimStateFor(doType, status)
	if state == "" || q.str("claim_state") != state {
		return fail(3209, fmt.Sprintf("参数错误：claim_state %s（do_type=%s status=%s 应为 %s）", q.str("claim_state"), doType, status, state))
	}
	note := q.str("note")
	if note == "" {
		return fail(platform.StatusFailed, "参数缺失：note")
	}
	no := q.str("claim_no")
	s.mu.Lock()
	c, found := s.claims[no]
	var a answer
	switch {
	case !found:
		a = fail(platform.StatusFailed, "理赔不存在："+no)
	case string(c.GuaranteeNo) != q.str("guarantee_no"):
		a = fail(platform.StatusFailed, "保函编号与理赔不符：理赔 "+no+" 的保函编号是 "+string(c.GuaranteeNo))
	case c.Status == "CLAIM_CANCEL" || c.Status == "CLAIM_CLOSE":
		a = fail(platform.StatusFailed, "该理赔已结束（"+string(c.Status)+"）")
	case doType != "1" && (c.Status == claimApplyWaitDeal || c.Status == "DEAL_RETURN"):
		a = fail(platform.StatusFailed, "该理赔尚未受理通过，不能更新理赔或追偿结果")
	}
	if a.status != 0 {
		s.mu.Unlock()
		return a
	}
	c.Status = platform.Str(state)
	c.Results = append(c.Results, ClaimResult{DoType: doType, Status: status, Note: note, State: state})
	s.mu.Unlock()
	s.log.Info("担保公司更新理赔结果 (3.2)", "claim_no", no, "result", claimResultText(doType, status), "state", state)
	s.emit(Event{Kind: EventClaimResult, ClaimNo: no, GuaranteeNo: q.str("guarantee_no")})
	return ok("成功")
}

// --- 3.3 guarantor_get_lp_info ---

func (s *Server) getClaimInfo(q *request) answer {
	for _, r := range []struct {
		field string
		code  int
	}{{"claim_no", 3200}, {"guarantee_no", 3201}, {"principal", 3204}, {"creditor", 3205}, {"guarantor", 3206}} {
		if q.str(r.field) == "" {
			return fail(r.code)
		}
	}
	no := q.str("claim_no")
	c, found := s.Claim(no)
	if !found {
		return fail(platform.StatusFailed, "理赔不存在："+no)
	}
	if string(c.GuaranteeNo) != q.str("guarantee_no") {
		return fail(platform.StatusFailed, "保函编号与理赔不符：理赔 "+no+" 的保函编号是 "+string(c.GuaranteeNo))
	}
	return ok(platform.ClaimInfo{
		ClaimNo: c.ClaimNo, Status: c.Status, GuaranteeNo: c.GuaranteeNo, BlockName: c.BlockName,
		BlockNumber: c.BlockNumber, Principal: c.Principal, Creditor: c.Creditor, Guarantor: c.Guarantor,
		ClaimAmount: c.ClaimAmount, ClaimReason: c.ClaimReason, ContactPerson: c.ContactPerson,
		ContactPhone: c.ContactPhone, ContactMail: c.ContactMail,
	})
}

// --- 4.1 get_file_url ---

func (s *Server) getFileURL(q *request) answer {
	id := q.str("file_id")
	if id == "" {
		return fail(4400)
	}
	if _, found := s.File(id); !found {
		return fail(4401, "文件不存在："+id)
	}
	return ok(map[string]any{"file_url": s.fileURL(q.root, id)})
}
