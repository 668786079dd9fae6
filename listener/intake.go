package listener

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"baohan/platform"
	"baohan/store"
)

// endpoint is one callback URL.
type endpoint struct {
	path    string
	method  string // name in events, logs and the idempotency table
	section string // the manual's section
	// file tells which multipart file fields the callback takes; nil: none.
	file   func(field string) bool
	codes  codes
	handle func(s *Server, c *call) (*result, error)
	// holds: an authentic callback that fails a check of its shape is
	// held (2.1, 2.4, 2.8, 3.1); the queries (2.6, 2.7, 2.10) answer
	// with their own codes and change nothing, so they are refused.
	holds bool
}

// codes are the answer statuses an endpoint uses for the failures every
// callback can have.
type codes struct {
	decrypt int
	sign    int
	system  int
	// missing maps a field to its own "参数缺失" code; others get 404.
	missing  map[string]int
	tooLarge int // a file or the body is too large
	receive  int // the body cannot be read (content type, malformed)
	// timestamp is the code of a timestamp missing or outside the window
	// (0: 404); malformed maps an identifying field of the wrong type or
	// with white space to its code (others: 404). protocol.md, "Refusal
	// codes": 2.6 and 2.7 answer from their own tables.
	timestamp int
	malformed map[string]int
}

// generic are the codes of 2.1, 2.4, 2.8, 2.10, 3.1 (table 5.3).
var generic = codes{
	decrypt:  platform.StatusDecryptFailed,
	sign:     platform.StatusSignFailed,
	system:   platform.StatusFailed,
	tooLarge: platform.StatusFailed,
	receive:  platform.StatusFailed,
}

// endpoints are the callbacks of shared/interface.md.
var endpoints = []*endpoint{
	{path: "/callbacks/apply_guarantee", method: platform.CallbackApplyGuarantee, section: "2.1", codes: generic, holds: true, handle: handleApplyGuarantee},
	{path: "/callbacks/order_status", method: platform.CallbackOrderStatus, section: "2.4", codes: generic, holds: true, handle: handleOrderStatus},
	{path: "/callbacks/verify", method: MethodVerify, section: "2.6", codes: verifyCodes, handle: handleVerify,
		file: func(f string) bool { return f == fieldGuaranteePDF }},
	{path: "/callbacks/query", method: MethodQuery, section: "2.7", codes: queryCodes, handle: handleQuery},
	{path: "/callbacks/revoke", method: platform.CallbackGuaranteeRelease, section: "2.8", codes: generic, holds: true, handle: handleRevoke,
		file: func(f string) bool { return f == fieldDeclareFile }},
	{path: "/callbacks/release_query", method: platform.CallbackReleaseSearch, section: "2.10", codes: generic, handle: handleReleaseQuery},
	{path: "/callbacks/claim", method: platform.CallbackApplyClaim, section: "3.1", codes: generic, holds: true, handle: handleClaim,
		file: func(f string) bool { return f == fieldGuaranteePDF || attachField.MatchString(f) }},
}

// Names of the callbacks that have no request_method (2.6, 2.7), as they
// appear in events, logs and the activity pane.
const (
	MethodVerify = "verify" // 2.6 保函验真
	MethodQuery  = "query"  // 2.7 保函查验
)

// File fields.
const (
	fieldGuaranteePDF = "guarantee_pdf"
	fieldDeclareFile  = "revoke_guarantee_declare_file"
)

var attachField = regexp.MustCompile(`^attach_file(0|[1-9][0-9]{0,3})$`)

