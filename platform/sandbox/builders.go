package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"baohan/platform"
)

// OrderSpec sets fields of a generated order; zero values get realistic
// generated data.
type OrderSpec struct {
	OrderNo string
	Status  string // order_status of the 2.1 (default WAIT_FIRST_TRAIL)
	// BlockNumber, BlockName, ProjectName, Creditor: give them to put
	// several bidders on one 标段.
	BlockNumber     string
	BlockName       string
	ProjectName     string
	ProjectType     string
	Creditor        string
	Principal       string
	GuaranteeAmount string
	BidDeadline     time.Time // default 3 hours to 6 days ahead
	ValidDay        int       // default 90
}

// GenerateOrder makes an order with realistic Fuzhou data (and its template
// and attachment files, stored for 4.1). It is not stored or sent.
func (s *Server) GenerateOrder(spec OrderSpec) Order {
	now := s.now()
	d := pick(districts)
	w := pick(works)
	projectName := spec.ProjectName
	if projectName == "" {
		projectName = d.name + pick(d.places) + w.name
	}
	kind := spec.ProjectType
	if kind == "" {
		kind = w.kind
	}
	blockName := spec.BlockName
	if blockName == "" {
		blockName = projectName + pick(blockKinds[kind]) + "（标段" + pick(numerals) + "）"
	}
	projectNumber := fmt.Sprintf("E%s%011d", d.code, rand.Int64N(1e11))
	blockNumber := spec.BlockNumber
	if blockNumber == "" {
		blockNumber = fmt.Sprintf("%s%03d", projectNumber, 1+rand.IntN(6))
	}
	creditor := spec.Creditor
	if creditor == "" {
		creditor = pick(creditors)
	}
	principal := spec.Principal
	if principal == "" {
		principal = firmName()
	}
	projectAmount := float64(1_000_000+rand.IntN(80_000_000)) + float64(rand.IntN(100))/100
	guaranteeAmount := spec.GuaranteeAmount
	if guaranteeAmount == "" {
		// 投标保证金: 2% of the estimate, capped at 800,000 yuan, in thousands.
		guaranteeAmount = money(float64(int(min(projectAmount*0.02, 800_000)) / 1000 * 1000))
	}
	deadline := spec.BidDeadline
	if deadline.IsZero() {
		deadline = bidDeadline(now, platform.CST)
	}
	deadline = deadline.In(platform.CST)
	validDay := spec.ValidDay
	if validDay <= 0 {
		validDay = pick([]int{60, 90, 90, 90, 120})
	}
	start := time.Date(deadline.Year(), deadline.Month(), deadline.Day(), 0, 0, 0, 0, platform.CST)
	end := start.AddDate(0, 0, validDay+28)
	orderNo := spec.OrderNo
	if orderNo == "" {
		orderNo = strconv.FormatUint(s.nextSeq(), 10)
	}
	status := spec.Status
	if status == "" {
		status = "WAIT_FIRST_TRAIL"
	}

	template := s.AddFile("投标保函（担保公司直开式）模板.pdf", MinimalPDF("投标保函模板 "+blockName,
		"Bid bond template", "Order "+orderNo, "Block "+blockNumber, "Amount "+guaranteeAmount+" CNY"))
	license := s.AddFile("营业执照.jpg", SmallJPEG(96, 64))
	letter := s.AddFile("投标保函申请书.pdf", MinimalPDF("投标保函申请书 "+principal, "Application for a bid bond", "Order "+orderNo))

	agentName := personName()
	a := platform.ApplyGuarantee{
		RequestMethod: platform.CallbackApplyGuarantee,
		BtcName:       "福州市公共资源交易服务中心",
		OrderNo:       platform.Str(orderNo), OrderStatus: platform.Str(status), Ktype: "1",
		ProjectNumber: platform.Str(projectNumber), ProjectName: platform.Str(projectName),
		BlockNumber: platform.Str(blockNumber), BlockName: platform.Str(blockName),
		ProjectType: platform.Str(kind), Address: "福建省福州市",
		BidDeadline:          platform.Str(deadline.Format(platform.DeadlineLayout)),
		ValidDay:             platform.Str(strconv.Itoa(validDay)),
		GuaranteeAmount:      platform.Str(guaranteeAmount),
		ProjectAmount:        platform.Str(money(projectAmount)),
		ContractReckonAmount: platform.Str(money(projectAmount)),
		ProjectCityCode:      platform.Str(d.code),
		GuaranteeStartDate:   platform.Str(start.Format(platform.DateLayout)),
		GuaranteeEndDate:     platform.Str(end.Format(platform.DateLayout)),
		Creditor:             platform.Str(creditor),
		CreditorName:         platform.Str(personName()), CreditorPhone: platform.Str(mobile()),
		CreditorAccountBankName: platform.Str(fmt.Sprintf(pick(banks), d.bank)),
		CreditorAccountBankNo:   platform.Str(bankAccount()),
		TenderNoticeURL:         platform.Str("https://ggzyjy.fuzhou.gov.cn/jyxx/zbgg/" + projectNumber + ".html"),
		BiddingAgent:            platform.Str(pick(agents)), BiddingAgentName: platform.Str(agentName),
		BiddingAgentPhone: platform.Str(mobile()),
		Principal:         platform.Str(principal), PrincipalName: platform.Str(personName()),
		PrincipalPhone: platform.Str(mobile()), PrincipalEmail: platform.Str(fmt.Sprintf("tb%d@163.com", 10000+rand.IntN(90000))),
		PrincipalIDCard:                platform.Str(idCard()),
		PrincipalLegalPerson:           platform.Str(personName()),
		PrincipalLegalIDCard:           platform.Str(idCard()),
		PrincipalLegalPhone:            platform.Str(mobile()),
		PrincipalPhoneSocialCreditCode: platform.Str(creditCode()),
		PrincipalAddress:               platform.Str(fmt.Sprintf("%s%s%d号%d室", d.name, pick(streets), 1+rand.IntN(300), 101+rand.IntN(2000))),
		PrincipalBankAccountNo:         platform.Str(bankAccount()),
		PrincipalBankAccountName:       platform.Str(fmt.Sprintf(pick(banks), d.bank)),
		GuaranteeTemplateName:          "投标保函（担保公司直开式）模板.pdf",
	}
	return Order{ApplyGuarantee: a, TemplateFileID: template, AttachFileIDs: []string{license, letter}}
}

