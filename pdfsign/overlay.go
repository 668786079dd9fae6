package pdfsign

import (
	"bytes"
	"math"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Overlays: a signature added after signing may carry a visible appearance.
// Placed over what the signed page shows (its text, its images, or an
// earlier annotation such as the first signature's stamp), it changes what
// the reader sees although no signed object changed: "20000000.00" drawn
// over the signed "200000.00", by text, an image, a shading, a pattern or
// anything else. So a later widget is judged by where it is: its
// rectangle against the area the signed page paints (checkOverlays).

// Limits of the content scan.
const (
	maxContentBytes = 32 << 20 // decoded content streams of one page
	maxFormDepth    = 16       // nested form XObjects followed; deeper is undecidable
	maxArrayDepth   = 32       // nested arrays lexed; deeper ones are skipped
	maxContentOps   = 2_000_000
)

type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) intersects(s rect) bool {
	return r.x0 < s.x1 && s.x0 < r.x1 && r.y0 < s.y1 && s.y0 < r.y1
}

// rectIn reads a rectangle whose array and numbers may be indirect
// references of x (readers resolve them).
func rectIn(c *revCompare, x *model.XRefTable, o types.Object) (rect, bool) {
	get := func(o types.Object) types.Object {
		if c != nil {
			return c.deref(x, o)
		}
		return o
	}
	a, ok := get(o).(types.Array)
	if !ok || len(a) != 4 {
		return rect{}, false
	}
	var v [4]float64
	for i, e := range a {
		f, ok := num(get(e))
		if !ok {
			return rect{}, false
		}
		v[i] = f
	}
	return rect{min(v[0], v[2]), min(v[1], v[3]), max(v[0], v[2]), max(v[1], v[3])}, true
}

func num(o types.Object) (float64, bool) {
	switch v := o.(type) {
	case types.Integer:
		return float64(v.Value()), true
	case types.Float:
		return v.Value(), true
	}
	return 0, false
}

// checkOverlays judges the signature widgets signed after the signed
// revision by where they are, not by what their appearance holds
// (allow.go lists what may change; this is the rule for what may
// show). A later widget a reader shows or prints may not overlap anything
// the signed page paints (its content, its annotations visible when
// signing), unless its signer has the key of the signature judged (a
// second seal of the firm under another key is not recognised yet: the
// config's guarantor.own_signers does not reach the check). Where the signed page's painted area
// cannot be worked out within the bounds (content budget, form nesting, an
// undecodable stream, an XObject of unknown type), any visible later widget
// on that page is a modification.
func (c *revCompare) checkOverlays() {
	if len(c.res.laterWidgets) == 0 || c.res.kind == diffModified {
		return
	}
	root, _ := c.resolve(c.cur, c.cur.Root.ObjectNumber.Value()).(types.Dict)
	if root == nil {
		c.modified("文档目录无法读取，无法判断签名后新增签名的位置")
		return
	}
	seen := map[int]bool{}
	visits := 0
	var walk func(o types.Object, inh types.Object, depth int)
	walk = func(o types.Object, rot types.Object, depth int) {
		visits++
		if depth > maxDepth || visits > maxVisits || c.res.kind == diffModified {
			return
		}
		nr := objNr(o)
		if nr != 0 {
			if seen[nr] {
				return
			}
			seen[nr] = true
		}
		d, _ := c.deref(c.cur, o).(types.Dict)
		if d == nil {
			return
		}
		if r, ok := d["Rotate"]; ok {
			rot = r
		}
		if isType(d, "Page") {
			c.checkPageOverlay(nr, d, rot)
			return
		}
		kids, _ := c.deref(c.cur, d["Kids"]).(types.Array)
		for _, k := range kids {
			walk(k, rot, depth+1)
		}
	}
	walk(root["Pages"], nil, 0)
}

// Annotation flags (PDF 32000-1, 12.5.3).
const (
	annotHidden   = 2
	annotPrint    = 4
	annotNoZoom   = 8
	annotNoRotate = 16
	annotNoView   = 32
	// annotToggleNoView inverts NoView on some events (the pointer over
	// the annotation): such a widget shows.
	annotToggleNoView = 256
)