// call is one callback being handled.
type call struct {
	s      *Server
	ep     *endpoint
	ctx    context.Context
	start  time.Time
	remote string
	fields platform.Fields
	plain  []byte
	files  map[string]*upload
	// logReason, when set, is logged instead of the answer's msg.
	logReason string
	// accepting: the clerk accepted this held callback (DecideHeld); its
	// 假通知 and timestamp checks are not run again.
	accepting  bool
	acceptID   int64
	acceptNote string
	// opened: param was decrypted and its sign checked (fields is set).
	opened bool
	// budget is the spool space this request holds of Server.budget (while
	// it was not authenticated).
	budget int64
	// omitted are the files over the listener's bound (name, size and
	// SHA-256 only), shapeErr the shape failure they make, returned once
	// the body is read.
	omitted  []store.HeldFile
	shapeErr *refusal
	// first: the files of the first delivery, when this callback's key is
	// known (a repeat, recognised from param before its files: repeat.go);
	// repeatKey is that key, repeatBytes the spool it holds of
	// Server.repeats.
	first       []store.HeldFile
	repeatKey   string
	repeatBytes int64
	// rsaBlocks and rsaWait are the RSA blocks decrypted for this request
	// and the time it waited for them, for the log.
	rsaBlocks int
	rsaWait   time.Duration
}

// result is what a handler answers.
type result struct {
	answer    []byte
	ref       string // order, guarantee, revoke or claim number, for the log
	duplicate bool
	after     func() // run after the answer is written (e.g. fetch an order)
}

// callback serves one endpoint: it reads, decrypts and checks the request,
// runs the handler, answers and logs one line.
func (s *Server) callback(ep *endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{s: s, ep: ep, ctx: r.Context(), start: time.Now()}
		if s.testHookRequest != nil {
			s.testHookRequest(ep.path)
		}
		ip := s.clientIP(r)
		c.remote = ip.String()
		if ip == nil {
			c.remote = r.RemoteAddr
		}
		defer c.cleanup()

		var (
			res *result
			err error
		)
		func() {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					s.log.Error("panic in callback", "callback", ep.method, "remote", c.remote, "panic", fmt.Sprint(v), "stack", stack())
					err = fmt.Errorf("panic: %v", v)
				}
			}()
			res, err = s.serveCallback(w, r, c)
		}()

		var rf *refusal
		switch {
		case err == nil:
			writeJSON(w, http.StatusOK, res.answer)
			s.log.Info("callback", "callback", ep.method, "section", ep.section, "remote", c.remote,
				"status", platform.StatusOK, "ref", res.ref, "duplicate", res.duplicate, "ms", c.elapsed(),
				"rsa_blocks", c.rsaBlocks, "rsa_wait_ms", c.rsaWait.Milliseconds())
			if res.after != nil {
				res.after()
			}
		case errors.As(err, &rf):
			closeAfterRefusal(w)
			writeJSON(w, rf.http, answerBytes(rf.status, refusalMsg(rf.msg), nil))
			reason := rf.msg
			if c.logReason != "" {
				reason += " (" + c.logReason + ")"
			}
			s.log.Warn("callback refused", "callback", ep.method, "section", ep.section, "remote", c.remote,
				"status", rf.status, "http", rf.http, "reason", reason, "ms", c.elapsed(),
				"rsa_blocks", c.rsaBlocks, "rsa_wait_ms", c.rsaWait.Milliseconds())
			if rf.skew > 0 {
				s.clockFault(c, rf.skew)
			}
		default:
			// The store could not take the callback (or a bug): answer 500
			// so that the platform repeats it; nothing was committed.
			closeAfterRefusal(w)
			writeJSON(w, http.StatusInternalServerError, answerBytes(ep.codes.system, msgBusy, nil))
			s.log.Error("callback failed", "callback", ep.method, "section", ep.section, "remote", c.remote,
				"status", ep.codes.system, "http", http.StatusInternalServerError, "err", err.Error(), "ms", c.elapsed())
			s.fault(c, err)
		}
	})
}

// closeAfterRefusal ends the connection with a refusal. Its body may not
// have been read to the end (junk files, a body over a limit): without
// "Connection: close", net/http would first read up to 256 KB more of it to
// keep the connection, before the answer, and wait forever for a client
// that stalls mid-body; the rest of a refused body is not worth reading.
func closeAfterRefusal(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
}

