package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"baohan/platform"
)

// Go's and the libraries' own texts never reach the clerk: each error
// becomes one Chinese sentence naming the file or the address.
func TestMessage(t *testing.T) {
	t.Setenv("BAOHAN_DEBUG", "")
	missing := filepath.Join(t.TempDir(), "none.pdf")
	_, statErr := os.Stat(missing)
	_, dialErr := net.Dial("tcp", freeAddr(t))
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:9/api/guarantor/v1/x", nil)
	_, deadlineErr := http.DefaultClient.Do(req)
	req2, _ := http.NewRequest(http.MethodGet, "http://"+freeAddr(t)+"/api", nil)
	_, refusedErr := http.DefaultClient.Do(req2)
	cases := []struct {
		err        error
		want, nots []string
	}{
		{fmt.Errorf("open store: %w", statErr), []string{missing, "不存在"}, []string{"stat", "no such file"}},
		{fmt.Errorf("get_access_token: %w", deadlineErr), []string{"http://127.0.0.1:9", "没有回答"}, []string{"context deadline exceeded", "Get "}},
		{fmt.Errorf("get_access_token: %w", refusedErr), []string{"无法连接", "连接被拒绝"}, []string{"dial tcp", "connection refused"}},
		{dialErr, []string{"网络连接失败", "连接被拒绝"}, []string{"dial", "refused"}},
		{context.DeadlineExceeded, []string{"规定时间"}, []string{"deadline"}},
		{&platform.InputError{Msg: "订单 1 不存在", Hint: "--amount"}, []string{"订单 1 不存在（--amount）"}, nil},
		{errors.New("sql: database is closed"), []string{"内部错误", "BAOHAN_DEBUG"}, []string{"sql:"}},
	}
	for i, c := range cases {
		msg := Message(c.err)
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("case %d: %q lacks %q", i, msg, w)
			}
		}
		for _, n := range c.nots {
			if strings.Contains(msg, n) {
				t.Errorf("case %d: %q shows %q", i, msg, n)
			}
		}
	}
	t.Setenv("BAOHAN_DEBUG", "1")
	if msg := Message(errors.New("sql: database is closed")); !strings.Contains(msg, "sql: database is closed") {
		t.Errorf("BAOHAN_DEBUG: %q", msg)
	}
}

func TestErrorDocument(t *testing.T) {
	doc := NewErrorDocument(1, fmt.Errorf("notify: %w", &platform.Error{Method: "notify_order_status", Status: 1101}))
	if e := doc.Error; e.Exit != 1 || e.Status != 1101 || !strings.Contains(e.Message, "平台拒绝") {
		t.Fatalf("%+v", doc)
	}
	b, err := json.Marshal(NewErrorDocument(2, errors.New("配置文件 x 中的 y：未填写")))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"error":{"exit":2,"message":"配置文件 x 中的 y：未填写"}}`; string(b) != want {
		t.Fatalf("status without a platform answer:\n got %s\nwant %s", b, want)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestExitCodeLocalFiles: a local file or folder that cannot be read or
// written is a local input error (exit 2, interface.md), the platform's
// refusal exit 1.
func TestExitCodeLocalFiles(t *testing.T) {
	_, err := os.Open(filepath.Join(t.TempDir(), "missing", "x.pdf"))
	if got := ExitCode(fmt.Errorf("read: %w", err)); got != ExitUsage {
		t.Errorf("missing file: exit %d", got)
	}
	if got := ExitCode(&platform.Error{Method: "notify_order_status", Status: 1101}); got != ExitNo {
		t.Errorf("platform refusal: exit %d", got)
	}
}
