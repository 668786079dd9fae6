package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/action"
	"baohan/ui/components/detail"
	"baohan/ui/components/form"
	"baohan/ui/components/pane"
	"baohan/ui/components/todo"
	"baohan/ui/program"
)

func TestPrettyJSONMasksSecrets(t *testing.T) {
	in := `{"order_no":"18","serial_num":806097210890174123456,"api_secret":"S","nested":{"access_token":"T","list":[{"ACCESS_TOKEN":"U"}]},` +
		`"file_url":"https://x/f?id=1&access_token=V&b=2","name":"福州<&>"}`
	out := common.PrettyJSON(in)
	for _, secret := range []string{`"S"`, `"T"`, `"U"`, "=V"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %s shown:\n%s", secret, out)
		}
	}
	for _, keep := range []string{"806097210890174123456", `"福州<&>"`, `"order_no": "18"`, "access_token=******&b=2"} {
		if !strings.Contains(out, keep) {
			t.Errorf("%s lost:\n%s", keep, out)
		}
	}
	// Order of keys is kept.
	if strings.Index(out, "order_no") > strings.Index(out, "serial_num") {
		t.Errorf("keys reordered:\n%s", out)
	}
	if got := common.PrettyJSON("not json access_token=abc"); got != "not json access_token=******" {
		t.Errorf("plain text: %q", got)
	}
}

// A callback written by another process (here: another connection to the
// same folder, as `baohan serve` has) shows on the desk, rings and marks the
// new order.
func TestLiveFromAnotherProcess(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), ExternalListener: ""}, 120, 36)
	other, err := store.Open(db.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	err = other.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.UpsertOrder(store.Order{OrderNo: "1813777777", OrderStatus: "WAIT_FIRST_TRAIL", BlockName: "新到的标段",
			Principal: "新单位", BidDeadline: "2025-06-10 20:00"}); err != nil {
			return err
		}
		_, err := tx.AddEvent(store.Event{Kind: store.KindCallback, Direction: store.DirIn, Method: "apply_guarantee",
			Ref: "1813777777", Status: 200, Summary: "新订单 1813777777"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	d.waitFor("the new order", func(m *Model) bool {
		// Bells: the fixture's order inside 24 hours at the start, the new
		// order, and the new order's own deadline (10 hours away).
		if !m.pc.NewRefs["1813777777"] || m.pc.Bells != 3 || m.live.lastCallback == nil || m.live.lastCallback.Ref != "1813777777" {
			return false
		}
		return m.todo.Lists("1813777777")
	})
	v := d.view()
	if !strings.Contains(v, "!*!剩10小时0分   1813777777") {
		t.Fatalf("new order not marked new and near its deadline on 待办:\n%s", v)
	}
	if !strings.Contains(v, "订单 1813777777 距投标截止（2025-06-10 20:00）不到 24 小时") {
		t.Fatalf("no deadline message for the new order:\n%s", v)
	}
	// Opening it clears the mark.
	d.keys("j", "enter")
	d.waitFor("the mark cleared", func(m *Model) bool { return !m.pc.NewRefs["1813777777"] })
}

// q while a call runs asks first; other keys go back to work.
func TestQuitAsksWhileCalling(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db)}, 80, 24)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	d.inspect(func(m *Model) {
		// A call that runs until the test ends.
		a := action.NewAction(m.pc, &action.Spec{Title: "测试"}, m.afterAction)
		m.pc.Stack = append(m.pc.Stack, a)
		a.Execute(m.pc, &action.Prepared{Run: func(context.Context, func(int64, int64)) (*action.Outcome, error) {
			<-release
			return &action.Outcome{}, nil
		}})
		m.quit()
	})
	if v := d.view(); !strings.Contains(v, "确定退出") {
		t.Fatalf("no question:\n%s", v)
	}
	d.tm.Send(keyMsg("n"))
	d.waitFor("back to work", func(m *Model) bool { return !m.quitting })
	d.inspect(func(m *Model) { m.pc.Pop() })
}

func ExampleModel_View() {
	fmt.Println(common.Span(26*time.Hour + 5*time.Minute))
	// Output: 1天2小时
}