// serveCallback is everything before the answer is written.
func (s *Server) serveCallback(w http.ResponseWriter, r *http.Request, c *call) (*result, error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, &refusal{http: http.StatusMethodNotAllowed, status: platform.StatusFailed, msg: msgMethod}
	}
	if len(s.allow) > 0 && !inNets(net.ParseIP(c.remote), s.allow) {
		return nil, &refusal{http: http.StatusForbidden, status: 1013, msg: msgNotAllowed}
	}
	param, err := s.readBody(w, r, c)
	if err == nil && !c.opened {
		err = c.open(param)
	}
	var res *result
	if err == nil {
		res, err = c.ep.handle(s, c)
	}
	var rf *refusal
	if c.opened && c.ep.holds && !c.accepting && errors.As(err, &rf) && rf.shape {
		return s.holdShape(c, rf)
	}
	return res, err
}

// fault records, if the store still takes it, that a callback could not be
// stored.
func (s *Server) fault(c *call, cause error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 5*time.Second)
	defer cancel()
	_, err := s.st.AddEvent(ctx, store.Event{
		Kind: store.KindFault, Direction: store.DirIn, Method: c.ep.method, Ref: c.ref(),
		Status: c.ep.codes.system, LatencyMS: c.elapsed(),
		Summary: fmt.Sprintf("回调 %s（%s）未能保存，已请平台重发：%v", c.ep.method, c.ep.section, cause),
	})
	if err != nil {
		s.log.Error("cannot record fault event", "callback", c.ep.method, "err", err.Error())
	}
}

func (c *call) elapsed() int64 { return time.Since(c.start).Milliseconds() }

// cleanup removes the spooled files and gives back the spool budget.
func (c *call) cleanup() {
	for _, u := range c.files {
		u.remove()
	}
	if c.budget > 0 {
		c.s.budget.give(c.budget)
		c.budget = 0
	}
	if c.repeatBytes > 0 {
		c.s.repeats.give(c.repeatBytes)
		c.repeatBytes = 0
	}
}

// readBody reads param and, for multipart bodies, spools the file parts the
// endpoint takes. Both content types are accepted on every endpoint (the
// platform's PHP sends multipart whenever a file goes along).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, c *call) (string, error) {
	codes := c.ep.codes
	s.limitBody(r, c) // bodylimit.go
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(w, r.Body, MaxParamBytes+4096)
		if err := r.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return "", refusef(codes.tooLarge, "请求体超过 %d 字节", MaxParamBytes)
			}
			if rf := bodyRefusal(c, err); rf != nil {
				return "", rf
			}
			return "", refusef(codes.receive, "请求体无法读取：%s", bodyErrText(c, err))
		}
		for k, v := range r.PostForm {
			if len(v) > 1 {
				return "", refusef(codes.receive, "表单字段重复：%s", shorten(k, 40))
			}
		}
		return r.PostForm.Get("param"), nil
	case "multipart/form-data":
		return s.readMultipart(w, r, c)
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = "（空）"
	}
	return "", refusef(codes.receive, "不支持的 Content-Type：%s，应为 application/x-www-form-urlencoded 或 multipart/form-data", shorten(ct, 80))
}

