package pdfsign

import (
	"slices"
	"strconv"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// The difference analysis fails closed: run compares the signed revision
// with the whole file object by object and entry by entry, and every
// difference (a new object, a changed one, a freed one, a new generation,
// an object redefined in a later section or object stream) must be claimed
// by one allowance of this list. A difference no allowance claims makes
// the file modified; so does a difference an allowance looked at and
// refused. The list is the whole of what PDF may change after a signature
// here, in the manner of pyHanko's diff_analysis whitelist rules.
//
// Visible additions are judged afterwards by where they are (overlay.go).
var allowances = []allowance{
	{allowRedefinedSame, "an object written again (in a later section or an object stream) whose resolved value is equal to the signed one"},
	{allowCatalog, "the catalog changes only in /AcroForm (judged below), /DSS, /Metadata (an XML stream), /Extensions and /Version"},
	{allowAcroForm, "the form dictionary changes only in /SigFlags, /Fields (gaining signature fields), /DA added or removed (no field but a signature takes it), /DR removed or its /Font gaining fonts (none replaced, none under a name a field's /DA names) and its /Encoding unchanged, /NeedAppearances removed or false"},
	{allowPageAnnots, "a page changes only in /Annots, which gains signature widgets"},
	{allowArray, "an /Annots or /Fields array keeps its elements and gains signature widgets"},
	{allowNewSigWidget, "a new signature widget: /Subtype /Widget, /FT /Sig, keys from sigWidgetKeys (no /A, no /AA), its /V a signature verified here and signed after this one"},
	{allowEmptySigSigned, "a signature field empty when this revision was signed gets /V (a signature verified here and signed after this one) and possibly /AP, /AS, /F (then judged by where it shows); nothing else"},
	{allowDSS, "objects reachable only through the catalog's /DSS (document security store, VRI)"},
	{allowXMP, "objects reachable only through the catalog's /Metadata"},
	{allowExtensions, "objects reachable only through the catalog's /Extensions"},
	{allowInfo, "objects reachable only through the trailer's /Info (document information, not shown on the pages)"},
	{allowUnreferenced, "objects no reader reaches: neither from the catalog nor from the trailer"},
	{allowUnder, "a new object reachable only through objects whose change an allowance above claimed"},
	{claimFormFill, "a field filled or an annotation added or changed: PDF allows it, a guarantee does not (ReasonFormFilled)"},
}

type allowance struct {
	name string
	rule string
}

// Allowance names.
const (
	allowRedefinedSame  = "redefined-identical"
	allowCatalog        = "catalog-signature-entries"
	allowAcroForm       = "acroform-signature-fields"
	allowPageAnnots     = "page-annots-signature-widgets"
	allowArray          = "annots-fields-signature-widgets"
	allowNewSigWidget   = "new-signature-widget"
	allowEmptySigSigned = "empty-signature-field-signed"
	allowDSS            = "dss"
	allowXMP            = "xmp-metadata"
	allowExtensions     = "extensions"
	allowInfo           = "document-information"
	allowUnreferenced   = "unreferenced"
	allowUnder          = "new-object-under-allowance"
	claimFormFill       = "form-fill"
)

// sigWidgetKeys are the keys a new signature widget or field may have.
var sigWidgetKeys = map[string]bool{
	"Type": true, "Subtype": true, "FT": true, "T": true, "TU": true, "TM": true, "V": true,
	"Rect": true, "F": true, "P": true, "AP": true, "AS": true, "Border": true, "BS": true,
	"MK": true, "DA": true, "Q": true, "Ff": true, "Parent": true, "Kids": true, "Lock": true,
	"SV": true, "NM": true, "M": true, "StructParent": true, "C": true, "H": true, "DR": true,
}

// laterSig is what the signature check established about a signature,
// for the difference analysis of an earlier one.
type laterSig struct {
	end      int64  // where its signed revision ends
	verified bool   // byte range, digest and signature verified here
	key      string // its signer's public key (SubjectPublicKeyInfo)
}

// diffMeta tells the difference analysis about the file's signatures.
type diffMeta struct {
	sigs      map[int]laterSig // by the signature dictionary's object number
	signerKey string           // the signer of the signature judged
}

// laterWidget is a signature widget or field signed after the signed
// revision.
type laterWidget struct {
	nr      int
	d       types.Dict
	name    string // fully qualified field name
	sigObj  int    // its /V
	visible bool   // set by the overlay check
	pageNr  int
}

// claim records that allowance name claimed the difference of object nr.
func (c *revCompare) claim(_ int, name string) {
	if c.claims == nil {
		c.claims = map[string]int{}
	}
	c.claims[name]++
}

// claimNew records the allowance that judged new object nr as it was
// added (to /Annots or /Fields).
func (c *revCompare) claimNew(nr int, name string) {
	if nr == 0 {
		return
	}
	if c.newClaims == nil {
		c.newClaims = map[int]string{}
	}
	c.newClaims[nr] = name
}

// sides maps the objects of x reachable outside the catalog's view to
// the allowance that may claim them: /DSS, /Metadata, /Extensions of the
// catalog, the trailer's /Info.
func (c *revCompare) sides(x *model.XRefTable) map[int]string {
	out := map[int]string{}
	root, _ := c.resolve(x, x.Root.ObjectNumber.Value()).(types.Dict)
	add := func(starts []int, name string) {
		if len(starts) == 0 {
			return
		}
		m, _ := c.reach(x, starts, false)
		for nr := range m {
			if _, ok := out[nr]; !ok {
				out[nr] = name
			}
		}
	}
	if root != nil {
		add(collectRefs(root["DSS"], nil, 0), allowDSS)
		add(collectRefs(root["Metadata"], nil, 0), allowXMP)
		add(collectRefs(root["Extensions"], nil, 0), allowExtensions)
	}
	if x.Info != nil {
		add([]int{x.Info.ObjectNumber.Value()}, allowInfo)
	}
	return out
}

// sideClaim gives the allowance for an object outside the catalog's view.
func (c *revCompare) sideClaim(nr int) string {
	if n := c.curSide[nr]; n != "" {
		if o := c.oldSide[nr]; o != "" && o != n && c.exists(c.old, nr) {
			return "" // moved from one side to another: not claimed
		}
		return n
	}
	if n := c.oldSide[nr]; n != "" {
		return n
	}
	return allowUnreferenced
}

func (c *revCompare) run() diffResult {
	if c.old.Root == nil || c.cur.Root == nil || c.old.Root.ObjectNumber != c.cur.Root.ObjectNumber {
		c.modified("文档的根对象被替换")
		return c.res
	}
	if (c.old.Encrypt == nil) != (c.cur.Encrypt == nil) {
		c.modified("文件的加密设置被改动")
		return c.res
	}
	c.oldEss, _ = c.essential(c.old, false)
	c.curEss, c.curRefBy = c.essential(c.cur, true)
	c.oldSide, c.curSide = c.sides(c.old), c.sides(c.cur)
	if c.tooBig || c.ctx.Err() != nil {
		c.modified("文件对象过多或检查被中止，无法判断追加的内容")
		return c.res
	}

	nrs := make([]int, 0, len(c.cur.Table))
	for nr := range c.cur.Table {
		nrs = append(nrs, nr)
	}
	slices.Sort(nrs)
	oldNrs := make([]int, 0, len(c.old.Table))
	for nr := range c.old.Table {
		oldNrs = append(oldNrs, nr)
	}
	slices.Sort(oldNrs)

	// Freed objects and new generations.
	for _, nr := range oldNrs {
		if nr == 0 || !c.exists(c.old, nr) {
			continue
		}
		if !c.exists(c.cur, nr) {
			if c.oldEss[nr] || c.oldSide[nr] != "" {
				c.modified("删除了签名时存在的对象 " + strconv.Itoa(nr))
				return c.res
			}
			c.claim(nr, allowUnreferenced)
			continue
		}
		if intp(c.old.Table[nr].Generation) != intp(c.cur.Table[nr].Generation) {
			c.modified("签名时存在的对象 " + strconv.Itoa(nr) + " 被以新的代号（generation）重新定义")
			return c.res
		}
	}
	// Changed objects.
	for _, nr := range nrs {
		if nr == 0 || !c.exists(c.cur, nr) || !c.exists(c.old, nr) {
			continue
		}
		if c.sameEntry(nr) {
			continue
		}
		if c.unchanged(nr) {
			c.claim(nr, allowRedefinedSame)
			continue
		}
		c.changed[nr] = true
	}
	for _, nr := range nrs {
		if c.ctx.Err() != nil {
			c.modified("检查被中止，无法判断追加的内容")
			return c.res
		}
		if !c.changed[nr] {
			continue
		}
		if !c.oldEss[nr] && !c.curEss[nr] {
			name := c.sideClaim(nr)
			if name == "" {
				c.modified("对象 " + strconv.Itoa(nr) + " 被改动，不属于签名后允许的改动")
				return c.res
			}
			c.claim(nr, name)
			continue
		}
		o, n := c.resolve(c.old, nr), c.resolve(c.cur, nr)
		name := c.judgeChange(nr, o, n)
		if c.res.kind == diffModified {
			return c.res
		}
		if name == "" {
			what := ""
			od, ok1 := asDict(o)
			nd, ok2 := asDict(n)
			if ok1 && ok2 {
				if ks := c.changedKeys(od, nd); len(ks) > 0 && len(ks) <= 4 {
					what = "的 /" + strings.Join(ks, "、/")
				}
			}
			c.modified("改动了" + describeObject(n) + "（对象 " + strconv.Itoa(nr) + "）" + what)
			return c.res
		}
		c.claim(nr, name)
	}
	// New objects.
	for _, nr := range nrs {
		if nr == 0 || !c.exists(c.cur, nr) || c.exists(c.old, nr) {
			continue
		}
		if !c.curEss[nr] {
			c.claim(nr, c.sideClaim(nr))
			continue
		}
		// Reached from the catalog: only through what changed (and was
		// claimed above) or through other new objects.
		for _, by := range c.curRefBy[nr] {
			if c.exists(c.old, by) && !c.changed[by] {
				c.modified("签名时已有的" + describeObject(c.resolve(c.cur, by)) + "（对象 " + strconv.Itoa(by) +
					"）引用了签名后才出现的对象 " + strconv.Itoa(nr))
				return c.res
			}
		}
		if name := c.newClaims[nr]; name != "" {
			c.claim(nr, name)
			continue
		}
		c.claim(nr, allowUnder)
	}
	c.checkOverlays()
	return c.res
}

// sameEntry: object nr has the same cross-reference entry in both (the
// same bytes, read within the signed revision).
func (c *revCompare) sameEntry(nr int) bool {
	e, oe := c.cur.Table[nr], c.old.Table[nr]
	if !e.Compressed && !oe.Compressed && e.Offset != nil && oe.Offset != nil && *e.Offset == *oe.Offset &&
		intp(e.Generation) == intp(oe.Generation) && e.ObjectStream == nil && oe.ObjectStream == nil && !c.readsPastEnd(nr) {
		return true
	}
	if e.ObjectStream != nil && oe.ObjectStream != nil && *e.ObjectStream == *oe.ObjectStream &&
		intp(e.ObjectStreamInd) == intp(oe.ObjectStreamInd) {
		se, ose := c.cur.Table[*e.ObjectStream], c.old.Table[*e.ObjectStream]
		if se != nil && ose != nil && !se.Compressed && !ose.Compressed && se.Offset != nil && ose.Offset != nil &&
			*se.Offset == *ose.Offset && !c.readsPastEnd(*e.ObjectStream) {
			return true
		}
	}
	return false
}

// judgeChange finds the allowance for a changed essential object; "" when
// none claims it.
func (c *revCompare) judgeChange(nr int, o, n types.Object) string {
	od, ok1 := asDict(o)
	nd, ok2 := asDict(n)
	if ok1 && ok2 {
		switch {
		case nr == c.cur.Root.ObjectNumber.Value():
			if c.catalogOK(od, nd) {
				return allowCatalog
			}
		case nr == objNr(c.rootEntry(c.cur, "AcroForm")) || nr == objNr(c.rootEntry(c.old, "AcroForm")):
			if c.acroFormOK(od, nd) {
				return allowAcroForm
			}
		case isType(nd, "Page") && isType(od, "Page"):
			if c.pageOK(od, nd) {
				return allowPageAnnots
			}
		case c.isSigField(c.old, od) && c.isSigField(c.cur, nd):
			if c.sigFieldOK(nr, od, nd) {
				return allowEmptySigSigned
			}
		case c.isField(od) || isAnnot(od):
			c.formFilled(describeObject(n) + "（对象 " + strconv.Itoa(nr) + "）被改动")
			return claimFormFill
		}
		return ""
	}
	oa, ok1 := o.(types.Array)
	na, ok2 := n.(types.Array)
	if ok1 && ok2 && (c.isAnnotsArray(nr) || c.isFieldsArray(nr)) && c.onlyAddsSigFields(oa, na) {
		return allowArray
	}
	return ""
}

func asDict(o types.Object) (types.Dict, bool) {
	switch v := o.(type) {
	case types.Dict:
		return v, true
	}
	return nil, false
}

func (c *revCompare) rootEntry(x *model.XRefTable, key string) types.Object {
	root, _ := c.resolve(x, x.Root.ObjectNumber.Value()).(types.Dict)
	if root == nil {
		return nil
	}
	return root[key]
}

// catalogOK: only /AcroForm (judged as such), /DSS, /Metadata,
// /Extensions and /Version may differ.
func (c *revCompare) catalogOK(od, nd types.Dict) bool {
	for _, k := range c.changedKeys(od, nd) {
		switch k {
		case "DSS", "Extensions", "Version":
		case "Metadata":
			if md, ok := c.deref(c.cur, nd[k]).(types.StreamDict); ok {
				if st := md.Subtype(); st == nil || *st != "XML" {
					return false
				}
			} else if nd[k] != nil {
				return false
			}
		case "AcroForm":
			oa, _ := c.deref(c.old, od[k]).(types.Dict)
			na, _ := c.deref(c.cur, nd[k]).(types.Dict)
			if na == nil || !c.acroFormOK(oa, na) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func (c *revCompare) acroFormOK(od, nd types.Dict) bool {
	for _, k := range c.changedKeys(od, nd) {

		switch k {
		case "SigFlags":
		case "DA":
			// Added where there was none, or removed: readers then draw
			// with their own defaults, no value changes. Not when a
			// field other than a signature takes its /DA from the form:
			// readers building its appearance would draw it otherwise.
			_, had := od[k]
			_, has := nd[k]
			if had && has {
				return false
			}
			if _, inherits := c.fieldDAs(od, nd); inherits {
				return false
			}
		case "DR":
			if _, has := nd[k]; !has {
				break // removed, as /DA
			}
			// The fonts readers draw field values with may be added to,
			// none replaced; the other resources are not drawn by readers
			// from the form dictionary.
			odr, _ := c.deref(c.old, od[k]).(types.Dict)
			ndr, ok := c.deref(c.cur, nd[k]).(types.Dict)
			if !ok || !c.onlyGains(c.old, odr["Font"], c.cur, ndr["Font"], 1) {
				return false
			}
			// A font gained under a name that a field's default
			// appearance names was missing when signing: readers that
			// build the field's appearance (a field without /AP) now
			// draw its signed value with the new font.
			ofo, _ := c.deref(c.old, odr["Font"]).(types.Dict)
			nfo, _ := c.deref(c.cur, ndr["Font"]).(types.Dict)
			if len(nfo) > len(ofo) {
				named, _ := c.fieldDAs(od, nd)
				for name := range nfo {
					if _, had := ofo[name]; !had && named[name] {
						return false
					}
				}
			}
			if ndr["Encoding"] != nil && !equalObj(odr["Encoding"], ndr["Encoding"]) {
				return false
			}
		case "NeedAppearances":
			// Dropping it (signing tools do) makes readers show the stored,
			// signed appearances; anything but false makes them redraw.
			if v, ok := nd[k]; ok {
				if b, ok := c.deref(c.cur, v).(types.Boolean); !ok || b.Value() {
					return false
				}
			}
		case "Fields":
			if !c.arrayEntryOK(od[k], nd[k]) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// onlyGains: dictionary n (of x) holds every entry of o (of y) with the
// same value, one level of sub-dictionaries deep (/DR's /Font, ...).
func (c *revCompare) onlyGains(ox *model.XRefTable, o types.Object, nx *model.XRefTable, n types.Object, depth int) bool {
	od, _ := c.deref(ox, o).(types.Dict)
	nd, ok := c.deref(nx, n).(types.Dict)
	if !ok {
		return od == nil && n == nil
	}
	for k, ov := range od {
		nv, ok := nd[k]
		if !ok {
			return false
		}
		if equalObj(ov, nv) {
			continue // a changed object referred to is judged on its own
		}
		if depth > 0 || !c.onlyGains(ox, ov, nx, nv, depth+1) {
			return false
		}
	}
	return true
}

func (c *revCompare) pageOK(od, nd types.Dict) bool {
	for _, k := range c.changedKeys(od, nd) {
		if k != "Annots" || !c.arrayEntryOK(od[k], nd[k]) {
			return false
		}
	}
	return true
}

// arrayEntryOK judges a changed /Fields or /Annots entry: it may only gain
// signature fields, directly or through a new array.
func (c *revCompare) arrayEntryOK(o, n types.Object) bool {
	if n == nil {
		return false
	}
	oa, _ := c.deref(c.old, o).(types.Array)
	na, ok := c.deref(c.cur, n).(types.Array)
	if !ok {
		return false
	}
	return c.onlyAddsSigFields(oa, na)
}

// onlyAddsSigFields: every old element is still there, and each added one
// is a new signature widget (else it is form filling or an annotation).
func (c *revCompare) onlyAddsSigFields(oa, na types.Array) bool {
	left := slices.Clone(na)
	for _, o := range oa {
		i := slices.IndexFunc(left, func(n types.Object) bool { return equalObj(o, n) })
		if i < 0 {
			return false
		}
		left = slices.Delete(left, i, i+1)
	}
	for _, n := range left {
		d, _ := c.deref(c.cur, n).(types.Dict)
		if d == nil {
			return false
		}
		nr := objNr(n)
		if nr != 0 && c.exists(c.old, nr) {
			// An object of the signed revision newly listed: only a
			// signature field empty then and signed now (its place is
			// judged by the overlay check), not a field put on a page
			// unsigned, nor a widget listed twice.
			od, _ := c.resolve(c.old, nr).(types.Dict)
			if od == nil || !c.isSigField(c.old, od) || c.hasValue(c.old, od) || !c.isSigField(c.cur, d) ||
				!c.verifiedLater(c.sigValue(c.cur, d)) || slices.ContainsFunc(oa, func(o types.Object) bool { return objNr(o) == nr }) {
				return false
			}
			if st := d.Subtype(); st == nil || *st != "Widget" {
				return false
			}
			c.addSigWidget(nr, d)
			continue
		}
		if c.isSigField(c.cur, d) {
			if !c.newSigWidgetOK(d) {
				return false
			}
			c.addSigWidget(nr, d)
			c.claimNew(nr, allowNewSigWidget)
			continue
		}
		if isAnnot(d) || c.isField(d) {
			c.formFilled("新增了" + describeObject(d))
			c.claimNew(nr, claimFormFill)
			continue
		}
		return false
	}
	return true
}

// newSigWidgetOK: allowance new-signature-widget. A new object with /FT
// /Sig that is not a widget (an annotation the reader draws itself), that
// carries actions or other keys, or whose value is not a signature
// verified here and signed after this one, is a modification.
func (c *revCompare) newSigWidgetOK(d types.Dict) bool {
	if st := d.Subtype(); st != nil && *st != "Widget" {
		c.modified("签名后新增了伪装成签名域的批注（/Subtype /" + *st + "）")
		return false
	}
	for depth, f := 0, d; f != nil && depth < maxDepth; depth++ {
		for k := range f {
			if !sigWidgetKeys[k] {
				c.modified("签名后新增的签名域含有不允许的条目 /" + k)
				return false
			}
		}
		p, ok := f["Parent"]
		if !ok || (objNr(p) != 0 && c.exists(c.old, objNr(p))) {
			break
		}
		f, _ = c.deref(c.cur, p).(types.Dict)
	}
	sigObj := c.sigValue(c.cur, d)
	if !c.verifiedLater(sigObj) {
		c.modified("签名后新增了未经签署的签名域")
		return false
	}
	return true
}

// sigValue gives the object number of the field's /V (own or inherited).
func (c *revCompare) sigValue(x *model.XRefTable, d types.Dict) int {
	for depth := 0; d != nil && depth < maxDepth; depth++ {
		if v, ok := d["V"]; ok {
			return objNr(v)
		}
		p, ok := d["Parent"]
		if !ok {
			return 0
		}
		d, _ = c.deref(x, p).(types.Dict)
	}
	return 0
}

// hasValue: the field (or an ancestor) has a /V.
func (c *revCompare) hasValue(x *model.XRefTable, d types.Dict) bool {
	for depth := 0; d != nil && depth < maxDepth; depth++ {
		if _, ok := d["V"]; ok {
			return true
		}
		p, ok := d["Parent"]
		if !ok {
			return false
		}
		d, _ = c.deref(x, p).(types.Dict)
	}
	return false
}

// verifiedLater: the signature dictionary nr is a signature verified here
// and signed after the revision judged.
func (c *revCompare) verifiedLater(nr int) bool {
	if nr == 0 || c.meta == nil {
		return false
	}
	s, ok := c.meta.sigs[nr]
	return ok && s.verified && s.end > c.end
}

// fqName is the field's fully qualified name (partial names joined by
// dots from the root of the field tree).
func (c *revCompare) fqName(x *model.XRefTable, d types.Dict) string {
	var parts []string
	for depth := 0; d != nil && depth < maxDepth; depth++ {
		if t := textEntry(d, "T"); t != "" {
			parts = append(parts, t)
		}
		p, ok := d["Parent"]
		if !ok {
			break
		}
		d, _ = c.deref(x, p).(types.Dict)
	}
	slices.Reverse(parts)
	return strings.Join(parts, ".")
}

func (c *revCompare) addSigWidget(nr int, d types.Dict) {
	for _, w := range c.res.laterWidgets {
		if nr != 0 && w.nr == nr {
			return
		}
	}
	c.res.laterWidgets = append(c.res.laterWidgets, laterWidget{nr: nr, d: d, name: c.fqName(c.cur, d), sigObj: c.sigValue(c.cur, d)})
}

// sigFieldOK: allowance empty-signature-field-signed. A field empty when
// the revision was signed may get its value (a verified later signature)
// and its appearance; its place is judged by the overlay check. A field
// signed already keeps everything, its appearance (the stamp the reader
// sees) included.
func (c *revCompare) sigFieldOK(nr int, od, nd types.Dict) bool {
	if c.hasValue(c.old, od) || !c.verifiedLater(c.sigValue(c.cur, nd)) {
		return false
	}
	if ref, ok := od["AP"].(types.IndirectRef); ok && !equalObj(od["AP"], nd["AP"]) &&
		len(c.curRefBy[ref.ObjectNumber.Value()]) > 0 {
		// The appearance replaced was shared with another object, which
		// now shows what the field showed: not a plain signing.
		return false
	}
	for _, k := range c.changedKeys(od, nd) {
		switch k {
		case "V":
			if !c.verifiedLater(objNr(nd[k])) {
				return false
			}
		case "AP", "AS", "F":
			// The field shows now, perhaps otherwise: the overlay check
			// judges where.
		default:
			return false
		}
	}
	c.addSigWidget(nr, nd)
	return true
}

// fieldDAs gives the font names the default appearances of the signed
// revision's fields other than signatures name: a field's own /DA, an
// ancestor's, or the form's (old or new form dictionary od, nd); and
// whether one of these fields has its /DA from the form only.
func (c *revCompare) fieldDAs(od, nd types.Dict) (map[string]bool, bool) {
	out := map[string]bool{}
	inherits := false
	form := textEntry(od, "DA") + " " + textEntry(nd, "DA")
	fields, _ := c.deref(c.old, od["Fields"]).(types.Array)
	type item struct {
		o     types.Object
		da    string
		depth int
	}
	var stack []item
	for _, f := range fields {
		stack = append(stack, item{f, "", 0})
	}
	seen := map[int]bool{}
	for visits := 0; len(stack) > 0 && visits < maxVisits; visits++ {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if nr := objNr(it.o); nr != 0 {
			if seen[nr] {
				continue
			}
			seen[nr] = true
		}
		d, _ := c.deref(c.old, it.o).(types.Dict)
		if d == nil || it.depth > maxDepth {
			continue
		}
		da := it.da
		if v := textEntry(d, "DA"); v != "" {
			da = v
		}
		if kids, ok := c.deref(c.old, d["Kids"]).(types.Array); ok && len(kids) > 0 {
			for _, k := range kids {
				stack = append(stack, item{k, da, it.depth + 1})
			}
			continue
		}
		if c.isSigField(c.old, d) {
			continue
		}
		if da == "" {
			inherits, da = true, form
		}
		for _, w := range strings.Fields(strings.ReplaceAll(da, "/", " /")) {
			if strings.HasPrefix(w, "/") && len(w) > 1 {
				out[w[1:]] = true
			}
		}
	}
	return out, inherits
}
