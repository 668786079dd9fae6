package detail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
)

// buildDetail reads a record and what surrounds it and lays it out as
// detail lines. It runs inside a command (it reads the store and stats the
// file store).
func buildDetail(ctx context.Context, db *store.Store, s common.Selection, files map[string]Downloaded) (*common.Selection, string, []dline, error) {
	switch s.Kind {
	case common.KindOrder:
		return orderDetail(ctx, db, s.Key, files)
	case common.KindGuarantee:
		return guaranteeDetail(ctx, db, s.Key)
	case common.KindRelease:
		return guaranteeDetail(ctx, db, s.Key)
	case common.KindRevocation:
		return revocationDetail(ctx, db, s.Key)
	case common.KindClaim:
		return claimDetail(ctx, db, s.Key)
	case common.KindHeld:
		return heldDetail(ctx, db, s.Key)
	case common.KindEvent:
		if s.Event == nil {
			return nil, "", nil, fmt.Errorf("没有日志 %s", s.Key)
		}
		return common.EventSel(*s.Event), "日志 " + s.Key, eventLines(*s.Event), nil
	}
	return nil, "", nil, fmt.Errorf("unknown record kind %d", s.Kind)
}

// lb builds detail lines.
type lb struct{ lines []dline }

func (b *lb) section(s string) { b.lines = append(b.lines, dline{section: s}) }

func (b *lb) field(label, value string) {
	b.lines = append(b.lines, dline{label: label, value: common.Clean(value)})
}

// opt adds a field only when it has a value.
func (b *lb) opt(label, value string) {
	if strings.TrimSpace(value) != "" {
		b.field(label, value)
	}
}

func (b *lb) styledField(label, value string, look common.Cell) {
	b.lines = append(b.lines, dline{label: label, value: common.Clean(value), style: look.Style, styled: look.Set})
}

func (b *lb) fieldCopy(label, value, copy string) {
	b.lines = append(b.lines, dline{label: label, value: common.Clean(value), copy: copy})
}

func (b *lb) file(label string, f File) {
	f.Name = common.Clean(f.Name)
	b.lines = append(b.lines, dline{label: label, file: &f, copy: f.SHA})
}

// pre adds a block of preformatted text, one line per dline; c on any of
// them copies the whole block.
func (b *lb) pre(text string) {
	text = common.CleanBlock(text)
	for _, l := range strings.Split(text, "\n") {
		b.lines = append(b.lines, dline{pre: true, value: l, copy: text})
	}
}

func (b *lb) note(s string) { b.lines = append(b.lines, dline{pre: true, value: s}) }

// fieldValue is the text of a JSON value: a string unquoted, anything else
// as compact JSON.
func fieldValue(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return common.MaskText(s)
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return common.MaskText(b.String())
	}
	return common.MaskText(string(raw))
}

// fieldsOf reads a record's fields object, keys sorted.
func fieldsOf(raw json.RawMessage) ([]string, map[string]json.RawMessage) {
	var m map[string]json.RawMessage
	if len(bytes.TrimSpace(raw)) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil, nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, m
}

// NoFileName stands for a platform file sent without a name.
const NoFileName = "（未给文件名）"

// fileKeys are the fields that list platform files (2.1, 2.2).
var fileKeys = map[string]string{"guarantee_sign_files": "签署文件", "attach_files": "附件"}

// platformFiles are the platform files an order's fields list
// (platform.OrderFiles reads guarantee_sign_files and attach_files), in the
// order the fields came, each with its label.
func platformFiles(keys []string, fields json.RawMessage) (files []File, labels []string) {
	sign, attach := platform.OrderFiles(fields)
	lists := map[string][]platform.SignFile{"guarantee_sign_files": sign, "attach_files": attach}
	for _, k := range keys {
		label, ok := fileKeys[k]
		if !ok {
			continue
		}
		for _, sf := range lists[k] {
			f := File{FileID: string(sf.FileID), URL: string(sf.FileURL), Name: string(sf.FileName)}
			if f.Name == "" {
				f.Name = NoFileName
			}
			files = append(files, f)
			labels = append(labels, label)
		}
	}
	return files, labels
}