func (s *Server) readMultipart(w http.ResponseWriter, r *http.Request, c *call) (string, error) {
	codes := c.ep.codes
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", refusef(codes.receive, "multipart 请求体无法读取：%s", bodyErrText(c, err))
	}
	readErr := func(what string, err error) error {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return refusef(codes.tooLarge, "请求体超过 %d MB 上限", s.cfg.MaxBodyBytes>>20)
		}
		if rf := bodyRefusal(c, err); rf != nil {
			return rf
		}
		return refusef(codes.receive, "%s接收失败：%s", what, bodyErrText(c, err))
	}
	var param string
	seenParam := false
	c.files = map[string]*upload{}
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", readErr("multipart 请求体", err)
		}
		if n >= MaxParts {
			return "", refusef(codes.receive, "multipart 请求体的部分超过 %d 个", MaxParts)
		}
		// A part whose header cannot be read is refused, never skipped: it
		// may be a file the callback needs.
		field, rawName, hasName, ok := partNames(p)
		if !ok {
			return "", c.fileShape(codes.receive, "multipart 请求体第 %d 部分的 Content-Disposition 无法解析：%s", n+1,
				strings.ToValidUTF8(shorten(p.Header.Get("Content-Disposition"), 80), "?"))
		}
		switch {
		case field == "param" && !hasName:
			if seenParam {
				return "", refuse(codes.receive, "param 重复")
			}
			b, err := io.ReadAll(io.LimitReader(p, MaxParamBytes+1))
			if err != nil {
				return "", readErr("param ", err)
			}
			if len(b) > MaxParamBytes {
				return "", refusef(codes.tooLarge, "param 超过 %d 字节", MaxParamBytes)
			}
			param, seenParam = string(b), true
			if len(c.files) == 0 {
				// param first, as the platform sends it: decide before
				// reading any file, so that a request that fails costs no
				// disk.
				if err := c.open(param); err != nil {
					return "", err
				}
				s.recogniseRepeat(c)
			}
		case c.ep.file != nil && c.ep.file(field):
			if _, dup := c.files[field]; dup {
				return "", refusef(codes.receive, "文件字段重复：%s", field)
			}
			var u *upload
			var err error
			if c.first != nil {
				u, err = s.spoolRepeat(c, field, p, s.cfg.MaxFileBytes)
			} else {
				u, err = s.spoolFile(c, p, s.cfg.MaxFileBytes)
			}
			if err == nil && u.omitted {
				// A repeat's file that differs, past the repeat budget:
				// kept as name, size and SHA-256 for the held callback.
				c.omitted = append(c.omitted, store.HeldFile{Field: field, Name: sanitizeName(rawName, field),
					Size: u.size, SHA256: u.sha256, Omitted: true})
				continue
			}
			switch {
			case errors.Is(err, errFileTooLarge) && u != nil && c.opened && c.ep.holds:
				// An authentic callback with a file over the listener's
				// bound: held with the file's name, size and SHA-256.
				c.omitted = append(c.omitted, store.HeldFile{Field: field, Name: sanitizeName(rawName, field),
					Size: u.size, SHA256: u.sha256, Omitted: true})
				if c.shapeErr == nil {
					c.shapeErr = shapef("文件 %s 超过 %d MB 上限（%d 字节），仅保留其名称、大小和 SHA-256", field, s.cfg.MaxFileBytes>>20, u.size)
				}
				continue
			case errors.Is(err, errFileTooLarge):
				return "", refusef(codes.tooLarge, "文件 %s 超过 %d MB 上限", field, s.cfg.MaxFileBytes>>20)
			case errors.Is(err, errSpoolBudget), errors.Is(err, errDiskLow):
				c.logReason = err.Error()
				if errors.Is(err, errDiskLow) {
					s.diskFault(c, err)
				}
				return "", &refusal{http: http.StatusServiceUnavailable, status: codes.system, msg: msgBusy}
			}
			var se *spoolError
			if errors.As(err, &se) {
				return "", fmt.Errorf("receive file %s: %w", field, err) // our disk: 500, repeated
			}
			if err != nil {
				return "", readErr("文件 "+field+" ", err)
			}
			u.field = field
			u.name = sanitizeName(rawName, field)
			if u.size == 0 {
				if c.ep.requiredFile(field) {
					u.remove()
					return "", c.fileShape(codes.receive, "文件 %s 为空（0 字节）", field)
				}
				if rawName == "" {
					// An optional file field, empty and without a name: no
					// file was chosen.
					u.remove()
					continue
				}
			}
			c.files[field] = u
		case hasName || fileLike(field):
			// A file this callback does not take (attach_file01, a file on
			// a callback without files): refused, never dropped.
			return "", c.fileShape(codes.receive, "%s（%s）不接受文件字段 %s", c.ep.section, c.ep.path, strings.ToValidUTF8(shorten(field, 40), "?"))
		default:
			// A text field no callback takes: read past it (within the
			// body limit).
			if _, err := io.Copy(io.Discard, p); err != nil {
				return "", readErr("multipart 请求体", err)
			}
		}
	}
	if c.shapeErr != nil {
		return param, c.shapeErr
	}
	return param, nil
}