// NewOrder generates an order, stores it and sends it (2.1 apply_guarantee).
// When the listener acknowledges, the order takes the order_status of the
// answer (the platform follows the guarantor's answer).
func (s *Server) NewOrder(ctx context.Context, spec OrderSpec) (Order, *Delivery) {
	o := s.GenerateOrder(spec)
	s.PutOrder(o)
	return o, s.SendOrder(ctx, string(o.OrderNo))
}

// SendOrder sends (again) the 2.1 of a stored order, with fresh file URLs.
func (s *Server) SendOrder(ctx context.Context, orderNo string) *Delivery {
	o, found := s.Order(orderNo)
	if !found {
		return failedDelivery(Callback{Path: PathApplyGuarantee}, fmt.Errorf("order %s not in the sandbox", orderNo))
	}
	msg := o.ApplyGuarantee
	msg.Timestamp = ""
	msg.GuaranteeSignFiles = platform.Str(s.signFilesJSON("", o.TemplateFileID))
	msg.AttachFiles = platform.Str(s.attachFilesJSON("", o.AttachFileIDs))
	sent := string(o.OrderStatus)
	s.log.Info("平台推送保函申请订单 (2.1)", "order_no", orderNo, "block", string(o.BlockName), "principal", string(o.Principal))
	return s.Send(ctx, Callback{Path: PathApplyGuarantee, Msg: msg, onAck: func(answer []byte) {
		var env struct {
			Data struct {
				OrderStatus platform.Str `json:"order_status"`
			} `json:"data"`
		}
		_ = json.Unmarshal(answer, &env)
		state := string(env.Data.OrderStatus)
		s.mu.Lock()
		if cur, ok := s.orders[orderNo]; ok && isState(state) && string(cur.OrderStatus) == sent {
			cur.OrderStatus = platform.Str(state)
		}
		if cur, ok := s.orders[orderNo]; ok {
			state = string(cur.OrderStatus)
		}
		s.mu.Unlock()
		s.emit(Event{Kind: EventOrderApplied, OrderNo: orderNo, OrderStatus: state})
		if s.opt.Mean {
			// The platform sends the order again with changed content.
			changed := msg
			changed.PrincipalPhone = platform.Str(mobile())
			s.log.Info("平台重复推送保函申请订单且内容不同 (2.1)", "order_no", orderNo)
			s.attemptOnce(s.ctx, Callback{Path: PathApplyGuarantee, Msg: changed, echo: true})
		}
	}})
}

