package pdfsign

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// The lazy read: pdfcpu's ReadWithContext parses and loads every object of
// a file (and its validation then walks them all); the check needs a few:
// the trailer, the catalog, the form and signature objects, what changed
// between revisions, the pages those changes touch, the DSS. This reader
// reads the cross-reference sections itself (tables, streams, hybrid files,
// the /Prev chain) into a pdfcpu model whose entries hold objects that are
// parsed by pdfcpu only when something dereferences them. Whatever it does
// not understand (no header at offset 0, an entry that does not point at
// its object, encryption, a broken chain) makes it give up: the caller
// then reads the file with pdfcpu's full read, which repairs.
//
// The references between objects (for the difference analysis' "what is
// reachable from the catalog") are found by a token scan of each object's
// bytes up to its stream data, cached per object source, so unchanged
// objects shared by all revisions are scanned once and never parsed.

// errLazyFallback: the lazy read cannot read this file; use pdfcpu's.
var errLazyFallback = errors.New("lazy read: not understood")

// Limits of the lazy read (the decoded-size limits are pdfcpu's, from
// the configuration: newConf).
const (
	maxXRefSections = 10_000
	maxObjStmCache  = 64 << 20 // decoded object streams kept at once
)

// lazySrc is where an object's bytes are: at off in the file, or at index
// idx of the object stream stm.
type lazySrc struct {
	off        int64
	gen        int
	stm, idx   int
	compressed bool
}

// srcKey identifies an object's bytes across revisions: an offset in the
// file, or (object stream offset, index, which decode of it).
type srcKey struct {
	off int64
	idx int    // -1: uncompressed
	lim int64  // where the scan of an uncompressed object stops
	stm uint64 // the objStm's id for a compressed object
}

// refInfo is what a token scan finds in an object's bytes: its
// references, and where its body (after "n g obj") starts and ends (the
// keyword "stream" or "endobj" that ends it: kw 's' or 'e'; 0 when none).
type refInfo struct {
	refs      []int
	body, end int
	kw        byte
}

// lazyShared is what the revisions of one file share: its bytes and the
// caches keyed by byte position.
type lazyShared struct {
	data     []byte
	refs     map[srcKey]refInfo
	objStms  map[int64][]*objStm // by offset: decodes valid for different revisions
	stmSize  int64
	stmIDs   uint64
	sections map[int64]xrefSec // cross-reference sections by offset
}

type xrefSec struct {
	entries map[int]xrefEntry
	trailer types.Dict
}

func newLazyShared(data []byte) *lazyShared {
	return &lazyShared{data: data, refs: map[srcKey]refInfo{}, objStms: map[int64][]*objStm{},
		sections: map[int64]xrefSec{}}
}

type objStm struct {
	content []byte
	starts  []int // start of each object in content
	nums    []int // the object number the header gives each (-1: not a number)
	err     error // it could not be decoded (kept: not tried again)
	// The decode holds for the revisions ending in [from, to): those
	// that give the stream the same data (its /Length within them, or
	// else the same first "endstream"). A stream read past the end of
	// one revision is another stream in a later one.
	from, to int64
	id       uint64
}

// lazyDoc is one revision (the file cut at end) read lazily.
type lazyDoc struct {
	ctx  context.Context
	pc   *model.Context
	sh   *lazyShared
	end  int64
	srcs map[int]lazySrc
	osd  *types.ObjectStreamDict // the empty stand-in pdfcpu's lazy objects need

	holders map[int]bool // byteRangeHolders, once found
	offs    []int64      // offsets of the uncompressed objects, sorted
}

// nextObject gives the offset of the next object after off (or the end):
// an object's bytes end before it, so a scan of hostile bytes (an
// unbalanced string) stops there and the scans stay linear in the file.
func (d *lazyDoc) nextObject(off int64) int64 {
	if d.offs == nil {
		d.offs = make([]int64, 0, len(d.srcs))
		for _, s := range d.srcs {
			if !s.compressed {
				d.offs = append(d.offs, s.off)
			}
		}
		slices.Sort(d.offs)
	}
	i, _ := slices.BinarySearch(d.offs, off+1)
	if i < len(d.offs) {
		return d.offs[i]
	}
	return d.end
}

