package listener

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"sync"
)

// Memory of unauthenticated bodies. A body is read before its param can be
// decrypted, so what it makes the listener hold is bounded before anyone
// is known:
//
//   - a multipart part header may have at most MaxPartHeaderBytes (Go's
//     reader takes 10 MB: 96 such headers took serve to 2.94 GB);
//   - the bytes read of all requests not yet authenticated share
//     UnauthBodyBudget, beyond the first unauthFreeBytes of each (a genuine
//     callback's param, a few KB, never waits for the budget): 400
//     connections each holding 1 MB of form body took 800 MB; now a body
//     that finds the budget spent is answered HTTP 503 (the platform
//     repeats). With the connection cap (conns.go) the total is at most
//     MaxConns x unauthFreeBytes + UnauthBodyBudget.
const (
	MaxPartHeaderBytes = 16 << 10
	UnauthBodyBudget   = 64 << 20
	unauthFreeBytes    = 64 << 10
)

var (
	errPartHeader = errors.New("multipart part header over the limit")
	errBodyBudget = errors.New("memory budget of unauthenticated bodies spent")
)

// memBudget is the shared budget of unauthenticated bodies.
type memBudget struct {
	mu   sync.Mutex
	left int64
}

var unauthBudget = &memBudget{left: UnauthBodyBudget}

func (b *memBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.left < n {
		return false
	}
	b.left -= n
	return true
}

func (b *memBudget) give(n int64) {
	b.mu.Lock()
	b.left += n
	b.mu.Unlock()
}

// limitBody wraps r.Body: part headers are bounded, and the bytes read
// while c is not authenticated are taken from the budget, all given back
// when the request ends.
func (s *Server) limitBody(r *http.Request, c *call) {
	lr := &limitedBody{rc: r.Body, c: c, budget: unauthBudget}
	if mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "multipart/form-data" && params["boundary"] != "" {
		lr.scan = newPartHeaderScan(params["boundary"], MaxPartHeaderBytes)
	}
	r.Body = lr
	context.AfterFunc(r.Context(), lr.release)
}

type limitedBody struct {
	rc     io.ReadCloser
	c      *call
	budget *memBudget
	scan   *partHeaderScan

	mu    sync.Mutex
	read  int64 // bytes read while not authenticated
	taken int64 // of which taken from the budget
	err   error
}

func (l *limitedBody) Read(p []byte) (int, error) {
	l.mu.Lock()
	err := l.err
	l.mu.Unlock()
	if err != nil {
		return 0, err
	}
	n, err := l.rc.Read(p)
	if n > 0 && l.scan != nil {
		if serr := l.scan.feed(p[:n]); serr != nil {
			l.fail(serr)
			return 0, serr
		}
	}
	if n > 0 && !l.c.opened {
		l.mu.Lock()
		l.read += int64(n)
		over := l.read - unauthFreeBytes - l.taken
		l.mu.Unlock()
		if over > 0 {
			if !l.budget.take(over) {
				l.fail(errBodyBudget)
				return 0, errBodyBudget
			}
			l.mu.Lock()
			l.taken += over
			l.mu.Unlock()
		}
	}
	return n, err
}

func (l *limitedBody) fail(err error) {
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
}

func (l *limitedBody) Close() error { return l.rc.Close() }

// release gives the budget back (once the request has ended).
func (l *limitedBody) release() {
	l.mu.Lock()
	n := l.taken
	l.taken = 0
	l.mu.Unlock()
	if n > 0 {
		l.budget.give(n)
	}
}

// partHeaderScan follows a multipart stream and fails when a part header
// (from a delimiter line to the blank line) has more than max bytes. It
// only observes: the bytes go on to mime/multipart unchanged.
type partHeaderScan struct {
	delim  []byte // "\r\n--boundary"
	max    int
	inHead bool
	head   int    // bytes of the current header so far
	tail   []byte // the end of what was seen, for matches across reads
}

func newPartHeaderScan(boundary string, max int) *partHeaderScan {
	// The body starts with the first delimiter, without the line break.
	return &partHeaderScan{delim: []byte("\r\n--" + boundary), max: max, tail: []byte("\r\n")}
}

var headEnd = []byte("\r\n\r\n")

func (s *partHeaderScan) feed(p []byte) error {
	buf := append(s.tail, p...)
	from := 0
	for {
		if !s.inHead {
			i := bytes.Index(buf[from:], s.delim)
			if i < 0 {
				break
			}
			from += i + len(s.delim)
			s.inHead, s.head = true, 0
			continue
		}
		i := bytes.Index(buf[from:], headEnd)
		if i < 0 {
			s.head += len(buf) - from
			if s.head > s.max+len(headEnd) {
				return errPartHeader
			}
			break
		}
		if s.head+i > s.max {
			return errPartHeader
		}
		from += i + len(headEnd)
		s.inHead = false
	}
	// Keep enough to find a delimiter or a header's end across reads;
	// bytes kept are not counted twice in s.head: they were counted, and
	// the count only bounds.
	keep := max(len(s.delim), len(headEnd)) - 1
	if len(buf)-from < keep {
		keep = len(buf) - from
	}
	if s.inHead {
		keep = min(keep, len(headEnd)-1)
		s.head -= keep
	}
	s.tail = append(s.tail[:0:0], buf[len(buf)-keep:]...)
	return nil
}

// bodyRefusal is the answer to a body that could not be read for err, nil
// when err is none of the bounds above (and not a read error with a text
// of its own to hide: see bodyErrText).
func bodyRefusal(c *call, err error) *refusal {
	switch {
	case errors.Is(err, errBodyBudget):
		c.logReason = err.Error()
		return &refusal{http: http.StatusServiceUnavailable, status: c.ep.codes.system, msg: msgBusy}
	case errors.Is(err, errPartHeader):
		c.logReason = err.Error()
		return refusef(c.ep.codes.receive, "multipart 请求体的部分头超过 %d KB", MaxPartHeaderBytes>>10)
	}
	return nil
}

// bodyErrText is the clerk's (and the sender's) text for a body read
// error: Chinese of our own, never the Go error, which may carry
// addresses ("read tcp 127.0.0.1:…: i/o timeout"). The error itself goes to
// the log (c.logReason).
func bodyErrText(c *call, err error) string {
	c.logReason = err.Error()
	var ne net.Error
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return "读取超时"
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "请求体不完整"
	case errors.Is(err, context.Canceled):
		return "连接已断开"
	}
	return "格式错误"
}
