package pdfsign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Options tune a check. The zero value checks offline with DefaultTimeout.
type Options struct {
	// Revocation lets pdfcpu ask the certificates' CRL and OCSP servers
	// whether a certificate was revoked (network). Off by default.
	Revocation bool
	// Timeout bounds the whole check; zero means DefaultTimeout.
	Timeout time.Duration
}

// inMemoryMax: CheckFile reads files up to this size into memory.
const inMemoryMax = 32 << 20

// DefaultTimeout bounds a check when Options.Timeout is zero.
const DefaultTimeout = 20 * time.Second

// CheckFile checks the PDF at path; see Check.
func CheckFile(ctx context.Context, path string, opt Options) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("check %s: not a regular file", path)
	}
	var r io.ReaderAt = f
	if st.Size() <= inMemoryMax {
		// The lazy read works on the bytes in memory (and pdfcpu reads
		// object by object through a fresh buffered reader each time:
		// from memory that costs no system calls).
		b := make([]byte, st.Size())
		if _, err := io.ReadFull(f, b); err != nil {
			return nil, fmt.Errorf("check %s: %w", path, err)
		}
		r = memFile(b)
	}
	rep, err := Check(ctx, r, st.Size(), opt)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	rep.File = path
	return rep, nil
}

// Check reads size bytes from r and reports what they are: a PDF that
// pdfcpu validates or not, its pages, version and encryption, its SHA-256,
// and for every signature who signed it, when, and whether the signed bytes
// are intact. It returns an error only when r cannot be read; a broken,
// tampered or foreign file is a Report with problems.
//
// Check writes nothing to disk, uses the network only when
// opt.Revocation is set, and is safe for concurrent use. It returns within
// opt.Timeout (a report with Complete false if the time ran out); r must stay
// readable until then. On a time-out, pdfcpu's parsing may still finish in
// the background; it stops at its next cancellation point or read error.
func Check(ctx context.Context, r io.ReaderAt, size int64, opt Options) (*Report, error) {
	if size < 0 {
		return nil, fmt.Errorf("check: negative size %d", size)
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	rep := &Report{
		Size:       size,
		CheckedAt:  time.Now().UTC(),
		Signatures: []Signature{},
		Problems:   []string{},
	}

	if _, ok := r.(memFile); !ok && size <= inMemoryMax {
		// In memory the parse is lazy (lazy.go).
		b := make([]byte, size)
		if n, err := r.ReadAt(b, 0); int64(n) < size {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("check: read: %w", err)
		}
		r = memFile(b)
	}
	sum, scan, err := hashAndScan(cctx, r, size)
	if err != nil {
		if cctx.Err() != nil {
			rep.Problems = append(rep.Problems, stoppedProblem(ctx, timeout))
			return rep, nil
		}
		return nil, fmt.Errorf("check: read: %w", err)
	}
	rep.SHA256 = sum
	rep.IsPDF = scan.isPDF
	if !scan.isPDF {
		rep.Complete = true
		rep.Problems = append(rep.Problems, "这不是PDF文件（文件开头没有 %PDF- 标记）")
		return rep, nil
	}

	done := make(chan *analysis, 1)
	go func() {
		a := &analysis{}
		defer func() {
			if p := recover(); p != nil {
				a.failed = fmt.Sprintf("内部错误：%v", p)
			}
			done <- a
		}()
		analyze(cctx, r, size, opt, scan, a)
	}()

	select {
	case a := <-done:
		if a.failed != "" {
			rep.CheckError = a.failed
			rep.Problems = append(rep.Problems, "检查出错，无法确认文件完好："+a.failed)
		}
		if cctx.Err() != nil {
			rep.Problems = append(rep.Problems, stoppedProblem(ctx, timeout))
			return rep, nil
		}
		a.fill(rep)
		rep.Complete = true
		return rep, nil
	case <-cctx.Done():
		rep.Problems = append(rep.Problems, stoppedProblem(ctx, timeout))
		return rep, nil
	}
}

func stoppedProblem(parent context.Context, timeout time.Duration) string {
	if parent.Err() != nil {
		return "检查被中止，无法确认文件完好"
	}
	return "检查超时（超过 " + timeout.String() + "），无法确认文件完好"
}

// scanResult is what a single pass over the raw bytes finds besides the hash.
type scanResult struct {
	isPDF       bool
	byteRanges  int  // occurrences of "/ByteRange"
	endsWithEOF bool // an %%EOF marker in the last 1 KiB
	junkAtEnd   bool // bytes other than white space after the last %%EOF
	// lastStartXref is the offset after the last "startxref" in the last
	// 1 KiB (where a reader starts), -1 when none is there.
	lastStartXref int64
}

var (
	markByteRange = []byte("/ByteRange")
	markEOF       = []byte("%%EOF")
	markPDF       = []byte("%PDF-")
)

// hashAndScan computes the SHA-256 of r while counting signature markers.
func hashAndScan(ctx context.Context, r io.ReaderAt, size int64) (string, scanResult, error) {
	var res scanResult
	h := sha256.New()
	buf := make([]byte, hashBufSize)
	var carry []byte // the last bytes of the previous block, for markers across blocks
	var tail []byte
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return "", res, err
		}
		n := int64(len(buf))
		if size-off < n {
			n = size - off
		}
		m, err := r.ReadAt(buf[:n], off)
		if int64(m) < n {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", res, err
		}
		b := buf[:n]
		h.Write(b)
		if off == 0 {
			head := b[:min(len(b), 1024)]
			res.isPDF = bytes.Contains(head, markPDF)
		}
		joined := append(carry, b[:min(len(b), len(markByteRange)-1)]...)
		res.byteRanges += bytes.Count(joined, markByteRange)
		res.byteRanges += countMarker(b, markByteRange)
		carry = append(carry[:0], b[max(0, len(b)-(len(markByteRange)-1)):]...)
		tail = append(tail, b[max(0, len(b)-1024):]...)
		tail = tail[max(0, len(tail)-1024):]
		off += n
	}
	res.endsWithEOF = bytes.Contains(tail, markEOF)
	if i := bytes.LastIndex(tail, markEOF); i >= 0 {
		res.junkAtEnd = len(bytes.TrimSpace(tail[i+len(markEOF):])) > 0
	}
	res.lastStartXref = -1
	if i := bytes.LastIndex(tail, []byte("startxref")); i >= 0 {
		f := bytes.Fields(tail[i+len("startxref"):])
		if len(f) > 0 {
			if v, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
				res.lastStartXref = v
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), res, nil
}

