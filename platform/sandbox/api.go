package sandbox

import (
	"crypto/rsa"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"baohan/platform"
)

// maxRequestBody bounds an API request (a pushed PDF and its param).
const maxRequestBody = 64 << 20

// request is one decoded API call.
type request struct {
	http   *http.Request
	method string
	f      platform.Fields
	root   string // the sandbox's root URL as the caller reached it
}

// str is a field's text, trimmed ("" when absent or null).
func (q *request) str(name string) string {
	return strings.TrimSpace(platform.FieldText(q.f[name]))
}

// file reads an uploaded file; ok is false when the field is absent.
func (q *request) file(field string) (data []byte, name string, ok bool, err error) {
	if q.http.MultipartForm == nil || len(q.http.MultipartForm.File[field]) == 0 {
		return nil, "", false, nil
	}
	fh := q.http.MultipartForm.File[field][0]
	f, err := fh.Open()
	if err != nil {
		return nil, fh.Filename, true, err
	}
	defer f.Close()
	data, err = io.ReadAll(f)
	return data, fh.Filename, true, err
}

// fileType is the Content-Type of a file part ("" when none came).
func (q *request) fileType(field string) string {
	if q.http.MultipartForm == nil || len(q.http.MultipartForm.File[field]) == 0 {
		return ""
	}
	return q.http.MultipartForm.File[field][0].Header.Get("Content-Type")
}

// answer is what the API says: {"status":200,"data":...} or
// {"status":N,"msg":"..."}.
type answer struct {
	status int
	msg    string
	data   any
}

func ok(data any) answer { return answer{status: platform.StatusOK, data: data} }

// fail answers a 5.3 code; msg is the manual's meaning unless detail says
// more (detail then includes it).
func fail(code int, detail ...string) answer {
	msg := platform.StatusText(code)
	if len(detail) > 0 && detail[0] != "" {
		msg = detail[0]
	}
	return answer{status: code, msg: msg}
}

