package issue

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/emmansun/gmsm/pkcs7"
	"github.com/emmansun/gmsm/sm3"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// SignOptions say how a letter is signed.
type SignOptions struct {
	// Reason is the signature's /Reason ("签发电子保函 BH001").
	Reason string
	// Location is the signature's /Location, optional.
	Location string
	// Seal is a visible seal (印章) image, PNG or JPEG; none when nil.
	Seal []byte
	// SealPage is the page of the seal, 1-based; 0 is the last page.
	SealPage int
	// SealRect is where the seal goes in PDF points (llx, lly, urx, ury);
	// zero is the default: 120 pt square at the lower right of the page's
	// upper body, where a guarantor's name and date usually stand.
	SealRect [4]float64
	// TSA, when set, time-stamps the signature (RFC 3161).
	TSA Timestamper
	// Now is the signing time; time.Now when nil.
	Now func() time.Time
}

// Timestamper gets an RFC 3161 time-stamp token for a signature value.
type Timestamper interface {
	Timestamp(ctx context.Context, signature []byte) (token []byte, err error)
}

// MaxPDF bounds the PDF that Sign reads.
const MaxPDF = 50 << 20

// OIDs of the CMS this package writes.
var (
	oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
)

// Sign signs pdf with cert as an incremental update: the original bytes
// stay as they are, and a new revision adds a signature field (visible with
// the seal when one is given) and a signature dictionary whose /Contents is
// a detached CMS (adbe.pkcs7.detached) over the /ByteRange: SHA-256 with
// RSA or ECDSA, SM3 with SM2, the certificate and its chain embedded, and
// with opts.TSA an RFC 3161 time-stamp token as an unsigned attribute.
func Sign(ctx context.Context, pdf []byte, cert *Certificate, opts SignOptions) ([]byte, error) {
	if len(pdf) > MaxPDF {
		return nil, fmt.Errorf("文件有 %d 字节，超过 %d", len(pdf), MaxPDF)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	u, err := newUpdate(pdf)
	if err != nil {
		return nil, err
	}
	reserve := 8192
	if opts.TSA != nil {
		reserve = 16384
	}
	reserve += len(cert.Leaf.Raw)
	for _, p := range cert.Chain {
		reserve += len(p.Raw)
	}
	for attempt := 0; attempt < 2; attempt++ {
		out, need, err := u.sign(ctx, cert, opts, now(), reserve)
		if err != nil {
			return nil, err
		}
		if out != nil {
			return out, nil
		}
		reserve = need + 4096
	}
	return nil, errors.New("签名数据超出预留空间")
}

// update is the state of the PDF to sign, read with pdfcpu.
type update struct {
	pdf        []byte
	ctx        *model.Context
	size       int    // the trailer's /Size: the first free object number
	prevXRef   int64  // startxref of the last revision
	xrefStream bool   // the last revision's cross-reference is a stream
	trailer    string // /Root, /Info, /ID of the new trailer
}

var startXRefRe = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF`)

func newUpdate(pdf []byte) (*update, error) {
	conf := pdfConf()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadContext(bytes.NewReader(pdf), conf)
	if err != nil {
		return nil, fmt.Errorf("不是可以读取的 PDF：%v", err)
	}
	if ctx.XRefTable.Encrypt != nil || ctx.E != nil {
		return nil, errors.New("PDF 已加密，不能签名")
	}
	if err := ctx.XRefTable.EnsurePageCount(); err != nil || ctx.XRefTable.PageCount < 1 {
		return nil, errors.New("PDF 没有页面")
	}
	if ctx.XRefTable.Root == nil || ctx.XRefTable.Size == nil {
		return nil, errors.New("PDF 缺少文档目录（Root）")
	}
	u := &update{pdf: pdf, ctx: ctx, size: *ctx.XRefTable.Size}
	tail := pdf
	if len(tail) > 4096 {
		tail = tail[len(tail)-4096:]
	}
	m := startXRefRe.FindAllSubmatch(tail, -1)
	if m == nil {
		return nil, errors.New("PDF 末尾缺少 startxref")
	}
	u.prevXRef, err = strconv.ParseInt(string(m[len(m)-1][1]), 10, 64)
	if err != nil || u.prevXRef <= 0 || u.prevXRef >= int64(len(pdf)) {
		return nil, errors.New("PDF 的 startxref 无效")
	}
	u.xrefStream = !bytes.HasPrefix(bytes.TrimLeft(pdf[u.prevXRef:], " \r\n\t\f\x00"), []byte("xref"))
	var tr strings.Builder
	fmt.Fprintf(&tr, "/Root %s", ctx.XRefTable.Root.PDFString())
	if ctx.XRefTable.Info != nil {
		fmt.Fprintf(&tr, " /Info %s", ctx.XRefTable.Info.PDFString())
	}
	if len(ctx.XRefTable.ID) == 2 {
		fmt.Fprintf(&tr, " /ID %s", ctx.XRefTable.ID.PDFString())
	}
	u.trailer = tr.String()
	return u, nil
}

// sign writes the update with reserve bytes for the CMS. It returns nil
// and the size needed when the CMS does not fit.
func (u *update) sign(ctx context.Context, cert *Certificate, opts SignOptions, at time.Time, reserve int) ([]byte, int, error) {
	xt := u.ctx.XRefTable
	pageNr := opts.SealPage
	if pageNr <= 0 || pageNr > xt.PageCount {
		pageNr = xt.PageCount
	}
	pageDict, pageRef, inh, err := xt.PageDict(pageNr, false)
	if err != nil || pageRef == nil {
		return nil, 0, fmt.Errorf("读取第 %d 页失败", pageNr)
	}
	catalog, err := xt.Catalog()
	if err != nil {
		return nil, 0, errors.New("读取文档目录失败")
	}

	objs := map[int]string{} // object number -> its body (without "obj"/"endobj")
	next := u.size
	alloc := func() int { next++; return next - 1 }
	sigNr, widgetNr := alloc(), alloc()

	// The signature field and its widget, one object.
	rect := "[0 0 0 0]"
	ap := ""
	if opts.Seal != nil {
		img, err := sealImage(opts.Seal)
		if err != nil {
			return nil, 0, err
		}
		r := opts.SealRect
		if r == ([4]float64{}) {
			w, h := 595.0, 842.0
			if inh != nil && inh.MediaBox != nil {
				w, h = inh.MediaBox.Width(), inh.MediaBox.Height()
			}
			r = [4]float64{w - 220, h * 0.28, w - 100, h*0.28 + 120}
		}
		if r[2] <= r[0] || r[3] <= r[1] {
			return nil, 0, errors.New("印章位置无效")
		}
		imgNr := alloc()
		objs[imgNr] = img.object
		if img.smask != "" {
			maskNr := alloc()
			objs[maskNr] = img.smask
			objs[imgNr] = strings.Replace(img.object, "/SMask 0 0 R", fmt.Sprintf("/SMask %d 0 R", maskNr), 1)
		}
		apNr := alloc()
		bw, bh := r[2]-r[0], r[3]-r[1]
		content := fmt.Sprintf("q %s 0 0 %s 0 0 cm /Seal Do Q", num(bw), num(bh))
		objs[apNr] = fmt.Sprintf("<< /Type /XObject /Subtype /Form /BBox [0 0 %s %s] /Resources << /XObject << /Seal %d 0 R >> >> /Length %d >>\nstream\n%s\nendstream",
			num(bw), num(bh), imgNr, len(content), content)
		rect = fmt.Sprintf("[%s %s %s %s]", num(r[0]), num(r[1]), num(r[2]), num(r[3]))
		ap = fmt.Sprintf(" /AP << /N %d 0 R >>", apNr)
	}

	// The AcroForm: existing fields plus ours, SigFlags 3 (signatures
	// exist, append only).
	acroObj, acroIndirect := catalog["AcroForm"], false
	var acro types.Dict
	if ir, ok := acroObj.(types.IndirectRef); ok {
		acroIndirect = true
		d, err := xt.DereferenceDict(ir)
		if err != nil {
			return nil, 0, errors.New("读取表单（AcroForm）失败")
		}
		acro = d.Clone().(types.Dict)
	} else if d, ok := acroObj.(types.Dict); ok {
		acro = d.Clone().(types.Dict)
	} else {
		acro = types.Dict{}
	}
	var fields types.Array
	if f, found := acro.Find("Fields"); found {
		if fields, err = xt.DereferenceArray(f); err != nil {
			return nil, 0, errors.New("读取表单字段失败")
		}
	}
	fieldName := u.uniqueFieldName(fields)
	fields = append(append(types.Array{}, fields...), *types.NewIndirectRef(widgetNr, 0))
	acro["Fields"] = fields
	acro["SigFlags"] = types.Integer(3)

	objs[widgetNr] = fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T %s /V %d 0 R /F 132 /P %s /Rect %s%s >>",
		textString(fieldName), sigNr, pageRef.PDFString(), rect, ap)

	if acroIndirect {
		ir := acroObj.(types.IndirectRef)
		objs[ir.ObjectNumber.Value()] = acro.PDFString()
	} else {
		cat := catalog.Clone().(types.Dict)
		cat["AcroForm"] = acro
		objs[xt.Root.ObjectNumber.Value()] = cat.PDFString()
	}

	// The page, with our widget among its annotations.
	page := pageDict.Clone().(types.Dict)
	var annots types.Array
	if a, found := page.Find("Annots"); found {
		if annots, err = xt.DereferenceArray(a); err != nil {
			return nil, 0, errors.New("读取页面批注失败")
		}
	}
	page["Annots"] = append(append(types.Array{}, annots...), *types.NewIndirectRef(widgetNr, 0))
	objs[pageRef.ObjectNumber.Value()] = page.PDFString()

	// The signature dictionary, with placeholders.
	const brPlaceholder = "0 0000000000 0000000000 0000000000"
	var sig strings.Builder
	sig.WriteString("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached")
	fmt.Fprintf(&sig, " /Name %s /M %s", textString(cert.Leaf.Subject.CommonName), textString(pdfDate(at)))
	if opts.Reason != "" {
		fmt.Fprintf(&sig, " /Reason %s", textString(opts.Reason))
	}
	if opts.Location != "" {
		fmt.Fprintf(&sig, " /Location %s", textString(opts.Location))
	}
	sig.WriteString(" /ByteRange [" + brPlaceholder + "]")
	sig.WriteString(" /Contents <")
	contentsAt := sig.Len() // offset of the hex within the object body
	sig.WriteString(strings.Repeat("0", 2*reserve))
	sig.WriteString("> >>")
	objs[sigNr] = sig.String()

	// Write the revision.
	var b bytes.Buffer
	b.Write(u.pdf)
	if !bytes.HasSuffix(u.pdf, []byte("\n")) {
		b.WriteByte('\n')
	}
	offsets := map[int]int64{}
	nrs := sortedKeys(objs)
	var sigBodyAt int64
	for _, nr := range nrs {
		offsets[nr] = int64(b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n", nr)
		if nr == sigNr {
			sigBodyAt = int64(b.Len())
		}
		b.WriteString(objs[nr])
		b.WriteString("\nendobj\n")
	}
	xrefAt := int64(b.Len())
	if u.xrefStream {
		xrefNr := next
		offsets[xrefNr] = xrefAt
		u.writeXRefStream(&b, xrefNr, offsets)
	} else {
		u.writeXRefTable(&b, next, offsets)
	}
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", xrefAt)

	out := b.Bytes()
	hexStart := sigBodyAt + int64(contentsAt) - 1 // at '<'
	hexEnd := sigBodyAt + int64(contentsAt) + int64(2*reserve) + 1
	br := fmt.Sprintf("0 %d %d %d", hexStart, hexEnd, int64(len(out))-hexEnd)
	if len(br) > len(brPlaceholder) {
		return nil, 0, errors.New("文件太大，无法签名")
	}
	brAt := bytes.Index(out[sigBodyAt:], []byte("["+brPlaceholder+"]"))
	if brAt < 0 {
		return nil, 0, errors.New("internal: ByteRange placeholder not found")
	}
	copy(out[sigBodyAt+int64(brAt)+1:], br+strings.Repeat(" ", len(brPlaceholder)-len(br)))

	signed := make([]byte, 0, len(out))
	signed = append(signed, out[:hexStart]...)
	signed = append(signed, out[hexEnd:]...)
	der, err := buildCMS(ctx, cert, signed, opts.TSA)
	if err != nil {
		return nil, 0, err
	}
	if len(der) > reserve {
		return nil, len(der), nil
	}
	hex.Encode(out[hexStart+1:], der)
	return out, 0, nil
}

func (u *update) uniqueFieldName(fields types.Array) string {
	names := map[string]bool{}
	for _, f := range fields {
		d, err := u.ctx.XRefTable.DereferenceDict(f)
		if err != nil || d == nil {
			continue
		}
		if t, err := u.ctx.XRefTable.DereferenceStringOrHexLiteral(d["T"], model.V10, nil); err == nil {
			names[t] = true
		}
	}
	for i := 1; ; i++ {
		n := fmt.Sprintf("Signature%d", i)
		if !names[n] {
			return n
		}
	}
}

func (u *update) writeXRefTable(b *bytes.Buffer, size int, offsets map[int]int64) {
	b.WriteString("xref\n")
	nrs := sortedKeys(offsets)
	for i := 0; i < len(nrs); {
		j := i
		for j+1 < len(nrs) && nrs[j+1] == nrs[j]+1 {
			j++
		}
		fmt.Fprintf(b, "%d %d\n", nrs[i], j-i+1)
		for k := i; k <= j; k++ {
			fmt.Fprintf(b, "%010d 00000 n\r\n", offsets[nrs[k]])
		}
		i = j + 1
	}
	fmt.Fprintf(b, "trailer\n<< /Size %d %s /Prev %d >>\n", size, u.trailer, u.prevXRef)
}

func (u *update) writeXRefStream(b *bytes.Buffer, xrefNr int, offsets map[int]int64) {
	nrs := sortedKeys(offsets)
	var index strings.Builder
	var data []byte
	for i := 0; i < len(nrs); {
		j := i
		for j+1 < len(nrs) && nrs[j+1] == nrs[j]+1 {
			j++
		}
		fmt.Fprintf(&index, "%d %d ", nrs[i], j-i+1)
		for k := i; k <= j; k++ {
			off := offsets[nrs[k]]
			data = append(data, 1, byte(off>>24), byte(off>>16), byte(off>>8), byte(off), 0, 0)
		}
		i = j + 1
	}
	fmt.Fprintf(b, "%d 0 obj\n<< /Type /XRef /Size %d %s /Prev %d /W [1 4 2] /Index [%s] /Length %d >>\nstream\n",
		xrefNr, xrefNr+1, u.trailer, u.prevXRef, strings.TrimSpace(index.String()), len(data))
	b.Write(data)
	b.WriteString("\nendstream\nendobj\n")
}

// buildCMS makes the detached CMS SignedData over signed.
func buildCMS(ctx context.Context, cert *Certificate, signed []byte, tsa Timestamper) ([]byte, error) {
	var digest []byte
	var digestOID asn1.ObjectIdentifier
	if cert.SM2() {
		h := sm3.Sum(signed)
		digest, digestOID = h[:], pkcs7.OIDDigestAlgorithmSM3
	} else {
		h := sha256.Sum256(signed)
		digest, digestOID = h[:], pkcs7.OIDDigestAlgorithmSHA256
	}
	sd, err := pkcs7.NewSignedDataWithDigest(digest)
	if err != nil {
		return nil, fmt.Errorf("签名失败：%v", err)
	}
	sd.SetDigestAlgorithm(digestOID)
	var key crypto.PrivateKey = cert.Key
	if err := sd.AddSignerChain(cert.Leaf, key, cert.Chain, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("签名失败：%v", err)
	}
	// SM2 signer infos name the algorithm sm2-1 (1.2.156.10197.1.301.1, GM/T
	// 0010), as gmsm writes and reads it.
	si := &sd.GetSignedData().SignerInfos[0]
	if tsa != nil {
		token, err := tsa.Timestamp(ctx, si.EncryptedDigest)
		if err != nil {
			return nil, err
		}
		if err := si.SetUnauthenticatedAttributes([]pkcs7.Attribute{{Type: oidTimeStampToken, Value: asn1.RawValue{FullBytes: token}}}); err != nil {
			return nil, fmt.Errorf("时间戳无法加入签名：%v", err)
		}
	}
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("签名失败：%v", err)
	}
	return der, nil
}

// maxDecode bounds what pdfcpu decodes of one stream (its default is
// 512 MiB): a letter's largest stream, a scanned A4 page at 300 dpi, is
// about 26 MB decoded.
const maxDecode = 128 << 20

// pdfConf is a fresh pdfcpu configuration for one read, never shared.
func pdfConf() *model.Configuration {
	conf := model.NewDefaultConfiguration()
	conf.Limits.MaxDecodeBytes = maxDecode
	return conf
}

// textString is a PDF text string: UTF-16BE with a byte order mark, in hex.
func textString(s string) string {
	ascii := true
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
		return "(" + r.Replace(s) + ")"
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// pdfDate is a PDF date in China Standard Time.
func pdfDate(t time.Time) string {
	return t.In(cst).Format("D:20060102150405+08'00'")
}

var cst = time.FixedZone("CST", 8*3600)

func num(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
