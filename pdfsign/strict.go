package pdfsign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// One reading of the bytes. What follows a signed revision is read here a
// second time, strictly, the way PDF 32000 writes it: where readers could
// read it otherwise than pdfsign does (a row listed twice in one
// cross-reference section, of which readers take the first; a hybrid
// file whose table and /XRefStm stream disagree; an object stream whose
// header numbers another object; a /Length that does not end where
// "endstream" is; a dictionary with a key twice; an object the relaxed
// parser would only guess at), the file is refused: the signed bytes may
// be shown otherwise than they were checked. The signed revision itself is
// what its signer's readers showed, and is not judged here.

// auditAppended checks the cross-reference sections and objects appended
// after the revision ending at end; "" when they read strictly. doc is the
// lazy read of the whole file (nil when it could not read it: pdfcpu's
// repairing read was used, which is not taken after a signed range).
func auditAppended(ctx context.Context, doc *lazyDoc, data []byte, end int64, cache map[int64]error) string {
	if int64(len(data)) <= end {
		return ""
	}
	if doc == nil || data == nil {
		return "签名后追加的内容无法按规范读取（交叉引用或对象不规范，阅读器可能读出与检查不同的内容）"
	}
	tail := data[max(0, len(data)-1024):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return "签名后追加的内容没有 startxref"
	}
	f := bytes.Fields(tail[i+len("startxref"):])
	if len(f) == 0 {
		return "签名后追加的内容没有 startxref"
	}
	off, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil {
		return "签名后追加的内容的 startxref 无效"
	}
	a := &auditor{ctx: ctx, doc: doc, data: data, end: end, cache: cache}
	seen := map[int64]bool{}
	for off >= end {
		if seen[off] || len(seen) > maxXRefSections {
			return "签名后追加的交叉引用表循环引用"
		}
		seen[off] = true
		prev, err := a.section(off)
		if err != nil {
			return "签名后追加的内容不规范：" + err.Error()
		}
		off = prev
	}
	// (No appended section: the appended bytes are no revision, which
	// the check refuses as such.)
	if nr, at, ok := a.unlisted(); len(seen) > 0 && !ok {
		return fmt.Sprintf("签名后追加的内容中有交叉引用没有列出的对象 %d（位置 %d）：重建交叉引用的阅读器会读到它", nr, at)
	}
	return ""
}

// headerRE finds object headers "nr gen obj" at the start of a line, as
// readers that rebuild a damaged cross-reference find objects.
var headerRE = regexp.MustCompile(`(?:\A|[\r\n])[ \t\f\x00]*([0-9]{1,10})[ \t\r\n\f\x00]+([0-9]{1,5})[ \t\r\n\f\x00]+obj`)

// list records that an appended section lists an object at off.
func (a *auditor) list(off int64) {
	for off < int64(len(a.data)) && isPDFSpace(a.data[off]) {
		off++
	}
	a.listed = append(a.listed, off)
}

// unlisted: every object header in the appended bytes is where an
// appended section lists an object, or inside such an object (stream
// data). An object written after the signed range that no section lists
// is read by nobody, unless a reader rebuilds the cross-reference (some
// do on the least damage) and takes it for the listed one: ok false,
// with its number and place.
func (a *auditor) unlisted() (nr int, at int64, ok bool) {
	slices.Sort(a.listed)
	tail := a.data[a.end:]
	for _, m := range headerRE.FindAllSubmatchIndex(tail, -1) {
		p := a.end + int64(m[2])
		i, found := slices.BinarySearch(a.listed, p)
		if found {
			continue
		}
		if i > 0 {
			if end, err := a.span(a.listed[i-1]); err == nil && p < end {
				continue
			}
		}
		n, _ := strconv.Atoi(string(tail[m[2]:m[3]]))
		return n, p, false
	}
	return 0, 0, true
}

type auditor struct {
	ctx   context.Context
	doc   *lazyDoc
	data  []byte
	end   int64
	cache map[int64]error // objects audited, by offset (shared by the signatures of a file)
	// listed: where the objects the appended sections list begin (after
	// white space), and the cross-reference streams.
	listed []int64
}