// statusNoticeLocked is the 2.4 message for an order that went from old to
// its current state. s.mu is held.
func (s *Server) statusNoticeLocked(o *Order, old string) platform.OrderStatusNotice {
	return platform.OrderStatusNotice{
		RequestMethod: platform.CallbackOrderStatus,
		OrderNo:       o.OrderNo, BlockNumber: o.BlockNumber, BlockName: o.BlockName,
		Principal: o.Principal, Creditor: o.Creditor,
		Applicant:      o.Principal, // 直开式: the applicant is the principal
		OrderStatusOld: platform.Str(old), OrderStatus: o.OrderStatus,
	}
}

// notifyStatus sends a 2.4 when callbacks are configured.
func (s *Server) notifyStatus(n platform.OrderStatusNotice) *Delivery {
	if s.callbackBase() == "" {
		return nil
	}
	s.log.Info("平台通知订单状态 (2.4)", "order_no", string(n.OrderNo), "from", string(n.OrderStatusOld), "to", string(n.OrderStatus))
	cb := Callback{Path: PathOrderStatus, Msg: n}
	if s.opt.Mean {
		n.Timestamp = platform.Str(platform.Timestamp(s.now()))
		cb.Msg = n
		s.mu.Lock()
		prev, had := s.lastNotice[string(n.OrderNo)]
		s.lastNotice[string(n.OrderNo)] = n
		s.mu.Unlock()
		// A late retry of the order's previous transition, re-signed,
		// after the new one was acknowledged; only when its old state is not
		// where the order is now: a retry of a transition into a state the
		// order has come back to cannot be told from a genuine revisit, by
		// anyone (protocol.md decides 2.4 by state).
		if had && string(prev.OrderStatusOld) != string(n.OrderStatus) {
			prev.Timestamp = platform.Str(platform.Timestamp(s.now().Add(time.Second)))
			cb.onAck = func([]byte) {
				s.log.Info("平台迟到重发旧的订单状态通知 (2.4)", "order_no", string(prev.OrderNo), "from", string(prev.OrderStatusOld), "to", string(prev.OrderStatus))
				s.attemptOnce(s.ctx, Callback{Path: PathOrderStatus, Msg: prev, echo: true})
			}
		}
	}
	return s.Send(s.ctx, cb)
}

// meanName writes a name in another form the manual's 假通知 check must
// forgive (protocol.md: NFKC, no white space): full-width brackets as
// half-width and the reverse, and a space inside.
func meanName(name string) string {
	r := strings.NewReplacer("（", "(", "）", ")", "(", "（", ")", "）").Replace(name)
	if n := []rune(r); len(n) > 2 {
		r = string(n[:2]) + " " + string(n[2:])
	}
	return r
}