// readLazy reads the revision of sh.data ending at end.
func readLazy(ctx context.Context, sh *lazyShared, end int64, conf *model.Configuration) (doc *lazyDoc, err error) {
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, fmt.Errorf("%w: panic %v", errLazyFallback, p)
		}
	}()
	if end <= 0 || end > int64(len(sh.data)) {
		return nil, errLazyFallback
	}
	data := sh.data[:end]
	if !bytes.HasPrefix(data, markPDF) || len(data) < 8 {
		return nil, errLazyFallback
	}
	hv, err := model.PDFVersion(string(data[5:8]))
	if err != nil {
		return nil, errLazyFallback
	}
	tail := data[max(0, len(data)-1024):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return nil, errLazyFallback
	}
	f := bytes.Fields(tail[i+len("startxref"):])
	if len(f) == 0 {
		return nil, errLazyFallback
	}
	start, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil {
		return nil, errLazyFallback
	}

	pc, err := model.NewContext(bytes.NewReader(data), conf)
	if err != nil {
		return nil, errLazyFallback
	}
	pc.HeaderVersion = &hv
	doc = &lazyDoc{ctx: ctx, pc: pc, sh: sh, end: end, srcs: map[int]lazySrc{},
		osd: &types.ObjectStreamDict{StreamDict: types.StreamDict{Content: []byte{}}}}

	var (
		trailer types.Dict
		secs    []map[int]xrefEntry // newest first
		total   int
	)
	seen := map[int64]bool{}
	for off := start; off >= 0; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if seen[off] || len(seen) >= maxXRefSections || off >= end {
			return nil, errLazyFallback
		}
		seen[off] = true
		// A section lies before the end of its revision: the revisions
		// of a file share it.
		cs, ok := sh.sections[off]
		if !ok {
			sec, tr, err := doc.xrefSection(ctx, off, conf.Limits.MaxXRefEntries-total)
			if err != nil {
				return nil, err
			}
			cs = xrefSec{sec, tr}
			sh.sections[off] = cs
		}
		if trailer == nil {
			trailer = cs.trailer
		}
		secs = append(secs, cs.entries)
		total += len(cs.entries)
		if total > conf.Limits.MaxXRefEntries {
			return nil, errLazyFallback
		}
		off = -1
		if p, ok := cs.trailer["Prev"].(types.Integer); ok {
			off = int64(p.Value())
		} else if _, ok := cs.trailer["Prev"]; ok {
			return nil, errLazyFallback
		}
	}
	// The newest entry of each object counts.
	var entries map[int]xrefEntry
	if len(secs) == 1 {
		entries = secs[0]
	} else {
		entries = make(map[int]xrefEntry, total)
		for _, sec := range secs {
			for nr, e := range sec {
				if _, ok := entries[nr]; !ok {
					entries[nr] = e
				}
			}
		}
	}
	if trailer == nil {
		return nil, errLazyFallback
	}
	if _, ok := trailer["Encrypt"]; ok {
		return nil, errLazyFallback // pdfcpu's read decrypts
	}
	root, ok := trailer["Root"].(types.IndirectRef)
	if !ok {
		return nil, errLazyFallback
	}
	pc.Root = &root
	if info, ok := trailer["Info"].(types.IndirectRef); ok {
		pc.Info = &info
	}
	if id, ok := trailer["ID"].(types.Array); ok {
		pc.ID = id
	}

	maxNr := 0
	pc.Table = make(map[int]*model.XRefTableEntry, len(entries)+1)
	doc.srcs = make(map[int]lazySrc, len(entries))
	slab := make([]model.XRefTableEntry, len(entries)) // one allocation for all entries
	offs := make([]int64, len(entries))
	gens := make([]int, len(entries))
	k := 0
	for nr, e := range entries {
		te, off, gen := &slab[k], &offs[k], &gens[k]
		k++
		maxNr = max(maxNr, nr)
		switch {
		case e.free:
			// Left out of the table: a free object and a missing one
			// are the same to every reader of the model.
		case e.compressed:
			se, ok := entries[e.stm]
			if !ok || se.free || se.compressed {
				return nil, errLazyFallback
			}
			stm, idx := e.stm, e.idx
			// Not marked Compressed: pdfcpu would look for the object
			// stream among those it decoded itself.
			*te = model.XRefTableEntry{ObjectStream: &stm, ObjectStreamInd: &idx, Generation: gen}
			pc.Table[nr] = te
			s := lazySrc{stm: stm, idx: idx, compressed: true}
			doc.srcs[nr] = s
			te.Object = doc.lazyObject(nr, s)
		default:
			if !objectAt(data, e.off, nr, e.gen) {
				return nil, errLazyFallback
			}
			*off, *gen = e.off, e.gen
			*te = model.XRefTableEntry{Offset: off, Generation: gen}
			pc.Table[nr] = te
			s := lazySrc{off: e.off, gen: e.gen}
			doc.srcs[nr] = s
			te.Object = doc.lazyObject(nr, s)
		}
	}
	if _, ok := pc.Table[0]; !ok {
		gen, zero := types.FreeHeadGeneration, int64(0)
		pc.Table[0] = &model.XRefTableEntry{Free: true, Offset: &zero, Generation: &gen}
	}
	pc.MaxObjNr = maxNr
	size := maxNr + 1
	pc.Size = &size

	if e := pc.Table[root.ObjectNumber.Value()]; e == nil || e.Free {
		return nil, errLazyFallback
	}
	if rv, err := pc.ParseRootVersion(); err == nil && rv != nil && hv >= model.V14 {
		if v, err := model.PDFVersion(*rv); err == nil {
			pc.RootVersion = &v
		} else if v, err := model.PDFVersionRelaxed(*rv); err == nil {
			pc.RootVersion = &v
		}
	}
	if pc.RootDict == nil {
		return nil, errLazyFallback // the catalog does not parse as a dictionary
	}
	return doc, nil
}