// section audits the section at off and gives the /Prev offset (-1 none).
func (a *auditor) section(off int64) (int64, error) {
	if off <= 0 || off >= int64(len(a.data)) {
		return -1, fmt.Errorf("交叉引用表位置 %d 不在文件内", off)
	}
	b := bytes.TrimLeft(a.data[off:], " \t\r\n\f\x00")
	off = int64(len(a.data) - len(b))
	var (
		entries map[int]xrefEntry
		trailer types.Dict
		err     error
	)
	if bytes.HasPrefix(b, []byte("xref")) {
		entries, trailer, err = a.table(off)
		if err != nil {
			return -1, err
		}
		if x, ok := trailer["XRefStm"]; ok {
			xo, ok := x.(types.Integer)
			if !ok {
				return -1, errors.New("/XRefStm 不是数字")
			}
			sec, _, err := a.stream(int64(xo.Value()))
			if err != nil {
				return -1, err
			}
			for nr, se := range sec {
				if te, ok := entries[nr]; ok && !te.free && te != se {
					return -1, fmt.Errorf("交叉引用表与交叉引用流（/XRefStm）对对象 %d 的记录不一致", nr)
				}
			}
			for nr, se := range sec {
				if _, ok := entries[nr]; !ok || entries[nr].free {
					entries[nr] = se
				}
			}
		}
	} else {
		entries, trailer, err = a.stream(off)
		if err != nil {
			return -1, err
		}
	}
	for nr, e := range entries {
		if err := a.ctx.Err(); err != nil {
			return -1, err
		}
		switch {
		case e.free:
		case e.compressed:
			if err := a.compressed(nr, e); err != nil {
				return -1, err
			}
		case e.off >= a.end:
			a.list(e.off)
			err, ok := a.cache[e.off]
			if !ok {
				err = a.object(nr, e.gen, e.off)
				if a.cache != nil {
					a.cache[e.off] = err
				}
			}
			if err != nil {
				return -1, err
			}
		}
	}
	prev := int64(-1)
	if p, ok := trailer["Prev"]; ok {
		pi, ok := p.(types.Integer)
		if !ok {
			return -1, errors.New("/Prev 不是数字")
		}
		prev = int64(pi.Value())
	}
	return prev, nil
}

// table reads a cross-reference table strictly: subsections of 20-byte
// rows, no object listed twice, a trailer dictionary that parses strictly.
func (a *auditor) table(off int64) (map[int]xrefEntry, types.Dict, error) {
	b := a.data[off+int64(len("xref")):]
	b = skipEOL(b)
	sec := map[int]xrefEntry{}
	for {
		b = bytes.TrimLeft(b, " \t\r\n\f\x00")
		if bytes.HasPrefix(b, []byte("trailer")) {
			b = b[len("trailer"):]
			break
		}
		line, rest := nextLine(b)
		f := bytes.Fields(line)
		if len(f) != 2 {
			return nil, nil, errors.New("交叉引用表的小节标题无效")
		}
		first, err1 := strconv.Atoi(string(f[0]))
		count, err2 := strconv.Atoi(string(f[1]))
		if err1 != nil || err2 != nil || first < 0 || count < 0 || count > len(rest)/18+1 {
			return nil, nil, errors.New("交叉引用表的小节标题无效")
		}
		b = rest
		for i := range count {
			// Rows of 20 bytes as PDF 32000 writes them; a row ended
			// otherwise is read as readers do, one line of three fields.
			b = bytes.TrimLeft(b, " \t\r\n\f\x00")
			line, rest := nextLine(b)
			f := bytes.Fields(line)
			if len(f) != 3 || len(f[2]) != 1 || (f[2][0] != 'n' && f[2][0] != 'f') || !isUint(f[0]) || !isUint(f[1]) {
				return nil, nil, fmt.Errorf("交叉引用表第 %d 行格式不规范", first+i)
			}
			o, err1 := strconv.ParseInt(string(f[0]), 10, 64)
			g, err2 := strconv.Atoi(string(f[1]))
			if err1 != nil || err2 != nil {
				return nil, nil, fmt.Errorf("交叉引用表第 %d 行格式不规范", first+i)
			}
			nr := first + i
			if _, dup := sec[nr]; dup {
				return nil, nil, fmt.Errorf("同一交叉引用表中对象 %d 出现两次（阅读器取第一行，检查可能取另一行）", nr)
			}
			if f[2][0] == 'n' {
				sec[nr] = xrefEntry{off: o, gen: g}
			} else {
				sec[nr] = xrefEntry{free: true, gen: g}
			}
			b = rest
		}
	}
	end := bytes.Index(b, []byte("startxref"))
	if end < 0 {
		return nil, nil, errors.New("交叉引用表后没有 startxref")
	}
	body := bytes.TrimSpace(b[:end])
	if err := strictObject(body); err != nil {
		return nil, nil, fmt.Errorf("trailer 字典不规范：%v", err)
	}
	o, err := parseObject(a.ctx, body, 64)
	if err != nil {
		return nil, nil, fmt.Errorf("trailer 字典不规范：%v", err)
	}
	tr, ok := o.(types.Dict)
	if !ok {
		return nil, nil, errors.New("trailer 不是字典")
	}
	return sec, tr, nil
}

