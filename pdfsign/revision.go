package pdfsign

import (
	"bytes"
	"context"
	"reflect"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Outcomes of the difference analysis between a signed revision and the
// whole file.
const (
	diffOK       = iota // only changes PDF allows after a signature
	diffFormFill        // form fields filled or annotations added: allowed by PDF, refused for a guarantee
	diffModified        // anything else
)

// ReasonFormFilled is the problem given when fields were filled or
// annotations added after signing.
const ReasonFormFilled = "签名后有人填写了表单/添加了批注"

// diffResult is the verdict of the difference analysis for one signature.
type diffResult struct {
	kind int
	why  string
	// laterWidgets are the signature widgets and fields signed after the
	// signed revision, for the locks and the overlay check.
	laterWidgets []laterWidget
	// claims counts the differences each allowance claimed.
	claims map[string]int
}

// laterUpdatesOnlySignatures decides whether what follows the signed
// revision ending at end only makes changes PDF allows after a signature:
// it compares the resolved objects of that revision (the file cut at end,
// a complete PDF of its own) with those of the whole file, and every
// difference must be claimed by an allowance of allow.go; a later
// signature widget shown over the signed page's content is a
// modification (overlay.go). Fields filled and annotations added give
// diffFormFill. Without the file's signatures (laterUpdatesWith's meta)
// no new signature field can be verified, so none is allowed.
func laterUpdatesOnlySignatures(ctx context.Context, end int64, readOld func(int64) (revision, error), cur revision) diffResult {
	return laterUpdatesWith(ctx, end, readOld, cur, nil)
}

// laterUpdatesWith is laterUpdatesOnlySignatures knowing the file's
// signatures (meta): new signature fields are allowed only with a value
// verified here.
func laterUpdatesWith(ctx context.Context, end int64, readOld func(int64) (revision, error), cur revision, meta *diffMeta) diffResult {
	old, err := readOld(end)
	if err != nil {
		return diffResult{kind: diffModified, why: "签名时的文件版本无法单独读取，无法判断追加的内容"}
	}
	c := newRevCompare(ctx, old, cur)
	c.end = end
	c.meta = meta
	res := c.run()
	res.claims = c.claims
	return res
}

// revision is a revision's objects: a pdfcpu model, read lazily when doc
// is set.
type revision struct {
	x   *model.XRefTable
	doc *lazyDoc
}

type revCompare struct {
	ctx            context.Context
	old, cur       *model.XRefTable
	oldDoc, curDoc *lazyDoc // nil when pdfcpu read the revision whole
	// Essential objects: reachable from the catalog other than through
	// its /DSS, /Metadata and /Extensions (what a reader renders or fills).
	oldEss, curEss map[int]bool
	// curRefBy lists, for each object of the whole file, the objects
	// that refer to it.
	curRefBy map[int][]int
	changed  map[int]bool
	tooBig   bool
	end      int64 // where the signed revision ends
	visits   int

	res  diffResult
	meta *diffMeta
	// Objects reachable outside the catalog's view (/DSS, /Metadata,
	// /Extensions, /Info): the allowance that may claim them.
	oldSide, curSide map[int]string
	claims           map[string]int
	newClaims        map[int]string // new objects judged where they were added
}

func newRevCompare(ctx context.Context, old, cur revision) *revCompare {
	return &revCompare{ctx: ctx, old: old.x, cur: cur.x, oldDoc: old.doc, curDoc: cur.doc, changed: map[int]bool{}}
}

// docOf gives the lazy reader of x, nil when pdfcpu read it whole.
func (c *revCompare) docOf(x *model.XRefTable) *lazyDoc {
	switch x {
	case c.old:
		return c.oldDoc
	case c.cur:
		return c.curDoc
	}
	return nil
}

// Limits of the difference analysis on hostile files.
const (
	maxGraphVisits = 2_000_000
)

func (c *revCompare) modified(why string) bool {
	if c.res.kind != diffModified {
		c.res.kind, c.res.why = diffModified, why
	}
	return false
}

func (c *revCompare) formFilled(what string) bool {
	if c.res.kind == diffOK {
		c.res.kind, c.res.why = diffFormFill, ReasonFormFilled+"（"+what+"）"
	}
	return true
}

func (c *revCompare) exists(x *model.XRefTable, nr int) bool {
	e, ok := x.Table[nr]
	return ok && e != nil && !e.Free && e.Object != nil
}

// resolve returns object nr of x, decoding it from its object stream.
func (c *revCompare) resolve(x *model.XRefTable, nr int) types.Object {
	e, ok := x.Table[nr]
	if !ok || e == nil || e.Free {
		return nil
	}
	gen := 0
	if e.Generation != nil {
		gen = *e.Generation
	}
	o, err := x.Dereference(*types.NewIndirectRef(nr, gen))
	if err != nil {
		return nil
	}
	return o
}

// deref resolves o in x when it is a reference.
func (c *revCompare) deref(x *model.XRefTable, o types.Object) types.Object {
	if ref, ok := o.(types.IndirectRef); ok {
		return c.resolve(x, ref.ObjectNumber.Value())
	}
	return o
}

// essential walks x from its catalog; the catalog's /DSS, /Metadata and
// /Extensions are not followed. With refBy it also records who refers to whom.
func (c *revCompare) essential(x *model.XRefTable, withRefs bool) (map[int]bool, map[int][]int) {
	root := x.Root.ObjectNumber.Value()
	return c.reach(x, []int{root}, withRefs)
}

// reach walks x from the objects starts (the catalog's /DSS, /Metadata and
// /Extensions are not followed). With refBy it also records who refers to
// whom.
func (c *revCompare) reach(x *model.XRefTable, starts []int, withRefs bool) (map[int]bool, map[int][]int) {
	ess := map[int]bool{}
	var refBy map[int][]int
	if withRefs {
		refBy = map[int][]int{}
	}
	root := x.Root.ObjectNumber.Value()
	doc := c.docOf(x)
	stack := slices.Clone(starts)
	for _, s := range starts {
		ess[s] = true
	}
	for len(stack) > 0 {
		nr := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e := x.Table[nr]; doc != nil && nr != root && e != nil && !e.Free && isLazy(e) {
			// Not parsed: its references from its bytes.
			ri, _ := doc.refsOf(c.ctx, nr)
			for _, t := range ri.refs {
				c.visits++
				if withRefs {
					refBy[t] = append(refBy[t], nr)
				}
				if !ess[t] {
					ess[t] = true
					stack = append(stack, t)
				}
			}
			if c.visits > maxGraphVisits {
				c.tooBig = true
				break
			}
			continue
		}
		o := c.resolve(x, nr)
		var walk func(o types.Object, depth int)
		walk = func(o types.Object, depth int) {
			c.visits++
			if c.visits > maxGraphVisits || depth > 64 {
				c.tooBig = true
				return
			}
			switch v := o.(type) {
			case types.IndirectRef:
				t := v.ObjectNumber.Value()
				if withRefs {
					refBy[t] = append(refBy[t], nr)
				}
				if !ess[t] {
					ess[t] = true
					stack = append(stack, t)
				}
			case types.Dict:
				for k, e := range v {
					if nr == root && depth == 0 && (k == "DSS" || k == "Metadata" || k == "Extensions") {
						continue
					}
					walk(e, depth+1)
				}
			case types.StreamDict:
				walk(v.Dict, depth)
			case types.Array:
				for _, e := range v {
					walk(e, depth+1)
				}
			}
		}
		walk(o, 0)
		if c.tooBig {
			break
		}
	}
	return ess, refBy
}

// unchanged: the entry still points at the same bytes, or the resolved
// object is equal.
func (c *revCompare) unchanged(nr int) bool {
	return c.sameEntry(nr) || equalObj(c.resolve(c.old, nr), c.resolve(c.cur, nr))
}

// readsPastEnd: object nr of the whole file starts in the signed revision
// but is read from bytes appended after it (an object whose endobj, or a
// stream whose data by its /Length, lies beyond the signed end): the same
// offset then does not mean the same object.
func (c *revCompare) readsPastEnd(nr int) bool {
	if c.end <= 0 {
		return false
	}
	e := c.cur.Table[nr]
	if doc := c.curDoc; doc != nil && isLazy(e) {
		ri, ok := doc.refsOf(c.ctx, nr)
		if !ok || ri.kw == 0 || *e.Offset+int64(ri.end) > c.end {
			return true
		}
		if ri.kw != 's' {
			return false
		}
	}
	o := c.resolve(c.cur, nr)
	if osd, ok := o.(types.ObjectStreamDict); ok {
		o = osd.StreamDict // an object stream pdfcpu's read decoded
	}
	sd, ok := o.(types.StreamDict)
	if !ok {
		return false
	}
	n := int64(len(sd.Raw))
	if sd.Raw == nil && sd.StreamLength != nil {
		n = *sd.StreamLength
	}
	return sd.StreamOffset+n > c.end
}

func intp(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// isSigField: the dictionary, or an ancestor, has /FT /Sig.
func (c *revCompare) isSigField(x *model.XRefTable, d types.Dict) bool {
	for depth := 0; d != nil && depth < maxDepth; depth++ {
		if ft := d.NameEntry("FT"); ft != nil {
			return *ft == "Sig"
		}
		p, ok := d.Find("Parent")
		if !ok {
			return false
		}
		d, _ = c.deref(x, p).(types.Dict)
	}
	return false
}

// isField: a form field (has /FT, or is a widget or a node of the tree).
func (c *revCompare) isField(d types.Dict) bool {
	if _, ok := d.Find("FT"); ok {
		return true
	}
	if _, ok := d.Find("Parent"); ok {
		if _, ok := d.Find("T"); ok {
			return true
		}
	}
	return false
}

func isAnnot(d types.Dict) bool {
	if t := d.Type(); t != nil && *t == "Annot" {
		return true
	}
	_, hasRect := d.Find("Rect")
	return d.Subtype() != nil && hasRect
}

// isAnnotsArray: object nr is some page's /Annots in the current revision.
func (c *revCompare) isAnnotsArray(nr int) bool {
	for _, by := range c.curRefBy[nr] {
		if d, ok := c.resolve(c.cur, by).(types.Dict); ok && isType(d, "Page") && objNr(d["Annots"]) == nr {
			return true
		}
	}
	return false
}

// isFieldsArray: object nr is the AcroForm's /Fields.
func (c *revCompare) isFieldsArray(nr int) bool {
	af, _ := c.deref(c.cur, c.rootEntry(c.cur, "AcroForm")).(types.Dict)
	return af != nil && objNr(af["Fields"]) == nr
}

func isType(d types.Dict, t string) bool {
	v := d.Type()
	return v != nil && *v == t
}

// changedKeys lists the keys whose values differ, resolving a value that
// became (or stopped being) an indirect reference: the same dictionary
// written directly or in a new object is the same value.
func (c *revCompare) changedKeys(od, nd types.Dict) []string {
	var keys []string
	for _, k := range changedKeys(od, nd) {
		if c.sameValue(od[k], nd[k]) {
			continue
		}
		keys = append(keys, k)
	}
	return keys
}

// sameValue compares an old and a new value, one level of references
// resolved (in their own revision): a page whose /Resources now point at a
// new object with the same entries shows the same.
func (c *revCompare) sameValue(o, n types.Object) bool {
	if equalObj(o, n) {
		return true
	}
	_, ref1 := o.(types.IndirectRef)
	_, ref2 := n.(types.IndirectRef)
	if !ref1 && !ref2 {
		return false
	}
	return equalObj(c.deref(c.old, o), c.deref(c.cur, n))
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

// equalObj compares two resolved PDF objects structurally; references
// compare by number, streams by dictionary and encoded bytes.
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
	case types.StringLiteral, types.HexLiteral:
		// The same string may be written either way.
		xb, ok1 := strBytes(x)
		yb, ok2 := strBytes(b)
		return ok1 && ok2 && bytes.Equal(xb, yb)
	case types.Float:
		switch y := b.(type) {
		case types.Float:
			return x.Value() == y.Value()
		case types.Integer:
			return x.Value() == float64(y.Value())
		}
		return false
	case types.Integer:
		switch y := b.(type) {
		case types.Float:
			return float64(x.Value()) == y.Value()
		case types.Integer:
			return x == y
		}
		return false
	}
	return reflect.DeepEqual(a, b)
}

// strBytes gives a string object's bytes.
func strBytes(o types.Object) ([]byte, bool) {
	switch v := o.(type) {
	case types.StringLiteral:
		b, err := types.Unescape(v.Value())
		return b, err == nil
	case types.HexLiteral:
		b, err := v.Bytes()
		return b, err == nil
	}
	return nil, false
}

func equalStream(x, y types.StreamDict) bool {
	if !equalObj(x.Dict, y.Dict) {
		return false
	}
	if x.Raw != nil && y.Raw != nil {
		return bytes.Equal(x.Raw, y.Raw)
	}
	if x.StreamOffset != y.StreamOffset {
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
		if st := v.Subtype(); st != nil {
			if *st == "Widget" {
				return "表单域"
			}
			return "批注"
		}
		if _, ok := v.Find("FT"); ok {
			return "表单域"
		}
		return "字典对象"
	case types.Array:
		return "数组对象"
	}
	return "对象"
}
