package pdfsign

import (
	"context"
	"io"
	"reflect"
	"slices"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// laterUpdatesOnlySignatures decides whether what follows the signed
// revision ending at end only adds signatures. It compares that revision
// (the file cut at end, a complete PDF of its own) with the whole file object
// by object. Allowed are new objects, and changes to existing objects that
// adding a signature field needs: the catalog gaining /AcroForm or /DSS, the
// AcroForm's /Fields, /SigFlags, /DA and /DR, a page's /Annots, an existing
// empty signature field getting its value, the document information's
// /ModDate and /Producer. Fields and annotations may only gain signature
// fields. Anything else, a deleted object or a replaced catalog, is a
// modification; why says which, in plain words.
func laterUpdatesOnlySignatures(ctx context.Context, r io.ReaderAt, end int64, opt Options, whole func() (*model.Context, error)) (ok bool, why string) {
	old, err := readPDF(ctx, r, end, model.ValidationRelaxed, opt)
	if err != nil {
		return false, "签名时的文件版本无法单独读取，无法判断追加的内容"
	}
	cur, err := whole()
	if err != nil {
		return false, "文件无法读取，无法判断追加的内容"
	}
	cmp := &revCompare{old: old.XRefTable, cur: cur.XRefTable}
	return cmp.run()
}

type revCompare struct {
	old, cur *model.XRefTable
}

func (c *revCompare) run() (bool, string) {
	if c.old.Root == nil || c.cur.Root == nil || c.old.Root.ObjectNumber != c.cur.Root.ObjectNumber {
		return false, "文档的根对象被替换"
	}
	if (c.old.Encrypt == nil) != (c.cur.Encrypt == nil) {
		return false, "文件的加密设置被改动"
	}
	nrs := make([]int, 0, len(c.cur.Table))
	for nr := range c.cur.Table {
		nrs = append(nrs, nr)
	}
	slices.Sort(nrs)
	for _, nr := range nrs {
		if nr == 0 {
			continue
		}
		e := c.cur.Table[nr]
		oe, inOld := c.old.Table[nr]
		existed := inOld && oe != nil && !oe.Free && oe.Object != nil
		if e == nil || e.Free || e.Object == nil {
			if existed {
				return false, "删除了对象 " + strconv.Itoa(nr)
			}
			continue
		}
		if !existed || c.unchanged(nr, e, oe) {
			continue
		}
		if !c.allowedChange(nr, oe.Object, e.Object) {
			return false, "改动了" + describeObject(e.Object) + "（对象 " + strconv.Itoa(nr) + "）"
		}
	}
	return true, ""
}

// unchanged: the entry still points at the same bytes, or the object is equal.
func (c *revCompare) unchanged(nr int, e, oe *model.XRefTableEntry) bool {
	if e.Compressed != oe.Compressed {
		return equalObj(oe.Object, e.Object)
	}
	if !e.Compressed && e.Offset != nil && oe.Offset != nil && *e.Offset == *oe.Offset &&
		intp(e.Generation) == intp(oe.Generation) {
		return true
	}
	return equalObj(oe.Object, e.Object)
}

func intp(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// allowedChange judges one redefined object.
func (c *revCompare) allowedChange(nr int, o, n types.Object) bool {
	od, ok1 := o.(types.Dict)
	nd, ok2 := n.(types.Dict)
	if ok1 && ok2 {
		switch {
		case nr == c.cur.Root.ObjectNumber.Value():
			return c.dictChangeOK(od, nd, "AcroForm", "DSS")
		case nr == objNr(c.curRootEntry("AcroForm")):
			return c.acroFormOK(od, nd)
		case nr == objNr(c.curRootEntry("DSS")):
			return true
		case c.cur.Info != nil && nr == c.cur.Info.ObjectNumber.Value():
			return c.dictChangeOK(od, nd, "ModDate", "Producer")
		case isType(nd, "Page") && isType(od, "Page"):
			return c.pageOK(od, nd)
		case c.isSigField(nd) && c.isSigField(od):
			return c.sigFieldOK(od, nd)
		}
		return false
	}
	oa, ok1 := o.(types.Array)
	na, ok2 := n.(types.Array)
	if ok1 && ok2 && (c.isAnnotsArray(nr) || c.isFieldsArray(nr)) {
		return c.onlyAddsSigFields(oa, na)
	}
	return false
}

func (c *revCompare) curRootEntry(key string) types.Object {
	root, err := c.cur.Catalog()
	if err != nil || root == nil {
		return nil
	}
	return root[key]
}

// dictChangeOK: only the listed keys differ; AcroForm values are judged as
// an AcroForm when the catalog holds it directly.
func (c *revCompare) dictChangeOK(od, nd types.Dict, allowed ...string) bool {
	for _, k := range changedKeys(od, nd) {
		if !slices.Contains(allowed, k) {
			return false
		}
		if k == "AcroForm" {
			oa, _ := od[k].(types.Dict)
			na, _ := nd[k].(types.Dict)
			if na != nil && !c.acroFormOK(oa, na) {
				return false
			}
		}
	}
	return true
}

func (c *revCompare) acroFormOK(od, nd types.Dict) bool {
	for _, k := range changedKeys(od, nd) {
		switch k {
		case "SigFlags", "DA", "DR":
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

func (c *revCompare) pageOK(od, nd types.Dict) bool {
	for _, k := range changedKeys(od, nd) {
		if k != "Annots" || !c.arrayEntryOK(od[k], nd[k]) {
			return false
		}
	}
	return true
}

// arrayEntryOK judges a changed /Fields or /Annots entry: a direct array may
// only gain signature fields; a new reference must point at an array that
// keeps the old elements and adds only signature fields.
func (c *revCompare) arrayEntryOK(o, n types.Object) bool {
	if n == nil {
		return false
	}
	oa := c.resolveOldArray(o)
	na, err := c.cur.DereferenceArray(n)
	if err != nil {
		return false
	}
	return c.onlyAddsSigFields(oa, na)
}

func (c *revCompare) resolveOldArray(o types.Object) types.Array {
	if o == nil {
		return nil
	}
	a, err := c.old.DereferenceArray(o)
	if err != nil {
		return nil
	}
	return a
}

// onlyAddsSigFields: every old element is still there, and each added one
// is a signature field or widget.
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
		d, err := c.cur.DereferenceDict(n)
		if err != nil || d == nil || !c.isSigField(d) {
			return false
		}
	}
	return true
}

// sigFieldOK: an existing signature field may get its value and appearance.
func (c *revCompare) sigFieldOK(od, nd types.Dict) bool {
	if v, ok := od["V"]; ok && !equalObj(v, nd["V"]) {
		return false // a signed field must keep its signature
	}
	for _, k := range changedKeys(od, nd) {
		switch k {
		case "V", "AP", "AS", "M", "F", "DA", "Border", "MK", "Lock", "SV":
		default:
			return false
		}
	}
	return true
}

// isSigField: the dictionary, or an ancestor, has /FT /Sig.
func (c *revCompare) isSigField(d types.Dict) bool {
	for depth := 0; d != nil && depth < maxDepth; depth++ {
		if ft := d.NameEntry("FT"); ft != nil {
			return *ft == "Sig"
		}
		p, ok := d.Find("Parent")
		if !ok {
			return false
		}
		var err error
		if d, err = c.cur.DereferenceDict(p); err != nil {
			return false
		}
	}
	return false
}

// isAnnotsArray: object nr is some page's /Annots in the current revision.
func (c *revCompare) isAnnotsArray(nr int) bool {
	for _, e := range c.cur.Table {
		if e == nil || e.Free {
			continue
		}
		if d, ok := e.Object.(types.Dict); ok && isType(d, "Page") && objNr(d["Annots"]) == nr {
			return true
		}
	}
	return false
}

// isFieldsArray: object nr is the AcroForm's /Fields.
func (c *revCompare) isFieldsArray(nr int) bool {
	af, err := c.cur.DereferenceDict(c.curRootEntry("AcroForm"))
	return err == nil && af != nil && objNr(af["Fields"]) == nr
}

func isType(d types.Dict, t string) bool {
	v := d.Type()
	return v != nil && *v == t
}

// changedKeys lists the keys whose values differ.
func changedKeys(od, nd types.Dict) []string {
	var keys []string
	for k, v := range nd {
		if !equalObj(od[k], v) {
			keys = append(keys, k)
		}
	}
	for k := range od {
		if _, ok := nd[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// equalObj compares two PDF objects structurally; references compare by
// number, streams by their position and length in the file (the earlier
// revision is a byte prefix of the file, so the same position means the
// same bytes).
func equalObj(a, b types.Object) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case types.Dict:
		y, ok := b.(types.Dict)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalObj(v, w) {
				return false
			}
		}
		return true
	case types.Array:
		y, ok := b.(types.Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalObj(x[i], y[i]) {
				return false
			}
		}
		return true
	case types.StreamDict:
		y, ok := b.(types.StreamDict)
		return ok && equalStream(x, y)
	case types.ObjectStreamDict:
		y, ok := b.(types.ObjectStreamDict)
		return ok && equalStream(x.StreamDict, y.StreamDict)
	case types.XRefStreamDict:
		y, ok := b.(types.XRefStreamDict)
		return ok && equalStream(x.StreamDict, y.StreamDict)
	case types.IndirectRef:
		y, ok := b.(types.IndirectRef)
		return ok && x.ObjectNumber == y.ObjectNumber && x.GenerationNumber == y.GenerationNumber
	}
	return reflect.DeepEqual(a, b)
}

func equalStream(x, y types.StreamDict) bool {
	if !equalObj(x.Dict, y.Dict) || x.StreamOffset != y.StreamOffset {
		return false
	}
	if (x.StreamLength == nil) != (y.StreamLength == nil) {
		return false
	}
	return x.StreamLength == nil || *x.StreamLength == *y.StreamLength
}

// describeObject names an object's kind for the clerk.
func describeObject(o types.Object) string {
	switch v := o.(type) {
	case types.StreamDict:
		if t := v.Type(); t != nil && *t == "XObject" {
			return "图像或表单对象"
		}
		return "页面内容或数据流"
	case types.Dict:
		if t := v.Type(); t != nil {
			switch *t {
			case "Page":
				return "页面"
			case "Pages":
				return "页面目录"
			case "Catalog":
				return "文档目录"
			case "Annot":
				return "批注"
			case "Font":
				return "字体"
			case "Sig":
				return "签名字典"
			}
		}
		return "字典对象"
	case types.Array:
		return "数组对象"
	}
	return "对象"
}