func (b *lb) allFields(raw json.RawMessage, skip map[string]string) {
	keys, m := fieldsOf(raw)
	if len(keys) == 0 {
		return
	}
	b.section(fmt.Sprintf("平台发来的全部字段（%d 项）", len(keys)))
	for _, k := range keys {
		if _, ok := skip[k]; ok {
			continue
		}
		v := m[k]
		label := platform.FieldTitle(k)
		if common.Secret(k) {
			b.fieldCopy(label, common.Masked, "")
			continue
		}
		shown := fieldValue(v)
		if mm := common.CodeMeaning(k, shown); mm != "" {
			shown = mm + "（" + shown + "）"
		}
		b.fieldCopy(label, shown+"  ("+k+")", fieldValue(v))
	}
}

func (b *lb) raw(title string, raw json.RawMessage) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return
	}
	b.section(title)
	b.pre(common.PrettyJSON(string(raw)))
}

func (b *lb) events(ctx context.Context, db *store.Store, ref string) error {
	evs, err := db.ListEvents(ctx, store.EventQuery{Ref: ref, Limit: 30})
	if err != nil {
		return err
	}
	b.section(fmt.Sprintf("往来记录（日志，最近 %d 条）", len(evs)))
	if len(evs) == 0 {
		b.note("无")
	}
	for _, e := range evs {
		v := common.EventDirection(e) + " " + common.MethodName(e.Method, e.Direction)
		if e.Status != 0 {
			v += " " + common.StatusText(e.Status)
		}
		if e.Summary != "" {
			v += "：" + e.Summary
		}
		look := common.Cell{}
		if e.Status != 0 && e.Status != platform.StatusOK {
			look = common.Styled("", common.StyleErr)
		}
		b.styledField(common.Clock(e.At, common.LayoutLog), v, look)
	}
	return nil
}

// ---- 订单 ----