// shownRect is where a reader shows or prints the widget: its rectangle,
// non-empty, the widget not Hidden and not NoView without Print (nor
// ToggleNoView, which shows it under the pointer). A
// rectangle that cannot be read (not four numbers, after resolving
// references) is taken as the whole plane: readers may still place it.
// With NoZoom the appearance keeps its size on screen about the upper
// left corner, so zoomed out it reaches any distance right and down. With
// NoRotate on a rotated page the appearance turns about that corner: the
// square around it holds every turn.
func (c *revCompare) shownRect(x *model.XRefTable, d types.Dict, rotated bool) (rect, bool) {
	f := 0
	if v, ok := num(c.deref(x, d["F"])); ok {
		f = int(v)
	}
	if f&annotHidden != 0 || (f&annotNoView != 0 && f&annotPrint == 0 && f&annotToggleNoView == 0) {
		return rect{}, false
	}
	inf := math.Inf(1)
	r, ok := rectIn(c, x, d["Rect"])
	if !ok {
		return rect{-inf, -inf, inf, inf}, true
	}
	if !(r.x1 > r.x0) || !(r.y1 > r.y0) {
		return rect{}, false
	}
	if f&annotNoZoom != 0 {
		r = rect{r.x0, -inf, inf, r.y1}
	}
	if rotated && f&annotNoRotate != 0 {
		m := max(r.x1-r.x0, r.y1-r.y0)
		r = rect{r.x0 - m, r.y1 - m, r.x0 + m, r.y1 + m}
	}
	return r, true
}

func (c *revCompare) exempt(w laterWidget) bool {
	if c.meta == nil {
		return false
	}
	s, ok := c.meta.sigs[w.sigObj]
	return ok && s.verified && s.key != "" && s.key == c.meta.signerKey
}

func (c *revCompare) checkPageOverlay(pageNr int, page types.Dict, rot types.Object) {
	rotated := false
	if v, ok := num(c.deref(c.cur, rot)); ok && int(v)%360 != 0 {
		rotated = true
	}
	annots, _ := c.deref(c.cur, page["Annots"]).(types.Array)
	type shown struct {
		r    rect
		name string
	}
	var covers []shown
	for _, a := range annots {
		nr := objNr(a)
		d, _ := c.deref(c.cur, a).(types.Dict)
		if d == nil {
			continue
		}
		for i := range c.res.laterWidgets {
			w := &c.res.laterWidgets[i]
			if !((nr != 0 && w.nr == nr) || (nr == 0 && w.nr == 0 && equalObj(w.d, d))) {
				continue
			}
			r, ok := c.shownRect(c.cur, d, rotated)
			if !ok {
				continue
			}
			w.visible, w.pageNr = true, pageNr
			if !c.exempt(*w) {
				covers = append(covers, shown{r, w.name})
			}
		}
	}
	if len(covers) == 0 {
		return
	}
	name := covers[0].name
	if name != "" {
		name = "“" + name + "”"
	}
	// What the signer saw: the signed revision's page.
	oldPage, _ := c.resolve(c.old, pageNr).(types.Dict)
	if oldPage == nil {
		c.modified("签名后新增的签名" + name + "显示在签名后才出现的页面上")
		return
	}
	ink, ok := c.pageInk(oldPage)
	if !ok {
		c.modified("签名后新增的签名" + name + "显示在页面上，而签名时页面所画的范围无法确定，不能排除它盖住了签名的内容")
		return
	}
	oldAnnots, _ := c.deref(c.old, oldPage["Annots"]).(types.Array)
	oldRotated := false
	if v, ok := num(c.deref(c.old, c.inheritedObj(oldPage, "Rotate"))); ok && int(v)%360 != 0 {
		oldRotated = true
	}
	for _, a := range oldAnnots {
		d, _ := c.deref(c.old, a).(types.Dict)
		if d == nil {
			continue
		}
		if r, ok := c.shownRect(c.old, d, oldRotated); ok {
			ink = append(ink, r)
		}
	}
	for _, w := range covers {
		for _, r := range ink {
			if w.r.intersects(r) {
				name := w.name
				if name != "" {
					name = "“" + name + "”"
				}
				c.modified("签名后新增的签名" + name + "（另一签名人）显示在签名时页面已有内容的位置上")
				return
			}
		}
	}
}