func skipEOL(b []byte) []byte {
	if bytes.HasPrefix(b, []byte("\r\n")) {
		return b[2:]
	}
	if len(b) > 0 && (b[0] == '\n' || b[0] == '\r') {
		return b[1:]
	}
	return b
}

// stream reads a cross-reference stream strictly: the object parses
// strictly, its /Index lists no object twice, and no row has a reserved
// type.
func (a *auditor) stream(off int64) (map[int]xrefEntry, types.Dict, error) {
	if off <= 0 || off >= int64(len(a.data)) {
		return nil, nil, fmt.Errorf("交叉引用流位置 %d 不在文件内", off)
	}
	f := bytes.Fields(a.data[off:min(int64(len(a.data)), off+64)])
	if len(f) < 3 {
		return nil, nil, errors.New("交叉引用流无效")
	}
	nr, err1 := strconv.Atoi(string(f[0]))
	gen, err2 := strconv.Atoi(string(f[1]))
	if err1 != nil || err2 != nil {
		return nil, nil, errors.New("交叉引用流无效")
	}
	if off >= a.end {
		a.list(off)
		if err := a.object(nr, gen, off); err != nil {
			return nil, nil, err
		}
	}
	d := a.doc
	sec, tr, reserved, err := d.xrefStreamRows(a.ctx, off, d.pc.Limits.MaxXRefEntries)
	if err != nil {
		return nil, nil, errors.New("交叉引用流无法读取")
	}
	if reserved > 0 {
		// PDF makes them null references; readers differ (some rebuild
		// the cross-reference from the objects they find, and take
		// objects no section lists).
		return nil, nil, errors.New("交叉引用流含有保留类型的行（阅读器读法不一，可能重建交叉引用）")
	}
	// Rows listed twice (overlapping /Index subsections).
	if ia, ok := tr["Index"].(types.Array); ok {
		seen := map[int]bool{}
		total := 0
		for k := 0; k+1 < len(ia); k += 2 {
			first, _ := ia[k].(types.Integer)
			count, _ := ia[k+1].(types.Integer)
			total += count.Value()
			if total > d.pc.Limits.MaxXRefEntries {
				return nil, nil, errors.New("交叉引用流过大")
			}
			for i := range count.Value() {
				if seen[first.Value()+i] {
					return nil, nil, fmt.Errorf("同一交叉引用流中对象 %d 出现两次", first.Value()+i)
				}
				seen[first.Value()+i] = true
			}
		}
	}
	return sec, tr, nil
}

// compressed: object nr in object stream e.stm is the one the stream's
// header numbers at its index.
func (a *auditor) compressed(nr int, e xrefEntry) error {
	os, err := a.doc.objStream(a.ctx, e.stm)
	if err != nil {
		return fmt.Errorf("对象流 %d 无法读取", e.stm)
	}
	if e.idx < 0 || e.idx >= len(os.nums) || os.nums[e.idx] != nr {
		return fmt.Errorf("对象流 %d 的目录在第 %d 位记的不是对象 %d", e.stm, e.idx, nr)
	}
	start := os.starts[e.idx]
	stop := len(os.content)
	if e.idx+1 < len(os.starts) {
		stop = os.starts[e.idx+1]
	}
	if start > stop {
		return fmt.Errorf("对象流 %d 的目录次序错乱", e.stm)
	}
	if err := strictObject(bytes.TrimSpace(os.content[start:stop])); err != nil {
		return fmt.Errorf("对象流 %d 中的对象 %d 不规范：%v", e.stm, nr, err)
	}
	return nil
}