// ChangeOrderStatus moves an order to state on the platform's side (the
// applicant paid, resubmitted, ...) and sends 2.4 with order_status_old.
// Moving to WAIT_OUT_GUARANTEE sets an order amount when there is none.
func (s *Server) ChangeOrderStatus(ctx context.Context, orderNo, state string) (*Delivery, error) {
	if !isState(state) {
		return nil, fmt.Errorf("change order %s: %q is not a 5.4 state", orderNo, state)
	}
	s.mu.Lock()
	o, found := s.orders[orderNo]
	if !found {
		s.mu.Unlock()
		return nil, fmt.Errorf("change order %s: not in the sandbox", orderNo)
	}
	old := string(o.OrderStatus)
	o.OrderStatus = platform.Str(state)
	if state == stateWaitOutGuarantee && o.OrderAmount == "" {
		o.OrderAmount = guaranteeFee(string(o.GuaranteeAmount))
	}
	n := s.statusNoticeLocked(o, old)
	s.mu.Unlock()
	s.log.Info("平台通知订单状态 (2.4)", "order_no", orderNo, "from", old, "to", state)
	return s.Send(ctx, Callback{Path: PathOrderStatus, Msg: n}), nil
}

// RevokeSpec is a revocation batch (2.8) to send.
type RevokeSpec struct {
	BlockNumber string
	// Current is the guarantees revoked now (当次撤销名单); nil: every issued
	// guarantee of the block not named by an earlier batch nor in Penalty.
	Current []string
	// Success is the guarantees named by earlier batches (已发起撤销名单);
	// nil: those of the earlier batches of the block.
	Success []string
	// Penalty is the guarantees forfeited (罚没名单).
	Penalty []string
	// Declaration is the beneficiary's signed declaration (撤销保函声明文件,
	// PDF); nil sends none. Its SHA-256 goes in
	// revoke_guarantee_declare_file_hash.
	Declaration []byte
	Note        string
}