// pageInk is where the page's content paints, as boxes in default user
// space: shown text (a generous box per string), filled or stroked paths,
// images, shadings (the clip in force), form XObjects followed. ok is
// false when that cannot be worked out within the bounds.
func (c *revCompare) pageInk(page types.Dict) ([]rect, bool) {
	res := c.inherited(page, "Resources")
	var content []byte
	switch v := c.deref(c.old, page["Contents"]).(type) {
	case nil:
	case types.StreamDict:
		b, ok := c.decoded(v)
		if !ok {
			return nil, false
		}
		content = b
	case types.Array:
		for _, e := range v {
			sd, ok := c.deref(c.old, e).(types.StreamDict)
			if !ok {
				return nil, false
			}
			b, ok := c.decoded(sd)
			if !ok {
				return nil, false
			}
			content = append(content, b...)
			content = append(content, '\n')
			if len(content) > maxContentBytes {
				return nil, false
			}
		}
	default:
		return nil, false
	}
	s := &inkScan{c: c, x: c.old}
	s.run(content, identity, res, 0)
	return s.boxes, !s.undecidable
}

func (c *revCompare) decoded(sd types.StreamDict) ([]byte, bool) {
	if err := sd.DecodeWithLimit(maxContentBytes); err != nil {
		return nil, false
	}
	return sd.Content, true
}

// inherited looks key up in d and its /Parent chain (page attributes).
func (c *revCompare) inherited(d types.Dict, key string) types.Dict {
	v, _ := c.deref(c.old, c.inheritedObj(d, key)).(types.Dict)
	return v
}

func (c *revCompare) inheritedObj(d types.Dict, key string) types.Object {
	for depth := 0; d != nil && depth < maxDepth; depth++ {
		if v, ok := d[key]; ok {
			return v
		}
		d, _ = c.deref(c.old, d["Parent"]).(types.Dict)
	}
	return nil
}

type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m×n (PDF row-vector convention: p' = p·m·n).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]
}

func (m matrix) box(r rect) rect {
	xs, ys := [4]float64{}, [4]float64{}
	xs[0], ys[0] = m.apply(r.x0, r.y0)
	xs[1], ys[1] = m.apply(r.x1, r.y0)
	xs[2], ys[2] = m.apply(r.x0, r.y1)
	xs[3], ys[3] = m.apply(r.x1, r.y1)
	out := rect{xs[0], ys[0], xs[0], ys[0]}
	for i := 1; i < 4; i++ {
		out.x0, out.x1 = min(out.x0, xs[i]), max(out.x1, xs[i])
		out.y0, out.y1 = min(out.y0, ys[i]), max(out.y1, ys[i])
	}
	return out
}

type token struct {
	kind byte // 'n' number, 's' string (s its bytes, n their count), 'a' array (its strings' bytes, their count, adj the sum of its numbers), '/' name, 'o' operator, 'i' inline image, 'd' dictionary
	n    float64
	s    string
	adj  float64
}

// inkScan works out where a content stream paints.
type inkScan struct {
	c     *revCompare
	x     *model.XRefTable
	boxes []rect
	texts int // text-showing operators met
	ops   int
	// undecidable: the painted area could not be worked out (budget,
	// nesting, an undecodable stream, an XObject of unknown type).
	undecidable bool
	clip0       rect // the clip in force where a form is painted; zero: none
}

// everywhere is the clip when none was set.
var everywhere = rect{-1e9, -1e9, 1e9, 1e9}

func (r rect) intersect(s rect) rect {
	return rect{max(r.x0, s.x0), max(r.y0, s.y0), min(r.x1, s.x1), min(r.y1, s.y1)}
}

