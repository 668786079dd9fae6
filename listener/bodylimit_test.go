package listener

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"strings"
	"testing"
	"time"

	"baohan/platform/sandbox"
)

// feedChunks feeds body to a scan in chunks of n bytes.
func feedChunks(s *partHeaderScan, body []byte, n int) error {
	for len(body) > 0 {
		k := min(n, len(body))
		if err := s.feed(body[:k]); err != nil {
			return err
		}
		body = body[k:]
	}
	return nil
}

// TestPartHeaderScan: a genuine multipart body (param, files with long
// Chinese names, bodies that contain the boundary's start) passes in reads
// of any size; a part header over MaxPartHeaderBytes fails, however it is
// cut into reads.
func TestPartHeaderScan(t *testing.T) {
	name := strings.Repeat("保函附件", 60) + ".pdf"
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("param", randomParam(t, 8))
	for i := range 3 {
		w, _ := mw.CreateFormFile(fmt.Sprintf("attach_file%d", i), name)
		w.Write(bytes.Repeat([]byte("\r\n--"+mw.Boundary()[:10]+"x\r\n\r\n"), 500))
	}
	mw.Close()
	for _, n := range []int{1, 2, 3, 7, 61, 4096, 1 << 20} {
		if err := feedChunks(newPartHeaderScan(mw.Boundary(), MaxPartHeaderBytes), buf.Bytes(), n); err != nil {
			t.Errorf("genuine body in reads of %d: %v", n, err)
		}
	}
	// One header of 17 KB (a long Content-Disposition), then the same
	// with the blank line only after 10 MB.
	for _, size := range []int{MaxPartHeaderBytes + 1024, 10 << 20} {
		body := []byte("--B\r\nContent-Disposition: form-data; name=\"param\"; x=\"" + strings.Repeat("a", size) + "\"\r\n\r\nv\r\n--B--\r\n")
		for _, n := range []int{1, 3, 4096, 1 << 20} {
			if size > 1<<20 && n < 4096 {
				continue
			}
			if err := feedChunks(newPartHeaderScan("B", MaxPartHeaderBytes), body, n); !errors.Is(err, errPartHeader) {
				t.Errorf("header of %d bytes in reads of %d: %v", size, n, err)
			}
		}
	}
	// Just under the limit passes.
	body := []byte("--B\r\nX: " + strings.Repeat("a", MaxPartHeaderBytes-20) + "\r\n\r\nv\r\n--B--\r\n")
	if err := feedChunks(newPartHeaderScan("B", MaxPartHeaderBytes), body, 5); err != nil {
		t.Errorf("header under the limit: %v", err)
	}
}

// TestRefusalMsgOwnWords (issue 24, item 8): refusals of bodies that end
// early or carry a broken part are answered in Chinese of our own: no Go
// error, no address; the Go error is in the log. refusalMsg masks
// addresses and paths whatever put them in.
func TestRefusalMsgOwnWords(t *testing.T) {
	e := newEnv(t)
	addr := strings.TrimPrefix(e.ts.URL, "http://")
	raw := func(req string) string {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		io.WriteString(c, req)
		c.(*net.TCPConn).CloseWrite()
		b, _ := io.ReadAll(c)
		return string(b)
	}
	ct, body := multipartBody(t, randomParam(t, 2), sandbox.File{Field: "guarantee_pdf", Name: "a.pdf", Data: bytes.Repeat([]byte("x"), 5000)})
	cases := map[string]string{
		"form cut short":      "POST /callbacks/order_status HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nparam=abc",
		"multipart cut short": fmt.Sprintf("POST /callbacks/verify HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", ct, len(body), body[:300]),
		"broken part":         "POST /callbacks/verify HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 40\r\n\r\n--B\r\nbroken header line\r\n\r\nv\r\n--B--\r\n",
	}
	for name, req := range cases {
		ans := raw(req)
		i := strings.Index(ans, "{")
		if i < 0 {
			t.Errorf("%s: no answer: %q", name, ans)
			continue
		}
		var r reply
		if err := jsonUnmarshal([]byte(ans[i:]), &r); err != nil {
			t.Errorf("%s: %q", name, ans)
			continue
		}
		t.Logf("%s: status %d msg %q", name, r.Status, r.Msg)
		for _, bad := range []string{"127.0.0.1", "EOF", "tcp", "multipart:", "malformed", "unexpected"} {
			if strings.Contains(r.Msg, bad) {
				t.Errorf("%s: msg %q carries %q", name, r.Msg, bad)
			}
		}
	}
	for in, want := range map[string]string{
		"请求体接收失败：read tcp 127.0.0.1:8720->127.0.0.1:40312: i/o timeout": "请求体接收失败：read tcp （地址）->（地址）: i/o timeout",
		"系统错误：open /home/u/.local/share/baohan/db: denied":              "系统错误：open （路径） denied",
		"3.1（/callbacks/claim）不接受文件字段 x":                                "3.1（/callbacks/claim）不接受文件字段 x",
		"连接 [::1]:80 失败": "连接 （地址） 失败",
	} {
		if got := refusalMsg(in); got != want {
			t.Errorf("refusalMsg(%q) = %q, want %q", in, got, want)
		}
	}
	if n := len([]rune(refusalMsg(strings.Repeat("长", 10000)))); n != maxRefusalMsg+1 {
		t.Errorf("a long msg kept %d characters", n)
	}
}