type xrefEntry struct {
	free       bool
	off        int64
	gen        int
	compressed bool
	stm, idx   int
}

// objectAt: the bytes at off begin with "nr gen obj" (after white space).
func objectAt(data []byte, off int64, nr, gen int) bool {
	if off <= 0 || off >= int64(len(data)) {
		return false
	}
	b := data[off:min(int64(len(data)), off+64)]
	n, b, ok1 := leadingInt(b)
	g, b, ok2 := leadingInt(b)
	for len(b) > 0 && isPDFSpace(b[0]) {
		b = b[1:]
	}
	return ok1 && ok2 && n == nr && g == gen && bytes.HasPrefix(b, []byte("obj"))
}

// leadingInt reads a non-negative integer after white space.
func leadingInt(b []byte) (int, []byte, bool) {
	for len(b) > 0 && isPDFSpace(b[0]) {
		b = b[1:]
	}
	v, i := 0, 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if v > 1<<40 {
			return 0, b, false
		}
		v = v*10 + int(b[i]-'0')
	}
	return v, b[i:], i > 0
}

// xrefSection reads the cross-reference section at off: a table with its
// trailer (and the stream a hybrid file's /XRefStm names), or a stream.
// A section of more than budget entries is not read (errLazyFallback): a
// stream's count is bounded only by its decoded size, 32 MiB of one-byte
// rows.
func (d *lazyDoc) xrefSection(ctx context.Context, off int64, budget int) (map[int]xrefEntry, types.Dict, error) {
	data := d.sh.data[:d.end]
	b := bytes.TrimLeft(data[off:], " \t\r\n\f\x00")
	if bytes.HasPrefix(b, []byte("xref")) {
		sec, tr, err := parseXRefTable(b[len("xref"):], budget)
		if err != nil {
			return nil, nil, err
		}
		if x, ok := tr["XRefStm"]; ok {
			xo, ok := x.(types.Integer)
			if !ok || int64(xo.Value()) <= 0 || int64(xo.Value()) >= d.end {
				return nil, nil, errLazyFallback
			}
			ssec, _, err := d.xrefStream(ctx, int64(xo.Value()), budget-len(sec))
			if err != nil {
				return nil, nil, err
			}
			// A hybrid file: objects the table lists as free (or not at
			// all) are found in the stream.
			for nr, e := range ssec {
				if te, ok := sec[nr]; !ok || te.free {
					sec[nr] = e
				}
			}
		}
		return sec, tr, nil
	}
	return d.xrefStream(ctx, off, budget)
}

