package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"baohan/platform"
)

// Callback paths of the guarantor's listener (interface.md).
const (
	PathApplyGuarantee = "/callbacks/apply_guarantee" // 2.1, form
	PathOrderStatus    = "/callbacks/order_status"    // 2.4, form
	PathVerify         = "/callbacks/verify"          // 2.6, multipart
	PathQuery          = "/callbacks/query"           // 2.7, form
	PathRevoke         = "/callbacks/revoke"          // 2.8, multipart
	PathReleaseQuery   = "/callbacks/release_query"   // 2.10, form
	PathClaim          = "/callbacks/claim"           // 3.1, multipart
)

// multipartPath tells whether interface.md sends a path as multipart/form-data.
func multipartPath(path string) bool {
	switch path {
	case PathVerify, PathRevoke, PathClaim:
		return true
	}
	return false
}

// Errors of deliveries.
var (
	ErrNoCallbackBase = errors.New("sandbox: no callback base URL")
	ErrGaveUp         = errors.New("callback not acknowledged")
	ErrClosed         = errors.New("sandbox is closed")
)

// File is a file sent beside param.
type File struct {
	Field string // form field: guarantee_pdf, attach_file0, revoke_guarantee_declare_file
	Name  string
	Data  []byte
}

// Callback is a message the platform sends to the guarantor's listener.
type Callback struct {
	Path string // e.g. PathOrderStatus
	// Msg is the plaintext message (a struct of package platform or a map),
	// request_method included where the manual has one. An empty timestamp
	// is filled; the sign is computed on sending.
	Msg   any
	Files []File
	// Multipart sends multipart/form-data even without files; paths that
	// interface.md sends as multipart are multipart anyway.
	Multipart bool

	onAck func(answer []byte) // run once, when the listener acknowledges
	echo  bool                // a mean repeat: not repeated again
}

func (cb Callback) multipart() bool {
	return cb.Multipart || len(cb.Files) > 0 || multipartPath(cb.Path)
}

// Delivery is a callback being sent on the retry schedule.
type Delivery struct {
	cb   Callback
	done chan struct{}

	mu       sync.Mutex
	attempts int
	answer   []byte
	err      error
}

// Done is closed when the callback is acknowledged or given up.
func (d *Delivery) Done() <-chan struct{} { return d.done }

// Wait blocks until the delivery ends or ctx is done, and returns Err.
func (d *Delivery) Wait(ctx context.Context) error {
	select {
	case <-d.done:
		return d.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Answer is the body of the acknowledged attempt (nil before, or if none).
func (d *Delivery) Answer() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.answer
}

// Attempts counts the attempts made so far.
func (d *Delivery) Attempts() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.attempts
}

// Err is nil once acknowledged; after Done, non-nil when the delivery
// failed (ErrGaveUp after the schedule, ErrNoCallbackBase, a cancelled
// context).
func (d *Delivery) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// Path is the callback's path.
func (d *Delivery) Path() string { return d.cb.Path }

func (d *Delivery) finish(answer []byte, err error) {
	d.mu.Lock()
	d.answer, d.err = answer, err
	d.mu.Unlock()
	close(d.done)
}

func failedDelivery(cb Callback, err error) *Delivery {
	d := &Delivery{cb: cb, done: make(chan struct{})}
	d.finish(nil, err)
	return d
}

// Deliveries lists every delivery started, oldest first.
func (s *Server) Deliveries() []*Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Delivery(nil), s.deliveries...)
}

// Send delivers cb in the background: the first attempt at once, then one
// after each wait of the retry schedule, until the listener answers HTTP 200
// with JSON status 200. Any other answer or a transport error is a failed
// attempt. The delivery stops when ctx ends or the server closes.
func (s *Server) Send(ctx context.Context, cb Callback) *Delivery {
	base := s.callbackBase()
	if base == "" {
		return failedDelivery(cb, ErrNoCallbackBase)
	}
	contentType, body, err := s.encodeCallback(cb)
	if err != nil {
		return failedDelivery(cb, err)
	}
	d := &Delivery{cb: cb, done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return failedDelivery(cb, ErrClosed)
	}
	s.deliveries = append(s.deliveries, d)
	s.wg.Add(1)
	s.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	go func() {
		defer s.wg.Done()
		defer cancel()
		defer stop()
		s.deliver(ctx, d, base+cb.Path, contentType, body)
	}()
	return d
}

func (s *Server) deliver(ctx context.Context, d *Delivery, target, contentType string, body []byte) {
	var lastErr error
	for i := 0; i <= len(s.opt.RetrySchedule); i++ {
		if i > 0 {
			t := time.NewTimer(s.opt.RetrySchedule[i-1])
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				d.finish(nil, fmt.Errorf("callback %s stopped after %d attempts: %w", d.cb.Path, i, context.Cause(ctx)))
				return
			}
		}
		d.mu.Lock()
		d.attempts++
		d.mu.Unlock()
		status, answer, err := s.attempt(ctx, target, contentType, body)
		if err == nil && status == platform.StatusOK {
			s.log.Info("回调已确认", "path", d.cb.Path, "attempts", i+1)
			if s.opt.Mean && !d.cb.echo {
				s.echo(ctx, d.cb)
			}
			if d.cb.onAck != nil {
				d.cb.onAck(answer)
			}
			d.finish(answer, nil)
			return
		}
		if err == nil {
			err = fmt.Errorf("listener answered status %d: %s", status, snippet(answer))
		}
		lastErr = err
		s.log.Warn("回调未确认，将按通知频率重试", "path", d.cb.Path, "attempt", i+1, "err", err)
	}
	d.finish(nil, fmt.Errorf("%w: %s after %d attempts: %v", ErrGaveUp, d.cb.Path, d.attempts, lastErr))
}