// analysis is the work done in the background goroutine; it is copied into
// the report only when it finished in time.
type analysis struct {
	validRelaxed bool
	errRelaxed   string
	pages        int
	version      string
	encrypted    bool
	sigs         []Signature
	problems     []string
	stray        bool
	failed       string
}

func (a *analysis) fill(rep *Report) {
	rep.ValidRelaxed = a.validRelaxed
	rep.ValidationErrors = ValidationErrors{Relaxed: a.errRelaxed}
	rep.Pages = a.pages
	rep.Version = a.version
	rep.Encrypted = a.encrypted
	if a.sigs != nil {
		rep.Signatures = a.sigs
	}
	rep.Problems = append(rep.Problems, a.problems...)
	rep.StraySignatureData = a.stray
}

func (a *analysis) problem(s string) { a.problems = append(a.problems, s) }

// newConf returns a fresh pdfcpu configuration for one read.
func newConf(mode int, opt Options) *model.Configuration {
	globalMu.RLock()
	conf := model.NewDefaultConfiguration()
	globalMu.RUnlock()
	conf.Cmd = model.VALIDATE
	conf.ValidationMode = mode
	conf.Optimize = false
	conf.OptimizeBeforeWriting = false
	conf.Offline = !opt.Revocation
	secs := int((opt.Timeout + time.Second - 1) / time.Second)
	if secs <= 0 {
		secs = int(DefaultTimeout / time.Second)
	}
	// Decoded-size limits inside the parse (pdfcpu's defaults allow 512 MiB
	// per stream); the child process's address-space cap backs them up.
	conf.Limits.MaxStreamBytes = 64 << 20
	conf.Limits.MaxDecodeBytes = 32 << 20
	conf.Limits.MaxImageBytes = 32 << 20
	conf.Limits.MaxImagePixels = 16 << 20
	conf.Limits.MaxObjectCount = 1_000_000
	conf.Limits.MaxObjectStreamCount = 200_000
	conf.Limits.MaxObjectStreamFirst = 4 << 20
	conf.Limits.MaxXRefEntries = 1_000_000
	conf.Timeout = secs
	conf.TimeoutCRL = secs
	conf.TimeoutOCSP = secs
	return conf
}

