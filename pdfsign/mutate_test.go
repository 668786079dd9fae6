package pdfsign

// Property tests by mutation (issue 19, point 6). A generator writes
// incremental updates (PDF 32000-1, 7.5.6) to intact signed files, from a
// catalogue of edits each with its truth by construction: forbidden edits
// change what a reader shows or what was signed, and must be refused;
// allowed edits are what PDF permits after a signature, and must pass.
// The generator reads the base with pdfcpu (to find the catalog, the first
// page, its content and font, the form) and writes the update bytes
// itself, from the specification: it shares no code with the checker
// beyond the test PKI that signs.

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// mutBase is an intact signed file and what the generator found in it.
type mutBase struct {
	name      string
	data      []byte
	x         *model.XRefTable
	rootNr    int
	page      types.Dict
	pageNr    int
	contentNr int // 0 when the content is not one indirect stream
	fontNr    int // the first font of the page's resources, 0 if none
	sigVNr    int // the first signature dictionary
	size      int
	prev      int64
	// lockNewSigs: a lock of an earlier signature forbids a new
	// signature (DocMDP P=1, FieldMDP All or Exclude).
	lockNewSigs bool
	// blank is a rectangle of the page known to be blank (generated
	// bases only); text is one over the page's text.
	blank, text string
	// nozoom is a blank rectangle above and left of the text (generated
	// bases only).
	nozoom string
	// rsaSigned: the base is signed with the test PKI's RSA key (the key
	// the generator signs with).
	rsaSigned bool
	// paints: the first page's content streams are not empty.
	paints bool
}

// mutation is one edit of the catalogue.
type mutation struct {
	class   string
	allowed bool
	// apply writes the update; ok false when the edit does not apply to
	// this base (counted as skipped).
	apply func(t *testing.T, b *mutBase, u *update) bool
	// truth overrides allowed for a base (a lock makes a signature
	// forbidden).
	truth func(b *mutBase) bool
}

// update is an incremental update being written after a base.
type update struct {
	b       *mutBase
	buf     bytes.Buffer
	offs    map[int]int64
	gens    map[int]int
	free    map[int]int // freed objects: the generation of their free entry
	next    int
	rows    func(nr int, off int64, gen int) []string // extra rows (duplicates)
	sigs    []pendingSig
	trailer string
	// widgetFlags are the /F of the widgets addSignature writes (0: 132,
	// Print and Locked).
	widgetFlags int
}

type pendingSig struct {
	brPos, contentsPos int
	docTS              bool
}

const mutContentsReserve = 8192

func newUpdate(b *mutBase) *update {
	u := &update{b: b, offs: map[int]int64{}, gens: map[int]int{}, free: map[int]int{}, next: b.size}
	u.buf.Write(b.data)
	if !bytes.HasSuffix(b.data, []byte("\n")) && !bytes.HasSuffix(b.data, []byte("\r")) {
		u.buf.WriteString("\n")
	}
	return u
}

func (u *update) newNr() int {
	n := u.next
	u.next++
	return n
}

func (u *update) obj(nr, gen int, body string) {
	u.offs[nr] = int64(u.buf.Len())
	u.gens[nr] = gen
	fmt.Fprintf(&u.buf, "%d %d obj\n%s\nendobj\n", nr, gen, body)
}

func (u *update) stream(nr, gen int, dict string, data []byte) {
	u.offs[nr] = int64(u.buf.Len())
	u.gens[nr] = gen
	fmt.Fprintf(&u.buf, "%d %d obj\n<< %s /Length %d >>\nstream\n", nr, gen, dict, len(data))
	u.buf.Write(data)
	u.buf.WriteString("\nendstream\nendobj\n")
}