func writeAnswer(w http.ResponseWriter, a answer) {
	body, err := platform.Marshal(platform.Answer{Status: a.status, Msg: a.msg, Data: a.data})
	if err != nil {
		body = []byte(`{"status":404,"msg":"失败"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

// serveAPI is POST /api/guarantor/v1/: every method of the manual.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if strings.HasPrefix(mt, "multipart/") {
		err = r.ParseMultipartForm(32 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		a := fail(platform.StatusFailed, "请求无法读取："+err.Error())
		s.logCall(Call{Status: a.status, HTTP: http.StatusOK})
		writeAnswer(w, a)
		return
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	q, a, good := s.decode(r)
	if !good {
		s.logCall(Call{Method: q.method, Status: a.status, HTTP: http.StatusOK})
		writeAnswer(w, a)
		return
	}

	call := Call{Method: q.method, HTTP: http.StatusOK}
	fault, faulty := s.takeFault(q.method)
	if faulty {
		call.Fault = fault.String()
		switch fault.Kind {
		case FaultTokenExpired:
			a := fail(platform.StatusTokenExpired)
			call.Status = a.status
			s.logCall(call)
			writeAnswer(w, a)
			return
		case FaultStatus:
			a := fail(fault.Status, fault.Msg)
			call.Status = a.status
			s.logCall(call)
			writeAnswer(w, a)
			return
		case FaultHTTP500:
			call.HTTP = http.StatusInternalServerError
			s.logCall(call)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, http500Page)
			return
		case FaultDelay:
			t := time.NewTimer(fault.Delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				call.HTTP = 0
				s.logCall(call)
				return
			case <-s.ctx.Done():
				call.HTTP = 0
				s.logCall(call)
				return
			}
		}
	}

	a = s.dispatch(q)
	call.Status = a.status
	if faulty && fault.Kind == FaultDrop || s.meanLoses(q.method, a) {
		call.HTTP, call.Dropped = 0, true
		s.logCall(call)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		} else {
			panic(http.ErrAbortHandler) // HTTP/2: abort the stream unanswered
		}
		return
	}
	s.logCall(call)
	writeAnswer(w, a)
}

// meanLoses tells, in mean mode, whether the answer of a successful
// state-changing call is to be lost after acting (Options.Mean).
func (s *Server) meanLoses(method string, a answer) bool {
	if !s.opt.Mean || a.status != platform.StatusOK {
		return false
	}
	switch method {
	case platform.MethodNotifyOrderStatus, platform.MethodPushGuarantee, platform.MethodRemoveGuarantee,
		platform.MethodCancelOrder, platform.MethodUpdateClaimResult:
	default:
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.actedCalls == nil {
		s.actedCalls = map[string]int{}
	}
	s.actedCalls[method]++
	return s.actedCalls[method]%MeanLoseEvery == 0
}

// decode identifies and opens param. For get_access_token (1.1) param is
// encrypted with api_rsa_pk; every other call carries an access token,
// checked first (1006), and param encrypted with rsa_pk (1000). The sign
// is then checked with api_secret (1001) and the common fields (btc_id,
// enter_institution_type, timestamp).
func (s *Server) decode(r *http.Request) (q *request, a answer, good bool) {
	param := r.PostFormValue("param")
	token := strings.TrimSpace(r.PostFormValue("access_token"))
	q = &request{http: r, root: "http://" + r.Host}
	if strings.TrimSpace(param) == "" {
		return q, fail(platform.StatusDecryptFailed, "解密失败：缺少 param"), false
	}
	if f, ok := s.openWith(s.opt.PlatformKey, param); ok && platform.FieldText(f["method"]) == platform.MethodGetAccessToken {
		q.f, q.method = f, platform.MethodGetAccessToken
	} else {
		if token == "" {
			// A business call without a token is 1006; a get_access_token
			// encrypted with rsa_pk instead of api_rsa_pk cannot be read.
			if f, ok := s.openWith(s.opt.GuarantorKey, param); ok && platform.FieldText(f["method"]) != platform.MethodGetAccessToken {
				q.method = platform.FieldText(f["method"])
				return q, fail(platform.StatusTokenExpired, "解密失败,token错误或已过期：缺少 access_token"), false
			}
			return q, fail(platform.StatusDecryptFailed), false
		}
		if !s.useToken(token) {
			return q, fail(platform.StatusTokenExpired), false
		}
		f, ok := s.openWith(s.opt.GuarantorKey, param)
		if !ok {
			return q, fail(platform.StatusDecryptFailed), false
		}
		q.f, q.method = f, platform.FieldText(f["method"])
	}
	if !platform.VerifySign(s.opt.APISecret, q.f) {
		return q, fail(platform.StatusSignFailed), false
	}
	if a, bad := s.checkCommon(q); bad {
		return q, a, false
	}
	return q, answer{}, true
}

// openWith decrypts param and parses the JSON object.
func (s *Server) openWith(key *rsa.PrivateKey, param string) (platform.Fields, bool) {
	if key == nil {
		return nil, false
	}
	plain, err := platform.DecryptParam(key, param)
	if err != nil {
		return nil, false
	}
	var f platform.Fields
	if err := json.Unmarshal(plain, &f); err != nil || f == nil {
		return nil, false
	}
	return f, true
}

// checkCommon checks timestamp, and for business calls btc_id and
// enter_institution_type.
func (s *Server) checkCommon(q *request) (answer, bool) {
	ts := q.str("timestamp")
	if ts == "" {
		return fail(platform.StatusIllegalAccess, "非法访问：缺少 timestamp"), true
	}
	if err := checkCallTimestamp(ts, s.now()); err != nil {
		return fail(platform.StatusIllegalAccess, fmt.Sprintf("非法访问：timestamp %s 不可用（%v）", ts, err)), true
	}
	if q.method == platform.MethodGetAccessToken {
		return answer{}, false
	}
	btc := q.str("btc_id")
	if btc == "" {
		return fail(1017), true
	}
	if n, err := strconv.ParseInt(btc, 10, 64); err != nil || n != s.opt.BtcID {
		return fail(1015, "非法的担保公司：btc_id "+btc+" 不正确"), true
	}
	if q.str("enter_institution_type") != strconv.Itoa(platform.EnterInstitutionType) {
		return fail(1002, "无权调用该接口：enter_institution_type 必须为 2"), true
	}
	return answer{}, false
}

// useToken checks an access token and, when good, extends its life by
// TokenTTL (each use extends it, manual 接入流程).
func (s *Server) useToken(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for t, exp := range s.tokens {
		if subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			if !now.Before(exp) {
				delete(s.tokens, t)
				return false
			}
			s.tokens[t] = now.Add(s.opt.TokenTTL)
			return true
		}
	}
	return false
}

// ExpireTokens forgets every access token, as after two idle hours.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
}

// dispatch runs the method's handler.
func (s *Server) dispatch(q *request) answer {
	switch q.method {
	case platform.MethodGetAccessToken:
		return s.getAccessToken(q)
	case platform.MethodGetGuaranteeInfo:
		return s.getGuaranteeInfo(q)
	case platform.MethodNotifyOrderStatus:
		return s.notifyOrderStatus(q)
	case platform.MethodPushGuarantee:
		return s.pushGuarantee(q)
	case platform.MethodRemoveGuarantee:
		return s.removeGuarantee(q)
	case platform.MethodCancelOrder:
		return s.cancelOrder(q)
	case platform.MethodUpdateClaimResult:
		return s.updateClaimResult(q)
	case platform.MethodGetClaimInfo:
		return s.getClaimInfo(q)
	case platform.MethodGetFileURL:
		return s.getFileURL(q)
	case "":
		return fail(platform.StatusFailed, "参数缺失：method")
	}
	return fail(platform.StatusFailed, "不支持的 method："+q.method)
}