// readPDF parses the file with pdfcpu (no validation).
func readPDF(ctx context.Context, r io.ReaderAt, size int64, mode int, opt Options) (pc *model.Context, err error) {
	defer catchPanic(&err)
	return pdfcpu.ReadWithContext(ctx, io.NewSectionReader(r, 0, size), newConf(mode, opt))
}

// validatePDF runs pdfcpu's validation on a parsed file.
// It leaves out the logical structure tree (/StructTreeRoot, tagging for
// accessibility, never rendered), whose validation took most of the time
// on large tagged files; the model is not used after validation.
func validatePDF(pc *model.Context) (err error) {
	defer catchPanic(&err)
	if root, e := pc.Catalog(); e == nil && root != nil {
		delete(root, "StructTreeRoot")
	}
	return api.ValidateContext(pc)
}

// ensurePageCount counts the pages when the validation did not (pdfcpu
// panics on a catalog without a page tree: the count stays 0).
func ensurePageCount(pc *model.Context) {
	defer func() { _ = recover() }()
	_ = pc.EnsurePageCount()
}

func catchPanic(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("pdfcpu panic: %v", p)
	}
}

// analyze does the structure and signature checks.
func analyze(ctx context.Context, r io.ReaderAt, size int64, opt Options, scan scanResult, a *analysis) {
	ts := ensureSetup()

	// One parse (relaxed, as readers read); pdfcpu's strict mode is not run:
	// a second parse of an untrusted file doubles time and memory for
	// nits that do not change the verdict. The parse is lazy (lazy.go)
	// when the file is in memory and its cross-reference sections read
	// cleanly; else pdfcpu reads (and repairs) the whole file.
	var (
		pc     *model.Context
		err    error
		sh     *lazyShared
		curDoc *lazyDoc
	)
	if data := inMemory(r, size); data != nil && !opt.Revocation {
		sh = newLazyShared(data)
		curDoc, err = readLazy(ctx, sh, size, newConf(model.ValidationRelaxed, opt))
		if err != nil && ctx.Err() != nil {
			a.failed = "检查被中止"
			return
		}
		if curDoc != nil {
			pc = curDoc.pc
		}
	}
	if pc == nil {
		pc, err = readPDF(ctx, r, size, model.ValidationRelaxed, opt)
	}
	if err != nil {
		a.errRelaxed = err.Error()
		switch {
		case errors.Is(err, pdfcpu.ErrWrongPassword):
			a.encrypted = true
			a.problem("PDF文件已加密，需要打开密码，无法检查其内容和签名")
		default:
			a.problem("PDF文件无法读取，文件已损坏或不完整")
		}
		if scan.byteRanges > 0 {
			a.problem("文件中含有签名数据，但文件无法读取，签名无法验证")
		}
		return
	}
	a.encrypted = pc.Encrypt != nil
	if pc.HeaderVersion != nil {
		a.version = pc.VersionString()
	}
	// pdfcpu's validation changes the model, so it runs after the
	// signatures and the difference analysis have read the file as parsed.
	validated := false
	validate := func() {
		if validated {
			return
		}
		validated = true
		if curDoc != nil {
			curDoc.materialize()
		}
		if err := validatePDF(pc); err != nil {
			a.errRelaxed = err.Error()
			a.problem("PDF文件结构校验未通过（pdfcpu：" + shorten(err.Error(), 200) + "）")
		} else {
			a.validRelaxed = true
		}
		if pc.PageCount == 0 {
			ensurePageCount(pc)
		}
		a.pages = pc.PageCount
		if !scan.endsWithEOF {
			a.validRelaxed = false
			a.problem("文件末尾没有 %%EOF 结束标记，文件可能不完整（被截断）")
		}
	}
	defer validate()

	found, stray, permsSigs := locateSignatures(pc.XRefTable, curDoc)
	if stray || (len(found) == 0 && scan.byteRanges > permsSigs) {
		a.stray = true
		a.problem("文件中有签名数据没有挂在任何签名域上，签名可能被剥离或文件被改动")
	}
	if len(found) == 0 {
		return
	}

	dss := dssCertificates(pc.XRefTable)
	sigs := make([]Signature, len(found))
	for i, f := range found {
		if ctx.Err() != nil {
			return
		}
		sigs[i] = verifySignature(ctx, r, size, f, a.encrypted, ts, dss)
	}
	order := make([]int, len(sigs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return sigs[order[i]].signedEnd() < sigs[order[j]].signedEnd() })

	// Appended revisions: the difference analysis decides whether they
	// only make changes PDF allows after a signature.
	cur := revision{x: pc.XRefTable, doc: curDoc} // the whole file, parsed once
	// The signed revisions are parsed with every verified signature value
	// blanked (its hex string replaced by "0" and spaces, same length): the
	// values are checked above from the real bytes, and pdfcpu's hex
	// parsing of each earlier signature in each revision would otherwise
	// cost time quadratic in the number of signatures.
	var gaps [][2]int64
	for i := range sigs {
		if sigs[i].ByteRangeOK {
			gaps = append(gaps, [2]int64{sigs[i].ByteRange[1], sigs[i].ByteRange[2]})
		}
	}
	blanked := &blankedReader{r: r, gaps: gaps}
	readOld := func(end int64) (revision, error) {
		if sh != nil {
			if doc, err := readLazy(ctx, sh, end, newConf(model.ValidationRelaxed, opt)); err == nil {
				return revision{x: doc.pc.XRefTable, doc: doc}, nil
			}
		}
		old, err := readPDF(ctx, blanked, end, model.ValidationRelaxed, opt)
		if err != nil {
			return revision{}, err
		}
		return revision{x: old.XRefTable}, nil
	}
	// What the difference analysis needs to know of the signatures: a
	// new signature field is allowed only with a value verified here.
	metaSigs := map[int]laterSig{}
	audited := map[int64]error{}
	for i, f := range found {
		if f.dictObj == 0 {
			continue
		}
		t := &sigs[i]
		metaSigs[f.dictObj] = laterSig{
			end:      t.signedEnd(),
			verified: t.ByteRangeOK && t.DigestOK && t.SignatureOK && t.Supported,
			key:      t.signerKey,
		}
	}
	for _, i := range order {
		s := &sigs[i]
		if !s.AppendedAfterSigning || !s.DigestOK || !s.SignatureOK {
			continue
		}
		res := laterUpdatesWith(ctx, s.signedEnd(), readOld, cur, &diffMeta{sigs: metaSigs, signerKey: s.signerKey})
		if res.kind != diffModified {
			if why := auditAppended(ctx, curDoc, inMemory(r, size), s.signedEnd(), audited); why != "" {
				res.kind, res.why = diffModified, why
			}
		}
		s.LaterUpdatesOnlySignatures = res.kind == diffOK
		s.claims = res.claims
		switch res.kind {
		case diffFormFill:
			s.FormFilledAfterSigning = true
			s.Problems = append(s.Problems, res.why)
		case diffModified:
			s.Problems = append(s.Problems, "签名后文件被追加了内容（增量更新），改动了签名时的文件："+res.why)
		}
		if res.kind == diffOK && s.mdpP == 1 {
			// DocMDP P=1: after it only DSS and invisible document
			// timestamps.
			for _, j := range order {
				t := &sigs[j]
				if t.signedEnd() > s.signedEnd() && t.Kind == KindSignature {
					s.LaterUpdatesOnlySignatures = false
					s.Problems = append(s.Problems, "本签名（"+s.mdpWhat+"）不允许签名后再有任何改动，但其后又加了签名“"+t.Field+"”")
					break
				}
			}
			for _, w := range res.laterWidgets {
				if w.visible && s.LaterUpdatesOnlySignatures {
					s.LaterUpdatesOnlySignatures = false
					s.Problems = append(s.Problems, "本签名（"+s.mdpWhat+"）不允许签名后再有任何改动，但其后又加了显示在页面上的时间戳“"+w.name+"”")
				}
			}
		}
		if res.kind == diffOK && (len(s.lockedFields) > 0 || len(s.lockExcluding) > 0) {
			for _, w := range res.laterWidgets {
				name := w.name // fully qualified, as the lock names it
				if s.locks(name) {
					s.LaterUpdatesOnlySignatures = false
					s.Problems = append(s.Problems, "本签名锁定了表单域“"+name+"”，签名后该域又被改动（签署）")
					break
				}
			}
		}
	}

	// Bytes after the last signature that are not a revision (nothing after
	// its %%EOF but white space) are signed by nobody and read by nobody:
	// such a file is not the one signed.
	var last int64
	for i := range sigs {
		last = max(last, sigs[i].signedEnd())
	}
	// Bytes appended after the last signature that are not a revision of
	// their own (the reader's startxref still points into the signed part)
	// are objects some readers pick up when they repair a file: an
	// incremental saving attack without a cross-reference section.
	if last < size && last > 0 && !scan.junkAtEnd && scan.lastStartXref >= 0 && scan.lastStartXref < last &&
		!onlyWhiteSpace(r, last, size) {
		scan.junkAtEnd = true
	}
	if last < size && scan.junkAtEnd {
		a.problem("最后一个签名之后文件末尾被追加了" + strconv.FormatInt(size-last, 10) + "字节不属于任何版本的内容")
		for i := range sigs {
			if sigs[i].LaterUpdatesOnlySignatures {
				sigs[i].LaterUpdatesOnlySignatures = false
				sigs[i].Problems = append(sigs[i].Problems, "签名后文件末尾被追加了没有签名的内容")
			}
		}
	}

	validate()
	if opt.Revocation && a.validRelaxed {
		crossCheckWithPdfcpu(r, size, pc, found, sigs, opt)
	}

	a.sigs = make([]Signature, 0, len(sigs))
	for _, i := range order {
		s := sigs[i]
		s.Intact = s.Supported && s.ByteRangeOK && s.DigestOK && s.SignatureOK &&
			(s.CoversWholeFile || s.LaterUpdatesOnlySignatures)
		if s.Problems == nil {
			s.Problems = []string{}
		}
		if s.Chain == nil {
			s.Chain = []string{}
		}
		a.sigs = append(a.sigs, s)
	}
}