func orderDetail(ctx context.Context, db *store.Store, no string, files map[string]Downloaded) (*common.Selection, string, []dline, error) {
	o, err := db.GetOrder(ctx, no)
	if err != nil {
		return nil, "", nil, err
	}
	gs, err := db.GuaranteesForOrder(ctx, no)
	if err != nil {
		return nil, "", nil, err
	}
	var b lb
	b.section("订单")
	b.field("订单编号", o.OrderNo)
	b.field("订单状态", common.OrderState(o.OrderStatus)+"  ("+o.OrderStatus+")")
	if o.Flagged {
		b.styledField("标记", o.FlagReason+"（按 r 从平台获取订单核对）", common.Styled("", common.StyleWarn))
	}
	b.field("标段编号", o.BlockNumber)
	b.field("标段名称", o.BlockName)
	b.field("被保证人", o.Principal)
	b.field("受益人", o.Creditor)
	b.field("担保金额(元)", common.Money(o.GuaranteeAmount))
	b.opt("订单金额(元)", common.Money(o.OrderAmount))
	b.field("投标截止时间", o.BidDeadline)
	b.opt("投标有效期(天)", o.ValidDay)
	if o.ProjectType != "" {
		b.field("项目类型", common.ProjectType(o.ProjectType))
	}
	if o.GuaranteeStartDate != "" || o.GuaranteeEndDate != "" {
		b.field("担保期间", o.GuaranteeStartDate+" 至 "+o.GuaranteeEndDate)
	}
	b.field("收到时间", common.Clock(o.CreatedAt, common.LayoutFull))
	b.field("更新时间", common.Clock(o.UpdatedAt, common.LayoutFull))

	keys, _ := fieldsOf(o.Fields)
	pf, pfLabels := platformFiles(keys, o.Fields)
	b.section(fmt.Sprintf("文件（%d 个，d 获取新URL并下载，o 打开）", len(pf)))
	if len(pf) == 0 {
		b.note("无")
	}
	for i, f := range pf {
		if d, ok := files[f.FileID]; ok {
			f.SHA, f.Size, f.Stored = d.SHA, d.Size, db.HasFile(d.SHA)
			if f.Name == NoFileName && d.Name != "" {
				f.Name = d.Name
			}
		}
		pf[i] = f
	}
	if pf, err = FileStates(ctx, db, no, pf); err != nil {
		return nil, "", nil, err
	}
	for i, f := range pf {
		b.file(pfLabels[i], f)
	}

	b.section(fmt.Sprintf("保函（%d）", len(gs)))
	if len(gs) == 0 {
		b.note("尚未出函")
	}
	for _, g := range gs {
		v := "序列号 " + g.SerialNum
		if g.SerialNum == "" {
			v = "尚无序列号"
		}
		v += "  出函 " + g.OutGuaranteeTime + "  " + common.ReleaseState(g)
		b.fieldCopy(g.GuaranteeNo, v, g.GuaranteeNo)
	}
	// Letters signed for the order (签发), kept in the file store: the push
	// (p) offers the newest.
	issued, err := platform.IssuedLetters(ctx, db, no)
	if err != nil {
		return nil, "", nil, err
	}
	if len(issued) > 0 {
		b.section(fmt.Sprintf("已签发的保函（%d，p 推送最新的一份）", len(issued)))
		for _, l := range issued {
			b.fieldCopy("保函编号", l.GuaranteeNo, l.GuaranteeNo)
			path := db.FilePath(l.SHA256)
			name := path
			if name == "" {
				name = "（文件库中没有此文件）"
			}
			b.file("  保函PDF", File{Name: name, SHA: l.SHA256, Size: l.Size, Stored: path != "" && db.HasFile(l.SHA256)})
			b.field("  签名人", l.Signer)
			b.field("  签发时间", common.Clock(l.SignedAt, common.LayoutFull))
			b.opt("  来源", l.Source)
		}
	}
	// 2.1 sent again with other content: kept beside the first version.
	cs, err := db.OrderConflicts(ctx, no)
	if err != nil {
		return nil, "", nil, err
	}
	if len(cs) > 0 {
		b.section(fmt.Sprintf("平台重复推送的不同版本（%d，本地保留首次版本）", len(cs)))
		for _, c := range cs {
			state := fmt.Sprintf("第 %d 号版本，待核对", c.ID)
			if c.TakenAt != 0 {
				state = fmt.Sprintf("第 %d 号版本，已于 %s 采用", c.ID, common.Clock(c.TakenAt, common.LayoutFull))
			}
			b.field("版本", state)
			b.field("收到时间", common.Clock(c.ReceivedAt, common.LayoutFull)+fmt.Sprintf("  重发 %d 次", c.Repeats))
			for _, d := range c.Diff {
				b.field("  "+platform.FieldTitle(d.Field), fmt.Sprintf("首次 %s → 新 %s", emptyText(d.First), emptyText(d.New)))
			}
			if c.TakenAt == 0 {
				b.note(fmt.Sprintf("采用这一版本：baohan order take %s %d（保函出具后不能再采用）", no, c.ID))
			}
		}
	}
	b.allFields(o.Fields, fileKeys)
	if err := b.events(ctx, db, no); err != nil {
		return nil, "", nil, err
	}
	b.raw("最后收到的原始数据（已隐去密钥）", o.Raw)
	return common.OrderSel(o), "订单 " + o.OrderNo, b.lines, nil
}

// ---- 保函 ----

