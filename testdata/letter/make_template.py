#!/usr/bin/python3
"""Make testdata/letter/template.pdf: a guarantee letter (投标保函) form.

A stand-in for the firm's own template, made by tools other than baohan:
reportlab (Debian python3-reportlab) draws the page, its Chinese labels in
WenQuanYi Micro Hei (Debian fonts-wqy-microhei, embedded as a subset) and the
AcroForm text fields; pikepdf (Debian python3-pikepdf) then points the fields'
default appearance at a font resource named after that font, so that the
filler knows which font the firm wants in the fields.

    /usr/bin/python3 testdata/letter/make_template.py testdata/letter/template.pdf

The output is reproducible (reportlab's invariant mode, fixed document id).
"""
import sys

import pikepdf
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FIELD_FONT = "WenQuanYiMicroHei"  # the font's PostScript name

# name, label, x, y, width
FIELDS = [
    ("guarantee_no", "保函编号：", 150, 740, 300),
    ("creditor", "受益人：", 150, 700, 380),
    ("principal", "被保证人：", 150, 670, 380),
    ("project_name", "项目名称：", 150, 640, 380),
    ("block_name", "标段名称：", 150, 610, 380),
    ("amount", "担保金额（小写）：", 170, 580, 200),
    ("amount_cn", "担保金额（大写）：", 170, 550, 300),
    ("period", "担保期间：", 150, 520, 380),
    ("guarantor", "保证人：", 150, 300, 380),
    ("issue_date", "出函日期：", 150, 270, 200),
]


def main(out):
    pdfmetrics.registerFont(TTFont("WQY", FONT_FILE, subfontIndex=0))
    tmp = out + ".tmp"
    c = canvas.Canvas(tmp, pagesize=A4, invariant=1)
    c.setTitle("投标保函（模板）")
    c.setFont("WQY", 20)
    c.drawCentredString(A4[0] / 2, 790, "投标保函")
    c.setFont("WQY", 11)
    for name, label, x, y, width in FIELDS:
        c.drawRightString(x - 4, y + 6, label)
        c.acroForm.textfield(name=name, tooltip=label.rstrip("："), x=x, y=y,
                             width=width, height=20, fontSize=11,
                             borderWidth=0, forceBorder=False,
                             fillColor=None, borderColor=None)
    body = [
        "鉴于被保证人参加上述项目标段的投标，应被保证人的申请，保证人愿意就被保证人",
        "履行投标人义务向受益人提供担保。在担保期间内，如被保证人在投标有效期内撤销",
        "投标文件，或中标后无正当理由不签订合同或不提交履约担保，保证人在收到受益人",
        "书面索赔通知后七日内，在担保金额内无条件支付。",
    ]
    y = 470
    for line in body:
        c.drawString(60, y, line)
        y -= 20
    c.showPage()
    c.save()

    with pikepdf.open(tmp) as pdf:
        # Only the name and the language matter: the filler embeds the
        # glyphs it uses from its own copy of the font.
        desc = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/" + FIELD_FONT),
            Flags=4, FontBBox=[-1000, -300, 1100, 1000], ItalicAngle=0,
            Ascent=1000, Descent=-300, CapHeight=700, StemV=80, Lang=pikepdf.Name.zh))
        cid = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2,
            BaseFont=pikepdf.Name("/" + FIELD_FONT), FontDescriptor=desc,
            CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"),
                                             Ordering=pikepdf.String("Identity"), Supplement=0)))
        font = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0,
            BaseFont=pikepdf.Name("/" + FIELD_FONT), Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[cid]))
        acro = pdf.Root.AcroForm
        acro.DR = pikepdf.Dictionary(Font=pikepdf.Dictionary(F0=font))
        da = "/F0 11 Tf 0 g"
        acro.DA = pikepdf.String(da)
        for f in acro.Fields:
            f.DA = pikepdf.String(da)
            if "/AP" in f:
                del f.AP
        acro.NeedAppearances = False
        pdf.trailer.ID = pikepdf.Array([pikepdf.String(b"baohan-template-1"), pikepdf.String(b"baohan-template-1")])
        pdf.save(out, static_id=True)
    import os
    os.remove(tmp)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "testdata/letter/template.pdf")
