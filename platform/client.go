package platform

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"time"
)

// TokenStore keeps the access token where separate processes share it
// (the store's token table), tied to the account it was issued to (the
// client's base_url and api_key), with the renewal guarded so that one
// process at a time asks for a new token (protocol.md, 1.1).
type TokenStore interface {
	AccountToken(ctx context.Context, account string) (token string, expiresAt int64, err error)
	SaveAccountToken(ctx context.Context, account, token string, expiresAt int64) error
	// ClaimTokenRenewal takes the right to renew until until (unix ms)
	// unless another process holds it; it reports whether it was taken.
	ClaimTokenRenewal(ctx context.Context, account string, until int64) (bool, error)
	// EndTokenRenewal gives the right back (the renewal failed).
	EndTokenRenewal(ctx context.Context) error
}

// ClientConfig is what a Client needs of the config.
type ClientConfig struct {
	BaseURL           string
	APIKey            string
	APISecret         string
	BtcID             int64
	PlatformPublicKey *rsa.PublicKey // api_rsa_pk, for get_access_token
	PublicKey         *rsa.PublicKey // rsa_pk, for business calls
	Timeout           time.Duration  // per call; 30 s when zero
}

// ClientConfigFrom takes a ClientConfig from a loaded Config.
func ClientConfigFrom(c *Config) ClientConfig {
	return ClientConfig{
		BaseURL: c.Platform.BaseURL, APIKey: c.Platform.APIKey, APISecret: c.Platform.APISecret,
		BtcID: c.Platform.BtcID, PlatformPublicKey: c.PlatformPublicKey, PublicKey: c.PublicKey,
		Timeout: c.Platform.Timeout.Duration,
	}
}

// Client makes the calls of the manual (1.1, 2.2, 2.3, 2.5, 2.9, 2.11, 3.2,
// 3.3, 4.1). It is safe for concurrent use.
type Client struct {
	cfg    ClientConfig
	http   *http.Client
	tokens TokenStore
	now    func() time.Time

	mu    sync.Mutex
	token string
	exp   int64

	skewMu    sync.Mutex
	skew      time.Duration // our clock minus the platform's, from its Date header
	skewKnown bool
}

// ClockSkewWarn: a clock difference this large is named in the platform's
// refusals (the platform checks each call's timestamp).
const ClockSkewWarn = 5 * time.Minute

// ClockSkew is how far this machine's clock is ahead of the platform's
// (negative: behind), measured from the HTTP Date header of the last
// answer, to about a second; known is false before any answer came.
func (c *Client) ClockSkew() (skew time.Duration, known bool) {
	c.skewMu.Lock()
	defer c.skewMu.Unlock()
	return c.skew, c.skewKnown
}

// noteDate measures the clock skew from an answer's Date header.
func (c *Client) noteDate(h http.Header) {
	d, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return
	}
	skew := c.now().Sub(d).Truncate(time.Second)
	c.skewMu.Lock()
	c.skew, c.skewKnown = skew, true
	c.skewMu.Unlock()
}

// TokenRenewMargin: a token is renewed this long before it expires.
const TokenRenewMargin = 5 * time.Minute

// TokenLifetime is how long a token lives after its last use (manual 接入流程).
const TokenLifetime = 2 * time.Hour

// NewClient makes a Client. tokens may be nil (the token then lives in
// memory only); httpClient may be nil.
func NewClient(cfg ClientConfig, tokens TokenStore, httpClient *http.Client) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	return &Client{cfg: cfg, http: httpClient, tokens: tokens, now: time.Now}
}

// SetClock replaces the clock (tests, a skewed workstation).
func (c *Client) SetClock(now func() time.Time) { c.now = now }

// Error is a refusal by the platform: its status code, the manual's
// meaning of it, and what the platform said.
type Error struct {
	Method string
	Status int
	Msg    string
	Data   json.RawMessage
	// ClockSkew is set when our clock differed from the platform's by
	// ClockSkewWarn or more at the time: a likely cause of the refusal.
	ClockSkew time.Duration
}