func guaranteeDetail(ctx context.Context, db *store.Store, no string) (*common.Selection, string, []dline, error) {
	g, err := db.GetGuarantee(ctx, no)
	if err != nil {
		return nil, "", nil, err
	}
	revs, err := db.RevocationsForGuarantee(ctx, no)
	if err != nil {
		return nil, "", nil, err
	}
	claims, err := db.ClaimsForGuarantee(ctx, no)
	if err != nil {
		return nil, "", nil, err
	}
	var b lb
	b.section("电子保函")
	b.field("保函编号", g.GuaranteeNo)
	b.field("订单编号", g.OrderNo)
	if g.SerialNum == "" {
		b.styledField("保函序列号", "（无：平台尚未接受推送）", common.Styled("", common.StyleWarn))
	} else {
		b.field("保函序列号", g.SerialNum)
	}
	rs := common.ReleaseState(g)
	if g.ReleaseStatus != 0 {
		rs += fmt.Sprintf("  (%d)", g.ReleaseStatus)
	}
	b.field("解保状态", rs)
	b.opt("解保日期", g.ReleaseDate)
	if g.ReleasedAt > 0 {
		b.field("解保记录时间", common.Clock(g.ReleasedAt, common.LayoutFull))
	}
	b.field("标段编号", g.BlockNumber)
	b.field("标段名称", g.BlockName)
	b.field("被保证人", g.Principal)
	b.field("受益人", g.Creditor)
	b.field("保证人", g.Guarantor)
	// 担保金额 and 担保期间 are the order's (2.5 sends them from it).
	if o, err := db.GetOrder(ctx, g.OrderNo); err == nil {
		b.field("担保金额(元)", common.Money(o.GuaranteeAmount))
		if o.GuaranteeStartDate == "" && o.GuaranteeEndDate == "" {
			b.field("担保期间", "（订单未给出）")
		} else {
			b.field("担保期间", emptyText(o.GuaranteeStartDate)+" 至 "+emptyText(o.GuaranteeEndDate))
		}
	} else if errors.Is(err, store.ErrNotFound) {
		b.styledField("担保金额(元)", "（本地没有订单 "+g.OrderNo+"）", common.Styled("", common.StyleWarn))
	} else {
		return nil, "", nil, err
	}
	b.field("出函时间", g.OutGuaranteeTime)
	b.opt("传输流水号", g.TransNo)
	if g.PushedAt > 0 {
		b.field("推送时间", common.Clock(g.PushedAt, common.LayoutFull))
	} else {
		b.styledField("推送时间", "未推送成功", common.Styled("", common.StyleWarn))
	}
	b.field("记录时间", common.Clock(g.CreatedAt, common.LayoutFull))
	b.field("更新时间", common.Clock(g.UpdatedAt, common.LayoutFull))

	b.section("文件")
	if g.PDFSHA256 != "" {
		b.file("电子保函PDF", File{Name: "电子保函 " + g.GuaranteeNo + ".pdf", SHA: g.PDFSHA256, Size: g.PDFSize, Stored: db.HasFile(g.PDFSHA256)})
	} else {
		b.note("无")
	}

	b.section(fmt.Sprintf("撤销通知（%d）", len(revs)))
	if len(revs) == 0 {
		b.note("无")
	}
	for _, r := range revs {
		var lists []string
		for _, it := range r.Items {
			if it.GuaranteeNo == g.GuaranteeNo {
				lists = append(lists, common.RevokeList(it.List))
			}
		}
		b.fieldCopy(r.RevokeNo, strings.Join(lists, "、")+"  收到 "+common.Clock(r.ReceivedAt, common.LayoutFull), r.RevokeNo)
	}
	b.section(fmt.Sprintf("理赔（%d）", len(claims)))
	if len(claims) == 0 {
		b.note("无")
	}
	for _, c := range claims {
		b.fieldCopy(c.ClaimNo, common.ClaimState(c.Status)+"  索赔 "+common.Money(c.ClaimAmount)+" 元", c.ClaimNo)
	}
	b.allFields(g.Fields, nil)
	if err := b.events(ctx, db, no); err != nil {
		return nil, "", nil, err
	}
	return common.GuaranteeSel(g), "保函 " + g.GuaranteeNo, b.lines, nil
}

// ---- 撤销 ----

