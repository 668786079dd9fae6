package pdfsign

import (
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// located is a signature field whose value is a signature dictionary.
type located struct {
	field    string     // fully qualified field name
	fieldObj int        // object number of the field dictionary (0 if direct)
	dict     types.Dict // the signature dictionary (/V)
	dictObj  int        // its object number (0 if direct)
	fieldD   types.Dict // the field dictionary
	// deref resolves a reference in the file (for the lock dictionaries,
	// which may be indirect).
	deref func(types.Object) types.Object
}

// Limits for walking a (possibly hostile) object graph.
const (
	maxDepth  = 32
	maxVisits = 100000
)

// locateSignatures finds the signed signature fields: those in the AcroForm
// field tree, and widgets of signature fields found only through the pages'
// annotations (some signers forget the AcroForm). stray is true when the
// file holds a signature dictionary (with /ByteRange and /Contents) that no
// signature field refers to; permsSigs counts the signature dictionaries of
// /Perms (usage rights UR3, DocMDP), which are not fields.
//
// doc is the lazy reader of x (nil when pdfcpu read it whole): objects not
// parsed yet are parsed only when their bytes hold a /ByteRange.
func locateSignatures(x *model.XRefTable, doc *lazyDoc) (found []located, stray bool, permsSigs int) {
	w := &walker{x: x, seenSig: map[int]bool{}, seenObj: map[int]bool{}}
	root, err := x.Catalog()
	if err != nil || root == nil {
		return nil, false, 0
	}
	if af := w.dict(root["AcroForm"]); af != nil {
		for _, kid := range w.array(af["Fields"]) {
			w.field(kid, "", "", 0)
		}
	}
	w.pages(root["Pages"], 0)

	// Signature dictionaries referenced from /Perms (usage rights, DocMDP)
	// are not fields but are not stray either.
	perms := map[int]bool{}
	if p, _ := x.DereferenceDict(root["Perms"]); p != nil {
		for _, v := range p {
			if ref, ok := v.(types.IndirectRef); ok {
				perms[ref.ObjectNumber.Value()] = true
			}
			if d, _ := x.DereferenceDict(v); d != nil {
				if _, ok := d.Find("ByteRange"); ok {
					permsSigs++
				}
			}
		}
	}
	for nr, e := range x.Table {
		if e == nil || e.Free || e.Object == nil || w.seenSig[nr] || perms[nr] {
			continue
		}
		o := e.Object
		if doc != nil && isLazy(e) {
			if !doc.byteRangeHolders()[nr] {
				continue
			}
			o, _ = x.Dereference(*types.NewIndirectRef(nr, intp(e.Generation)))
		}
		d, ok := o.(types.Dict)
		if !ok {
			continue
		}
		if _, ok := d.Find("ByteRange"); !ok {
			continue
		}
		if _, ok := d.Find("Contents"); ok {
			stray = true
			break
		}
	}
	return w.found, stray, permsSigs
}

type walker struct {
	x       *model.XRefTable
	found   []located
	seenSig map[int]bool // signature dictionaries already recorded (by object number)
	seenObj map[int]bool // field and page objects already visited
	visits  int
}

func (w *walker) deref(o types.Object) types.Object {
	if o == nil {
		return nil
	}
	w.visits++
	if w.visits > maxVisits {
		return nil
	}
	v, err := w.x.Dereference(o)
	if err != nil {
		return nil
	}
	return v
}

func (w *walker) dict(o types.Object) types.Dict {
	d, _ := w.deref(o).(types.Dict)
	return d
}

func (w *walker) array(o types.Object) types.Array {
	a, _ := w.deref(o).(types.Array)
	return a
}

func objNr(o types.Object) int {
	if ref, ok := o.(types.IndirectRef); ok {
		return ref.ObjectNumber.Value()
	}
	return 0
}

// field walks one node of the field tree. ft is the inherited field type.
func (w *walker) field(o types.Object, parent, ft string, depth int) {
	if depth > maxDepth {
		return
	}
	nr := objNr(o)
	if nr != 0 {
		if w.seenObj[nr] {
			return
		}
		w.seenObj[nr] = true
	}
	d := w.dict(o)
	if d == nil {
		return
	}
	name := parent
	if t := textEntry(d, "T"); t != "" {
		if name != "" {
			name += "."
		}
		name += t
	}
	if n := d.NameEntry("FT"); n != nil {
		ft = *n
	}
	if ft == "Sig" {
		w.record(d, nr, name)
	}
	for _, kid := range w.array(d["Kids"]) {
		w.field(kid, name, ft, depth+1)
	}
}

// record notes a signature field with a value.
func (w *walker) record(d types.Dict, fieldObj int, name string) {
	v, ok := d.Find("V")
	if !ok {
		return
	}
	sd := w.dict(v)
	if sd == nil {
		return
	}
	key := objNr(v)
	if key != 0 {
		if w.seenSig[key] {
			return
		}
		w.seenSig[key] = true
	}
	x := w.x
	deref := func(o types.Object) types.Object {
		v, err := x.Dereference(o)
		if err != nil {
			return nil
		}
		return v
	}
	w.found = append(w.found, located{field: name, fieldObj: fieldObj, dict: sd, dictObj: key, fieldD: d, deref: deref})
}

// pages walks the page tree for signature widgets.
func (w *walker) pages(o types.Object, depth int) {
	if depth > maxDepth {
		return
	}
	nr := objNr(o)
	if nr != 0 {
		if w.seenObj[-nr] { // page-tree visits are keyed apart from field visits
			return
		}
		w.seenObj[-nr] = true
	}
	d := w.dict(o)
	if d == nil {
		return
	}
	if t := d.Type(); t != nil && *t == "Page" {
		for _, a := range w.array(d["Annots"]) {
			w.widget(a)
		}
		return
	}
	for _, kid := range w.array(d["Kids"]) {
		w.pages(kid, depth+1)
	}
}

// widget records a signature widget not reached through the AcroForm.
func (w *walker) widget(o types.Object) {
	nr := objNr(o)
	if nr != 0 && w.seenObj[nr] {
		return
	}
	d := w.dict(o)
	if d == nil {
		return
	}
	if st := d.Subtype(); st == nil || *st != "Widget" {
		return
	}
	// The field is the widget itself or its ancestor holding /FT and /V.
	cur, curNr := d, nr
	var names []string
	ft := ""
	var field types.Dict
	fieldNr := 0
	for depth := 0; cur != nil && depth < maxDepth; depth++ {
		if t := textEntry(cur, "T"); t != "" {
			names = append(names, t)
		}
		if ft == "" {
			if n := cur.NameEntry("FT"); n != nil {
				ft = *n
			}
		}
		if field == nil {
			if _, ok := cur.Find("V"); ok {
				field, fieldNr = cur, curNr
			}
		}
		p, ok := cur.Find("Parent")
		if !ok {
			break
		}
		curNr = objNr(p)
		cur = w.dict(p)
	}
	if ft != "Sig" || field == nil {
		return
	}
	if fieldNr != 0 && w.seenObj[fieldNr] {
		return
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	w.record(field, fieldNr, strings.Join(names, "."))
}

// textEntry decodes a PDF text string entry (UTF-16BE, UTF-8 or PDFDocEncoding).
func textEntry(d types.Dict, key string) string {
	o, ok := d.Find(key)
	if !ok {
		return ""
	}
	switch v := o.(type) {
	case types.StringLiteral:
		s, err := types.StringLiteralToString(v)
		if err != nil {
			return ""
		}
		return s
	case types.HexLiteral:
		s, err := types.HexLiteralToString(v)
		if err != nil {
			return ""
		}
		return s
	case types.Name:
		return v.Value()
	}
	return ""
}

// readLocks reads what a signature locks: DocMDP (a certification
// signature's /Reference) and FieldMDP (its /Reference, or the field's
// /Lock dictionary, PDF 2.0 with its /P).
func readLocks(s *Signature, f located) {
	deref := f.deref
	if deref == nil {
		deref = func(o types.Object) types.Object { return o }
	}
	dict := func(o types.Object) types.Dict {
		d, _ := deref(o).(types.Dict)
		return d
	}
	// A lock is read the strictest way where it cannot be read as PDF
	// writes it: a /P that is not 1, 2 or 3 (a real, a string, out of
	// range) is P=1; a FieldMDP /Action other than Include or Exclude
	// locks every field, and so does an Include naming a field by
	// something other than a text string.
	lock := func(params types.Dict, method, what string) {
		if params == nil {
			return
		}
		p := 0
		if v, ok := params.Find("P"); ok {
			p = 1
			if i, ok := deref(v).(types.Integer); ok && i.Value() >= 1 && i.Value() <= 3 {
				p = i.Value()
			}
		} else if method == "DocMDP" {
			p = 2
		}
		if p >= 1 && p <= 3 && (s.mdpP == 0 || p < s.mdpP) {
			s.mdpP, s.mdpWhat = p, what
		}
		if method != "FieldMDP" {
			return
		}
		names := func() ([]string, bool) {
			var out []string
			a, ok := deref(params["Fields"]).(types.Array)
			if !ok {
				return nil, params["Fields"] == nil
			}
			for _, e := range a {
				switch v := deref(e).(type) {
				case types.StringLiteral:
					t, err := types.StringLiteralToString(v)
					if err != nil {
						return out, false
					}
					out = append(out, t)
				case types.HexLiteral:
					t, err := types.HexLiteralToString(v)
					if err != nil {
						return out, false
					}
					out = append(out, t)
				default:
					return out, false
				}
			}
			return out, true
		}
		a, _ := deref(params["Action"]).(types.Name)
		switch a {
		case "Include":
			n, ok := names()
			if !ok {
				n = append(n, "*")
			}
			s.lockedFields = append(s.lockedFields, n...)
		case "Exclude":
			n, _ := names()
			s.lockExcluding = append(s.lockExcluding, n)
		default: // All, or an action not known
			s.lockedFields = append(s.lockedFields, "*")
		}
	}
	ref := deref(f.dict["Reference"])
	if d, ok := ref.(types.Dict); ok {
		ref = types.Array{d} // one reference not in an array
	}
	if refs, ok := ref.(types.Array); ok {
		for _, e := range refs {
			rd := dict(e)
			if rd == nil {
				continue
			}
			m, _ := deref(rd["TransformMethod"]).(types.Name)
			params := dict(rd["TransformParams"])
			switch m {
			case "DocMDP":
				if params == nil {
					params = types.Dict{}
				}
				lock(params, "DocMDP", "认证签名")
			case "FieldMDP":
				lock(params, "FieldMDP", "表单域锁定")
			}
		}
	}
	if f.fieldD != nil {
		if l := dict(f.fieldD["Lock"]); l != nil {
			lock(l, "FieldMDP", "签名域锁定")
		}
	}
}