// fileShape is the refusal of a file part that is empty, unknown or
// unparsable: once the callback is authentic (param came first and
// opened), a check of its shape, held on the callbacks that hold.
func (c *call) fileShape(code int, format string, a ...any) *refusal {
	if c.opened && c.ep.holds {
		return shapef(format, a...)
	}
	return refusef(code, format, a...)
}

// fileLike tells whether a field name is, or looks like, one of the
// manual's file fields.
func fileLike(field string) bool {
	return strings.HasPrefix(field, "attach_file") || field == fieldGuaranteePDF || field == fieldDeclareFile
}

// requiredFile tells whether the manual requires the file field (必须=是):
// 2.6 guarantee_pdf; 3.1 guarantee_pdf and attach_file0.
func (ep *endpoint) requiredFile(field string) bool {
	switch ep.path {
	case "/callbacks/verify":
		return field == fieldGuaranteePDF
	case "/callbacks/claim":
		return field == fieldGuaranteePDF || field == "attach_file0"
	}
	return false
}

// partNames reads a part's Content-Disposition: the field name, the
// filename parameter exactly as sent (Part.FileName strips the directory
// only for the local OS's separator) and whether there is one. ok is false
// when the header cannot be parsed, is not form-data or names no field.
func partNames(p *multipart.Part) (field, filename string, hasName, ok bool) {
	d, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil || d != "form-data" || params["name"] == "" {
		return "", "", false, false
	}
	filename, hasName = params["filename"]
	return params["name"], filename, hasName, true
}

// open decrypts param and checks its sign. The RSA work goes through the
// server's admission (admit.go): a param of more than MaxParamBlocks blocks
// is refused before any, a request that cannot get workers in time is
// answered HTTP 503, and every block of an admitted param is decrypted
// before the one answer for all decryption failures.
func (c *call) open(param string) error {
	codes := c.ep.codes
	if strings.TrimSpace(param) == "" {
		return refuse(platform.StatusFailed, msgMissingParam+"param")
	}
	// A large param is decoded on a worker too, counted as one unit of work
	// per decodeUnit bytes: decoding a 1 MB junk param is the CPU of several
	// RSA blocks, and must not crowd out a small callback either. Until it
	// is decoded, its blocks are estimated from its length (line breaks
	// and escapes only make it smaller).
	units := len(param) / decodeUnit
	t, err := c.s.rsa.admit(c.remote, units+(len(param)*3/4+255)/256)
	if err != nil {
		c.logReason = err.Error()
		return &refusal{http: http.StatusServiceUnavailable, status: codes.system, msg: msgBusy}
	}
	defer t.leave()
	busy := func(err error, d *platform.ParamDecrypter) error {
		c.logReason = err.Error()
		if d != nil {
			c.logReason = fmt.Sprintf("%v after %d of %d blocks", err, d.Done(), d.Blocks())
		}
		return &refusal{http: http.StatusServiceUnavailable, status: codes.system, msg: msgBusy}
	}
	if units > 0 {
		if err := t.next(c.ctx); err != nil {
			return busy(err, nil)
		}
	}
	d, err := platform.NewParamDecrypter(c.s.cfg.PrivateKey, param)
	if err != nil {
		c.logReason = err.Error()
		return refuse(codes.decrypt, msgDecrypt)
	}
	if d.Blocks() > MaxParamBlocks {
		c.logReason = fmt.Sprintf("%d RSA blocks", d.Blocks())
		return refusef(codes.tooLarge, "param 超过 %d 个加密块的上限", MaxParamBlocks)
	}
	t.account(max(units-1, 0), d.Blocks())
	for d.Done() < d.Blocks() {
		if err = t.next(c.ctx); err != nil {
			break
		}
		d.Step()
		c.s.rsaBlocks.Add(1)
	}
	c.rsaBlocks, c.rsaWait = d.Done(), t.waited
	if err != nil {
		return busy(err, d)
	}
	var fields platform.Fields
	plain, err := d.Plaintext()
	if err == nil {
		fields, plain, err = platform.OpenPlaintext(c.s.cfg.APISecret, plain, nil)
	}
	switch {
	case err == nil:
	case errors.Is(err, platform.ErrSign):
		return refuse(codes.sign, msgSign)
	default:
		// Bad base64, bad PKCS#1 v1.5 padding and a plaintext that is not
		// JSON get one and the same answer: telling them apart would be a
		// padding oracle (Bleichenbacher) that lets a sender decrypt a
		// captured param block by block. The log keeps the difference.
		c.logReason = err.Error()
		return refuse(codes.decrypt, msgDecrypt)
	}
	c.fields, c.plain, c.opened = fields, plain, true
	return c.checkIdentifying()
}

