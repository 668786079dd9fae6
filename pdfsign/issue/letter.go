package issue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/font"
	pdffont "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/form"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Letter is what a guarantee letter (保函) states, from the order (2.1) and
// the clerk's guarantee number.
type Letter struct {
	GuaranteeNo string // 保函编号
	Creditor    string // 受益人 (creditor: 建设单位名称)
	Principal   string // 被保证人
	ProjectName string // 项目名称 (project_name, optional in 2.1)
	BlockName   string // 标段名称
	Amount      Amount // 担保金额
	PeriodStart time.Time
	PeriodEnd   time.Time // 担保期间, dates in UTC+8
	Guarantor   string    // 保证人 ([guarantor] name)
	IssueDate   time.Time // 出函日期
}

// The form fields a template has, by name. A template may leave some out
// (project_name when the firm prints only the 标段); guarantee_no, creditor,
// principal, block_name, amount and amount_cn it must have.
const (
	FieldGuaranteeNo = "guarantee_no"
	FieldCreditor    = "creditor"
	FieldPrincipal   = "principal"
	FieldProjectName = "project_name"
	FieldBlockName   = "block_name"
	FieldAmount      = "amount"
	FieldAmountCN    = "amount_cn"
	FieldPeriod      = "period"
	FieldGuarantor   = "guarantor"
	FieldIssueDate   = "issue_date"
)

var requiredFields = []string{FieldGuaranteeNo, FieldCreditor, FieldPrincipal, FieldBlockName, FieldAmount, FieldAmountCN}

// FieldValue is one filled field, for the clerk to review before signing.
type FieldValue struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// Values are the letter's fields as they are written into the form.
func (l Letter) Values() []FieldValue {
	return []FieldValue{
		{FieldGuaranteeNo, "保函编号", l.GuaranteeNo},
		{FieldCreditor, "受益人", l.Creditor},
		{FieldPrincipal, "被保证人", l.Principal},
		{FieldProjectName, "项目名称", l.ProjectName},
		{FieldBlockName, "标段名称", l.BlockName},
		{FieldAmount, "担保金额（小写）", "人民币 " + l.Amount.Figures() + " 元"},
		{FieldAmountCN, "担保金额（大写）", "人民币" + l.Amount.Words()},
		{FieldPeriod, "担保期间", chineseDate(l.PeriodStart) + "至" + chineseDate(l.PeriodEnd)},
		{FieldGuarantor, "保证人", l.Guarantor},
		{FieldIssueDate, "出函日期", chineseDate(l.IssueDate)},
	}
}

func chineseDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006年1月2日")
}

// Font is the TrueType font the fields are written in; the glyphs used are
// embedded (as a subset) in the letter.
type Font struct {
	// File is a .ttf file, or a .ttc collection whose first font is used.
	// Empty: the first of DefaultFontFiles that exists.
	File string
	// Dir is where pdfcpu keeps its copy of the font's metrics (a folder
	// the app owns, e.g. under the data folder); created if missing.
	Dir string
}

// DefaultFontFiles are the free CJK fonts from Debian packages tried when
// the firm configures none: WenQuanYi Micro Hei (fonts-wqy-microhei), which
// has the Latin digits an amount needs beside the Chinese characters.
var DefaultFontFiles = []string{
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
}

// pdfcpu keeps its user fonts in package variables; fontMu guards them and
// every fill, which reads them.
var (
	fontMu     sync.Mutex
	fontLoaded = map[string]string{} // font dir + file -> font name
)

// ErrNoFont is no usable font for the letter's Chinese text.
var ErrNoFont = errors.New("找不到可嵌入的中文字体（请安装 Debian 软件包 fonts-wqy-microhei，或指定 .ttf 字体文件）")

// loadFont installs f for pdfcpu once and returns its PostScript name.
// fontMu must be held.
func loadFont(f Font) (string, error) {
	file := f.File
	if file == "" {
		for _, c := range DefaultFontFiles {
			if st, err := os.Stat(c); err == nil && !st.IsDir() {
				file = c
				break
			}
		}
		if file == "" {
			return "", ErrNoFont
		}
	}
	if f.Dir == "" {
		return "", errors.New("internal: no font folder")
	}
	key := f.Dir + "\x00" + file
	if name, ok := fontLoaded[key]; ok && font.UserFontDir == f.Dir {
		return name, nil
	}
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return "", fmt.Errorf("无法建立字体文件夹 %s：%v", f.Dir, err)
	}
	ttf := file
	switch strings.ToLower(filepath.Ext(file)) {
	case ".ttf":
	case ".ttc":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("无法读取字体 %s：%v", file, err)
		}
		one, err := fontFromCollection(b, 0)
		if err != nil {
			return "", fmt.Errorf("字体 %s：%v", file, err)
		}
		ttf = filepath.Join(f.Dir, strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))+"-0.ttf")
		if err := os.WriteFile(ttf, one, 0o600); err != nil {
			return "", fmt.Errorf("无法写入字体文件夹 %s：%v", f.Dir, err)
		}
	default:
		return "", fmt.Errorf("字体 %s 不是 TrueType（.ttf 或 .ttc）文件", file)
	}
	font.UserFontDir = f.Dir
	rep, err := font.InstallTrueTypeFont(f.Dir, ttf)
	if err != nil || len(rep.Fonts) == 0 {
		return "", fmt.Errorf("字体 %s 无法使用：%v", file, err)
	}
	if err := font.ReloadUserFonts(); err != nil {
		return "", fmt.Errorf("字体 %s 无法加载：%v", file, err)
	}
	name := rep.Fonts[0].PostScriptName
	fontLoaded[key] = name
	return name, nil
}

