package issue

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/pdfcpu/pdfcpu/pkg/font"
	pdffont "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/form"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// pdfcpu v0.15.0's form filling writes a field's appearance in a font of
// the form's resources as the value's raw UTF-8 bytes, or for a Chinese
// font as Unicode codes: neither shows with an embedded font subset (the
// value is right, the page shows nothing). writeAppearances therefore
// draws each filled field's appearance stream anew in the embedded font,
// with pdfcpu's own text encoding (glyph ids, recorded for the subset) and
// font embedding.
func writeAppearances(ctx *model.Context, fontName string, fontRef types.IndirectRef, values map[string]string) error {
	xt := ctx.XRefTable
	fields, err := form.Fields(xt)
	if err != nil {
		return fmt.Errorf("读取表单字段失败：%v", err)
	}
	for _, f := range fields {
		d, err := xt.DereferenceDict(f)
		if err != nil || d == nil {
			continue
		}
		name, err := xt.DereferenceStringOrHexLiteral(d["T"], model.V10, nil)
		if err != nil {
			continue
		}
		value, ok := values[name]
		if !ok {
			continue
		}
		widgets := []types.Dict{d}
		if kids, found := d.Find("Kids"); found {
			arr, err := xt.DereferenceArray(kids)
			if err != nil {
				return fmt.Errorf("字段 %s 的控件无法读取", name)
			}
			widgets = nil
			for _, k := range arr {
				if kd, err := xt.DereferenceDict(k); err == nil && kd != nil {
					widgets = append(widgets, kd)
				}
			}
		}
		da := ""
		if s, err := xt.DereferenceStringOrHexLiteral(d["DA"], model.V10, nil); err == nil {
			da = s
		}
		for _, w := range widgets {
			if err := writeAppearance(xt, w, da, value, fontName, fontRef); err != nil {
				return fmt.Errorf("字段 %s：%v", name, err)
			}
		}
	}
	if err := pdffont.UpdateUserfonts(xt, map[string]types.IndirectRef{fontName: fontRef}); err != nil {
		return fmt.Errorf("嵌入字体 %s 失败：%v", fontName, err)
	}
	return writeToUnicode(xt, fontName, fontRef, values)
}

// writeToUnicode replaces the font's ToUnicode map with one made from the
// characters written: pdfcpu inverts the font's cmap, and where a font maps
// two code points to one glyph (WenQuanYi: 年 U+5E74 and the compatibility
// ideograph U+F98E) text extraction may give the wrong one.
func writeToUnicode(xt *model.XRefTable, fontName string, fontRef types.IndirectRef, values map[string]string) error {
	ttf, ok, err := font.UserFont(fontName)
	if err != nil || !ok {
		return fmt.Errorf("字体 %s 无法加载", fontName)
	}
	m := map[uint16]rune{}
	for _, v := range values {
		for _, r := range v {
			if gid, ok := ttf.Chars[uint32(r)]; ok {
				if _, dup := m[gid]; !dup {
					m[gid] = r
				}
			}
		}
	}
	gids := make([]int, 0, len(m))
	for g := range m {
		gids = append(gids, int(g))
	}
	slices.Sort(gids)
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for i := 0; i < len(gids); i += 100 {
		chunk := gids[i:min(i+100, len(gids))]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			fmt.Fprintf(&b, "<%04X> <", g)
			for _, u := range utf16.Encode([]rune{m[uint16(g)]}) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	sd, err := xt.NewStreamDictForBuf([]byte(b.String()))
	if err != nil {
		return err
	}
	if err := sd.Encode(); err != nil {
		return err
	}
	ref, err := xt.IndRefForNewObject(*sd)
	if err != nil {
		return err
	}
	fd, err := xt.DereferenceDict(fontRef)
	if err != nil || fd == nil {
		return fmt.Errorf("字体 %s 的字典无法读取", fontName)
	}
	fd["ToUnicode"] = *ref
	return nil
}

func writeAppearance(xt *model.XRefTable, w types.Dict, da, value, fontName string, fontRef types.IndirectRef) error {
	rect, err := xt.DereferenceArray(w["Rect"])
	if err != nil || len(rect) != 4 {
		return fmt.Errorf("控件位置（Rect）无效")
	}
	var r [4]float64
	for i, o := range rect {
		v, err := xt.DereferenceNumber(o)
		if err != nil {
			return fmt.Errorf("控件位置（Rect）无效")
		}
		r[i] = v
	}
	width, height := r[2]-r[0], r[3]-r[1]
	if width < 0 {
		width = -width
	}
	if height < 0 {
		height = -height
	}
	if width == 0 || height == 0 {
		return nil
	}
	if da == "" {
		if s, err := xt.DereferenceStringOrHexLiteral(w["DA"], model.V10, nil); err == nil {
			da = s
		}
	}
	size := daFontSize(da)
	if size <= 0 {
		size = 11
	}
	if size > height-2 {
		size = height - 2
	}
	// Shrink to fit: a long name of a 标段 stays on the line.
	tw, err := font.TextWidthFloat(value, fontName, size)
	if err != nil {
		return fmt.Errorf("字体 %s：%v", fontName, err)
	}
	if tw > width-4 && tw > 0 {
		size *= (width - 4) / tw
	}
	text, err := model.PrepBytes(xt, value, fontName, true, false, false)
	if err != nil {
		return fmt.Errorf("字体 %s 不能写出这些字：%v", fontName, err)
	}
	asc, _ := font.Ascent(fontName, 1000)
	desc, _ := font.Descent(fontName, 1000)
	baseline := (height - size*(asc-desc)/1000) / 2
	if baseline < 1 {
		baseline = 1
	}
	baseline -= size * desc / 1000 // desc is negative below the baseline
	content := fmt.Sprintf("/Tx BMC q 1 1 %s %s re W n BT /F0 %s Tf 0 g %s %s Td (%s) Tj ET Q EMC",
		fnum(width-2), fnum(height-2), fnum(size), fnum(2), fnum(baseline), text)
	sd, err := xt.NewStreamDictForBuf([]byte(content))
	if err != nil {
		return err
	}
	sd.InsertName("Type", "XObject")
	sd.InsertName("Subtype", "Form")
	sd.Insert("BBox", types.NewNumberArray(0, 0, width, height))
	sd.Insert("Resources", types.Dict{"Font": types.Dict{"F0": fontRef}})
	if err := sd.Encode(); err != nil {
		return err
	}
	ap, err := xt.IndRefForNewObject(*sd)
	if err != nil {
		return err
	}
	w["AP"] = types.Dict{"N": *ap}
	delete(w, "AS")
	return nil
}

// daFontSize is the size of "/F0 11 Tf" in a default appearance string.
func daFontSize(da string) float64 {
	f := strings.Fields(da)
	for i, tok := range f {
		if tok == "Tf" && i >= 1 {
			if v, err := strconv.ParseFloat(f[i-1], 64); err == nil {
				return v
			}
		}
	}
	return 0
}

func fnum(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