// parseXRefTable reads subsections "first count" of 20-byte entries and
// the trailer dictionary after them; more than budget entries in all is
// errLazyFallback.
func parseXRefTable(b []byte, budget int) (map[int]xrefEntry, types.Dict, error) {
	sec := map[int]xrefEntry{}
	rows := 0
	for {
		b = bytes.TrimLeft(b, " \t\r\n\f\x00")
		if bytes.HasPrefix(b, []byte("trailer")) {
			b = b[len("trailer"):]
			break
		}
		line, rest := nextLine(b)
		f := bytes.Fields(line)
		if len(f) != 2 {
			return nil, nil, errLazyFallback
		}
		first, err1 := strconv.Atoi(string(f[0]))
		count, err2 := strconv.Atoi(string(f[1]))
		if err1 != nil || err2 != nil || first < 0 || count < 0 || count > len(rest)/18+1 {
			return nil, nil, errLazyFallback
		}
		if rows += count; rows > budget {
			return nil, nil, errLazyFallback
		}
		b = rest
		if len(sec) == 0 {
			sec = make(map[int]xrefEntry, count)
		}
		for i := 0; i < count; i++ {
			b = bytes.TrimLeft(b, " \t\r\n\f\x00")
			if len(b) >= 18 && b[10] == ' ' && b[16] == ' ' && (b[17] == 'n' || b[17] == 'f') {
				// The usual form: 10-digit offset, 5-digit generation.
				o, r1, ok1 := leadingInt(b[:10])
				g, r2, ok2 := leadingInt(b[11:16])
				if ok1 && ok2 && len(r1) == 0 && len(r2) == 0 {
					if b[17] == 'n' {
						sec[first+i] = xrefEntry{off: int64(o), gen: g}
					} else {
						sec[first+i] = xrefEntry{free: true, gen: g}
					}
					b = b[18:]
					continue
				}
			}
			line, rest := nextLine(b)
			f := bytes.Fields(line)
			if len(f) < 3 || len(f[2]) != 1 {
				return nil, nil, errLazyFallback
			}
			o, err1 := strconv.ParseInt(string(f[0]), 10, 64)
			g, err2 := strconv.Atoi(string(f[1]))
			if err1 != nil || err2 != nil {
				return nil, nil, errLazyFallback
			}
			switch f[2][0] {
			case 'n':
				sec[first+i] = xrefEntry{off: o, gen: g}
			case 'f':
				sec[first+i] = xrefEntry{free: true, gen: g}
			default:
				return nil, nil, errLazyFallback
			}
			b = rest
		}
	}
	end := bytes.Index(b, []byte("startxref"))
	if end < 0 {
		return nil, nil, errLazyFallback
	}
	s := string(b[:end])
	o, err := model.ParseObjectContext(context.Background(), &s, 0)
	if err != nil {
		return nil, nil, errLazyFallback
	}
	tr, ok := o.(types.Dict)
	if !ok {
		return nil, nil, errLazyFallback
	}
	return sec, tr, nil
}

func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexAny(b, "\r\n")
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i+1:]
}

// xrefStream reads the cross-reference stream object at off; more than
// budget entries in all is errLazyFallback.
func (d *lazyDoc) xrefStream(ctx context.Context, off int64, budget int) (map[int]xrefEntry, types.Dict, error) {
	sec, tr, _, err := d.xrefStreamRows(ctx, off, budget)
	return sec, tr, err
}

// xrefStreamRows is xrefStream, also counting the rows of a reserved
// type (neither 0, 1 nor 2), which it leaves out.
func (d *lazyDoc) xrefStreamRows(ctx context.Context, off int64, budget int) (map[int]xrefEntry, types.Dict, int, error) {
	data := d.sh.data[:d.end]
	f := bytes.Fields(data[off:min(int64(len(data)), off+64)])
	if len(f) < 3 {
		return nil, nil, 0, errLazyFallback
	}
	nr, err1 := strconv.Atoi(string(f[0]))
	gen, err2 := strconv.Atoi(string(f[1]))
	if err1 != nil || err2 != nil {
		return nil, nil, 0, errLazyFallback
	}
	o, err := pdfcpu.ParseObjectWithContext(ctx, d.pc, off, nr, gen)
	if err != nil {
		return nil, nil, 0, errLazyFallback
	}
	sd, ok := o.(types.StreamDict)
	if !ok || !isType(sd.Dict, "XRef") {
		return nil, nil, 0, errLazyFallback
	}
	if err := d.loadRaw(&sd); err != nil {
		return nil, nil, 0, errLazyFallback
	}
	if err := sd.DecodeWithLimit(d.pc.Limits.MaxDecodeBytes); err != nil {
		return nil, nil, 0, errLazyFallback
	}
	w, ok := sd.Dict["W"].(types.Array)
	if !ok || len(w) != 3 {
		return nil, nil, 0, errLazyFallback
	}
	var ws [3]int
	for i := range ws {
		v, ok := w[i].(types.Integer)
		if !ok || v.Value() < 0 || v.Value() > 8 {
			return nil, nil, 0, errLazyFallback
		}
		ws[i] = v.Value()
	}
	size, ok := sd.Dict["Size"].(types.Integer)
	if !ok {
		return nil, nil, 0, errLazyFallback
	}
	index := []int{0, size.Value()}
	if ia, ok := sd.Dict["Index"].(types.Array); ok {
		index = index[:0]
		for _, v := range ia {
			iv, ok := v.(types.Integer)
			if !ok || iv.Value() < 0 {
				return nil, nil, 0, errLazyFallback
			}
			index = append(index, iv.Value())
		}
		if len(index)%2 != 0 {
			return nil, nil, 0, errLazyFallback
		}
	}
	rowLen := ws[0] + ws[1] + ws[2]
	if rowLen == 0 {
		return nil, nil, 0, errLazyFallback
	}
	buf := sd.Content
	field := func(row []byte, from, n int, def int64) int64 {
		if n == 0 {
			return def
		}
		var v int64
		for _, c := range row[from : from+n] {
			v = v<<8 | int64(c)
		}
		return v
	}
	sec := map[int]xrefEntry{}
	pos, reserved := 0, 0
	for k := 0; k < len(index); k += 2 {
		first, count := index[k], index[k+1]
		if count > (len(buf)-pos)/rowLen || count > budget-pos/rowLen {
			return nil, nil, 0, errLazyFallback
		}
		for i := 0; i < count; i++ {
			row := buf[pos : pos+rowLen]
			pos += rowLen
			t := field(row, 0, ws[0], 1)
			c2 := field(row, ws[0], ws[1], 0)
			c3 := field(row, ws[0]+ws[1], ws[2], 0)
			switch t {
			case 0:
				sec[first+i] = xrefEntry{free: true, gen: int(c3)}
			case 1:
				sec[first+i] = xrefEntry{off: c2, gen: int(c3)}
			case 2:
				if c2 <= 0 || c2 > 1<<31 || c3 < 0 || c3 > 1<<31 {
					return nil, nil, 0, errLazyFallback
				}
				sec[first+i] = xrefEntry{compressed: true, stm: int(c2), idx: int(c3)}
			default:
				// Reserved types are null references (7.5.8.3).
				reserved++
			}
		}
	}
	return sec, sd.Dict, reserved, nil
}