// identifying fields name the callback's record: they must be present and
// non-empty even in a callback the clerk accepted (it could not be applied
// without them).
var identifying = map[string]bool{
	"request_method": true, "timestamp": true, "order_no": true, "order_status": true,
	"revoke_no": true, "revoke_guarantee_data": true, "claim_no": true, "status": true,
	"guarantee_no": true, "serial_num": true,
}

// str is a field's text ("" when absent).
func (c *call) str(name string) string {
	return strings.TrimSpace(platform.FieldText(c.fields[name]))
}

// require refuses the first required field that is absent, empty or null
// (protocol.md: a check of the callback's shape; the callbacks that hold
// hold it). In a held callback the clerk accepted, only the identifying
// fields are required still: the rest is applied as it came.
func (c *call) require(names ...string) error {
	for _, n := range names {
		if c.accepting && !identifying[n] {
			continue
		}
		if c.str(n) == "" {
			rf := shapef("%s%s", msgMissingParam, n)
			if m, ok := c.ep.codes.missing[n]; ok {
				rf.status = m
			} else if n == "timestamp" && c.ep.codes.timestamp != 0 {
				rf.status = c.ep.codes.timestamp
			}
			return rf
		}
	}
	return nil
}

// requestMethod checks request_method against the callback's fixed value.
func (c *call) requestMethod(want string) error {
	if err := c.require("request_method"); err != nil {
		return err
	}
	if got := c.str("request_method"); got != want && !c.accepting {
		return shapef("request_method 应为 %s，收到 %s", want, shorten(got, 40))
	}
	return nil
}

// checkTimestamp refuses a timestamp over 24 h old or 10 min ahead.
func (c *call) checkTimestamp() error {
	if c.accepting {
		return nil // held when it was fresh; the clerk accepted it
	}
	if err := c.require("timestamp"); err != nil {
		return err
	}
	ts, now := c.str("timestamp"), c.s.cfg.Now()
	if err := platform.CheckTimestamp(ts, now); err != nil {
		code := platform.StatusFailed
		if c.ep.codes.timestamp != 0 {
			code = c.ep.codes.timestamp
		}
		rf := refuse(code, msgTimestamp)
		c.logReason = err.Error()
		if t, perr := platform.ParseTimestamp(ts); perr == nil && t.Sub(now) > platform.MaxCallbackFuture {
			// A signed callback from the future: the platform's clock is
			// ahead of ours or ours is behind. Not a replay (those are old).
			rf.skew = t.Sub(now)
			c.logReason = fmt.Sprintf("clock skew: timestamp %s is %s ahead of this machine's clock", ts, rf.skew.Round(time.Second))
		}
		return rf
	}
	return nil
}

// clockFaultEvery bounds the clock-skew fault events to one per period.
const clockFaultEvery = 10 * time.Minute

// clockFault records, at most once per clockFaultEvery, that an authentic
// callback was refused because its timestamp is ahead of our clock, so the
// clerk sees why the callbacks do not arrive (the platform repeats them).
func (s *Server) clockFault(c *call, skew time.Duration) {
	s.skewMu.Lock()
	if !s.skewAt.IsZero() && time.Since(s.skewAt) < clockFaultEvery {
		s.skewMu.Unlock()
		return
	}
	s.skewAt = time.Now()
	s.skewMu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 5*time.Second)
	defer cancel()
	minutes := int(skew.Round(time.Minute) / time.Minute)
	_, err := s.st.AddEvent(ctx, store.Event{
		Kind: store.KindFault, Direction: store.DirIn, Method: c.ep.method, Ref: c.ref(),
		Status: platform.StatusFailed, LatencyMS: c.elapsed(),
		Summary: fmt.Sprintf("时钟偏差：回调 %s（%s）的 timestamp 比本机时钟快约 %d 分钟（超过 10 分钟），已拒收，平台会重发；请校准本机时间", c.ep.method, c.ep.section, minutes),
	})
	if err != nil {
		s.log.Error("cannot record clock fault event", "callback", c.ep.method, "err", err.Error())
	}
}