// run interprets a content stream for where it paints.
func (s *inkScan) run(b []byte, ctm matrix, res types.Dict, depth int) {
	var stack []token
	type gstate struct {
		ctm  matrix
		clip rect
		lw   float64
	}
	var gs []gstate
	tm, tlm := identity, identity
	var fs, tl, tz float64 = 1, 0, 1
	clip := everywhere
	if s.clip0 != (rect{}) {
		clip = s.clip0
	}
	lw := 1.0
	var path rect
	pathPts, pendingClip := false, false
	point := func(x, y float64) {
		x, y = ctm.apply(x, y)
		if !pathPts {
			path, pathPts = rect{x, y, x, y}, true
			return
		}
		path = rect{min(path.x0, x), min(path.y0, y), max(path.x1, x), max(path.y1, y)}
	}
	paint := func(r rect) {
		r = r.intersect(clip)
		if r.x1 >= r.x0 && r.y1 >= r.y0 {
			s.boxes = append(s.boxes, r)
		}
	}
	var font *fontMetrics
	var tc, tw, ts float64
	show := func(t token) {
		if t.n <= 0 {
			return
		}
		// The advance by the font's widths (PDF 32000-1, 9.4.4); a
		// glyph whose width is not given counts one em.
		w := font.advance(t.s, fs, tc, tw) - t.adj/1000*fs
		w *= tz
		// One em more at each end: a figure written just before or
		// after the signed ones ("1" before "200000.00") changes them as
		// much as one written over them.
		m := abs(fs)
		r := tm.mul(ctm).box(rect{min(0, w) - m, min(-0.3*fs, -0.3*fs+ts), max(0, w) + m, max(1.0*fs, fs+ts)})
		paint(r)
		tm = matrix{1, 0, 0, 1, w, 0}.mul(tm)
	}
	nums := func(k int) ([]float64, bool) {
		if len(stack) < k {
			return nil, false
		}
		out := make([]float64, k)
		for i, t := range stack[len(stack)-k:] {
			if t.kind != 'n' {
				return nil, false
			}
			out[i] = t.n
		}
		return out, true
	}
	td := func(x, y float64) {
		tlm = matrix{1, 0, 0, 1, x, y}.mul(tlm)
		tm = tlm
	}
	lex := &lexer{b: b}
	for {
		t, ok := lex.next()
		if !ok {
			if lex.bad {
				s.undecidable = true
			}
			return
		}
		if t.kind == 'i' { // an inline image: the unit square
			paint(ctm.box(rect{0, 0, 1, 1}))
			stack = stack[:0]
			continue
		}
		if t.kind != 'o' {
			if len(stack) < 64 {
				stack = append(stack, t)
			}
			continue
		}
		s.ops++
		if s.ops > maxContentOps {
			s.undecidable = true
			return
		}
		switch t.s {
		case "q":
			if len(gs) >= 256 {
				s.undecidable = true
				return
			}
			gs = append(gs, gstate{ctm, clip, lw})
		case "Q":
			if len(gs) > 0 {
				g := gs[len(gs)-1]
				ctm, clip, lw = g.ctm, g.clip, g.lw
				gs = gs[:len(gs)-1]
			}
		case "cm":
			if v, ok := nums(6); ok {
				ctm = matrix{v[0], v[1], v[2], v[3], v[4], v[5]}.mul(ctm)
			}
		case "w":
			if v, ok := nums(1); ok {
				lw = v[0]
			}
		case "BT":
			tm, tlm = identity, identity
		case "Tf":
			if v, ok := nums(1); ok {
				fs = v[0]
			}
			if len(stack) >= 2 && stack[len(stack)-2].kind == '/' {
				font = s.font(res, stack[len(stack)-2].s)
			}
		case "Tc":
			if v, ok := nums(1); ok {
				tc = v[0]
			}
		case "Ts":
			if v, ok := nums(1); ok {
				ts = v[0]
			}
		case "Tw":
			if v, ok := nums(1); ok {
				tw = v[0]
			}
		case "Tz":
			if v, ok := nums(1); ok {
				tz = v[0] / 100
			}
		case "TL":
			if v, ok := nums(1); ok {
				tl = v[0]
			}
		case "Td":
			if v, ok := nums(2); ok {
				td(v[0], v[1])
			}
		case "TD":
			if v, ok := nums(2); ok {
				tl = -v[1]
				td(v[0], v[1])
			}
		case "Tm":
			if v, ok := nums(6); ok {
				tlm = matrix{v[0], v[1], v[2], v[3], v[4], v[5]}
				tm = tlm
			}
		case "T*":
			td(0, -tl)
		case "Tj", "TJ":
			s.texts++
			if len(stack) > 0 {
				show(stack[len(stack)-1])
			}
		case "'", "\"":
			s.texts++
			if v, ok := nums(3); ok && t.s == "\"" {
				tw, tc = v[0], v[1]
			}
			td(0, -tl)
			if len(stack) > 0 {
				show(stack[len(stack)-1])
			}
		case "m", "l":
			if v, ok := nums(2); ok {
				point(v[0], v[1])
			}
		case "c":
			if v, ok := nums(6); ok {
				point(v[0], v[1])
				point(v[2], v[3])
				point(v[4], v[5])
			}
		case "v", "y":
			if v, ok := nums(4); ok {
				point(v[0], v[1])
				point(v[2], v[3])
			}
		case "re":
			if v, ok := nums(4); ok {
				point(v[0], v[1])
				point(v[0]+v[2], v[1]+v[3])
			}
		case "W", "W*":
			pendingClip = true
		case "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "n":
			if pathPts {
				if pendingClip {
					clip = clip.intersect(path)
				}
				if t.s != "n" {
					// A stroke reaches half the line width (in user
					// space; the scale of the CTM counted roughly).
					e := max(lw, 1) * max(abs(ctm[0])+abs(ctm[1]), abs(ctm[2])+abs(ctm[3]), 1)
					paint(rect{path.x0 - e, path.y0 - e, path.x1 + e, path.y1 + e})
				}
			}
			pathPts, pendingClip = false, false
		case "sh":
			paint(clip)
		case "Do":
			if len(stack) > 0 && stack[len(stack)-1].kind == '/' {
				s.xobject(stack[len(stack)-1].s, ctm, clip, res, depth)
			} else {
				s.undecidable = true
			}
		}
		stack = stack[:0]
	}
}