// dictWith writes d with keys set (a value "" removes the key).
func dictWith(d types.Dict, set map[string]string) string {
	var keys []string
	for k := range d {
		if _, ok := set[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var sb strings.Builder
	sb.WriteString("<<")
	for _, k := range keys {
		v := d[k]
		if v == nil {
			continue
		}
		sb.WriteString(" /" + k + " " + v.PDFString())
	}
	var extra []string
	for k := range set {
		extra = append(extra, k)
	}
	sort.Strings(extra)
	for _, k := range extra {
		if set[k] != "" {
			sb.WriteString(" /" + k + " " + set[k])
		}
	}
	sb.WriteString(" >>")
	return sb.String()
}

// finish writes the cross-reference table and trailer (7.5.4, 7.5.5) and
// signs the signatures added.
func (u *update) finish(t *testing.T) []byte {
	var nrs []int
	for nr := range u.offs {
		nrs = append(nrs, nr)
	}
	for nr := range u.free {
		nrs = append(nrs, nr)
	}
	sort.Ints(nrs)
	xref := u.buf.Len()
	u.buf.WriteString("xref\n")
	for i := 0; i < len(nrs); {
		j := i
		for j+1 < len(nrs) && nrs[j+1] == nrs[j]+1 {
			j++
		}
		var rows []string
		for _, nr := range nrs[i : j+1] {
			if g, ok := u.free[nr]; ok {
				rows = append(rows, fmt.Sprintf("%010d %05d f \n", 0, g))
				continue
			}
			rows = append(rows, fmt.Sprintf("%010d %05d n \n", u.offs[nr], u.gens[nr]))
			if u.rows != nil {
				rows = append(rows, u.rows(nr, u.offs[nr], u.gens[nr])...)
			}
		}
		fmt.Fprintf(&u.buf, "%d %d\n%s", nrs[i], len(rows), strings.Join(rows, ""))
		i = j + 1
	}
	size := max(u.next, u.b.size)
	info := ""
	if u.b.x.Info != nil {
		info = " /Info " + u.b.x.Info.String()
	}
	fmt.Fprintf(&u.buf, "trailer\n<< /Size %d /Root %d 0 R%s /Prev %d%s >>\nstartxref\n%d\n%%%%EOF\n",
		size, u.b.rootNr, info, u.b.prev, u.trailer, xref)
	out := u.buf.Bytes()
	for _, s := range u.sigs {
		gapStart := s.contentsPos
		gapEnd := s.contentsPos + 2*mutContentsReserve + 2
		br := fmt.Sprintf("[0 %d %d %d]", gapStart, gapEnd, len(out)-gapEnd)
		br += strings.Repeat(" ", len("[0 0000000000 0000000000 0000000000]")-len(br))
		copy(out[s.brPos:], br)
		signed := append(append([]byte{}, out[:gapStart]...), out[gapEnd:]...)
		cms := makeCMS(t, genSpec{docTS: s.docTS}, signed)
		if len(cms) > mutContentsReserve {
			t.Fatalf("signature value of %d bytes", len(cms))
		}
		copy(out[s.contentsPos+1:], hex.EncodeToString(cms))
	}
	return out
}

// addSignature adds a signature field with a widget at rect on the first
// page, signed (a document timestamp with docTS) when finish runs.
func (u *update) addSignature(rect string, docTS bool, ap bool) {
	b := u.b
	sigNr, wNr := u.newNr(), u.newNr()
	sub, typ := "/adbe.pkcs7.detached", "/Sig"
	if docTS {
		sub, typ = "/ETSI.RFC3161", "/DocTimeStamp"
	}
	u.offs[sigNr] = int64(u.buf.Len())
	u.gens[sigNr] = 0
	fmt.Fprintf(&u.buf, "%d 0 obj\n<< /Type %s /Filter /Adobe.PPKLite /SubFilter %s /M (D:20260101000000Z) /ByteRange ", sigNr, typ, sub)
	s := pendingSig{brPos: u.buf.Len(), docTS: docTS}
	u.buf.WriteString("[0 0000000000 0000000000 0000000000] /Contents ")
	s.contentsPos = u.buf.Len()
	u.buf.WriteString("<" + strings.Repeat("0", 2*mutContentsReserve) + "> >>\nendobj\n")
	u.sigs = append(u.sigs, s)
	apEntry := ""
	if ap {
		apNr := u.newNr()
		u.stream(apNr, 0, "/Type /XObject /Subtype /Form /BBox [0 0 100 40]", []byte("q 0 0 1 rg 2 2 96 36 re f Q"))
		apEntry = fmt.Sprintf(" /AP << /N %d 0 R >>", apNr)
	}
	flags := u.widgetFlags
	if flags == 0 {
		flags = 132
	}
	u.obj(wNr, 0, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Mutation%d) /Rect %s /F %d /P %d 0 R /V %d 0 R%s >>",
		wNr, rect, flags, b.pageNr, sigNr, apEntry))
	u.addToAnnots(fmt.Sprintf("%d 0 R", wNr))
	u.addToFields(fmt.Sprintf("%d 0 R", wNr))
}

// addToAnnots writes the first page again with ref added to /Annots.
func (u *update) addToAnnots(ref string) {
	b := u.b
	var elems []string
	if a, err := b.x.DereferenceArray(b.page["Annots"]); err == nil {
		for _, e := range a {
			elems = append(elems, e.PDFString())
		}
	}
	elems = append(elems, ref)
	if r, ok := b.page["Annots"].(types.IndirectRef); ok {
		u.obj(r.ObjectNumber.Value(), r.GenerationNumber.Value(), "["+strings.Join(elems, " ")+"]")
		return
	}
	u.obj(b.pageNr, 0, dictWith(b.page, map[string]string{"Annots": "[" + strings.Join(elems, " ") + "]"}))
}

// addToFields adds ref to the form's /Fields (and /SigFlags 3).
func (u *update) addToFields(ref string) {
	b := u.b
	root, _ := b.x.DereferenceDict(*types.NewIndirectRef(b.rootNr, 0))
	af, _ := b.x.DereferenceDict(root["AcroForm"])
	var elems []string
	if af != nil {
		if a, err := b.x.DereferenceArray(af["Fields"]); err == nil {
			for _, e := range a {
				elems = append(elems, e.PDFString())
			}
		}
	} else {
		af = types.Dict{}
	}
	elems = append(elems, ref)
	if r, ok := af["Fields"].(types.IndirectRef); ok {
		u.obj(r.ObjectNumber.Value(), r.GenerationNumber.Value(), "["+strings.Join(elems, " ")+"]")
		return
	}
	nd := dictWith(af, map[string]string{"Fields": "[" + strings.Join(elems, " ") + "]", "SigFlags": "3"})
	if r, ok := root["AcroForm"].(types.IndirectRef); ok {
		u.obj(r.ObjectNumber.Value(), r.GenerationNumber.Value(), nd)
		return
	}
	u.obj(b.rootNr, 0, dictWith(root, map[string]string{"AcroForm": nd}))
}