// object: the bytes at off are "nr gen obj", an object that parses
// strictly, and "endobj"; a stream's data is /Length bytes ending at
// "endstream".
func (a *auditor) object(nr, gen int, off int64) error {
	_, err := a.objectSpan(nr, gen, off)
	return err
}

// span gives where the listed object beginning at off ends (after
// endobj).
func (a *auditor) span(off int64) (int64, error) {
	n, b, ok1 := leadingInt(a.data[off:])
	g, _, ok2 := leadingInt(b)
	if !ok1 || !ok2 {
		return 0, errors.New("不是对象")
	}
	return a.objectSpan(n, g, off)
}

// objectSpan is object, also giving where the object ends.
func (a *auditor) objectSpan(nr, gen int, off int64) (int64, error) {
	data := a.data
	b := data[off:]
	n, b, ok1 := leadingInt(b)
	g, b, ok2 := leadingInt(b)
	b = bytes.TrimLeft(b, " \t\r\n\f\x00")
	if !ok1 || !ok2 || n != nr || g != gen || !bytes.HasPrefix(b, []byte("obj")) {
		return 0, fmt.Errorf("交叉引用指向的位置 %d 上不是对象 %d %d", off, nr, gen)
	}
	b = b[len("obj"):]
	bodyStart := int64(len(data) - len(b))
	p := &strictParser{b: data[:a.doc.nextObject(off)], i: int(bodyStart)}
	if err := p.value(0); err != nil {
		return 0, fmt.Errorf("对象 %d 不规范：%v", nr, err)
	}
	bodyEnd := p.i
	p.space()
	rest := p.b[p.i:]
	switch {
	case bytes.HasPrefix(rest, []byte("endobj")):
		return int64(p.i) + int64(len("endobj")), nil
	case bytes.HasPrefix(rest, []byte("stream")):
	default:
		return 0, fmt.Errorf("对象 %d 的内容之后不是 endobj", nr)
	}
	o, err := parseObject(a.ctx, data[bodyStart:bodyEnd], 64)
	if err != nil {
		return 0, fmt.Errorf("对象 %d 不规范：%v", nr, err)
	}
	d, ok := o.(types.Dict)
	if !ok {
		return 0, fmt.Errorf("对象 %d：数据流前不是字典", nr)
	}
	s := int64(p.i) + int64(len("stream"))
	switch {
	case bytes.HasPrefix(data[s:], []byte("\r\n")):
		s += 2
	case bytes.HasPrefix(data[s:], []byte("\n")):
		s++
	default:
		return 0, fmt.Errorf("对象 %d：stream 之后没有换行", nr)
	}
	var length int64 = -1
	switch l := d["Length"].(type) {
	case types.Integer:
		length = int64(l.Value())
	case types.IndirectRef:
		if v, err := a.doc.pc.Dereference(l); err == nil {
			if li, ok := v.(types.Integer); ok {
				length = int64(li.Value())
			}
		}
	}
	if length < 0 || s+length > int64(len(data)) {
		return 0, fmt.Errorf("对象 %d 的 /Length 无效", nr)
	}
	t := data[s+length:]
	t = bytes.TrimLeft(t, " \t\r\n\f\x00")
	if !bytes.HasPrefix(t, []byte("endstream")) {
		return 0, fmt.Errorf("对象 %d 的 /Length 与 endstream 的位置不符", nr)
	}
	t = bytes.TrimLeft(t[len("endstream"):], " \t\r\n\f\x00")
	if !bytes.HasPrefix(t, []byte("endobj")) {
		return 0, fmt.Errorf("对象 %d 的 endstream 之后不是 endobj", nr)
	}
	return int64(len(data)-len(t)) + int64(len("endobj")), nil
}

// strictObject: b is exactly one object that parses strictly.
func strictObject(b []byte) error {
	p := &strictParser{b: b}
	if err := p.value(0); err != nil {
		return err
	}
	p.space()
	if p.i != len(b) {
		return errors.New("对象之后有多余内容")
	}
	return nil
}

