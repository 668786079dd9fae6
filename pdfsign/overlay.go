package pdfsign

import (
	"bytes"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Overlays: a signature added after signing may carry a visible appearance.
// Placed over what the signed page shows (its text, its images, or an
// earlier annotation such as the first signature's stamp), it changes what
// the reader sees although no signed object changed: "20000000.00" drawn
// over the signed "200000.00". Such a widget counts as a modification.

// Limits of the content scan.
const (
	maxContentBytes = 32 << 20 // decoded content streams of one page
	maxFormDepth    = 4        // nested form XObjects followed
	maxArrayDepth   = 32       // nested arrays lexed; deeper ones are skipped
	maxContentOps   = 2_000_000
)

type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) area() float64 { return (r.x1 - r.x0) * (r.y1 - r.y0) }

func (r rect) intersects(s rect) bool {
	return r.x0 < s.x1 && s.x0 < r.x1 && r.y0 < s.y1 && s.y0 < r.y1
}

func rectOf(o types.Object) (rect, bool) {
	a, ok := o.(types.Array)
	if !ok || len(a) != 4 {
		return rect{}, false
	}
	var v [4]float64
	for i, e := range a {
		f, ok := num(e)
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

// checkOverlays refuses a signature widget added after signing whose
// visible appearance covers content of the signed page.
func (c *revCompare) checkOverlays() {
	if len(c.newSigWs) == 0 {
		return
	}
	root, _ := c.resolve(c.cur, c.cur.Root.ObjectNumber.Value()).(types.Dict)
	if root == nil {
		return
	}
	seen := map[int]bool{}
	var walk func(o types.Object, depth int)
	walk = func(o types.Object, depth int) {
		if depth > maxDepth || c.res.kind == diffModified {
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
		if isType(d, "Page") {
			c.checkPageOverlay(nr, d)
			return
		}
		kids, _ := c.deref(c.cur, d["Kids"]).(types.Array)
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	walk(root["Pages"], 0)
}

func (c *revCompare) checkPageOverlay(pageNr int, page types.Dict) {
	annots, _ := c.deref(c.cur, page["Annots"]).(types.Array)
	var covers []rect
	var names []string
	for _, a := range annots {
		nr := objNr(a)
		d, _ := c.deref(c.cur, a).(types.Dict)
		if d == nil {
			continue
		}
		for _, w := range c.newSigWs {
			if (nr != 0 && w.nr == nr) || (nr == 0 && w.nr == 0 && equalObj(w.d, d)) {
				if r, ok := c.visibleRect(d); ok && c.appearanceWritesText(d) {
					covers = append(covers, r)
					names = append(names, textEntry(d, "T"))
				}
			}
		}
	}
	if len(covers) == 0 {
		return
	}
	// What the signer saw: the signed revision's page.
	oldPage, _ := c.resolve(c.old, pageNr).(types.Dict)
	if oldPage == nil {
		return // a new page is judged elsewhere (the page tree changed)
	}
	ink := c.pageInk(oldPage)
	oldAnnots, _ := c.deref(c.old, oldPage["Annots"]).(types.Array)
	for _, a := range oldAnnots {
		d, _ := c.deref(c.old, a).(types.Dict)
		if d == nil {
			continue
		}
		if r, ok := c.visibleRectIn(c.old, d); ok {
			ink = append(ink, r)
		}
	}
	for i, w := range covers {
		for _, r := range ink {
			if w.intersects(r) {
				name := names[i]
				if name != "" {
					name = "“" + name + "”"
				}
				c.modified("签名后新增的签名" + name + "的外观覆盖了签名时页面上已有的内容")
				return
			}
		}
	}
}

func (c *revCompare) visibleRect(d types.Dict) (rect, bool) { return c.visibleRectIn(c.cur, d) }

// visibleRectIn: the annotation's rectangle when it has a non-empty normal
// appearance and is not hidden.
func (c *revCompare) visibleRectIn(x *model.XRefTable, d types.Dict) (rect, bool) {
	r, ok := rectOf(c.deref(x, d["Rect"]))
	if !ok || r.x1-r.x0 < 1 || r.y1-r.y0 < 1 {
		return rect{}, false
	}
	if f, ok := num(c.deref(x, d["F"])); ok && (int(f)&(2|32)) != 0 {
		return rect{}, false // Hidden or NoView
	}
	ap, _ := c.deref(x, d["AP"]).(types.Dict)
	if ap == nil {
		return rect{}, false
	}
	n := c.deref(x, ap["N"])
	if sub, ok := n.(types.Dict); ok { // appearance states
		as := d.NameEntry("AS")
		if as == nil {
			return rect{}, false
		}
		n = c.deref(x, sub[*as])
	}
	sd, ok := n.(types.StreamDict)
	if !ok {
		return rect{}, false
	}
	if err := sd.DecodeWithLimit(maxContentBytes); err != nil {
		return r, true // undecodable: assume it paints
	}
	if len(bytes.TrimSpace(sd.Content)) == 0 {
		return rect{}, false
	}
	return r, true
}

// pageInk approximates where the page's content paints: boxes around shown
// text, images and paths filled in a dark colour (light fills such as
// backgrounds are left out).
func (c *revCompare) pageInk(page types.Dict) []rect {
	res := c.inherited(page, "Resources")
	var content []byte
	switch v := c.deref(c.old, page["Contents"]).(type) {
	case types.StreamDict:
		content = c.decoded(v)
	case types.Array:
		for _, e := range v {
			if sd, ok := c.deref(c.old, e).(types.StreamDict); ok {
				content = append(content, c.decoded(sd)...)
				content = append(content, '\n')
			}
			if len(content) > maxContentBytes {
				break
			}
		}
	}
	s := &inkScan{c: c, x: c.old}
	s.run(content, identity, res, 0)
	return s.boxes
}

func (c *revCompare) decoded(sd types.StreamDict) []byte {
	if err := sd.DecodeWithLimit(maxContentBytes); err != nil {
		return nil
	}
	return sd.Content
}

// inherited looks key up in d and its /Parent chain (page attributes).
func (c *revCompare) inherited(d types.Dict, key string) types.Dict {
	for depth := 0; d != nil && depth < maxDepth; depth++ {
		if v, ok := c.deref(c.old, d[key]).(types.Dict); ok {
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

type inkScan struct {
	c     *revCompare
	x     *model.XRefTable
	boxes []rect
	texts int // text-showing operators met
	// whiteFills counts rectangles filled in white: paper drawn over
	// what is below (a later appearance hiding the signed text).
	whiteFills int
	// darkFills counts paths filled in a dark colour (black, grey, dark
	// blue: the colours of text): digits drawn as outlines instead of
	// text. Their boxes are ink like text. Light and coloured fills
	// (backgrounds, a red seal) are not counted.
	darkFills int
	ops       int
}

// whiteColour: a grey, RGB or CMYK fill colour that is white.
func whiteColour(v []float64) bool {
	switch len(v) {
	case 1, 3:
		return min(v[0], v[len(v)-1], v[len(v)/2]) >= 0.99
	case 4:
		return max(v[0], v[1], v[2], v[3]) <= 0.01
	}
	return false
}

// darkColour: a fill colour given by 1 (grey), 3 (RGB) or 4 (CMYK)
// components that reads as text ink.
func darkColour(v []float64) bool {
	switch len(v) {
	case 1:
		return v[0] <= 0.5
	case 3:
		return max(v[0], v[1], v[2]) <= 0.5
	case 4:
		return v[3] >= 0.5 || min(v[0], v[1], v[2]) >= 0.5
	}
	return false
}

type token struct {
	kind byte // 'n' number, 's' string (n = byte count), 'a' array (n = string bytes), '/' name, 'o' operator
	n    float64
	s    string
}

// run interprets a content stream for text and image placement.
func (s *inkScan) run(b []byte, ctm matrix, res types.Dict, depth int) {
	var stack []token
	type gstate struct {
		ctm         matrix
		white, dark bool
	}
	var gs []gstate
	tm, tlm := identity, identity
	var fs, tl float64 = 1, 0
	white, pendingRect := false, false
	dark := true // the initial fill colour is black
	var path rect
	pathPts := false
	point := func(x, y float64) {
		x, y = ctm.apply(x, y)
		if !pathPts {
			path, pathPts = rect{x, y, x, y}, true
			return
		}
		path = rect{min(path.x0, x), min(path.y0, y), max(path.x1, x), max(path.y1, y)}
	}
	show := func(n float64) {
		if n <= 0 {
			return
		}
		w := n * 0.5 * fs
		r := tm.mul(ctm).box(rect{0, -0.2 * fs, w, 0.8 * fs})
		if r.area() > 0 {
			s.boxes = append(s.boxes, r)
		}
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
			return
		}
		if t.kind != 'o' {
			if len(stack) < 64 {
				stack = append(stack, t)
			}
			continue
		}
		s.ops++
		if s.ops > maxContentOps {
			return
		}
		switch t.s {
		case "q":
			if len(gs) < 256 {
				gs = append(gs, gstate{ctm, white, dark})
			}
		case "Q":
			if len(gs) > 0 {
				g := gs[len(gs)-1]
				ctm, white, dark = g.ctm, g.white, g.dark
				gs = gs[:len(gs)-1]
			}
		case "cm":
			if v, ok := nums(6); ok {
				ctm = matrix{v[0], v[1], v[2], v[3], v[4], v[5]}.mul(ctm)
			}
		case "BT":
			tm, tlm = identity, identity
		case "Tf":
			if v, ok := nums(1); ok {
				fs = v[0]
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
				show(stack[len(stack)-1].n)
			}
		case "'", "\"":
			s.texts++
			td(0, -tl)
			if len(stack) > 0 {
				show(stack[len(stack)-1].n)
			}
		case "g":
			v, ok := nums(1)
			white = ok && v[0] >= 0.99
			dark = ok && darkColour(v)
		case "rg":
			v, ok := nums(3)
			white = ok && v[0] >= 0.99 && v[1] >= 0.99 && v[2] >= 0.99
			dark = ok && darkColour(v)
		case "k":
			v, ok := nums(4)
			white = ok && v[0] <= 0.01 && v[1] <= 0.01 && v[2] <= 0.01 && v[3] <= 0.01
			dark = ok && darkColour(v)
		case "cs":
			// A new fill colour space starts at black, a pattern at none.
			white = false
			dark = !(len(stack) > 0 && stack[len(stack)-1].kind == '/' && stack[len(stack)-1].s == "Pattern")
		case "sc", "scn":
			var v []float64
			for _, e := range stack {
				if e.kind != 'n' {
					v = nil // a pattern
					break
				}
				v = append(v, e.n)
			}
			white = whiteColour(v)
			dark = darkColour(v)
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
			pendingRect = true
			if v, ok := nums(4); ok {
				point(v[0], v[1])
				point(v[0]+v[2], v[1]+v[3])
			}
		case "f", "F", "f*", "B", "B*", "b", "b*":
			if pendingRect && white && t.s[0] != 'b' {
				s.whiteFills++
			}
			if dark && pathPts && path.x1-path.x0 > 0 && path.y1-path.y0 > 0 {
				s.darkFills++
				s.boxes = append(s.boxes, path)
			}
			pendingRect, pathPts = false, false
		case "n", "S", "s", "W", "W*":
			if t.s != "W" && t.s != "W*" {
				pendingRect, pathPts = false, false
			}
		case "Do":
			if len(stack) > 0 && stack[len(stack)-1].kind == '/' {
				s.xobject(stack[len(stack)-1].s, ctm, res, depth)
			}
		}
		stack = stack[:0]
	}
}

func (s *inkScan) xobject(name string, ctm matrix, res types.Dict, depth int) {
	c, x := s.c, s.x
	xo, _ := c.deref(x, res["XObject"]).(types.Dict)
	if xo == nil {
		return
	}
	sd, ok := c.deref(x, xo[name]).(types.StreamDict)
	if !ok {
		return
	}
	switch st := sd.Subtype(); {
	case st != nil && *st == "Image":
		s.boxes = append(s.boxes, ctm.box(rect{0, 0, 1, 1}))
	case st != nil && *st == "Form" && depth < maxFormDepth:
		m := identity
		if a, ok := c.deref(x, sd.Dict["Matrix"]).(types.Array); ok && len(a) == 6 {
			for i := range 6 {
				m[i], _ = num(a[i])
			}
		}
		fres, _ := c.deref(x, sd.Dict["Resources"]).(types.Dict)
		if fres == nil {
			fres = res
		}
		s.run(c.decoded(sd), m.mul(ctm), fres, depth+1)
	}
}

// lexer splits a content stream into operands and operators.
type lexer struct {
	b     []byte
	i     int
	depth int // arrays open
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
			return token{kind: 's', n: float64(l.str())}, true
		case c == '<' && l.i+1 < len(b) && b[l.i+1] == '<':
			l.i += 2
			l.skipDict()
			return token{kind: 'd'}, true
		case c == '<':
			j := bytes.IndexByte(b[l.i:], '>')
			if j < 0 {
				l.i = len(b)
				return token{}, false
			}
			hexDigits := 0
			for _, h := range b[l.i+1 : l.i+j] {
				if !isWhite(h) {
					hexDigits++
				}
			}
			l.i += j + 1
			return token{kind: 's', n: float64(hexDigits / 2)}, true
		case c == '[' && l.depth >= maxArrayDepth:
			// Too deep to recurse into (32 MiB of "[" would be as many
			// frames): skipped whole, an opaque array.
			l.skipArray()
			return token{kind: 'a'}, true
		case c == '[':
			l.i++
			l.depth++
			total := 0.0
			for {
				t, ok := l.next()
				if !ok || (t.kind == 'o' && t.s == "]") {
					break
				}
				if t.kind == 's' {
					total += t.n
				}
			}
			l.depth--
			return token{kind: 'a', n: total}, true
		case c == ']':
			l.i++
			return token{kind: 'o', s: "]"}, true
		case c == '/':
			j := l.i + 1
			for j < len(b) && !isWhite(b[j]) && !isDelim(b[j]) {
				j++
			}
			t := token{kind: '/', s: string(b[l.i+1 : j])}
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
				continue
			}
			return token{kind: 'o', s: string(w)}, true
		}
	}
	return token{}, false
}

// str skips a literal string and returns its byte count (escapes counted once).
func (l *lexer) str() int {
	b := l.b
	l.i++
	depth, n := 1, 0
	for l.i < len(b) {
		c := b[l.i]
		l.i++
		switch c {
		case '\\':
			l.i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return n
			}
		}
		n++
	}
	return n
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
		return
	}
	l.i += j + 2
	for l.i+2 < len(l.b) {
		k := bytes.Index(l.b[l.i:], []byte("EI"))
		if k < 0 {
			l.i = len(l.b)
			return
		}
		p := l.i + k
		if p > 0 && isWhite(l.b[p-1]) && (p+2 == len(l.b) || isWhite(l.b[p+2])) {
			l.i = p + 2
			return
		}
		l.i = p + 2
	}
	l.i = len(l.b)
}

// appearanceWritesText: the widget's normal appearance shows text, fills
// a rectangle in white, or fills paths in a dark colour (digits drawn as
// outlines), directly or in the form XObjects it paints. A stamp image (a
// seal over the company name, as Chinese e-seals sit) or a coloured vector
// seal is not taken for an overlay; text written, or drawn, or white paper
// laid, over the signed content is.
func (c *revCompare) appearanceWritesText(d types.Dict) bool {
	ap, _ := c.deref(c.cur, d["AP"]).(types.Dict)
	if ap == nil {
		return false
	}
	n := c.deref(c.cur, ap["N"])
	if sub, ok := n.(types.Dict); ok {
		if as := d.NameEntry("AS"); as != nil {
			n = c.deref(c.cur, sub[*as])
		}
	}
	sd, ok := n.(types.StreamDict)
	if !ok {
		return false
	}
	res, _ := c.deref(c.cur, sd.Dict["Resources"]).(types.Dict)
	s := &inkScan{c: c, x: c.cur}
	s.run(c.decoded(sd), identity, res, 0)
	return s.texts > 0 || s.whiteFills > 0 || s.darkFills > 0
}