func (u *update) catalog(set map[string]string) {
	root, _ := u.b.x.DereferenceDict(*types.NewIndirectRef(u.b.rootNr, 0))
	u.obj(u.b.rootNr, 0, dictWith(root, set))
}

func (u *update) pageWith(set map[string]string) {
	u.obj(u.b.pageNr, 0, dictWith(u.b.page, set))
}

var forged = []byte("BT /F1 24 Tf 72 700 Td (CNY 20000000.00) Tj ET")

// xrefStream writes a cross-reference stream (7.5.8) of entries
// [type, f2, f3] by object number, uncompressed, with W [1 4 2].
func (u *update) xrefStream(entries map[int][3]int64, prev int64) int64 {
	nr := u.newNr()
	entries[nr] = [3]int64{1, int64(u.buf.Len()), 0}
	var nrs []int
	for n := range entries {
		nrs = append(nrs, n)
	}
	sort.Ints(nrs)
	var data []byte
	var index []string
	for i := 0; i < len(nrs); {
		j := i
		for j+1 < len(nrs) && nrs[j+1] == nrs[j]+1 {
			j++
		}
		index = append(index, fmt.Sprintf("%d %d", nrs[i], j-i+1))
		for _, n := range nrs[i : j+1] {
			e := entries[n]
			data = append(data, byte(e[0]), byte(e[1]>>24), byte(e[1]>>16), byte(e[1]>>8), byte(e[1]), byte(e[2]>>8), byte(e[2]))
		}
		i = j + 1
	}
	off := int64(u.buf.Len())
	info := ""
	if u.b.x.Info != nil {
		info = " /Info " + u.b.x.Info.String()
	}
	u.stream(nr, 0, fmt.Sprintf("/Type /XRef /Size %d /Index [%s] /W [1 4 2] /Root %d 0 R%s /Prev %d",
		max(u.next, u.b.size), strings.Join(index, " "), u.b.rootNr, info, prev), data)
	return off
}