// The push form's file picker (ctrl+o) chooses the PDF.
func TestPushFilePicker(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db)}, 120, 36)
	d.keys("2", "j", "j", "j", "p", "text:G2025011", "tab", "text:testdata/pdf", "ctrl+o")
	d.waitFor("the picker", func(m *Model) bool {
		a, ok := m.pc.Top().(*action.View)
		if !ok {
			return false
		}
		f, ok := a.Form().Focused().(*form.FileField)
		return ok && f.Picking() && strings.Contains(f.PickerView(), "signed.pdf")
	})
	if v := d.view(); !strings.Contains(v, "tampered.pdf") {
		t.Fatalf("picker does not list the folder:\n%s", v)
	}
	d.keys("enter")
	d.waitFor("the path chosen", func(m *Model) bool {
		a := m.pc.Top().(*action.View)
		return strings.HasSuffix(a.Form().Values()["pdf"], "signed.pdf")
	})
	d.keys("enter", "enter", "enter")
	d.waitFor("the confirmation", func(m *Model) bool {
		a := m.pc.Top().(*action.View)
		return a.State() == action.StateConfirm && a.Prepared().Report != nil && a.Prepared().Blocked == ""
	})
}

// A store that cannot be read at start is said once: the polls that retry
// the start neither log it again nor overwrite the message line.
func TestLiveInitErrorSaidOnce(t *testing.T) {
	var logged bytes.Buffer
	m := newModel(Options{Store: fixtureStore(t), Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	defer m.cancel()
	fail := liveInitMsg{err: errors.New("disk gone")}
	m.liveUpdate(fail)
	if !m.pc.Flash.Err || !strings.Contains(m.pc.Flash.Text, "读取日志失败") {
		t.Fatalf("first failure not said: %+v", m.pc.Flash)
	}
	m.pc.Flash = program.Flash{Text: "别的消息"}
	for range 3 {
		m.liveUpdate(fail)
	}
	if m.pc.Flash.Text != "别的消息" {
		t.Errorf("message line overwritten by a retry: %+v", m.pc.Flash)
	}
	if n := strings.Count(logged.String(), "读取日志失败"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, logged.String())
	}
}

// TakeOver's ErrListenerRunning (wrapped or not) is the quiet "keep trying";
// any other error is said.
func TestTakeoverStillRunningIsQuiet(t *testing.T) {
	m := newModel(Options{Store: fixtureStore(t)})
	defer m.cancel()
	for _, err := range []error{ErrListenerRunning, fmt.Errorf("take over: %w", ErrListenerRunning)} {
		m.pc.Flash = program.Flash{}
		m.externalUpdate(takeoverMsg{err: err})
		if m.pc.Flash.Text != "" {
			t.Errorf("%v: said %q, want quiet", err, m.pc.Flash.Text)
		}
	}
	m.externalUpdate(takeoverMsg{err: errors.New("port taken")})
	if !m.pc.Flash.Err || !strings.Contains(m.pc.Flash.Text, "接手接收回调失败") {
		t.Errorf("other error not said: %+v", m.pc.Flash)
	}
}

// settled asks 待办 through m.panes (it is the first pane), not twice.
func TestTodoIsFirstPane(t *testing.T) {
	m := newModel(Options{Store: fixtureStore(t)})
	defer m.cancel()
	if p, ok := m.panes[0].(*todo.Pane); !ok || p != m.todo {
		t.Fatalf("m.panes[0] is %T, not m.todo", m.panes[0])
	}
}

// ledgerCtxPane is a pane whose ledger read reports the context it got.
type ledgerCtxPane struct {
	pane.Pane
}

func (ledgerCtxPane) Ledger(*program.Context) (func(context.Context) (*platform.Ledger, error), string) {
	return func(ctx context.Context) (*platform.Ledger, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, errors.New("read ran with a live context")
	}, ""
}

// The export reads with the desk's context: quitting cancels it.
func TestExportReadsWithDeskContext(t *testing.T) {
	m := newModel(Options{Store: fixtureStore(t), ExportDir: t.TempDir()})
	cmd := m.exportPane(ledgerCtxPane{m.panes[1]})
	if cmd == nil {
		t.Fatal("no export command")
	}
	m.cancel()
	msg, ok := cmd().(exportMsg)
	if !ok || !errors.Is(msg.err, context.Canceled) {
		t.Fatalf("export after quitting: %+v, want the read cancelled", msg)
	}
}

// The copies made for the system's viewer are removed when the desk quits
// (removeOpened); a file this desk did not make stays.
func TestOpenedCopiesRemoved(t *testing.T) {
	src := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(src, []byte("%PDF-1.4 test"), 0o600); err != nil {
		t.Fatal(err)
	}
	sha := strings.Repeat("ab", 32)
	dst, err := viewCopy(src, detail.File{Name: "测试附件.pdf", SHA: sha})
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(filepath.Dir(dst), "not-ours-"+sha[:8])
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(other)
	if n := removeOpened(); n < 1 {
		t.Fatalf("removed %d copies", n)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("the copy %s stays: %v", dst, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("a file the desk did not make was removed: %v", err)
	}
}