func revocationDetail(ctx context.Context, db *store.Store, no string) (*common.Selection, string, []dline, error) {
	r, err := db.GetRevocation(ctx, no)
	if err != nil {
		return nil, "", nil, err
	}
	var b lb
	b.section("保函撤销（2.8）")
	b.field("批次号", r.RevokeNo)
	b.field("标段编号", r.BlockNumber)
	b.field("标段名称", r.BlockName)
	b.field("受益人", r.Creditor)
	b.opt("说明", r.Note)
	b.field("收到时间", common.Clock(r.ReceivedAt, common.LayoutFull))
	switch {
	case r.DeclareFileSHA256 == "" && r.DeclareFileHashClaimed == "":
		b.field("撤销声明文件", "未附")
	case r.DeclareFileSHA256 == "":
		b.styledField("撤销声明文件", "平台给了hash但没有附文件："+r.DeclareFileHashClaimed, common.Styled("", common.StyleWarn))
	case r.DeclareFileHashClaimed == "" || strings.EqualFold(r.DeclareFileHashClaimed, r.DeclareFileSHA256):
		b.file("撤销声明文件", File{Name: "撤销保函声明 " + r.RevokeNo + ".pdf", SHA: r.DeclareFileSHA256, Stored: db.HasFile(r.DeclareFileSHA256)})
		if r.DeclareFileHashClaimed != "" {
			b.styledField("声明文件hash", "与平台所给hash一致", common.Styled("", common.StyleOK))
		}
	default:
		b.file("撤销声明文件", File{Name: "撤销保函声明 " + r.RevokeNo + ".pdf", SHA: r.DeclareFileSHA256, Stored: db.HasFile(r.DeclareFileSHA256)})
		b.styledField("声明文件hash", "与平台所给hash不一致！平台给的是 "+r.DeclareFileHashClaimed, common.Styled("", common.StyleUrgent))
	}
	for _, list := range []string{store.ListCurrent, store.ListSuccess, store.ListPenalty} {
		var items []store.RevocationItem
		for _, it := range r.Items {
			if it.List == list {
				items = append(items, it)
			}
		}
		b.section(fmt.Sprintf("%s名单（%d）", common.RevokeList(list), len(items)))
		if len(items) == 0 {
			b.note("无")
		}
		for _, it := range items {
			local := "不是本公司记录的保函"
			var lst common.Cell
			if g, err := db.GetGuarantee(ctx, it.GuaranteeNo); err == nil {
				if g.SerialNum != it.SerialNum {
					local = "序列号与本地记录不一致（本地 " + g.SerialNum + "）"
					lst = common.Styled("", common.StyleUrgent)
				} else {
					local = "本地：" + common.ReleaseState(g)
					if g.ReleaseStatus == platform.ReleaseAwaiting {
						lst = common.Styled("", common.StyleWarn)
					}
				}
			}
			b.styledField(it.GuaranteeNo, it.Principal+"  序列号 "+it.SerialNum+"  "+local, lst)
		}
	}
	if r.Data != "" {
		b.section("要撤销的保函数据（原文）")
		b.pre(common.PrettyJSON(r.Data))
	}
	b.raw("收到的原始数据（已隐去密钥）", r.Raw)
	return common.RevocationSel(r), "撤销 " + r.RevokeNo, b.lines, nil
}

// ---- 理赔 ----

func claimDetail(ctx context.Context, db *store.Store, no string) (*common.Selection, string, []dline, error) {
	c, err := db.GetClaim(ctx, no)
	if err != nil {
		return nil, "", nil, err
	}
	var b lb
	b.section("理赔申请（3.1）")
	b.field("理赔序列号", c.ClaimNo)
	stc := common.Txt("")
	if platform.ClaimAwaitsAction(c.Status) {
		stc = common.Styled("", common.StyleWarn)
	}
	b.styledField("理赔状态", common.ClaimState(c.Status)+"  ("+c.Status+")", stc)
	b.field("保函编号", c.GuaranteeNo)
	b.field("标段编号", c.BlockNumber)
	b.field("标段名称", c.BlockName)
	b.field("被保证人", c.Principal)
	b.field("受益人", c.Creditor)
	b.field("保证人(接单)", c.Guarantor)
	b.opt("保证人(出函)", c.OutGuarantee)
	b.field("索赔金额(元)", common.Money(c.ClaimAmount))
	b.field("索赔理由", c.ClaimReason)
	b.field("联系人", c.ContactPerson)
	b.field("联系人手机号", c.ContactPhone)
	b.field("联系人邮箱", c.ContactMail)
	b.field("收到时间", common.Clock(c.ReceivedAt, common.LayoutFull))
	b.field("更新时间", common.Clock(c.UpdatedAt, common.LayoutFull))

	b.section(fmt.Sprintf("文件（%d）", len(c.Attachments)+1))
	if c.GuaranteePDFSHA256 != "" {
		b.file("电子保函原件", File{Name: "电子保函（理赔附带）.pdf", SHA: c.GuaranteePDFSHA256, Stored: db.HasFile(c.GuaranteePDFSHA256)})
	} else {
		b.field("电子保函原件", "未附")
	}
	for _, a := range c.Attachments {
		b.file("附件 "+a.Field, File{Name: a.Name, SHA: a.SHA256, Size: a.Size, Stored: db.HasFile(a.SHA256)})
	}

	b.section(fmt.Sprintf("状态记录（%d）", len(c.Statuses)))
	for _, s := range c.Statuses {
		b.field(common.Clock(s.At, common.LayoutLog), common.ClaimState(s.Status)+"  ("+s.Status+")")
	}
	b.section(fmt.Sprintf("我方已发送的理赔结果（3.2，%d）", len(c.Results)))
	if len(c.Results) == 0 {
		b.note("无")
	}
	for _, r := range c.Results {
		label := platform.ClaimResultText(strconv.Itoa(r.DoType), strconv.Itoa(r.Status))
		if label == "" {
			label = fmt.Sprintf("do_type %d / status %d", r.DoType, r.Status)
		}
		b.field(common.Clock(r.At, common.LayoutLog), label+"  备注："+r.Note)
	}
	b.allFields(c.Fields, nil)
	if err := b.events(ctx, db, no); err != nil {
		return nil, "", nil, err
	}
	b.raw("最后收到的原始数据（已隐去密钥）", c.Raw)
	return common.ClaimSel(c), "理赔 " + c.ClaimNo, b.lines, nil
}