// Revoke records a revocation batch and sends it (2.8).
func (s *Server) Revoke(ctx context.Context, spec RevokeSpec) (Revocation, *Delivery, error) {
	s.mu.Lock()
	var inBlock []*Guarantee
	for _, no := range s.guarSeq {
		if g := s.guarantees[no]; g.BlockNumber == spec.BlockNumber {
			inBlock = append(inBlock, g)
		}
	}
	if len(inBlock) == 0 {
		s.mu.Unlock()
		return Revocation{}, nil, fmt.Errorf("revoke block %s: no guarantee of that block in the sandbox", spec.BlockNumber)
	}
	if spec.Success == nil {
		for _, g := range inBlock {
			if g.RevokeNo != "" && !g.Penalty {
				spec.Success = append(spec.Success, g.GuaranteeNo)
			}
		}
	}
	if spec.Current == nil {
		for _, g := range inBlock {
			if g.RevokeNo == "" && !slices.Contains(spec.Penalty, g.GuaranteeNo) {
				spec.Current = append(spec.Current, g.GuaranteeNo)
			}
		}
	}
	items := func(nos []string) ([]platform.RevokeItem, error) {
		out := []platform.RevokeItem{}
		for _, no := range nos {
			g := s.guarantees[no]
			if g == nil {
				return nil, fmt.Errorf("revoke block %s: guarantee %s not in the sandbox", spec.BlockNumber, no)
			}
			out = append(out, platform.RevokeItem{GuaranteeNo: platform.Str(no), Principal: platform.Str(g.Principal), SerialNum: platform.SerialNum(g.SerialNum)})
		}
		return out, nil
	}
	var data platform.RevokeData
	var err error
	if data.CurrentRevokeData, err = items(spec.Current); err == nil {
		if data.RevokeSuccessData, err = items(spec.Success); err == nil {
			data.PenaltyData, err = items(spec.Penalty)
		}
	}
	if err != nil {
		s.mu.Unlock()
		return Revocation{}, nil, err
	}
	s.seq += 1 + uint64(randIntN(5))
	first := inBlock[0]
	r := &Revocation{
		RevokeNo:    fmt.Sprintf("CX%s%06d", s.now().In(platform.CST).Format("20060102"), s.seq%1000000),
		BlockNumber: spec.BlockNumber, BlockName: first.BlockName, Creditor: first.Creditor,
		Note: spec.Note, Data: data,
	}
	if r.Note == "" {
		r.Note = "招标人已确定中标人，现申请撤销本标段投标保函"
		if len(spec.Penalty) > 0 {
			r.Note = "招标人已确定中标人，现申请撤销本标段投标保函；罚没名单所列投标人存在违约情形"
		}
	}
	for _, no := range append(slices.Clone(spec.Current), spec.Success...) {
		s.guarantees[no].RevokeNo = r.RevokeNo
	}
	for _, no := range spec.Penalty {
		s.guarantees[no].RevokeNo = r.RevokeNo
		s.guarantees[no].Penalty = true
	}
	s.revocations[r.RevokeNo] = r
	s.revSeq = append(s.revSeq, r.RevokeNo)
	s.mu.Unlock()

	if s.opt.Mean {
		// The list names a guarantee the guarantor never issued, and the
		// names come in another form.
		s.mu.Lock()
		s.serial += 7
		phantom := platform.RevokeItem{GuaranteeNo: platform.Str(fmt.Sprintf("WB%d", s.serial%1000000)),
			Principal: "外地某某建设工程有限公司", SerialNum: platform.SerialNum(strconv.FormatUint(s.serial, 10))}
		s.mu.Unlock()
		data.CurrentRevokeData = append(data.CurrentRevokeData, phantom)
		for i := range data.CurrentRevokeData {
			data.CurrentRevokeData[i].Principal = platform.Str(meanName(string(data.CurrentRevokeData[i].Principal)))
		}
		s.mu.Lock()
		r.Data = data
		s.mu.Unlock()
	}
	dataJSON, err := platform.Marshal(data)
	if err != nil {
		return Revocation{}, nil, fmt.Errorf("revoke block %s: %w", spec.BlockNumber, err)
	}
	msg := platform.RevokeNotice{
		RequestMethod: platform.CallbackGuaranteeRelease,
		RevokeNo:      platform.Str(r.RevokeNo), BlockName: platform.Str(r.BlockName),
		BlockNumber: platform.Str(r.BlockNumber), Creditor: platform.Str(r.Creditor),
		Note: platform.Str(r.Note), RevokeGuaranteeData: platform.Str(dataJSON),
	}
	var files []File
	if spec.Declaration != nil {
		id := s.AddFile("撤销保函声明.pdf", spec.Declaration)
		f, _ := s.File(id)
		s.mu.Lock()
		r.DeclareFileID, r.DeclareFileHash = id, f.SHA256
		s.mu.Unlock()
		msg.RevokeGuaranteeDeclareFileHash = platform.Str(f.SHA256)
		files = append(files, File{Field: "revoke_guarantee_declare_file", Name: f.Name, Data: spec.Declaration})
	}
	rev, _ := s.Revocation(r.RevokeNo)
	s.log.Info("平台通知保函撤销 (2.8)", "revoke_no", r.RevokeNo, "block", r.BlockName,
		"current", len(data.CurrentRevokeData), "penalty", len(data.PenaltyData))
	return rev, s.Send(ctx, Callback{Path: PathRevoke, Msg: msg, Files: files, Multipart: true}), nil
}

// DeclarationPDF makes a beneficiary's revocation declaration for a block.
func DeclarationPDF(blockNumber, creditor string) []byte {
	return MinimalPDF("撤销保函声明 "+creditor, "Declaration of revocation of bid bonds", "Block "+blockNumber)
}