// checkCoverage refuses a value with a character the font has no glyph
// for: a letter that silently drops a digit of the amount is worse than
// none.
func checkCoverage(fontName string, values []FieldValue) error {
	ttf, ok, err := font.UserFont(fontName)
	if err != nil || !ok {
		return fmt.Errorf("字体 %s 无法加载", fontName)
	}
	for _, v := range values {
		for _, r := range v.Value {
			if r == ' ' {
				continue
			}
			if _, ok := ttf.Chars[uint32(r)]; !ok {
				return fmt.Errorf("字体 %s 没有“%s”中的字符 %q，请换用字体", fontName, v.Label, r)
			}
		}
	}
	return nil
}

// Fill fills the firm's template, a PDF form (AcroForm), with the letter's
// values in f (embedded as a subset), locks every field (read-only) and
// returns the new PDF, not yet signed. Every font of the form's default
// resources is replaced by f, so that fields set in Helvetica by the
// template's author still show Chinese text.
func Fill(template []byte, l Letter, f Font) ([]byte, error) {
	if len(template) > MaxPDF {
		return nil, fmt.Errorf("模板有 %d 字节，超过 %d", len(template), MaxPDF)
	}
	api.DisableConfigDir()
	fontMu.Lock()
	defer fontMu.Unlock()
	fontName, err := loadFont(f)
	if err != nil {
		return nil, err
	}
	if err := checkCoverage(fontName, l.Values()); err != nil {
		return nil, err
	}

	conf := pdfConf()
	fields, err := api.FormFields(bytes.NewReader(template), conf)
	if err != nil {
		return nil, fmt.Errorf("模板不是可以读取的 PDF 表单：%v", err)
	}
	have := map[string]form.Field{}
	for _, fl := range fields {
		have[fl.Name] = fl
	}
	var missing []string
	for _, n := range requiredFields {
		if _, ok := have[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("模板缺少表单字段：%s", strings.Join(missing, "、"))
	}
	var tf []form.TextField
	for _, v := range l.Values() {
		fl, ok := have[v.Name]
		if !ok {
			continue
		}
		if fl.Typ != form.FTText {
			return nil, fmt.Errorf("模板的字段 %s 不是文本字段", v.Name)
		}
		tf = append(tf, form.TextField{Name: v.Name, Value: v.Value, Locked: true})
	}
	js, err := json.Marshal(map[string]any{"forms": []map[string]any{{"textfield": tf}}})
	if err != nil {
		return nil, err
	}
	var fg form.FormGroup
	if err := json.Unmarshal(js, &fg); err != nil {
		return nil, err
	}

	conf = pdfConf()
	conf.Cmd = model.FILLFORMFIELDS
	ctx, err := api.ReadValidateAndOptimize(bytes.NewReader(template), conf)
	if err != nil {
		return nil, fmt.Errorf("模板不是有效的 PDF：%v", err)
	}
	fontRef, err := useFont(ctx, fontName)
	if err != nil {
		return nil, err
	}
	ok, _, err := form.FillForm(ctx, form.FillDetails(&fg.Forms[0], nil), nil, form.JSON)
	if err != nil {
		return nil, fmt.Errorf("填写模板失败：%v", err)
	}
	if !ok {
		return nil, errors.New("填写模板失败：没有字段被填写")
	}
	values := map[string]string{}
	for _, t := range tf {
		values[t.Name] = t.Value
	}
	if err := writeAppearances(ctx, fontName, fontRef, values); err != nil {
		return nil, err
	}
	if _, err := form.LockFormFields(ctx, nil); err != nil {
		return nil, fmt.Errorf("锁定模板字段失败：%v", err)
	}
	var out bytes.Buffer
	if err := api.WriteContext(ctx, &out); err != nil {
		return nil, fmt.Errorf("写出保函失败：%v", err)
	}
	return out.Bytes(), nil
}

// useFont points every font of the AcroForm's default resources at a new
// Type0 font dictionary of fontName.
func useFont(ctx *model.Context, fontName string) (types.IndirectRef, error) {
	xt := ctx.XRefTable
	root, err := xt.Catalog()
	if err != nil {
		return types.IndirectRef{}, errors.New("模板缺少文档目录")
	}
	acro, err := xt.DereferenceDict(root["AcroForm"])
	if err != nil || acro == nil {
		return types.IndirectRef{}, errors.New("模板不是 PDF 表单（没有 AcroForm）")
	}
	ir, err := pdffont.EnsureFontDict(xt, fontName, "", "", false, nil)
	if err != nil {
		return types.IndirectRef{}, fmt.Errorf("字体 %s 无法用于表单：%v", fontName, err)
	}
	dr, err := xt.DereferenceDict(acro["DR"])
	if err != nil {
		return types.IndirectRef{}, errors.New("模板的表单资源（DR）无法读取")
	}
	if dr == nil {
		dr = types.Dict{}
		acro["DR"] = dr
	}
	fonts, err := xt.DereferenceDict(dr["Font"])
	if err != nil {
		return types.IndirectRef{}, errors.New("模板的表单字体（DR Font）无法读取")
	}
	if len(fonts) == 0 {
		fonts = types.Dict{}
		dr["Font"] = fonts
		fonts["F0"] = *ir
		acro["DA"] = types.StringLiteral("/F0 11 Tf 0 g")
		return *ir, nil
	}
	for k := range fonts {
		fonts[k] = *ir
	}
	// pdfcpu picks the font of a field's appearance by name among the fonts
	// it found in the file: forget the template's own font objects of that
	// name (a placeholder without glyphs), so that the new one is used.
	if ctx.Optimize != nil {
		for nr, fo := range ctx.Optimize.FontObjects {
			if fo != nil && fo.FontName == fontName && nr != ir.ObjectNumber.Value() {
				delete(ctx.Optimize.FontObjects, nr)
			}
		}
	}
	return *ir, nil
}