// decode reads the plaintext into a message type.
func (c *call) decode(dst any) error {
	if err := platform.Decode(c.plain, dst); err != nil {
		return shapef("参数格式错误：%s", jsonErrText(c, err))
	}
	return nil
}

// detail is the decrypted JSON without sign, for records and events.
func (c *call) detail() json.RawMessage {
	f := make(platform.Fields, len(c.fields))
	for k, v := range c.fields {
		if k != "sign" {
			f[k] = v
		}
	}
	b, err := platform.Marshal(f)
	if err != nil {
		return nil
	}
	return b
}

// ref is the number the callback is about, for events and logs.
func (c *call) ref() string {
	for _, k := range []string{"order_no", "revoke_no", "claim_no", "guarantee_no", "serial_num"} {
		if v := c.str(k); v != "" {
			return v
		}
	}
	return ""
}

// event is the callback's event in the activity log.
func (c *call) event(ref, summary string) store.Event {
	return store.Event{
		Kind: store.KindCallback, Direction: store.DirIn, Method: c.ep.method, Ref: ref,
		Status: platform.StatusOK, LatencyMS: c.elapsed(), Summary: summary, Detail: string(c.plain),
	}
}

// flagEvent is an event that asks the clerk to look at something.
func (c *call) flagEvent(ref, summary string) store.Event {
	return store.Event{
		Kind: store.KindFlag, Direction: store.DirIn, Method: c.ep.method, Ref: ref,
		Status: platform.StatusOK, Summary: summary,
	}
}

// idempotent runs write once per (method, key) through store.Callback; a
// repeat gets the first answer verbatim. write returns a refusal to refuse
// (nothing is stored then).
func (s *Server) idempotent(c *call, key string, answer []byte, write func(tx *store.Tx) error) (*result, error) {
	// The files are kept with the key, so that a repeat is compared with
	// the first delivery's before its own are spooled (repeat.go).
	in := store.Inbound{Method: c.ep.method, Key: key, Remote: c.remote, Files: callFiles(c)}
	got, dup, err := s.st.CallbackWith(c.ctx, in, func(tx *store.Tx) ([]byte, error) {
		if err := write(tx); err != nil {
			return nil, err
		}
		return answer, nil
	}, nil)
	if err != nil {
		return nil, err
	}
	return &result{answer: got, duplicate: dup, ref: key}, nil
}

// queryEvent writes the event of a query (2.6, 2.7, 2.10) in its own
// transaction. A query's answer does not depend on it: a failure is logged.
func (s *Server) queryEvent(c *call, e store.Event) {
	if _, err := s.st.AddEvent(c.ctx, e); err != nil {
		s.log.Error("cannot record query event", "callback", c.ep.method, "err", err.Error())
	}
}

// clientIP is the callback's source: RemoteAddr, or, when RemoteAddr is a
// trusted proxy, the last X-Forwarded-For hop that is not one.
func (s *Server) clientIP(r *http.Request) net.IP {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || !inNets(ip, s.proxy) {
		return ip
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if hh, _, err := net.SplitHostPort(h); err == nil {
			h = hh
		}
		hip := net.ParseIP(strings.Trim(h, "[]"))
		if hip == nil {
			break
		}
		ip = hip
		if !inNets(hip, s.proxy) {
			break
		}
	}
	return ip
}

func inNets(ip net.IP, nets []*net.IPNet) bool {
	if ip == nil {
		return false
	}
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// shorten cuts s to n characters, without converting more of it.
func shorten(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}