// lazyObject is the stand-in for object nr in the model: pdfcpu's
// Dereference decodes lazy object-stream objects through their function,
// which parses the object here on first use.
func (d *lazyDoc) lazyObject(nr int, s lazySrc) types.Object {
	return types.NewLazyObjectStreamObject(d.osd, 0, 0, func(context.Context, string) (types.Object, error) {
		// pdfcpu passes context.TODO(): the check's context is used.
		return d.load(d.ctx, nr, s)
	})
}

// isLazy: entry e still holds its unparsed stand-in.
func isLazy(e *model.XRefTableEntry) bool {
	_, ok := e.Object.(types.LazyObjectStreamObject)
	return ok
}

func (d *lazyDoc) load(c context.Context, nr int, s lazySrc) (types.Object, error) {
	if s.compressed {
		b, err := d.compressedBytes(c, s)
		if err != nil {
			return nil, err
		}
		o, err := parseObject(c, b, d.pc.Limits.MaxRecursionDepth)
		if err != nil {
			return nil, err
		}
		if _, ok := o.(types.Dict); ok {
			if _, ok := o.(types.Dict).Find("Length"); ok {
				// A stream cannot be inside an object stream; as pdfcpu.
				return nil, fmt.Errorf("object %d: a stream inside an object stream", nr)
			}
		}
		return o, nil
	}
	if ri, ok := d.refsOf(c, nr); ok && ri.kw == 'e' {
		// Not a stream: parsed from its bytes in memory (pdfcpu's
		// object reader would read them again through a buffer).
		body := bytes.TrimSpace(d.sh.data[s.off+int64(ri.body) : s.off+int64(ri.end)])
		if len(body) == 0 {
			return nil, nil // the null object
		}
		return parseObject(c, body, d.pc.Limits.MaxRecursionDepth)
	}
	o, err := pdfcpu.ParseObjectWithContext(c, d.pc, s.off, nr, s.gen)
	if err != nil {
		return nil, err
	}
	if sd, ok := o.(types.StreamDict); ok {
		if err := d.loadRaw(&sd); err != nil {
			return nil, err
		}
		return sd, nil
	}
	return o, nil
}

// loadRaw points sd.Raw at its encoded bytes in the file (no copy): the
// /Length bytes after "stream", or up to "endstream" when the length is
// missing or out of the file.
func (d *lazyDoc) loadRaw(sd *types.StreamDict) error {
	data := d.sh.data[:d.end]
	off := sd.StreamOffset
	if off <= 0 || off > int64(len(data)) {
		return fmt.Errorf("stream offset %d outside the file", off)
	}
	limit := d.pc.Limits.MaxStreamBytes
	if l := sd.StreamLength; l != nil && *l >= 0 && off+*l <= int64(len(data)) {
		if *l > limit {
			return fmt.Errorf("stream of %d bytes over the limit", *l)
		}
		sd.Raw = data[off : off+*l : off+*l]
		return nil
	}
	window := data[off:min(int64(len(data)), off+limit+16)]
	i := bytes.Index(window, []byte("endstream"))
	if i < 0 {
		return errors.New("stream without endstream")
	}
	raw := window[:i]
	if bytes.HasSuffix(raw, []byte("\r\n")) {
		raw = raw[:len(raw)-2]
	} else if bytes.HasSuffix(raw, []byte("\n")) || bytes.HasSuffix(raw, []byte("\r")) {
		raw = raw[:len(raw)-1]
	}
	l := int64(len(raw))
	sd.Raw = raw[:l:l]
	sd.StreamLength = &l
	return nil
}

