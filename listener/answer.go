package listener

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"baohan/platform"
)

// refusal is a callback we refuse: the answer's status and msg, the HTTP
// status (200 unless said otherwise), and the reason for the log line.
type refusal struct {
	http   int
	status int
	msg    string
	// skew, when not zero, is how far the callback's timestamp is ahead of
	// our clock: the refusal is then also a clock fault for the clerk.
	skew time.Duration
	// shape: the callback is authentic but fails a check of its shape (a
	// required field missing or empty, a wrong JSON type, a JSON-valued
	// field that does not parse, a file part missing or wrong, a state
	// outside 5.4 or 5.7): it is held, not refused bare (protocol.md).
	shape bool
}

func (r *refusal) Error() string { return fmt.Sprintf("refused %d: %s", r.status, r.msg) }

// refuse makes a refusal answered with HTTP 200.
func refuse(status int, msg string) *refusal {
	return &refusal{http: http.StatusOK, status: status, msg: msg}
}

// shapef is the refusal of an authentic callback that fails a check of its
// shape: on the callbacks that hold, it is held (Server.serveCallback).
func shapef(format string, a ...any) *refusal {
	rf := refuse(platform.StatusFailed, fmt.Sprintf(format, a...))
	rf.shape = true
	return rf
}

// refusef is refuse with a formatted message.
func refusef(status int, format string, a ...any) *refusal {
	return refuse(status, fmt.Sprintf(format, a...))
}

// Messages of the answers, in the manual's words where it has them.
const (
	msgBusy         = "系统繁忙，请重试"
	msgDecrypt      = "解密失败"
	msgSign         = "验签失败"
	msgTimestamp    = "timestamp 超出允许范围"
	msgNotAllowed   = "无权调用该接口,不在IP白名单内"
	msgMethod       = "只接受 POST 请求"
	msgMissingParam = "参数缺失："
)

// answerBytes encodes an answer: status, msg when not empty, data when not
// nil. Chinese text stays UTF-8 and <>& are not escaped.
func answerBytes(status int, msg string, data any) []byte {
	b, err := platform.Marshal(platform.Answer{Status: status, Msg: msg, Data: data})
	if err != nil {
		// Only data can fail to encode; answer without it.
		b, _ = platform.Marshal(platform.Answer{Status: platform.StatusFailed, Msg: "系统错误"})
	}
	return b
}

// okAnswer is {"status":200} with data when not nil.
func okAnswer(data any) []byte { return answerBytes(platform.StatusOK, "", data) }

// writeJSON writes an answer with the HTTP status.
func writeJSON(w http.ResponseWriter, code int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

func stack() string { return string(debug.Stack()) }