// fontMetrics are the glyph widths of a font, in text space units per
// unit of font size.
type fontMetrics struct {
	twoByte bool
	first   int
	widths  []float64       // simple fonts, from first
	cids    map[int]float64 // composite fonts (/W)
	missing float64
}

// font reads the widths of font name of res; nil (every glyph one em,
// one byte) when it cannot.
func (s *inkScan) font(res types.Dict, name string) *fontMetrics {
	c, x := s.c, s.x
	if c == nil {
		return nil
	}
	fonts, _ := c.deref(x, res["Font"]).(types.Dict)
	fd, _ := c.deref(x, fonts[name]).(types.Dict)
	if fd == nil {
		return nil
	}
	num1 := func(o types.Object) (float64, bool) { return num(c.deref(x, o)) }
	scale := 1.0 / 1000
	if st := fd.Subtype(); st != nil && *st == "Type3" {
		if m, ok := c.deref(x, fd["FontMatrix"]).(types.Array); ok && len(m) == 6 {
			if v, ok := num1(m[0]); ok {
				scale = abs(v)
			}
		}
	}
	f := &fontMetrics{missing: 1}
	if st := fd.Subtype(); st != nil && *st == "Type0" {
		f.twoByte = true
		f.cids = map[int]float64{}
		desc, _ := c.deref(x, fd["DescendantFonts"]).(types.Array)
		if len(desc) == 0 {
			return f
		}
		cf, _ := c.deref(x, desc[0]).(types.Dict)
		if cf == nil {
			return f
		}
		if v, ok := num1(cf["DW"]); ok {
			f.missing = max(v*scale, 0)
		}
		w, _ := c.deref(x, cf["W"]).(types.Array)
		for i := 0; i < len(w) && len(f.cids) < 1<<16; {
			c0, ok := num1(w[i])
			if !ok || i+1 >= len(w) {
				break
			}
			if a, ok := c.deref(x, w[i+1]).(types.Array); ok {
				for k, e := range a {
					if v, ok := num1(e); ok {
						f.cids[int(c0)+k] = max(v*scale, 0)
					}
				}
				i += 2
				continue
			}
			c1, ok1 := num1(w[i+1])
			if i+2 >= len(w) || !ok1 {
				break
			}
			v, _ := num1(w[i+2])
			for k := int(c0); k <= int(c1) && len(f.cids) < 1<<16; k++ {
				f.cids[k] = max(v*scale, 0)
			}
			i += 3
		}
		return f
	}
	if v, ok := num1(fd["FirstChar"]); ok {
		f.first = int(v)
	}
	if ws, ok := c.deref(x, fd["Widths"]).(types.Array); ok {
		for _, e := range ws {
			v, _ := num1(e)
			f.widths = append(f.widths, max(v*scale, 0))
		}
		if desc, ok := c.deref(x, fd["FontDescriptor"]).(types.Dict); ok {
			if v, ok := num1(desc["MissingWidth"]); ok {
				f.missing = max(v*scale, 0)
			}
		}
	}
	return f
}