// crossCheckWithPdfcpu runs pdfcpu's own signature validation as a second
// opinion: when pdfcpu says a signature is forged or the document modified,
// the signature is not intact whatever our check found. With Revocation on,
// its revocation verdict feeds the trust verdict.
func crossCheckWithPdfcpu(r io.ReaderAt, size int64, pc *model.Context, found []located, sigs []Signature, opt Options) {
	results, err := pdfcpuValidateSignatures(r, size, pc)
	if err != nil {
		for i := range sigs {
			sigs[i].PdfcpuVerdict = "error: " + shorten(err.Error(), 300)
		}
		return
	}
	byField := map[int]int{}
	for i, f := range found {
		byField[f.fieldObj] = i
	}
	for _, res := range results {
		if res == nil {
			continue
		}
		i, ok := byField[res.Signature.ObjNr]
		if !ok {
			continue
		}
		s := &sigs[i]
		s.PdfcpuVerdict = res.Status.String() + "; " + res.Reason.String()
		if opt.Revocation {
			applyRevocation(s, res)
		}
	}
}

func pdfcpuValidateSignatures(r io.ReaderAt, size int64, pc *model.Context) (res []*model.SignatureValidationResult, err error) {
	globalMu.RLock()
	defer globalMu.RUnlock()
	defer catchPanic(&err)
	return pdfcpu.ValidateSignatures(io.NewSectionReader(r, 0, size), pc, true)
}