// compressedBytes gives the bytes of object s.idx of object stream s.stm.
func (d *lazyDoc) compressedBytes(c context.Context, s lazySrc) ([]byte, error) {
	os, err := d.objStream(c, s.stm)
	if err != nil {
		return nil, err
	}
	if s.idx < 0 || s.idx >= len(os.starts) {
		return nil, fmt.Errorf("object stream %d has no object %d", s.stm, s.idx)
	}
	end := len(os.content)
	if s.idx+1 < len(os.starts) {
		end = os.starts[s.idx+1]
	}
	start := os.starts[s.idx]
	if start > end {
		return nil, fmt.Errorf("object stream %d: object %d out of order", s.stm, s.idx)
	}
	return os.content[start:end], nil
}

// objStream decodes object stream nr (cached by its offset: the revisions
// of a file share it).
func (d *lazyDoc) objStream(c context.Context, nr int) (*objStm, error) {
	src, ok := d.srcs[nr]
	if !ok || src.compressed {
		return nil, fmt.Errorf("object stream %d missing", nr)
	}
	for _, os := range d.sh.objStms[src.off] {
		if os.from <= d.end && d.end < os.to {
			return os, os.err
		}
	}
	os, from, to, err := d.decodeObjStream(c, nr, src)
	if err != nil {
		if c.Err() != nil {
			return nil, err
		}
		os = &objStm{err: err}
	}
	os.from, os.to = from, to
	d.sh.stmIDs++
	os.id = d.sh.stmIDs
	d.sh.stmSize += int64(len(os.content))
	if d.sh.stmSize > maxObjStmCache {
		d.sh.objStms = map[int64][]*objStm{}
		d.sh.stmSize = int64(len(os.content))
	}
	d.sh.objStms[src.off] = append(d.sh.objStms[src.off], os)
	return os, os.err
}

// decodeObjStream decodes object stream nr; the decode holds for the
// revisions ending in [from, to) (only this one when its data was not
// found).
func (d *lazyDoc) decodeObjStream(c context.Context, nr int, src lazySrc) (os *objStm, from, to int64, err error) {
	from, to = d.end, d.end+1
	os, err = d.decodeObjStreamIn(c, nr, src, &from, &to)
	return os, from, to, err
}

func (d *lazyDoc) decodeObjStreamIn(c context.Context, nr int, src lazySrc, from, to *int64) (*objStm, error) {
	o, err := pdfcpu.ParseObjectWithContext(c, d.pc, src.off, nr, src.gen)
	if err != nil {
		return nil, err
	}
	sd, ok := o.(types.StreamDict)
	if !ok || !isType(sd.Dict, "ObjStm") {
		return nil, fmt.Errorf("object %d is not an object stream", nr)
	}
	n, ok1 := sd.Dict["N"].(types.Integer)
	first, ok2 := sd.Dict["First"].(types.Integer)
	lim := d.pc.Limits
	if !ok1 || !ok2 || n.Value() < 0 || first.Value() < 0 ||
		n.Value() > lim.MaxObjectStreamCount || int64(first.Value()) > lim.MaxObjectStreamFirst {
		return nil, fmt.Errorf("object stream %d: bad /N or /First", nr)
	}
	l0 := int64(-1)
	if sd.StreamLength != nil {
		l0 = *sd.StreamLength
	}
	if err := d.loadRaw(&sd); err != nil {
		return nil, err
	}
	// What the data depends on (loadRaw): the /Length bytes when they lie
	// within the revision, else the bytes to the first "endstream" (and
	// then a later revision that holds the /Length bytes reads those).
	if off := sd.StreamOffset; l0 >= 0 && off+l0 <= d.end {
		*from, *to = off+l0, math.MaxInt64
	} else {
		after := off + int64(len(sd.Raw))
		i := bytes.Index(d.sh.data[after:d.end], []byte("endstream"))
		if i < 0 {
			return nil, errors.New("stream without endstream")
		}
		*from, *to = after+int64(i)+int64(len("endstream")), math.MaxInt64
		if l0 >= 0 {
			*to = off + l0
		}
		if *from > d.end || *from >= *to {
			*from, *to = d.end, d.end+1
		}
	}
	if err := sd.DecodeWithLimit(lim.MaxDecodeBytes); err != nil {
		return nil, err
	}
	content := sd.Content
	if first.Value() > len(content) {
		return nil, fmt.Errorf("object stream %d: /First beyond its data", nr)
	}
	head := bytes.Fields(content[:first.Value()])
	if len(head) < 2*n.Value() {
		return nil, fmt.Errorf("object stream %d: short header", nr)
	}
	os := &objStm{content: content[first.Value():], starts: make([]int, n.Value()), nums: make([]int, n.Value())}
	for i := range os.starts {
		if v, err := strconv.Atoi(string(head[2*i])); err == nil {
			os.nums[i] = v
		} else {
			os.nums[i] = -1
		}
		v, err := strconv.Atoi(string(head[2*i+1]))
		if err != nil || v < 0 || v > len(os.content) {
			return nil, fmt.Errorf("object stream %d: bad offset", nr)
		}
		os.starts[i] = v
	}
	return os, nil
}