func (e *Error) Error() string {
	s := fmt.Sprintf("平台拒绝 %s：%s", e.Method, DescribeStatus(e.Status))
	if d := StatusDetail(e.Status, e.Msg); d != "" {
		s += "（" + d + "）"
	} else if len(e.Data) > 0 && e.Data[0] == '"' {
		if d := FieldText(e.Data); d != "" && d != StatusText(e.Status) {
			s += "（" + d + "）"
		}
	}
	if e.ClockSkew != 0 {
		dir, d := "快", e.ClockSkew
		if d < 0 {
			dir, d = "慢", -d
		}
		s += fmt.Sprintf("；本机时钟比平台%s约 %d 分钟，请校准本机时间", dir, int(d.Round(time.Minute)/time.Minute))
	}
	return s
}

// IsStatus tells whether err is a platform refusal with that code.
func IsStatus(err error, code int) bool {
	var pe *Error
	return errors.As(err, &pe) && pe.Status == code
}

// TransportError is a call that got no usable answer. Sent tells whether
// the request reached the wire: when it did, the outcome is unknown (结果未知)
// and must be reconciled before anything is repeated.
type TransportError struct {
	Method string
	Sent   bool
	Err    error
}

func (e *TransportError) Error() string {
	if e.Sent {
		return fmt.Sprintf("%s 已发出但未收到平台答复（结果未知）：%v", e.Method, e.Err)
	}
	return fmt.Sprintf("%s 未能发出：%v", e.Method, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// notSent is a business call that was never sent because its access token
// could not be had: whatever became of the token call (a timeout is
// unknown for get_access_token), the business call's outcome is known,
// it did not happen (protocol.md, 1.1).
func notSent(method string, err error) error {
	var pe *Error
	if errors.As(err, &pe) {
		return err // the platform refused the token: a refusal, said as it is
	}
	return &TransportError{Method: method, Sent: false, Err: fmt.Errorf("未取得访问令牌（access_token）：%w", err)}
}

// OutcomeUnknown tells whether err leaves the call's outcome unknown.
func OutcomeUnknown(err error) bool {
	var te *TransportError
	return errors.As(err, &te) && te.Sent
}

// quoteEscaper escapes a form-data parameter as mime/multipart does.
var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

// Upload is a file sent beside param (2.5's guarantee_pdf).
type Upload struct {
	Field string
	Name  string
	Data  []byte
	// ContentType is the part's Content-Type (application/octet-stream
	// when empty).
	ContentType string
}

// Token returns a valid access token, reusing the stored one until
// TokenRenewMargin before its expiry.
func (c *Client) Token(ctx context.Context) (string, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokenLocked(ctx, "")
}

// account names whose token it is: a token issued for another platform
// URL or api_key is never used.
func (c *Client) account() string {
	return strings.TrimRight(strings.TrimSpace(c.cfg.BaseURL), "/") + " " + strings.TrimSpace(c.cfg.APIKey)
}

// tokenRenewPoll is how often a process waiting for another's renewal
// reads the store.
const tokenRenewPoll = 100 * time.Millisecond

// tokenLocked returns a token other than stale (the one the platform just
// answered 1006 to; "" for none): the store's, when another process saved
// a fresh one (protocol.md: read the store again first); else a new one,
// asked for by one process at a time (the renewal is claimed in the
// store; a process that finds it claimed waits for that token, at most
// the call timeout, then renews itself).
func (c *Client) tokenLocked(ctx context.Context, stale string) (string, time.Time, error) {
	fresh := func(tok string, exp int64) bool {
		return tok != "" && tok != stale && time.Unix(exp, 0).After(c.now().Add(TokenRenewMargin))
	}
	fromStore := func() bool {
		if c.tokens == nil {
			return false
		}
		t, exp, err := c.tokens.AccountToken(ctx, c.account())
		if err == nil && fresh(t, exp) {
			c.token, c.exp = t, exp
			return true
		}
		return false
	}
	if fromStore() || fresh(c.token, c.exp) {
		return c.token, time.Unix(c.exp, 0), nil
	}
	if c.tokens != nil {
		deadline := time.Now().Add(c.cfg.Timeout)
		for {
			claimed, err := c.tokens.ClaimTokenRenewal(ctx, c.account(), c.now().Add(c.cfg.Timeout).UnixMilli())
			if err != nil {
				return "", time.Time{}, fmt.Errorf("claim access token renewal: %w", err)
			}
			if claimed || time.Now().After(deadline) {
				break
			}
			select {
			case <-ctx.Done():
				return "", time.Time{}, ctx.Err()
			case <-time.After(tokenRenewPoll):
			}
			if fromStore() {
				return c.token, time.Unix(c.exp, 0), nil
			}
		}
	}
	now := c.now()
	req := TokenRequest{Method: MethodGetAccessToken, APIKey: c.cfg.APIKey, APISecret: c.cfg.APISecret, Timestamp: Timestamp(now)}
	var data TokenData
	_, err := c.post(ctx, MethodGetAccessToken, c.cfg.PlatformPublicKey, req, "", nil, &data)
	if err == nil && data.AccessToken == "" {
		err = &Error{Method: MethodGetAccessToken, Status: 404, Msg: "答复中没有 access_token"}
	}
	if err != nil {
		if c.tokens != nil {
			_ = c.tokens.EndTokenRenewal(context.WithoutCancel(ctx))
		}
		return "", time.Time{}, err
	}
	c.token, c.exp = string(data.AccessToken), TokenExpiry(now, int64(data.ExpiredAt))
	if c.tokens != nil {
		if err := c.tokens.SaveAccountToken(ctx, c.account(), c.token, c.exp); err != nil {
			return "", time.Time{}, fmt.Errorf("save access token: %w", err)
		}
	}
	return c.token, time.Unix(c.exp, 0), nil
}

// TokenExpiry reads 1.1's expired_at (protocol.md): Unix seconds, or, under
// 10^9, a lifetime in seconds from now; 0 or less: the default two hours.
func TokenExpiry(now time.Time, expiredAt int64) int64 {
	switch {
	case expiredAt <= 0:
		return now.Add(TokenLifetime).Unix()
	case expiredAt < 1e9:
		return now.Unix() + expiredAt
	}
	return expiredAt
}

// used notes a successful business call: the platform extends the token's
// life by two hours on each use.
func (c *Client) used(ctx context.Context, token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != token {
		return
	}
	if exp := c.now().Add(TokenLifetime).Unix(); exp > c.exp {
		c.exp = exp
		if c.tokens != nil {
			_ = c.tokens.SaveAccountToken(ctx, c.account(), c.token, c.exp)
		}
	}
}

// Call makes a business call: msg is signed and encrypted with rsa_pk,
// posted with the access token, and the answer's data decoded into dst.
// On 1006 the token is renewed once and the call repeated once. The raw
// answer data is returned too.
func (c *Client) Call(ctx context.Context, method string, msg any, file *Upload, dst any) (json.RawMessage, error) {
	tok, _, err := c.Token(ctx)
	if err != nil {
		return nil, notSent(method, err)
	}
	data, err := c.post(ctx, method, c.cfg.PublicKey, msg, tok, file, dst)
	if IsStatus(err, StatusTokenExpired) {
		c.mu.Lock()
		if c.token == tok { // nobody in this process renewed it meanwhile
			tok, _, err = c.tokenLocked(ctx, tok)
		} else {
			tok, err = c.token, nil
		}
		c.mu.Unlock()
		if err != nil {
			return nil, notSent(method, err)
		}
		data, err = c.post(ctx, method, c.cfg.PublicKey, msg, tok, file, dst)
	}
	if err == nil {
		c.used(ctx, tok)
	}
	return data, err
}

// post sends one request and reads the answer envelope.
func (c *Client) post(ctx context.Context, method string, pub *rsa.PublicKey, msg any, token string, file *Upload, dst any) (json.RawMessage, error) {
	plain, err := SignedPlaintext(c.cfg.APISecret, msg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	param, err := EncryptParam(pub, plain)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	rec, _ := ctx.Value(sentKey{}).(*Sent)
	if rec != nil {
		rec.Plaintext, rec.Answer = maskSecret(plain), nil
	}
	var body bytes.Buffer
	contentType := "application/x-www-form-urlencoded"
	if file == nil {
		form := url.Values{"param": {param}}
		if token != "" {
			form.Set("access_token", token)
		}
		body.WriteString(form.Encode())
	} else {
		mw := multipart.NewWriter(&body)
		if token != "" {
			_ = mw.WriteField("access_token", token)
		}
		_ = mw.WriteField("param", param)
		ct := file.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quoteEscaper.Replace(file.Field), quoteEscaper.Replace(file.Name)))
		h.Set("Content-Type", ct)
		fw, err := mw.CreatePart(h)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(file.Data); err != nil {
			return nil, err
		}
		if err := mw.Close(); err != nil {
			return nil, err
		}
		contentType = mw.FormDataContentType()
	}

	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var mu sync.Mutex
	wrote := false
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
		mu.Lock()
		wrote = true
		mu.Unlock()
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, c.cfg.BaseURL, &body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	sent := func() bool { mu.Lock(); defer mu.Unlock(); return wrote }
	if err != nil {
		return nil, &TransportError{Method: method, Sent: sent(), Err: cleanURLError(err)}
	}
	defer resp.Body.Close()
	c.noteDate(resp.Header)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, &TransportError{Method: method, Sent: true, Err: err}
	}
	if rec != nil {
		rec.Answer = raw
	}
	var ans struct {
		Status Int             `json:"status"`
		Msg    Str             `json:"msg"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil || ans.Status == 0 {
		// Not an answer of the protocol: an HTTP error page, a proxy.
		return nil, &TransportError{Method: method, Sent: true,
			Err: fmt.Errorf("HTTP %d, answer is not the platform's JSON: %s", resp.StatusCode, snippet(raw))}
	}
	if ans.Status != StatusOK {
		pe := &Error{Method: method, Status: int(ans.Status), Msg: string(ans.Msg), Data: ans.Data}
		if skew, ok := c.ClockSkew(); ok && (skew >= ClockSkewWarn || skew <= -ClockSkewWarn) {
			pe.ClockSkew = skew
		}
		return ans.Data, pe
	}
	if dst != nil && len(ans.Data) > 0 && string(ans.Data) != "null" {
		if err := Decode(ans.Data, dst); err != nil {
			return ans.Data, fmt.Errorf("%s: answer data: %w", method, err)
		}
	}
	return ans.Data, nil
}

// cleanURLError drops the URL from net/http's error text (it may carry a
// token in a query on some proxies) and keeps the cause.
func cleanURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	return s
}

// common fills the fields every business call carries.
func (c *Client) common(method string) Common {
	return Common{Method: method, Timestamp: Timestamp(c.now()), BtcID: Int(c.cfg.BtcID), EnterInstitutionType: EnterInstitutionType}
}

func (c *Client) commonStr(method string) CommonStr {
	return CommonStr{Method: method, Timestamp: Timestamp(c.now()), BtcID: Str(fmt.Sprint(c.cfg.BtcID)), EnterInstitutionType: Str(fmt.Sprint(EnterInstitutionType))}
}

// GetGuaranteeInfo is 2.2: the order as the platform has it now.
func (c *Client) GetGuaranteeInfo(ctx context.Context, orderNo string) (*OrderInfo, json.RawMessage, error) {
	var info OrderInfo
	raw, err := c.Call(ctx, MethodGetGuaranteeInfo, OrderInfoRequest{Common: c.common(MethodGetGuaranteeInfo), OrderNo: orderNo}, nil, &info)
	if err != nil {
		return nil, raw, err
	}
	return &info, raw, nil
}

// NotifyOrderStatus is 2.3. Common fields are filled here.
func (c *Client) NotifyOrderStatus(ctx context.Context, req NotifyOrderStatusRequest) error {
	req.Common = c.common(MethodNotifyOrderStatus)
	_, err := c.Call(ctx, MethodNotifyOrderStatus, req, nil, nil)
	return err
}

// PushGuarantee is 2.5: the request with the PDF bytes beside it. The
// caller sets GuaranteePDFHash to the SHA-256 of pdf.
func (c *Client) PushGuarantee(ctx context.Context, req PushGuaranteeRequest, pdfName string, pdf []byte) (SerialNum, error) {
	req.Common = c.common(MethodPushGuarantee)
	var res PushResult
	// protocol.md: the file part is sent as application/pdf.
	_, err := c.Call(ctx, MethodPushGuarantee, req, &Upload{Field: "guarantee_pdf", Name: pdfName, Data: pdf, ContentType: "application/pdf"}, &res)
	if err != nil {
		return "", err
	}
	if res.SerialNum == "" {
		return "", &Error{Method: MethodPushGuarantee, Status: 404, Msg: "答复中没有 serial_num"}
	}
	return res.SerialNum, nil
}

// RemoveGuarantee is 2.9 for one block (标段); the per-item errors come back
// in the result.
func (c *Client) RemoveGuarantee(ctx context.Context, req RemoveGuaranteeRequest) (*RemoveResult, error) {
	req.Common = c.common(MethodRemoveGuarantee)
	raw, err := c.Call(ctx, MethodRemoveGuarantee, req, nil, nil)
	if err != nil {
		return nil, err
	}
	return decodeRemoveResult(raw)
}

// decodeRemoveResult reads 2.9's answer data. A data that is a string (or
// absent) on status 200 means the whole call succeeded (protocol.md).
func decodeRemoveResult(raw json.RawMessage) (*RemoveResult, error) {
	var res RemoveResult
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" || t[0] == '"' {
		return &res, nil
	}
	if err := Decode(t, &res); err != nil {
		return nil, fmt.Errorf("%s: answer data: %w", MethodRemoveGuarantee, err)
	}
	return &res, nil
}

// CancelOrder is 2.11.
func (c *Client) CancelOrder(ctx context.Context, orderNo, reason string) error {
	_, err := c.Call(ctx, MethodCancelOrder, CancelOrderRequest{Common: c.common(MethodCancelOrder), OrderNo: orderNo, CancelReason: reason}, nil, nil)
	return err
}

// UpdateClaimResult is 3.2.
func (c *Client) UpdateClaimResult(ctx context.Context, req ClaimResultRequest) error {
	req.CommonStr = c.commonStr(MethodUpdateClaimResult)
	_, err := c.Call(ctx, MethodUpdateClaimResult, req, nil, nil)
	return err
}

// GetClaimInfo is 3.3.
func (c *Client) GetClaimInfo(ctx context.Context, req ClaimInfoRequest) (*ClaimInfo, json.RawMessage, error) {
	req.CommonStr = c.commonStr(MethodGetClaimInfo)
	var info ClaimInfo
	raw, err := c.Call(ctx, MethodGetClaimInfo, req, nil, &info)
	if err != nil {
		return nil, raw, err
	}
	return &info, raw, nil
}

// GetFileURL is 4.1: a fresh URL (valid 2 hours) for a file_id.
func (c *Client) GetFileURL(ctx context.Context, fileID string) (string, error) {
	var res FileURL
	if _, err := c.Call(ctx, MethodGetFileURL, FileURLRequest{CommonStr: c.commonStr(MethodGetFileURL), FileID: fileID}, nil, &res); err != nil {
		return "", err
	}
	if res.FileURL == "" {
		return "", &Error{Method: MethodGetFileURL, Status: 404, Msg: "答复中没有 file_url"}
	}
	return string(res.FileURL), nil
}

// Sent is what one call put on the wire and what came back: the exact
// signed plaintext (api_secret masked, for 1.1) and the answer body.
type Sent struct {
	Plaintext []byte
	Answer    []byte
}

type sentKey struct{}

// WithSent makes the calls made with ctx record into rec (the last attempt
// wins when a call is repeated after renewing the token).
func WithSent(ctx context.Context, rec *Sent) context.Context {
	return context.WithValue(ctx, sentKey{}, rec)
}

// maskSecret hides api_secret (sent only with 1.1) in a plaintext; any
// other plaintext is kept byte for byte.
func maskSecret(plain []byte) []byte {
	if !bytes.Contains(plain, []byte(`"api_secret"`)) {
		return append([]byte(nil), plain...)
	}
	f, err := ParseFields(plain)
	if err != nil {
		return []byte(`{"api_secret":"***"}`)
	}
	f["api_secret"] = json.RawMessage(`"***"`)
	b, _ := Marshal(f)
	return b
}