// strictParser validates PDF objects as PDF 32000-1 section 7.3 writes
// them: no junk, names with valid #xx escapes, dictionaries without a key
// twice (after decoding), balanced strings, hex strings of hex digits.
type strictParser struct {
	b []byte
	i int
}

func (p *strictParser) space() {
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case isPDFSpace(c):
			p.i++
		case c == '%':
			for p.i < len(p.b) && p.b[p.i] != '\n' && p.b[p.i] != '\r' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *strictParser) regular() []byte {
	j := p.i
	for j < len(p.b) && !isPDFSpace(p.b[j]) && !isPDFDelim(p.b[j]) {
		j++
	}
	w := p.b[p.i:j]
	p.i = j
	return w
}

var errStrict = errors.New("语法不规范")

func (p *strictParser) value(depth int) error {
	if depth > 64 {
		return errors.New("嵌套过深")
	}
	p.space()
	if p.i >= len(p.b) {
		return errors.New("对象不完整")
	}
	switch c := p.b[p.i]; {
	case c == '/':
		_, err := p.name()
		return err
	case c == '(':
		return p.str()
	case c == '<' && p.i+1 < len(p.b) && p.b[p.i+1] == '<':
		return p.dict(depth)
	case c == '<':
		p.i++
		for p.i < len(p.b) && p.b[p.i] != '>' {
			h := p.b[p.i]
			if !isPDFSpace(h) && !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
				return errors.New("十六进制字符串含有非十六进制字符")
			}
			p.i++
		}
		if p.i >= len(p.b) {
			return errors.New("十六进制字符串没有结束")
		}
		p.i++
		return nil
	case c == '[':
		p.i++
		for {
			p.space()
			if p.i >= len(p.b) {
				return errors.New("数组没有结束")
			}
			if p.b[p.i] == ']' {
				p.i++
				return nil
			}
			if err := p.value(depth + 1); err != nil {
				return err
			}
		}
	default:
		w := p.regular()
		switch string(w) {
		case "true", "false", "null":
			return nil
		}
		if !numeric(w) {
			return errStrict
		}
		// "n g R"?
		save := p.i
		if isUint(w) {
			p.space()
			g := p.regular()
			if isUint(g) {
				p.space()
				if p.i < len(p.b) && p.b[p.i] == 'R' && (p.i+1 == len(p.b) || isPDFSpace(p.b[p.i+1]) || isPDFDelim(p.b[p.i+1])) {
					p.i++
					return nil
				}
			}
		}
		p.i = save
		return nil
	}
}

// isUint: digits only, no sign.
func isUint(w []byte) bool {
	return len(w) > 0 && w[0] != '+' && w[0] != '-' && digits(w)
}

func (p *strictParser) name() (string, error) {
	p.i++
	w := p.regular()
	if bytes.IndexByte(w, '#') < 0 {
		return string(w), nil
	}
	out := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		if w[i] != '#' {
			out = append(out, w[i])
			continue
		}
		if i+2 >= len(w) {
			return "", errors.New("名字中的 # 转义不完整")
		}
		v, err := strconv.ParseUint(string(w[i+1:i+3]), 16, 8)
		if err != nil || v == 0 {
			return "", errors.New("名字中的 # 转义无效")
		}
		out = append(out, byte(v))
		i += 2
	}
	return string(out), nil
}

func (p *strictParser) str() error {
	p.i++
	depth := 1
	for p.i < len(p.b) {
		c := p.b[p.i]
		p.i++
		switch c {
		case '\\':
			p.i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return nil
			}
		}
	}
	return errors.New("字符串没有结束")
}

func (p *strictParser) dict(depth int) error {
	p.i += 2
	keys := map[string]bool{}
	for {
		p.space()
		if p.i+1 < len(p.b) && p.b[p.i] == '>' && p.b[p.i+1] == '>' {
			p.i += 2
			return nil
		}
		if p.i >= len(p.b) || p.b[p.i] != '/' {
			return errors.New("字典的键不是名字")
		}
		k, err := p.name()
		if err != nil {
			return err
		}
		if keys[k] {
			return fmt.Errorf("字典中键 /%s 出现两次", k)
		}
		keys[k] = true
		if err := p.value(depth + 1); err != nil {
			return err
		}
	}
}