// ApplyClaim opens a claim against a pushed guarantee and sends it (3.1,
// multipart: the guarantee's PDF as guarantee_pdf and the attachments as
// attach_file0..N, whatever their Field says). Without attachments, a
// claim letter (PDF) and a scan (JPG) are generated.
func (s *Server) ApplyClaim(ctx context.Context, guaranteeNo string, attachments ...File) (Claim, *Delivery, error) {
	g, found := s.Guarantee(guaranteeNo)
	if !found {
		return Claim{}, nil, fmt.Errorf("apply claim on %s: guarantee not in the sandbox", guaranteeNo)
	}
	pdf, found := s.File(g.PDFFileID)
	if !found {
		pdf = StoredFile{Name: guaranteeNo + ".pdf", Data: MinimalPDF("投标保函 "+guaranteeNo, "Guarantee "+guaranteeNo)}
	}
	o, _ := s.Order(g.OrderNo)
	if len(attachments) == 0 {
		attachments = []File{
			{Name: "索赔申请书.pdf", Data: MinimalPDF("索赔申请书 "+guaranteeNo, "Claim under bid bond "+guaranteeNo, "Beneficiary: see param")},
			{Name: "违约事实证明.jpg", Data: SmallJPEG(120, 80)},
		}
	}
	guarantor := g.Guarantor
	if guarantor == "" {
		guarantor = s.opt.GuarantorName
	}
	amount := string(o.GuaranteeAmount)
	if amount == "" {
		amount = "100000.00"
	}
	claimNo := fmt.Sprintf("LP%s%05d", s.now().In(platform.CST).Format("20060102"), s.nextSeq()%100000)
	msg := platform.ApplyClaim{
		RequestMethod: platform.CallbackApplyClaim,
		ClaimNo:       platform.Str(claimNo), Status: claimApplyWaitDeal,
		GuaranteeNo: platform.Str(guaranteeNo), BlockName: platform.Str(g.BlockName), BlockNumber: platform.Str(g.BlockNumber),
		Principal: platform.Str(g.Principal), Creditor: platform.Str(g.Creditor),
		Guarantor: platform.Str(guarantor), OutGuarantee: platform.Str(guarantor),
		// (mean mode rewrites the names below)
		ClaimAmount: platform.Str(amount), ClaimReason: platform.Str(pick(claimReasons)),
		ContactPerson: platform.Str(personName()), ContactPhone: platform.Str(mobile()),
		ContactMail: platform.Str(fmt.Sprintf("zb%d@fzcj.com.cn", 100+rand.IntN(900))),
	}
	if s.opt.Mean {
		msg.Principal = platform.Str(meanName(string(msg.Principal)))
		msg.Creditor = platform.Str(meanName(string(msg.Creditor)))
		msg.OutGuarantee = platform.Str(meanName(string(msg.OutGuarantee)))
	}
	files := []File{{Field: "guarantee_pdf", Name: pdf.Name, Data: pdf.Data}}
	c := &Claim{ApplyClaim: msg}
	for i, a := range attachments {
		a.Field = "attach_file" + strconv.Itoa(i)
		files = append(files, a)
		c.AttachFileIDs = append(c.AttachFileIDs, s.AddFile(a.Name, a.Data))
	}
	s.mu.Lock()
	s.claims[claimNo] = c
	s.claimSeq = append(s.claimSeq, claimNo)
	s.mu.Unlock()
	s.log.Info("平台推送理赔申请 (3.1)", "claim_no", claimNo, "guarantee_no", guaranteeNo, "attachments", len(attachments))
	claim, _ := s.Claim(claimNo)
	return claim, s.Send(ctx, Callback{Path: PathClaim, Msg: msg, Files: files, Multipart: true}), nil
}