func emptyText(s string) string {
	if s == "" {
		return "（空）"
	}
	return s
}

// ---- 暂存回调 ----

func heldDetail(ctx context.Context, db *store.Store, key string) (*common.Selection, string, []dline, error) {
	id, _ := strconv.ParseInt(key, 10, 64)
	h, err := db.GetHeld(ctx, id)
	if err != nil {
		return nil, "", nil, err
	}
	var b lb
	b.section("暂存的回调（核对未通过）")
	b.field("编号", key)
	b.field("回调", platform.CallbackTitle(h.Method)+"  ("+h.Method+")")
	b.opt("业务编号", h.Ref)
	b.field("状态", platform.HeldStateName(h.State))
	b.field("原因", h.Reason)
	b.field("收到时间", common.Clock(h.ReceivedAt, common.LayoutFull))
	b.field("平台重发", fmt.Sprintf("%d 次（最近 %s）", h.Repeats, common.Clock(h.LastAt, common.LayoutFull)))
	b.opt("处理说明", h.Note)
	for _, f := range h.Files {
		label := platform.FieldTitle(f.Field)
		if n, ok := strings.CutPrefix(f.Field, "attach_file"); ok && label == f.Field {
			label = "附件 " + n // 3.1's attach_file0, attach_file1, ...
		}
		b.field(label, fmt.Sprintf("%s  %d 字节  SHA-256 %s", f.Name, f.Size, f.SHA256))
	}
	// The decision keys are the 待办 pane's (a second press confirms).
	b.note("在待办中选中此条：A 接受（按回调内容入账，平台下次重发时答复成功）  D 驳回（继续拒收）；也可用 baohan held accept|dismiss " + key)
	b.heldFields(h.Plaintext)
	b.section("回调明文（原样）")
	b.pre(common.PrettyJSON(h.Plaintext))
	return common.HeldSel(h), "暂存回调 " + key, b.lines, nil
}

// heldFields shows a held callback's plaintext field by field, each by the
// manual's name and in full (wrapped, never cut); 2.8's lists
// (revoke_guarantee_data) as tables.
func (b *lb) heldFields(plaintext string) {
	keys, m := fieldsOf(json.RawMessage(plaintext))
	if len(keys) == 0 {
		return // not a JSON object: the plaintext below is all there is
	}
	b.section(fmt.Sprintf("回调内容（%d 项，逐项核对后再接受）", len(keys)))
	var lists []string
	for _, k := range keys {
		label := platform.FieldTitle(k)
		if common.Secret(k) {
			b.fieldCopy(label, common.Masked, "")
			continue
		}
		shown := fieldValue(m[k])
		if k == "revoke_guarantee_data" {
			lists = append(lists, k)
			b.fieldCopy(label, "见下方名单  ("+k+")", shown)
			continue
		}
		if mm := common.CodeMeaning(k, shown); mm != "" {
			shown = mm + "（" + shown + "）"
		}
		b.fieldCopy(label, shown+"  ("+k+")", fieldValue(m[k]))
	}
	for _, k := range lists {
		b.revokeLists(fieldValue(m[k]))
	}
}

