package sandbox

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"unicode/utf16"
)

// MinimalPDF makes a small, valid one-page PDF: title (may be Chinese; it
// goes into the document information as UTF-16) and lines of page text
// (Helvetica, so characters outside ASCII print as '?'). The cross-reference
// table is exact, so strict readers (pdfcpu) accept it.
func MinimalPDF(title string, lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 16 Tf 72 770 Td (" + pdfText(title) + ") Tj /F1 11 Tf")
	for _, l := range lines {
		content.WriteString(" 0 -20 Td (" + pdfText(l) + ") Tj")
	}
	content.WriteString(" ET\n")

	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Title " + pdfUTF16(title) + " /Producer (baohan sandbox) >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, len(objects), xref)
	return b.Bytes()
}

// pdfText escapes a literal string for a content stream; non-ASCII becomes '?'.
func pdfText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// pdfUTF16 is a hex string in UTF-16BE with a byte order mark.
func pdfUTF16(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// SmallJPEG makes a small JPEG picture (an attachment "scan").
func SmallJPEG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(200 + (x*37+y*11)%55)
			img.Set(x, y, color.RGBA{v, v, uint8(230 - (y % 40)), 255})
		}
	}
	for x := w / 8; x < w*7/8; x++ { // a "stamp" line
		img.Set(x, h/2, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return b.Bytes()
}