// AnswerError is a synchronous callback (2.6, 2.7, 2.10) the listener
// refused or answered wrongly.
type AnswerError struct {
	Path   string
	Status int    // JSON status (0 when there was none)
	Msg    string // the listener's msg
	Answer []byte
	Err    error // transport or decoding error, if any
}

func (e *AnswerError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("callback %s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("callback %s: status %d %s", e.Path, e.Status, e.Msg)
}

func (e *AnswerError) Unwrap() error { return e.Err }

// syncCall makes one attempt and decodes the answer's data into dst.
func (s *Server) syncCall(ctx context.Context, cb Callback, dst any) error {
	status, answer, err := s.SendOnce(ctx, cb)
	if err != nil && status == 0 {
		return &AnswerError{Path: cb.Path, Answer: answer, Err: err}
	}
	var env struct {
		Status platform.Int     `json:"status"`
		Msg    platform.Str     `json:"msg"`
		Data   *json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal(answer, &env)
	if status != platform.StatusOK || err != nil {
		return &AnswerError{Path: cb.Path, Status: status, Msg: string(env.Msg), Answer: answer, Err: err}
	}
	if env.Data == nil {
		return &AnswerError{Path: cb.Path, Status: status, Answer: answer, Err: errors.New("answer has no data")}
	}
	if err := platform.Decode(*env.Data, dst); err != nil {
		return &AnswerError{Path: cb.Path, Status: status, Answer: answer, Err: err}
	}
	return nil
}

// VerifyRequest asks the guarantor to verify a guarantee PDF (2.6 验真,
// multipart: param and guarantee_pdf) and returns the answer's data.
func (s *Server) VerifyRequest(ctx context.Context, serial string, pdf []byte) (*platform.VerifyAnswer, error) {
	msg := map[string]any{"serial_num": serial}
	var ans platform.VerifyAnswer
	s.log.Info("平台请求保函验真 (2.6)", "serial_num", serial)
	if err := s.syncCall(ctx, Callback{Path: PathVerify, Msg: msg, Multipart: true,
		Files: []File{{Field: "guarantee_pdf", Name: serial + ".pdf", Data: pdf}}}, &ans); err != nil {
		return nil, err
	}
	return &ans, nil
}

// QueryRequest asks the guarantor about a guarantee (2.7 查验).
func (s *Server) QueryRequest(ctx context.Context, guaranteeNo, serial string) (*platform.QueryAnswer, error) {
	msg := map[string]any{"guarantee_no": guaranteeNo, "serial_num": serial}
	var ans platform.QueryAnswer
	s.log.Info("平台请求保函查验 (2.7)", "guarantee_no", guaranteeNo)
	if err := s.syncCall(ctx, Callback{Path: PathQuery, Msg: msg}, &ans); err != nil {
		return nil, err
	}
	return &ans, nil
}

// ReleaseAnswer is 2.10's answer data as read: status may come as a number
// or a string.
type ReleaseAnswer struct {
	GuaranteeNo         platform.Str       `json:"guarantee_no"`
	SerialNum           platform.SerialNum `json:"serial_num"`
	Status              platform.Int       `json:"status"` // 1-5, platform.ReleaseStatusText
	RevokeGuaranteeDate platform.Str       `json:"revoke_guarantee_date"`
}

// ReleaseQuery asks the guarantor whether a guarantee is released (2.10).
func (s *Server) ReleaseQuery(ctx context.Context, blockNumber, guaranteeNo, serial string) (*ReleaseAnswer, error) {
	msg := map[string]any{
		"request_method": platform.CallbackReleaseSearch,
		"block_number":   blockNumber, "guarantee_no": guaranteeNo, "serial_num": serial,
	}
	var ans ReleaseAnswer
	s.log.Info("平台查询保函解保情况 (2.10)", "guarantee_no", guaranteeNo)
	if err := s.syncCall(ctx, Callback{Path: PathReleaseQuery, Msg: msg}, &ans); err != nil {
		return nil, err
	}
	return &ans, nil
}