// advance is the width of showing str at size fs with character spacing
// tc and word spacing tw.
func (f *fontMetrics) advance(str string, fs, tc, tw float64) float64 {
	if f == nil {
		return float64(len(str)) * (fs + tc)
	}
	w := 0.0
	if f.twoByte {
		for i := 0; i+1 < len(str); i += 2 {
			code := int(str[i])<<8 | int(str[i+1])
			g, ok := f.cids[code]
			if !ok {
				g = f.missing
			}
			w += g*fs + tc
		}
		return w
	}
	for i := 0; i < len(str); i++ {
		g := f.missing
		if k := int(str[i]) - f.first; k >= 0 && k < len(f.widths) {
			g = f.widths[k]
		}
		w += g*fs + tc
		if str[i] == ' ' {
			w += tw
		}
	}
	return w
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func (s *inkScan) xobject(name string, ctm matrix, clip rect, res types.Dict, depth int) {
	c, x := s.c, s.x
	xo, _ := c.deref(x, res["XObject"]).(types.Dict)
	if xo == nil {
		s.undecidable = true
		return
	}
	sd, ok := c.deref(x, xo[name]).(types.StreamDict)
	if !ok {
		s.undecidable = true
		return
	}
	st := sd.Subtype()
	switch {
	case st != nil && *st == "Image":
		s.boxes = append(s.boxes, ctm.box(rect{0, 0, 1, 1}).intersect(clip))
	case st != nil && *st == "Form":
		if depth >= maxFormDepth {
			s.undecidable = true
			return
		}
		m := identity
		if a, ok := c.deref(x, sd.Dict["Matrix"]).(types.Array); ok && len(a) == 6 {
			for i := range 6 {
				v, ok := num(c.deref(x, a[i]))
				if !ok {
					s.undecidable = true
					return
				}
				m[i] = v
			}
		}
		fres, _ := c.deref(x, sd.Dict["Resources"]).(types.Dict)
		if fres == nil {
			fres = res
		}
		b, ok := c.decoded(sd)
		if !ok {
			s.undecidable = true
			return
		}
		// The form paints within its /BBox at most.
		sub := &inkScan{c: c, x: x, ops: s.ops, clip0: clip}
		sub.run(b, m.mul(ctm), fres, depth+1)
		s.ops = sub.ops
		s.texts += sub.texts
		if sub.undecidable {
			s.undecidable = true
		}
		s.boxes = append(s.boxes, sub.boxes...)
	default:
		s.undecidable = true
	}
}

// lexer splits a content stream into operands and operators.
type lexer struct {
	b     []byte
	i     int
	depth int  // arrays open
	bad   bool // the stream does not lex to its end (an unterminated inline image or string)
}

func isWhite(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

func (l *lexer) next() (token, bool) {
	b := l.b
	for l.i < len(b) {
		c := b[l.i]
		switch {
		case isWhite(c):
			l.i++
		case c == '%':
			for l.i < len(b) && b[l.i] != '\n' && b[l.i] != '\r' {
				l.i++
			}
		case c == '(':
			str := l.str()
			return token{kind: 's', n: float64(len(str)), s: string(str)}, true
		case c == '<' && l.i+1 < len(b) && b[l.i+1] == '<':
			l.i += 2
			l.skipDict()
			return token{kind: 'd'}, true
		case c == '<':
			j := bytes.IndexByte(b[l.i:], '>')
			if j < 0 {
				l.i = len(b)
				l.bad = true
				return token{}, false
			}
			var digits []byte
			for _, h := range b[l.i+1 : l.i+j] {
				if !isWhite(h) {
					digits = append(digits, h)
				}
			}
			if len(digits)%2 == 1 {
				digits = append(digits, '0')
			}
			str := make([]byte, len(digits)/2)
			for k := range str {
				h1, _ := unhex(digits[2*k])
				h2, _ := unhex(digits[2*k+1])
				str[k] = h1<<4 | h2
			}
			l.i += j + 1
			return token{kind: 's', n: float64(len(str)), s: string(str)}, true
		case c == '[' && l.depth >= maxArrayDepth:
			// Too deep to recurse into (32 MiB of "[" would be as many
			// frames): skipped whole, an opaque array.
			l.skipArray()
			return token{kind: 'a'}, true
		case c == '[':
			l.i++
			l.depth++
			var str []byte
			adj := 0.0
			for {
				t, ok := l.next()
				if !ok || (t.kind == 'o' && t.s == "]") {
					break
				}
				switch t.kind {
				case 's':
					str = append(str, t.s...)
				case 'n':
					adj += t.n
				}
			}
			l.depth--
			return token{kind: 'a', n: float64(len(str)), s: string(str), adj: adj}, true
		case c == ']':
			l.i++
			return token{kind: 'o', s: "]"}, true
		case c == '/':
			j := l.i + 1
			for j < len(b) && !isWhite(b[j]) && !isDelim(b[j]) {
				j++
			}
			t := token{kind: '/', s: string(b[l.i+1 : j])}
			if bytes.IndexByte(b[l.i+1:j], '#') >= 0 {
				// #xx escapes, as the resource dictionaries' keys are
				// decoded (7.3.5); an invalid one names nothing.
				if d, err := types.DecodeName(t.s); err == nil {
					t.s = d
				}
			}
			l.i = j
			return t, true
		default:
			j := l.i
			for j < len(b) && !isWhite(b[j]) && !isDelim(b[j]) {
				j++
			}
			if j == l.i {
				l.i++ // a stray delimiter
				continue
			}
			w := b[l.i:j]
			l.i = j
			if f, err := strconv.ParseFloat(string(w), 64); err == nil && (w[0] == '-' || w[0] == '+' || w[0] == '.' || (w[0] >= '0' && w[0] <= '9')) {
				return token{kind: 'n', n: f}, true
			}
			if string(w) == "BI" {
				l.skipInlineImage()
				return token{kind: 'i'}, true
			}
			return token{kind: 'o', s: string(w)}, true
		}
	}
	return token{}, false
}

// str reads a literal string and gives its bytes (escapes decoded).
func (l *lexer) str() []byte {
	b := l.b
	l.i++
	depth := 1
	var out []byte
	for l.i < len(b) {
		c := b[l.i]
		l.i++
		switch c {
		case '\\':
			if l.i >= len(b) {
				continue
			}
			e := b[l.i]
			l.i++
			switch {
			case e >= '0' && e <= '7':
				v := int(e - '0')
				for k := 0; k < 2 && l.i < len(b) && b[l.i] >= '0' && b[l.i] <= '7'; k++ {
					v = v*8 + int(b[l.i]-'0')
					l.i++
				}
				out = append(out, byte(v))
			case e == '\r' || e == '\n': // a line continuation
				if e == '\r' && l.i < len(b) && b[l.i] == '\n' {
					l.i++
				}
			default:
				out = append(out, e)
			}
			continue
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return out
			}
		}
		out = append(out, c)
	}
	l.bad = true
	return out
}

// skipArray skips an array and the arrays in it, without recursion.
func (l *lexer) skipArray() {
	depth := 0
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case '(':
			l.str() // a "]" in a string does not close
			continue
		case '%':
			for l.i < len(l.b) && l.b[l.i] != '\n' && l.b[l.i] != '\r' {
				l.i++
			}
			continue
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				l.i++
				return
			}
		}
		l.i++
	}
}

func (l *lexer) skipDict() {
	depth := 1
	for l.i+1 < len(l.b) && depth > 0 {
		switch {
		case l.b[l.i] == '<' && l.b[l.i+1] == '<':
			depth++
			l.i += 2
		case l.b[l.i] == '>' && l.b[l.i+1] == '>':
			depth--
			l.i += 2
		default:
			l.i++
		}
	}
}

// skipInlineImage skips "... ID <data> EI".
func (l *lexer) skipInlineImage() {
	j := bytes.Index(l.b[l.i:], []byte("ID"))
	if j < 0 {
		l.i = len(l.b)
		l.bad = true
		return
	}
	l.i += j + 2
	for l.i+2 <= len(l.b) {
		k := bytes.Index(l.b[l.i:], []byte("EI"))
		if k < 0 {
			break
		}
		p := l.i + k
		if p > 0 && isWhite(l.b[p-1]) && (p+2 == len(l.b) || isWhite(l.b[p+2])) {
			l.i = p + 2
			return
		}
		l.i = p + 2
	}
	l.i = len(l.b)
	l.bad = true
}