// revokeLists shows 2.8's revoke_guarantee_data as its three lists, one
// table each; text that does not read as the lists is shown as it came.
func (b *lb) revokeLists(text string) {
	var d map[string][]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &d); err != nil {
		b.section(platform.FieldTitle("revoke_guarantee_data") + "（不是名单格式，原样）")
		b.pre(common.PrettyJSON(text))
		return
	}
	names := map[string]string{"current_revoke_data": store.ListCurrent, "revoke_success_data": store.ListSuccess, "penalty_data": store.ListPenalty}
	order := []string{"current_revoke_data", "revoke_success_data", "penalty_data"}
	for k := range d {
		if _, ok := names[k]; !ok {
			order = append(order, k) // a list the manual does not name: shown too
		}
	}
	for _, k := range order {
		items, ok := d[k]
		if !ok {
			continue
		}
		title := platform.FieldTitle(k)
		if l, known := names[k]; known {
			title = common.RevokeList(l) + "名单"
		}
		b.section(fmt.Sprintf("%s（%d）  (%s)", title, len(items), k))
		if len(items) == 0 {
			b.note("无")
			continue
		}
		cols := []string{"guarantee_no", "principal", "serial_num"}
		seen := map[string]bool{"guarantee_no": true, "principal": true, "serial_num": true}
		for _, it := range items {
			for f := range it {
				if !seen[f] {
					seen[f] = true
					cols = append(cols, f)
				}
			}
		}
		// The free text (被保证人) last: a row too wide wraps in it.
		cols = append(cols[:1], append(cols[2:], cols[1])...)
		rows := [][]string{{"序号"}}
		for _, c := range cols {
			rows[0] = append(rows[0], platform.FieldTitle(c))
		}
		for i, it := range items {
			row := []string{strconv.Itoa(i + 1)}
			for _, c := range cols {
				row = append(row, common.Clean(fieldValue(it[c])))
			}
			rows = append(rows, row)
		}
		b.table(rows)
	}
}

// table adds rows as aligned columns (the first row the heading); a row
// wider than the screen wraps in its last column, it is never cut.
func (b *lb) table(rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], common.TextWidth(c))
		}
	}
	hang := 0
	for _, w := range widths[:max(len(widths)-1, 0)] {
		hang += w + 2
	}
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = c + strings.Repeat(" ", widths[i]-common.TextWidth(c))
		}
		line := strings.TrimRight(strings.Join(cells, "  "), " ")
		b.lines = append(b.lines, dline{pre: true, value: line, copy: line, hang: hang})
	}
}

// ---- 日志 ----

func eventLines(e store.Event) []dline {
	var b lb
	b.section("日志")
	b.field("时间", common.Clock(e.At, common.LayoutFull))
	kind := map[string]string{store.KindCallback: "收到的回调", store.KindCall: "发出的调用", store.KindFlag: "标记", store.KindFault: "故障"}[e.Kind]
	if kind == "" {
		kind = e.Kind
	}
	b.field("类型", kind)
	b.field("方向", common.EventDirection(e))
	b.field("方法", common.MethodName(e.Method, e.Direction)+"  ("+e.Method+")")
	b.opt("编号", e.Ref)
	if e.Status != 0 {
		look := common.Cell{}
		if e.Status != platform.StatusOK {
			look = common.Styled("", common.StyleErr)
		}
		b.styledField("状态", common.StatusText(e.Status), look)
	}
	if e.LatencyMS != 0 || e.Direction == store.DirOut {
		b.field("耗时", fmt.Sprintf("%d 毫秒", e.LatencyMS))
	}
	b.opt("摘要", e.Summary)
	if strings.TrimSpace(e.Detail) != "" {
		b.section("内容（已隐去 api_secret、access_token）")
		b.pre(common.PrettyJSON(e.Detail))
	}
	return b.lines
}