// mutations is the catalogue.
func mutations() []mutation {
	sigAllowed := func(b *mutBase) bool { return !b.lockNewSigs }
	return []mutation{
		// Forbidden: what the page shows.
		{class: "content-replaced", apply: func(t *testing.T, b *mutBase, u *update) bool {
			if b.contentNr == 0 {
				return false
			}
			u.stream(b.contentNr, 0, "", forged)
			return true
		}},
		{class: "content-appended", apply: func(t *testing.T, b *mutBase, u *update) bool {
			if b.page["Contents"] == nil {
				return false
			}
			nr := u.newNr()
			u.stream(nr, 0, "", forged)
			u.pageWith(map[string]string{"Contents": "[" + b.page["Contents"].PDFString() + " " + strconv.Itoa(nr) + " 0 R]"})
			return true
		}},
		{class: "font-redefined", apply: func(t *testing.T, b *mutBase, u *update) bool {
			if b.fontNr == 0 {
				return false
			}
			u.obj(b.fontNr, 0, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [50 /nine 46 /zero] >> >>")
			return true
		}},
		{class: "page-added", apply: func(t *testing.T, b *mutBase, u *update) bool {
			root, _ := b.x.DereferenceDict(*types.NewIndirectRef(b.rootNr, 0))
			pr, ok := root["Pages"].(types.IndirectRef)
			if !ok {
				return false
			}
			pages, _ := b.x.DereferenceDict(pr)
			kids, _ := b.x.DereferenceArray(pages["Kids"])
			cnt, _ := pages["Count"].(types.Integer)
			cNr, pNr := u.newNr(), u.newNr()
			u.stream(cNr, 0, "", forged)
			u.obj(pNr, 0, fmt.Sprintf("<< /Type /Page /Parent %s /MediaBox [0 0 595 842] /Contents %d 0 R >>", pr.String(), cNr))
			var elems []string
			for _, k := range kids {
				elems = append(elems, k.PDFString())
			}
			elems = append(elems, fmt.Sprintf("%d 0 R", pNr))
			u.obj(pr.ObjectNumber.Value(), 0, dictWith(pages, map[string]string{"Kids": "[" + strings.Join(elems, " ") + "]", "Count": strconv.Itoa(cnt.Value() + 1)}))
			return true
		}},
		{class: "page-rotated", apply: func(t *testing.T, b *mutBase, u *update) bool {
			r := 90
			if v, ok := b.page["Rotate"].(types.Integer); ok {
				r = (v.Value() + 90) % 360
			}
			u.pageWith(map[string]string{"Rotate": strconv.Itoa(r)})
			return true
		}},
		{class: "mediabox-changed", apply: func(t *testing.T, b *mutBase, u *update) bool {
			u.pageWith(map[string]string{"MediaBox": "[0 0 300 300]", "CropBox": "[0 0 300 300]"})
			return true
		}},
		{class: "annotation-added", apply: func(t *testing.T, b *mutBase, u *update) bool {
			nr := u.newNr()
			u.obj(nr, 0, "<< /Type /Annot /Subtype /FreeText /Rect [72 690 400 730] /Contents (CNY 20000000.00) /DA (/Helv 24 Tf 0 g) >>")
			u.addToAnnots(strconv.Itoa(nr) + " 0 R")
			return true
		}},
		{class: "open-action-js", apply: func(t *testing.T, b *mutBase, u *update) bool {
			u.catalog(map[string]string{"OpenAction": "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"})
			return true
		}},
		// Forbidden: cross-reference tricks.
		{class: "object-freed", apply: func(t *testing.T, b *mutBase, u *update) bool {
			if b.contentNr == 0 {
				return false
			}
			u.free[b.contentNr] = 1
			return true
		}},
		{class: "new-generation", apply: func(t *testing.T, b *mutBase, u *update) bool {
			if b.contentNr == 0 {
				return false
			}
			u.stream(b.contentNr, 1, "", forged)
			u.pageWith(map[string]string{"Contents": strconv.Itoa(b.contentNr) + " 1 R"})
			return true
		}},
		{class: "duplicate-xref-row", apply: func(t *testing.T, b *mutBase, u *update) bool {
			e := b.x.Table[b.contentNr]
			if b.contentNr == 0 || e == nil || e.Offset == nil || e.Compressed {
				return false
			}
			signedOff := *e.Offset
			u.stream(b.contentNr, 0, "", forged)
			u.rows = func(nr int, off int64, gen int) []string {
				if nr != b.contentNr {
					return nil
				}
				return []string{fmt.Sprintf("%010d %05d n \n", signedOff, 0)}
			}
			return true
		}},
		{class: "duplicate-xrefstream-row", apply: func(t *testing.T, b *mutBase, u *update) bool {
			// A cross-reference stream whose /Index lists the content
			// twice (7.5.8.2): the forged object first, the signed one
			// second.
			e := b.x.Table[b.contentNr]
			if b.contentNr == 0 || e == nil || e.Offset == nil || e.Compressed {
				return false
			}
			u.stream(b.contentNr, 0, "", forged)
			forgedOff := u.offs[b.contentNr]
			nr := u.newNr()
			off := int64(u.buf.Len())
			row := func(o int64) []byte { return []byte{1, byte(o >> 24), byte(o >> 16), byte(o >> 8), byte(o), 0, 0} }
			data := append(append(row(forgedOff), row(*e.Offset)...), row(off)...)
			info := ""
			if b.x.Info != nil {
				info = " /Info " + b.x.Info.String()
			}
			u.stream(nr, 0, fmt.Sprintf("/Type /XRef /Size %d /Index [%d 1 %d 1 %d 1] /W [1 4 2] /Root %d 0 R%s /Prev %d",
				max(u.next, b.size), b.contentNr, b.contentNr, nr, b.rootNr, info, b.prev), data)
			u.offs, u.gens = map[int]int64{}, map[int]int{}
			u.trailer = " /RAW-XREFSTREAM " + strconv.FormatInt(off, 10)
			return true
		}},
		{class: "xrefstream-reserved-row", apply: func(t *testing.T, b *mutBase, u *update) bool {
			// The forged content is written again under its number but
			// listed nowhere; a row of a reserved type (7.5.8.3: a null
			// reference) makes readers such as poppler and qpdf rebuild
			// the cross-reference from the objects they find.
			if b.contentNr == 0 {
				return false
			}
			u.stream(b.contentNr, 0, "", forged)
			nr := u.newNr()
			entries := map[int][3]int64{nr: {3, 0, 0}}
			u.offs, u.gens = map[int]int64{}, map[int]int{}
			off := u.xrefStream(entries, b.prev)
			u.trailer = " /RAW-XREFSTREAM " + strconv.FormatInt(off, 10)
			return true
		}},
		{class: "unlisted-shadow-object", apply: func(t *testing.T, b *mutBase, u *update) bool {
			// The update lists only a new document information; the forged
			// content is written in it under its number but listed
			// nowhere. A reader that rebuilds the cross-reference (on
			// any damage it meets) takes it.
			if b.contentNr == 0 || b.x.Info == nil {
				return false
			}
			u.obj(b.x.Info.ObjectNumber.Value(), b.x.Info.GenerationNumber.Value(), "<< /Producer (mutation test) >>")
			u.stream(b.contentNr, 0, "", forged)
			delete(u.offs, b.contentNr)
			delete(u.gens, b.contentNr)
			return true
		}},
		{class: "objstm-shadow", apply: func(t *testing.T, b *mutBase, u *update) bool {
			cNr, osNr := u.newNr(), u.newNr()
			u.stream(cNr, 0, "", forged)
			page := dictWith(b.page, map[string]string{"Contents": strconv.Itoa(cNr) + " 0 R"})
			head := fmt.Sprintf("%d 0 ", b.pageNr)
			u.stream(osNr, 0, fmt.Sprintf("/Type /ObjStm /N 1 /First %d", len(head)), []byte(head+page))
			entries := map[int][3]int64{
				cNr:      {1, u.offs[cNr], 0},
				osNr:     {1, u.offs[osNr], 0},
				b.pageNr: {2, int64(osNr), 0},
			}
			u.offs, u.gens = map[int]int64{}, map[int]int{}
			off := u.xrefStream(entries, b.prev)
			u.trailer = " /RAW-XREFSTREAM " + strconv.FormatInt(off, 10)
			return true
		}},
		{class: "hybrid-disagrees", apply: func(t *testing.T, b *mutBase, u *update) bool {
			e := b.x.Table[b.contentNr]
			if b.contentNr == 0 || e == nil || e.Offset == nil || e.Compressed {
				return false
			}
			signedOff := *e.Offset
			forgedOff := int64(u.buf.Len())
			fmt.Fprintf(&u.buf, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", b.contentNr, len(forged), forged)
			xs := u.xrefStream(map[int][3]int64{b.contentNr: {1, forgedOff, 0}}, b.prev)
			// The table says the content is where it was signed.
			u.offs[b.contentNr], u.gens[b.contentNr] = signedOff, 0
			u.trailer = " /XRefStm " + strconv.FormatInt(xs, 10)
			return true
		}},
		{class: "objstm-header-mismatch", apply: func(t *testing.T, b *mutBase, u *update) bool {
			// The page, unchanged, in an object stream whose header
			// numbers another object (7.5.7).
			osNr := u.newNr()
			page := dictWith(b.page, nil)
			head := fmt.Sprintf("%d 0 ", b.pageNr+100000)
			u.stream(osNr, 0, fmt.Sprintf("/Type /ObjStm /N 1 /First %d", len(head)), []byte(head+page))
			entries := map[int][3]int64{osNr: {1, u.offs[osNr], 0}, b.pageNr: {2, int64(osNr), 0}}
			u.offs, u.gens = map[int]int64{}, map[int]int{}
			off := u.xrefStream(entries, b.prev)
			u.trailer = " /RAW-XREFSTREAM " + strconv.FormatInt(off, 10)
			return true
		}},
		{class: "length-mismatch", apply: func(t *testing.T, b *mutBase, u *update) bool {
			// A new content stream whose /Length ends before its data
			// does (7.3.8.1): readers that trust endstream read more.
			if b.page["Contents"] == nil {
				return false
			}
			nr := u.newNr()
			u.offs[nr], u.gens[nr] = int64(u.buf.Len()), 0
			fmt.Fprintf(&u.buf, "%d 0 obj\n<< /Length 3 >>\nstream\nq Q %s\nendstream\nendobj\n", nr, forged)
			u.pageWith(map[string]string{"Contents": "[" + b.page["Contents"].PDFString() + " " + strconv.Itoa(nr) + " 0 R]"})
			return true
		}},
		{class: "junk-in-dict", apply: func(t *testing.T, b *mutBase, u *update) bool {
			// The page again, with a token no parser may take as a key
			// or a value (7.3.7): what a relaxed parser skips, another
			// reads otherwise.
			d := dictWith(b.page, nil)
			u.obj(b.pageNr, 0, "<< junk "+strings.TrimPrefix(d, "<<"))
			return true
		}},
		{class: "duplicate-dict-key", apply: func(t *testing.T, b *mutBase, u *update) bool {
			d := dictWith(b.page, nil)
			u.obj(b.pageNr, 0, strings.TrimSuffix(d, ">>")+"/Rotate 0 /Rotate 180 >>")
			return true
		}},
		// Forbidden: the signed signature and the form.
		{class: "signature-redefined", apply: func(t *testing.T, b *mutBase, u *update) bool {
			if b.sigVNr == 0 {
				return false
			}
			v, err := b.x.DereferenceDict(*types.NewIndirectRef(b.sigVNr, 0))
			if err != nil || v == nil {
				return false
			}
			u.obj(b.sigVNr, 0, dictWith(v, map[string]string{"Reason": "(forged reason)"}))
			return true
		}},
		{class: "freetext-as-sigfield", apply: func(t *testing.T, b *mutBase, u *update) bool {
			nr := u.newNr()
			u.obj(nr, 0, fmt.Sprintf("<< /Type /Annot /Subtype /FreeText /FT /Sig /T (Fake%d) /Rect [72 690 400 730] /Contents (CNY 20000000.00) /DA (/Helv 24 Tf 0 g) /P %d 0 R >>", nr, b.pageNr))
			u.addToAnnots(strconv.Itoa(nr) + " 0 R")
			u.addToFields(strconv.Itoa(nr) + " 0 R")
			return true
		}},
		{class: "unsigned-sigfield-over-page", apply: func(t *testing.T, b *mutBase, u *update) bool {
			apNr, nr := u.newNr(), u.newNr()
			u.stream(apNr, 0, "/Type /XObject /Subtype /Form /BBox [0 0 300 300]", []byte("q 1 g 0 0 300 300 re f Q "+string(forged)))
			u.obj(nr, 0, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Empty%d) /Rect [50 50 550 800] /F 4 /P %d 0 R /AP << /N %d 0 R >> >>", nr, b.pageNr, apNr))
			u.addToAnnots(strconv.Itoa(nr) + " 0 R")
			u.addToFields(strconv.Itoa(nr) + " 0 R")
			return true
		}},
		{class: "sigfield-with-action", apply: func(t *testing.T, b *mutBase, u *update) bool {
			u.addSignature("[0 0 0 0]", false, false)
			// The widget just written gets an /AA: rewrite it.
			nr := u.next - 1
			u.obj(nr, 0, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Mutation%d) /Rect [0 0 0 0] /F 132 /P %d 0 R /V %d 0 R /AA << /PO << /S /JavaScript /JS (this.print\\(\\)) >> >> >>", nr, b.pageNr, nr-1))
			return true
		}},
		{class: "need-appearances", apply: func(t *testing.T, b *mutBase, u *update) bool {
			root, _ := b.x.DereferenceDict(*types.NewIndirectRef(b.rootNr, 0))
			af, _ := b.x.DereferenceDict(root["AcroForm"])
			if af == nil {
				return false
			}
			tNr := u.newNr()
			u.obj(tNr, 0, "true")
			nd := dictWith(af, map[string]string{"NeedAppearances": strconv.Itoa(tNr) + " 0 R"})
			if r, ok := root["AcroForm"].(types.IndirectRef); ok {
				u.obj(r.ObjectNumber.Value(), r.GenerationNumber.Value(), nd)
			} else {
				u.catalog(map[string]string{"AcroForm": nd})
			}
			return true
		}},
		{class: "signature-over-text", apply: func(t *testing.T, b *mutBase, u *update) bool {
			if b.text == "" || b.rsaSigned {
				return false
			}
			u.addSignature(b.text, false, true)
			return true
		}},
		{class: "signature-over-whole-page", apply: func(t *testing.T, b *mutBase, u *update) bool {
			// Another signer's visible widget over the whole media box
			// of a page that paints something.
			if b.rsaSigned || !b.paints {
				return false
			}
			box, err := b.x.DereferenceArray(b.page["MediaBox"])
			if err != nil || len(box) != 4 {
				return false
			}
			u.addSignature(box.PDFString(), false, true)
			return true
		}},
		{class: "signature-over-text-rect-indirect", apply: func(t *testing.T, b *mutBase, u *update) bool {
			// The rectangle's numbers are indirect objects: readers
			// resolve them and show the widget over the text.
			r, err := rectOfString(b.text)
			if err != nil || b.rsaSigned {
				return false
			}
			nr := u.newNr()
			u.obj(nr, 0, strconv.FormatFloat(r[0], 'f', -1, 64))
			u.addSignature(fmt.Sprintf("[%d 0 R %g %g %g]", nr, r[1], r[2], r[3]), false, true)
			return true
		}},
		{class: "signature-nozoom-beside-text", apply: func(t *testing.T, b *mutBase, u *update) bool {
			// NoZoom: the appearance keeps its size on screen about its
			// upper left corner, so a zoomed-out page shows it over the
			// text below and right of a blank rectangle.
			if b.nozoom == "" || b.rsaSigned {
				return false
			}
			u.widgetFlags = 4 | 8
			u.addSignature(b.nozoom, false, true)
			return true
		}},
		{class: "signature-toggle-noview-over-text", apply: func(t *testing.T, b *mutBase, u *update) bool {
			// NoView with ToggleNoView: not shown until the pointer is
			// over it, then shown over the text.
			if b.text == "" || b.rsaSigned {
				return false
			}
			u.widgetFlags = 32 | 256
			u.addSignature(b.text, false, true)
			return true
		}},
		{class: "signature-above-text", allowed: true, truth: sigAllowed, apply: func(t *testing.T, b *mutBase, u *update) bool {
			// The rectangle of the NoZoom case, without NoZoom: blank.
			if b.nozoom == "" {
				return false
			}
			u.widgetFlags = 4
			u.addSignature(b.nozoom, false, true)
			return true
		}},
		// Allowed.
		{class: "dss-added", allowed: true, apply: func(t *testing.T, b *mutBase, u *update) bool {
			cNr, dNr := u.newNr(), u.newNr()
			u.stream(cNr, 0, "", getPKI(t).caCert.Raw)
			// A DSS the base has keeps its entries; the certificate is
			// added to its /Certs.
			root, _ := b.x.DereferenceDict(*types.NewIndirectRef(b.rootNr, 0))
			dss, _ := b.x.DereferenceDict(root["DSS"])
			if dss == nil {
				dss = types.Dict{"VRI": types.Dict{}}
			}
			certs := []string{}
			if a, err := b.x.DereferenceArray(dss["Certs"]); err == nil {
				for _, e := range a {
					certs = append(certs, e.PDFString())
				}
			}
			certs = append(certs, strconv.Itoa(cNr)+" 0 R")
			u.obj(dNr, 0, dictWith(dss, map[string]string{"Certs": "[" + strings.Join(certs, " ") + "]"}))
			u.catalog(map[string]string{"DSS": strconv.Itoa(dNr) + " 0 R"})
			return true
		}},
		{class: "xmp-metadata", allowed: true, apply: func(t *testing.T, b *mutBase, u *update) bool {
			nr := u.newNr()
			u.stream(nr, 0, "/Type /Metadata /Subtype /XML", []byte(`<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"/><?xpacket end="w"?>`))
			u.catalog(map[string]string{"Metadata": strconv.Itoa(nr) + " 0 R"})
			return true
		}},
		{class: "info-updated", allowed: true, apply: func(t *testing.T, b *mutBase, u *update) bool {
			if b.x.Info == nil {
				return false
			}
			u.obj(b.x.Info.ObjectNumber.Value(), b.x.Info.GenerationNumber.Value(), "<< /Producer (mutation test) /ModDate (D:20260101000000Z) >>")
			return true
		}},
		{class: "invisible-signature", allowed: true, truth: sigAllowed, apply: func(t *testing.T, b *mutBase, u *update) bool {
			u.addSignature("[0 0 0 0]", false, false)
			return true
		}},
		{class: "document-timestamp", allowed: true, apply: func(t *testing.T, b *mutBase, u *update) bool {
			u.addSignature("[0 0 0 0]", true, false)
			return true
		}},
		{class: "signature-beside-text", allowed: true, truth: sigAllowed, apply: func(t *testing.T, b *mutBase, u *update) bool {
			if b.blank == "" {
				return false
			}
			u.addSignature(b.blank, false, true)
			return true
		}},
		{class: "same-signer-over-text", allowed: true, truth: sigAllowed, apply: func(t *testing.T, b *mutBase, u *update) bool {
			if b.text == "" || !b.rsaSigned {
				return false
			}
			u.addSignature(b.text, false, true)
			return true
		}},
	}
}

// rectOfString reads "[x0 y0 x1 y1]".
func rectOfString(s string) ([4]float64, error) {
	var r [4]float64
	f := strings.Fields(strings.Trim(s, "[]"))
	if len(f) != 4 {
		return r, fmt.Errorf("rect %q", s)
	}
	for i, v := range f {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return r, err
		}
		r[i] = x
	}
	return r, nil
}

// readBase reads what the generator needs of an intact signed file.
func readBase(name string, data []byte) (*mutBase, error) {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	pc, err := pdfcpu.ReadWithContext(context.Background(), bytes.NewReader(data), conf)
	if err != nil {
		return nil, err
	}
	if err := pc.EnsurePageCount(); err != nil {
		return nil, err
	}
	x := pc.XRefTable
	b := &mutBase{name: name, data: data, x: x, rootNr: x.Root.ObjectNumber.Value()}
	page, ref, _, err := x.PageDict(1, false)
	if err != nil || ref == nil {
		return nil, fmt.Errorf("no first page: %v", err)
	}
	b.page, b.pageNr = page, ref.ObjectNumber.Value()
	if r, ok := page["Contents"].(types.IndirectRef); ok {
		if _, ok := x.Table[r.ObjectNumber.Value()]; ok {
			if o, _ := x.Dereference(r); o != nil {
				if _, ok := o.(types.StreamDict); ok {
					b.contentNr = r.ObjectNumber.Value()
				}
			}
		}
	}
	var contents []types.Object
	switch c := page["Contents"].(type) {
	case types.IndirectRef:
		if a, err := x.DereferenceArray(c); err == nil && a != nil {
			contents = a
		} else {
			contents = []types.Object{c}
		}
	case types.Array:
		contents = c
	}
	for _, c := range contents {
		if sd, _, err := x.DereferenceStreamDict(c); err == nil && sd != nil && sd.Decode() == nil && len(bytes.TrimSpace(sd.Content)) > 0 {
			b.paints = true
		}
	}
	if res, _ := x.DereferenceDict(page["Resources"]); res != nil {
		if fonts, _ := x.DereferenceDict(res["Font"]); fonts != nil {
			var names []string
			for k := range fonts {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				if r, ok := fonts[k].(types.IndirectRef); ok {
					b.fontNr = r.ObjectNumber.Value()
					break
				}
			}
		}
	}
	if pc.Size != nil {
		b.size = *pc.Size
	}
	for nr := range x.Table {
		b.size = max(b.size, nr+1)
	}
	tail := data[max(0, len(data)-1024):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return nil, fmt.Errorf("no startxref")
	}
	f := bytes.Fields(tail[i+len("startxref"):])
	if len(f) == 0 {
		return nil, fmt.Errorf("no startxref")
	}
	b.prev, _ = strconv.ParseInt(string(f[0]), 10, 64)
	// Signatures and their locks (12.8.2).
	root, _ := x.DereferenceDict(*x.Root)
	if af, _ := x.DereferenceDict(root["AcroForm"]); af != nil {
		fields, _ := x.DereferenceArray(af["Fields"])
		var walk func(o types.Object, depth int)
		walk = func(o types.Object, depth int) {
			d, _ := x.DereferenceDict(o)
			if d == nil || depth > 8 {
				return
			}
			if v, ok := d["V"].(types.IndirectRef); ok {
				if vd, _ := x.DereferenceDict(v); vd != nil && vd["ByteRange"] != nil {
					if b.sigVNr == 0 {
						b.sigVNr = v.ObjectNumber.Value()
					}
					refs, _ := x.DereferenceArray(vd["Reference"])
					for _, r := range refs {
						rd, _ := x.DereferenceDict(r)
						if rd == nil {
							continue
						}
						tp, _ := x.DereferenceDict(rd["TransformParams"])
						m := rd.NameEntry("TransformMethod")
						switch {
						case m != nil && *m == "DocMDP":
							if p, ok := tp["P"].(types.Integer); ok && p.Value() == 1 {
								b.lockNewSigs = true
							}
						case m != nil && *m == "FieldMDP":
							if a := tp.NameEntry("Action"); a != nil && (*a == "All" || *a == "Exclude") {
								b.lockNewSigs = true
							}
						}
					}
				}
			}
			if l, _ := x.DereferenceDict(d["Lock"]); l != nil {
				if a := l.NameEntry("Action"); a != nil && (*a == "All" || *a == "Exclude") {
					b.lockNewSigs = true
				}
			}
			kids, _ := x.DereferenceArray(d["Kids"])
			for _, k := range kids {
				walk(k, depth+1)
			}
		}
		for _, f := range fields {
			walk(f, 0)
		}
	}
	return b, nil
}

// mutationBases gives the intact signed files: generated ones (with a
// blank and a text rectangle), testdata/pdf, and ../shared/pdfcorpus's V
// files.
func mutationBases(t *testing.T) []*mutBase {
	var out []*mutBase
	add := func(name string, data []byte, blank, text string, rsa bool) {
		rep, err := Check(context.Background(), bytes.NewReader(data), int64(len(data)), Options{})
		if err != nil || !rep.Intact() || !rep.Signed() || rep.Encrypted {
			return
		}
		countClaims(rep)
		b, err := readBase(name, data)
		if err != nil {
			t.Logf("%s: not a base: %v", name, err)
			return
		}
		b.blank, b.text, b.rsaSigned = blank, text, rsa
		if text != "" && strings.HasPrefix(name, "gen-") && !strings.Contains(name, "image") {
			b.nozoom = "[100 805 130 815]"
		}
		out = append(out, b)
	}
	// genPDF's page: one line of text at (72, 770), the rest blank.
	add("gen-rsa", genPDF(t, genSpec{}), "[350 40 560 120]", "[70 760 400 790]", true)
	add("gen-ecdsa", genPDF(t, genSpec{ecdsa: true}), "[350 40 560 120]", "[70 760 400 790]", false)
	// With an image at (50, 300)-(550, 700): the "text" rectangle is
	// over the image.
	add("gen-ecdsa-image", genPDF(t, genSpec{ecdsa: true, payload: 4000}), "[350 40 560 120]", "[100 400 200 500]", false)
	add("gen-rsa-image-ts", genPDF(t, genSpec{payload: 4000, tsToken: true}), "[20 20 45 280]", "[540 650 590 690]", true)
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.pdf"))
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			add(filepath.Base(f), data, "", "", false)
		}
	}
	dir := filepath.Join("..", "..", "shared", "pdfcorpus")
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		t.Log("../shared/pdfcorpus absent: testdata only")
		return out
	}
	for i, line := range strings.Split(string(manifest), "\n")[1:] {
		col := strings.Split(line, "\t")
		if len(col) < 5 || col[4] != "V" || (raceEnabled && i%4 != 0) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, "files", col[0]))
		if err == nil && len(data) <= 4<<20 {
			add(col[0], data, "", "", false)
		}
	}
	return out
}