// attempt posts once and reads the JSON status. A non-200 HTTP code or a
// body that is not the protocol's JSON is an error.
func (s *Server) attempt(ctx context.Context, target, contentType string, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opt.CallbackTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return 0, answer, err
	}
	var env struct {
		Status platform.Int `json:"status"`
	}
	jerr := json.Unmarshal(answer, &env)
	if resp.StatusCode != http.StatusOK {
		return int(env.Status), answer, fmt.Errorf("HTTP %d: %s", resp.StatusCode, snippet(answer))
	}
	if jerr != nil || env.Status == 0 {
		return 0, answer, fmt.Errorf("answer is not JSON with a status: %s", snippet(answer))
	}
	return int(env.Status), answer, nil
}

// SendOnce makes one attempt of cb, synchronously, and returns the JSON
// status the listener answered and the raw answer. err is set when no
// JSON status came back (transport error, HTML page); a non-200 HTTP code
// with a JSON body gives that body's status and an error.
func (s *Server) SendOnce(ctx context.Context, cb Callback) (status int, answer []byte, err error) {
	base := s.callbackBase()
	if base == "" {
		return 0, nil, ErrNoCallbackBase
	}
	contentType, body, err := s.encodeCallback(cb)
	if err != nil {
		return 0, nil, err
	}
	status, answer, err = s.attempt(ctx, base+cb.Path, contentType, body)
	if err == nil && status == platform.StatusOK && cb.onAck != nil {
		cb.onAck(answer)
	}
	return status, answer, err
}

// PostRaw posts body to the listener at path as it is (forged or broken
// requests).
func (s *Server) PostRaw(ctx context.Context, path, contentType string, body io.Reader) (*http.Response, error) {
	base := s.callbackBase()
	if base == "" {
		return nil, ErrNoCallbackBase
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	return s.hc.Do(req)
}

// SealParam makes the param of a callback message: timestamp filled when
// empty, signed with api_secret, encrypted with the guarantor's rsa_pk.
func (s *Server) SealParam(msg any) (string, error) {
	f, err := s.callbackFields(msg)
	if err != nil {
		return "", err
	}
	return platform.Seal(s.opt.APISecret, &s.opt.GuarantorKey.PublicKey, f)
}

// callbackFields turns msg into fields with a timestamp.
func (s *Server) callbackFields(msg any) (platform.Fields, error) {
	if s.opt.GuarantorKey == nil {
		return nil, errors.New("sandbox: no GuarantorKey")
	}
	f, err := platform.ToFields(msg)
	if err != nil {
		return nil, fmt.Errorf("callback message: %w", err)
	}
	if platform.FieldText(f["timestamp"]) == "" {
		f["timestamp"], _ = json.Marshal(platform.Timestamp(s.now()))
	}
	return f, nil
}

func (s *Server) encodeCallback(cb Callback) (contentType string, body []byte, err error) {
	param, err := s.SealParam(cb.Msg)
	if err != nil {
		return "", nil, fmt.Errorf("seal callback %s: %w", cb.Path, err)
	}
	return EncodeBody(param, cb.multipart(), cb.Files...)
}

// EncodeBody makes a callback body: the form field param (and files, as
// multipart/form-data when multipart or when there are files).
func EncodeBody(param string, multipartForm bool, files ...File) (contentType string, body []byte, err error) {
	if !multipartForm && len(files) == 0 {
		return "application/x-www-form-urlencoded", []byte(url.Values{"param": {param}}.Encode()), nil
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("param", param); err != nil {
		return "", nil, err
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quoteEscaper.Replace(f.Field), quoteEscaper.Replace(f.Name)))
		h.Set("Content-Type", contentTypeOf(f.Name, f.Data))
		w, err := mw.CreatePart(h)
		if err != nil {
			return "", nil, err
		}
		if _, err := w.Write(f.Data); err != nil {
			return "", nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return "", nil, err
	}
	return mw.FormDataContentType(), buf.Bytes(), nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

// contentTypeOf is the MIME type of a file by its extension, else sniffed.
func contentTypeOf(name string, data []byte) string {
	if ct := mime.TypeByExtension(filepath.Ext(name)); ct != "" {
		return ct
	}
	return http.DetectContentType(data)
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if r := []rune(s); len(r) > 160 {
		s = string(r[:160]) + "…"
	}
	return s
}

// echo (mean mode) sends an acknowledged callback once more, re-signed with
// a later timestamp, as the platform's retries do when an answer was lost.
func (s *Server) echo(ctx context.Context, cb Callback) {
	f, err := platform.ToFields(cb.Msg)
	if err != nil {
		return
	}
	ts, _ := json.Marshal(platform.Timestamp(s.now().Add(time.Second)))
	f["timestamp"] = ts
	cb.Msg, cb.echo, cb.onAck = f, true, nil
	s.log.Info("平台重发回调（重新签名）", "path", cb.Path)
	s.attemptOnce(ctx, cb)
}

// attemptOnce (mean mode) makes one attempt of cb before the delivery that
// caused it finishes, so that it reaches the listener before anything the
// delivery's waiter does next.
func (s *Server) attemptOnce(ctx context.Context, cb Callback) {
	base := s.callbackBase()
	if base == "" {
		return
	}
	ct, body, err := s.encodeCallback(cb)
	if err != nil {
		return
	}
	status, answer, err := s.attempt(ctx, base+cb.Path, ct, body)
	if err != nil || status != platform.StatusOK {
		s.log.Warn("重发的回调未确认", "path", cb.Path, "status", status, "answer", snippet(answer))
	}
}