func applyRevocation(s *Signature, res *model.SignatureValidationResult) {
	for _, signer := range res.Details.Signers {
		if signer == nil || signer.Certificate == nil {
			continue
		}
		switch signer.Certificate.Revocation.Status {
		case model.False:
			s.Trust = TrustUntrusted
			s.TrustReason = "签名证书已被吊销"
			s.Problems = append(s.Problems, "签名证书已被吊销")
		case model.Unknown:
			if s.TrustReason != "" {
				s.TrustReason += "；"
			}
			s.TrustReason += "证书吊销状态未能查明"
			if signer.Certificate.Revocation.Reason != "" {
				s.TrustReason += "（" + shorten(signer.Certificate.Revocation.Reason, 200) + "）"
			}
		}
	}
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// dssCertificates reads the certificates of the document security store
// (catalog /DSS /Certs): a CMS may leave out its signer's certificate
// when the DSS holds it (PAdES-LT/LTA).
func dssCertificates(x *model.XRefTable) []*certInfo {
	root, err := x.Catalog()
	if err != nil || root == nil {
		return nil
	}
	dss, _ := x.DereferenceDict(root["DSS"])
	if dss == nil {
		return nil
	}
	arr, _ := x.DereferenceArray(dss["Certs"])
	var out []*certInfo
	for i, o := range arr {
		if i >= 1000 {
			break
		}
		so, err := x.Dereference(o) // decodes lazy objects (DereferenceStreamDict does not)
		sd, ok := so.(types.StreamDict)
		if err != nil || !ok {
			continue
		}
		if err := sd.DecodeWithLimit(1 << 20); err != nil {
			continue
		}
		p := &berParser{}
		n, _, err := p.parse(sd.Content, 0)
		if err != nil || !n.is(0, 16) {
			continue
		}
		out = append(out, parseCertLenient(n))
	}
	return out
}

// blankedReader reads r with each gap (a signature's hex string, checked to
// be exactly that) replaced by "0" and spaces.
type blankedReader struct {
	r    io.ReaderAt
	gaps [][2]int64
}

func (b *blankedReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := b.r.ReadAt(p, off)
	end := off + int64(n)
	for _, g := range b.gaps {
		lo, hi := max(g[0], off), min(g[1], end)
		for i := lo; i < hi; i++ {
			if i == g[0] {
				p[i-off] = '0'
			} else {
				p[i-off] = ' '
			}
		}
	}
	return n, err
}

// onlyWhiteSpace: bytes [from, to) of r are white space (at most 1 MiB read).
func onlyWhiteSpace(r io.ReaderAt, from, to int64) bool {
	if to-from > 1<<20 {
		return false
	}
	b := make([]byte, to-from)
	if n, _ := r.ReadAt(b, from); int64(n) < to-from {
		return false
	}
	return len(bytes.TrimSpace(b)) == 0
}

// memFile is a file read into memory.
type memFile []byte

func (m memFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(m)) {
		return 0, io.EOF
	}
	n := copy(p, m[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// inMemory gives the bytes of r when they are in memory already.
func inMemory(r io.ReaderAt, size int64) []byte {
	if m, ok := r.(memFile); ok && int64(len(m)) == size {
		return m
	}
	return nil
}