// claimsSeen counts the allowances that claimed a difference in the
// files the mutation run checked (bases and cases).
var claimsSeen = map[string]int{}

func countClaims(rep *Report) {
	for _, s := range rep.Signatures {
		for k, n := range s.claims {
			claimsSeen[k] += n
		}
	}
}

// TestMutations applies every edit of the catalogue to every base: each
// forbidden edit must be refused, each allowed one must pass.
func TestMutations(t *testing.T) {
	if testing.Short() {
		t.Skip("mutation run skipped in -short mode")
	}
	bases := mutationBases(t)
	if len(bases) < 3 {
		t.Fatalf("only %d bases", len(bases))
	}
	type count struct{ ran, skipped, wrong int }
	counts := map[string]*count{}
	muts := mutations()
	for _, m := range muts {
		counts[m.class] = &count{}
	}
	total := 0
	for _, b := range bases {
		for _, m := range muts {
			c := counts[m.class]
			u := newUpdate(b)
			if !m.apply(t, b, u) {
				c.skipped++
				continue
			}
			var data []byte
			if strings.HasPrefix(u.trailer, " /RAW-XREFSTREAM ") {
				// The update ends with its cross-reference stream.
				off := strings.TrimPrefix(u.trailer, " /RAW-XREFSTREAM ")
				fmt.Fprintf(&u.buf, "startxref\n%s\n%%%%EOF\n", off)
				data = u.buf.Bytes()
			} else {
				data = u.finish(t)
			}
			want := m.allowed
			if m.truth != nil {
				want = want && m.truth(b)
			}
			rep, err := Check(context.Background(), bytes.NewReader(data), int64(len(data)), Options{})
			if err != nil {
				t.Fatalf("%s on %s: %v", m.class, b.name, err)
			}
			c.ran++
			total++
			countClaims(rep)
			if rep.Intact() != want {
				c.wrong++
				t.Errorf("%s on %s: intact %v, want %v: %s", m.class, b.name, rep.Intact(), want, shorten(problemsOf(rep), 300))
			}
		}
	}
	var classes []string
	for k := range counts {
		classes = append(classes, k)
	}
	sort.Strings(classes)
	for _, k := range classes {
		c := counts[k]
		t.Logf("%-28s ran %4d  skipped %3d  wrong %d", k, c.ran, c.skipped, c.wrong)
	}
	t.Logf("%d bases, %d cases", len(bases), total)

	// The allowance list is the whole of what may be claimed, and each
	// of its rules is exercised (with the corpus: some need files signed
	// by other tools, such as an empty field signed later).
	known := map[string]bool{}
	for _, a := range allowances {
		known[a.name] = true
		t.Logf("allowance %-32s claimed %d", a.name, claimsSeen[a.name])
	}
	for k := range claimsSeen {
		if !known[k] {
			t.Errorf("claim %q is not in the allowance list", k)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "..", "shared", "pdfcorpus")); err == nil && !raceEnabled {
		for _, a := range allowances {
			if claimsSeen[a.name] == 0 {
				t.Errorf("allowance %s never exercised", a.name)
			}
		}
	}
}