// refsOf lists the objects that object nr refers to, from its bytes
// (nil, false when they cannot be read: the caller treats it as no
// object, as a failed parse would be).
func (d *lazyDoc) refsOf(c context.Context, nr int) (refInfo, bool) {
	s, ok := d.srcs[nr]
	if !ok {
		return refInfo{}, false
	}
	key := srcKey{off: s.off, idx: -1, lim: d.nextObject(s.off)}
	if s.compressed {
		ss, ok := d.srcs[s.stm]
		if !ok {
			return refInfo{}, false
		}
		os, err := d.objStream(c, s.stm)
		if err != nil {
			return refInfo{}, false
		}
		key = srcKey{off: ss.off, idx: s.idx, stm: os.id}
	}
	if ri, ok := d.sh.refs[key]; ok {
		return ri, true
	}
	var ri refInfo
	if s.compressed {
		b, err := d.compressedBytes(c, s)
		if err != nil {
			return refInfo{}, false
		}
		ri = scanRefs(b, false)
	} else {
		ri = scanRefs(d.sh.data[s.off:key.lim], true)
	}
	d.sh.refs[key] = ri
	return ri, true
}

// scanRefs finds the references "n g R" in an object's bytes, skipping
// strings and comments, up to its stream data or endobj. With header the
// bytes start with "n g obj".
func scanRefs(b []byte, header bool) refInfo {
	var ri refInfo
	const none = -1
	t1, t2 := none, none // the last two tokens when they are integers
	tokens := 0
	push := func(v int) { t2, t1 = t1, v }
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case isPDFSpace(c):
			i++
		case c == '%':
			for i < len(b) && b[i] != '\n' && b[i] != '\r' {
				i++
			}
		case c == '(':
			depth := 0
			for ; i < len(b); i++ {
				switch b[i] {
				case '\\':
					i++
				case '(':
					depth++
				case ')':
					depth--
				}
				if depth == 0 {
					i++
					break
				}
			}
			push(none)
		case c == '<':
			if i+1 < len(b) && b[i+1] == '<' {
				i += 2
			} else {
				j := bytes.IndexByte(b[i:], '>')
				if j < 0 {
					return ri
				}
				i += j + 1
			}
			push(none)
		case c == '>' || c == '[' || c == ']' || c == '{' || c == '}' || c == ')':
			i++
			push(none)
		case c == '/':
			j := i + 1
			for j < len(b) && !isPDFSpace(b[j]) && !isPDFDelim(b[j]) {
				j++
			}
			i = j
			push(none)
		default:
			j := i
			for j < len(b) && !isPDFSpace(b[j]) && !isPDFDelim(b[j]) {
				j++
			}
			tok := b[i:j]
			i = j
			tokens++
			if header && tokens <= 3 {
				ri.body = i
				continue // "n g obj"
			}
			switch string(tok) {
			case "R":
				if t1 != none && t2 != none {
					ri.refs = append(ri.refs, t2)
				}
				push(none)
				continue
			case "stream":
				ri.end, ri.kw = i-len(tok), 's'
				return ri
			case "endobj":
				ri.end, ri.kw = i-len(tok), 'e'
				return ri
			case "obj":
				return ri
			}
			if v, rest, ok := leadingInt(tok); ok && len(rest) == 0 {
				push(v)
			} else {
				push(none)
			}
		}
	}
	return ri
}

func isPDFSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isPDFDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// materialize parses every object reachable from the catalog and the
// document information, except the logical structure tree, which the
// validation leaves out: pdfcpu's validation reads some entries (streams)
// without decoding lazy objects.
func (d *lazyDoc) materialize() {
	x := d.pc.XRefTable
	root := x.Root.ObjectNumber.Value()
	seen := map[int]bool{root: true}
	stack := []int{root}
	if x.Info != nil {
		stack = append(stack, x.Info.ObjectNumber.Value())
		seen[x.Info.ObjectNumber.Value()] = true
	}
	visits := 0
	for len(stack) > 0 && visits < maxGraphVisits && d.ctx.Err() == nil {
		nr := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		e := x.Table[nr]
		if e == nil || e.Free {
			continue
		}
		var refs []int
		if isLazy(e) {
			ri, _ := d.refsOf(d.ctx, nr)
			refs = ri.refs
			_, _ = x.Dereference(*types.NewIndirectRef(nr, intp(e.Generation)))
		} else {
			o := e.Object
			if nr == root {
				if rd, ok := o.(types.Dict); ok {
					o = rd.Clone()
					delete(o.(types.Dict), "StructTreeRoot")
				}
			}
			refs = collectRefs(o, refs, 0)
		}
		for _, t := range refs {
			visits++
			if !seen[t] {
				seen[t] = true
				stack = append(stack, t)
			}
		}
	}
}

// collectRefs appends the object numbers o refers to.
func collectRefs(o types.Object, refs []int, depth int) []int {
	if depth > maxDepth*4 {
		return refs
	}
	switch v := o.(type) {
	case types.IndirectRef:
		refs = append(refs, v.ObjectNumber.Value())
	case types.Dict:
		for _, e := range v {
			refs = collectRefs(e, refs, depth+1)
		}
	case types.StreamDict:
		refs = collectRefs(v.Dict, refs, depth+1)
	case types.Array:
		for _, e := range v {
			refs = collectRefs(e, refs, depth+1)
		}
	}
	return refs
}

// byteRangeHolders lists the objects whose bytes hold "/ByteRange" (the
// candidates for signature dictionaries), found by a search of the file
// and of its decoded object streams, without parsing.
func (d *lazyDoc) byteRangeHolders() map[int]bool {
	if d.holders != nil {
		return d.holders
	}
	d.holders = map[int]bool{}
	type at struct {
		off int64
		nr  int
	}
	var offs []at
	stms := map[int]bool{}
	for nr, s := range d.srcs {
		if s.compressed {
			stms[s.stm] = true
		} else {
			offs = append(offs, at{s.off, nr})
		}
	}
	slices.SortFunc(offs, func(a, b at) int { return cmp.Compare(a.off, b.off) })
	data := d.sh.data[:d.end]
	for p := 0; ; {
		i := indexMarker(data[p:], markByteRange)
		if i < 0 {
			break
		}
		p += i
		k, _ := slices.BinarySearchFunc(offs, int64(p), func(a at, t int64) int { return cmp.Compare(a.off, t+1) })
		if k > 0 {
			d.holders[offs[k-1].nr] = true
		}
		p += len(markByteRange)
	}
	if len(stms) == 0 {
		return d.holders
	}
	byStm := map[int][]lazySrc{}
	nrOf := map[lazySrc]int{}
	for nr, s := range d.srcs {
		if s.compressed {
			byStm[s.stm] = append(byStm[s.stm], s)
			nrOf[s] = nr
		}
	}
	for stm, members := range byStm {
		os, err := d.objStream(d.ctx, stm)
		if err != nil {
			// Unreadable: each member is a candidate (parsed, it fails).
			for _, s := range members {
				d.holders[nrOf[s]] = true
			}
			continue
		}
		if !bytes.Contains(os.content, markByteRange) {
			continue
		}
		for _, s := range members {
			if b, err := d.compressedBytes(d.ctx, s); err != nil || bytes.Contains(b, markByteRange) {
				d.holders[nrOf[s]] = true
			}
		}
	}
	return d.holders
}

// indexMarker is bytes.Index for a marker that starts with '/' (common in
// PDF): it searches for the rest, then checks the '/'.
func indexMarker(b, marker []byte) int {
	rest := marker[1:]
	for p := 1; p < len(b); {
		i := bytes.Index(b[p:], rest)
		if i < 0 {
			return -1
		}
		if b[p+i-1] == marker[0] {
			return p + i - 1
		}
		p += i + 1
	}
	return -1
}

// countMarker is bytes.Count for such a marker.
func countMarker(b, marker []byte) int {
	n := 0
	for p := 0; ; {
		i := indexMarker(b[p:], marker)
		if i < 0 {
			return n
		}
		n++
		p += i + len(marker)
	}
}
